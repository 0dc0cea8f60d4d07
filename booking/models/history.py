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
    HELD = "held", _("Seats held")
    HOLD_RELEASED = "hold_released", _("Held seats released")


class SystemReason(models.TextChoices):
    """The reasons Leerplein writes itself when nobody typed one.

    The history keeps the English source text (the value), so every reader sees the reason
    in their own language (the label); a reason someone typed is kept as typed, with the
    language they typed it in (`AuditFields.reason_language`).
    """

    SEATS_RESERVED = "Seats reserved", _("Seats reserved")
    CANCELLED = "Cancelled", _("Cancelled")
    SEAT_BECAME_FREE = "A seat became free", _("A seat became free")
    MOVED = "Moved to another group", _("Moved to another group")
    DETAILS_CHANGED = "Participant details changed", _("Participant details changed")
    COURSE_FINISHED = "Course finished", _("Course finished")
    ATTENDANCE = "Attendance recorded", _("Attendance recorded")
    GROUP_CREATED = "Group created", _("Group created")
    GROUP_EDITED = "Group edited", _("Group edited")
    GROUP_DELETED = "Group deleted", _("Group deleted")
    HOLD_EXPIRED = (
        "The held seats were not booked in time",
        _("The held seats were not booked in time"),
    )
    HOLD_BOOKED = "All held seats were booked", _("All held seats were booked")
    HOLD_RELEASED = "Held seats released", _("Held seats released")
    DATA_REMOVED = (
        "Participant details removed after the retention period",
        _("Participant details removed after the retention period"),
    )


class AuditFields(models.Model):
    """Added to every historical booking model; filled from the instance's `_history_action`
    and `_reason_language` (booking/signals.py)."""

    action = models.CharField(_("action"), max_length=20, choices=Action.choices, blank=True)
    # The language a typed reason was written in; empty for a SystemReason.
    reason_language = models.CharField(_("language of the reason"), max_length=10, blank=True)

    class Meta:
        abstract = True
