"""Reservations with an `Idempotency-Key`: a client that retries after a timeout gets the
first answer back and never a second booking, even when both requests arrive at once."""

import datetime
import json
import threading
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django.utils import timezone
from wagtail.models import APIToken

from booking.models import Booking, IdempotencyKey, Seat

from .factories import CompanyFactory, CourseGroupFactory, LibraryFactory, UserFactory

BOOKINGS = "/api/v1/bookings"
EN = {"Accept-Language": "en"}
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def token_for(user):
    return APIToken.create_token(user=user, name="test")[1]


def reserve(client, token, body, key=None, **headers):
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(
        BOOKINGS,
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", **headers},
    )


@pytest.fixture
def tokens(people):
    return SimpleNamespace(
        promen=token_for(people.contact_promen), konnected=token_for(people.contact_konnected)
    )


@pytest.fixture
def body(group):
    return {"group_id": group.pk, "seats": [{"first_name": "Anja"}, {}]}


def test_a_retry_with_the_same_key_gets_the_first_answer_and_books_nothing(client, tokens, body):
    first = reserve(client, tokens.promen, body, key="order-7f3a", **EN)
    retry = reserve(client, tokens.promen, body, key="order-7f3a", **EN)

    assert first.status_code == 201, first.content
    assert retry.status_code == 201
    assert retry.content == first.content
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Booking.objects.count() == 1
    assert Seat.objects.count() == 2


def test_the_first_answer_comes_back_even_after_the_booking_changed(client, tokens, body, people):
    first = reserve(client, tokens.promen, body, key="k1")
    booking_id = first.json()["id"]
    client.post(
        f"{BOOKINGS}/{booking_id}/cancel",
        "{}",
        content_type="application/json",
        headers={"Authorization": f"Bearer {tokens.promen}"},
    )

    retry = reserve(client, tokens.promen, body, key="k1")

    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert Booking.objects.count() == 1


def test_the_kept_answer_holds_no_participant_details(client, tokens, group):
    body = {"group_id": group.pk, "seats": [{"first_name": "Zorbamarker", "support_needs": "x"}]}
    first = reserve(client, tokens.promen, body, key="k1")

    kept = json.dumps(IdempotencyKey.objects.get().response)

    assert "Zorbamarker" not in kept
    assert first.json()["seats"][0]["first_name"] == "Zorbamarker"
    # Once the details are removed (retention), a retry shows them removed as well.
    Seat.objects.update(first_name="", support_needs="")
    retry = reserve(client, tokens.promen, body, key="k1")
    assert retry.json()["seats"][0]["first_name"] == ""
    assert retry.json()["seats"][0]["id"] == first.json()["seats"][0]["id"]


def test_the_same_key_with_a_different_request_is_refused(client, tokens, body):
    reserve(client, tokens.promen, body, key="k1")
    other = {**body, "seats": [{"first_name": "Bram"}]}

    response = reserve(client, tokens.promen, other, key="k1", **EN)

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert response.json()["errors"] == [
        {
            "field": "Idempotency-Key",
            "message": "You used this Idempotency-Key before for a different request. "
            "Use a new key for each new reservation.",
        }
    ]
    assert Booking.objects.count() == 1


def test_the_refusal_of_a_reused_key_is_in_dutch_by_default(client, tokens, body):
    reserve(client, tokens.promen, body, key="k1")

    response = reserve(client, tokens.promen, {**body, "seats": [{}]}, key="k1")

    assert response.json()["errors"][0]["message"].startswith("Je hebt deze Idempotency-Key")


def test_the_order_of_fields_does_not_make_a_request_different(client, tokens, group):
    first = reserve(client, tokens.promen, {"group_id": group.pk, "seats": [{}]}, key="k1")
    retry = reserve(client, tokens.promen, {"seats": [{}], "group_id": group.pk}, key="k1")

    assert retry.status_code == 201
    assert retry.content == first.content


def test_without_a_key_every_request_books(client, tokens, body):
    reserve(client, tokens.promen, body)
    reserve(client, tokens.promen, body)

    assert Booking.objects.count() == 2


def test_different_keys_book_separately(client, tokens, body):
    first = reserve(client, tokens.promen, body, key="k1")
    second = reserve(client, tokens.promen, body, key="k2")

    assert first.json()["id"] != second.json()["id"]
    assert Booking.objects.count() == 2


def test_keys_belong_to_one_organisation(client, tokens, body, people):
    promen = reserve(client, tokens.promen, body, key="shared-key")
    konnected = reserve(client, tokens.konnected, body, key="shared-key")

    assert konnected.status_code == 201
    assert konnected.json()["id"] != promen.json()["id"]
    assert "Idempotent-Replayed" not in konnected
    assert Booking.objects.get(pk=konnected.json()["id"]).organisation == people.konnected


def test_a_key_of_another_contact_person_of_the_same_company_gives_its_answer(
    client, tokens, body, people
):
    colleague = UserFactory(username="colleague-promen", organisation=people.promen)
    first = reserve(client, tokens.promen, body, key="k1")

    retry = reserve(client, token_for(colleague), body, key="k1")

    assert retry.content == first.content
    assert Booking.objects.count() == 1


def test_a_key_is_kept_for_a_day(client, tokens, body):
    first = reserve(client, tokens.promen, body, key="k1")
    IdempotencyKey.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))

    later = reserve(client, tokens.promen, body, key="k1")

    assert later.status_code == 201
    assert later.json()["id"] != first.json()["id"]
    # The expired answer, which names participants, is gone; the new one replaced it.
    assert list(IdempotencyKey.objects.values_list("booking_id", flat=True)) == [later.json()["id"]]


def test_a_refused_reservation_is_not_remembered(client, tokens, group, body):
    group.status = group.Status.CANCELLED
    group.save()
    refused = reserve(client, tokens.promen, body, key="k1")
    group.status = group.Status.OPEN
    group.save()

    retry = reserve(client, tokens.promen, body, key="k1")

    assert refused.status_code == 409
    assert retry.status_code == 201
    assert Booking.objects.count() == 1


@pytest.mark.parametrize("key", ["with space", "x" * 256, "ünïcode"])
def test_a_key_that_is_not_usable_is_refused(client, tokens, body, key):
    response = reserve(client, tokens.promen, body, key=key, **EN)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert "for example a UUID" in response.json()["errors"][0]["message"]
    assert Booking.objects.count() == 0


def test_the_key_is_documented_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()

    operation = schema["paths"]["/api/v1/bookings"]["post"]
    headers = [p for p in operation["parameters"] if p["in"] == "header"]
    assert [header["name"] for header in headers] == ["Idempotency-Key"]
    assert headers[0]["required"] is False
    assert "Idempotency-Key" in schema["info"]["description"]
    assert "`unavailable`" in schema["info"]["description"]


# -- at the same moment, on PostgreSQL ---------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.crowd
def test_requests_with_the_same_key_at_once_book_once(course):
    library = LibraryFactory()
    company = CompanyFactory()
    group = CourseGroupFactory(course=course, library=library, capacity=20)
    token = token_for(UserFactory(username="contact", organisation=company))
    body = {"group_id": group.pk, "seats": [{"first_name": "Anja"}]}
    start = threading.Barrier(8)
    answers = []

    def send():
        try:
            start.wait()
            response = reserve(Client(), token, body, key="same-key")
            answers.append((response.status_code, response.content))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(answers) == 8
    assert {status for status, _ in answers} == {201}
    assert len({content for _, content in answers}) == 1
    assert Booking.objects.count() == 1
    assert Seat.objects.count() == 1
    assert connection.vendor == "postgresql"
