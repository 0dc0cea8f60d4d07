"""Inviting a contact person: an account for someone at an SW company or a referral partner,
and an e-mail with a one-time link to choose their password."""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from booking.models import Membership, Organisation
from core import mail

from .mails import invitation_email, invitation_mail

USERNAME_MAX_LENGTH = 150


@dataclass(frozen=True)
class Invitation:
    """What was sent: to whom, the link, until when it works, and whether the mail went out
    now (`delivered`) or waits for a retry."""

    user: object
    link: str
    valid_until: datetime.datetime
    delivered: bool


def _username_for(email: str) -> str:
    """A free user name made from the part of the address before the @ (jan.jansen, then
    jan.jansen-2, …); people may also log in with the address itself."""
    users = get_user_model()._default_manager
    base = re.sub(r"[^\w.+-]", "", email.split("@")[0].lower())[: USERNAME_MAX_LENGTH - 4]
    base = base or "contact"
    candidate, number = base, 1
    while users.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _existing_account(email: str, organisation: Organisation):
    """The account to invite again, None for a new one; refuses addresses already in use."""
    accounts = list(
        get_user_model()
        ._default_manager.filter(email__iexact=email)
        .select_related("membership__organisation")[:2]
    )
    if not accounts:
        return None
    if len(accounts) > 1:
        raise ValidationError(
            {
                "email": gettext(
                    "More than one account uses this e-mail address. Ask an administrator."
                )
            }
        )
    user = accounts[0]
    if user.has_usable_password():
        if user.is_active:
            message = gettext(
                "There is already an account with this e-mail address. The person can log in, "
                "or choose a new password with “Forgot your password?”."
            )
        else:
            message = gettext(
                "The account with this e-mail address is switched off. Ask an administrator."
            )
        raise ValidationError({"email": message})
    if user.is_staff or user.is_superuser:
        raise ValidationError(
            {"email": gettext("This e-mail address belongs to an administrator's account.")}
        )
    membership = getattr(user, "membership", None)
    if membership is not None and membership.organisation_id != organisation.pk:
        raise ValidationError(
            {
                "email": gettext(
                    "This e-mail address was already invited for %(organisation)s. "
                    "Ask an administrator to move the account."
                )
                % {"organisation": membership.organisation.name}
            }
        )
    return user


def invite_contact_person(
    *,
    email: str,
    first_name: str,
    last_name: str,
    organisation: Organisation,
    language: str,
    invited_by,
) -> Invitation:
    """Make (or renew) a contact person's account and e-mail them an invitation.

    The account gets no password: only the link, valid for INVITATION_VALID_DAYS and once,
    lets its owner choose one. Someone invited before who never chose a password is invited
    again, which ends their older links. Raises ValidationError, naming the field, for an
    organisation that sends no learners (a library) or an address that already has an
    account; then nothing has changed.
    """
    if not organisation.sends_learners:
        raise ValidationError(
            {
                "organisation": gettext(
                    "Contact persons work for an SW company or a referral partner. Choose one."
                )
            }
        )
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": gettext("Choose Dutch or English.")})
    email = get_user_model()._default_manager.normalize_email(email.strip())

    with transaction.atomic():
        user = _existing_account(email, organisation)
        if user is None:
            user = get_user_model()._default_manager.create_user(
                username=_username_for(email),
                email=email,
                first_name=first_name,
                last_name=last_name,
            )
        else:
            user.first_name, user.last_name, user.is_active = first_name, last_name, True
            user.set_unusable_password()
            user.save(update_fields=["first_name", "last_name", "is_active", "password"])
        Membership.objects.update_or_create(
            user=user, defaults={"organisation": organisation, "language": language}
        )

    email, link, valid_until = invitation_email(user, invited_by=invited_by, language=language)
    # Tried at once, so the administrator hears whether it went out; a failing mail server is
    # tried again later by the queue, from ids.
    delivered = mail.send(email, again=invitation_mail, args=[user.pk, invited_by.pk])
    return Invitation(user=user, link=link, valid_until=valid_until, delivered=delivered)
