"""Logs an operator can search: one JSON line per request and per log record, each carrying
the id of the request (or task) it belongs to.

`RequestLogMiddleware` (the outermost middleware) takes the load balancer's `X-Request-ID`
when it is a sane token, or makes one; keeps it in a context variable for the request's
duration; echoes it in the response; and logs one line per request on the
`leerplein.request` logger: method, path, status, duration and node. It never logs the query
string (it can hold tokens, such as a password-reset link's), the client's address or the
user: the log must not become a record of who did what.

`JsonFormatter` writes every record as one JSON line with the request id (or the task id,
inside a task run by a worker) and the exception text in a field. `LOG_FORMAT` chooses it
(`json`, production's default) or plain text (`text`, dev and tests); see `logging_settings`.

The context of a task run (`current_task`) is set from django-tasks' `task_started` signal
and cleared on `task_finished`: the JSON lines name the task, and core/mail.py derives its
idempotency key from it.

This module imports only the standard library at the top: the settings import it.
"""

import contextvars
import datetime
import json
import logging
import os
import re
import socket
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

REQUEST_ID_HEADER = "X-Request-ID"
# A request id from outside is logged and echoed, so it must be short and harmless.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Probes every two seconds from each load balancer would drown the log: a probe that
# succeeds is logged at DEBUG, a failing one like any other request.
PROBE_PATHS = frozenset({"/healthz", "/readyz"})
MAX_PATH_LENGTH = 500
REQUEST_LOGGER = "leerplein.request"

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "leerplein_request_id", default=None
)


@dataclass
class TaskRun:
    """The task a worker is running now. `durable`: the run is a row of the database queue
    whose id stays the same when the task runs again after its worker was killed."""

    id: str
    path: str
    durable: bool
    # How many mails with the same recipients and subject this run has sent so far.
    mails: Counter = field(default_factory=Counter)


current_task: contextvars.ContextVar[TaskRun | None] = contextvars.ContextVar(
    "leerplein_task", default=None
)
_task_tokens: dict[str, contextvars.Token] = {}


def node_name() -> str:
    """The app server or worker this process runs on: LEERPLEIN_NODE, or the host name."""
    return os.environ.get("LEERPLEIN_NODE") or socket.gethostname()


def task_started(sender, task_result, **kwargs) -> None:
    """django-tasks' `task_started`: remember which task runs in this context."""
    from django_tasks_db.backend import DatabaseBackend

    # django-tasks-db's worker sends the backend itself, the immediate backend its class.
    backend = sender if isinstance(sender, type) else type(sender)
    run = TaskRun(
        id=str(task_result.id),
        path=task_result.task.module_path,
        durable=issubclass(backend, DatabaseBackend),
    )
    _task_tokens[run.id] = current_task.set(run)


def task_finished(sender, task_result, **kwargs) -> None:
    token = _task_tokens.pop(str(task_result.id), None)
    if token is not None:
        try:
            current_task.reset(token)
        except ValueError:
            # Set in another context (a thread): leave that context alone.
            current_task.set(None)


def forget_task(task_id: str) -> None:
    """End the context of a task run that broke off before `task_finished` was sent (the
    database went away while it was marked done), so the next task does not inherit it."""
    _task_tokens.pop(task_id, None)
    current_task.set(None)


def new_request_id(incoming: str) -> str:
    """The load balancer's id when it is a sane token, else one of our own."""
    return incoming if SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


def request_started(sender, environ=None, **kwargs) -> None:
    """Django's `request_started`: the id holds from before the first middleware until the
    response is closed, so Django's own "Not Found: …" line, written after the middleware
    returned, carries it too."""
    request_id.set(new_request_id((environ or {}).get("HTTP_X_REQUEST_ID", "")))


def request_finished(sender, **kwargs) -> None:
    request_id.set(None)


def connect_signals() -> None:
    from django.core.signals import request_finished as request_done
    from django.core.signals import request_started as request_begun
    from django_tasks.signals import task_finished as finished
    from django_tasks.signals import task_started as started

    request_begun.connect(request_started, dispatch_uid="core.request_log.request_started")
    request_done.connect(request_finished, dispatch_uid="core.request_log.request_finished")
    started.connect(task_started, dispatch_uid="core.request_log.task_started")
    finished.connect(task_finished, dispatch_uid="core.request_log.task_finished")


class RequestLogMiddleware:
    """Outermost: gives each request an id and logs one line when it is answered."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.logger = logging.getLogger(REQUEST_LOGGER)
        self.node = node_name()

    def __call__(self, request):
        # Set by `request_started`; made here when a request comes without that signal.
        rid = request_id.get()
        if rid is None:
            rid = new_request_id(request.headers.get(REQUEST_ID_HEADER, ""))
            request_id.set(rid)
        started = time.perf_counter()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = rid
        self.log(request, response.status_code, started)
        return response

    def log(self, request, status: int, started: float) -> None:
        path = request.path[:MAX_PATH_LENGTH]
        if status >= 500:
            level = logging.ERROR
        elif path in PROBE_PATHS and status < 400:
            level = logging.DEBUG
        else:
            level = logging.INFO
        if not self.logger.isEnabledFor(level):
            return
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        self.logger.log(
            level,
            "%s %s %s %.1f ms",
            request.method,
            path,
            status,
            duration_ms,
            extra={
                "method": request.method,
                "path": path,
                "status": status,
                "duration_ms": duration_ms,
            },
        )


class ContextFilter(logging.Filter):
    """Adds `request_id` and `task_id` to every record, for the text format."""

    def filter(self, record):
        record.request_id = request_id.get() or "-"
        task = current_task.get()
        record.task_id = task.id if task else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id or task_id,
    node, the request fields of a request line, and `exception` with the traceback.

    Only the fields named here: other `extra` values (Django passes the request object
    itself with some records) could carry query strings, cookies or addresses.
    """

    FIELDS = ("method", "path", "status", "duration_ms", "status_code", "worker_id")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.node = node_name()

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()
        if rid:
            entry["request_id"] = rid
        task = current_task.get()
        if task:
            entry["task_id"] = task.id
            entry["task_path"] = task.path
        entry["node"] = self.node
        for name in self.FIELDS:
            value = getattr(record, name, None)
            if isinstance(value, str | int | float):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


LOG_FORMATS = ("json", "text")


def logging_settings(*, log_format: str, level: str, requests: bool) -> dict:
    """The LOGGING setting: everything to stderr in `log_format`, at `level` and above; the
    request lines too when `requests` (the request logger at INFO).

    Gunicorn's own access log is not needed (run it without --access-logfile): these lines
    say more and never the query string or the client's address.
    """
    if log_format not in LOG_FORMATS:
        # Imported here: the settings import this module before Django is set up.
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"LOG_FORMAT={log_format!r} is not known: use LOG_FORMAT=json (one JSON object per"
            " line, for a log collector) or LOG_FORMAT=text (for reading in a terminal)."
        )
    formatters = {
        "json": {"()": "core.request_log.JsonFormatter"},
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "core.request_log.ContextFilter"}},
        "formatters": {log_format: formatters[log_format]},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            REQUEST_LOGGER: {"level": "INFO" if requests else "WARNING"},
            # Recovered tasks and a lost database are warnings; a worker's start and stop
            # are worth a line too.
            "core.worker": {"level": "INFO"},
            # A mail not sent again because an earlier run of its task sent it.
            "core.mail": {"level": "INFO"},
            # Python's warnings, which Django routes into logging, in the same format: Django's
            # own handler for them prints plain text, which a log collector cannot read.
            "py.warnings": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        },
    }
