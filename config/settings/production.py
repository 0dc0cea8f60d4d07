"""Production: every secret and address comes from the environment.

Refuses to start without SECRET_KEY, so a forgotten variable fails loudly instead of running
with a guessable key.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

try:
    SECRET_KEY = os.environ["SECRET_KEY"]
except KeyError as exc:
    raise ImproperlyConfigured("Set the SECRET_KEY environment variable.") from exc

DEBUG = False
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
