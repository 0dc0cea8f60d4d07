"""Access for calendar apps and the once-only reminders. API keys are Wagtail's own
`wagtail.models.APIToken` (hashed, revocable, with a last-used time).
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .organisations import Organisation


class CalendarFeed(models.Model):
    """The secret address of an SW company's calendar of sessions, for calendar apps.

    Renewing it replaces the token, so the old address stops working at once.
    """

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        help_text=_("The SW company whose sessions the calendar shows."),
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who made or last renewed the address."),
    )

    class Meta:
        verbose_name = _("calendar address")
        verbose_name_plural = _("calendar addresses")

    def __str__(self):
        return str(self.organisation)

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)


class SentReminder(models.Model):
    """A reminder e-mail that went out for a seat; the unique seat keeps it to one."""

    seat = models.OneToOneField(
        "booking.Seat",
        verbose_name=_("seat"),
        on_delete=models.CASCADE,
        related_name="sent_reminder",
        help_text=_("The seat the reminder was about."),
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")

    def __str__(self):
        return f"{self.seat} – {self.sent_at:%Y-%m-%d}"
