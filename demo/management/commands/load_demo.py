"""`manage.py load_demo`: the demo site in Dutch and English, with demo accounts.

Safe to run again: it only adds what is missing (see demo.loader). It refuses to run with
production settings, because it creates accounts with a published password.

The demo's bookings are made through booking.services, which e-mail the contact persons once
the transaction commits. Nobody real booked anything, so these e-mails are dropped: Django's
dummy backend stays in force until the commit, and the sending with it, is over. Otherwise
`make run` would print a screen of e-mails over the account table, and the benchmark (production
settings, --force) would try a real mail server.
"""

import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from demo.accounts import DEMO_PASSWORD
from demo.data import ContentError
from demo.loader import DemoLoader
from demo.planning import MissingDemoAccount
from demo.translation import MissingTranslationsError

DROP_EMAIL = "django.core.mail.backends.dummy.EmailBackend"


def _is_production():
    """True with production settings, however they were selected (the demo password is public)."""
    module = getattr(settings, "SETTINGS_MODULE", "") or ""
    from_environment = os.environ.get("DJANGO_SETTINGS_MODULE", "")
    return module.endswith("production") or (
        not settings.DEBUG and "production" in from_environment
    )


class Command(BaseCommand):
    help = (
        "Load the demo site: pages, stories and courses in Dutch and English, themes, "
        "organisations, images, site settings, demo accounts, and course groups with bookings. "
        "Running it again adds only what is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with production settings (e.g. for the benchmark's own database).",
        )

    def handle(self, *args, force=False, **options):
        if _is_production() and not force:
            raise CommandError(
                "These are production settings. load_demo creates accounts with a public "
                "password, so it does not run here. Use --force only on a throw-away database."
            )
        started = time.monotonic()
        # Lines are printed after the transaction, so a closed pipe (load_demo | head) cannot
        # roll back the work.
        lines = []
        try:
            loader = DemoLoader(report=lines.append)  # reads and checks the content files
            # One transaction: a failure leaves the database as it was, never half a demo.
            with override_settings(EMAIL_BACKEND=DROP_EMAIL), transaction.atomic():
                accounts = loader.run()
        except (ContentError, MissingTranslationsError, MissingDemoAccount) as error:
            raise CommandError(f"{error} (nothing was saved)") from error
        finally:
            for line in lines:
                self.stdout.write(line)
        self.print_accounts(accounts)
        self.stdout.write(
            self.style.SUCCESS(f"Demo site ready in {time.monotonic() - started:.1f} s.")
        )

    def print_accounts(self, accounts):
        """A table of the demo accounts, so whoever ran `make run` can log in at once."""
        rows = [("username", "e-mail", "role", "")] + [
            (a.username, a.email, a.role, "new" if created else "") for a, created in accounts
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD})")
        for *cells, note in rows:
            padded = [cell.ljust(width) for cell, width in zip(cells, widths, strict=True)]
            self.stdout.write("  " + "  ".join([*padded, note]).rstrip())
        self.stdout.write("")
