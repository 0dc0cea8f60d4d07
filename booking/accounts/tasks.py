"""Sending password-reset links outside the request.

The reset page enqueues this task for every request, known address or not, with the ids of
the accounts found (often none). Both answers then do the same work and take the same time,
and the queue holds ids only, never the typed address.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from .forms import PasswordResetRequestForm


@task()
def send_reset_links(user_ids: list[int], language: str) -> None:
    """A reset link for each account that can still reset its password when the task runs."""
    form = PasswordResetRequestForm()
    users = get_user_model()._default_manager.filter(pk__in=user_ids, is_active=True)
    with translation.override(language):
        for user in users.select_related("membership"):
            context = {
                "email": user.email,
                "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                "user": user,
                "token": default_token_generator.make_token(user),
            }
            form.send_mail(
                "registration/password_reset_subject.txt",
                "registration/password_reset_email.html",
                context,
                None,
                user.email,
            )
