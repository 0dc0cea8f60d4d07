"""The task queue keeps no participant details: its rows carry ids, never a mail's body, even
when a mail server failed; and the retention command clears the rows about the groups whose
details it removes, so a database dump after retention holds no participant's name."""

import datetime
import io
import json
import os
import shutil
import subprocess

import pytest
from django.conf import settings
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from booking import notifications, services
from booking.models import CourseGroup, Seat, SessionNote
from booking.services import SeatRequest

from .factories import CourseGroupFactory, LocationFactory

MARKER = "Zyxwvutsrq"
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


class FirstTryFails(EmailBackend):
    """A mail server that refuses every message the first time it sees it."""

    seen: set = set()

    def send_messages(self, messages):
        keys = {(message.subject, tuple(message.to)) for message in messages}
        if not keys <= self.seen:
            type(self).seen |= keys
            raise ConnectionRefusedError("mail server down")
        return super().send_messages(messages)


@pytest.fixture
def queue(settings):
    """The database queue of production, with a mail server that fails each first try."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = f"{__name__}.FirstTryFails"
    FirstTryFails.seen = set()
    yield
    FirstTryFails.seen = set()


def run_worker(rounds=10):
    """What `db_worker` does, until the queue is empty (or for `rounds` passes over it),
    ignoring the pauses between tries."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
    )
    for _round in range(rounds):
        ready = list(DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"))
        if not ready:
            return
        for row in ready:
            worker.run_task(row)
    if rounds == 10:
        raise AssertionError("the queue does not empty")


def stored(row) -> str:
    """Everything a task row keeps besides its name: arguments, result, exception."""
    return json.dumps([row.args_kwargs, row.return_value, row.exception_class_path, row.traceback])


def reserve(group, people, *names, company="promen", now=None):
    return services.reserve_seats(
        group=group,
        organisation=getattr(people, company),
        by=getattr(people, f"contact_{company}"),
        seats=[SeatRequest(first_name=name, learning_goal=f"{name} DigiD") for name in names],
        now=now,
    )


def test_no_task_keeps_a_first_name_when_the_first_send_of_every_mail_fails(
    queue, people, course, mailoutbox, django_capture_on_commit_callbacks
):
    location = LocationFactory(organisation=people.gouda)
    group = CourseGroupFactory(
        course=course, library=people.gouda, location=location, capacity=1, sessions=2
    )
    commit = django_capture_on_commit_callbacks
    # The worker runs after each step, as it would: a mail built later would say less.
    with commit(execute=True):
        first = reserve(group, people, MARKER, company="konnected")
        reserve(group, people, MARKER)  # on the waiting list
    run_worker()
    with commit(execute=True):
        services.cancel_booking(booking=first.booking, by=people.contact_konnected)  # promotes
    run_worker()
    with commit(execute=True):
        notifications.send_reminders(days=10_000)
    run_worker()
    with commit(execute=True):
        sessions = list(group.sessions.all())
        sessions[0].starts_at = datetime.time(8)
        group = CourseGroup.objects.get(pk=group.pk)
        group.sessions = sessions[:1]
        services.save_group(group=group, by=people.coordinator_gouda)
    run_worker()
    with commit(execute=True):
        services.cancel_group(group=group, by=people.coordinator_gouda, reason="Trainer ziek")
    run_worker()

    # The mails themselves name the participant: that is what the queue must not keep.
    assert any(MARKER in message.body for message in mailoutbox)
    for row in DBTaskResult.objects.all():
        assert MARKER not in stored(row), row.task_path
    mails = DBTaskResult.objects.filter(task_path__startswith="booking.")
    kinds = set(mails.values_list("task_path", flat=True))
    assert kinds == {
        f"booking.notifications.{name}"
        for name in (
            "reservation_made",
            "seats_cancelled",
            "seats_promoted",
            "booking_reminder",
            "sessions_changed",
            "group_cancelled",
        )
    }
    assert mails.filter(args_kwargs__kwargs__attempt=2).count() >= len(kinds)
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()


def ended_group(people, course):
    """A group that ended 250 days ago, with a participant booked while it was open."""
    location = LocationFactory(organisation=people.gouda)
    group = CourseGroupFactory(
        course=course,
        library=people.gouda,
        location=location,
        sessions=2,
        sessions__first=timezone.localdate() - datetime.timedelta(days=250),
    )
    reserve(group, people, MARKER, now=group.booking_opens_at + datetime.timedelta(hours=1))
    return group


def test_retention_deletes_the_queued_mails_about_the_groups_it_clears(
    queue, people, course, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        old = ended_group(people, course)
        recent = CourseGroupFactory(course=course, library=people.gouda, sessions=2)
        reserve(recent, people, "Anja")
    # Before mails were built from ids, a failed send queued its whole body.
    DBTaskResult.objects.create(
        task_path="booking.emails.deliver",
        args_kwargs={"args": [{"text": f"Hallo, {MARKER}"}, 2], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
    )
    mails = DBTaskResult.objects.filter(task_path__startswith="booking.")
    assert mails.count() == 3

    call_command("remove_participant_details", stdout=io.StringIO())

    (kept,) = mails.all()
    assert kept.args_kwargs["args"] == [Seat.objects.get(first_name="Anja").booking_id]
    assert Seat.objects.get(booking__group=old).first_name == ""


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs pg_dump")
# Committed for real, so pg_dump (another connection) sees the data; serialized_rollback gives
# later tests back what the migrations made (locales, the root page).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_after_retention_a_database_dump_holds_no_participant_name(queue, people, course):
    group = ended_group(people, course)  # committed at once: the mail is queued
    run_worker(rounds=1)  # the first send fails: a retry waits in the queue
    assert DBTaskResult.objects.filter(status="READY").exists()
    assert MARKER in pg_dump(), "the dump sees the participant before retention"

    call_command("remove_participant_details", stdout=io.StringIO())

    assert Seat.objects.get(booking__group=group).first_name == ""
    assert MARKER not in pg_dump()


def pg_dump() -> str:
    """A plain-text dump of the test database, as a backup would make it."""
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    command = ["pg_dump", "--no-owner", "--dbname", db["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [option, str(db[key])]
    return subprocess.run(  # noqa: S603 - fixed command, settings of the test database
        command, env=env, capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs pg_dump")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_after_retention_no_intake_answer_or_trainers_note_is_left(people, course):
    """The intake's answers (in the seat and its history) and a trainer's note about a
    session go with the seat's other details."""
    group = ended_group(people, course)
    seat = Seat.objects.get(booking__group=group)
    seat.intake = {"wants": f"{MARKER} wil mailen met haar kleinzoon", "advice": {"level": 1}}
    seat.save()
    session = group.sessions.first()
    SessionNote.objects.create(
        session=session, author=people.coordinator_gouda, text=f"{MARKER} heeft een bril nodig"
    )
    assert pg_dump().count(MARKER) >= 4, "seat, its history (twice) and the note"

    call_command("remove_participant_details", stdout=io.StringIO())

    seat.refresh_from_db()
    assert seat.intake == {}
    assert not SessionNote.objects.filter(session=session).exists()
    assert MARKER not in pg_dump()
