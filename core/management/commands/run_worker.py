"""`manage.py run_worker`: django-tasks-db's `db_worker` that recovers (core/worker.py).

Same options as `db_worker`. Run it instead of `db_worker` on every worker machine: its
heartbeat lets the other workers take over the task of one that was killed.
"""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from core.worker import RecoveringWorker


class Command(db_worker.Command):
    help = (
        "Run a task worker that sends a heartbeat, puts back the tasks of dead workers and"
        " waits out a database restart."
    )

    def handle(self, *, verbosity, queue_name, reload, batch, **options):
        self.configure_logging(verbosity)
        worker = RecoveringWorker(
            queue_names=queue_name.split(","),
            interval=options["interval"],
            batch=batch,
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                # Only the child process, which runs the tasks, handles the signals.
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
