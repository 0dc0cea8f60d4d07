"""Run daily (cron, systemd timer or the platform's scheduler): each library coordinator who
chose the daily digest (the default) gets one e-mail with the seats booked, put on the waiting
list and cancelled in their library's groups since their last digest; nothing when nothing
happened. Running it twice tells each change once."""

from django.core.management.base import BaseCommand

from booking import messages


class Command(BaseCommand):
    help = (
        "E-mail each library coordinator who wants a daily digest what was booked, put on the "
        "waiting list and cancelled in their library's groups since their last digest."
    )

    def handle(self, *args, **options):
        queued = messages.send_library_digests()
        self.stdout.write(f"Sent {queued} digest e-mail(s) to coordinators.")
