"""The forms of signing in and choosing a password, in plain words."""

import unicodedata

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core import mail

from .mails import password_reset_email, password_reset_mail

# Long enough for any e-mail address (RFC 5321), and for every user name.
LOGIN_MAX_LENGTH = 254


def _same_address(one: str, other: str) -> bool:
    def fold(value):
        return unicodedata.normalize("NFKC", value or "").casefold()

    return fold(one) == fold(other)


def language_of(user) -> str:
    """The language of a person's e-mails: their own choice, else the page they are on."""
    membership = getattr(user, "membership", None)
    if membership is not None and membership.language:
        return membership.language
    return get_language() or settings.LANGUAGE_CODE


class LoginForm(AuthenticationForm):
    """One field for the user name or the e-mail address, and the password.

    A wrong password, an unknown name and a switched-off account get the same message, so the
    form does not tell who has an account.
    """

    error_messages = {
        "invalid_login": _(
            "The e-mail address, user name or password is not right. Please try again."
        ),
        "inactive": _("The e-mail address, user name or password is not right. Please try again."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = _("E-mail address or user name")
        username.max_length = LOGIN_MAX_LENGTH
        username.widget.attrs.update(
            {
                "maxlength": LOGIN_MAX_LENGTH,
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        )
        self.fields["password"].label = _("Password")


class PasswordResetRequestForm(PasswordResetForm):
    """Asks for an e-mail address and sends a reset link to its account, if there is one.

    The page that follows is the same either way. The reset view hands the accounts found to
    a task (tasks.send_reset_links), so the answer takes as long whether or not one was found.
    """

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def get_users(self, email):
        """Active accounts with this address. Someone who was invited but never chose a
        password (an unusable one) may choose one here too: that is what an expired
        invitation link sends them to."""
        users = (
            get_user_model()
            ._default_manager.filter(email__iexact=email, is_active=True)
            .select_related("membership")
        )
        return (
            user
            for user in users
            if _same_address(email, user.email)
            and (user.has_usable_password() or hasattr(user, "membership"))
        )

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        user = context["user"]
        language = language_of(user)
        email = password_reset_email(user, token=context["token"], language=language)
        # A failing mail server is tried again later from ids: the queue never holds the link.
        mail.send(email, again=password_reset_mail, args=[user.pk, language])


class NewPasswordForm(SetPasswordForm):
    """Choosing a password: the rules in one plain sentence instead of a list."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        first, second = self.fields["new_password1"], self.fields["new_password2"]
        first.label = _("New password")
        first.help_text = " ".join(
            str(text) for text in password_validation.password_validators_help_texts()
        )
        second.label = _("Type the new password again")
        second.help_text = ""
