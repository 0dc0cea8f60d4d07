"""Health checks for load balancers and process managers: `/healthz` and `/readyz`.

`/healthz` says the process lives and answers requests: 200 with a tiny body, without
touching the database or the cache, so a restarting database never gets app servers
restarted that would serve again by themselves.

`/readyz` says whether this node can serve now, as JSON with one entry per check:

- `database`: a `SELECT 1`;
- `migrations`: no migration is left to apply (once seen complete, a process trusts that for
  a minute: a migration plan per probe every two seconds would be wasted work);
- `cache`: Redis answers a ping (core/cache_backends.py serves uncached while it does not);
- `task_queue`: no task has waited more than TASK_QUEUE_STUCK_MINUTES past its time, and at
  least one worker (`manage.py run_worker`) sent a heartbeat within WORKER_DEAD_SECONDS.

Only what makes *this node* unable to serve answers 503 ("unavailable"): the database cannot
be reached, or migrations are missing. A load balancer takes a node out on 503; Redis gone or
a stuck queue is the same for every node, and taking every node out of a site that can still
serve pages and bookings would turn a slow site into no site. Those answer 200 with
`"status": "degraded"`, which monitoring can alert on.

Both answer in `HealthCheckMiddleware`, right after SecurityMiddleware: before sessions,
users, the page cache or anything else that reads the database; for any Host header (a load
balancer probes a node by its address, which ALLOWED_HOSTS need not list: every other URL
still checks the host); with `Cache-Control: no-store`; and over plain HTTP in production
(SECURE_REDIRECT_EXEMPT). They carry no personal data.
"""

import datetime
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils import timezone

from core import worker
from core.request_log import node_name

logger = logging.getLogger(__name__)

HEALTHZ = "/healthz"
READYZ = "/readyz"
OK, DEGRADED, UNAVAILABLE, UNKNOWN = "ok", "degraded", "unavailable", "unknown"
# How long a process trusts that every migration was applied.
MIGRATIONS_TRUSTED_SECONDS = 60.0

_migrations_seen_at: float | None = None


def forget_migrations() -> None:
    """Check the migrations again at the next probe (tests, and after a deploy's migrate)."""
    global _migrations_seen_at
    _migrations_seen_at = None


def check_database() -> dict:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        # The class says enough (connection refused, shutting down); the message may name
        # the database's host and user.
        return {"status": UNAVAILABLE, "error": type(error).__name__}
    return {"status": OK}


def check_migrations() -> dict:
    global _migrations_seen_at
    now = time.monotonic()
    if _migrations_seen_at is not None and now - _migrations_seen_at < MIGRATIONS_TRUSTED_SECONDS:
        return {"status": OK}
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        return {"status": UNAVAILABLE, "error": type(error).__name__}
    if plan:
        return {"status": UNAVAILABLE, "unapplied": len(plan)}
    _migrations_seen_at = now
    return {"status": OK}


def check_cache() -> dict:
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return {"status": OK, "backend": "local"}
    # core/cache_backends.py stops asking Redis for a few seconds after it failed.
    if not getattr(cache, "available", True):
        return {"status": DEGRADED, "error": "unreachable"}
    try:
        # RedisCache keeps its client in `_cache`: a ping is the one call whose failure is
        # not turned into a cache miss.
        cache._cache.get_client(write=True).ping()
    except Exception as error:  # noqa: BLE001 - any failure of Redis is "degraded"
        return {"status": DEGRADED, "error": type(error).__name__}
    return {"status": OK, "backend": "redis"}


def check_task_queue() -> dict:
    if not worker.uses_database_queue():
        return {"status": OK, "backend": "immediate"}
    now = timezone.now()
    try:
        oldest = worker.oldest_waiting_since(now=now)
        workers = worker.live_workers(now=now).count()
    except DatabaseError as error:
        return {"status": UNKNOWN, "error": type(error).__name__}
    waited = (now - oldest).total_seconds() if oldest else 0.0
    entry = {"status": OK, "oldest_waiting_seconds": round(waited), "workers": workers}
    if waited > datetime.timedelta(minutes=settings.TASK_QUEUE_STUCK_MINUTES).total_seconds():
        entry.update(status=DEGRADED, error="stuck")
    elif workers == 0:
        entry.update(status=DEGRADED, error="no worker")
    return entry


def readiness() -> tuple[int, dict]:
    """The HTTP status and the JSON body of /readyz."""
    checks = {"database": check_database()}
    database_ok = checks["database"]["status"] == OK
    checks["migrations"] = check_migrations() if database_ok else {"status": UNKNOWN}
    checks["cache"] = check_cache()
    checks["task_queue"] = check_task_queue() if database_ok else {"status": UNKNOWN}
    if any(check["status"] == UNAVAILABLE for check in checks.values()):
        status, code = UNAVAILABLE, 503
    elif any(check["status"] != OK for check in checks.values()):
        status, code = DEGRADED, 200
    else:
        status, code = OK, 200
    return code, {"status": status, "node": node_name(), "checks": checks}


def healthz(request) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


def readyz(request) -> HttpResponse:
    code, body = readiness()
    if code != 200:
        logger.warning("Not ready: %s", {k: v["status"] for k, v in body["checks"].items()})
    return JsonResponse(body, status=code)


class HealthCheckMiddleware:
    """Answers /healthz and /readyz before any middleware below it runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path == HEALTHZ:
            view = healthz
        elif path == READYZ:
            view = readyz
        else:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponseNotAllowed(["GET", "HEAD"])
        else:
            response = view(request)
        response["Cache-Control"] = "no-store"
        return response
