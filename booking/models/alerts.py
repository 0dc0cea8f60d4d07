"""'Er is plek' alerts: a contact person asks to hear when a course has room.

A subscription names a course (by the course page's translation key, so the Dutch and the
English page are the same course), and may narrow it to a level and a place: one location,
or a municipality or town typed as text. booking/alerts.py matches groups to subscriptions
and sends at most one e-mail a day per subscription; a RoomNotice says that seats came free
in a group, without saying for or by whom.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .groups import CourseGroup
from .organisations import Location

MAX_MUNICIPALITY_LENGTH = 100


def new_unsubscribe_token() -> str:
    """A secret for the unsubscribe link: whoever has it may stop this one subscription."""
    return secrets.token_urlsafe(32)


class RoomAlertQuerySet(models.QuerySet):
    def active(self):
        return self.filter(unsubscribed_at__isnull=True)


class RoomAlert(models.Model):
    """A contact person's wish to hear when a course, level and place has room.

    Unsubscribing keeps the row for a while (`unsubscribed_at`), so the unsubscribe link
    answers "you are unsubscribed" when it is followed again, as mail programs may do;
    `send_room_alerts` deletes such rows after UNSUBSCRIBED_KEPT_DAYS.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact person"),
        on_delete=models.CASCADE,
        related_name="room_alerts",
    )
    course_key = models.UUIDField(
        _("course"),
        db_index=True,
        help_text=_("The course page’s translation key, the same in each language."),
    )
    level = models.PositiveSmallIntegerField(
        _("level"), choices=CourseGroup.Level.choices, null=True, blank=True
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        on_delete=models.CASCADE,
        related_name="room_alerts",
        null=True,
        blank=True,
    )
    municipality = models.CharField(
        _("municipality or town"), max_length=MAX_MUNICIPALITY_LENGTH, blank=True
    )
    language = models.CharField(
        _("language"), max_length=2, choices=settings.LANGUAGES, default="nl"
    )
    token = models.CharField(
        _("unsubscribe token"), max_length=64, unique=True, default=new_unsubscribe_token
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_sent_at = models.DateTimeField(_("last e-mail"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    objects = RoomAlertQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("room alert")
        verbose_name_plural = _("room alerts")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=3),
                name="roomalert_level_valid",
            ),
            # One place at most: a location, or a municipality, or neither (everywhere).
            models.CheckConstraint(
                condition=Q(location__isnull=True) | Q(municipality=""),
                name="roomalert_one_place",
            ),
        ]
        indexes = [models.Index(fields=["unsubscribed_at", "last_sent_at"])]

    def __str__(self):
        return f"{self.user} – {self.course_key}"


class RoomNotice(models.Model):
    """That seats came free in a group (`room_at`), and when its coordinator last announced
    its room (`announced_at`). One row per group at most; nothing about people."""

    group = models.OneToOneField(
        CourseGroup,
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        related_name="room_notice",
    )
    room_at = models.DateTimeField(_("seats came free"), null=True, blank=True, db_index=True)
    announced_at = models.DateTimeField(_("room announced"), null=True, blank=True)

    class Meta:
        verbose_name = _("room notice")
        verbose_name_plural = _("room notices")

    def __str__(self):
        return str(self.group_id)
