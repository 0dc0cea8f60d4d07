"""The e-mails contact persons get about their seats: every kind in Dutch and English, with
the booking's facts, an HTML part that escapes what people typed, an .ics file when confirmed
seats are involved; and a mail server that fails never touches a booking."""

import datetime
import logging
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from booking import notifications, services
from booking.emails import portal_url
from booking.models import CourseGroup, Seat, Session
from booking.services import SeatRequest
from tests.conftest import translate

from .factories import CompanyFactory, CourseGroupFactory, LocationFactory, UserFactory

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WINTER = datetime.date(2031, 1, 14)  # a Tuesday, winter time (UTC+1)
SUMMER = datetime.date(2031, 7, 15)  # a Tuesday, summer time (UTC+2)
TITLES = {"nl": "Klik & Tik", "en": "Click & Tap"}
# Words of the message catalogue and of Django's own date names: which language a mail is in.
WORDS = {
    "nl": ["Hallo,", "Lessen", "dinsdag 14 januari 2031", "niveau 2"],
    "en": ["Hello,", "Sessions", "Tuesday 14 January 2031", "level 2"],
}


def in_language(language, text, *args):
    with translation.override(language):
        return ngettext(text, *args) if args else gettext(text)


@pytest.fixture
def scene(people, course, english):
    """A level-2 group at Gouda with 2 seats and a session in winter and one in summer; the
    course has an English title too."""
    english_course = translate(course, english)
    english_course.title = TITLES["en"]
    english_course.save_revision().publish()
    location = LocationFactory(organisation=people.gouda, name="Bibliotheek Gouda")
    group = CourseGroupFactory(
        course=course,
        library=people.gouda,
        location=location,
        level=2,
        capacity=2,
        sessions=0,
    )
    Session.objects.create(
        group=group, date=WINTER, starts_at=datetime.time(9, 30), ends_at=datetime.time(11, 30)
    )
    Session.objects.create(
        group=group, date=SUMMER, starts_at=datetime.time(13), ends_at=datetime.time(15)
    )
    return SimpleNamespace(people=people, group=group, course=course)


def speak(user, language):
    membership = user.membership
    membership.language = language
    membership.save()


def reserve(scene, *names, company="promen", seats=None):
    people = scene.people
    return services.reserve_seats(
        group=scene.group,
        organisation=getattr(people, company),
        by=getattr(people, f"contact_{company}"),
        seats=seats or [SeatRequest(first_name=name) for name in names],
    )


def html_of(message):
    (content, mimetype), *_others = message.alternatives
    assert mimetype == "text/html"
    return content


def calendars_of(message):
    files = [
        attachment for attachment in message.attachments if attachment.filename.endswith(".ics")
    ]
    for attachment in files:
        assert attachment.mimetype.startswith("text/calendar")
    return [Calendar.from_ical(attachment.content) for attachment in files]


def events_of(message):
    (calendar,) = calendars_of(message)
    return {event["UID"]: event for event in calendar.walk("VEVENT")}


def only_mail(outbox):
    assert len(outbox) == 1, [message.subject for message in outbox]
    return outbox[0]


def rename_session(group, day, **changes):
    """What the group form does when a coordinator changes one session."""
    group = CourseGroup.objects.get(pk=group.pk)
    sessions = list(group.sessions.all())
    for session in sessions:
        if session.date == day:
            for name, value in changes.items():
                setattr(session, name, value)
    group.sessions = sessions
    return group


# -- every kind, in both languages ----------------------------------------------------------


def reservation(scene, commit):
    with commit(execute=True):
        reserve(scene, company="konnected", seats=1)
    mail.outbox.clear()
    with commit(execute=True):
        reserve(scene, SCRIPT, "Anna")
    return in_language(scene.language, "Seats confirmed and on the waiting list: %(course)s")


def promoted(scene, commit):
    with commit(execute=True):
        full = reserve(scene, company="konnected", seats=2)
        reserve(scene, SCRIPT)
    mail.outbox.clear()
    with commit(execute=True):
        services.cancel_seats(
            booking=full.booking, by=scene.people.contact_konnected, seat_ids=[full.confirmed[0].pk]
        )
    mail.outbox[:] = [m for m in mail.outbox if m.to == [scene.people.contact_promen.email]]
    return in_language(scene.language, "A seat has become free for you: %(course)s")


def cancelled_by_you(scene, commit):
    with commit(execute=True):
        booking = reserve(scene, SCRIPT).booking
    mail.outbox.clear()
    with commit(execute=True):
        services.cancel_booking(booking=booking, by=scene.people.contact_promen)
    return in_language(scene.language, "Seats cancelled: %(course)s")


def cancelled_by_library(scene, commit):
    with commit(execute=True):
        booking = reserve(scene, SCRIPT).booking
    mail.outbox.clear()
    with commit(execute=True):
        services.cancel_booking(
            booking=booking, by=scene.people.coordinator_gouda, reason="Dubbel geboekt"
        )
    return in_language(scene.language, "Seats cancelled: %(course)s")


def group_cancelled(scene, commit):
    with commit(execute=True):
        reserve(scene, SCRIPT)
    mail.outbox.clear()
    with commit(execute=True):
        services.cancel_group(
            group=scene.group, by=scene.people.coordinator_gouda, reason="De trainer is ziek"
        )
    return in_language(scene.language, "Course cancelled: %(course)s")


def sessions_changed(scene, commit):
    with commit(execute=True):
        reserve(scene, SCRIPT)
    mail.outbox.clear()
    group = rename_session(scene.group, SUMMER, date=SUMMER + datetime.timedelta(days=1))
    with commit(execute=True):
        services.save_group(group=group, by=scene.people.coordinator_gouda)
    return in_language(scene.language, "New dates or times: %(course)s")


def reminder(scene, commit):
    with commit(execute=True):
        reserve(scene, SCRIPT)
    mail.outbox.clear()
    with commit(execute=True):
        notifications.send_reminders(today=WINTER - datetime.timedelta(days=2))
    with translation.override(scene.language):
        return gettext("Reminder: %(course)s starts on %(date)s") % {
            "course": "%(course)s",
            "date": date_format(WINTER, "l j F"),
        }


KINDS = {
    kind.__name__: kind
    for kind in (
        reservation,
        promoted,
        cancelled_by_you,
        cancelled_by_library,
        group_cancelled,
        sessions_changed,
        reminder,
    )
}


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS.keys())
def test_every_mail_kind_speaks_the_contact_persons_language_and_tells_the_facts(
    scene, kind, language, mailoutbox, django_capture_on_commit_callbacks
):
    contact = scene.people.contact_promen
    speak(contact, language)
    scene.language = language

    subject = kind(scene, django_capture_on_commit_callbacks)

    message = only_mail(mailoutbox)
    title = TITLES[language]
    assert message.to == [contact.email]
    assert message.subject == subject % {"course": title}
    assert message.extra_headers["Content-Language"] == language
    other = "en" if language == "nl" else "nl"
    body, html = message.body, html_of(message)
    for word in WORDS[language]:
        assert word in body
        assert word in html
    assert WORDS[other][0] not in body
    for fact in [
        "Bibliotheek Gouda",
        "Agnietenstraat 5, 2801 JS Gouda",
        "09:30–11:30",
        "0182 123 456",
    ]:
        assert fact in body
        assert fact in html
    assert title in body
    assert SCRIPT in body  # plain text: shown as typed
    assert f'<html lang="{language}">' in html
    assert ESCAPED in html
    assert SCRIPT not in html
    with translation.override(language):
        link = portal_url(Seat.objects.get(first_name=SCRIPT).booking)
    assert link.startswith(f"http://testserver/{language}/")
    assert link in body
    assert f'href="{link}"' in html
    (calendar,) = calendars_of(message)
    summaries = {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
    assert summaries == {f"{title} – Bibliotheek Gouda"}


# -- reservations -------------------------------------------------------------------------


def test_a_reservation_lists_confirmed_seats_and_waiting_list_places_in_one_mail(
    scene, mailoutbox, django_capture_on_commit_callbacks
):
    speak(scene.people.contact_promen, "en")
    with django_capture_on_commit_callbacks(execute=True):
        reserve(scene, company="konnected", seats=1)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        reserve(scene, "Anna", "Bram")

    message = only_mail(mailoutbox)
    assert message.subject == "Seats confirmed and on the waiting list: Click & Tap"
    assert "1 seat is confirmed.\n- Anna\n" in message.body
    assert "1 seat is on the waiting list." in message.body
    assert "- Bram (place 1 on the waiting list)" in message.body
    events = events_of(message)
    assert len(events) == 2
    descriptions = " ".join(str(event["DESCRIPTION"]) for event in events.values())
    assert "Anna" in descriptions
    assert "Bram" not in descriptions  # waitlisted: not in the calendar


def test_a_reservation_only_on_the_waiting_list_says_so_and_has_no_calendar_file(
    scene, mailoutbox, django_capture_on_commit_callbacks
):
    speak(scene.people.contact_promen, "en")
    with django_capture_on_commit_callbacks(execute=True):
        reserve(scene, company="konnected", seats=2)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        reserve(scene, "Anna")

    message = only_mail(mailoutbox)
    assert message.subject == "On the waiting list: Click & Tap"
    assert "seats are confirmed" not in message.body
    assert "- Anna (place 1 on the waiting list)" in message.body
    assert calendars_of(message) == []


def test_the_calendar_file_has_amsterdam_wall_clock_times_in_winter_and_summer(
    scene, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reserve(scene, "Anna")

    message = only_mail(mailoutbox)
    (attachment,) = message.attachments
    assert attachment.filename == "klik-tik.ics"
    assert "DTSTART;TZID=Europe/Amsterdam:20310114T093000" in attachment.content
    assert "DTSTART;TZID=Europe/Amsterdam:20310715T130000" in attachment.content
    (calendar,) = calendars_of(message)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    starts = sorted(event.decoded("DTSTART") for event in calendar.walk("VEVENT"))
    assert starts == [
        datetime.datetime(2031, 1, 14, 9, 30, tzinfo=AMSTERDAM),
        datetime.datetime(2031, 7, 15, 13, 0, tzinfo=AMSTERDAM),
    ]
    assert [start.utcoffset() for start in starts] == [
        datetime.timedelta(hours=1),
        datetime.timedelta(hours=2),
    ]


def test_a_company_booked_for_by_a_coordinator_hears_at_its_own_address(
    scene, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.reserve_seats(
            group=scene.group,
            organisation=scene.people.promen,
            by=scene.people.coordinator_gouda,
            seats=1,
        )

    message = only_mail(mailoutbox)
    assert message.to == [scene.people.promen.email]
    assert message.extra_headers["Content-Language"] == "nl"
    assert message.reply_to == [scene.people.gouda.email]


# -- promotion and cancellation -----------------------------------------------------------


def test_the_first_on_the_waiting_list_hears_of_the_free_seat_with_a_calendar_file(
    scene, mailoutbox, django_capture_on_commit_callbacks
):
    speak(scene.people.contact_promen, "en")
    with django_capture_on_commit_callbacks(execute=True):
        full = reserve(scene, company="konnected", seats=2)
        waiting = reserve(scene, "Anna")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_seats(
            booking=full.booking,
            by=scene.people.contact_konnected,
            seat_ids=[full.confirmed[0].pk],
        )

    promoted_mail = [m for m in mailoutbox if m.to == [scene.people.contact_promen.email]]
    assert len(promoted_mail) == 1
    body = promoted_mail[0].body
    assert "1 seat from the waiting list is now confirmed:\n- Anna\n" in body
    events = events_of(promoted_mail[0])
    assert {str(event["STATUS"]) for event in events.values()} == {"CONFIRMED"}
    assert Seat.objects.get(pk=waiting.waitlisted[0].pk).status == Seat.Status.CONFIRMED


@pytest.mark.parametrize("language", ["nl", "en"])
def test_cancelled_by_you_and_by_the_library_are_worded_differently(
    scene, language, mailoutbox, django_capture_on_commit_callbacks
):
    people = scene.people
    speak(people.contact_promen, language)
    with django_capture_on_commit_callbacks(execute=True):
        first = reserve(scene, "Anna").booking
        second = reserve(scene, "Bram").booking
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_booking(booking=first, by=people.contact_promen)
    by_you = only_mail(mailoutbox).body
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_booking(booking=second, by=people.coordinator_gouda, reason="Dubbel")
    by_library = only_mail(mailoutbox).body

    yours = in_language(language, "These seats have been cancelled, as you asked:")
    library = in_language(language, "The library has cancelled these seats:")
    assert f"{yours}\n- Anna\n" in by_you
    assert library not in by_you
    assert f"{library}\n- Bram\n" in by_library
    assert yours not in by_library
    assert in_language(language, "Do you want to know why? Please call or e-mail the library.") in (
        by_library
    )


def test_cancelling_some_seats_keeps_the_calendar_and_says_what_is_left(
    scene, mailoutbox, django_capture_on_commit_callbacks
):
    speak(scene.people.contact_promen, "en")
    with django_capture_on_commit_callbacks(execute=True):
        result = reserve(scene, "Anna", "Bram")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_seats(
            booking=result.booking,
            by=scene.people.contact_promen,
            seat_ids=[result.confirmed[0].pk],
        )

    message = only_mail(mailoutbox)
    assert "You still have 1 confirmed seat in this course." in message.body
    assert calendars_of(message) == []


def test_cancelling_the_last_confirmed_seat_takes_the_sessions_out_of_the_calendar(
    scene, mailoutbox, django_capture_on_commit_callbacks
):
    speak(scene.people.contact_promen, "en")
    with django_capture_on_commit_callbacks(execute=True):
        booking = reserve(scene, "Anna").booking
    reserved_uids = set(events_of(mailoutbox[0]))
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_booking(booking=booking, by=scene.people.contact_promen)

    message = only_mail(mailoutbox)
    events = events_of(message)
    assert set(events) == reserved_uids
    assert {str(event["STATUS"]) for event in events.values()} == {"CANCELLED"}
    assert all(event["SEQUENCE"] == 0 for event in events.values())
    assert "Open the calendar file with this e-mail" in message.body


def test_waiting_list_seats_closed_when_the_course_finishes_say_so(
    scene, mailoutbox, django_capture_on_commit_callbacks
):
    speak(scene.people.contact_promen, "en")
    with django_capture_on_commit_callbacks(execute=True):
        reserve(scene, company="konnected", seats=2)
        reserve(scene, "Anna")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.complete_group(group=scene.group, by=scene.people.coordinator_gouda, today=SUMMER)

    message = only_mail(mailoutbox)
    assert message.to == [scene.people.contact_promen.email]
    assert "The course has finished" in message.body
    assert "The library has cancelled these seats" not in message.body
    assert calendars_of(message) == []  # never confirmed, so never in the calendar


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_cancelled_group_tells_everyone_why_and_cancels_their_calendar_entries(
    scene, language, mailoutbox, django_capture_on_commit_callbacks
):
    people = scene.people
    speak(people.contact_promen, language)
    speak(people.contact_konnected, language)
    with django_capture_on_commit_callbacks(execute=True):
        reserve(scene, "Anna", "Bram")
        reserve(scene, "Chris", company="konnected")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_group(group=scene.group, by=people.coordinator_gouda, reason="Trainer ziek")

    by_address = {message.to[0]: message for message in mailoutbox}
    assert set(by_address) == {people.contact_promen.email, people.contact_konnected.email}
    promen = by_address[people.contact_promen.email]
    reason = in_language(language, "Reason")
    assert f"{reason}: Trainer ziek" in promen.body
    assert f"<strong>{reason}:</strong> Trainer ziek" in html_of(promen)
    intro = in_language(
        language,
        "%(library)s has cancelled this course group. Your seats in it have been cancelled:",
    ) % {"library": "Bibliotheek Gouda"}
    assert f"{intro}\n- Anna\n- Bram\n" in promen.body
    events = events_of(promen)
    assert len(events) == 2
    assert {str(event["STATUS"]) for event in events.values()} == {"CANCELLED"}
    # KonnecteD only waited: nothing of theirs was in a calendar.
    assert calendars_of(by_address[people.contact_konnected.email]) == []


# -- sessions changed -----------------------------------------------------------------------


@pytest.fixture
def booked(scene, django_capture_on_commit_callbacks):
    """Promen has the two seats, KonnecteD one on the waiting list, and a third company only a
    cancelled one."""
    people = scene.people
    third = CompanyFactory(name="IBN", slug="ibn")
    third_contact = UserFactory(username="contact-ibn", organisation=third)
    with django_capture_on_commit_callbacks(execute=True):
        reserve(scene, "Anna", "Ans")
        gone = services.reserve_seats(
            group=scene.group, organisation=third, by=third_contact, seats=1
        ).booking
        services.cancel_booking(booking=gone, by=third_contact)
        reserve(scene, "Bram", company="konnected")
    speak(people.contact_promen, "en")
    mail.outbox.clear()
    return scene


def test_moving_a_session_tells_everyone_with_active_seats_with_an_updated_calendar(
    booked, mailoutbox, django_capture_on_commit_callbacks
):
    people = booked.people
    winter = booked.group.sessions.get(date=WINTER)
    group = rename_session(
        booked.group, WINTER, starts_at=datetime.time(10), ends_at=datetime.time(12)
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.save_group(group=group, by=people.coordinator_gouda)

    by_address = {message.to[0]: message for message in mailoutbox}
    assert set(by_address) == {people.contact_promen.email, people.contact_konnected.email}
    promen = by_address[people.contact_promen.email]
    assert promen.subject == "New dates or times: Click & Tap"
    assert "Tuesday 14 January 2031, 10:00–12:00" in promen.body
    assert "09:30" not in promen.body
    assert "- Anna\n" in promen.body
    events = events_of(promen)
    moved = events[f"session-{winter.pk}@leerplein"]  # the same UID: the entry moves
    assert moved.decoded("DTSTART") == datetime.datetime(2031, 1, 14, 10, tzinfo=AMSTERDAM)
    assert moved["SEQUENCE"] == 1
    assert str(moved["STATUS"]) == "CONFIRMED"
    konnected = by_address[people.contact_konnected.email]
    assert "Bram (" in konnected.body  # on the waiting list, and told so
    assert calendars_of(konnected) == []


def test_a_removed_session_is_named_and_cancelled_in_the_calendar(
    booked, mailoutbox, django_capture_on_commit_callbacks
):
    summer = booked.group.sessions.get(date=SUMMER)
    group = CourseGroup.objects.get(pk=booked.group.pk)
    group.sessions = [session for session in group.sessions.all() if session.date != SUMMER]

    with django_capture_on_commit_callbacks(execute=True):
        services.save_group(group=group, by=booked.people.coordinator_gouda)

    promen = next(m for m in mailoutbox if m.to == [booked.people.contact_promen.email])
    assert "These sessions will not take place:\n- Tuesday 15 July 2031, 13:00–15:00\n" in (
        promen.body
    )
    removed = events_of(promen)[f"session-{summer.pk}@leerplein"]
    assert str(removed["STATUS"]) == "CANCELLED"
    assert removed["SEQUENCE"] == 1


def test_an_added_session_is_news_too(booked, mailoutbox, django_capture_on_commit_callbacks):
    group = CourseGroup.objects.get(pk=booked.group.pk)
    extra = Session(date=SUMMER + datetime.timedelta(weeks=1), starts_at=datetime.time(13))
    extra.ends_at = datetime.time(15)
    group.sessions = [*group.sessions.all(), extra]

    with django_capture_on_commit_callbacks(execute=True):
        services.save_group(group=group, by=booked.people.coordinator_gouda)

    promen = next(m for m in mailoutbox if m.to == [booked.people.contact_promen.email])
    assert "Tuesday 22 July 2031, 13:00–15:00" in promen.body
    assert len(events_of(promen)) == 3


def test_notes_trainer_or_capacity_are_no_news(
    booked, mailoutbox, django_capture_on_commit_callbacks
):
    group = CourseGroup.objects.get(pk=booked.group.pk)
    group.notes = "Sleutel bij de balie"
    group.trainer = "Karin Jansen"
    group.capacity = 3
    group.sessions = list(group.sessions.all())

    with django_capture_on_commit_callbacks(execute=True):
        services.save_group(group=group, by=booked.people.coordinator_gouda)

    # Only the waiting list hears: KonnecteD's seat got the new third place.
    assert [m.subject for m in mailoutbox] == [
        in_language("nl", "A seat has become free for you: %(course)s") % {"course": "Klik & Tik"}
    ]


def test_a_group_without_active_seats_mails_nobody_about_its_sessions(
    scene, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = reserve(scene, "Anna").booking
        services.cancel_booking(booking=booking, by=scene.people.contact_promen)
    mailoutbox.clear()
    group = rename_session(scene.group, WINTER, starts_at=datetime.time(10))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.save_group(group=group, by=scene.people.coordinator_gouda)

    assert callbacks, "the page cache is still cleared"
    assert mailoutbox == []
    assert scene.group.sessions.get(date=WINTER).starts_at == datetime.time(10)


# -- a mail server that fails -------------------------------------------------------------


class FlakyBackend(EmailBackend):
    """A mail server that refuses the first `failures` attempts, then works."""

    failures = 0
    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).failures:
            type(self).failures -= 1
            raise ConnectionRefusedError("mail server down")
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    settings.EMAIL_DELIVERY_ATTEMPTS = 4
    FlakyBackend.attempts = 0
    yield FlakyBackend
    FlakyBackend.failures = 0


def test_a_mail_server_that_fails_twice_delivers_once_and_the_booking_stands(
    scene, flaky, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    flaky.failures = 2

    with django_capture_on_commit_callbacks(execute=True):
        result = reserve(scene, "Anna")

    assert flaky.attempts == 3
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [scene.people.contact_promen.email]
    assert [seat.status for seat in result.booking.seats.all()] == [Seat.Status.CONFIRMED]
    retries = [r for r in caplog.records if "trying again later" in r.getMessage()]
    assert len(retries) == 2


def test_a_mail_server_that_keeps_failing_is_given_up_on_and_the_booking_stands(
    scene, flaky, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    flaky.failures = 100

    with (
        caplog.at_level(logging.WARNING, logger="booking.emails"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = reserve(scene, "Anna", "Bram")

    assert flaky.attempts == 4
    assert mailoutbox == []
    assert [seat.status for seat in result.booking.seats.all()] == [Seat.Status.CONFIRMED] * 2
    given_up = [r for r in caplog.records if r.getMessage().startswith("Gave up sending")]
    assert len(given_up) == 1
    assert given_up[0].levelno == logging.ERROR


def test_with_the_database_queue_a_failure_is_tried_again_later(
    scene, flaky, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    flaky.failures = 1
    with django_capture_on_commit_callbacks(execute=True):
        result = reserve(scene, "Anna")
    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path == "booking.notifications.reservation_made"
    assert mailoutbox == []  # the worker sends it, not the request

    before = timezone.now()
    notifications.reservation_made.call(*queued.args_kwargs["args"])  # what the worker does

    assert flaky.attempts == 1
    assert mailoutbox == []
    (retry,) = DBTaskResult.objects.exclude(pk=queued.pk)
    assert retry.task_path == "booking.notifications.reservation_made"
    assert retry.run_after >= before + datetime.timedelta(minutes=1)
    # The retry builds the mail again from ids: the queue holds no message.
    assert retry.args_kwargs == {"args": [result.booking.pk], "kwargs": {"attempt": 2}}
    assert Seat.objects.get(pk=result.confirmed[0].pk).status == Seat.Status.CONFIRMED

    # A minute later the worker tries again.
    notifications.reservation_made.call(*retry.args_kwargs["args"], **retry.args_kwargs["kwargs"])

    assert len(mailoutbox) == 1
    assert mailoutbox[0].attachments[0].filename.endswith(".ics")
