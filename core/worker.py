"""Task workers that recover, and what the operator sees of the queue.

`manage.py run_worker` runs django-tasks-db's worker loop (`RecoveringWorker`) and adds:

- a heartbeat: a `WorkerHeartbeat` row written every few seconds by a thread with its own
  database connection, so a long task does not make its worker look dead;
- recovery: at start and every ~15 seconds, a task left RUNNING by a worker whose heartbeat is
  older than WORKER_DEAD_SECONDS (killed, or its machine gone) is put back in the queue, where
  another worker runs it again. core/mail.py makes sure that second run does not send a mail
  the first one sent;
- surviving a database restart: django-tasks-db's loop stops at the first OperationalError;
  this one logs it, closes the connection, waits a little longer each time (up to a few
  seconds) and goes on. A task that could not be marked done is queued again;
- a graceful stop on SIGTERM: the task in hand is finished, then the heartbeat removed;
- once an hour, rows of mails sent more than 30 days ago (core/mail.py) and heartbeats of
  workers gone for a day are deleted.

Every worker must be `run_worker`: a plain `db_worker` sends no heartbeat, so its tasks would
look abandoned after WORKER_DEAD_SECONDS.

The reads (`queue_summary`, `oldest_waiting_since`, `live_workers`) serve `manage.py
task_queue`, the admin's task queue page and /readyz.
"""

import datetime
import logging
import os
import threading
import time

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Case, Count, F, Min, Q, When
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks.base import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max

from core.models import WorkerHeartbeat
from core.request_log import forget_task, node_name

logger = logging.getLogger(__name__)

RECOVERY_SECONDS = 15.0
PRUNE_SECONDS = 3600.0
HEARTBEATS_KEPT = datetime.timedelta(days=1)
# Backoff after the database failed: 0.5, 1, 2, 4, 5, 5… seconds.
BACKOFF_FIRST_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 5.0
FAILED_WINDOW = datetime.timedelta(hours=24)


def uses_database_queue(alias: str = DEFAULT_TASK_BACKEND_ALIAS) -> bool:
    """Tasks wait in the database for a worker (production), rather than running at once."""
    return isinstance(task_backends[alias], DatabaseBackend)


def dead_seconds() -> float:
    return float(settings.WORKER_DEAD_SECONDS)


def heartbeat_seconds() -> float:
    # Several beats fit in the time after which a worker counts as dead, so one slow write
    # does not get a live worker's task run twice.
    return max(0.2, min(5.0, dead_seconds() / 6))


def live_workers(*, now: datetime.datetime | None = None):
    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(
        seen_at__gte=now - datetime.timedelta(seconds=dead_seconds())
    )


def beat(worker_id: str, *, started_at: datetime.datetime) -> None:
    """Write this worker's heartbeat."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": node_name(),
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": timezone.now(),
        },
    )


def requeue_abandoned_tasks(*, now: datetime.datetime | None = None) -> list[str]:
    """Put tasks back in the queue that are RUNNING for a worker without a recent heartbeat;
    return their ids. Never touches a task whose worker is alive.

    The rows are locked with SKIP LOCKED, so two workers recovering at once never both take
    one task, and neither waits for the other.
    """
    now = now or timezone.now()
    limit = now - datetime.timedelta(seconds=dead_seconds())
    alive = set(live_workers(now=now).values_list("worker_id", flat=True))
    requeued = []
    with transaction.atomic():
        running = (
            DBTaskResult.objects.running()
            .filter(started_at__lt=limit)
            .order_by("started_at")
            .select_for_update(skip_locked=True)
        )
        for task in running:
            worker_id = task.worker_ids[-1] if task.worker_ids else ""
            if worker_id in alive:
                continue
            task.status = TaskResultStatus.READY
            task.save(update_fields=["status"])
            requeued.append(str(task.id))
            # The task's arguments stay out of the log: they can name people.
            logger.warning(
                "Task %s (%s) was left running by worker %s, which stopped sending its"
                " heartbeat; it is queued again",
                task.id,
                task.task_path,
                worker_id or "?",
                extra={"worker_id": worker_id},
            )
    return requeued


def requeue_own_tasks(worker_id: str) -> list[str]:
    """Put back the tasks RUNNING for `worker_id` itself: called after the database failed
    while this worker ran one, so it could not be marked done. It runs again; mails it sent
    are not sent twice (core/mail.py)."""
    requeued = []
    with transaction.atomic():
        for task in DBTaskResult.objects.running().select_for_update(skip_locked=True):
            if task.worker_ids and task.worker_ids[-1] == worker_id:
                task.status = TaskResultStatus.READY
                task.save(update_fields=["status"])
                requeued.append(str(task.id))
                logger.warning(
                    "Task %s (%s) could not be marked done; it is queued again",
                    task.id,
                    task.task_path,
                    extra={"worker_id": worker_id},
                )
    return requeued


def prune(*, now: datetime.datetime | None = None) -> None:
    """Delete heartbeats of workers gone for a day, and old rows of sent mails."""
    from core.mail import prune_sent_mail

    now = now or timezone.now()
    WorkerHeartbeat.objects.filter(seen_at__lt=now - HEARTBEATS_KEPT).delete()
    prune_sent_mail(now=now)


def _due():
    """When a waiting task was due: its run_after, or when it was queued if it had none."""
    return Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))


def oldest_waiting_since(*, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When the task that waits longest for a worker was due (None: nothing waits)."""
    now = now or timezone.now()
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY).filter(
        Q(run_after=get_date_max()) | Q(run_after__lte=now)
    )
    return ready.aggregate(oldest=Min(_due()))["oldest"]


def queue_summary(*, now: datetime.datetime | None = None, failures: int = 10) -> dict:
    """What the task queue holds now: counts, the oldest wait, counts per task, the workers
    and the last failures (path, time, exception class: never arguments or tracebacks)."""
    now = now or timezone.now()
    since = now - FAILED_WINDOW
    date_max = get_date_max()
    waiting_now = Q(status=TaskResultStatus.READY) & (Q(run_after=date_max) | Q(run_after__lte=now))
    deferred = Q(status=TaskResultStatus.READY, run_after__gt=now) & ~Q(run_after=date_max)
    running = Q(status=TaskResultStatus.RUNNING)
    failed = Q(status=TaskResultStatus.FAILED, finished_at__gte=since)
    counts = {
        "waiting": Count("pk", filter=waiting_now),
        "deferred": Count("pk", filter=deferred),
        "running": Count("pk", filter=running),
        "failed": Count("pk", filter=failed),
    }
    relevant = DBTaskResult.objects.filter(
        Q(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]) | failed
    ).order_by()
    totals = relevant.aggregate(**counts)
    per_task = [
        dict(row) for row in relevant.values("task_path").annotate(**counts).order_by("task_path")
    ]
    oldest = oldest_waiting_since(now=now)
    dead_after = datetime.timedelta(seconds=dead_seconds())
    workers = [
        {
            "worker_id": beat.worker_id,
            "host": beat.host,
            "pid": beat.pid,
            "started_at": beat.started_at,
            "seen_at": beat.seen_at,
            "alive": now - beat.seen_at <= dead_after,
        }
        for beat in WorkerHeartbeat.objects.order_by("worker_id")
    ]
    last_failures = [
        {
            "task_path": row["task_path"],
            "finished_at": row["finished_at"],
            "exception": row["exception_class_path"],
        }
        for row in DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
        .order_by("-finished_at")
        .values("task_path", "finished_at", "exception_class_path")[:failures]
    ]
    return {
        **totals,
        "oldest_waiting_since": oldest,
        "oldest_waiting_seconds": round((now - oldest).total_seconds()) if oldest else None,
        "per_task": per_task,
        "workers": workers,
        "last_failures": last_failures,
    }


class Maintenance(threading.Thread):
    """Heartbeat, recovery and pruning, beside the worker's loop: a task that runs for
    minutes does not stop the heartbeat. Django gives this thread its own connection."""

    def __init__(self, worker_id: str):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopping = threading.Event()
        self._last_error_logged = -BACKOFF_MAX_SECONDS * 12

    def run(self) -> None:
        next_recovery = next_prune = 0.0
        try:
            while not self.stopping.is_set():
                now = time.monotonic()
                try:
                    beat(self.worker_id, started_at=self.started_at)
                    if now >= next_recovery:
                        requeue_abandoned_tasks()
                        next_recovery = now + min(RECOVERY_SECONDS, dead_seconds() / 2)
                    if now >= next_prune:
                        prune()
                        next_prune = now + PRUNE_SECONDS
                except DatabaseError as error:
                    self._database_failed(error)
                except Exception:
                    # A heartbeat that stopped would get this worker's task run twice.
                    logger.exception("Worker %s: heartbeat or recovery failed", self.worker_id)
                self.stopping.wait(heartbeat_seconds())
        finally:
            connection.close()

    def _database_failed(self, error: Exception) -> None:
        connection.close()
        now = time.monotonic()
        # One line a minute while the database is away is enough.
        if now - self._last_error_logged >= 60:
            self._last_error_logged = now
            logger.warning("Worker %s cannot write its heartbeat: %s", self.worker_id, error)

    def stop(self) -> None:
        self.stopping.set()
        # Not started when the worker was stopped while waiting for the database.
        if self.is_alive():
            self.join(timeout=heartbeat_seconds() + 10)


class RecoveringWorker(Worker):
    """django-tasks-db's worker that survives a database restart and beats a heartbeat."""

    def run(self) -> None:
        maintenance = Maintenance(self.worker_id)
        try:
            self._first_beat()
            maintenance.start()
            self._loop()
        finally:
            maintenance.stop()
            self._forget()
            logger.info("Worker %s stopped", self.worker_id, extra={"worker_id": self.worker_id})

    def _first_beat(self) -> None:
        """The heartbeat before the first task is claimed (recovery follows in the
        maintenance thread); a database that is not there yet is waited for."""
        delay = BACKOFF_FIRST_SECONDS
        while self.running:
            try:
                beat(self.worker_id, started_at=timezone.now())
                return
            except (OperationalError, InterfaceError) as error:
                delay = self._wait_after(error, delay)

    def _loop(self) -> None:
        delay = BACKOFF_FIRST_SECONDS
        # After a database error this worker may hold a task it could not mark done.
        unsure = False
        while self.running:
            started = time.monotonic()
            try:
                if unsure:
                    requeue_own_tasks(self.worker_id)
                    unsure = False
                super().run()
                return
            except (OperationalError, InterfaceError) as error:
                unsure = True
                if time.monotonic() - started > BACKOFF_MAX_SECONDS * 2:
                    delay = BACKOFF_FIRST_SECONDS
                delay = self._wait_after(error, delay)
            # The random pause at start is for a herd of workers starting together.
            self.startup_delay = False

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            super().run_task(db_task_result)
        finally:
            forget_task(str(db_task_result.id))

    def _wait_after(self, error: Exception, delay: float) -> float:
        logger.warning(
            "Worker %s lost the database (%s); trying again in %.1f s",
            self.worker_id,
            error,
            delay,
            extra={"worker_id": self.worker_id},
        )
        connection.close()
        time.sleep(delay)
        return min(delay * 2, BACKOFF_MAX_SECONDS)

    def _forget(self) -> None:
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except DatabaseError:
            connection.close()
