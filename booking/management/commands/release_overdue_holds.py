"""Run every few minutes, or at least daily just after midnight (cron, systemd timer or the
platform's scheduler): seats held for an organisation until a day that has passed go to the
waiting list in order, then back to the pool. A group that is touched in between releases
its overdue holds itself; this makes sure the rest do not wait for a booking."""

from django.core.management.base import BaseCommand

from booking import services


class Command(BaseCommand):
    help = (
        "Release seat holds whose day has passed: their seats go to the waiting list first, "
        "then they are free for anyone."
    )

    def handle(self, *args, **options):
        released = services.release_overdue_holds()
        self.stdout.write(f"Released {released} seat hold(s).")
