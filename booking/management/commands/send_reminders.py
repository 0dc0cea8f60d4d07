"""Run daily (cron, systemd timer or the platform's scheduler): contact persons get a reminder
with a calendar file a few days before a group's first session, once per seat."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from booking import notifications


class Command(BaseCommand):
    help = (
        "E-mail contact persons a reminder of their confirmed seats in groups that start within "
        "a few days. Each seat is reminded once, however often this runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.REMINDER_DAYS_BEFORE,
            help="Remind of groups whose first session is at most this many days away "
            "(default: REMINDER_DAYS_BEFORE, %(default)s).",
        )

    def handle(self, *args, days, **options):
        if days < 0:
            raise CommandError("--days cannot be negative.")
        mails, seats = notifications.send_reminders(days=days)
        self.stdout.write(f"Sent {mails} reminder e-mail(s) about {seats} seat(s).")
