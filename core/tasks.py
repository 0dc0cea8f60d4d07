"""Queueing background work so that it happens if and only if the transaction commits.

A booking and the e-mails and webhook events it causes must commit together: with the database
queue the task row is written inside the transaction (an outbox), so a process that dies right
after the commit loses nothing, and a rollback leaves no task behind.
"""

from collections.abc import Callable
from functools import partial

from django.db import router, transaction
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult


def queues_in_transaction() -> bool:
    """Whether the default task backend writes its queue rows in this database, so that a task
    enqueued inside a transaction commits (or rolls back) with it."""
    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend) and (
        router.db_for_write(DBTaskResult) == transaction.get_connection().alias
    )


def enqueue_with_transaction(enqueue: Callable, *args, **kwargs) -> None:
    """Queue background work (`enqueue`: a task's `enqueue`, or a function that enqueues) so
    that it happens if and only if the current transaction commits.

    With the database queue the task row is written now, in the transaction: it commits with
    the booking, and nothing is lost when the process dies right after the commit (an
    `on_commit` callback would then never run). A backend that runs tasks at once (dev and
    tests) waits for the commit, so the task reads committed rows.
    """
    if queues_in_transaction():
        enqueue(*args, **kwargs)
    else:
        transaction.on_commit(partial(enqueue, *args, **kwargs))
