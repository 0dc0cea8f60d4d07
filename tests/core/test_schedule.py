"""The schedule table (core/schedule.py) and `manage.py run_schedule`, without waiting for
the clock: what is due when, in Amsterdam time, and how a run copes with failures, locks and
a stop signal."""

import datetime
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from core import schedule
from core.management.commands import run_schedule

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ROOT = Path(__file__).resolve().parents[2]


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=AMSTERDAM)


def names(jobs) -> list[str]:
    return [job.command for job in jobs]


def test_every_five_minutes_jobs_run_on_the_five_minute_marks():
    assert names(schedule.due(local(2026, 3, 10, 10, 0, 30), local(2026, 3, 10, 10, 4, 59))) == []
    assert names(schedule.due(local(2026, 3, 10, 10, 4, 59), local(2026, 3, 10, 10, 5, 1))) == [
        "publish_scheduled",
        "release_overdue_holds",
    ]


def test_morning_mails_go_out_at_their_amsterdam_time_in_winter_and_in_summer():
    # 07:00 in Amsterdam is 06:00 UTC in winter and 05:00 UTC in summer.
    for month, utc_hour in ((1, 6), (7, 5)):
        seven = datetime.datetime(2026, month, 15, utc_hour, 0, tzinfo=datetime.UTC)
        minute = datetime.timedelta(minutes=1)
        assert "send_reminders" in names(schedule.due(seven - minute, seven))
        seven_utc = datetime.datetime(2026, month, 15, 7, 0, tzinfo=datetime.UTC)
        assert "send_reminders" not in names(schedule.due(seven_utc - minute, seven_utc))


def test_each_daily_job_runs_once_a_day_also_on_the_days_the_clocks_change():
    daily = [job for job in schedule.SCHEDULE if job.at is not None]
    # 29 March and 25 October 2026 have 23 and 25 hours in Amsterdam.
    for day in (29, 25, 1):
        month = {29: 3, 25: 10, 1: 6}[day]
        runs = {job.command: 0 for job in daily}
        moment = local(2026, month, day).astimezone(datetime.UTC)
        end = (local(2026, month, day) + datetime.timedelta(days=1)).astimezone(datetime.UTC)
        while moment < end:  # one-minute ticks, as the scheduler makes them
            later = moment + datetime.timedelta(minutes=1)
            for job in schedule.due(moment, later):
                if job.at is not None:
                    runs[job.command] += 1
            moment = later
        assert all(count == 1 for count in runs.values()), (month, day, runs)


def test_a_missed_window_runs_each_job_once_and_in_table_order():
    jobs = schedule.due(local(2026, 3, 10, 6, 50), local(2026, 3, 10, 7, 40))
    assert names(jobs) == [
        "publish_scheduled",
        "release_overdue_holds",
        "send_reminders",
        "send_room_alerts",
        "send_library_digests",
    ]


def test_a_job_in_the_hour_the_clocks_skip_is_refused():
    with pytest.raises(ValueError, match="DST"):
        schedule.Job("send_reminders", at=datetime.time(2, 30))
    with pytest.raises(ValueError, match="either"):
        schedule.Job("send_reminders")


def test_every_scheduled_command_exists():
    from django.core.management import get_commands

    commands = get_commands()
    missing = [job.command for job in schedule.SCHEDULE if job.command not in commands]
    assert missing == []


def test_lock_ids_are_stable_and_distinct():
    ids = [job.lock_id for job in schedule.SCHEDULE]
    assert len(set(ids)) == len(ids)
    assert all(0 <= lock_id < 2**63 for lock_id in ids)
    assert schedule.Job("publish_scheduled", every_minutes=5).lock_id == ids[0]


class NoLock:
    def __init__(self, job):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_a_failing_job_is_logged_and_the_next_one_still_runs(caplog):
    calls = []

    def fake_call(command, *args, **kwargs):
        calls.append(command)
        if command == "publish_scheduled":
            raise RuntimeError("boom")

    jobs = schedule.due(local(2026, 3, 10, 9, 59), local(2026, 3, 10, 10, 0))
    with mock.patch.object(run_schedule, "call_command", fake_call):
        outcomes = [run_schedule.run_job(job, lock=NoLock) for job in jobs]
    assert outcomes == ["failed", "done"]
    assert calls == ["publish_scheduled", "release_overdue_holds"]
    assert "Scheduled job publish_scheduled failed" in caplog.text
    assert "boom" in caplog.text


@pytest.mark.postgres
# serialized_rollback: later tests still find what the migrations made (roles, locales).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_job_another_scheduler_holds_is_skipped_not_run_twice():
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks need PostgreSQL")
    job = schedule.Job("release_overdue_holds", every_minutes=5)
    other = run_schedule.JobLock(job)
    calls = []
    with other, mock.patch.object(run_schedule, "call_command", lambda *a, **k: calls.append(a)):
        assert run_schedule.run_job(job) == "skipped"
    assert calls == []
    # Released: the next run takes the lock.
    with mock.patch.object(run_schedule, "call_command", lambda *a, **k: calls.append(a)):
        assert run_schedule.run_job(job) == "done"
    assert calls == [("release_overdue_holds",)]


@pytest.mark.django_db
def test_list_shows_every_job_with_its_next_run():
    out = io.StringIO()
    call_command("run_schedule", "--list", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(schedule.SCHEDULE)
    assert any(line.startswith("send_reminders") and "07:00" in line for line in lines)


@pytest.mark.django_db
def test_an_unknown_job_name_is_refused_with_the_known_names():
    err = io.StringIO()
    with pytest.raises(SystemExit) as stopped:
        call_command("run_schedule", "--job", "send_everything", stderr=err)
    assert stopped.value.code == 2
    assert "send_everything" in err.getvalue()
    assert "send_reminders" in err.getvalue()


def test_sigterm_stops_the_scheduler_between_jobs(tmp_path):
    """A real process: it starts, then ends by itself soon after SIGTERM, exit code 0."""
    # A database that is not there: a job that comes due fails, is logged, and the loop goes
    # on; no job touches a real database from a test.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
    }
    process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "manage.py", "run_schedule", "--catch-up-minutes", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        time.sleep(6)  # Django set up, first (catch-up) round done or under way
        assert process.poll() is None, process.stdout.read()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
