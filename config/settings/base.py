"""Settings shared by every environment.

This module is safe for production on its own: DEBUG is off and there is no secret key here.
Each environment module (dev, test, production) imports it and adds what differs; values that
differ between installations come from environment variables (see .env.example).
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from core.request_log import logging_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = False

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]

INSTALLED_APPS = [
    # Leerplein, top layer first (docs/architecture.md): demo → home → stories → booking → core
    "demo",
    "home",
    "stories",
    "booking",
    "core",
    # Wagtail (wagtail-localize before wagtail.*)
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Third party
    "django_tasks",
    "django_tasks_db",
    "simple_history",
    "csp",
    # Templates and static files of the API's documentation page (Swagger UI), served by us.
    "ninja",
    # Django
    "django.contrib.auth",
    "axes",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # Outermost: every request gets its id and one log line, whatever answers it.
    "core.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # /healthz and /readyz answer here, for any Host, before anything touches a session or
    # the database (core/health.py).
    "core.health.HealthCheckMiddleware",
    "core.headers.PermissionsPolicyMiddleware",
    # Errors under /api/ in the API's JSON shape, then control characters refused first.
    "booking.api.errors.ApiErrorShapeMiddleware",
    "core.input.ControlCharacterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outermost after static files: a cached anonymous page skips everything below.
    "core.cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.locale.SiteLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "home.admin_access.EditorialAdminMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.routing.CachedRouteMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last: turns a refused login into the lockout page (booking/accounts/views.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# How long a booking waits for a busy course group before saying "try again": PostgreSQL's
# lock_timeout in booking/services.py, and SQLite's busy timeout below.
BOOKING_LOCK_TIMEOUT = float(os.environ.get("BOOKING_LOCK_TIMEOUT", "4"))

# Production refuses SQLite and a per-process cache unless this trial switch is on
# (config/settings/production.py, core/checks.py).
SINGLE_PROCESS_TRIAL = False
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue instead of failing
    # half-way with "database is locked"; WAL lets readers go on while one writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": BOOKING_LOCK_TIMEOUT,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Accounts: contact persons sign in on the public site with their user name or e-mail address.
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out user name or address is refused before a password is checked.
    "axes.backends.AxesStandaloneBackend",
    "booking.accounts.backends.UsernameOrEmailBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:overview"
# Days an invitation link works; it stops working earlier once the password is set.
INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "7"))

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords the pair of account
# and address is locked for the cool-off time; the owner elsewhere, and colleagues behind the
# same office address, can still log in. A success clears the count, a password reset the lock.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "booking.accounts.lockout.LockoutHandler"
# Against guessing one account's password from many addresses: this many wrong passwords in
# the window, from anywhere, lock the account itself (in the cache) until the window ends.
LOGIN_ACCOUNT_FAILURE_LIMIT = int(os.environ.get("LOGIN_ACCOUNT_FAILURE_LIMIT", "50"))
LOGIN_ACCOUNT_FAILURE_WINDOW = datetime.timedelta(hours=1)
# Password reset requests per hour, per e-mail address and per client address; more get the
# same answer but send nothing.
PASSWORD_RESET_LIMIT_PER_EMAIL = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_EMAIL", "5"))
PASSWORD_RESET_LIMIT_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ADDRESS", "20"))
# Shared passwords of pages and document collections (core/shared_password.py): this many
# wrong ones from one address for one restriction within the window, and that address gets
# 429 for it until the window ends.
SHARED_PASSWORD_ATTEMPT_LIMIT = int(os.environ.get("SHARED_PASSWORD_ATTEMPT_LIMIT", "10"))
SHARED_PASSWORD_WINDOW_MINUTES = int(os.environ.get("SHARED_PASSWORD_WINDOW_MINUTES", "15"))
AXES_RESET_ON_SUCCESS = True
# Tries during a lockout do not extend it, so the lockout page can say how long it lasts.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "booking.accounts.views.locked_out"
# "Promen@x.nl", "promen@x.nl " and the account's user name count as one name.
AXES_USERNAME_CALLABLE = "booking.accounts.lockout.lockout_username"
AXES_CLIENT_IP_CALLABLE = "core.throttle.client_ip"
# Successful logins are not logged: we keep as little about people as we can.
AXES_DISABLE_ACCESS_LOG = True
# Proxies (load balancers) in front of the app servers that append the client's address to
# X-Forwarded-For. 0: the address is REMOTE_ADDR and X-Forwarded-For is ignored, so a forged
# header cannot get around the lockout.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Languages: Dutch first and default; every public URL carries its language.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded images and documents go to local disk here; production can keep them in
# S3-compatible storage instead (MEDIA_STORAGE=s3, config/settings/production.py).
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# A form sent after its page was open too long gets a page that says what to do.
CSRF_FAILURE_VIEW = "core.error_pages.csrf_failure"

# Caches: Redis when REDIS_URL is set (shared by every app server), local memory otherwise.
# The cache is an optimisation: with Redis unreachable, core/cache_backends.py answers every
# call as a miss, so pages are rendered uncached; the short timeouts keep a dead Redis from
# slowing each request. Sessions are in the database, never in the cache.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache_backends.PooledRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "leerplein"),
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("REDIS_CONNECT_TIMEOUT", "0.25")),
                "socket_timeout": float(os.environ.get("REDIS_TIMEOUT", "0.5")),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Seconds an anonymous page stays cached; a change refreshes the pages that show it at once.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
# How long a process trusts the versions it read from the cache (see core/cache.py).
PAGE_CACHE_LOCAL_SECONDS = float(os.environ.get("PAGE_CACHE_LOCAL_SECONDS", "1"))
# After a change one process renders a page; others serve their old copy, or wait this long
# for the new one. The lock expires after PAGE_CACHE_LOCK_SECONDS if its holder dies.
PAGE_CACHE_WAIT_SECONDS = float(os.environ.get("PAGE_CACHE_WAIT_SECONDS", "2"))
PAGE_CACHE_LOCK_SECONDS = 10
# Front-end cache (CDN, Varnish) purged with the pages a change refreshes: off unless
# production.py configures it from the environment (docs/deployment.md).
WAGTAILFRONTENDCACHE = {}

# E-mail
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "1"
# A mail server that hangs must not hold a worker (or the one invitation tried in a request).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Leerplein <noreply@leerplein.nl>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# How often booking/emails.py tries a message before giving up (pauses of 1, 5, 25… minutes).
EMAIL_DELIVERY_ATTEMPTS = int(os.environ.get("EMAIL_DELIVERY_ATTEMPTS", "5"))
# The pause before the first retry (core/mail.py); each next pause is five times longer.
EMAIL_RETRY_BASE_SECONDS = float(os.environ.get("EMAIL_RETRY_BASE_SECONDS", "60"))

# Notifications: `manage.py send_reminders` (run daily) reminds contact persons of their
# confirmed seats this many days before a group's first session.
REMINDER_DAYS_BEFORE = int(os.environ.get("REMINDER_DAYS_BEFORE", "3"))

# Wagtail
WAGTAIL_SITE_NAME = "Leerplein"
# The one address links outside a page use: canonical and hreflang links, feeds, the sitemap,
# e-mails and calendar files. `migrate` and `load_demo` give Wagtail's default site the same
# host and port (core/site_url.py). `make run` sets it to where it serves.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"png": "webp", "jpeg": "webp", "gif": "webp", "bmp": "webp"}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAILEMBEDS_RESPONSIVE_HTML = True
WAGTAIL_WORKFLOW_REQUIRE_APPROVAL_TO_PUBLISH = True
WAGTAIL_MODERATION_ENABLED = True
# Avatars come from the site itself, never from gravatar.com: no third party sees who logs in.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False

# Background work (booking e-mails, Wagtail's own tasks) is queued in the database and run by
# `manage.py db_worker`; dev and tests run each task at once instead.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Booking: how long participants' first names, goals and support needs are kept after a
# group ends (BOOKING_LOCK_TIMEOUT is set with the database, which it also limits).
PARTICIPANT_DATA_RETENTION_DAYS = int(os.environ.get("PARTICIPANT_DATA_RETENTION_DAYS", "183"))
# Coordinators write why they change something; reasons can be longer than 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True

# Security headers that hold everywhere; production adds HTTPS-only settings.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Wagtail's preview panel shows the page in a frame of the admin, on the same origin.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-src": ["'self'", "https://www.youtube-nocookie.com", "https://player.vimeo.com"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# Logs go to stderr: LOG_FORMAT=json (production's default) writes one JSON object per line,
# with the request id or task id (core/request_log.py); text is for reading in a terminal.
# LOG_REQUESTS=1 adds one line per request (production's default with json).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING")
LOG_REQUESTS = os.environ.get("LOG_REQUESTS", "0") == "1"
LOGGING = logging_settings(log_format=LOG_FORMAT, level=LOG_LEVEL, requests=LOG_REQUESTS)

# Health and the task queue (core/health.py, core/worker.py): /readyz reports the queue as
# stuck when a task waits this long past its time; a worker (`manage.py run_worker`) that has
# not written its heartbeat for WORKER_DEAD_SECONDS is dead, and its running task is queued
# again for another worker.
TASK_QUEUE_STUCK_MINUTES = int(os.environ.get("TASK_QUEUE_STUCK_MINUTES", "10"))
WORKER_DEAD_SECONDS = int(os.environ.get("WORKER_DEAD_SECONDS", "30"))

# API (booking/api/): requests per period ("120/min", "10/s", "5000/day") per token or
# logged-in user, and per IP address for anonymous requests; counted in the cache, so every
# app server sharing Redis counts together.
API_RATE_LIMIT_AUTHENTICATED = os.environ.get("API_RATE_LIMIT_AUTHENTICATED", "120/min")
API_RATE_LIMIT_ANONYMOUS = os.environ.get("API_RATE_LIMIT_ANONYMOUS", "60/min")
# The anonymous rate limit counts per client address, found like the login lockout finds it.
NINJA_NUM_PROXIES = TRUSTED_PROXY_COUNT

# --- Webhooks --- (booking/webhooks.py; docs/deployment.md, "Webhooks")
# A receiver that does not answer within this many seconds counts as a failed attempt.
WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "5"))
# Attempts per event before a delivery is marked failed (pauses of 1, 2, 4 … 60 minutes).
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "8"))
# The delivery log (with each event's contents) is kept this many days.
WEBHOOK_LOG_DAYS = int(os.environ.get("WEBHOOK_LOG_DAYS", "30"))
# Tests only: allow http:// and loopback or private addresses for a receiver.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
