"""Make a personal API token for a contact person (booking API, /api/v1/).

The token is printed once and never stored: only a digest is kept (Wagtail's APIToken), and an
administrator can revoke it in the database or the shell (`APIToken.revoke()`).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from wagtail.models import APIToken

from booking.roles import company_of


class Command(BaseCommand):
    help = (
        "Make a personal API token for a contact person of an SW company or a referral partner "
        "and print it. "
        "The token acts as that person in the booking API."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The contact person's user name.")
        parser.add_argument(
            "--name",
            default="",
            help="A label to recognise the token by later, e.g. the system that uses it "
            "(default: 'API token' and today's date).",
        )

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f'There is no user "{username}".')
        if not user.is_active:
            raise CommandError(f'The account "{username}" is not active.')
        company = company_of(user)
        if company is None:
            raise CommandError(
                f'"{username}" is not a contact person of an SW company or a referral '
                "partner; only they can use the booking API. Link the account to one first."
            )
        name = name.strip() or f"API token {timezone.localdate():%Y-%m-%d}"
        _token, plaintext = APIToken.create_token(user=user, name=name)
        self.stderr.write(
            f'A new API token for {username} ({company.name}), named "{name}". Keep it secret: '
            "it is shown only once. Send it as `Authorization: Bearer <token>`."
        )
        self.stdout.write(plaintext)
