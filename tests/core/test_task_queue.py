"""The task queue for the operator: `manage.py task_queue` and the admin page (superusers
only). Both show what waits, runs and failed, and the workers, never a task's arguments."""

import datetime
import json
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail.users.models import UserProfile

from core.models import WorkerHeartbeat
from home.editorial import EDITORS, ensure_editorial_setup
from tests.booking.factories import LibraryFactory, UserFactory

SECRET_ARGUMENT = "Zyxwv-first-name"
URL = "/admin/task-queue/"


def row(path, *, status="READY", due=None, finished=None, error="", minutes_ago=0):
    created = DBTaskResult.objects.create(
        task_path=path,
        args_kwargs={"args": [SECRET_ARGUMENT], "kwargs": {}},
        backend_name="default",
        status=status,
        run_after=due,
        finished_at=finished,
        exception_class_path=error,
        traceback=f"Traceback: {SECRET_ARGUMENT}" if error else "",
    )
    if minutes_ago:
        DBTaskResult.objects.filter(pk=created.pk).update(
            enqueued_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
        )
    return created


@pytest.fixture
def queue(db):
    now = timezone.now()
    row("booking.notifications.seat_confirmed", minutes_ago=12)
    row("booking.notifications.seat_confirmed", minutes_ago=1)
    row("booking.notifications.seat_confirmed", due=now + datetime.timedelta(minutes=25))
    row("home.notifications.contact_form_submitted", status="RUNNING")
    row(
        "booking.accounts.mails.invitation_mail",
        status="FAILED",
        finished=now - datetime.timedelta(hours=1),
        error="smtplib.SMTPRecipientsRefused",
    )
    # Failed two days ago: among the last failures, not in the last 24 hours.
    row(
        "booking.accounts.mails.invitation_mail",
        status="FAILED",
        finished=now - datetime.timedelta(days=2),
        error="ConnectionRefusedError",
    )
    WorkerHeartbeat.objects.create(
        worker_id="w-alive", host="worker-1", pid=11, started_at=now, seen_at=now
    )
    WorkerHeartbeat.objects.create(
        worker_id="w-dead",
        host="worker-2",
        pid=12,
        started_at=now - datetime.timedelta(hours=2),
        seen_at=now - datetime.timedelta(minutes=10),
    )


def test_the_command_prints_the_queue(queue):
    out = StringIO()
    call_command("task_queue", stdout=out)
    text = out.getvalue()

    assert "Waiting:  2" in text
    assert "Deferred: 1 (run later)" in text
    assert "Running:  1" in text
    assert "Failed:   1 (last 24 hours)" in text
    assert "Oldest waiting: 7" in text  # 720 seconds, give or take
    assert "booking.notifications.seat_confirmed: 2 / 1 / 0 / 0" in text
    assert "home.notifications.contact_form_submitted: 0 / 0 / 1 / 0" in text
    assert "w-alive on worker-1 (pid 11): alive" in text
    assert "w-dead on worker-2 (pid 12): DEAD" in text
    assert "booking.accounts.mails.invitation_mail: smtplib.SMTPRecipientsRefused" in text
    assert SECRET_ARGUMENT not in text


def test_the_command_answers_json_for_scripts(queue):
    out = StringIO()
    call_command("task_queue", "--json", stdout=out)
    summary = json.loads(out.getvalue())

    assert (summary["waiting"], summary["deferred"], summary["running"]) == (2, 1, 1)
    assert summary["failed"] == 1
    assert 715 <= summary["oldest_waiting_seconds"] <= 730
    assert [w["alive"] for w in summary["workers"]] == [True, False]
    assert [f["exception"] for f in summary["last_failures"]] == [
        "smtplib.SMTPRecipientsRefused",
        "ConnectionRefusedError",
    ]
    assert SECRET_ARGUMENT not in out.getvalue()


def test_an_empty_queue_says_so(db):
    out = StringIO()
    call_command("task_queue", stdout=out)

    assert "Waiting:  0" in out.getvalue()
    assert "Oldest waiting: -" in out.getvalue()
    assert "(none: start `manage.py run_worker`)" in out.getvalue()


def test_a_superuser_sees_the_queue_in_dutch(queue):
    client = Client()
    client.force_login(UserFactory(username="beheer", superuser=True))

    response = client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Takenwachtrij" in page
    assert "Mislukt in de laatste 24 uur" in page
    assert "booking.notifications.seat_confirmed" in page
    assert "smtplib.SMTPRecipientsRefused" in page
    assert "Reageert niet" in page  # the dead worker
    assert SECRET_ARGUMENT not in page
    # Listed in the Settings menu.
    assert reverse("core_task_queue") in client.get("/admin/").content.decode()


def test_the_page_is_in_english_for_an_english_admin(queue):
    user = UserFactory(username="admin-en", superuser=True)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client = Client()
    client.force_login(user)

    page = client.get(URL).content.decode()

    assert "Task queue" in page
    assert "Failed in the last 24 hours" in page


def test_a_coordinator_cannot_open_the_queue(queue):
    coordinator = UserFactory(username="coordinator", organisation=LibraryFactory())
    client = Client()
    client.force_login(coordinator)

    response = client.get(URL)

    # Coordinators are kept out of every admin screen that is not theirs
    # (home/admin_access.py) before the page's own check.
    assert response.status_code == 403
    assert reverse("core_task_queue") not in client.get("/admin/").content.decode()


def test_an_editor_cannot_open_the_queue(site_tree, queue):
    ensure_editorial_setup([site_tree.index])
    editor = UserFactory(username="redacteur")
    editor.groups.add(Group.objects.get(name=EDITORS))
    client = Client()
    client.force_login(editor)

    response = client.get(URL)

    # home/admin_access.py refuses superuser-only admin URLs to everyone else.
    assert response.status_code == 403


def test_a_visitor_is_sent_to_the_login(db):
    response = Client().get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
