"""The scheduled jobs: one table, read by `manage.py run_schedule` (docs/deployment.md,
"Scheduled jobs").

Times are wall-clock times in Europe/Amsterdam (settings.TIME_ZONE), so a morning mail goes
out in the morning in winter and in summer. No job is set between 02:00 and 03:00: on the
night the clocks go forward that hour does not exist, and on the night they go back it comes
twice.

Every job is safe to run twice (each command says how it keeps a second run from doing the
work again), so a run that was missed while the scheduler was down is made up when it starts
again (within CATCH_UP), and two schedulers on two machines only need to keep one job from
running twice *at once*: `run_schedule` takes a PostgreSQL advisory lock per job for that.
"""

import datetime
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings

# How far back a scheduler that (re)starts looks for runs it missed.
CATCH_UP = datetime.timedelta(minutes=60)


@dataclass(frozen=True)
class Job:
    """A management command run every `every_minutes` minutes (counted from midnight), or
    once a day at `at`."""

    command: str
    args: tuple[str, ...] = field(default=())
    every_minutes: int | None = None
    at: datetime.time | None = None

    def __post_init__(self):
        if (self.every_minutes is None) == (self.at is None):
            raise ValueError(f"{self.command}: give either every_minutes or at.")
        if self.at is not None and self.at.hour == 2:
            raise ValueError(f"{self.command}: 02:00–03:00 is skipped or doubled by DST.")

    @property
    def name(self) -> str:
        return " ".join((self.command, *self.args))

    def matches(self, local: datetime.datetime) -> bool:
        """Whether the job is due at this local minute."""
        if self.every_minutes is not None:
            return (local.hour * 60 + local.minute) % self.every_minutes == 0
        return (local.hour, local.minute) == (self.at.hour, self.at.minute)

    @property
    def lock_id(self) -> int:
        """A stable 63-bit key for pg_try_advisory_lock, the same on every machine."""
        digest = hashlib.sha256(f"leerplein.schedule:{self.name}".encode()).digest()
        return int.from_bytes(digest[:8], "big") >> 1


SCHEDULE: tuple[Job, ...] = (
    # Wagtail's go-live and expiry times, and holds whose day has passed: every 5 minutes.
    Job("publish_scheduled", every_minutes=5),
    Job("release_overdue_holds", every_minutes=5),
    # Mornings, before coordinators and contact persons start their day.
    Job("send_reminders", at=datetime.time(7, 0)),
    Job("send_room_alerts", at=datetime.time(7, 15)),
    Job("send_library_digests", at=datetime.time(7, 30)),
    # Nights, when nobody books.
    Job("remove_participant_details", at=datetime.time(1, 30)),
    Job("prune_db_task_results", at=datetime.time(3, 15)),
    Job("rebuild_site_search", at=datetime.time(3, 45)),
)


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _minutes(after: datetime.datetime, until: datetime.datetime) -> Iterator[datetime.datetime]:
    """Each whole minute (UTC) in (after, until]."""
    minute = after.astimezone(datetime.UTC).replace(second=0, microsecond=0)
    minute += datetime.timedelta(minutes=1)
    end = until.astimezone(datetime.UTC)
    while minute <= end:
        yield minute
        minute += datetime.timedelta(minutes=1)


def due(
    after: datetime.datetime, until: datetime.datetime, schedule: tuple[Job, ...] = SCHEDULE
) -> list[Job]:
    """The jobs with a run in (after, until], each once, in the table's order.

    A job whose time came more than once in the window (the scheduler was busy or down) runs
    once: every job does all the work that is waiting.
    """
    zone = _zone()
    found = set()
    for minute in _minutes(after, until):
        local = minute.astimezone(zone)
        found.update(job for job in schedule if job.matches(local))
    return [job for job in schedule if job in found]


def next_run(job: Job, now: datetime.datetime) -> datetime.datetime:
    """The next local time the job runs after `now` (for `run_schedule --list`)."""
    zone = _zone()
    for minute in _minutes(now, now + datetime.timedelta(days=2)):
        local = minute.astimezone(zone)
        if job.matches(local):
            return local
    raise ValueError(f"{job.name} never runs")
