from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .groups import CourseGroup, audited
from .organisations import Organisation


class SeatHoldQuerySet(models.QuerySet):
    def active(self):
        return self.filter(released_at__isnull=True)


class SeatHold(models.Model):
    """Seats of a group kept for one organisation until a date ("3 plaatsen voor Promen tot
    1 maart"): nobody else can take them, the organisation books them as usual.

    `seats` is what is still held: booking a held seat takes one off, and a hold with none
    left, or past its date, or given back, is released (`released_at`). The group keeps the
    sum of its active holds in `CourseGroup.seats_held`, so every page that counts free seats
    reads it without a join; booking/services.py changes both under the group's lock.
    """

    group = models.ForeignKey(
        CourseGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="holds"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("held for"),
        on_delete=models.PROTECT,
        related_name="seat_holds",
    )
    seats = models.PositiveSmallIntegerField(_("seats held"))
    held_until = models.DateField(
        _("held until"),
        help_text=_("After this day the seats that were not booked go to others."),
    )
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("held by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    history = audited()
    objects = SeatHoldQuerySet.as_manager()

    class Meta:
        ordering = ["held_until", "pk"]
        verbose_name = _("seat hold")
        verbose_name_plural = _("seat holds")
        constraints = [
            # An active hold keeps at least one seat; a released one may keep the number it
            # had, for the history.
            models.CheckConstraint(
                condition=Q(released_at__isnull=False) | Q(seats__gte=1),
                name="seathold_active_holds_a_seat",
            ),
            # One active hold per organisation and group: a second one adds to the first.
            models.UniqueConstraint(
                fields=["group", "organisation"],
                condition=Q(released_at__isnull=True),
                name="seathold_one_active_per_organisation",
            ),
        ]
        indexes = [models.Index(fields=["released_at", "held_until"])]

    def __str__(self):
        return ngettext(
            "%(count)s seat for %(organisation)s until %(date)s",
            "%(count)s seats for %(organisation)s until %(date)s",
            self.seats,
        ) % {
            "count": self.seats,
            "organisation": self.organisation.name,
            "date": date_format(self.held_until, "DATE_FORMAT"),
        }
