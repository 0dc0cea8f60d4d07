"""The first answer to a reservation sent with an `Idempotency-Key`, so a retry gets it back."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .groups import Booking
from .organisations import Organisation


class IdempotencyKey(models.Model):
    """A client's key for one reservation, per organisation, kept for a day.

    Written in the transaction that makes the booking, and unique per organisation, so two
    requests with the same key can never both book: the second waits for the first and then
    gets its answer. `response` is that answer without the participants' details, which are
    read from the seats again when it is sent back (booking/api/bookings.py).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    key = models.CharField(_("key"), max_length=255)
    fingerprint = models.CharField(
        _("fingerprint"), max_length=64, help_text=_("Hash of the request the key was sent with.")
    )
    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="+", verbose_name=_("booking")
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    status = models.PositiveSmallIntegerField(_("status"))
    response = models.JSONField(_("response"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key"], name="idempotency_key_once_per_organisation"
            )
        ]

    def __str__(self):
        return self.key
