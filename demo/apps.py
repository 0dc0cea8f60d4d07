from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """`manage.py load_demo`: the demo site. The top layer: nothing imports it."""

    name = "demo"
    verbose_name = _("Demo content")
