"""The booking API as a client program sees it: groups for everyone, bookings for contact
persons of an SW company, one error shape, Dutch unless asked otherwise."""

import datetime
import io
import json
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.crypto import get_random_string
from wagtail.models import APIToken

from booking import services
from booking.errors import BookingBusy
from booking.models import Booking, CourseGroup, Seat

from .factories import (
    CompanyFactory,
    CourseGroupFactory,
    CoursePageFactory,
    LocationFactory,
    SeatFactory,
    UserFactory,
)

GROUPS = "/api/v1/groups"
BOOKINGS = "/api/v1/bookings"
EN = {"Accept-Language": "en"}


def token_for(user, name="test"):
    return APIToken.create_token(user=user, name=name)[1]


def bearer(token, **headers):
    return {"Authorization": f"Bearer {token}", **headers}


@pytest.fixture
def tokens(people):
    return SimpleNamespace(
        promen=token_for(people.contact_promen),
        konnected=token_for(people.contact_konnected),
        coordinator=token_for(people.coordinator_gouda),
        admin=token_for(people.admin),
    )


def post(client, url, body, token=None, **headers):
    if token:
        headers = bearer(token, **headers)
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data, content_type="application/json", headers=headers)


def get(client, url, token=None, **headers):
    if token:
        headers = bearer(token, **headers)
    return client.get(url, headers=headers)


def book(client, token, group, seats=1, **headers):
    body = {"group_id": group.pk, "seats": [{} for _ in range(seats)]}
    return post(client, BOOKINGS, body, token, **headers)


def footprint():
    """What a refused request must leave untouched: seats, bookings and their history."""
    return (
        Booking.objects.count(),
        Seat.objects.count(),
        Booking.history.count(),
        Seat.history.count(),
    )


def reserve(group, people, seats=1, company="promen"):
    return services.reserve_seats(
        group=group,
        organisation=getattr(people, company),
        by=getattr(people, f"contact_{company}"),
        seats=seats,
    )


def assert_error(response, status, code, fields=()):
    """The one error shape: detail, code and a list of per-field messages."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert body["code"] == code
    assert body["detail"]
    assert [error["field"] for error in body["errors"]] == list(fields)
    assert all(error["message"] for error in body["errors"])
    return body


# -- groups: public ----------------------------------------------------------------------------


def test_anyone_can_list_groups_with_place_sessions_and_free_seats(client, group, people):
    reserve(group, people, seats=2)

    response = client.get(GROUPS)

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    page = response.json()
    assert page["count"] == 1
    (item,) = page["items"]
    assert item["id"] == group.pk
    assert item["course"] == {
        "id": group.course.pk,
        "title": "Klik & Tik",
        "slug": group.course.slug,
    }
    assert item["library"]["name"] == "Bibliotheek Gouda"
    assert item["location"]["city"] == "Gouda"
    assert item["location"]["address"] == "Agnietenstraat 5, 2801 JS Gouda"
    assert item["location"]["accessibility_notes"].startswith("Ingang zonder drempel")
    assert (item["capacity"], item["seats_free"], item["waitlist_length"]) == (5, 3, 0)
    assert (item["status"], item["bookable"]) == ("open", True)
    assert len(item["sessions"]) == 5
    first = group.sessions.order_by("date").first()
    start = datetime.datetime.fromisoformat(item["sessions"][0]["start"])
    assert start.utcoffset() is not None  # with its time zone
    assert start == first.start
    assert item["sessions"][0]["end"].endswith(("+01:00", "+02:00"))
    assert "notes" not in item and "trainer" not in item


def test_one_group_by_its_number(client, group):
    response = client.get(f"{GROUPS}/{group.pk}")

    assert response.status_code == 200
    assert response.json()["seats_free"] == 5


def test_course_titles_follow_the_language_asked_for(client, people, course_site):
    english = course_site.english_course
    english.title = "Click & Type"
    english.save_revision().publish()
    location = LocationFactory(organisation=people.gouda)
    group = CourseGroupFactory(course=course_site.course, library=people.gouda, location=location)

    dutch = get(client, f"{GROUPS}/{group.pk}").json()["course"]["title"]
    in_english = get(client, f"{GROUPS}/{group.pk}", **EN)
    listed = get(client, GROUPS, **EN).json()["items"]

    assert dutch == course_site.course.title
    assert in_english.json()["course"]["title"] == "Click & Type"
    assert [item["course"]["title"] for item in listed] == ["Click & Type"]


def test_draft_groups_are_not_public(client, people, course):
    draft = CourseGroupFactory(course=course, library=people.gouda, draft=True)

    assert client.get(GROUPS).json()["count"] == 0
    assert_error(client.get(f"{GROUPS}/{draft.pk}"), 404, "not_found")
    assert_error(client.get(f"{GROUPS}/999999"), 404, "not_found")


def test_groups_can_be_filtered(client, people, course):
    other_course = CoursePageFactory(parent=course.get_parent(), title="Digisterker")
    deventer = LocationFactory(organisation=people.deventer, city="Deventer")
    open_gouda = CourseGroupFactory(course=course, library=people.gouda)
    closed = CourseGroupFactory(course=course, library=people.gouda, closed_window=True)
    cancelled = CourseGroupFactory(
        course=other_course, library=people.deventer, location=deventer, status="cancelled"
    )
    past = CourseGroupFactory(
        course=course, library=people.gouda, sessions__first=timezone.localdate().replace(year=2020)
    )

    def ids(query):
        response = client.get(f"{GROUPS}?{query}")
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    assert ids("") == {open_gouda.pk, closed.pk, cancelled.pk}
    assert ids(f"course={course.pk}") == {open_gouda.pk, closed.pk}
    assert ids("status=cancelled") == {cancelled.pk}
    assert ids("city=deventer") == {cancelled.pk}
    # A NUL (which PostgreSQL refuses) in the address is refused before any view sees it
    # (core/input.py); a tab is harmless and is no part of a town's name.
    assert client.get(f"{GROUPS}?city=Deven%00ter").status_code == 400
    assert ids("city=Deventer%09") == {cancelled.pk}
    assert ids("bookable=true") == {open_gouda.pk}
    assert ids("bookable=false") == {closed.pk, cancelled.pk}
    assert past.pk in ids("include_past=true")
    assert len(ids("limit=1")) == 1
    assert client.get(f"{GROUPS}?limit=1&offset=1").json()["count"] == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=1000", "limit"),
        ("offset=-1", "offset"),
        ("level=4", "level"),
        ("status=draft", "status"),
        ("course=abc", "course"),
        ("bookable=perhaps", "bookable"),
    ],
)
def test_wrong_filters_are_named(client, group, query, field):
    assert_error(client.get(f"{GROUPS}?{query}"), 422, "invalid", [field])


def test_bookable_takes_the_contact_persons_organisation_into_account(
    client, people, course, tokens
):
    only_konnected = CourseGroupFactory(
        course=course, library=people.gouda, restricted_to=people.konnected
    )
    limited = CourseGroupFactory(course=course, library=people.gouda, seats_per_organisation=2)
    reserve(limited, people, seats=2)

    def bookable(token=None):
        items = get(client, GROUPS, token).json()["items"]
        return {item["id"]: item["bookable"] for item in items}

    assert bookable() == {only_konnected.pk: True, limited.pk: True}
    assert bookable(tokens.promen) == {only_konnected.pk: False, limited.pk: False}
    assert bookable(tokens.konnected) == {only_konnected.pk: True, limited.pk: True}
    only_for = get(client, f"{GROUPS}/{only_konnected.pk}").json()["only_for"]
    assert only_for == {"id": people.konnected.pk, "name": "KonnecteD"}


@pytest.mark.parametrize("as_contact", [False, True])
def test_listing_groups_takes_the_same_queries_for_2_or_20_groups(
    client, people, course, tokens, as_contact, django_assert_max_num_queries
):
    token = tokens.promen if as_contact else None

    def add_groups(count):
        for _ in range(count):
            group = CourseGroupFactory(course=course, library=people.gouda)
            reserve(group, people, seats=1, company="konnected")

    add_groups(2)
    with CaptureQueriesContext(connection) as with_two:
        assert len(get(client, GROUPS, token).json()["items"]) == 2
    add_groups(18)
    with django_assert_max_num_queries(len(with_two)):
        response = get(client, f"{GROUPS}?limit=100", token)
    assert len(response.json()["items"]) == 20
    assert len(with_two) <= 8


# -- reserving -------------------------------------------------------------------------------


def test_a_contact_person_reserves_seats_with_a_token(client, group, people, tokens):
    body = {
        "group_id": group.pk,
        "seats": [{"first_name": "Anja", "learning_goal": "Inloggen met DigiD"}, {}],
    }

    response = post(client, BOOKINGS, body, tokens.promen, **EN)

    assert response.status_code == 201, response.content
    booking = response.json()
    assert booking["group_id"] == group.pk
    assert booking["summary"] == "2 seats confirmed"
    assert [seat["status"] for seat in booking["seats"]] == ["confirmed", "confirmed"]
    assert [seat["waitlist_position"] for seat in booking["seats"]] == [None, None]
    assert booking["seats"][0]["first_name"] == "Anja"
    assert booking["seats"][0]["learning_goal"] == "Inloggen met DigiD"
    assert booking["seats"][1]["first_name"] == ""
    stored = Booking.objects.get(pk=booking["id"])
    assert stored.organisation == people.promen  # from the token's user, never the request
    assert stored.booked_by == people.contact_promen
    assert stored.history.get().history_user == people.contact_promen
    created_at = datetime.datetime.fromisoformat(booking["created_at"])
    assert abs(created_at - stored.created_at) < datetime.timedelta(milliseconds=1)
    assert booking["created_at"].endswith(("+01:00", "+02:00"))  # local time, with its zone


def test_seats_that_do_not_fit_go_on_the_waiting_list_in_order(client, group, people, tokens):
    reserve(group, people, seats=4, company="konnected")

    response = book(client, tokens.promen, group, seats=3, **EN)

    assert response.status_code == 201
    booking = response.json()
    statuses = [seat["status"] for seat in booking["seats"]]
    assert statuses == ["confirmed", "waitlisted", "waitlisted"]
    assert [seat["waitlist_position"] for seat in booking["seats"]] == [None, 1, 2]
    assert booking["summary"] == "1 seat confirmed, 2 on the waiting list (places 1, 2)"


def test_an_organisation_in_the_body_is_refused(client, group, people, tokens):
    body = {"group_id": group.pk, "seats": [{}], "organisation": people.konnected.pk}

    assert_error(post(client, BOOKINGS, body, tokens.promen), 422, "invalid", ["organisation"])
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"group_id": "GROUP", "seats": []}, ["seats"]),
        ({"group_id": "GROUP", "seats": 3}, ["seats"]),
        ({"group_id": "GROUP", "seats": -1}, ["seats"]),
        ({"group_id": "GROUP", "seats": [{}] * 51}, ["seats"]),
        ({"group_id": "abc", "seats": [{}]}, ["group_id"]),
        ({"group_id": -1, "seats": [{}]}, ["group_id"]),
        ({"group_id": 10**30, "seats": [{}]}, ["group_id"]),
        ({"group_id": 1.5, "seats": [{}]}, ["group_id"]),
        ({"group_id": None, "seats": [{}]}, ["group_id"]),
        ({"seats": [{}]}, ["group_id"]),
        ({"group_id": "GROUP"}, ["seats"]),
        ({"group_id": "GROUP", "seats": [{"first_name": "x" * 10_000}]}, ["seats.0.first_name"]),
        (
            {"group_id": "GROUP", "seats": [{}, {"learning_goal": "x" * 301}]},
            ["seats.1.learning_goal"],
        ),
        ({"group_id": "GROUP", "seats": [{"first_name": 12}]}, ["seats.0.first_name"]),
        ({"group_id": "GROUP", "seats": [{"age": 54}]}, ["seats.0.age"]),
        ({"group_id": "abc", "seats": []}, ["group_id", "seats"]),
        ([1, 2], ["body"]),
        ("null", ["body"]),
        ("", ["body"]),
    ],
)
def test_wrong_input_is_refused_per_field_and_changes_nothing(client, group, tokens, body, fields):
    if isinstance(body, dict) and body.get("group_id") == "GROUP":
        body = {**body, "group_id": group.pk}
    before = footprint()

    response = post(client, BOOKINGS, body, tokens.promen, **EN)

    result = assert_error(response, 422, "invalid", fields)
    assert result["detail"] == "Please check what you sent."
    assert footprint() == before


def test_a_missing_body_is_asked_for(client, tokens):
    errors = post(client, BOOKINGS, "", tokens.promen, **EN).json()["errors"]

    assert errors == [
        {"field": "body", "message": "Send the details as JSON in the body of the request."}
    ]


def test_the_messages_say_what_to_change(client, group, tokens):
    body = {"group_id": "abc", "seats": [{"first_name": "x" * 51}]}

    errors = post(client, BOOKINGS, body, tokens.promen, **EN).json()["errors"]

    assert errors == [
        {"field": "group_id", "message": "Enter a whole number."},
        {"field": "seats.0.first_name", "message": "Use at most 50 characters."},
    ]


def test_more_seats_than_the_group_has_are_a_conflict(client, group, tokens):
    before = footprint()

    response = book(client, tokens.promen, group, seats=6, **EN)

    body = assert_error(response, 409, "too_many_seats", ["seats"])
    assert body["errors"][0]["message"] == (
        "You can reserve at most 5 seats at once in this group."
    )
    assert footprint() == before


@pytest.mark.parametrize("body", ['{"group_id": 1, "seats": [', "not json", "\x00\xff"])
def test_a_body_that_is_not_json_is_refused(client, group, tokens, body):
    before = footprint()

    response = post(client, BOOKINGS, body, tokens.promen, **EN)

    assert_error(response, 400, "malformed")
    assert response.json()["detail"] == "We could not read the request. Send valid JSON."
    assert footprint() == before


def test_an_unknown_or_draft_group_is_not_found(client, people, course, tokens):
    draft = CourseGroupFactory(course=course, library=people.gouda, draft=True)
    before = footprint()

    for group_id in (draft.pk, 999_999):
        response = post(client, BOOKINGS, {"group_id": group_id, "seats": [{}]}, tokens.promen)
        assert_error(response, 404, "not_found", ["group_id"])
    assert footprint() == before


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"status": CourseGroup.Status.CANCELLED}, "This group has been cancelled."),
        ({"status": CourseGroup.Status.CLOSED}, "This group is not open for bookings."),
        ({"closed_window": True}, "Booking for this group has closed."),
    ],
)
def test_a_group_that_cannot_be_booked_is_a_conflict(
    client, people, course, tokens, state, message
):
    group = CourseGroupFactory(course=course, library=people.gouda, **state)
    before = footprint()

    response = book(client, tokens.promen, group, **EN)

    assert assert_error(response, 409, "not_bookable")["detail"] == message
    assert footprint() == before


def test_messages_are_dutch_unless_english_is_asked_for(client, people, course, tokens):
    group = CourseGroupFactory(course=course, library=people.gouda, status="cancelled")

    dutch = book(client, tokens.promen, group)
    english = book(client, tokens.promen, group, **EN)

    assert dutch.json()["detail"] == "Deze groep is geannuleerd."
    assert dutch["Content-Language"] == "nl"
    assert english.json()["detail"] == "This group has been cancelled."
    assert english["Content-Language"] == "en"
    assert "Accept-Language" in dutch["Vary"]


def test_the_organisations_limit_is_a_conflict(client, people, course, tokens):
    group = CourseGroupFactory(course=course, library=people.gouda, seats_per_organisation=2)
    book(client, tokens.promen, group, seats=2)
    before = footprint()

    response = book(client, tokens.promen, group, **EN)

    assert assert_error(response, 409, "organisation_limit")["detail"].startswith(
        "Your organisation can have at most 2 seats in this group"
    )
    assert footprint() == before


def test_a_group_only_for_another_company_is_refused(client, people, course, tokens):
    group = CourseGroupFactory(course=course, library=people.gouda, restricted_to=people.konnected)

    response = book(client, tokens.promen, group, **EN)

    assert assert_error(response, 403, "not_allowed")["detail"] == (
        "This group is only for KonnecteD."
    )
    assert not Booking.objects.exists()


def test_a_busy_group_asks_to_try_again_later(client, group, tokens):
    with mock.patch.object(services, "reserve_seats", side_effect=BookingBusy):
        response = book(client, tokens.promen, group, **EN)

    assert_error(response, 503, "busy")
    assert response["Retry-After"] == "2"
    assert "Nothing has changed" in response.json()["detail"]


@pytest.mark.parametrize(
    "name",
    [
        '<script>alert("x")</script>',
        "<b>Anja</b> & Co",
        "Robert'); DROP TABLE booking_seat;--",
        "Zoë 🙂",
    ],
)
def test_html_and_odd_names_are_kept_as_plain_text(client, group, tokens, name):
    body = {"group_id": group.pk, "seats": [{"first_name": name, "support_needs": name}]}

    response = post(client, BOOKINGS, body, tokens.promen)

    assert response.status_code == 201
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["seats"][0]["first_name"] == name
    assert Seat.objects.get().first_name == name
    detail = get(client, f"{BOOKINGS}/{response.json()['id']}", tokens.promen)
    assert detail.json()["seats"][0]["support_needs"] == name


def test_control_characters_become_spaces(client, group, tokens):
    body = {"group_id": group.pk, "seats": [{"first_name": "An\x00ja\n", "learning_goal": "\t"}]}

    response = post(client, BOOKINGS, body, tokens.promen)

    assert response.status_code == 201
    seat = Seat.objects.get()
    assert (seat.first_name, seat.learning_goal) == ("An ja", "")


# -- who may ask -----------------------------------------------------------------------------


def private_requests(booking_id):
    return [
        ("get", BOOKINGS, None),
        ("post", BOOKINGS, {"group_id": 1, "seats": [{}]}),
        ("get", f"{BOOKINGS}/{booking_id}", None),
        ("post", f"{BOOKINGS}/{booking_id}/cancel", {}),
        ("get", f"{BOOKINGS}/{booking_id}/history", None),
    ]


def call(client, method, url, body, token=None, **headers):
    if method == "get":
        return get(client, url, token, **headers)
    return post(client, url, body, token, **headers)


def test_anonymous_requests_to_bookings_must_authenticate(client, group, people):
    booking = reserve(group, people).booking
    before = footprint()

    for method, url, body in private_requests(booking.pk):
        response = call(client, method, url, body, **EN)
        assert assert_error(response, 401, "not_authenticated")["detail"].startswith("Log in")
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert footprint() == before


@pytest.mark.parametrize(
    "token",
    ["revoked", "wagtail_" + "A" * 33, "not-a-token", ""],
)
def test_a_wrong_or_revoked_token_is_refused_everywhere(client, group, people, token):
    booking = reserve(group, people).booking
    if token == "revoked":
        token = token_for(people.contact_promen)
        APIToken.objects.get().revoke()
    client.force_login(people.contact_promen)  # a session does not rescue a bad token
    before = footprint()

    for method, url, body in [*private_requests(booking.pk), ("get", GROUPS, None)]:
        response = call(client, method, url, body, Authorization=f"Bearer {token}")
        assert_error(response, 401, "not_authenticated")
    assert footprint() == before


def test_only_contact_persons_of_an_sw_company_may_book(client, group, people, tokens):
    editor = UserFactory(username="editor")
    booking = reserve(group, people).booking
    before = footprint()

    for token in (tokens.coordinator, tokens.admin, token_for(editor)):
        for method, url, body in private_requests(booking.pk):
            response = call(client, method, url, body, token, **EN)
            assert_error(response, 403, "permission_denied")
        assert get(client, GROUPS, token).status_code == 200
    assert footprint() == before


def test_another_companys_booking_does_not_exist_for_you(client, group, people, tokens):
    promen_booking = book(client, tokens.promen, group, seats=2).json()["id"]
    before = footprint()

    for method, url, body in private_requests(promen_booking)[2:]:
        response = call(client, method, url, body, tokens.konnected)
        assert_error(response, 404, "not_found")
    assert get(client, BOOKINGS, tokens.konnected).json() == {"count": 0, "items": []}
    assert footprint() == before
    assert Seat.objects.confirmed().count() == 2


def test_a_portal_session_works_with_its_csrf_token(people, group):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.contact_promen)
    csrf = get_random_string(32)
    client.cookies["csrftoken"] = csrf
    body = {"group_id": group.pk, "seats": [{}]}

    assert client.get(BOOKINGS).status_code == 200
    refused = post(client, BOOKINGS, body)
    assert_error(refused, 403, "csrf_failed")
    assert not Booking.objects.exists()
    accepted = post(client, BOOKINGS, body, **{"X-CSRFToken": csrf})
    assert accepted.status_code == 201
    assert Booking.objects.get().booked_by == people.contact_promen


def test_a_token_needs_no_csrf_token(people, group, tokens):
    client = Client(enforce_csrf_checks=True)

    assert book(client, tokens.promen, group).status_code == 201


def test_a_session_without_membership_may_read_groups_but_not_book(client, people, group):
    client.force_login(people.coordinator_gouda)

    assert client.get(GROUPS).status_code == 200
    assert_error(client.get(BOOKINGS), 403, "permission_denied")


# -- reading, cancelling, history --------------------------------------------------------------


def test_the_list_shows_your_organisations_bookings_newest_first(client, people, course, tokens):
    first_group = CourseGroupFactory(course=course, library=people.gouda, capacity=3)
    second_group = CourseGroupFactory(course=course, library=people.gouda)
    reserve(first_group, people, seats=1, company="konnected")
    older = book(client, tokens.promen, first_group, seats=3, **EN).json()
    colleague = UserFactory(username="colleague-promen", organisation=people.promen)
    newer = book(client, token_for(colleague), second_group, **EN).json()
    book(client, tokens.konnected, second_group)

    page = get(client, BOOKINGS, tokens.promen, **EN).json()

    assert page["count"] == 2
    assert [item["id"] for item in page["items"]] == [newer["id"], older["id"]]
    assert page["items"][1]["summary"] == "2 seats confirmed, 1 on the waiting list (place 1)"
    assert page["items"][1]["seats"][2]["waitlist_position"] == 1
    only_first = get(client, f"{BOOKINGS}?group={first_group.pk}", tokens.promen).json()
    assert [item["id"] for item in only_first["items"]] == [older["id"]]


def test_listing_bookings_takes_the_same_queries_for_2_or_20(
    client, people, course, tokens, django_assert_max_num_queries
):
    def add_bookings(count):
        for _ in range(count):
            group = CourseGroupFactory(course=course, library=people.gouda, capacity=1)
            reserve(group, people, seats=1, company="konnected")
            reserve(group, people, seats=1)  # on the waiting list

    add_bookings(2)
    with CaptureQueriesContext(connection) as with_two:
        assert get(client, BOOKINGS, tokens.promen).json()["count"] == 2
    add_bookings(18)
    with django_assert_max_num_queries(len(with_two)):
        assert len(get(client, f"{BOOKINGS}?limit=100", tokens.promen).json()["items"]) == 20


def test_cancelling_some_seats_gives_them_to_the_waiting_list(client, group, people, tokens):
    ours = book(client, tokens.promen, group, seats=5).json()
    theirs = book(client, tokens.konnected, group, seats=1).json()
    two = [seat["id"] for seat in ours["seats"][:2]]

    response = post(
        client,
        f"{BOOKINGS}/{ours['id']}/cancel",
        {"seat_ids": two, "reason": "Ziek"},
        tokens.promen,
        **EN,
    )

    assert response.status_code == 200
    statuses = [seat["status"] for seat in response.json()["seats"]]
    assert statuses == ["cancelled"] * 2 + ["confirmed"] * 3
    assert response.json()["summary"] == "3 seats confirmed"
    promoted = get(client, f"{BOOKINGS}/{theirs['id']}", tokens.konnected).json()
    assert promoted["seats"][0]["status"] == "confirmed"
    assert Seat.history.filter(id=two[0]).latest().history_change_reason == "Ziek"


def test_cancelling_a_whole_booking_and_then_again(client, group, tokens):
    booking = book(client, tokens.promen, group, seats=2).json()
    url = f"{BOOKINGS}/{booking['id']}/cancel"

    response = post(client, url, "", tokens.promen, **EN)

    assert response.status_code == 200
    assert {seat["status"] for seat in response.json()["seats"]} == {"cancelled"}
    assert response.json()["summary"] == "All seats have been cancelled."
    again = post(client, url, {}, tokens.promen, **EN)
    assert_error(again, 409, "invalid_state")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"seat_ids": []}, "seat_ids"),
        ({"seat_ids": ["abc"]}, "seat_ids.0"),
        ({"seat_ids": [0]}, "seat_ids.0"),
        ({"reason": "x" * 501}, "reason"),
        ({"seat_ids": None, "everything": True}, "everything"),
    ],
)
def test_wrong_cancellations_are_refused_per_field(client, group, tokens, body, field):
    booking = book(client, tokens.promen, group, seats=2).json()
    before = footprint()

    response = post(client, f"{BOOKINGS}/{booking['id']}/cancel", body, tokens.promen)

    assert_error(response, 422, "invalid", [field])
    assert footprint() == before


def test_seats_of_other_bookings_cannot_be_cancelled_through_yours(client, group, tokens):
    ours = book(client, tokens.promen, group).json()
    theirs = book(client, tokens.konnected, group).json()
    own_seat, their_seat = ours["seats"][0]["id"], theirs["seats"][0]["id"]
    before = footprint()

    response = post(
        client,
        f"{BOOKINGS}/{ours['id']}/cancel",
        {"seat_ids": [own_seat, their_seat, 999_999]},
        tokens.promen,
        **EN,
    )

    body = assert_error(response, 404, "not_found", ["seat_ids"])
    assert body["errors"][0]["message"] == f"This booking has no seat {their_seat}, 999999."
    assert footprint() == before


def test_a_seat_cannot_be_cancelled_twice(client, group, tokens):
    booking = book(client, tokens.promen, group, seats=2).json()
    url, seat = f"{BOOKINGS}/{booking['id']}/cancel", booking["seats"][0]["id"]
    assert post(client, url, {"seat_ids": [seat]}, tokens.promen).status_code == 200
    before = footprint()

    response = post(client, url, {"seat_ids": [seat]}, tokens.promen)

    assert_error(response, 409, "invalid_state", ["seat_ids"])
    assert footprint() == before


def test_after_the_deadline_the_library_must_cancel(client, people, course, tokens):
    group = CourseGroupFactory(course=course, library=people.gouda)
    booking = book(client, tokens.promen, group).json()
    CourseGroup.objects.filter(pk=group.pk).update(
        cancellation_deadline=timezone.now() - datetime.timedelta(hours=1)
    )
    before = footprint()

    response = post(client, f"{BOOKINGS}/{booking['id']}/cancel", {}, tokens.promen, **EN)

    detail = assert_error(response, 409, "deadline_passed")["detail"]
    assert "Bibliotheek Gouda" in detail and "0182 123 456" in detail
    assert footprint() == before


def test_the_history_says_who_did_what_when_and_why(client, group, people, tokens):
    booking = book(client, tokens.promen, group, seats=2).json()
    seat = booking["seats"][0]["id"]
    post(
        client,
        f"{BOOKINGS}/{booking['id']}/cancel",
        {"seat_ids": [seat], "reason": "Andere baan"},
        tokens.promen,
    )

    response = get(client, f"{BOOKINGS}/{booking['id']}/history", tokens.promen, **EN)

    assert response.status_code == 200
    history = response.json()
    assert history["count"] == 4  # booking, two seats, one cancellation
    newest = history["items"][0]
    assert newest["action"] == "cancelled"
    assert newest["action_label"] == "Cancelled"
    assert newest["reason"] == "Andere baan"
    assert newest["who"] == "Sam"
    assert newest["subject"] == "seat 1 of the booking"  # a number within it, not a database id
    assert {"field": "Status", "old": "Confirmed", "new": "Cancelled"} in newest["changes"]
    assert [item["action"] for item in history["items"][1:]] == ["reserved"] * 2 + ["created"]
    assert datetime.datetime.fromisoformat(newest["when"]) <= timezone.now()


def test_the_history_does_not_name_people_of_other_companies(client, people, course, tokens):
    group = CourseGroupFactory(course=course, library=people.gouda, capacity=1)
    theirs = book(client, tokens.konnected, group).json()
    ours = book(client, tokens.promen, group).json()
    people.contact_konnected.first_name = "Kees"
    people.contact_konnected.save()
    post(client, f"{BOOKINGS}/{theirs['id']}/cancel", {}, tokens.konnected)

    items = get(client, f"{BOOKINGS}/{ours['id']}/history", tokens.promen, **EN).json()["items"]

    promoted = items[0]
    assert promoted["action"] == "promoted"
    assert promoted["who"] == "someone at another organisation"
    assert "Kees" not in json.dumps(items)


def test_reading_the_history_takes_the_same_queries_however_long_it_is(
    client, people, course, tokens, django_assert_max_num_queries
):
    group = CourseGroupFactory(course=course, library=people.gouda, capacity=10)
    booking = book(client, tokens.promen, group, seats=10).json()
    url, cancel = (f"{BOOKINGS}/{booking['id']}/{part}" for part in ("history", "cancel"))
    post(client, cancel, {"seat_ids": [booking["seats"][0]["id"]]}, tokens.promen)
    with CaptureQueriesContext(connection) as short:
        assert get(client, url, tokens.promen).json()["count"] == 12
    queries = len(short)  # read now: every request empties the connection's query log
    theirs = book(client, tokens.konnected, group, seats=5).json()
    for seat in booking["seats"][1:6]:  # the first four free a seat for their waiting list
        post(client, cancel, {"seat_ids": [seat["id"]]}, tokens.promen)

    with django_assert_max_num_queries(queries):
        history = get(client, url, tokens.promen).json()
    assert history["count"] == 17
    with django_assert_max_num_queries(queries):
        promoted = get(client, f"{BOOKINGS}/{theirs['id']}/history", tokens.konnected, **EN)
    assert [(item["action"], item["who"]) for item in promoted.json()["items"][:4]] == [
        ("promoted", "someone at another organisation")
    ] * 4


# -- the API's own edges -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/",
        "/api/v1",
        "/api/v1/nothing",
        "/api/v1/groups/",
        "/api/v1/groups/abc",
        "/api/v1/groups/-1",
        "/api/",
        "/api/v2/groups",
    ],
)
def test_unknown_addresses_answer_in_the_error_shape(db, url):
    client = Client(enforce_csrf_checks=True)

    for response in (client.get(url, headers=EN), post(client, url, {}, **EN)):
        body = assert_error(response, 404, "not_found")
        assert body["detail"] == "We could not find this. Check the number in the address."


def test_a_method_an_address_does_not_take_is_refused(client, tokens):
    response = client.delete(GROUPS, headers={**EN})

    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"
    assert response.json()["detail"] == "This address does not accept DELETE requests."


def test_too_many_requests_are_slowed_down(client, group, people, tokens, settings):
    # Per hour, not per minute: the count starts afresh each period, and a test that crossed
    # into the next minute would see its limit reset.
    settings.API_RATE_LIMIT_AUTHENTICATED = "2/hour"
    settings.API_RATE_LIMIT_ANONYMOUS = "3/hour"

    assert [get(client, GROUPS, tokens.promen).status_code for _ in range(2)] == [200, 200]
    before = footprint()
    refused = book(client, tokens.promen, group, **EN)
    assert_error(refused, 429, "throttled")
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert refused.json()["detail"].startswith("You sent too many requests.")
    assert footprint() == before
    # Counted per token: a colleague's token, and anonymous visitors, still get through.
    colleague = UserFactory(username="colleague-promen", organisation=people.promen)
    assert get(client, GROUPS, token_for(colleague)).status_code == 200
    assert [client.get(GROUPS).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_a_session_is_counted_per_user(client, people, settings):
    settings.API_RATE_LIMIT_AUTHENTICATED = "1/hour"
    client.force_login(people.contact_promen)

    assert [client.get(BOOKINGS).status_code for _ in range(2)] == [200, 429]


# -- create_api_token ------------------------------------------------------------------------


def run_create_api_token(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_api_token_prints_a_token_that_works(client, people, group):
    out, err = run_create_api_token("contact-promen", "--name", "Planning system")

    token = out.strip()
    assert token.startswith("wagtail_")
    stored = APIToken.objects.get()
    assert (stored.user, stored.name) == (people.contact_promen, "Planning system")
    assert stored.key_hash != token  # only a digest is kept
    assert "shown only once" in err
    assert book(client, token, group).status_code == 201


def test_create_api_token_has_a_default_name(people):
    run_create_api_token("contact-promen")

    assert APIToken.objects.get().name


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("nobody", 'There is no user "nobody".'),
        ("coordinator-gouda", "is not a contact person of an SW company or a referral partner"),
        ("admin", "is not a contact person of an SW company or a referral partner"),
    ],
)
def test_create_api_token_refuses_other_users(people, username, message):
    with pytest.raises(CommandError, match=message):
        run_create_api_token(username)
    assert not APIToken.objects.exists()


def test_create_api_token_refuses_inactive_users(people):
    people.contact_promen.is_active = False
    people.contact_promen.save()

    with pytest.raises(CommandError, match="not active"):
        run_create_api_token("contact-promen")


def test_an_inactive_users_token_stops_working(client, people, tokens):
    people.contact_promen.is_active = False
    people.contact_promen.save()

    assert_error(get(client, BOOKINGS, tokens.promen), 401, "not_authenticated")


def test_a_new_company_contact_can_book_straight_away(client, people, group):
    company = CompanyFactory(name="Ergon", slug="ergon")
    contact = UserFactory(username="contact-ergon", organisation=company)

    response = book(client, token_for(contact), group)

    assert response.status_code == 201
    assert Booking.objects.get().organisation == company


def test_a_waitlisted_seat_shows_its_place_in_the_list(client, group, people, tokens):
    seat = SeatFactory(booking__group=group, booking__organisation=people.promen, waitlisted=True)

    item = get(client, BOOKINGS, tokens.promen, **EN).json()["items"][0]

    assert item["seats"][0] == {
        "id": seat.pk,
        "status": "waitlisted",
        "waitlist_position": 1,
        "first_name": seat.first_name,
        "learning_goal": "",
        "support_needs": "",
    }
    assert item["summary"] == "1 on the waiting list (place 1)"
