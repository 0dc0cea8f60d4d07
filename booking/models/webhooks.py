"""Webhooks: addresses where an organisation's HR system hears of changes to its bookings,
and the log of each event sent there (booking/webhooks.py sends them)."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .groups import CourseGroup
from .organisations import Organisation

# An organisation needs one or two receivers (production and a test system); a limit keeps a
# mistake or a script from multiplying every event.
MAX_ENDPOINTS_PER_ORGANISATION = 5
MAX_URL_LENGTH = 500
MAX_DESCRIPTION_LENGTH = 200
MAX_ERROR_LENGTH = 200


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


class WebhookEndpoint(models.Model):
    """An HTTPS address of an organisation's own system that receives signed events.

    The secret is kept as it is (not hashed): both sides need it to compute the signature.
    After a rotation the previous secret signs too, until `previous_secret_expires_at`, so
    the receiver can switch over without missing an event.
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )
    url = models.URLField(_("address"), max_length=MAX_URL_LENGTH)
    description = models.CharField(_("description"), max_length=MAX_DESCRIPTION_LENGTH, blank=True)
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    active = models.BooleanField(_("on"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["organisation", "active"], name="webhook_org_active")]

    def __str__(self):
        return self.url

    def secrets_now(self, now=None) -> list[str]:
        """The secrets that sign an event sent now: the current one, and the previous one
        while its grace period lasts."""
        now = now or timezone.now()
        kept = [self.secret]
        if (
            self.previous_secret
            and self.previous_secret_expires_at
            and (self.previous_secret_expires_at > now)
        ):
            kept.append(self.previous_secret)
        return kept


class WebhookDelivery(models.Model):
    """One event for one endpoint: what was sent (as it was when it happened), and how the
    attempts to deliver it went."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(default=uuid.uuid4)
    event_type = models.CharField(_("event"), max_length=40)
    # The group the event is about, so retention can erase what it says about participants.
    group = models.ForeignKey(
        CourseGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField(default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)
    error = models.CharField(max_length=MAX_ERROR_LENGTH, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_event_once")
        ]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
            models.Index(fields=["created_at"], name="webhook_delivery_age"),
        ]

    def __str__(self):
        return f"{self.event_type} {self.event_id}"
