"""One error shape for every answer of the API that is not a success.

    {"detail": "What went wrong, in a sentence.",
     "code": "a_stable_code",
     "errors": [{"field": "seats.0.first_name", "message": "Use at most 50 characters."}]}

`detail` and the messages are in the language of the request (Dutch unless the client asks for
English); `code` never changes, so programs can act on it. `errors` lists the fields that were
not right, one message per field, and is empty when the problem is not about one field.
"""

import logging
import math

from django.core import signals
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from booking.errors import BookingError
from core.input import NO_LETTER
from core.unavailable import RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE, is_database_unavailable

from .schemas import Error

logger = logging.getLogger("django.request")

# How long a client should wait before retrying a booking that met a busy group (seconds).
BUSY_RETRY_AFTER = 2

# A rule that says no is a conflict with the group's state (409); a request that is wrong in
# itself is a validation error (422); a busy group is temporary (503). Each code is the `code`
# of a BookingError class (booking/errors.py); the API makes up no refusal codes of its own.
STATUS_OF_BOOKING_ERROR = {
    "invalid": 422,
    "not_allowed": 403,
    "busy": 503,
}

VALIDATION_MESSAGES = {
    "missing": _("This field is required."),
    "string_type": _("Enter text."),
    "string_unicode": _("This text contains characters we cannot read."),
    "string_too_long": _("Use at most %(max_length)s characters."),
    "string_too_short": _("Use at least %(min_length)s characters."),
    "int_type": _("Enter a whole number."),
    "int_parsing": _("Enter a whole number."),
    "int_from_float": _("Enter a whole number."),
    "bool_type": _("Enter true or false."),
    "bool_parsing": _("Enter true or false."),
    "greater_than_equal": _("Enter a number of at least %(ge)s."),
    "less_than_equal": _("Enter a number of at most %(le)s."),
    "list_type": _("Send a list."),
    "too_short": _("This list is too short: send at least %(min_length)s."),
    "too_long": _("This list is too long: send at most %(max_length)s."),
    "model_type": _("Send an object with the fields described in the documentation."),
    "model_attributes_type": _("Send an object with the fields described in the documentation."),
    "dict_type": _("Send an object with the fields described in the documentation."),
    "extra_forbidden": _("This field is unknown. Check its spelling."),
    "literal_error": _("Choose one of these: %(expected)s."),
    "enum": _("Choose one of these: %(expected)s."),
    "no_letter": NO_LETTER,
}
UNKNOWN_PROBLEM = _("This value is not valid.")
TOO_LARGE = _("What you sent is too large. Send fewer or shorter details.")
NOT_JSON = _("Send the details as JSON, with the header Content-Type: application/json.")
BAD_REQUEST = _("We could not read the request. Check the address and what you sent.")
SERVER_ERROR = _("Something went wrong on our side. Please try again later.")
JSON_TYPES = ("application/json",)
NO_BODY = _("Send the details as JSON in the body of the request.")


def error_responses(*statuses: int) -> dict:
    """`{status: Error}` for the OpenAPI document: every error an endpoint can give."""
    return dict.fromkeys(statuses, Error)


class ApiError(Exception):
    """An answer in the error shape, raised from an endpoint."""

    def __init__(self, status: int, code: str, detail, errors=(), headers=None):
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = list(errors)
        self.headers = headers or {}
        super().__init__(str(detail))


def field_error(field: str, message, *, code: str = "invalid", status: int = 422) -> ApiError:
    """A problem with one field of the request."""
    return ApiError(
        status,
        code,
        _("Please check what you sent."),
        [{"field": field, "message": str(message)}],
    )


def not_found() -> ApiError:
    return ApiError(404, "not_found", _("We could not find this. Check the number in the address."))


def error_response(status: int, code: str, detail, errors=(), headers=None) -> HttpResponse:
    response = JsonResponse(
        {
            "detail": str(detail),
            "code": code,
            "errors": [
                {"field": error["field"], "message": str(error["message"])} for error in errors
            ],
        },
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def not_authenticated_response() -> HttpResponse:
    return error_response(
        401,
        "not_authenticated",
        _("Log in first, or send a valid API key: Authorization: Bearer <key>."),
        headers={"WWW-Authenticate": 'Bearer realm="Leerplein"'},
    )


def _field_of(location) -> str:
    """`("body", "payload", "seats", 0, "first_name")` → `"seats.0.first_name"`.

    Ninja puts where the value came from first, and for a body the name of the view's argument
    second; neither means anything to the client.
    """
    location = list(location)
    source, rest = (location[0], location[1:]) if location else ("", [])
    if source == "body":
        rest = rest[1:]
    return ".".join(str(part) for part in rest) or "body"


def _message(error: dict, field: str) -> str:
    if field == "body" and error.get("type") == "missing":
        return str(NO_BODY)
    template = VALIDATION_MESSAGES.get(error.get("type"), UNKNOWN_PROBLEM)
    context = error.get("ctx") or {}
    try:
        return str(template) % context if "%(" in str(template) else str(template)
    except (KeyError, TypeError, ValueError):
        return str(UNKNOWN_PROBLEM)


def validation_errors(errors: list[dict]) -> list[dict]:
    """One message per field, the first problem found, in the order ninja reports them."""
    seen = {}
    for error in errors:
        field = _field_of(error.get("loc", ()))
        if field not in seen:
            seen[field] = {"field": field, "message": _message(error, field)}
    return list(seen.values())


def register_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError):
        return error_response(exc.status, exc.code, exc.detail, exc.errors, exc.headers)

    @api.exception_handler(BookingError)
    def booking_error(request: HttpRequest, exc: BookingError):
        status = STATUS_OF_BOOKING_ERROR.get(exc.code, 409)
        headers = {"Retry-After": str(BUSY_RETRY_AFTER)} if status == 503 else None
        if exc.argument:
            # About one field of the request (named like the service's argument).
            error = field_error(exc.argument, exc.message, code=exc.code, status=status)
            return error_response(status, exc.code, error.detail, error.errors, headers)
        return error_response(status, exc.code, exc.message, headers=headers)

    @api.exception_handler(NinjaValidationError)
    def invalid_request(request: HttpRequest, exc: NinjaValidationError):
        return error_response(
            422, "invalid", _("Please check what you sent."), validation_errors(exc.errors)
        )

    @api.exception_handler(AuthenticationError)
    def not_authenticated(request: HttpRequest, exc: AuthenticationError):
        return not_authenticated_response()

    @api.exception_handler(AuthorizationError)
    @api.exception_handler(PermissionDenied)
    def permission_denied(request: HttpRequest, exc: Exception):
        return error_response(
            403,
            "permission_denied",
            _(
                "Only contact persons of an SW company or a referral partner can use this "
                "part of the API."
            ),
        )

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled):
        seconds = math.ceil(exc.wait) if exc.wait else 1
        return error_response(
            429,
            "throttled",
            ngettext(
                "You sent too many requests. Please wait %(seconds)s second and try again.",
                "You sent too many requests. Please wait %(seconds)s seconds and try again.",
                seconds,
            )
            % {"seconds": seconds},
            headers={"Retry-After": str(seconds)},
        )

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig):
        return error_response(413, "too_large", TOO_LARGE)

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request: HttpRequest, exc: SuspiciousOperation):
        # Too many fields, a broken multipart body, a bad host: the request itself is wrong.
        return error_response(400, "malformed", BAD_REQUEST)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError):
        # Ninja turns whatever the body parser raises into a 400; JsonParser's own refusals
        # (415) come through as the cause.
        if isinstance(exc.__cause__, ApiError):
            return api_error(request, exc.__cause__)
        if exc.status_code == 400:
            return error_response(
                400, "malformed", _("We could not read the request. Send valid JSON.")
            )
        return error_response(exc.status_code, "error", str(exc))

    @api.exception_handler(Http404)
    def missing(request: HttpRequest, exc: Http404):
        error = not_found()
        return error_response(error.status, error.code, error.detail)

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception):
        if is_database_unavailable(exc):
            # Temporary: the client may retry, and nothing was changed (the transaction is gone).
            logger.error("Database unavailable: %s", request.path, exc_info=exc)
            return error_response(
                503,
                "unavailable",
                UNAVAILABLE_MESSAGE,
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        # Logged and signalled like Django's own 500 handling (error reports, the test client),
        # but answered in the same shape as every other error.
        logger.error(
            "Internal Server Error: %s", request.path, exc_info=exc, extra={"request": request}
        )
        signals.got_request_exception.send(sender=None, request=request)
        return error_response(500, "server_error", SERVER_ERROR)


class JsonParser(Parser):
    """Reads a body as JSON only when the client says it is JSON: a form post or text/plain
    body is refused with 415, not guessed at (it would be a way around CORS preflight, too)."""

    def parse_body(self, request: HttpRequest):
        content_type = (request.content_type or "").lower()
        if content_type not in JSON_TYPES:
            raise ApiError(415, "unsupported_media_type", NOT_JSON)
        return super().parse_body(request)


# Codes for errors that Django answers before or around the API's views: a middleware that
# refuses the request, a failure outside ninja.
CODE_OF_STATUS = {
    400: "malformed",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
    503: "unavailable",
}
DETAIL_OF_STATUS = {
    400: BAD_REQUEST,
    404: _("We could not find this. Check the number in the address."),
    413: TOO_LARGE,
    500: SERVER_ERROR,
}


class ApiErrorShapeMiddleware:
    """Every error under /api/ in the API's shape, also when Django answered it with an HTML
    page (a middleware that refused the request, a 400 from a suspicious request, a 500 outside
    ninja). A refusal can name its own code and detail with `error_code` and `error_detail` on
    the response (core/input.py does)."""

    prefix = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path_info.startswith(self.prefix)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status = response.status_code
        language = translation.get_language_from_request(request)
        with translation.override(language):
            detail = getattr(response, "error_detail", None) or DETAIL_OF_STATUS.get(
                status, BAD_REQUEST if status < 500 else SERVER_ERROR
            )
            shaped = error_response(
                status,
                getattr(response, "error_code", None) or CODE_OF_STATUS.get(status, "error"),
                detail,
            )
        for header in ("Retry-After", "Allow", "WWW-Authenticate"):
            if header in response:
                shaped[header] = response[header]
        shaped["Content-Language"] = language
        add_never_cache_headers(shaped)
        return shaped
