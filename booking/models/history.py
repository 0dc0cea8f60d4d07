"""What every booking model's history records carry besides simple-history's own columns."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    """What happened, in words the audit log can filter on."""

    CREATED = "created", _("Created")
    EDITED = "edited", _("Edited")
    DELETED = "deleted", _("Deleted")
    RESERVED = "reserved", _("Seat confirmed")
    WAITLISTED = "waitlisted", _("Put on the waiting list")
    PROMOTED = "promoted", _("Promoted from the waiting list")
    CANCELLED = "cancelled", _("Cancelled")
    MOVED = "moved", _("Moved to another group")
    DETAILS_CHANGED = "details_changed", _("Participant details changed")
    CAPACITY_CHANGED = "capacity_changed", _("Capacity changed")
    GROUP_CANCELLED = "group_cancelled", _("Group cancelled")
    COMPLETED = "completed", _("Group completed")
    ATTENDANCE = "attendance", _("Attendance recorded")
    DATA_REMOVED = "data_removed", _("Participant details removed")


class AuditFields(models.Model):
    """Added to every historical booking model; filled from `instance._history_action`."""

    action = models.CharField(_("action"), max_length=20, choices=Action.choices, blank=True)

    class Meta:
        abstract = True
