from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from booking.models.history import AuditFields


@receiver(pre_create_historical_record)
def record_action(sender, instance, history_instance, **kwargs):
    """Copy the service's `_history_action` and `_reason_language` onto the history record;
    without an action, the record says created, edited or deleted."""
    if isinstance(history_instance, AuditFields):
        default = {"+": "created", "-": "deleted"}.get(history_instance.history_type, "edited")
        history_instance.action = getattr(instance, "_history_action", None) or default
        history_instance.reason_language = getattr(instance, "_reason_language", "")


def ensure_roles(**kwargs):
    """After migrating each app: the coordinators' group has every permission that exists."""
    from booking.roles import ensure_coordinator_group

    ensure_coordinator_group()
