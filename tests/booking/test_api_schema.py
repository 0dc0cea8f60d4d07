"""The API's OpenAPI document and documentation page, and the API checked against its own
document by schemathesis: no server errors, and no answer the document does not describe."""

import json
import re
from html.parser import HTMLParser

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from wagtail.models import APIToken

from booking import services
from booking.api.schemas import MAX_SEATS_PER_BOOKING

from .factories import CourseGroupFactory, SeatFactory

OPENAPI = "/api/v1/openapi.json"
DOCS = "/api/v1/docs"
ERROR_STATUSES = {"400", "401", "403", "404", "409", "422", "429", "503"}


def test_the_openapi_document_describes_the_api(client, settings):
    settings.API_RATE_LIMIT_AUTHENTICATED = "99/min"

    response = client.get(OPENAPI)

    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Leerplein booking API"
    description = document["info"]["description"]
    assert '"code": "invalid"' in description and "Retry-After" in description
    assert "99/min per token" in description
    assert document["components"]["securitySchemes"]["BearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "wagtail_<secret>",
        "description": document["components"]["securitySchemes"]["BearerToken"]["description"],
    }
    error = document["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"detail", "code", "errors"}
    assert set(document["paths"]) == {
        "/api/v1/groups",
        "/api/v1/groups/{group_id}",
        "/api/v1/bookings",
        "/api/v1/bookings/{booking_id}",
        "/api/v1/bookings/{booking_id}/cancel",
        "/api/v1/bookings/{booking_id}/history",
        "/api/v1/groups/{group_id}/held-seats",
        "/api/v1/bookings/{booking_id}/seats/{seat_id}/move",
        "/api/v1/alerts",
        "/api/v1/alerts/{alert_id}",
    }


def test_every_operation_documents_its_errors_and_who_may_call_it(client):
    paths = client.get(OPENAPI).json()["paths"]

    for path, operations in paths.items():
        for method, operation in operations.items():
            responses = operation["responses"]
            errors = set(responses) & ERROR_STATUSES
            assert {"401", "422", "429"} <= errors, (method, path)
            for status in errors:
                schema = responses[status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}
            schemes = [next(iter(option), None) for option in operation["security"]]
            if path.startswith("/api/v1/groups") and method == "get":
                assert schemes == ["BearerToken", "SessionCookie", None]  # None: anonymous
            else:
                assert schemes == ["BearerToken", "SessionCookie"]
                assert "403" in errors
            if "{" in path:
                assert "404" in errors


def test_the_booking_body_is_limited_in_the_document(client):
    schemas = client.get(OPENAPI).json()["components"]["schemas"]

    seats = schemas["BookingIn"]["properties"]["seats"]
    assert (seats["minItems"], seats["maxItems"]) == (1, MAX_SEATS_PER_BOOKING)
    lengths = {
        name: field["anyOf"][0]["maxLength"]
        for name, field in schemas["SeatIn"]["properties"].items()
    }
    assert lengths == {"first_name": 50, "learning_goal": 300, "support_needs": 300}
    assert schemas["BookingIn"]["additionalProperties"] is False


class Assets(HTMLParser):
    """Every address a page loads, and the inline scripts it would run."""

    def __init__(self):
        super().__init__()
        self.urls, self.inline_scripts, self.inline_styles = [], [], 0
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("style"):
            self.inline_styles += 1
        if tag == "style":
            self.inline_styles += 1
        if tag == "script":
            if attrs.get("src"):
                self.urls.append(attrs["src"])
            elif attrs.get("type") != "application/json":
                self._in_script = True
        for name in ("href", "src"):
            if tag in ("link", "img", "iframe") and attrs.get(name):
                self.urls.append(attrs[name])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


def test_the_documentation_page_loads_only_our_own_files_under_our_policy(client, db):
    response = client.get(DOCS)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = Assets()
    page.feed(response.content.decode())
    assert page.urls, "the page loads Swagger UI"
    assert all(url.startswith("/static/") for url in page.urls), page.urls
    assert any(url.endswith("swagger-ui-bundle.js") for url in page.urls)
    assert page.inline_scripts == [] and page.inline_styles == 0
    assert OPENAPI.encode() in response.content
    for url in page.urls:
        assert client.get(url).status_code == 200, url  # served by whitenoise, from us

    policy = {
        part.split()[0]: part.split()[1:]
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    }
    assert policy["default-src"] == ["'self'"]
    for directive in ("script-src", "style-src", "connect-src", "font-src"):
        assert directive not in policy  # so default-src 'self' holds for them
    assert not re.search(r"unsafe-(inline|eval)", response["Content-Security-Policy"])
    assert policy["img-src"] == ["'self'", "data:"]  # Swagger UI's icons are data: SVGs


def test_the_swagger_bundle_asks_nothing_from_other_sites_by_itself(client, db):
    """Swagger UI's only built-in outside address is its validator badge, which is off."""
    response = client.get(DOCS)

    assert b'"validatorUrl": null' in response.content


# -- schemathesis --------------------------------------------------------------------------------

schema = schemathesis.openapi.from_wsgi(OPENAPI, WSGIHandler())


def _whole_numbers_as_integers(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers_as_integers(item) for item in value]
    if isinstance(value, dict):
        return {key: _whole_numbers_as_integers(item) for key, item in value.items()}
    return value


@schema.hook
def map_body(context, body):
    """JSON Schema counts 9.0 as an integer; the API takes types strictly and refuses it (the
    API's description says so; test_api_hostile_input.py tests it), so "valid" bodies send it
    as 9."""
    return _whole_numbers_as_integers(body)


@pytest.fixture
def keep_test_connection():
    """Requests through the real WSGI handler would close the database connection that holds
    the test's transaction (Django's test client avoids this the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def contact_token(people, course, settings, keep_test_connection):
    """Demo-ish data: groups in several states, bookings of two companies, a contact's token."""
    settings.API_RATE_LIMIT_AUTHENTICATED = "100000/min"
    settings.API_RATE_LIMIT_ANONYMOUS = "100000/min"
    roomy = CourseGroupFactory(course=course, library=people.gouda, capacity=20)
    full = CourseGroupFactory(course=course, library=people.gouda, capacity=2)
    CourseGroupFactory(course=course, library=people.gouda, status="cancelled")
    CourseGroupFactory(course=course, library=people.gouda, closed_window=True)
    CourseGroupFactory(course=course, library=people.gouda, restricted_to=people.konnected)
    CourseGroupFactory(course=course, library=people.deventer, draft=True)
    for group, company in ((roomy, "promen"), (full, "konnected"), (full, "promen")):
        services.reserve_seats(
            group=group,
            organisation=getattr(people, company),
            by=getattr(people, f"contact_{company}"),
            seats=2,
        )
    SeatFactory(booking__group=roomy, booking__organisation=people.konnected)
    return APIToken.create_token(user=people.contact_promen, name="schemathesis")[1]


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_the_api_keeps_to_its_document(case, contact_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {contact_token}"})


def test_the_openapi_document_names_each_status_once(client):
    """JSON with a key twice is read differently by different tools (Swagger UI refuses it)."""
    duplicated = []

    def keep_pairs(pairs):
        keys = [key for key, _value in pairs]
        duplicated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=keep_pairs)
    assert duplicated == []
