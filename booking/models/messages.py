"""Coordinators and partners talk through the platform.

A GroupMessage is a short note a coordinator sent to the contact persons of a group ("Andere
zaal: lokaal 2"); it names nobody who takes part. A CoordinatorNotificationSetting says how a
coordinator hears about new bookings, cancellations and waiting seats in their library's
groups. booking/messages.py sends both kinds of e-mail.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .groups import CourseGroup

MAX_SUBJECT_LENGTH = 150
MAX_BODY_LENGTH = 2000


class GroupMessage(models.Model):
    """A message from the library to every contact person with seats in a group.

    Only what was sent is kept, not to whom: the recipients follow from the bookings, and the
    message itself is about the group (a room, what to bring), never about a participant.
    """

    group = models.ForeignKey(
        CourseGroup,
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        related_name="group_messages",
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=MAX_SUBJECT_LENGTH)
    body = models.TextField(_("message"), max_length=MAX_BODY_LENGTH)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("message to contact persons")
        verbose_name_plural = _("messages to contact persons")

    def __str__(self):
        return self.subject


class CoordinatorNotificationSetting(models.Model):
    """How one coordinator hears about bookings in their library's groups.

    A coordinator without a row gets the default, a daily digest; the digest command makes the
    row when it first sends one, to remember until when it told them (`last_digest_at`).
    """

    class Frequency(models.TextChoices):
        AT_ONCE = "at_once", _("At once: an e-mail for every change")
        DAILY = "daily", _("Once a day: one e-mail with everything of that day")
        NEVER = "never", _("Never")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinator"),
        on_delete=models.CASCADE,
        related_name="library_notification_setting",
    )
    frequency = models.CharField(
        _("e-mails about bookings"),
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.DAILY,
    )
    last_digest_at = models.DateTimeField(_("last daily e-mail up to"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail setting of a coordinator")
        verbose_name_plural = _("e-mail settings of coordinators")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(frequency__in=["at_once", "daily", "never"]),
                name="coordinator_notification_frequency_valid",
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.get_frequency_display()}"
