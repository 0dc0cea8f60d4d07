from django.core.management.base import BaseCommand

from home.editorial import ensure_editorial_setup
from stories.models import StoryIndexPage


class Command(BaseCommand):
    help = "Create the editor groups (Redactie, Eindredactie) and the stories workflow."

    def handle(self, *args, **options):
        indexes = list(StoryIndexPage.objects.all())
        groups, workflow = ensure_editorial_setup(indexes)
        self.stdout.write(
            f"Groups {', '.join(groups)}; workflow “{workflow.name}” "
            f"on {len(indexes)} story index(es)."
        )
