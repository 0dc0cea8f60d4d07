"""The "busy, try again" answer when the database cannot be reached or is restarting.

Django turns an exception raised anywhere in a request (a view, or a middleware such as the
route cache) into a response through `handler500` (config/urls.py), called while the
exception is being handled. `server_error` answers a lost database with 503 and Retry-After,
so browsers and clients know to come back soon, and leaves every other error to Django's own
500 page. The 503 page is rendered without a request context: no context processor or tag
may touch the database that is gone. The API's own handler (booking/api/errors.py) uses the
same test and message for errors raised inside an endpoint.

Recovery needs nothing here: a connection that failed is marked unusable and closed at the
end of the request, and CONN_HEALTH_CHECKS makes the next request check a kept connection
before using it (config/settings/base.py).
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views import defaults

from core.error_pages import plain_page, visitor_language

# Seconds before a retry: about the time PostgreSQL takes to restart or fail over.
RETRY_AFTER_SECONDS = 10
API_PREFIX = "/api/"
UNAVAILABLE_MESSAGE = _(
    "We cannot handle your request right now because our system is restarting. "
    "Please try again in a minute."
)


def is_database_unavailable(error: BaseException | None) -> bool:
    """The database did not answer: no connection, or a connection that broke.

    Django wraps the driver's errors in its own classes; an OperationalError that is a lock
    timeout never gets here, since booking/services.py turns it into BookingBusy first.
    """
    return isinstance(error, OperationalError | InterfaceError)


def unavailable_json(detail) -> HttpResponse:
    """The API's error shape (booking/api/errors.py) for a request that failed before the
    API itself was reached."""
    response = JsonResponse(
        {"detail": str(detail), "code": "unavailable", "errors": []},
        status=503,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After, in the visitor's language: JSON under /api/, else a page."""
    if not request.path_info.startswith(API_PREFIX):
        response = plain_page(
            request, "503.html", status=503, heading=_("It is very busy right now")
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    with translation.override(visitor_language(request)):
        response = unavailable_json(UNAVAILABLE_MESSAGE)
        response["Content-Language"] = translation.get_language()
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """`handler500`: a lost database is 503, anything else Django's own 500 page."""
    error = sys.exception()
    if is_database_unavailable(error):
        # Django logs it with the exception ("Service Unavailable: /path") after this returns.
        return unavailable_response(request)
    return defaults.server_error(request)
