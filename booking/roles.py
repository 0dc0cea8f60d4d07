"""Who someone is in the booking domain: a library's coordinator or trainer, an SW company's
contact person, or a superuser who sees everything."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from booking.models import Membership, Organisation

COORDINATORS = "Cursuscoördinatoren"

# What a coordinator needs in the admin; which rows they see is decided by the library they
# belong to (booking/selectors.py), not by these model-wide permissions.
COORDINATOR_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("booking", "view_organisation"),
    ("booking", "view_location"),
    ("booking", "add_location"),
    ("booking", "change_location"),
    ("booking", "view_membership"),
    ("booking", "view_coursegroup"),
    ("booking", "add_coursegroup"),
    ("booking", "change_coursegroup"),
    ("booking", "view_booking"),
    ("booking", "change_booking"),
    ("booking", "view_seat"),
    ("booking", "change_seat"),
    ("booking", "view_intakequestion"),
    ("booking", "add_intakequestion"),
    ("booking", "change_intakequestion"),
    ("booking", "delete_intakequestion"),
    ("booking", "view_advicerule"),
    ("booking", "add_advicerule"),
    ("booking", "change_advicerule"),
    ("booking", "delete_advicerule"),
]


def _membership(user) -> Membership | None:
    """The user's membership with its organisation, remembered on the user object, so a
    request asks the database once."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_leerplein_membership"):
        user._leerplein_membership = (
            Membership.objects.select_related("organisation").filter(user=user).first()
        )
    return user._leerplein_membership


def organisation_of(user) -> Organisation | None:
    """The organisation the user works for (None for anonymous users and users without one)."""
    membership = _membership(user)
    return membership.organisation if membership else None


def library_of(user) -> Organisation | None:
    """The library the user coordinates courses for, if any (a trainer coordinates none)."""
    membership = _membership(user)
    if membership and membership.organisation.is_library and not membership.is_trainer:
        return membership.organisation
    return None


def trains_for(user) -> Organisation | None:
    """The library a trainer or volunteer teaches for, if the user is one."""
    membership = _membership(user)
    if membership and membership.organisation.is_library and membership.is_trainer:
        return membership.organisation
    return None


def company_of(user) -> Organisation | None:
    """The SW company (or referral partner) the user books for, if any."""
    organisation = organisation_of(user)
    return organisation if organisation and not organisation.is_library else None


def coordinates(user, group) -> bool:
    """May `user` manage `group`? Superusers and the coordinators of its library may."""
    if getattr(user, "is_superuser", False):
        return True
    library = library_of(user)
    return library is not None and library.pk == group.library_id


def teaches(user, group) -> bool:
    """Is `user` a trainer or volunteer of `group`'s library, assigned to the group?"""
    library = trains_for(user)
    return (
        library is not None
        and library.pk == group.library_id
        and group.trainer_assignments.filter(trainer=user).exists()
    )


def books_for(user, organisation) -> bool:
    """Is `user` a contact person of `organisation`?"""
    company = company_of(user)
    return company is not None and company.pk == organisation.pk


def ensure_coordinator_group() -> Group:
    """The coordinators' group with its permissions; safe to run again."""
    group, _created = Group.objects.get_or_create(name=COORDINATORS)
    wanted = Q()
    for app_label, codename in COORDINATOR_PERMISSIONS:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.add(*Permission.objects.filter(wanted))
    return group
