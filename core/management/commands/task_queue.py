"""`manage.py task_queue`: what waits, runs and failed in the task queue, and the workers.

The same figures as the admin's task queue page (Settings → Task queue); `--json` for
scripts and monitoring. Never prints a task's arguments: they can name people.
"""

import json

from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from core.worker import queue_summary


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


class Command(BaseCommand):
    help = "Show the task queue: waiting, deferred, running and failed tasks, and the workers."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print JSON, for scripts.")
        parser.add_argument(
            "--failures", type=int, default=10, help="How many of the last failures to show."
        )

    def handle(self, *, json: bool, failures: int, **options):  # noqa: A002 - the option's name
        summary = queue_summary(failures=max(0, failures))
        if json:
            self.stdout.write(_dumps(summary))
            return
        write = self.stdout.write
        write(f"Waiting:  {summary['waiting']}")
        write(f"Deferred: {summary['deferred']} (run later)")
        write(f"Running:  {summary['running']}")
        write(f"Failed:   {summary['failed']} (last 24 hours)")
        oldest = summary["oldest_waiting_seconds"]
        write(f"Oldest waiting: {'-' if oldest is None else f'{oldest} s'}")
        write("")
        write("Per task (waiting / deferred / running / failed 24 h):")
        for row in summary["per_task"] or [{"task_path": "-"}]:
            if row["task_path"] == "-":
                write("  (none)")
                continue
            write(
                f"  {row['task_path']}: {row['waiting']} / {row['deferred']} /"
                f" {row['running']} / {row['failed']}"
            )
        write("")
        write("Workers:")
        for worker in summary["workers"]:
            state = "alive" if worker["alive"] else "DEAD"
            write(
                f"  {worker['worker_id']} on {worker['host']} (pid {worker['pid']}): {state},"
                f" last heartbeat {_when(worker['seen_at'])}"
            )
        if not summary["workers"]:
            write("  (none: start `manage.py run_worker`)")
        if summary["last_failures"]:
            write("")
            write("Last failures:")
            for failure in summary["last_failures"]:
                write(
                    f"  {_when(failure['finished_at'])} {failure['task_path']}:"
                    f" {failure['exception']}"
                )


def _dumps(summary: dict) -> str:
    return json.dumps(summary, cls=DjangoJSONEncoder, indent=2)
