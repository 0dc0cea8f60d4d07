"""`manage.py check --deploy`: the services a production site needs, one check each.

config/settings/production.py already refuses to start without them; these checks also
catch a settings module of its own that an installation may use, and name what is missing.
With SINGLE_PROCESS_TRIAL (LEERPLEIN_SINGLE_PROCESS_TRIAL=1) the database and the cache may
be a trial's SQLite and local memory, and one warning says that this is a trial.
"""

from pathlib import Path

from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.core.checks import Error, Warning, register
from django.core.files.storage import FileSystemStorage
from django.db import connections
from django.utils.module_loading import import_string
from django_tasks_db import DatabaseBackend

from core.site_url import parse_site_url

# `check --deploy --tag services` runs only these.
TAG = "services"
S3_STORAGE = "storages.backends.s3.S3Storage"
LOOPBACK = {"localhost", "127.0.0.1", "::1", "testserver"}
TRIAL_HINT = "Only for a trial in one process: LEERPLEIN_SINGLE_PROCESS_TRIAL=1."


def _trial() -> bool:
    return getattr(settings, "SINGLE_PROCESS_TRIAL", False)


@register(TAG, deploy=True)
def check_single_process_trial(app_configs=None, **kwargs):
    if not _trial():
        return []
    return [
        Warning(
            "This is a single-process trial (LEERPLEIN_SINGLE_PROCESS_TRIAL=1): the database "
            "and the cache need not be shared, so run one process only.",
            hint="For production, set DATABASE_URL to PostgreSQL and REDIS_URL, and unset "
            "LEERPLEIN_SINGLE_PROCESS_TRIAL.",
            id="core.W001",
        )
    ]


@register(TAG, deploy=True)
def check_database_is_postgresql(app_configs=None, **kwargs):
    vendor = connections["default"].vendor
    if _trial() or vendor == "postgresql":
        return []
    return [
        Error(
            f"The default database is {vendor}, not PostgreSQL.",
            hint="Set DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/NAME. " + TRIAL_HINT,
            id="core.E001",
        )
    ]


@register(TAG, deploy=True)
def check_cache_is_shared(app_configs=None, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if _trial() or issubclass(import_string(backend), RedisCache):
        return []
    return [
        Error(
            f"The default cache ({backend}) is not Redis: each process keeps its own, so a "
            "publish leaves the other app servers stale and the API's rate limits count per "
            "process.",
            hint="Set REDIS_URL=redis://HOST:6379/0. " + TRIAL_HINT,
            id="core.E002",
        )
    ]


def _is_s3(backend: type) -> bool:
    return any(f"{cls.__module__}.{cls.__qualname__}" == S3_STORAGE for cls in backend.__mro__)


def _s3_problems(options: dict) -> list[str]:
    """The S3 settings that are missing; django-storages also reads them from AWS_* settings."""

    def value(option, setting):
        return options.get(option) or getattr(settings, setting, None)

    missing = [
        setting
        for option, setting in (
            ("bucket_name", "AWS_STORAGE_BUCKET_NAME"),
            ("access_key", "AWS_ACCESS_KEY_ID"),
            ("secret_key", "AWS_SECRET_ACCESS_KEY"),
        )
        if not value(option, setting)
    ]
    if not (
        value("endpoint_url", "AWS_S3_ENDPOINT_URL") or value("region_name", "AWS_S3_REGION_NAME")
    ):
        missing.append("AWS_S3_ENDPOINT_URL or AWS_S3_REGION_NAME")
    return missing


@register(TAG, deploy=True)
def check_media_storage(app_configs=None, **kwargs):
    storage = settings.STORAGES["default"]
    backend = import_string(storage["BACKEND"])
    if issubclass(backend, FileSystemStorage):
        if Path(storage.get("OPTIONS", {}).get("location") or settings.MEDIA_ROOT).is_absolute():
            return []
        return [
            Error(
                "MEDIA_ROOT is not an absolute path, so uploads would land wherever the app "
                "server happens to start.",
                hint="Set MEDIA_ROOT=/srv/leerplein/media (a disk every app server shares), "
                "or MEDIA_STORAGE=s3.",
                id="core.E003",
            )
        ]
    if _is_s3(backend):
        missing = _s3_problems(storage.get("OPTIONS", {}))
        if not missing:
            return []
        return [
            Error(
                "S3 media storage is missing " + ", ".join(missing) + ".",
                hint="Set them with MEDIA_STORAGE=s3, or unset MEDIA_STORAGE for local disk.",
                id="core.E004",
            )
        ]
    return [
        Warning(
            f"Media storage {storage['BACKEND']} is neither local disk nor S3; Leerplein does "
            "not know how to check it.",
            hint="Use MEDIA_STORAGE=s3 or the default local disk (MEDIA_ROOT).",
            id="core.W002",
        )
    ]


@register(TAG, deploy=True)
def check_task_backend(app_configs=None, **kwargs):
    backend = settings.TASKS["default"]["BACKEND"]
    if issubclass(import_string(backend), DatabaseBackend):
        return []
    return [
        Error(
            f"The task backend is {backend}, not the database queue: booking e-mails would be "
            "sent inside the request, or never.",
            hint='Set TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}} and '
            "run `manage.py run_worker`.",
            id="core.E005",
        )
    ]


@register()
def check_site_url(app_configs=None, **kwargs):
    """Every environment: a SITE_URL Wagtail's site record can hold (core/site_url.py)."""
    try:
        parse_site_url(settings.SITE_URL)
    except ValueError as exc:
        return [Error(str(exc), hint="Set the SITE_URL environment variable.", id="core.E010")]
    return []


@register(TAG, deploy=True)
def check_site_url_is_public(app_configs=None, **kwargs):
    try:
        address = parse_site_url(settings.SITE_URL)
    except ValueError:
        return []  # check_site_url names what is wrong with it
    if address.scheme == "https" and address.hostname not in LOOPBACK:
        return []
    return [
        Warning(
            f"SITE_URL is {settings.SITE_URL}: e-mails, feeds and calendar files will link "
            "there, which readers outside this machine cannot open (or not over https).",
            hint="Set SITE_URL to the public https address, e.g. https://leerplein.nl.",
            id="core.W010",
        )
    ]
