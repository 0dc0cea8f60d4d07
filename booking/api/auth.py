"""Who is asking: a personal API token, a logged-in session, or nobody.

Tokens are Wagtail's own `APIToken` (only a digest is stored; revocable). A token that is sent
but unknown or revoked is refused with 401 everywhere, even on public endpoints and even next
to a valid session cookie: a client with a broken token should hear so at once.

A session counts only with Django's CSRF check on unsafe methods, so another site cannot make
a logged-in browser book seats. Requests without a session cookie skip that check: they carry
no ambient credentials to abuse.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from ninja.errors import AuthenticationError
from ninja.security import SessionAuth
from ninja.utils import check_csrf
from wagtail.api.v3.auth import BearerTokenAuth
from wagtail.models import APIToken

from booking.roles import company_of

from .errors import ApiError


class _Roles:
    """Booking endpoints are for contact persons only (403 for others): of an SW company or a
    referral partner, every organisation that sends learners. `company_of` is the user's
    organisation unless it is a library, so both kinds pass the same check."""

    def __init__(self, *, contact_persons_only: bool = False):
        self.contact_persons_only = contact_persons_only
        super().__init__()

    def _check_role(self, request, result):
        if result is not None and self.contact_persons_only and company_of(request.user) is None:
            raise ApiError(
                403,
                "permission_denied",
                _(
                    "Only contact persons of an SW company or a referral partner can use this "
                    "part of the API."
                ),
            )
        return result


class BearerToken(_Roles, BearerTokenAuth):
    openapi_description = (
        "A personal API token: `Authorization: Bearer wagtail_…`, made in the portal (API keys) "
        "or with `python manage.py create_api_token <username>`; it acts as that contact person."
    )
    openapi_bearerFormat = "wagtail_<secret>"

    def authenticate(self, request, token: str):
        if APIToken.validate_token_format(token):
            result = super().authenticate(request, token)
        else:  # cannot exist: no need to ask the database
            request.user, result = AnonymousUser(), None
        if result is None:
            raise AuthenticationError
        return self._check_role(request, result)


class SessionCookie(_Roles, SessionAuth):
    openapi_description = (
        "The session of someone logged in on the site (the portal). POST requests also need "
        "the CSRF token in the `X-CSRFToken` header."
    )

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        if not request.user.is_authenticated:
            return None
        if check_csrf(request):
            raise ApiError(
                403,
                "csrf_failed",
                _("The security check failed (CSRF). Reload the page and try again."),
            )
        return self._check_role(request, request.user)


class Anonymous:
    """The last resort of public endpoints: answer without a user."""

    def __call__(self, request):
        return AnonymousUser()


def public():
    return [BearerToken(), SessionCookie(), Anonymous()]


def contact_persons():
    return [BearerToken(contact_persons_only=True), SessionCookie(contact_persons_only=True)]
