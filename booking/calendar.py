"""Calendar files (RFC 5545) for course sessions: one booking's `.ics`, an SW company's
private feed, a trainer's private feed and the attachments of the e-mails about seats.

Sessions keep their wall-clock time in Europe/Amsterdam, with the time zone included, so a
calendar app shows 9:30 whatever its own zone. Each session has a stable UID and a SEQUENCE
that grows with every change, so a moved session replaces the old entry instead of appearing
twice, and a removed or cancelled one is marked cancelled. A session that goes ahead reminds
the reader the day before (a VALARM), in the language the file was made in.
"""

import datetime
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from booking.emails import portal_url
from booking.models import Booking, CourseGroup, Seat, Session
from booking.selectors import course_titles
from core.site_url import absolute_url

PRODUCT_ID = "-//Leerplein//Cursussen//NL"


def _uid(session):
    # `id`, not `pk`: a removed session comes back as its history record, whose pk differs.
    return f"session-{session.id}@leerplein"


def sequences(session_ids: Iterable[int]) -> dict[int, int]:
    """How often each session changed since it was planned: its SEQUENCE, by session id.

    Every real change of a session leaves one history record (services.save_group skips
    saves that change nothing), so the count only grows, as RFC 5545 asks.
    """
    rows = (
        Session.history.filter(id__in=list(session_ids))
        .order_by()
        .values("id")
        .annotate(records=Count("history_id"))
    )
    return {row["id"]: max(row["records"] - 1, 0) for row in rows}


def session_event(
    session, group, *, note="", title=None, url="", sequence=0, cancelled=False
) -> Event:
    """One session as a VEVENT. `cancelled` marks it cancelled even in a running group (the
    seats were cancelled, or the session was removed); a cancelled group's always are."""
    zone = ZoneInfo(settings.TIME_ZONE)
    location = group.location
    if title is None:
        title = course_titles([group.course])[group.course_id]
    event = Event()
    event.add("uid", _uid(session))
    event.add("dtstamp", timezone.now())
    event.add("sequence", sequence)
    event.add("dtstart", datetime.datetime.combine(session.date, session.starts_at, tzinfo=zone))
    event.add("dtend", datetime.datetime.combine(session.date, session.ends_at, tzinfo=zone))
    event.add("summary", f"{title} – {location.name}")
    event.add("location", f"{location.name}, {location.address}")
    library = group.library
    contact = ", ".join(part for part in (library.phone, library.email) if part)
    lines = [
        _("Level %(level)s") % {"level": group.level},
        f"{library.name} ({contact})" if contact else library.name,
    ]
    if note:
        lines.append(note)
    if url:
        event.add("url", url)
        lines.append(url)
    event.add("description", "\n".join(lines))
    cancelled = cancelled or group.status == CourseGroup.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if not cancelled:
        # No reminder for a cancelled session: some calendar apps keep showing a cancelled
        # event, and an alarm would call people to a lesson that does not take place.
        event.add_component(_reminder(session, title, location))
    return event


def _reminder(session, title, location) -> Alarm:
    """A pop-up the day before the session, at the same time of day as it starts."""
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", datetime.timedelta(days=-1))
    alarm.add(
        "description",
        _("Tomorrow at %(time)s: %(course)s in %(place)s")
        % {"time": session.starts_at.strftime("%H:%M"), "course": title, "place": location.name},
    )
    return alarm


def calendar_of(events, *, name) -> bytes:
    """The bytes of a calendar with these events and the Amsterdam time zone they use."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    years = [event.decoded("dtstart").year for event in events] or [timezone.localdate().year]
    for event in events:
        calendar.add_component(event)
    # The time zone's rules for just these years: a short VTIMEZONE instead of one since 1970.
    calendar.add_missing_timezones(
        first_date=datetime.date(min(years), 1, 1), last_date=datetime.date(max(years) + 1, 1, 1)
    )
    return calendar.to_ical()


def _groups():
    return CourseGroup.objects.select_related("course", "location", "library").prefetch_related(
        Prefetch("sessions", queryset=Session.objects.order_by("date", "starts_at"))
    )


def _events_of(groups, url_of) -> list[Event]:
    """An event for every session of `groups` (from _groups()), linking to url_of(group,
    session); two queries whatever the number of groups."""
    titles = course_titles(group.course for group in groups)
    sequence = sequences(session.id for group in groups for session in group.sessions.all())
    return [
        session_event(
            session,
            group,
            title=titles[group.course_id],
            url=url_of(group, session),
            sequence=sequence.get(session.id, 0),
        )
        for group in groups
        for session in group.sessions.all()
    ]


def booking_calendar(booking, seats=None, *, cancelled=False, removed_sessions=()) -> bytes:
    """The sessions of a booking's group, with the first names of its confirmed seats.

    `cancelled` marks every session cancelled (the booking's seats were cancelled);
    `removed_sessions` (sessions deleted from the group, e.g. rebuilt from their history)
    are added as cancelled, so calendar apps drop them.
    """
    if seats is None:
        seats = booking.seats.confirmed()
    names = ", ".join(seat.first_name for seat in seats if seat.first_name)
    group = _groups().get(pk=booking.group_id)
    sessions = list(group.sessions.all())
    title = course_titles([group.course])[group.course_id]
    url = portal_url(booking)
    sequence = sequences([session.id for session in [*sessions, *removed_sessions]])

    def event(session, **kwargs):
        return session_event(
            session, group, title=title, url=url, sequence=sequence.get(session.id, 0), **kwargs
        )

    events = [event(session, note=names, cancelled=cancelled) for session in sessions]
    events += [event(session, cancelled=True) for session in removed_sessions]
    return calendar_of(events, name=title)


def organisation_calendar(organisation) -> bytes:
    """Every session of the groups in which this SW company has a confirmed seat.

    A fixed number of queries however many groups: titles and sequences are looked up for
    all groups at once.
    """
    confirmed = Seat.objects.confirmed().filter(booking__organisation=organisation)
    first_booking = (
        Booking.objects.filter(
            group=OuterRef("pk"), organisation=organisation, seats__status=Seat.Status.CONFIRMED
        )
        .order_by("pk")
        .values("pk")[:1]
    )
    groups = list(
        _groups()
        .filter(pk__in=confirmed.values("booking__group"))
        .annotate(booking_pk=Subquery(first_booking))
        .order_by("pk")
    )
    events = _events_of(groups, lambda group, session: portal_url(Booking(pk=group.booking_pk)))
    return calendar_of(
        events,
        name=_("Leerplein courses for %(organisation)s") % {"organisation": organisation.name},
    )


def _trainer_session_url(session) -> str:
    """The session's page on the trainers' pages, in the active language."""
    try:
        return absolute_url(reverse("trainers:session", kwargs={"pk": session.pk}))
    except NoReverseMatch:
        return ""


def trainer_calendar(trainer) -> bytes:
    """Every session of the groups this trainer or volunteer is assigned to, without the
    names of participants: the address is a secret, but a calendar app may show it anywhere.
    Cancelled groups' sessions are marked cancelled, so calendar apps drop them."""
    groups = list(
        _groups()
        .filter(trainer_assignments__trainer=trainer)
        .exclude(status=CourseGroup.Status.DRAFT)
        .order_by("pk")
    )
    events = _events_of(groups, lambda group, session: _trainer_session_url(session))
    return calendar_of(events, name=_("My Leerplein lessons"))
