"""Production: every secret and address comes from the environment.

Refuses to start with a half set-up, so a forgotten variable fails loudly instead of running
with a guessable key, on a SQLite file, or with a cache that each process keeps to itself:

- SECRET_KEY;
- DATABASE_URL pointing at PostgreSQL (bookings lock their course group in the database);
- REDIS_URL: the cache every app server shares, so a publish refreshes every server at once
  and the API's rate limits count across servers;
- SITE_URL: the public address every link outside a page uses (e-mails, feeds, calendars);
- MEDIA_STORAGE: local disk (MEDIA_ROOT, the default) or "s3" with its bucket and keys.

LEERPLEIN_SINGLE_PROCESS_TRIAL=1 lets a trial run in one process on SQLite and a local-memory
cache; it says so at every start and in `check --deploy`. core/checks.py checks the same
pieces for `manage.py check --deploy`.
"""

import copy
import os
import warnings
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    CONTENT_SECURITY_POLICY,
    DATABASES,
    LOG_LEVEL,
    REDIS_URL,
    STORAGES,
    logging_settings,
)

try:
    SECRET_KEY = os.environ["SECRET_KEY"]
except KeyError as exc:
    raise ImproperlyConfigured("Set the SECRET_KEY environment variable.") from exc
# The limits of Django's own check (security.W009): a short or repetitive key can be guessed,
# and with it every session, password-reset link and signed value.
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak: it has "
        f"{len(SECRET_KEY)} characters, {len(set(SECRET_KEY))} of them different. Use at least"
        " 50 random characters with at least 5 different ones, for example the output of"
        " `python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )

SINGLE_PROCESS_TRIAL = os.environ.get("LEERPLEIN_SINGLE_PROCESS_TRIAL", "") == "1"
_TRIAL_HINT = (
    " (Only for a trial in a single process: set LEERPLEIN_SINGLE_PROCESS_TRIAL=1 to run on"
    " SQLite and a local-memory cache.)"
)
_problems = []
if not SINGLE_PROCESS_TRIAL:
    if not os.environ.get("DATABASE_URL"):
        _problems.append(
            "DATABASE_URL is not set. Production runs on PostgreSQL: set"
            " DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/NAME." + _TRIAL_HINT
        )
    elif DATABASES["default"]["ENGINE"] not in (
        "django.db.backends.postgresql",
        "django.contrib.gis.db.backends.postgis",
    ):
        _problems.append(
            f"DATABASE_URL points to {DATABASES['default']['ENGINE']}, not to PostgreSQL."
            " Production runs on PostgreSQL: set"
            " DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/NAME." + _TRIAL_HINT
        )
    if not os.environ.get("SITE_URL"):
        _problems.append(
            "SITE_URL is not set. E-mails, feeds, calendar files and canonical links need the"
            " site's public address: set SITE_URL=https://leerplein.nl." + _TRIAL_HINT
        )
    if not REDIS_URL:
        _problems.append(
            "REDIS_URL is not set. Production needs one Redis that every app server shares"
            " (page cache, API rate limits): set REDIS_URL=redis://HOST:6379/0." + _TRIAL_HINT
        )


def _media_origins(options: dict) -> list[str]:
    """Where the browser fetches media from, for the Content-Security-Policy."""
    if options["custom_domain"]:
        return [f"https://{options['custom_domain']}"]
    if options["endpoint_url"]:
        endpoint = urlsplit(options["endpoint_url"])
        origin = f"{endpoint.scheme}://{endpoint.netloc}"
        return [origin, f"{endpoint.scheme}://{options['bucket_name']}.{endpoint.netloc}"]
    region = options["region_name"]
    if options["addressing_style"] == "path":
        return [f"https://s3.{region}.amazonaws.com"]
    return [
        f"https://{options['bucket_name']}.s3.amazonaws.com",
        f"https://{options['bucket_name']}.s3.{region}.amazonaws.com",
    ]


# Uploaded images and documents: local disk (MEDIA_ROOT; several app servers need a shared
# disk) or an S3-compatible object store through django-storages.
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "local").strip().lower() or "local"
_S3_REQUIRED = [
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
]
if MEDIA_STORAGE == "s3":
    _missing = [name for name in _S3_REQUIRED if not os.environ.get(name)]
    if not (os.environ.get("AWS_S3_ENDPOINT_URL") or os.environ.get("AWS_S3_REGION_NAME")):
        _missing.append("AWS_S3_ENDPOINT_URL or AWS_S3_REGION_NAME")
    if _missing:
        _problems.append(
            "MEDIA_STORAGE=s3 needs " + ", ".join(_missing) + ". Set them, or unset"
            " MEDIA_STORAGE to keep uploads on local disk in MEDIA_ROOT."
        )
    else:
        _s3_options = {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "access_key": os.environ["AWS_ACCESS_KEY_ID"],
            "secret_key": os.environ["AWS_SECRET_ACCESS_KEY"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
            "location": os.environ.get("AWS_LOCATION", ""),
            # Images and documents of a public site: plain URLs that a browser, the page cache
            # and a CDN can keep, unless the bucket is private (AWS_QUERYSTRING_AUTH=1).
            "querystring_auth": os.environ.get("AWS_QUERYSTRING_AUTH", "0") == "1",
            # Two editors uploading "foto.jpg" get two files, as on local disk; S3Storage
            # would otherwise overwrite the first one.
            "file_overwrite": False,
            # The bucket's own policy decides who may read, not a per-object ACL.
            "default_acl": None,
        }
        STORAGES = {
            **STORAGES,
            "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options},
        }

        # Images on public pages come from the object store, which img-src must allow.
        CONTENT_SECURITY_POLICY = copy.deepcopy(CONTENT_SECURITY_POLICY)
        CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] += _media_origins(_s3_options)
elif MEDIA_STORAGE != "local":
    _problems.append(
        f"MEDIA_STORAGE={MEDIA_STORAGE!r} is not known: leave it unset (local disk in"
        " MEDIA_ROOT) or set MEDIA_STORAGE=s3 for S3-compatible storage."
    )

if _problems:
    raise ImproperlyConfigured("Production settings are incomplete:\n- " + "\n- ".join(_problems))

if SINGLE_PROCESS_TRIAL:
    warnings.warn(
        "LEERPLEIN_SINGLE_PROCESS_TRIAL=1: this is a trial in a single process"
        f" (database: {DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]},"
        f" cache: {'Redis' if REDIS_URL else 'local memory, per process'})."
        " Do not run several app servers or workers like this; see docs/deployment.md.",
        RuntimeWarning,
        stacklevel=1,
    )

DEBUG = False
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
# A load balancer probes the app servers over plain HTTP (core/health.py).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# One JSON line per log record and per request, for a log collector (core/request_log.py).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json").strip().lower()
LOG_REQUESTS = os.environ.get("LOG_REQUESTS", "1") == "1"
LOGGING = logging_settings(log_format=LOG_FORMAT, level=LOG_LEVEL, requests=LOG_REQUESTS)

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

# --- HTTP cache and CDN purging (docs/deployment.md, "HTTP cache and CDN purging") ---------
# A change purges the URLs it refreshes (core/cache.py) from the front-end cache, in every
# language. Off unless configured: FRONTEND_CACHE_URL for Varnish or another cache that
# accepts HTTP PURGE; CLOUDFLARE_ZONE_ID with CLOUDFLARE_BEARER_TOKEN for Cloudflare;
# CLOUDFRONT_DISTRIBUTION_ID for Amazon CloudFront (boto3 finds its AWS credentials).
WAGTAILFRONTENDCACHE = {}
if os.environ.get("FRONTEND_CACHE_URL"):
    WAGTAILFRONTENDCACHE["http"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": os.environ["FRONTEND_CACHE_URL"],
    }
if os.environ.get("CLOUDFLARE_ZONE_ID"):
    try:
        WAGTAILFRONTENDCACHE["cloudflare"] = {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
            "ZONEID": os.environ["CLOUDFLARE_ZONE_ID"],
            "BEARER_TOKEN": os.environ["CLOUDFLARE_BEARER_TOKEN"],
        }
    except KeyError as exc:
        raise ImproperlyConfigured(
            "CLOUDFLARE_ZONE_ID is set: set CLOUDFLARE_BEARER_TOKEN (an API token that may purge "
            "the zone's cache) as well."
        ) from exc
if os.environ.get("CLOUDFRONT_DISTRIBUTION_ID"):
    WAGTAILFRONTENDCACHE["cloudfront"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
        "DISTRIBUTION_ID": os.environ["CLOUDFRONT_DISTRIBUTION_ID"],
    }
