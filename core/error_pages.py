"""Pages for requests that went wrong, in the visitor's language, that stand on their own.

They are rendered without the request's context processors, so they need no database, no
session and nothing from a request that may not be trusted; the language comes from the first
part of the path, else from the browser. Django's own pages for these cases are English and
technical (a forgotten tab that answers "403 Forbidden: CSRF verification failed").
"""

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import requires_csrf_token

CANNOT_READ = _("We cannot read this address")


def visitor_language(request: HttpRequest) -> str:
    return translation.get_language_from_path(
        request.path_info
    ) or translation.get_language_from_request(request)


def plain_page(
    request: HttpRequest, template: str, *, status: int, heading, **context
) -> HttpResponse:
    """`template` (which extends plain_page.html) under `heading`, in the visitor's language,
    never stored by a cache."""
    language = visitor_language(request)
    with translation.override(language):
        body = render_to_string(template, {"language": language, "heading": heading, **context})
    response = HttpResponse(body, status=status)
    response["Content-Language"] = language
    response["Cache-Control"] = "no-store"
    return response


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    """`handler400`: a request Django could not trust (a bad Host header, say)."""
    return plain_page(request, "400.html", status=400, heading=CANNOT_READ)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    """`handler403`: a page or action this account may not use."""
    return plain_page(request, "403.html", status=403, heading=_("You cannot open this page"))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from a page that was open too long, or without cookies.

    The reason Django gives is for developers (and logged by Django); the visitor gets what
    to do about it.
    """
    return plain_page(request, "403_csrf.html", status=403, heading=_("This form has expired"))
