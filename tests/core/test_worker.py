"""A task worker that recovers: the task of a killed worker runs again on another one, a live
worker's task is left alone, the loop waits out a lost database, and a mail is sent once."""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet

from core import mail, worker
from core.models import SentMail, WorkerHeartbeat

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
RUNS = []


@task()
def count_run(label: str) -> None:
    RUNS.append(label)


@task()
def slow_first_time(folder: str) -> None:
    """Sends a mail, then sleeps for a minute the first time it runs (to be killed)."""
    starts = Path(folder) / "starts"
    with starts.open("a") as file:
        file.write("start\n")
    email = EmailMessage("Je plek is bevestigd", "Tot dan.", to=["sam@example.test"])
    mail.send(email, again=slow_first_time, args=[folder])
    if starts.read_text().count("start") == 1:
        time.sleep(60)
    with starts.open("a") as file:
        file.write("done\n")


# serialized_rollback: later tests still find what the migrations made (roles, locales).
COMMITTED = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    RUNS.clear()


def heartbeat(worker_id: str, *, seconds_ago: float) -> WorkerHeartbeat:
    seen = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id, host="worker-1", pid=1, started_at=seen, seen_at=seen
    )


def running_for(worker_id: str, *, label="a", minutes_ago=5) -> DBTaskResult:
    result = count_run.enqueue(label)
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(worker_id)
    DBTaskResult.objects.filter(pk=row.pk).update(
        started_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )
    return row


def batch_worker(worker_id="batch") -> worker.RecoveringWorker:
    return worker.RecoveringWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
    )


@COMMITTED
def test_a_dead_workers_task_is_queued_again_and_then_runs_once(database_queue):
    heartbeat("dead", seconds_ago=settings.WORKER_DEAD_SECONDS + 5)
    task_row = running_for("dead")

    assert worker.requeue_abandoned_tasks() == [str(task_row.pk)]
    task_row.refresh_from_db()
    assert task_row.status == "READY"

    batch_worker("rescuer").run()

    task_row.refresh_from_db()
    assert task_row.status == "SUCCESSFUL"
    assert task_row.worker_ids == ["dead", "rescuer"]
    assert RUNS == ["a"]
    # A worker that stopped removed its heartbeat.
    assert not WorkerHeartbeat.objects.filter(worker_id="rescuer").exists()


def test_a_live_workers_task_is_left_alone(db, database_queue):
    heartbeat("alive", seconds_ago=1)
    task_row = running_for("alive", minutes_ago=30)

    assert worker.requeue_abandoned_tasks() == []
    task_row.refresh_from_db()
    assert task_row.status == "RUNNING"


def test_a_task_of_a_worker_that_left_no_heartbeat_is_queued_again(db, database_queue):
    task_row = running_for("never-seen")

    assert worker.requeue_abandoned_tasks() == [str(task_row.pk)]


def test_a_task_claimed_just_now_is_not_taken(db, database_queue):
    running_for("starting", minutes_ago=0)

    assert worker.requeue_abandoned_tasks() == []


def test_the_requeue_is_logged_without_the_arguments(db, database_queue, caplog):
    running_for("dead", label="Zyxwv")

    worker.requeue_abandoned_tasks()

    (record,) = [r for r in caplog.records if r.name == "core.worker"]
    assert record.levelname == "WARNING"
    assert count_run.module_path in record.getMessage()
    assert "Zyxwv" not in record.getMessage()


@COMMITTED
def test_the_loop_waits_out_a_lost_database(database_queue, caplog):
    count_run.enqueue("b")
    real = DBTaskResultQuerySet.get_locked
    calls = []

    def shutting_down_once(queryset):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("the database system is shutting down")
        return real(queryset)

    with (
        mock.patch.object(DBTaskResultQuerySet, "get_locked", shutting_down_once),
        mock.patch.object(worker, "BACKOFF_FIRST_SECONDS", 0.01),
    ):
        batch_worker().run()

    assert RUNS == ["b"]
    assert any("lost the database" in r.getMessage() for r in caplog.records)


@COMMITTED
def test_a_task_that_could_not_be_marked_done_runs_again(database_queue):
    count_run.enqueue("c")
    gone = OperationalError("server closed the connection unexpectedly")
    real_success = DBTaskResult.set_successful
    failures = []

    def fails_once(row, value):
        if not failures:
            failures.append(1)
            raise gone
        return real_success(row, value)

    with (
        mock.patch.object(DBTaskResult, "set_successful", fails_once),
        mock.patch.object(DBTaskResult, "set_failed", side_effect=gone),
        mock.patch.object(worker, "BACKOFF_FIRST_SECONDS", 0.01),
    ):
        batch_worker("unsure").run()

    (row,) = DBTaskResult.objects.all()
    assert row.status == "SUCCESSFUL"
    assert RUNS == ["c", "c"]


def test_sent_mail_records_are_pruned_after_thirty_days(db):
    now = timezone.now()
    SentMail.objects.create(key="old", sent_at=now - datetime.timedelta(days=31))
    SentMail.objects.create(key="new", sent_at=now - datetime.timedelta(days=29))
    heartbeat("long-gone", seconds_ago=2 * 24 * 3600)
    heartbeat("recent", seconds_ago=60)

    worker.prune(now=now)

    assert list(SentMail.objects.values_list("key", flat=True)) == ["new"]
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["recent"]


WORKER_SCRIPT = """
import sys, django
django.setup()
from django.core.management import call_command
from django.test.utils import override_settings
with override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
    EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
    EMAIL_FILE_PATH=sys.argv[1],
    WORKER_DEAD_SECONDS=2,
):
    call_command("run_worker", "--worker-id", sys.argv[2], "--interval", "0.2",
                 "--no-startup-delay", "--no-reload")
"""


def start_worker(worker_id: str, mail_folder: Path) -> subprocess.Popen:
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
            f"/{database['NAME']}"
        ),
    }
    return subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", WORKER_SCRIPT, str(mail_folder), worker_id],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


@COMMITTED
@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="worker processes share a PostgreSQL database")
def test_a_worker_killed_mid_task_hands_it_over_and_the_mail_goes_once(database_queue, tmp_path):
    mails = tmp_path / "mails"
    mails.mkdir()
    result = slow_first_time.enqueue(str(tmp_path))
    starts = tmp_path / "starts"
    processes = []
    try:
        first = start_worker("first", mails)
        processes.append(first)
        wait_for(lambda: starts.exists() and "start" in starts.read_text())
        wait_for(lambda: SentMail.objects.exists())
        assert WorkerHeartbeat.objects.filter(worker_id="first").exists()
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)

        second = start_worker("second", mails)
        processes.append(second)
        wait_for(lambda: DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL")

        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=20) == 0
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.worker_ids == ["first", "second"]
    assert starts.read_text().split() == ["start", "start", "done"]
    # One mail for one event, though the task ran twice.
    assert len(list(mails.iterdir())) == 1
    assert SentMail.objects.count() == 1
    # The second worker stopped gracefully and took its heartbeat with it; the killed one's
    # stays behind, dead, until it is pruned.
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["first"]
    log = second.stderr.read().decode()
    assert "left running by worker first" in log
