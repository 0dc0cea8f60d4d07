"""The API against hostile input: control characters, bodies too large, loose types, bodies
that are not JSON. Every refusal is a 4xx in the one error shape and changes nothing."""

import json

import pytest
from django.core.exceptions import SuspiciousOperation

from booking.models import Seat

from .test_api import BOOKINGS, EN, GROUPS, bearer, book, footprint, post, tokens  # noqa: F401


def assert_error_shape(response, status, code):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert body["code"] == code
    assert body["detail"]
    return body


# -- item 2: control characters -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        GROUPS + "?city=Gou%00da",
        GROUPS + "?city=%01",
        GROUPS + "?status=open%00",
        GROUPS + "/1%00",
        BOOKINGS + "?group=1%00",
        "/api/v1/bo%00okings",
        "/api/%00",
    ],
)
def test_control_characters_in_an_api_address_answer_400_in_the_error_shape(client, url):
    body = assert_error_shape(client.get(url, headers=EN), 400, "control_characters")
    assert "web address" in body["detail"]


def test_control_characters_in_an_api_address_are_explained_in_dutch(client, db):
    body = assert_error_shape(client.get(GROUPS + "?city=%00"), 400, "control_characters")
    assert "webadres" in body["detail"]


def test_a_nul_in_a_first_name_is_stripped_not_stored(client, group, tokens):  # noqa: F811
    body = {"group_id": group.pk, "seats": [{"first_name": "An\x00na"}]}
    response = post(client, BOOKINGS, body, tokens.promen)
    assert response.status_code == 201
    assert Seat.objects.get().first_name == "An na"


# -- item 3: body too large, every error in the error shape -----------------------------------


def test_a_body_over_the_upload_limit_answers_413(client, group, tokens, settings):  # noqa: F811
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = footprint()
    body = {"group_id": group.pk, "seats": [{"learning_goal": "x" * 300}] * 10}
    response = post(client, BOOKINGS, body, tokens.promen, **EN)
    body = assert_error_shape(response, 413, "too_large")
    assert "too large" in body["detail"]
    assert footprint() == before


def test_a_suspicious_request_answers_400_in_the_error_shape(client, db, monkeypatch):
    def suspicious(*args, **kwargs):
        raise SuspiciousOperation("made up")

    monkeypatch.setattr("booking.api.groups.CourseGroup.objects.exclude", suspicious)
    response = client.get(GROUPS, headers=EN)
    assert_error_shape(response, 400, "malformed")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url", "status", "code"),
    [
        ("get", "/api/v1/nowhere", 404, "not_found"),
        ("get", "/api/elsewhere", 404, "not_found"),
        ("delete", GROUPS, 405, "method_not_allowed"),
        ("put", BOOKINGS, 405, "method_not_allowed"),
    ],
)
def test_errors_outside_the_endpoints_have_the_error_shape(client, method, url, status, code):
    assert_error_shape(getattr(client, method)(url, headers=EN), status, code)


def test_a_bad_host_under_api_answers_in_the_error_shape(client, db, settings):
    settings.ALLOWED_HOSTS = ["leerplein.example"]
    response = client.get(GROUPS, headers=EN, HTTP_HOST="evil.example")
    assert_error_shape(response, 400, "malformed")


def test_a_crash_outside_ninja_answers_500_in_the_error_shape(db, monkeypatch):
    from django.test import Client

    def broken(self, request):
        raise RuntimeError("boom")

    monkeypatch.setattr("core.cache.AnonymousPageCacheMiddleware.__call__", broken)
    response = Client(raise_request_exception=False).get(GROUPS, headers=EN)
    assert_error_shape(response, 500, "server_error")


# -- item 5: strict types, JSON only, names with a letter -------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        # `true` was group 1, "9" and 9.0 were group 9.
        (lambda group: {"group_id": True}, "group_id"),
        (lambda group: {"group_id": str(group.pk)}, "group_id"),
        (lambda group: {"group_id": float(group.pk)}, "group_id"),
        (lambda group: {"seats": [{"first_name": 5}]}, "seats.0.first_name"),
        (lambda group: {"seats": [{"first_name": ["Anna"]}]}, "seats.0.first_name"),
        (lambda group: {"seats": "1"}, "seats"),
    ],
)
def test_loose_types_are_refused_not_coerced(client, group, tokens, change, field):  # noqa: F811
    body = {"group_id": group.pk, "seats": [{}], **change(group)}
    before = footprint()
    response = post(client, BOOKINGS, body, tokens.promen, **EN)
    answer = assert_error_shape(response, 422, "invalid")
    assert [error["field"] for error in answer["errors"]] == [field]
    assert footprint() == before


def test_cancel_body_is_strict_too(client, group, tokens):  # noqa: F811
    booking_id = post(
        client, BOOKINGS, {"group_id": group.pk, "seats": [{}]}, tokens.promen
    ).json()["id"]
    seat_id = Seat.objects.get().pk
    response = post(
        client, f"{BOOKINGS}/{booking_id}/cancel", {"seat_ids": [str(seat_id)]}, tokens.promen
    )
    assert_error_shape(response, 422, "invalid")
    assert Seat.objects.get().status == Seat.Status.CONFIRMED


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_a_body_that_is_not_declared_json_answers_415(client, group, tokens, content_type):  # noqa: F811
    before = footprint()
    data = json.dumps({"group_id": group.pk, "seats": [{}]})
    response = client.generic(
        "POST",
        BOOKINGS,
        data,
        content_type=content_type,
        headers=bearer(tokens.promen, **EN),
    )
    body = assert_error_shape(response, 415, "unsupported_media_type")
    assert "application/json" in body["detail"]
    assert footprint() == before


def test_json_with_a_charset_is_json(client, group, tokens):  # noqa: F811
    data = json.dumps({"group_id": group.pk, "seats": [{}]})
    response = client.post(
        BOOKINGS,
        data,
        content_type="application/json; charset=utf-8",
        headers=bearer(tokens.promen),
    )
    assert response.status_code == 201


def test_a_cancel_without_a_body_needs_no_content_type(client, group, tokens):  # noqa: F811
    booking_id = post(
        client, BOOKINGS, {"group_id": group.pk, "seats": [{}]}, tokens.promen
    ).json()["id"]
    response = client.generic(
        "POST", f"{BOOKINGS}/{booking_id}/cancel", "", headers=bearer(tokens.promen)
    )
    assert response.status_code == 200
    assert Seat.objects.get().status == Seat.Status.CANCELLED


@pytest.mark.parametrize(
    "name",
    [
        "\u200b",
        "\u200b\u200c\u2060",
        "\u00a0\u200b",
        "...",
        "\x00\u200d",
        "\ufeff-",
        # Only spaces, tabs or line breaks: something was typed, and it names nobody.
        " \u00a0 ",
        "\x00\x01",
        "\t\n",
    ],
)
def test_a_first_name_without_a_visible_letter_is_refused(client, group, tokens, name):  # noqa: F811
    before = footprint()
    body = {"group_id": group.pk, "seats": [{"first_name": name}]}
    response = post(client, BOOKINGS, body, tokens.promen, **EN)
    answer = assert_error_shape(response, 422, "invalid")
    assert answer["errors"] == [
        {
            "field": "seats.0.first_name",
            "message": "A name needs at least one letter. "
            "Leave it empty if you do not know the name.",
        }
    ]
    assert footprint() == before


@pytest.mark.parametrize("name", ["", None])
def test_an_empty_first_name_is_no_name(client, group, tokens, name):  # noqa: F811
    body = {"group_id": group.pk, "seats": [{"first_name": name}]}
    assert post(client, BOOKINGS, body, tokens.promen).status_code == 201
    assert Seat.objects.get().first_name == ""


@pytest.mark.parametrize("name", [" Anna ", "Anna\t"])
def test_spaces_around_a_name_are_dropped(client, group, tokens, name):  # noqa: F811
    body = {"group_id": group.pk, "seats": [{"first_name": name}]}
    assert post(client, BOOKINGS, body, tokens.promen).status_code == 201
    assert Seat.objects.get().first_name == "Anna"


@pytest.mark.parametrize("name", ["Anna", "A.B.", "Ĳsbrand", "李", "Zoë-2"])
def test_names_with_a_letter_are_kept(client, group, tokens, name):  # noqa: F811
    body = {"group_id": group.pk, "seats": [{"first_name": name}]}
    assert post(client, BOOKINGS, body, tokens.promen).status_code == 201
    assert Seat.objects.get().first_name == name


def test_the_openapi_schema_documents_413_and_415_on_every_body(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    bodies = [
        operation
        for operations in schema["paths"].values()
        for operation in operations.values()
        if "requestBody" in operation
    ]
    assert bodies
    for operation in bodies:
        assert {"413", "415"} <= set(operation["responses"])
