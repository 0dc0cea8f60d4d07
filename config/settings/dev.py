"""Local development: debug on, e-mail printed to the console, a fixed throw-away key."""

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS

DEBUG = True
SECRET_KEY = "django-insecure-leerplein-dev-only"  # noqa: S105 - never used outside dev
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
