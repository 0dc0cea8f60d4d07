"""Run daily (cron, systemd timer or the platform's scheduler), e.g. at 7 in the morning:
contact persons who asked for "er is plek" alerts get one e-mail per alert about groups that
opened for booking or got a free seat since their last e-mail, and still have room. Running
it more often sends nothing extra: each alert gets at most one e-mail a day."""

from django.core.management.base import BaseCommand

from booking import alerts


class Command(BaseCommand):
    help = (
        "E-mail 'er is plek' alerts: at most one a day per alert, about groups that opened "
        "for booking or got room since the last e-mail and still have a free seat."
    )

    def handle(self, *args, **options):
        mails = alerts.send_room_alerts()
        self.stdout.write(f"Queued {mails} room alert e-mail(s).")
