"""Seats a coordinator holds for one organisation until a date (issue 13): nobody else can take
them, the organisation books them as usual, and at the date or when given back they go to the
waiting list first, then to everyone."""

import datetime

import pytest
from django.utils import timezone, translation

from booking import services
from booking.errors import BookingError, GroupFull, InvalidRequest, InvalidState, NotAllowed
from booking.models import Action, CourseGroup, Organisation, Seat, SeatHold
from booking.models.history import SystemReason
from booking.policies import allows, check_can_book
from booking.selectors import availability
from tests.factories import OrganisationFactory

from .factories import CourseGroupFactory, SeatFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

TODAY = timezone.localdate()


def days(count):
    return TODAY + datetime.timedelta(days=count)


def hold(people, group, seats=3, until=None, organisation=None, by=None):
    return services.hold_seats(
        group=group,
        organisation=organisation or people.promen,
        seats=seats,
        held_until=until or days(7),
        by=by or people.coordinator_gouda,
        reason="Promen kiest nog wie er gaan",
    )


def book(group, organisation, contact, seats):
    return services.reserve_seats(group=group, organisation=organisation, by=contact, seats=seats)


def fresh(group):
    return CourseGroup.objects.get(pk=group.pk)


def confirmed_of(group, organisation):
    return (
        Seat.objects.confirmed()
        .filter(booking__group=group, booking__organisation=organisation)
        .count()
    )


def waiting_of(group):
    return list(
        Seat.objects.filter(booking__group=group)
        .in_waitlist_order()
        .values_list("booking__organisation__slug", flat=True)
    )


@pytest.fixture
def partner(db):
    """A referral partner (the municipality's social team) with a contact person."""
    team = OrganisationFactory(
        name="Sociaal team Gouda", slug="sociaal-team-gouda", kind="referral_partner"
    )
    return team, UserFactory(username="contact-sociaal-team", organisation=team)


# -- holding -----------------------------------------------------------------------------------


def test_held_seats_are_not_free_for_anyone_else(people, group):
    made = hold(people, group, seats=3)

    group = fresh(group)
    assert made.seats == 3 and made.released_at is None
    assert group.seats_held == 3
    assert availability(group).free == 2
    result = services.reserve_seats(
        group=group, organisation=people.konnected, by=people.contact_konnected, seats=3
    )
    assert (len(result.confirmed), len(result.waitlisted)) == (2, 1)


def test_the_holder_books_its_held_seats_even_when_the_rest_is_gone(people, group):
    hold(people, group, seats=3)
    services.reserve_seats(
        group=group, organisation=people.konnected, by=people.contact_konnected, seats=2
    )

    result = services.reserve_seats(
        group=group, organisation=people.promen, by=people.contact_promen, seats=4
    )

    assert (len(result.confirmed), len(result.waitlisted)) == (3, 1)
    assert fresh(group).seats_held == 0
    used = SeatHold.objects.get()
    assert used.released_at is not None
    assert used.history.first().history_change_reason == SystemReason.HOLD_BOOKED


def test_booking_part_of_a_hold_keeps_the_rest_held(people, group):
    hold(people, group, seats=3)

    services.reserve_seats(
        group=group, organisation=people.promen, by=people.contact_promen, seats=1
    )

    remaining = SeatHold.objects.active().get()
    assert remaining.seats == 2
    assert fresh(group).seats_held == 2
    # 5 seats: 1 confirmed, 2 still held, 2 free for anyone.
    assert availability(fresh(group)).free == 2


def test_a_second_hold_for_the_same_organisation_adds_to_the_first(people, group):
    hold(people, group, seats=1, until=days(3))
    hold(people, group, seats=2, until=days(5))

    only = SeatHold.objects.active().get()
    assert (only.seats, only.held_until) == (3, days(5))
    assert fresh(group).seats_held == 3
    assert [record.action for record in only.history.order_by("history_date")] == [
        Action.HELD,
        Action.HELD,
    ]


def test_the_capacity_cannot_drop_below_confirmed_and_held_seats(people, group):
    services.reserve_seats(
        group=group, organisation=people.konnected, by=people.contact_konnected, seats=2
    )
    hold(people, group, seats=2)

    with pytest.raises(BookingError) as refused:
        services.change_capacity(group=group, capacity=3, by=people.coordinator_gouda, reason="x")

    assert refused.value.message == (
        "2 seats are confirmed and 2 are held, so the group needs at least 4 seats. "
        "Give back held seats first if it must be smaller."
    )
    assert fresh(group).capacity == 5


# -- what a hold may not be --------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, error, message",
    [
        (
            {"seats": 6},
            GroupFull,
            "Only 5 seats are free, so you can hold at most 5.",
        ),
        ({"seats": 0}, InvalidRequest, "Hold at least 1 seat."),
        ({"until": days(-1)}, InvalidRequest, "Choose a day from today on."),
        (
            {"until": days(14)},
            InvalidRequest,
            "Hold the seats until a day before that.",
        ),
        (
            {"until": days(30)},
            InvalidRequest,
            "Hold the seats until a day before that.",
        ),
    ],
)
def test_a_hold_is_refused_with_its_reason(people, group, changes, error, message):
    with pytest.raises(error) as refused:
        hold(people, group, **changes)
    assert message in refused.value.message
    assert not SeatHold.objects.exists()
    assert fresh(group).seats_held == 0


def test_a_hold_larger_than_the_free_seats_is_refused(people, group):
    services.reserve_seats(
        group=group, organisation=people.konnected, by=people.contact_konnected, seats=4
    )

    with pytest.raises(GroupFull) as refused:
        hold(people, group, seats=2)

    assert refused.value.message == "Only 1 seat is free, so you can hold at most 1."


def test_only_the_groups_coordinators_hold_seats(people, group):
    for someone in (people.contact_promen, people.coordinator_deventer):
        with pytest.raises(NotAllowed):
            hold(people, group, by=someone)
    assert not SeatHold.objects.exists()


def test_seats_are_held_for_organisations_that_send_learners_only(people, group, partner):
    with pytest.raises(NotAllowed) as refused:
        hold(people, group, organisation=people.deventer)
    assert refused.value.message == "Seats can be held for an SW company or a referral partner."

    team, _contact = partner
    assert hold(people, group, organisation=team).organisation == team


def test_no_hold_in_a_cancelled_group(people, group):
    services.cancel_group(group=group, by=people.coordinator_gouda, reason="Geen trainer")
    with pytest.raises(InvalidState):
        hold(people, group)


def test_a_hold_needs_a_reason(people, group):
    with pytest.raises(InvalidRequest):
        services.hold_seats(
            group=group,
            organisation=people.promen,
            seats=1,
            held_until=days(3),
            by=people.coordinator_gouda,
            reason="  ",
        )


def test_the_refusal_is_said_in_dutch_too(people, group):
    with pytest.raises(GroupFull) as refused:
        hold(people, group, seats=9)
    with translation.override("nl"):
        assert refused.value.message == (
            "Er zijn maar 5 plaatsen vrij, dus je kunt er hoogstens 5 vasthouden."
        )


# -- giving back -----------------------------------------------------------------------------


def test_given_back_seats_go_to_the_waiting_list_first_then_to_everyone(people, group):
    made = hold(people, group, seats=3)
    services.reserve_seats(
        group=group, organisation=people.konnected, by=people.contact_konnected, seats=3
    )
    assert waiting_of(group) == ["konnected"]

    promoted = services.release_hold(hold=made, by=people.contact_promen, reason="Niet nodig")

    assert len(promoted) == 1
    assert waiting_of(group) == []
    group = fresh(group)
    assert group.seats_held == 0
    assert availability(group).free == 2
    released = SeatHold.objects.get()
    assert released.released_at is not None
    record = released.history.first()
    assert (record.action, record.history_change_reason, record.history_user) == (
        Action.HOLD_RELEASED,
        "Niet nodig",
        people.contact_promen,
    )


def test_the_coordinator_gives_back_too(people, group):
    made = hold(people, group)
    services.release_hold(hold=made, by=people.coordinator_gouda)
    assert fresh(group).seats_held == 0


def test_a_hold_is_not_given_back_by_another_organisation_or_library(people, group, partner):
    made = hold(people, group)
    _team, someone_elses_partner = partner
    for someone in (people.contact_konnected, people.coordinator_deventer, someone_elses_partner):
        with pytest.raises(NotAllowed) as refused:
            services.release_hold(hold=made, by=someone)
        assert refused.value.message == (
            "You can only give back seats held for your own organisation."
        )
    assert fresh(group).seats_held == 3


def test_a_hold_is_given_back_once(people, group):
    made = hold(people, group)
    services.release_hold(hold=made, by=people.contact_promen)

    with pytest.raises(InvalidState) as refused:
        services.release_hold(hold=made, by=people.contact_promen)

    assert refused.value.message == "These seats are no longer held."
    assert fresh(group).seats_held == 0


# -- the date passing ---------------------------------------------------------------------------


def test_the_scheduled_command_releases_holds_whose_day_has_passed(people, group):
    hold(people, group, seats=2, until=days(1))
    other = CourseGroupFactory(course=group.course, library=people.gouda)
    hold(people, other, seats=1, until=days(3))

    released = services.release_overdue_holds(today=days(2))

    assert released == 1
    assert fresh(group).seats_held == 0
    assert fresh(other).seats_held == 1
    expired = SeatHold.objects.get(group=group)
    assert expired.history.first().history_change_reason == SystemReason.HOLD_EXPIRED


def test_a_hold_past_its_day_is_released_when_the_group_is_touched(people, group):
    made = hold(people, group, seats=3, until=days(1))
    SeatHold.objects.filter(pk=made.pk).update(held_until=days(-1))
    services.reserve_seats(
        group=group, organisation=people.konnected, by=people.contact_konnected, seats=5
    )

    # The group was locked for the booking: the old hold gave its seats back first.
    assert confirmed_of(group, people.konnected) == 5
    assert fresh(group).seats_held == 0


def test_a_released_hold_stays_in_the_history_with_its_numbers(people, group):
    made = hold(people, group, seats=2)
    services.release_hold(hold=made, by=people.coordinator_gouda)
    records = list(made.history.order_by("history_date").values_list("action", "seats"))
    assert records == [(Action.HELD, 2), (Action.HOLD_RELEASED, 2)]


# -- everyone who sends learners books ----------------------------------------------------------


def test_a_referral_partner_books_like_an_sw_company(group, partner):
    team, contact = partner
    result = services.reserve_seats(group=group, organisation=team, by=contact, seats=2)
    assert len(result.confirmed) == 2
    assert result.booking.organisation.kind == Organisation.Kind.REFERRAL_PARTNER


def test_a_coordinator_books_for_the_librarys_own_learners(people, group):
    result = services.reserve_seats(
        group=group, organisation=people.gouda, by=people.coordinator_gouda, seats=2
    )
    assert len(result.confirmed) == 2
    assert availability(fresh(group)).confirmed == 2


def test_the_portal_asks_the_same_rule(people, group, partner):
    team, contact = partner
    assert allows(check_can_book, group, organisation=team, by=contact, count=1)
    assert not allows(check_can_book, group, organisation=people.gouda, by=contact, count=1)


# -- moving across courses ----------------------------------------------------------------------


def test_a_coordinator_moves_a_seat_to_another_course_with_a_reason(people, group):
    digisterker = CourseGroupFactory(library=people.gouda)
    seat = SeatFactory(booking__group=group, booking__organisation=people.promen)

    with pytest.raises(InvalidRequest):
        services.move_seat(seat=seat, to_group=digisterker, by=people.coordinator_gouda)
    moved = services.move_seat(
        seat=seat, to_group=digisterker, by=people.coordinator_gouda, reason="Kan al meer"
    )

    assert moved.booking.group == digisterker
    assert moved.status == Seat.Status.CONFIRMED


def test_a_contact_person_moves_within_the_course_only(people, group):
    digisterker = CourseGroupFactory(library=people.gouda)
    seat = SeatFactory(booking__group=group, booking__organisation=people.promen)
    with pytest.raises(InvalidRequest) as refused:
        services.move_seat(
            seat=seat, to_group=digisterker, by=people.contact_promen, reason="Graag"
        )
    assert refused.value.message == "A seat can only move to a group of the same course."


def test_a_moved_seat_takes_a_seat_held_for_its_organisation(people, group):
    other = CourseGroupFactory(course=group.course, library=people.gouda, capacity=2)
    hold(people, other, seats=2)
    services.reserve_seats(
        group=other, organisation=people.konnected, by=people.contact_konnected, seats=1
    )
    seat = SeatFactory(booking__group=group, booking__organisation=people.promen)

    moved = services.move_seat(seat=seat, to_group=other, by=people.contact_promen)

    assert moved.status == Seat.Status.CONFIRMED
    assert fresh(other).seats_held == 1
