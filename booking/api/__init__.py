"""The booking API (`/api/v1/`), built with django-ninja.

Public: course groups and their free seats. For contact persons of an SW company or a
referral partner (personal API token or the portal's session): reserve, read, move and
cancel their organisation's bookings, give back seats held for them, keep "er is plek"
alerts, and read their bookings' history. The OpenAPI document is at
`/api/v1/openapi.json`, its documentation page at `/api/v1/docs` (Swagger UI, served from our
own static files).
"""

import json
from functools import wraps

from django.conf import settings
from django.http import Http404, HttpResponseNotAllowed
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Router
from ninja.openapi.docs import Swagger, render_template

from .alerts import router as alerts_router
from .bookings import router as bookings_router
from .errors import JsonParser, error_response, not_found, register_error_handlers
from .groups import router as groups_router
from .throttling import AnonymousRateThrottle, AuthenticatedRateThrottle

DESCRIPTION = """\
Course groups with free seats (public), and the bookings of your own organisation: an SW
company or a referral partner (UWV, a social team, a school, a welfare organisation).

## Authentication

Send a personal API token: `Authorization: Bearer wagtail_…`. Contact persons make one in the
portal (API keys), an administrator with `python manage.py create_api_token <username>`; it
acts as that contact person and can be revoked. The portal's session works too (then POST
requests need the `X-CSRFToken` header). Only contact persons of an SW company or a referral
partner can use the booking endpoints (others: 403); both work the same way. You only ever see
your own organisation's bookings: any other booking answers 404.

## Language

Messages are in Dutch; send `Accept-Language: en` for English.

## Errors

Every error has the same shape:

```json
{{"detail": "Please check what you sent.",
 "code": "invalid",
 "errors": [{{"field": "seats.0.first_name", "message": "Use at most 50 characters."}}]}}
```

`code` is stable; `detail` and `errors` are meant for people. Nothing changes when an error
is answered.

- 400 `malformed`: the body is not JSON, or the request cannot be read;
  `control_characters`: the address or a query parameter holds a control character (a NUL
  byte, say).
- 401 `not_authenticated`: no token or session, or a wrong or revoked token.
- 403 `permission_denied`: not a contact person of an SW company or a referral partner;
  `csrf_failed`: a session POST without its CSRF token; `not_allowed`: the group is only for
  another organisation.
- 404 `not_found`: it does not exist, or it is not yours.
- 405 `method_not_allowed`.
- 409: a booking rule says no: `not_bookable` (closed, cancelled, outside the booking
  window), `too_many_seats`, `organisation_limit`, `deadline_passed`, `invalid_state`;
  `idempotency_key_reused`: the `Idempotency-Key` was sent before with another reservation.
- 413 `too_large`: the body is larger than the server accepts.
- 415 `unsupported_media_type`: a body sent without `Content-Type: application/json`.
- 422 `invalid`: a field is not right; one message per field in `errors`. Types are strict:
  a number is a JSON number without a fraction (not `"9"`, `9.0` or `true`), text is a JSON
  string, and a first name needs at least one letter.
- 429 `throttled`: too many requests; wait `Retry-After` seconds.
- 503 `busy`: the group was busy; try again after `Retry-After` seconds.
- 503 `unavailable`: our system is restarting. Try again after `Retry-After` seconds; send
  a reservation again with the same `Idempotency-Key`, so it is never made twice.

## Retrying a reservation safely

A reservation (`POST /bookings`) may carry an `Idempotency-Key` header: a key of your own,
for example a UUID, at most 255 visible characters. If you get no answer (a timeout, a lost
connection), send the same request again with the same key: within 24 hours you get the
first answer back (same status and body, with the header `Idempotent-Replayed: true`) and no
second booking is made, even when both requests arrive at once. Keys are per organisation.
The same key with a different request answers 409 `idempotency_key_reused`; use a new key for
each new reservation. A refused reservation is not remembered, so its retry is tried again.

## Seats held for you

A library can hold seats of a group for your organisation until a date. Nobody else can book
them, so `seats_free` leaves them out; your own view of the group shows them as
`seats_held_for_you`, held until `seats_held_for_you_until`. Reserve as usual: your seats are
taken from the held ones first. Do you not need them? `DELETE /groups/{{group_id}}/held-seats`
gives them back; the waiting list gets them first.

## Moving a seat

`POST /bookings/{{booking_id}}/seats/{{seat_id}}/move` with `{{"group_id": …}}` moves one seat to
another group of the same course, under the same rules as in the portal (a group of another
course: 403 `not_allowed`). The answer is the new booking that holds the seat.

## Rate limit

{authenticated} per token or logged-in user, {anonymous} per IP address without one. Above it
the API answers 429 with a `Retry-After` header.
"""


class Documentation(Swagger):
    """Swagger UI from our own static files (ninja's copy; no CDN), which fits the site's
    Content Security Policy as it is: no inline scripts or styles, no other origins. The page
    carries a CSRF token, so trying a POST with the portal's session works too."""

    def render_page(self, request, api, **kwargs):
        page_settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {"swagger_settings": json.dumps(page_settings), "api": api, "add_csrf": True}
        return render_template(request, self.template, self.template_cdn, context)


class LeerpleinAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        self.description = DESCRIPTION.format(
            authenticated=settings.API_RATE_LIMIT_AUTHENTICATED,
            anonymous=settings.API_RATE_LIMIT_ANONYMOUS,
        )
        schema = super().get_openapi_schema(**kwargs)
        _document_request_errors(schema)
        return schema

    def _get_urls(self):
        patterns = super()._get_urls()
        for pattern in patterns:
            pattern.callback = _api_view(pattern.callback)
        return patterns


ADDRESS_ERRORS = {
    "400": "The address or a query parameter holds a control character "
    "(`control_characters`), or the request cannot be read (`malformed`).",
}
BODY_ERRORS = {
    "413": "The body is larger than the server accepts (`too_large`).",
    "415": "The body was not sent as `Content-Type: application/json` (`unsupported_media_type`).",
}


def _document_request_errors(schema) -> None:
    """Errors any operation can give, whichever endpoint it is, so added here rather than to
    each: 400 for an address with a control character (core/input.py), and for an operation
    that reads a body 413 (the upload limit) and 415 (errors.py's JsonParser)."""
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for operations in schema["paths"].values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            errors = {**ADDRESS_ERRORS, **(BODY_ERRORS if "requestBody" in operation else {})}
            responses = operation["responses"]
            # ninja keys the statuses it knows by number: a string key beside it would be the
            # same status twice in the JSON document.
            documented = {str(status) for status in responses}
            for status, description in errors.items():
                if status not in documented:
                    responses[status] = {"description": description, **error}


def _api_view(view):
    """What every API address does around ninja's own view.

    The language comes from the request (Accept-Language, or the site's language cookie),
    never from a URL prefix, which API addresses do not have. Answers are never cached: they
    are personal or change with every booking. A 404 (the API root, say) and a 405 answer in
    the error shape.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        language = translation.get_language_from_request(request)
        with translation.override(language):
            try:
                response = view(request, *args, **kwargs)
            except Http404:
                error = not_found()
                response = error_response(error.status, error.code, error.detail)
            if isinstance(response, HttpResponseNotAllowed):
                response = error_response(
                    405,
                    "method_not_allowed",
                    _("This address does not accept %(method)s requests.")
                    % {"method": request.method},
                    headers={"Allow": response["Allow"]},
                )
        add_never_cache_headers(response)
        patch_vary_headers(response, ["Accept-Language", "Authorization", "Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response

    # Session requests are checked for CSRF by the API's own authentication (auth.py), which
    # ninja's views rely on; the other addresses (docs, the root) change nothing.
    wrapper.csrf_exempt = True
    return wrapper


@_api_view
def unknown_api_address(request, *args, **kwargs):
    """Any address under /api/ outside a version of the API (wired in config/urls.py)."""
    raise Http404


unknown_router = Router(auth=None)


@unknown_router.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False
)
def unknown_address(request, rest: str):
    raise Http404


api = LeerpleinAPI(
    title="Leerplein booking API",
    version="1",
    urls_namespace="api",
    # No validator badge: it would load an image from validator.swagger.io.
    docs=Documentation(settings={"validatorUrl": None}),
    docs_url="/docs",
    throttle=[AuthenticatedRateThrottle(), AnonymousRateThrottle()],
    parser=JsonParser(),
)
register_error_handlers(api)
api.add_router("", groups_router)
api.add_router("", bookings_router)
api.add_router("", alerts_router)
# Last, so it only answers what no endpoint above matched.
api.add_router("", unknown_router)
