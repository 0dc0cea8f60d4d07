"""`manage.py run_schedule`: runs the scheduled jobs of core/schedule.py, for as long as it
runs (one systemd service per site, or more on several machines: they take turns per job).

- Each job runs under a PostgreSQL advisory lock of its own: when another scheduler holds it,
  this one leaves that run to it.
- A job that fails is logged with its error; the others still run.
- SIGTERM (systemd stop) or Ctrl-C stop it between two jobs, never in the middle of one.
- At start it makes up the runs it missed in the last hour (every job is safe to repeat).
"""

import datetime
import io
import logging
import signal
import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connections
from django.utils import timezone

from core import schedule

logger = logging.getLogger("core.schedule")

TICK_SECONDS = 20


class Locked(Exception):
    """Another scheduler is running this job now."""


class JobLock:
    """pg_try_advisory_lock on a connection of its own, so a job that closes or loses the
    default connection cannot drop the lock while it runs."""

    def __init__(self, job: schedule.Job):
        self.job = job
        self.connection = None

    def __enter__(self):
        self.connection = connections.create_connection("default")
        try:
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [self.job.lock_id])
                (taken,) = cursor.fetchone()
        except Exception:
            self.connection.close()
            raise
        if not taken:
            self.connection.close()
            raise Locked(self.job.name)
        return self

    def __exit__(self, *exc):
        # Closing the session releases the lock, also when the unlock itself fails.
        try:
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [self.job.lock_id])
        finally:
            self.connection.close()


def run_job(job: schedule.Job, *, lock=JobLock) -> str:
    """Run one job under its lock; "done", "failed" or "skipped" (another scheduler has it).
    Never raises: one failing job must not keep the others from running."""
    close_old_connections()
    started = time.monotonic()
    try:
        with lock(job):
            logger.info("Scheduled job %s started", job.name)
            output = io.StringIO()
            call_command(job.command, *job.args, stdout=output, stderr=output)
    except Locked:
        logger.info("Scheduled job %s is running elsewhere; skipped", job.name)
        return "skipped"
    except Exception:
        logger.exception("Scheduled job %s failed", job.name)
        return "failed"
    finally:
        close_old_connections()
    logger.info(
        "Scheduled job %s done in %.1f s: %s",
        job.name,
        time.monotonic() - started,
        output.getvalue().strip()[-500:],
    )
    return "done"


class Command(BaseCommand):
    help = (
        "Run the scheduled jobs (core/schedule.py) at their times, in Europe/Amsterdam time, "
        "until stopped. --list shows the table, --once runs what is due now and stops."
    )

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="show the jobs and next runs")
        parser.add_argument(
            "--once", action="store_true", help="run the jobs due in the last minute, then stop"
        )
        parser.add_argument(
            "--job", help="run this one job now (its command name), under its lock, then stop"
        )
        parser.add_argument(
            "--catch-up-minutes",
            type=int,
            default=int(schedule.CATCH_UP.total_seconds() // 60),
            help="at start, run the jobs that were due this many minutes back (default 60)",
        )

    def handle(self, *args, **options):
        now = timezone.now()
        if options["list"]:
            for job in schedule.SCHEDULE:
                when = f"every {job.every_minutes} min" if job.every_minutes else f"{job.at:%H:%M}"
                next_run = schedule.next_run(job, now)
                self.stdout.write(f"{job.name:<28} {when:<14} next {next_run:%Y-%m-%d %H:%M}")
            return
        if options["job"]:
            jobs = [job for job in schedule.SCHEDULE if job.command == options["job"]]
            if not jobs:
                names = ", ".join(job.command for job in schedule.SCHEDULE)
                self.stderr.write(f"No scheduled job {options['job']!r}. Jobs: {names}.")
                raise SystemExit(2)
            outcome = run_job(jobs[0])
            self.stdout.write(f"{jobs[0].name}: {outcome}")
            raise SystemExit(0 if outcome != "failed" else 1)
        if options["once"]:
            for job in schedule.due(now - datetime.timedelta(minutes=1), now):
                run_job(job)
            return
        self.run_forever(now - datetime.timedelta(minutes=options["catch_up_minutes"]))

    def run_forever(self, since: datetime.datetime):
        stopping = threading.Event()

        def stop(signum, frame):
            logger.info("Scheduler stopping after the job in hand (signal %s)", signum)
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        logger.info("Scheduler started (%s jobs)", len(schedule.SCHEDULE))
        while not stopping.is_set():
            now = timezone.now()
            for job in schedule.due(since, now):
                if stopping.is_set():
                    break
                run_job(job)
            since = now
            stopping.wait(TICK_SECONDS)
        logger.info("Scheduler stopped")
