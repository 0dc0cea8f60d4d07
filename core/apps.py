from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app shares: blocks, choices, caching, routing, locale, pagination and the
    site-wide template tags. It imports none of the apps above it."""

    name = "core"
    verbose_name = _("Shared")

    def ready(self):
        # Imported once the apps are loaded, as Django's docs advise: registering the deploy
        # checks (core/checks.py) is all it does.
        from core import checks  # noqa: F401
