"""Calendar files (RFC 5545): a booking's .ics and an SW company's feed. Amsterdam wall-clock
times with their time zone, stable UIDs, a SEQUENCE that grows when a session moves, the
course title in the reader's language, and a feed that shows only what the company booked."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from icalendar import Calendar

from booking import services
from booking.calendar import booking_calendar, organisation_calendar
from booking.emails import portal_url
from booking.models import CourseGroup, Session
from tests.conftest import translate

from .factories import BookingFactory, CourseGroupFactory, LocationFactory, SeatFactory

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WINTER = datetime.date(2031, 1, 14)
SUMMER = datetime.date(2031, 7, 15)


@pytest.fixture
def group(people, course):
    """Gouda's group, one session in winter time at 09:30 and one in summer time at 13:00."""
    location = LocationFactory(organisation=people.gouda, name="Bibliotheek Gouda")
    group = CourseGroupFactory(course=course, library=people.gouda, location=location, sessions=0)
    Session.objects.create(
        group=group, date=WINTER, starts_at=datetime.time(9, 30), ends_at=datetime.time(11, 30)
    )
    Session.objects.create(
        group=group, date=SUMMER, starts_at=datetime.time(13), ends_at=datetime.time(15)
    )
    return group


def book(group, organisation, *names, waitlisted=False):
    booking = BookingFactory(group=group, organisation=organisation)
    for name in names:
        SeatFactory(booking=booking, first_name=name, waitlisted=waitlisted)
    return booking


def parsed(ics: bytes):
    return Calendar.from_ical(ics)


def events(ics: bytes):
    return sorted(parsed(ics).walk("VEVENT"), key=lambda event: event.decoded("DTSTART"))


def test_a_booking_calendar_is_valid_rfc_5545_with_amsterdam_times(people, group):
    booking = book(group, people.promen, "Anna")

    ics = booking_calendar(booking)

    calendar = parsed(ics)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    assert str(calendar["METHOD"]) == "PUBLISH"
    lines = ics.split(b"\r\n")
    assert lines[0] == b"BEGIN:VCALENDAR"
    assert all(len(line) <= 75 for line in lines)  # folded, as RFC 5545 asks
    (zone,) = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Amsterdam"
    assert {part.name for part in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    winter, summer = events(ics)
    for event in (winter, summer):
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION"} <= set(event)
        assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
        assert event["DTEND"].params["TZID"] == "Europe/Amsterdam"
    assert b"DTSTART;TZID=Europe/Amsterdam:20310114T093000" in ics
    assert b"DTEND;TZID=Europe/Amsterdam:20310715T150000" in ics
    assert winter.decoded("DTSTART") == datetime.datetime(2031, 1, 14, 9, 30, tzinfo=AMSTERDAM)
    assert winter.decoded("DTSTART").utcoffset() == datetime.timedelta(hours=1)
    assert summer.decoded("DTSTART") == datetime.datetime(2031, 7, 15, 13, tzinfo=AMSTERDAM)
    assert summer.decoded("DTSTART").utcoffset() == datetime.timedelta(hours=2)


def test_events_tell_course_place_and_link_and_keep_their_uid(people, group, english):
    booking = book(group, people.promen, "Anna", "Bram")
    book(group, people.promen, "Chris", waitlisted=True)
    english_course = translate(group.course, english)
    english_course.title = "Click & Tap"
    english_course.save_revision().publish()
    sessions = list(group.sessions.all())

    with translation.override("en"):
        english_events = events(booking_calendar(booking))
        link = portal_url(booking)
    dutch_events = events(booking_calendar(booking))

    assert [str(e["UID"]) for e in english_events] == [
        f"session-{s.pk}@leerplein" for s in sessions
    ]
    assert [str(e["UID"]) for e in dutch_events] == [str(e["UID"]) for e in english_events]
    winter = english_events[0]
    assert str(winter["SUMMARY"]) == "Click & Tap – Bibliotheek Gouda"
    assert str(dutch_events[0]["SUMMARY"]) == "Klik & Tik – Bibliotheek Gouda"
    assert str(winter["LOCATION"]) == "Bibliotheek Gouda, Agnietenstraat 5, 2801 JS Gouda"
    assert str(winter["STATUS"]) == "CONFIRMED"
    assert link.startswith("http://testserver/en/")
    assert str(winter["URL"]) == link
    description = str(winter["DESCRIPTION"])
    assert "Level 1" in description
    assert "Anna, Bram" in description
    assert "Chris" not in description  # on the waiting list: not coming (yet)
    assert "0182 123 456" in description


def test_a_cancelled_group_has_cancelled_events(people, group):
    booking = book(group, people.promen, "Anna")
    services.cancel_group(group=group, by=people.coordinator_gouda, reason="Trainer ziek")

    assert {str(event["STATUS"]) for event in events(booking_calendar(booking))} == {"CANCELLED"}


def test_a_moved_session_keeps_its_uid_with_a_higher_sequence(people, group):
    booking = book(group, people.promen, "Anna")
    before = {str(e["UID"]): e for e in events(booking_calendar(booking))}
    edited = CourseGroup.objects.get(pk=group.pk)
    sessions = list(edited.sessions.all())
    sessions[0].starts_at = datetime.time(10)
    edited.sessions = sessions

    services.save_group(group=edited, by=people.coordinator_gouda)

    after = {str(e["UID"]): e for e in events(booking_calendar(booking))}
    assert set(after) == set(before)
    moved, kept = (f"session-{s.pk}@leerplein" for s in sessions)
    assert (before[moved]["SEQUENCE"], after[moved]["SEQUENCE"]) == (0, 1)
    assert after[moved].decoded("DTSTART") == datetime.datetime(2031, 1, 14, 10, tzinfo=AMSTERDAM)
    assert after[kept]["SEQUENCE"] == 0


# -- the SW company's feed ------------------------------------------------------------------


def test_the_feed_lists_only_groups_where_the_company_has_a_confirmed_seat(people, group, course):
    def another_group():
        return CourseGroupFactory(course=course, library=people.gouda, sessions=1)

    waiting, cancelled, others = another_group(), another_group(), another_group()
    booking = book(group, people.promen, "Anna")
    book(waiting, people.promen, "Bram", waitlisted=True)
    gone = book(cancelled, people.promen, "Chris")
    services.cancel_booking(booking=gone, by=people.contact_promen)
    book(others, people.konnected, "Dewi")

    feed = events(organisation_calendar(people.promen))

    uids = {str(event["UID"]) for event in feed}
    assert uids == {f"session-{session.pk}@leerplein" for session in group.sessions.all()}
    assert {str(event["URL"]) for event in feed} == {portal_url(booking)}
    assert all("Anna" not in str(event["DESCRIPTION"]) for event in feed)  # no names in a feed


def test_the_feed_needs_the_same_queries_for_one_group_or_many(people, course, group):
    book(group, people.promen, "Anna")

    with CaptureQueriesContext(connection) as one:
        organisation_calendar(people.promen)
    for _n in range(4):
        more = CourseGroupFactory(course=course, library=people.gouda, sessions=3)
        book(more, people.promen, "Bram")
    with CaptureQueriesContext(connection) as five:
        feed = events(organisation_calendar(people.promen))

    assert len(feed) == 2 + 4 * 3
    assert len(five.captured_queries) == len(one.captured_queries)
    assert len(one.captured_queries) <= 5


# -- the reminder the day before ------------------------------------------------------------


def alarms(event):
    return [part for part in event.subcomponents if part.name == "VALARM"]


def assert_reminds_the_day_before(event):
    (alarm,) = alarms(event)
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm.decoded("TRIGGER") == datetime.timedelta(days=-1)
    assert alarm["TRIGGER"].params.get("RELATED", "START") == "START"
    assert alarm["TRIGGER"].to_ical() == b"-P1D"
    return str(alarm["DESCRIPTION"])


def test_every_session_reminds_the_day_before_in_the_readers_language(people, group, english):
    booking = book(group, people.promen, "Anna")
    english_course = translate(group.course, english)
    english_course.title = "Click & Tap"
    english_course.save_revision().publish()

    with translation.override("en"):
        ics = booking_calendar(booking)
    english_events = events(ics)
    dutch_events = events(booking_calendar(booking))

    assert b"TRIGGER:-P1D" in ics
    assert len(english_events) == len(dutch_events) == 2
    for event in english_events + dutch_events:
        assert_reminds_the_day_before(event)
    english_winter = assert_reminds_the_day_before(english_events[0])
    dutch_summer = assert_reminds_the_day_before(dutch_events[1])
    assert english_winter == "Tomorrow at 09:30: Click & Tap in Bibliotheek Gouda"
    assert dutch_summer == "Morgen om 13:00: Klik & Tik in Bibliotheek Gouda"


def test_the_feed_reminds_the_day_before_each_session(people, group):
    book(group, people.promen, "Anna")

    feed = events(organisation_calendar(people.promen))

    assert len(feed) == 2
    for event in feed:
        assert_reminds_the_day_before(event)


def test_a_cancelled_session_does_not_remind(people, group):
    booking = book(group, people.promen, "Anna")
    services.cancel_group(group=group, by=people.coordinator_gouda, reason="Trainer ziek")

    cancelled = events(booking_calendar(booking))

    assert len(cancelled) == 2
    assert all(alarms(event) == [] for event in cancelled)
