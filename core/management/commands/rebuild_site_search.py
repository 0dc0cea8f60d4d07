from django.core.management.base import BaseCommand

from core.search import rebuild


class Command(BaseCommand):
    help = (
        "Build the site search table afresh from the live pages. Pages keep it current as they "
        "are published; run this nightly so courses are found by the places of the groups "
        "that are still to come."
    )

    def handle(self, *args, **options):
        count = rebuild()
        if options["verbosity"]:
            self.stdout.write(f"Site search: {count} pages.")
