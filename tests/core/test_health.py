"""/healthz says the process lives; /readyz says whether this node can serve. Only a node that
cannot serve (no database, migrations missing) answers 503, which takes it out of the load
balancer; Redis gone or a stuck queue is "degraded" with 200."""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core import health
from core.models import WorkerHeartbeat

ROOT = Path(__file__).resolve().parents[2]
DEAD_REDIS = "redis://127.0.0.1:9/0"


@pytest.fixture(autouse=True)
def _fresh_migration_check():
    health.forget_migrations()
    yield
    health.forget_migrations()


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def ready(client=None, **headers):
    response = (client or Client()).get("/readyz", **headers)
    return response, json.loads(response.content)


def live_worker():
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        worker_id="w1", host="worker-1", pid=1, started_at=now, seen_at=now
    )


def queued(*, due: datetime.datetime | None = None, status="READY") -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path="booking.notifications.seat_confirmed",
        args_kwargs={"args": [1], "kwargs": {}},
        backend_name="default",
        status=status,
        run_after=due,
    )


def test_healthz_answers_without_touching_the_database_or_the_cache(settings):
    # No database access is allowed in this test: a query would fail it.
    settings.CACHES = {
        "default": {"BACKEND": "core.cache_backends.PooledRedisCache", "LOCATION": DEAD_REDIS}
    }
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store"


def test_probes_work_for_any_host_but_other_pages_still_check_the_host(settings, db):
    settings.ALLOWED_HOSTS = ["leerplein.nl"]
    client = Client(raise_request_exception=False)

    assert client.get("/healthz", HTTP_HOST="10.1.2.3:8511").status_code == 200
    response, body = ready(client, HTTP_HOST="10.1.2.3:8511")
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert client.get("/nl/", HTTP_HOST="10.1.2.3:8511").status_code == 400


def test_a_probe_refuses_other_methods(db):
    response = Client().post("/readyz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_readyz_reports_every_check(db):
    response, body = ready()

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert body["status"] == "ok"
    assert body["node"]
    assert set(body["checks"]) == {"database", "migrations", "cache", "task_queue"}
    assert all(check["status"] == "ok" for check in body["checks"].values())


def test_without_the_database_the_node_is_unavailable(db):
    failure = OperationalError("connection refused")
    with mock.patch.object(connections["default"], "cursor", side_effect=failure):
        response, body = ready()

    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"status": "unavailable", "error": "OperationalError"}
    # Nothing else that needs the database is tried.
    assert body["checks"]["migrations"]["status"] == "unknown"
    assert body["checks"]["task_queue"]["status"] == "unknown"
    # No host, user or password from the error message.
    assert "refused" not in response.content.decode()


def test_an_unapplied_migration_makes_the_node_unavailable(db):
    last = MigrationRecorder.Migration.objects.filter(app="core").latest("id")
    last.delete()

    response, body = ready()

    assert response.status_code == 503
    assert body["checks"]["migrations"] == {"status": "unavailable", "unapplied": 1}


def test_migrations_seen_applied_are_trusted_for_a_minute(db):
    ready()
    last = MigrationRecorder.Migration.objects.filter(app="core").latest("id")
    last.delete()

    response, body = ready()
    assert body["checks"]["migrations"]["status"] == "ok"

    with mock.patch.object(health.time, "monotonic", return_value=health.time.monotonic() + 61):
        response, body = ready()
    assert response.status_code == 503


def test_redis_gone_is_degraded_but_the_node_still_serves(settings, db):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache_backends.PooledRedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }
    response, body = ready()

    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["cache"]["status"] == "degraded"
    assert body["checks"]["database"]["status"] == "ok"


def test_a_stuck_queue_is_degraded(database_queue, settings, db):
    live_worker()
    queued(due=timezone.now() - datetime.timedelta(minutes=settings.TASK_QUEUE_STUCK_MINUTES + 1))

    response, body = ready()

    assert response.status_code == 200
    assert body["status"] == "degraded"
    queue = body["checks"]["task_queue"]
    assert queue["status"] == "degraded"
    assert queue["error"] == "stuck"
    assert queue["workers"] == 1
    assert queue["oldest_waiting_seconds"] >= settings.TASK_QUEUE_STUCK_MINUTES * 60


def test_a_queue_that_moves_is_ok(database_queue, db):
    live_worker()
    queued(due=timezone.now() - datetime.timedelta(minutes=2))
    # Deferred to later, and running: neither waits too long.
    queued(due=timezone.now() + datetime.timedelta(hours=2))
    queued(due=timezone.now() - datetime.timedelta(hours=2), status="RUNNING")

    response, body = ready()

    assert body["status"] == "ok"
    assert 100 <= body["checks"]["task_queue"]["oldest_waiting_seconds"] <= 140


def test_a_queue_without_a_worker_is_degraded(database_queue, db):
    WorkerHeartbeat.objects.create(
        worker_id="gone",
        host="worker-1",
        pid=1,
        started_at=timezone.now() - datetime.timedelta(hours=1),
        seen_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    response, body = ready()

    assert response.status_code == 200
    assert body["checks"]["task_queue"] == {
        "status": "degraded",
        "error": "no worker",
        "oldest_waiting_seconds": 0,
        "workers": 0,
    }


PROBE = """
import json, django
django.setup()
from django.test import Client, override_settings
# A checkout without collectstatic has no manifest for the error page's styles.
override_settings(STORAGES={
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}).enable()
client = Client(raise_request_exception=False)
out = {}
for path, host in [("/healthz", "10.1.2.3:8511"), ("/readyz", "10.1.2.3:8511"),
                   ("/nl/", "leerplein.nl"), ("/nl/", "10.1.2.3:8511")]:
    response = client.get(path, HTTP_HOST=host)
    out[path + " " + host] = [response.status_code, response.get("Location", "")]
print("RESULT " + json.dumps(out))
"""


def test_production_probes_are_plain_http_and_other_pages_are_not():
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "a-long-random-production-key-" + "x" * 30,
        "ALLOWED_HOSTS": "leerplein.nl",
        "SITE_URL": "https://leerplein.nl",
        # Nothing listens on port 9: the database is gone, so /readyz must say 503.
        "DATABASE_URL": "postgres://check@127.0.0.1:9/check",
        "REDIS_URL": DEAD_REDIS,
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT "))
    answers = json.loads(line.removeprefix("RESULT "))

    assert answers["/healthz 10.1.2.3:8511"] == [200, ""]
    assert answers["/readyz 10.1.2.3:8511"] == [503, ""]
    assert answers["/nl/ leerplein.nl"] == [301, "https://leerplein.nl/nl/"]
    assert answers["/nl/ 10.1.2.3:8511"][0] == 400
