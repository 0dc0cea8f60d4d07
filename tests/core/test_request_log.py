"""One JSON line per request, with the load balancer's request id (or one of our own), and
never the query string, the client's address or the user."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django_tasks import task

from core.request_log import REQUEST_LOGGER, JsonFormatter, logging_settings
from tests.booking.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def json_lines():
    """What the request logger and Django's request logger write, as JSON objects."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(REQUEST_LOGGER), logging.getLogger("django.request")]
    levels = [one.level for one in loggers]
    for one in loggers:
        one.addHandler(handler)
        one.setLevel(logging.INFO)

    def lines():
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    for one, level in zip(loggers, levels, strict=True):
        one.removeHandler(handler)
        one.setLevel(level)


def test_one_line_per_request_with_the_load_balancers_request_id(site_tree, json_lines):
    user = UserFactory(username="zyxwv-coordinator")
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.force_login(user)

    response = client.get("/nl/?token=s3cr3t-t0ken", HTTP_X_REQUEST_ID="lb-42.a_b")

    assert response.status_code == 200
    assert response["X-Request-ID"] == "lb-42.a_b"
    (line,) = json_lines()
    assert line["request_id"] == "lb-42.a_b"
    assert line["logger"] == REQUEST_LOGGER
    assert line["level"] == "INFO"
    assert line["method"] == "GET"
    assert line["path"] == "/nl/"
    assert line["status"] == 200
    assert line["duration_ms"] > 0
    assert line["node"]
    assert line["time"].endswith("+00:00")
    written = json.dumps(line)
    assert "s3cr3t" not in written
    assert "198.51.100.7" not in written
    assert "zyxwv" not in written


@pytest.mark.parametrize(
    "incoming", ["", "has spaces", "x" * 65, "<script>", "a\u00e9b", "id;drop"]
)
def test_a_missing_or_odd_request_id_is_replaced_by_our_own(db, json_lines, incoming):
    headers = {"HTTP_X_REQUEST_ID": incoming} if incoming else {}

    response = Client().get("/nl/nothing-here/", **headers)

    made = response["X-Request-ID"]
    assert made != incoming
    assert len(made) == 32
    assert int(made, 16) >= 0
    assert [line["request_id"] for line in json_lines()] == [made, made]


def test_other_log_lines_of_the_request_carry_its_id_without_the_query(db, json_lines):
    Client().get("/nl/nothing-here/?email=sam@example.test", HTTP_X_REQUEST_ID="req-1")

    request_line, not_found = json_lines()
    assert not_found["logger"] == "django.request"
    assert not_found["level"] == "WARNING"
    assert not_found["request_id"] == "req-1"
    assert not_found["status_code"] == 404
    assert request_line["status"] == 404
    assert "sam@example.test" not in json.dumps([not_found, request_line])


def test_probes_that_succeed_are_not_logged(db, json_lines):
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/readyz").status_code == 200
    assert json_lines() == []


def test_an_exception_goes_in_a_field_of_one_line():
    logger = logging.getLogger("tests.request_log")
    try:
        raise ValueError("broken")
    except ValueError:
        record = logger.makeRecord(
            logger.name, logging.ERROR, __file__, 1, "It failed", (), sys.exc_info()
        )

    text = JsonFormatter().format(record)

    assert "\n" not in text
    line = json.loads(text)
    assert line["message"] == "It failed"
    assert "Traceback" in line["exception"]
    assert "ValueError: broken" in line["exception"]
    assert "request_id" not in line


LOGGED = []


@task()
def log_from_a_task():
    record = logging.getLogger("tests.request_log").makeRecord(
        "tests.request_log", logging.WARNING, __file__, 1, "inside", (), None
    )
    LOGGED.append(json.loads(JsonFormatter().format(record)))


def test_lines_written_in_a_task_carry_the_task_id():
    LOGGED.clear()
    result = log_from_a_task.enqueue()

    (line,) = LOGGED
    assert line["task_id"] == str(result.id)
    assert line["task_path"] == log_from_a_task.module_path
    # Outside the task again.
    after = JsonFormatter().format(logging.makeLogRecord({"msg": "after"}))
    assert "task_id" not in json.loads(after)


def test_an_unknown_log_format_is_refused_with_the_choices():
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT=json .* LOG_FORMAT=text"):
        logging_settings(log_format="xml", level="INFO", requests=True)


REQUEST = """
import django
django.setup()
from django.test import Client
Client(raise_request_exception=False).get(
    "/readyz?token=s3cr3t", HTTP_HOST="10.1.2.3", HTTP_X_REQUEST_ID="from-haproxy"
)
"""


def test_production_writes_json_request_lines_to_stderr():
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "a-long-random-production-key-" + "x" * 30,
        "ALLOWED_HOSTS": "leerplein.nl",
        "SITE_URL": "https://leerplein.nl",
        "DATABASE_URL": "postgres://check@127.0.0.1:9/check",
        "REDIS_URL": "redis://127.0.0.1:9/0",
        "LEERPLEIN_NODE": "app-1",
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", REQUEST],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    (request_line,) = [line for line in lines if line["logger"] == REQUEST_LOGGER]
    assert request_line["request_id"] == "from-haproxy"
    assert request_line["node"] == "app-1"
    assert request_line["path"] == "/readyz"
    assert request_line["status"] == 503
    # Every line is JSON, Python's warnings too (a checkout without collectstatic has one from
    # whitenoise, given before the request); every line of the request carries its id.
    in_request = [line for line in lines if line["logger"] != "py.warnings"]
    assert all(line["request_id"] == "from-haproxy" for line in in_request)
    assert "s3cr3t" not in result.stderr
