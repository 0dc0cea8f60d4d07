"""The first step of reserving says how many seats the organisation may ask for, and why,
and refuses more there, before anyone types names (issue 10)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from booking import services
from booking.errors import OrganisationLimitReached, TooManySeats
from booking.models import Seat
from booking.policies import check_can_book, refusal, seat_allowance
from tests.helpers import text_of

from .factories import CourseGroupFactory

pytestmark = pytest.mark.django_db


def reserve_url(group, language):
    with translation.override(language):
        return reverse("portal:reserve", kwargs={"group_id": group.pk})


def field_max(response) -> str:
    tag = re.search(r'<input[^>]*name="seats"[^>]*>', response.content.decode()).group(0)
    return re.search(r'max="(\d+)"', tag).group(1)


@pytest.fixture
def three_free(people, course):
    """A group of 5 with 3 seats free: another organisation holds 2 (booked before the
    group got its limit, as a coordinator may set one later)."""

    def make(seats_per_organisation=None):
        group = CourseGroupFactory(course=course, library=people.gouda, capacity=5)
        services.reserve_seats(
            group=group, organisation=people.konnected, by=people.contact_konnected, seats=2
        )
        group.seats_per_organisation = seats_per_organisation
        group.save()
        return group

    return make


LIMIT_TEXTS = {
    "en": (
        "You can reserve 1 seat now. Your organisation can have at most 1 seat in this group, "
        "including the waiting list. You have 0 now."
    ),
    "nl": (
        "Je kunt nu 1 plaats reserveren. Je organisatie mag maximaal 1 plaats hebben in deze "
        "groep. Plaatsen op de wachtlijst tellen mee. Je hebt er nu 0."
    ),
}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_first_step_states_the_organisations_maximum_and_why(
    promen_client, three_free, language
):
    group = three_free(seats_per_organisation=1)

    response = promen_client.get(reserve_url(group, language))

    text = text_of(response)
    assert LIMIT_TEXTS[language] in text
    free = {"en": "There are 3 seats free.", "nl": "Er zijn nog 3 plaatsen vrij."}
    assert free[language] in text
    assert field_max(response) == "1"
    assert "Maximaal 5" not in text and "At most 5" not in text


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_more_than_the_organisation_may_hold_is_refused_at_the_first_step(
    promen_client, people, three_free, booking_state, language, method
):
    group = three_free(seats_per_organisation=1)
    before = booking_state()

    send = getattr(promen_client, method)
    response = send(reserve_url(group, language), {"seats": 2, "seat-1-first_name": "Anja"})

    assert response.status_code == 200
    assert "<legend" not in response.content.decode()
    errors = response.context["count_form"].errors["seats"]
    assert errors == [LIMIT_TEXTS[language]]
    assert booking_state() == before
    assert not Seat.objects.filter(booking__organisation=people.promen).exists()


def test_the_allowed_number_still_goes_to_the_names(promen_client, three_free):
    group = three_free(seats_per_organisation=1)

    response = promen_client.get(reserve_url(group, "en"), {"seats": 1})

    assert "Seat 1" in text_of(response)
    assert "Seat 2" not in text_of(response)


@pytest.mark.parametrize(
    "language, texts",
    [
        (
            "en",
            [
                "You can reserve at most 5 seats at once in this group.",
                "There are 3 seats free. If you ask for more, the others go on the waiting list.",
            ],
        ),
        (
            "nl",
            [
                "Je kunt in deze groep maximaal 5 plaatsen tegelijk reserveren.",
                "Er zijn nog 3 plaatsen vrij. Vraag je er meer aan? Dan komen de andere op de "
                "wachtlijst.",
            ],
        ),
    ],
)
def test_without_a_limit_free_seats_are_no_maximum(promen_client, three_free, language, texts):
    group = three_free()

    response = promen_client.get(reserve_url(group, language))

    text = text_of(response)
    assert all(part in text for part in texts)
    assert field_max(response) == "5"


def test_a_full_group_says_everything_goes_on_the_waiting_list(promen_client, people, course):
    group = CourseGroupFactory(course=course, library=people.gouda, capacity=2)
    services.reserve_seats(
        group=group, organisation=people.konnected, by=people.contact_konnected, seats=2
    )

    response = promen_client.get(reserve_url(group, "en"))

    assert "There are no free seats now. The seats you ask for go on the waiting list." in (
        text_of(response)
    )
    assert field_max(response) == "2"


@pytest.mark.parametrize(
    "language, message",
    [
        (
            "en",
            "Your organisation can have at most 2 seats in this group, including the waiting "
            "list. You have 2 now.",
        ),
        (
            "nl",
            "Je organisatie mag maximaal 2 plaatsen hebben in deze groep. Plaatsen op de "
            "wachtlijst tellen mee. Je hebt er nu 2.",
        ),
    ],
)
def test_an_organisation_that_holds_its_limit_is_told_why_it_cannot_reserve(
    promen_client, people, three_free, booking_state, language, message
):
    group = three_free(seats_per_organisation=2)
    services.reserve_seats(
        group=group, organisation=people.promen, by=people.contact_promen, seats=2
    )
    before = booking_state()

    shown = promen_client.get(reserve_url(group, language))
    posted = promen_client.post(reserve_url(group, language), {"seats": 1})

    for response in (shown, posted):
        assert message in text_of(response)
        assert 'name="seats"' not in response.content.decode()
    assert booking_state() == before


def test_the_limit_after_earlier_seats_counts_the_waiting_list(promen_client, people, course):
    group = CourseGroupFactory(course=course, library=people.gouda, capacity=2)
    group.seats_per_organisation = 2
    group.save()
    services.reserve_seats(
        group=group, organisation=people.konnected, by=people.contact_konnected, seats=2
    )
    services.reserve_seats(
        group=group, organisation=people.promen, by=people.contact_promen, seats=1
    )

    response = promen_client.get(reserve_url(group, "en"))

    assert "You can reserve 1 seat now." in text_of(response)
    assert "You have 1 now." in text_of(response)
    assert field_max(response) == "1"


# -- one maximum for the form and the service ----------------------------------------------


@pytest.mark.parametrize(
    "capacity, limit, held, most",
    [(5, None, 0, 5), (5, 1, 0, 1), (5, 3, 1, 2), (5, 2, 2, 0), (3, 3, 0, 3), (3, 3, 2, 1)],
)
def test_the_service_refuses_exactly_beyond_the_maximum(
    people, course, capacity, limit, held, most
):
    group = CourseGroupFactory(course=course, library=people.gouda, capacity=capacity)
    group.seats_per_organisation = limit
    group.save()
    if held:
        services.reserve_seats(
            group=group, organisation=people.promen, by=people.contact_promen, seats=held
        )

    allowance = seat_allowance(group, people.promen)

    assert allowance.most == most

    def check(count):
        return refusal(
            check_can_book, group, organisation=people.promen, by=people.contact_promen, count=count
        )

    if most:
        assert check(most) is None
    error = check(most + 1)
    assert isinstance(error, OrganisationLimitReached if most < capacity else TooManySeats)
    assert error.message == allowance.reason.message
