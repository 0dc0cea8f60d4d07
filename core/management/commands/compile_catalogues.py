from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the .po message catalogues in locale/ to .mo files."

    # Django's compilemessages needs GNU gettext's msgfmt; polib (already installed with
    # wagtail-localize) does the same in Python, so a fresh machine needs nothing extra.
    def handle(self, *args, **options):
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                catalogue = polib.pofile(str(po_path))
                catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
                self.stdout.write(f"compiled {po_path} ({catalogue.percent_translated()}%)")
