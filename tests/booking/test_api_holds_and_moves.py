"""Issue 13 in the API: seats held for one organisation, giving them back, moving a seat, and
referral partners using the API like SW companies."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking import services
from booking.models import Action, CourseGroup, Organisation, Seat, SeatHold
from tests.factories import OrganisationFactory

from .factories import CourseGroupFactory, CoursePageFactory, UserFactory
from .test_api import (
    BOOKINGS,
    EN,
    GROUPS,
    assert_error,
    bearer,
    book,
    footprint,
    get,
    post,
    reserve,
    token_for,
)

TODAY = timezone.localdate()
HELD_UNTIL = TODAY + datetime.timedelta(days=7)


def hold(people, group, seats=3, organisation=None):
    return services.hold_seats(
        group=group,
        organisation=organisation or people.promen,
        seats=seats,
        held_until=HELD_UNTIL,
        by=people.coordinator_gouda,
        reason="Promen kiest nog wie er gaan",
    )


def give_back(client, group, token=None, **headers):
    if token:
        headers = bearer(token, **headers)
    return client.delete(f"{GROUPS}/{group.pk}/held-seats", headers=headers)


def move(client, booking_id, seat_id, body, token, **headers):
    return post(client, f"{BOOKINGS}/{booking_id}/seats/{seat_id}/move", body, token, **headers)


def statuses(group):
    return sorted(
        Seat.objects.filter(booking__group=group).values_list(
            "booking__organisation__slug", "status"
        )
    )


@pytest.fixture
def tokens(people):
    return SimpleNamespace(
        promen=token_for(people.contact_promen),
        konnected=token_for(people.contact_konnected),
        coordinator=token_for(people.coordinator_gouda),
    )


@pytest.fixture
def sibling(people, group):
    """A second open group of the same course, at the same library."""
    return CourseGroupFactory(course=group.course, library=people.gouda)


@pytest.fixture
def partner(db):
    """UWV, a referral partner, with a contact person and an API key."""
    uwv = OrganisationFactory(
        name="UWV Gouda", slug="uwv-gouda", kind=Organisation.Kind.REFERRAL_PARTNER
    )
    contact = UserFactory(username="contact-uwv", organisation=uwv)
    return uwv, contact, token_for(contact)


# -- seats held: what the groups show ----------------------------------------------------------


def test_held_seats_are_not_free_for_anyone_and_only_the_holder_sees_them(
    client, people, group, tokens
):
    hold(people, group, seats=3)
    reserve(group, people, seats=1, company="konnected")

    def seen(token=None):
        item = get(client, f"{GROUPS}/{group.pk}", token).json()
        listed = get(client, GROUPS, token).json()["items"][0]
        assert listed == item
        return item["seats_free"], item["seats_held_for_you"], item["seats_held_for_you_until"]

    # 5 seats: 3 held for Promen, 1 confirmed for KonnecteD, so 1 free for anyone.
    assert seen() == (1, 0, None)
    assert seen(tokens.konnected) == (1, 0, None)
    assert seen(tokens.coordinator) == (1, 0, None)
    assert seen(tokens.promen) == (1, 3, HELD_UNTIL.isoformat())


def test_booking_held_seats_counts_them_down_for_the_holder(client, people, group, tokens):
    hold(people, group, seats=3)

    response = book(client, tokens.promen, group, seats=2)

    assert response.status_code == 201
    assert [seat["status"] for seat in response.json()["seats"]] == ["confirmed"] * 2
    item = get(client, f"{GROUPS}/{group.pk}", tokens.promen).json()
    assert (item["seats_free"], item["seats_held_for_you"]) == (2, 1)


def test_a_hold_past_its_day_is_no_longer_shown_as_yours(client, people, group, tokens):
    made = hold(people, group, seats=3)
    # The scene: the day has passed and nothing has touched the group since.
    SeatHold.objects.filter(pk=made.pk).update(held_until=TODAY - datetime.timedelta(days=1))

    item = get(client, f"{GROUPS}/{group.pk}", tokens.promen).json()

    assert (item["seats_held_for_you"], item["seats_held_for_you_until"]) == (0, None)
    assert_error(give_back(client, group, tokens.promen), 404, "not_found")


# -- giving held seats back ----------------------------------------------------------------------


def test_the_holder_gives_held_seats_back_and_the_waiting_list_gets_them_first(
    client, people, group, tokens
):
    made = hold(people, group, seats=3)
    reserve(group, people, seats=4, company="konnected")  # 2 confirmed, 2 waiting
    assert statuses(group).count(("konnected", "waitlisted")) == 2

    response = give_back(client, group, tokens.promen)

    assert response.status_code == 204
    assert response.content == b""
    assert statuses(group) == [("konnected", "confirmed")] * 4
    made.refresh_from_db()
    assert made.released_at is not None
    record = made.history.latest()
    assert (record.action, record.history_user) == (Action.HOLD_RELEASED, people.contact_promen)
    assert record.history_change_reason
    item = get(client, f"{GROUPS}/{group.pk}", tokens.promen).json()
    assert (item["seats_free"], item["seats_held_for_you"]) == (1, 0)
    # Given back once: there is nothing left to give back.
    assert_error(give_back(client, group, tokens.promen), 404, "not_found")


def test_nobody_else_can_give_back_seats_held_for_promen(client, people, group, tokens):
    made = hold(people, group, seats=3)
    other = CourseGroupFactory(course=group.course, library=people.gouda)

    assert_error(give_back(client, group, tokens.konnected), 404, "not_found")
    assert_error(give_back(client, other, tokens.promen), 404, "not_found")
    assert_error(give_back(client, group, tokens.coordinator, **EN), 403, "permission_denied")
    assert_error(give_back(client, group), 401, "not_authenticated")
    response = client.delete(f"{GROUPS}/999999/held-seats", headers=bearer(tokens.promen))
    assert_error(response, 404, "not_found")

    made.refresh_from_db()
    assert (made.seats, made.released_at) == (3, None)


# -- moving a seat --------------------------------------------------------------------------------


def test_a_seat_moves_to_another_group_of_the_course_with_its_details(
    client, people, group, sibling, tokens
):
    booking = book(client, tokens.promen, group, seats=2).json()
    seat_id = booking["seats"][0]["id"]

    response = move(
        client,
        booking["id"],
        seat_id,
        {"group_id": sibling.pk, "reason": "Dichter bij huis"},
        tokens.promen,
    )

    assert response.status_code == 200, response.content
    moved = response.json()
    assert moved["id"] != booking["id"]
    assert moved["group_id"] == sibling.pk
    (seat,) = moved["seats"]
    assert (seat["status"], seat["waitlist_position"]) == ("confirmed", None)
    assert seat["id"] != seat_id
    assert moved["summary"]
    old = get(client, f"{BOOKINGS}/{booking['id']}", tokens.promen).json()
    assert [each["status"] for each in old["seats"]] == ["cancelled", "confirmed"]
    record = Seat.objects.get(pk=seat["id"]).history.latest()
    assert record.history_change_reason == "Dichter bij huis"
    assert record.history_user == people.contact_promen


def test_a_seat_moved_into_a_full_group_waits_and_its_old_place_goes_to_the_waiting_list(
    client, people, group, sibling, tokens
):
    reserve(sibling, people, seats=5, company="konnected")  # the target is full
    booking = book(client, tokens.promen, group, seats=5).json()
    reserve(group, people, seats=1, company="konnected")  # waits in the old group

    response = move(
        client, booking["id"], booking["seats"][0]["id"], {"group_id": sibling.pk}, tokens.promen
    )

    assert response.status_code == 200, response.content
    (seat,) = response.json()["seats"]
    assert (seat["status"], seat["waitlist_position"]) == ("waitlisted", 1)
    assert ("konnected", "waitlisted") not in statuses(group)


def test_a_seat_moved_into_a_group_with_seats_held_for_you_takes_one(
    client, people, group, sibling, tokens
):
    hold(people, sibling, seats=2)
    reserve(sibling, people, seats=3, company="konnected")  # nothing free for anyone else
    booking = book(client, tokens.promen, group, seats=1).json()

    response = move(
        client, booking["id"], booking["seats"][0]["id"], {"group_id": sibling.pk}, tokens.promen
    )

    assert response.json()["seats"][0]["status"] == "confirmed"
    assert get(client, f"{GROUPS}/{sibling.pk}", tokens.promen).json()["seats_held_for_you"] == 1


def test_a_seat_cannot_move_to_another_course(client, people, group, tokens):
    other_course = CoursePageFactory(parent=group.course.get_parent(), slug="veilig-online")
    elsewhere = CourseGroupFactory(course=other_course, library=people.gouda)
    booking = book(client, tokens.promen, group, seats=1).json()
    seat_id = booking["seats"][0]["id"]
    before = footprint()

    body = {"group_id": elsewhere.pk, "reason": "Past beter"}
    english = assert_error(
        move(client, booking["id"], seat_id, body, tokens.promen, **EN), 403, "not_allowed"
    )
    dutch = assert_error(
        move(client, booking["id"], seat_id, body, tokens.promen), 403, "not_allowed"
    )

    assert english["detail"] == "A seat can only move to a group of the same course."
    assert dutch["detail"] != english["detail"]
    assert footprint() == before


@pytest.mark.parametrize(
    ("scene", "status", "code"),
    [
        ("same_group", 409, "invalid_state"),
        ("deadline_passed", 409, "deadline_passed"),
        ("target_closed", 409, "not_bookable"),
        ("target_cancelled", 409, "not_bookable"),
        ("target_only_for_konnected", 403, "not_allowed"),
        ("seat_cancelled", 409, "invalid_state"),
        ("target_limit_reached", 409, "organisation_limit"),
    ],
)
def test_a_move_follows_the_portals_rules(
    client, people, group, sibling, tokens, scene, status, code
):
    booking = book(client, tokens.promen, group, seats=2).json()
    seat_id = booking["seats"][0]["id"]
    target = sibling
    if scene == "same_group":
        target = group
    elif scene == "deadline_passed":
        CourseGroup.objects.filter(pk=group.pk).update(
            cancellation_deadline=timezone.now() - datetime.timedelta(hours=1)
        )
    elif scene == "target_closed":
        target = CourseGroupFactory(course=group.course, library=people.gouda, closed_window=True)
    elif scene == "target_cancelled":
        target = CourseGroupFactory(course=group.course, library=people.gouda, status="cancelled")
    elif scene == "target_only_for_konnected":
        target = CourseGroupFactory(
            course=group.course, library=people.gouda, restricted_to=people.konnected
        )
    elif scene == "target_limit_reached":
        target = CourseGroupFactory(
            course=group.course, library=people.gouda, seats_per_organisation=1
        )
        reserve(target, people, seats=1)
    elif scene == "seat_cancelled":
        post(client, f"{BOOKINGS}/{booking['id']}/cancel", {"seat_ids": [seat_id]}, tokens.promen)
    before = footprint()

    response = move(client, booking["id"], seat_id, {"group_id": target.pk}, tokens.promen, **EN)

    assert_error(response, status, code)
    assert footprint() == before


def test_another_organisations_booking_or_seat_does_not_exist_for_you(
    client, people, group, sibling, tokens
):
    theirs = book(client, tokens.konnected, group, seats=1).json()
    mine = book(client, tokens.promen, group, seats=1).json()
    their_seat, my_seat = theirs["seats"][0]["id"], mine["seats"][0]["id"]
    draft = CourseGroupFactory(course=group.course, library=people.gouda, draft=True)
    before = footprint()
    target = {"group_id": sibling.pk}

    assert_error(move(client, theirs["id"], their_seat, target, tokens.promen), 404, "not_found")
    # Someone else's seat under my own booking's number.
    assert_error(move(client, mine["id"], their_seat, target, tokens.promen), 404, "not_found")
    for group_id in (draft.pk, 999999):
        response = move(client, mine["id"], my_seat, {"group_id": group_id}, tokens.promen)
        assert_error(response, 404, "not_found", fields=["group_id"])
    assert_error(
        move(client, mine["id"], my_seat, target, tokens.coordinator), 403, "permission_denied"
    )
    assert_error(move(client, mine["id"], my_seat, target, None), 401, "not_authenticated")
    assert footprint() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"group_id": "9"}, "group_id"),
        ({"group_id": 1.0}, "group_id"),
        ({"group_id": True}, "group_id"),
        ({"group_id": 0}, "group_id"),
        ({}, "group_id"),
        ({"group_id": "GROUP", "reason": 7}, "reason"),
        ({"group_id": "GROUP", "reason": "x" * 501}, "reason"),
        ({"group_id": "GROUP", "colour": "blue"}, "colour"),
        ([], "body"),
    ],
)
def test_a_move_body_is_strict(client, people, group, sibling, tokens, body, field):
    booking = book(client, tokens.promen, group, seats=1).json()
    if isinstance(body, dict) and body.get("group_id") == "GROUP":
        body = {**body, "group_id": sibling.pk}  # a good group: only the other field is wrong
    before = footprint()

    response = move(client, booking["id"], booking["seats"][0]["id"], body, tokens.promen)

    problems = assert_error(response, 422, "invalid", fields=[field])["errors"]
    assert problems[0]["message"]
    assert footprint() == before


def test_a_group_number_sent_as_text_is_refused(client, group, sibling, tokens):
    booking = book(client, tokens.promen, group, seats=1).json()

    response = move(
        client,
        booking["id"],
        booking["seats"][0]["id"],
        {"group_id": str(sibling.pk)},
        tokens.promen,
        **EN,
    )

    body = assert_error(response, 422, "invalid", fields=["group_id"])
    assert body["errors"][0]["message"] == "Enter a whole number."


def test_a_move_with_an_empty_body_or_as_a_form_is_refused(client, group, sibling, tokens):
    booking = book(client, tokens.promen, group, seats=1).json()
    url = f"{BOOKINGS}/{booking['id']}/seats/{booking['seats'][0]['id']}/move"

    no_body = client.post(url, content_type="application/json", headers=bearer(tokens.promen))
    form = client.post(url, {"group_id": sibling.pk}, headers=bearer(tokens.promen))

    assert_error(no_body, 422, "invalid", fields=["group_id"])
    assert_error(form, 415, "unsupported_media_type")


# -- referral partners ----------------------------------------------------------------------------


def test_a_referral_partner_lists_books_moves_gives_back_and_cancels_with_an_api_key(
    client, people, group, sibling, partner
):
    uwv, contact, token = partner
    hold(people, group, seats=3, organisation=uwv)

    item = get(client, f"{GROUPS}/{group.pk}", token).json()
    assert (item["bookable"], item["seats_held_for_you"]) == (True, 3)

    booked = book(client, token, group, seats=2)
    assert booked.status_code == 201, booked.content
    booking = booked.json()
    assert [seat["status"] for seat in booking["seats"]] == ["confirmed"] * 2
    listed = get(client, BOOKINGS, token).json()
    assert [each["id"] for each in listed["items"]] == [booking["id"]]

    moved = move(client, booking["id"], booking["seats"][0]["id"], {"group_id": sibling.pk}, token)
    assert moved.status_code == 200, moved.content
    assert moved.json()["seats"][0]["status"] == "confirmed"

    assert give_back(client, group, token).status_code == 204
    assert get(client, f"{GROUPS}/{group.pk}", token).json()["seats_held_for_you"] == 0

    cancelled = post(client, f"{BOOKINGS}/{booking['id']}/cancel", {}, token)
    assert cancelled.status_code == 200, cancelled.content
    assert [seat["status"] for seat in cancelled.json()["seats"]] == ["cancelled"] * 2
    history = get(client, f"{BOOKINGS}/{booking['id']}/history", token)
    assert history.status_code == 200 and history.json()["count"] >= 3
    # UWV sees only its own bookings, and others do not see UWV's.
    konnected = token_for(people.contact_konnected)
    assert_error(get(client, f"{BOOKINGS}/{booking['id']}", konnected), 404, "not_found")


def test_people_who_send_no_learners_are_told_who_can_use_the_api(client, people, tokens):
    english = assert_error(
        get(client, BOOKINGS, tokens.coordinator, **EN), 403, "permission_denied"
    )
    dutch = assert_error(get(client, BOOKINGS, tokens.coordinator), 403, "permission_denied")

    assert english["detail"] == (
        "Only contact persons of an SW company or a referral partner can use this part of the API."
    )
    assert "verwijzende partner" in dutch["detail"]


# -- queries and the document -------------------------------------------------------------------


@pytest.mark.parametrize("as_holder", [False, True])
def test_listing_groups_with_holds_takes_the_same_queries_for_2_or_20_groups(
    client, people, course, tokens, as_holder, django_assert_max_num_queries
):
    token = tokens.promen if as_holder else None

    def add_groups(count):
        for _ in range(count):
            group = CourseGroupFactory(course=course, library=people.gouda)
            hold(people, group, seats=2)
            reserve(group, people, seats=1, company="konnected")

    add_groups(2)
    with CaptureQueriesContext(connection) as with_two:
        items = get(client, GROUPS, token).json()["items"]
    assert [item["seats_held_for_you"] for item in items] == [2 if as_holder else 0] * 2
    add_groups(18)
    with django_assert_max_num_queries(len(with_two)):
        response = get(client, f"{GROUPS}?limit=100", token)
    items = response.json()["items"]
    assert len(items) == 20
    assert {item["seats_free"] for item in items} == {2}
    assert len(with_two) <= 8


def test_the_document_describes_holds_and_moves(client, db):
    document = client.get("/api/v1/openapi.json").json()
    paths, schemas = document["paths"], document["components"]["schemas"]

    give = paths["/api/v1/groups/{group_id}/held-seats"]["delete"]
    assert give["summary"] and give["description"]
    assert {"204", "401", "403", "404", "409"} <= set(give["responses"])
    assert [next(iter(option)) for option in give["security"]] == ["BearerToken", "SessionCookie"]

    moving = paths["/api/v1/bookings/{booking_id}/seats/{seat_id}/move"]["post"]
    assert moving["summary"] and "same course" in moving["description"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(moving["responses"])
    assert moving["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BookingOut"
    }
    assert schemas["MoveIn"]["additionalProperties"] is False
    assert {"seats_held_for_you", "seats_held_for_you_until"} <= set(
        schemas["GroupOut"]["required"]
    )
    description = document["info"]["description"]
    assert "referral partner" in description and "held-seats" in description
