"""The demo leaves the task queue clean: every task `load_demo` queues succeeds in the worker.

Runs as production does: the database task backend, committed transactions (a task is queued
when its change commits), then one pass of `manage.py db_worker`.
"""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

# serialized_rollback: the demo needs what the migrations made (the root collection and page),
# which an earlier transactional test's flush would have removed.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_no_task_queued_by_the_demo_fails_in_the_worker(database_tasks):
    call_command("load_demo", stdout=io.StringIO())
    queued = DBTaskResult.objects.count()
    assert queued > 0, "the demo's tasks went through the database queue"

    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)

    failed = DBTaskResult.objects.filter(status="FAILED")
    assert [(task.task_path, task.args_kwargs) for task in failed] == []
    assert DBTaskResult.objects.exclude(status="SUCCESSFUL").count() == 0
    assert mail.outbox, "the booking mails were sent by the worker"
