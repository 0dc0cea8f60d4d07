"""Demo accounts for every role, all with the same published password.

Add an account for a new role by appending a DemoAccount to DEMO_ACCOUNTS; load_demo creates
it and lists it on screen. The command refuses to run with production settings, so this
password never reaches a real site.
"""

from dataclasses import dataclass
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from wagtail.users.models import UserProfile

from booking.models import Membership, Organisation
from booking.roles import COORDINATORS
from home.editorial import EDITORS, FINAL_EDITORS

DEMO_PASSWORD = "leerplein-demo"  # noqa: S105 - the documented demo password


@dataclass(frozen=True)
class DemoAccount:
    username: str
    email: str
    first_name: str
    role: str  # what the account is for, shown in load_demo's table
    superuser: bool = False
    groups: tuple[str, ...] = ()
    organisation: str | None = None  # slug: a library's coordinator, an SW company's contact
    # A library's trainer or volunteer (not a coordinator): assigned to the library's groups
    # as this kind of TrainerAssignment ("trainer" or "volunteer") by the loader.
    teaches_as: str = ""


DEMO_ACCOUNTS = [
    DemoAccount(
        "admin",
        "admin@leerplein.test",
        "Beheerder",
        "administrator: everything",
        superuser=True,
    ),
    DemoAccount(
        "redactie",
        "redactie@leerplein.test",
        "Redacteur",
        "editor: writes and submits stories",
        groups=(EDITORS,),
    ),
    DemoAccount(
        "eindredactie",
        "eindredactie@leerplein.test",
        "Eindredacteur",
        "final editor: approves and publishes",
        groups=(FINAL_EDITORS,),
    ),
    DemoAccount(
        "coordinator-gouda",
        "coordinator-gouda@leerplein.test",
        "Ilse",
        "coordinator: plans the courses of Bibliotheek Gouda",
        groups=(COORDINATORS,),
        organisation="bibliotheek-gouda",
    ),
    DemoAccount(
        "coordinator-deventer",
        "coordinator-deventer@leerplein.test",
        "Bram",
        "coordinator: plans the courses of Bibliotheek Deventer",
        groups=(COORDINATORS,),
        organisation="bibliotheek-deventer",
    ),
    DemoAccount(
        "coordinator-cuijk",
        "coordinator-cuijk@leerplein.test",
        "Noor",
        "coordinator: plans the courses of Biblioplus in Cuijk",
        groups=(COORDINATORS,),
        organisation="biblioplus",
    ),
    DemoAccount(
        "trainer-gouda",
        "trainer-gouda@leerplein.test",
        "Marieke",
        "trainer: teaches the groups of Bibliotheek Gouda",
        organisation="bibliotheek-gouda",
        teaches_as="trainer",
    ),
    DemoAccount(
        "vrijwilliger-gouda",
        "vrijwilliger-gouda@leerplein.test",
        "Sanne",
        "volunteer: helps in the groups of Bibliotheek Gouda",
        organisation="bibliotheek-gouda",
        teaches_as="volunteer",
    ),
    DemoAccount(
        "contact-promen",
        "contact-promen@leerplein.test",
        "Yvonne",
        "contact person: reserves seats for Promen",
        organisation="promen",
    ),
    DemoAccount(
        "contact-konnected",
        "contact-konnected@leerplein.test",
        "Mehmet",
        "contact person: reserves seats for KonnecteD",
        organisation="konnected",
    ),
    DemoAccount(
        "contact-ibn",
        "contact-ibn@leerplein.test",
        "Petra",
        "contact person: reserves seats for IBN",
        organisation="ibn",
    ),
]


@cache
def _demo_password_hash():
    """Hashing is slow on purpose; the accounts share a password, so they share one hash."""
    return make_password(DEMO_PASSWORD)


def ensure_account(account: DemoAccount):
    """Create the user with the demo password if missing; never reset an existing password.

    Returns (user, created). Groups are added, not replaced, so extra rights given by hand stay;
    the organisation is linked only if the user has none (someone may have moved them).
    """
    user, created = get_user_model().objects.get_or_create(
        username=account.username,
        defaults={
            "email": account.email,
            "first_name": account.first_name,
            "is_staff": account.superuser,
            "is_superuser": account.superuser,
        },
    )
    if created:
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
        # The admin follows the browser's language unless the user chose one; the demo's
        # people work in Dutch, whatever browser shows the demo.
        profile = UserProfile.get_for_user(user)
        profile.preferred_language = "nl"
        profile.save(update_fields=["preferred_language"])
    groups = Group.objects.filter(name__in=account.groups)
    missing = [group for group in groups if not user.groups.filter(pk=group.pk).exists()]
    if missing:
        user.groups.add(*missing)
    if account.organisation and not Membership.objects.filter(user=user).exists():
        organisation = Organisation.objects.get(slug=account.organisation)
        Membership.objects.create(
            user=user, organisation=organisation, is_trainer=bool(account.teaches_as)
        )
    return user, created
