"""Calendar files (RFC 5545) for course sessions: one booking's `.ics`, an SW company's
private feed and the attachments of confirmation e-mails.

Sessions keep their wall-clock time in Europe/Amsterdam, with the time zone included, so a
calendar app shows 9:30 whatever its own zone. Each session has a stable UID, so a changed
session replaces the old entry instead of appearing twice.
"""

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from booking.models import CourseGroup, Seat, Session

PRODUCT_ID = "-//Leerplein//Cursussen//NL"


def _uid(session):
    return f"session-{session.pk}@leerplein"


def _course_title(group):
    course = group.course.localized
    return course.title


def session_event(session, group, *, note=""):
    event = Event()
    event.add("uid", _uid(session))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.start)
    event.add("dtend", session.end)
    event.add("summary", f"{_course_title(group)} – {group.location.name}")
    event.add("location", f"{group.location.name}, {group.location.address}")
    lines = [_("Level %(level)s") % {"level": group.level}, group.library.name]
    if note:
        lines.append(note)
    event.add("description", "\n".join(lines))
    if group.status == CourseGroup.Status.CANCELLED:
        event.add("status", "CANCELLED")
    return event


def calendar_of(events, *, name):
    """The bytes of a calendar with these events and the Amsterdam time zone they use."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for event in events:
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _groups():
    return CourseGroup.objects.select_related("course", "location", "library").prefetch_related(
        Prefetch("sessions", queryset=Session.objects.order_by("date", "starts_at"))
    )


def booking_calendar(booking, seats=None):
    """The sessions of a booking's group, with the first names of its confirmed seats."""
    if seats is None:
        seats = booking.seats.confirmed()
    names = ", ".join(seat.first_name for seat in seats if seat.first_name)
    group = _groups().get(pk=booking.group_id)
    events = [session_event(session, group, note=names) for session in group.sessions.all()]
    name = _course_title(group)
    return calendar_of(events, name=name)


def organisation_calendar(organisation):
    """Every session of the groups in which this SW company has a confirmed seat."""
    groups = (
        _groups()
        .filter(
            bookings__organisation=organisation,
            bookings__seats__status=Seat.Status.CONFIRMED,
        )
        .distinct()
    )
    events = [session_event(session, group) for group in groups for session in group.sessions.all()]
    return calendar_of(
        events,
        name=_("Leerplein courses for %(organisation)s") % {"organisation": organisation.name},
    )
