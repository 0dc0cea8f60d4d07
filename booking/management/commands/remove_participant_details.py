"""Run daily (cron, systemd timer or the platform's scheduler): participants' first names,
learning goals and support needs are kept no longer than the retention period, neither in
the seats and their history nor in the task queue's rows about them, nor in the webhooks'
delivery log (whose rows go after WEBHOOK_LOG_DAYS anyway)."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from booking import notifications, services, webhooks
from booking.models import CourseGroup


class Command(BaseCommand):
    help = (
        "Erase participant details (first name, learning goal, support needs) of course "
        "groups that ended longer ago than the retention period, also in their history and "
        "in the task queue."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.PARTICIPANT_DATA_RETENTION_DAYS,
            help="Keep details this many days after a group's last session "
            "(default: PARTICIPANT_DATA_RETENTION_DAYS, %(default)s).",
        )

    def handle(self, *args, days, **options):
        if days < 0:
            raise CommandError("--days cannot be negative.")
        ended_before = timezone.localdate() - datetime.timedelta(days=days)
        removed = services.remove_participant_details(ended_before=ended_before)
        ended = CourseGroup.objects.with_dates().filter(last_date__lt=ended_before)
        ended_ids = list(ended.values_list("pk", flat=True))
        tasks = notifications.forget_groups(ended_ids)
        events = webhooks.forget_groups(ended_ids)
        pruned = webhooks.prune_log()
        self.stdout.write(
            f"Removed participant details from {removed} seat(s) of groups "
            f"that ended before {ended_before:%Y-%m-%d}, {tasks} queued task(s) and "
            f"{events} webhook event(s) about them; deleted {pruned} old webhook log row(s)."
        )
