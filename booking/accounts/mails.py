"""The account e-mails: invitations and password-reset links.

Each is sent through `core.mail.send`; when the mail server fails, a task here builds the same
mail again later from ids, with a fresh one-time link. The queue never holds the link or the
person's name.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from booking import emails
from core import mail
from core.site_url import absolute_url

from .tokens import invitation_tokens


def display_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _link(view: str, user, token: str, *, language: str) -> str:
    with translation.override(language):
        path = reverse(
            view, kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": token}
        )
    # SITE_URL, not the request's Host header: a forged host must not end up in a link.
    return absolute_url(path)


def invitation_link(user, *, language: str) -> str:
    """The absolute address of the user's invitation page, in `language`."""
    return _link("accounts:invitation", user, invitation_tokens.make_token(user), language=language)


def invitation_email(user, *, invited_by, language: str):
    """(e-mail, link, valid until) of an invitation to `user` from `invited_by`."""
    link = invitation_link(user, language=language)
    valid_until = timezone.localtime() + datetime.timedelta(days=settings.INVITATION_VALID_DAYS)
    message = emails.compose(
        "invitation",
        {
            "user": user,
            "organisation": user.membership.organisation,
            "invited_by": display_name(invited_by),
            "link": link,
            "valid_until": valid_until,
        },
        to=user.email,
        language=language,
        reply_to=invited_by.email or None,
    )
    return emails.email_of(message), link, valid_until


@task()
def invitation_mail(user_id, invited_by_id, attempt=1):
    """Send an invitation again, unless its account has chosen a password meanwhile."""
    users = get_user_model()._default_manager.select_related("membership__organisation")
    user = users.filter(pk=user_id, is_active=True).first()
    invited_by = users.filter(pk=invited_by_id).first()
    if user is None or invited_by is None or user.has_usable_password():
        return False
    email, _link, _valid_until = invitation_email(
        user, invited_by=invited_by, language=user.membership.language
    )
    return mail.send(email, again=invitation_mail, args=[user_id, invited_by_id], attempt=attempt)


def password_reset_email(user, *, token: str, language: str):
    valid_until = timezone.now() + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    message = emails.compose(
        "password_reset",
        {
            "user": user,
            "link": _link("accounts:password_reset_confirm", user, token, language=language),
            "valid_until": timezone.localtime(valid_until),
        },
        to=user.email,
        language=language,
    )
    return emails.email_of(message)


@task()
def password_reset_mail(user_id, language, attempt=1):
    """A reset link, built again after a mail server failed, for an account still active."""
    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    email = password_reset_email(
        user, token=default_token_generator.make_token(user), language=language
    )
    return mail.send(email, again=password_reset_mail, args=[user_id, language], attempt=attempt)
