from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Courses and bookings")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import signals

        # Not limited to this app: the admin's permissions are made by apps listed after it.
        post_migrate.connect(signals.ensure_roles)
