"""Random sequences of bookings keep the rules (hypothesis, stateful testing).

Three SW companies reserve 1-3 seats, contact persons and the library cancel seats, the
coordinator changes the capacity (1-8) and promotes from the waiting list, in any order. After
every step:

- confirmed seats never exceed the capacity (rule 1), and nobody waits while a seat is free;
- the waiting list is first come, first served (rule 3): nobody still waiting joined the list
  before a seat that was promoted from it (there is no per-company limit in this group);
- every row the step changed has exactly one new history record, with the user and a reason
  (rule 8), and a refused step changed nothing at all.
"""

from collections import Counter

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from booking import services
from booking.errors import BookingError
from booking.models import Action, Booking, CourseGroup, Seat

from .factories import CompanyFactory, UserFactory

MODELS = (CourseGroup, Booking, Seat)


def rows_of(group) -> dict:
    """Every booking row of the group, by (model, id), with its field values."""
    querysets = {
        CourseGroup: CourseGroup.objects.filter(pk=group.pk),
        Booking: Booking.objects.filter(group=group),
        Seat: Seat.objects.filter(booking__group=group),
    }
    return {
        (model.__name__, values["id"]): values
        for model, queryset in querysets.items()
        for values in queryset.values()
    }


def history_counts() -> Counter:
    """How many history records each booking row has."""
    counts = Counter()
    for model in MODELS:
        for row_id in model.history.values_list("id", flat=True):
            counts[(model.__name__, row_id)] += 1
    return counts


def new_history(before: Counter) -> list:
    """The history records written since `before` was counted."""
    records = []
    for model in MODELS:
        for record in model.history.order_by("history_id"):
            key = (model.__name__, record.id)
            records.append((key, record))
    seen = Counter()
    fresh = []
    for key, record in records:
        seen[key] += 1
        if seen[key] > before[key]:
            fresh.append((key, record))
    return fresh


@pytest.mark.django_db
def test_random_booking_sequences_keep_the_rules(people, group):
    companies = [people.promen, people.konnected, CompanyFactory(name="Pameijer")]
    contacts = {
        people.promen.pk: people.contact_promen,
        people.konnected.pk: people.contact_konnected,
        companies[2].pk: UserFactory(username="contact-pameijer", organisation=companies[2]),
    }
    coordinator = people.coordinator_gouda
    assert group.seats_per_organisation is None

    class Bookings(RuleBasedStateMachine):
        """One group, many hands. Each run is rolled back, so every run starts from the
        same empty group."""

        def __init__(self):
            super().__init__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

        # -- doing things, and checking what each did -----------------------------------

        def step(self, name, action):
            """Run one service call; check the history of what it changed (or refused)."""
            before_rows, before_history = rows_of(group), history_counts()
            try:
                action()
            except BookingError as error:
                event(f"{name} refused: {type(error).__name__}")  # --hypothesis-show-statistics
                assert rows_of(group) == before_rows, f"{name} was refused but changed rows"
                assert history_counts() == before_history
                return False
            after_rows = rows_of(group)
            changed = {key for key, values in after_rows.items() if before_rows.get(key) != values}
            fresh = new_history(before_history)
            per_row = Counter(key for key, _record in fresh)
            for key in changed:
                assert per_row[key] == 1, f"{name}: {key} changed with {per_row[key]} records"
            # A row saved without a visible change (say, the same capacity) may have a record.
            assert all(count == 1 for count in per_row.values()), f"{name}: {per_row}"
            assert set(per_row) <= set(after_rows)
            for key, record in fresh:
                assert record.history_user_id is not None, f"{name}: {key} has no user"
                assert record.history_change_reason.strip(), f"{name}: {key} has no reason"
                assert record.action, f"{name}: {key} has no action"
                if key[0] == "Seat":
                    assert record.status == after_rows[key]["status"]
            return True

        def active_seats(self):
            return list(
                Seat.objects.filter(booking__group=group)
                .active()
                .select_related("booking__organisation")
                .order_by("pk")
            )

        # -- the rules ---------------------------------------------------------------------

        @rule(company=st.sampled_from(companies), count=st.integers(1, 3))
        def reserve(self, company, count):
            free_before = services._free_seats(CourseGroup.objects.get(pk=group.pk))
            booked = []
            done = self.step(
                "reserve",
                lambda: booked.append(
                    services.reserve_seats(
                        group=group, organisation=company, by=contacts[company.pk], seats=count
                    )
                ),
            )
            if done:  # rule 2: what fits is confirmed, the rest waits
                result = booked[0]
                assert len(result.confirmed) == min(count, free_before)
                assert len(result.waitlisted) == count - len(result.confirmed)

        @precondition(lambda self: Seat.objects.filter(booking__group=group).active().exists())
        @rule(pick=st.integers(0, 1000), by_library=st.booleans())
        def cancel(self, pick, by_library):
            seats = self.active_seats()
            seat = seats[pick % len(seats)]
            by = coordinator if by_library else contacts[seat.booking.organisation_id]
            done = self.step(
                "cancel",
                lambda: services.cancel_seats(
                    booking=seat.booking,
                    by=by,
                    seat_ids=[seat.pk],
                    reason="Ziek gemeld" if by_library else "",
                ),
            )
            assert done
            assert Seat.objects.get(pk=seat.pk).status == Seat.Status.CANCELLED

        @rule(capacity=st.integers(1, 8))
        def change_capacity(self, capacity):
            confirmed = Seat.objects.filter(booking__group=group).confirmed().count()
            done = self.step(
                "capacity",
                lambda: services.change_capacity(
                    group=group, capacity=capacity, by=coordinator, reason="Andere zaal"
                ),
            )
            # Rule 6: refused exactly when the new number is below the confirmed seats.
            assert done == (capacity >= confirmed)
            if done:
                assert CourseGroup.objects.get(pk=group.pk).capacity == capacity

        @rule()
        def promote_waitlist(self):
            assert self.step(
                "promote_waitlist",
                lambda: services.promote_waitlist(group=group, by=coordinator, reason="Controle"),
            )

        @precondition(lambda self: Seat.objects.filter(booking__group=group).waitlisted().exists())
        @rule(pick=st.integers(0, 1000))
        def promote_seat(self, pick):
            waiting = list(Seat.objects.filter(booking__group=group).in_waitlist_order())
            seat = waiting[pick % len(waiting)]
            self.step(
                "promote_seat",
                lambda: services.promote_seat(seat=seat, by=coordinator, reason="Voorrang"),
            )

        # -- what always holds -----------------------------------------------------------

        @invariant()
        def never_more_confirmed_than_seats(self):
            capacity = CourseGroup.objects.get(pk=group.pk).capacity
            seats = Seat.objects.filter(booking__group=group)
            confirmed = seats.confirmed().count()
            assert confirmed <= capacity
            if seats.waitlisted().exists():
                assert confirmed == capacity, "someone waits while a seat is free"

        @invariant()
        def first_come_first_served(self):
            seats = Seat.objects.filter(booking__group=group)
            promoted_ids = Seat.history.filter(
                action=Action.PROMOTED, id__in=seats.values("pk")
            ).values("id")
            promoted = seats.filter(pk__in=promoted_ids)
            last_promoted = max(((s.waitlisted_at, s.pk) for s in promoted), default=None)
            first_waiting = seats.in_waitlist_order().first()
            if last_promoted and first_waiting:
                assert (first_waiting.waitlisted_at, first_waiting.pk) > last_promoted

    run_state_machine_as_test(
        Bookings,
        settings=settings(
            max_examples=30,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
