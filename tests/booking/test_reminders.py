"""`manage.py send_reminders`: a few days before a group starts, each booking's contact person
gets one reminder about its confirmed seats, with the calendar file — once per seat, however
often the command runs."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from icalendar import Calendar

from booking import notifications, services
from booking.models import SentReminder

from .factories import BookingFactory, CourseGroupFactory, SeatFactory

pytestmark = pytest.mark.django_db


def days_from_today(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def starting_in(days, people, course, **kwargs):
    return CourseGroupFactory(
        course=course, library=people.gouda, sessions__first=days_from_today(days), **kwargs
    )


def book(group, organisation, *names, **traits):
    booking = BookingFactory(group=group, organisation=organisation)
    seats = [SeatFactory(booking=booking, first_name=name, **traits) for name in names]
    return booking, seats


def run(commit, **options):
    out = io.StringIO()
    with commit(execute=True):
        call_command("send_reminders", stdout=out, **options)
    return out.getvalue().strip()


def test_each_booking_gets_one_reminder_about_its_confirmed_seats(
    people, course, mailoutbox, django_capture_on_commit_callbacks
):
    group = starting_in(2, people, course)
    promen, _seats = book(group, people.promen, "Anna", "Bram")
    book(group, people.promen, "Chris", waitlisted=True)
    book(group, people.promen, "Dewi", cancelled=True)
    konnected, _seats = book(group, people.konnected, "Eva")

    output = run(django_capture_on_commit_callbacks)

    assert output == "Sent 2 reminder e-mail(s) about 3 seat(s)."
    by_address = {message.to[0]: message for message in mailoutbox}
    assert set(by_address) == {promen.booked_by.email, konnected.booked_by.email}
    message = by_address[promen.booked_by.email]
    first = group.sessions.first()
    assert message.extra_headers["Content-Language"] == "nl"
    assert "- Anna\n- Bram\n" in message.body
    assert "Chris" not in message.body
    assert "Dewi" not in message.body
    assert f"{first.starts_at:%H:%M}" in message.body
    (attachment,) = message.attachments
    calendar = Calendar.from_ical(attachment.content)
    assert len(calendar.walk("VEVENT")) == group.sessions.count()


def test_running_twice_reminds_each_seat_once(
    people, course, mailoutbox, django_capture_on_commit_callbacks
):
    group = starting_in(1, people, course)
    _booking, seats = book(group, people.promen, "Anna")

    first = run(django_capture_on_commit_callbacks)
    second = run(django_capture_on_commit_callbacks)

    assert first == "Sent 1 reminder e-mail(s) about 1 seat(s)."
    assert second == "Sent 0 reminder e-mail(s) about 0 seat(s)."
    assert len(mailoutbox) == 1
    assert SentReminder.objects.get().seat == seats[0]


def test_a_seat_booked_after_the_reminder_gets_its_own(
    people, course, mailoutbox, django_capture_on_commit_callbacks
):
    group = starting_in(3, people, course)
    book(group, people.promen, "Anna")
    run(django_capture_on_commit_callbacks)
    mailoutbox.clear()
    later, _seats = book(group, people.promen, "Bram")

    run(django_capture_on_commit_callbacks)

    (message,) = mailoutbox
    assert message.to == [later.booked_by.email]
    assert "- Bram\n" in message.body
    assert "Anna" not in message.body


def test_an_overlapping_run_that_was_quicker_wins_the_seat(
    people, course, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    group = starting_in(2, people, course)
    _first, (anna,) = book(group, people.promen, "Anna")
    _second, (eva,) = book(group, people.konnected, "Eva")
    create = SentReminder.objects.create

    def another_run_is_quicker(**kwargs):
        # Both runs picked both seats; the other one claims Eva's while this one does Anna's.
        if kwargs["seat_id"] == anna.pk:
            create(seat_id=eva.pk)
        return create(**kwargs)

    monkeypatch.setattr(SentReminder.objects, "create", another_run_is_quicker)
    with django_capture_on_commit_callbacks(execute=True):
        mails, seats = notifications.send_reminders()

    assert (mails, seats) == (1, 1)
    assert [message.body.count("- Anna\n") for message in mailoutbox] == [1]
    assert SentReminder.objects.filter(seat=eva).count() == 1


@pytest.mark.parametrize(
    ("days", "reminded"),
    [(-1, False), (0, True), (3, True), (4, False)],
    ids=["started yesterday", "starts today", "in 3 days", "in 4 days"],
)
def test_only_groups_starting_within_the_reminder_days_and_not_in_the_past(
    people, course, mailoutbox, django_capture_on_commit_callbacks, days, reminded
):
    group = starting_in(days, people, course)
    book(group, people.promen, "Anna")

    run(django_capture_on_commit_callbacks)

    assert len(mailoutbox) == (1 if reminded else 0)


def test_the_number_of_days_comes_from_the_settings(
    people, course, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.REMINDER_DAYS_BEFORE = 5
    book(starting_in(5, people, course), people.promen, "Anna")
    book(starting_in(6, people, course), people.promen, "Bram")

    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.send_reminders() == (1, 1)

    assert "- Anna\n" in mailoutbox[0].body


def test_cancelled_groups_and_cancelled_or_waiting_seats_are_not_reminded(
    people, course, mailoutbox, django_capture_on_commit_callbacks
):
    cancelled = starting_in(2, people, course)
    book(cancelled, people.promen, "Anna")
    services.cancel_group(group=cancelled, by=people.coordinator_gouda, reason="Trainer ziek")
    running = starting_in(2, people, course)
    book(running, people.promen, "Bram", waitlisted=True)
    book(running, people.promen, "Chris", cancelled=True)

    output = run(django_capture_on_commit_callbacks)

    assert output == "Sent 0 reminder e-mail(s) about 0 seat(s)."
    assert mailoutbox == []
    assert not SentReminder.objects.exists()


def test_a_negative_number_of_days_is_refused(db):
    with pytest.raises(CommandError, match="cannot be negative"):
        call_command("send_reminders", days=-1)
