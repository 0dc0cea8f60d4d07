import logging

from django.apps import AppConfig, apps
from django.conf import settings
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app shares: blocks, choices, caching, routing, locale, pagination, the site
    search, the site-wide template tags, health checks, request logs and the task workers.
    It imports none of the apps above it."""

    name = "core"
    verbose_name = _("Shared")

    def ready(self):
        # Imported once the apps are loaded, as Django's docs advise: registering the
        # checks (core/checks.py) is all it does.
        from core import checks  # noqa: F401
        from core.request_log import connect_signals as connect_log_signals
        from core.search import connect_signals
        from core.site_url import sync_default_site

        # post_migrate goes to every app with models after the whole migration (and after a
        # test database's flush); Wagtail's is the one that owns Site.
        post_migrate.connect(
            sync_default_site,
            sender=apps.get_app_config("wagtailcore"),
            dispatch_uid="core.sync_default_site",
        )
        connect_signals(self)
        # Which request or task runs now: for the ids in log lines, and for mails sent once
        # (core/mail.py).
        connect_log_signals()
        if settings.LOG_FORMAT == "json":
            # Python's warnings (a library's, say) as log records, so that every line on stderr
            # is JSON for the log collector (the "py.warnings" logger in core/request_log.py).
            logging.captureWarnings(True)
