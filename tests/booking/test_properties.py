"""Random sequences of bookings keep the rules (hypothesis, stateful testing).

Three SW companies reserve 1-3 seats, contact persons and the library cancel seats, the
coordinator changes the capacity (1-8), promotes from the waiting list, holds seats for a
company, and holds are given back or expire; seats move to a second group of the course and
back, and the coordinator opens a new group for the waiting list, in any order. After every
step:

- confirmed and held seats never exceed the capacity (rule 1), the group's count of held
  seats is the sum of its active holds, and nobody waits while a seat is free for them;
- the waiting list is first come, first served (rule 3): nobody still waiting joined the list
  before a seat that was promoted from it, apart from seats taking a seat held for their own
  company (there is no per-company limit in this group);
- every row the step changed has exactly one new history record, with the user and a reason
  (rule 8), and a refused step changed nothing at all.
"""

import datetime
from collections import Counter

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
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
from booking.models import Action, Booking, CourseGroup, Seat, SeatHold

from .factories import CompanyFactory, CourseGroupFactory, UserFactory

MODELS = (CourseGroup, Booking, Seat, SeatHold)


def rows_of() -> dict:
    """Every booking row, by (model, id), with its field values.

    A group's count of held seats is left out: it follows the holds, whose own history says
    who changed them and why.
    """
    querysets = {
        CourseGroup: CourseGroup.objects.defer("seats_held"),
        Booking: Booking.objects.all(),
        Seat: Seat.objects.all(),
        SeatHold: SeatHold.objects.all(),
    }
    rows = {}
    for model, queryset in querysets.items():
        for values in queryset.values():
            values.pop("seats_held", None)
            rows[(model.__name__, values["id"])] = values
    return rows


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
    other = CourseGroupFactory(course=group.course, library=people.gouda, capacity=3)
    today = timezone.localdate()

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

        def step(self, name, action, *, by_system=False):
            """Run one service call; check the history of what it changed (or refused).

            Leerplein's own steps (a hold whose day passed) have no user, only a reason."""
            before_rows, before_history = rows_of(), history_counts()
            try:
                action()
            except BookingError as error:
                event(f"{name} refused: {type(error).__name__}")  # --hypothesis-show-statistics
                assert rows_of() == before_rows, f"{name} was refused but changed"
                assert history_counts() == before_history
                return False
            after_rows = rows_of()
            changed = {key for key, values in after_rows.items() if before_rows.get(key) != values}
            fresh = new_history(before_history)
            per_row = Counter(key for key, _record in fresh)
            for key in changed:
                assert per_row[key] == 1, f"{name}: {key} changed with {per_row[key]} records"
            # A row saved without a visible change (say, the same capacity) may have a record.
            assert all(count == 1 for count in per_row.values()), f"{name}: {per_row}"
            assert set(per_row) <= set(after_rows)
            for key, record in fresh:
                assert by_system or record.history_user_id is not None, f"{name}: {key} no user"
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
            free_before = services._free_for(CourseGroup.objects.get(pk=group.pk), company)
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
            confirmed += CourseGroup.objects.get(pk=group.pk).seats_held
            done = self.step(
                "capacity",
                lambda: services.change_capacity(
                    group=group, capacity=capacity, by=coordinator, reason="Andere zaal"
                ),
            )
            # Rule 6: refused exactly when the new number is below the confirmed and held seats.
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

        @rule(company=st.sampled_from(companies), count=st.integers(1, 3), days=st.integers(-1, 20))
        def hold(self, company, count, days):
            fresh = CourseGroup.objects.get(pk=group.pk)
            free_before = services._free_seats(fresh)
            done = self.step(
                "hold",
                lambda: services.hold_seats(
                    group=group,
                    organisation=company,
                    seats=count,
                    held_until=today + datetime.timedelta(days=days),
                    by=coordinator,
                    reason="Voor nieuwe collega's",
                ),
            )
            # Allowed exactly for a day from today until before the first session (in 14
            # days) and no more seats than are free.
            assert done == (0 <= days < 14 and count <= free_before)

        @precondition(lambda self: SeatHold.objects.active().filter(group=group).exists())
        @rule(pick=st.integers(0, 1000), by_holder=st.booleans())
        def release(self, pick, by_holder):
            holds = list(SeatHold.objects.active().filter(group=group).order_by("pk"))
            hold = holds[pick % len(holds)]
            by = contacts[hold.organisation_id] if by_holder else coordinator
            assert self.step("release", lambda: services.release_hold(hold=hold, by=by))

        @precondition(lambda self: SeatHold.objects.active().filter(group=group).exists())
        @rule()
        def expire(self):
            assert self.step(
                "expire",
                lambda: services.release_overdue_holds(today=today + datetime.timedelta(days=30)),
                by_system=True,
            )

        @precondition(lambda self: Seat.objects.filter(booking__group=group).active().exists())
        @rule(pick=st.integers(0, 1000), there=st.booleans())
        def move(self, pick, there):
            source, target = (group, other) if there else (other, group)
            seats = list(Seat.objects.filter(booking__group=source).active().order_by("pk"))
            if not seats:
                return
            seat = seats[pick % len(seats)]
            by = contacts[seat.booking.organisation_id]
            assert self.step("move", lambda: services.move_seat(seat=seat, to_group=target, by=by))

        @precondition(lambda self: Seat.objects.filter(booking__group=group).waitlisted().exists())
        @rule(capacity=st.integers(1, 3))
        def open_new_group(self, capacity):
            waiting = list(Seat.objects.filter(booking__group=group).in_waitlist_order())
            new_group = CourseGroupFactory.build(
                course=group.course,
                library=group.library,
                location=group.location,
                capacity=capacity,
            )
            new_group.sessions = []
            assert self.step(
                "open_new_group",
                lambda: services.open_group_for_waiting_list(
                    group=group, new_group=new_group, by=coordinator, reason="Veel wachtenden"
                ),
            )
            # The first in the queue moved, the rest kept their order.
            moved = waiting[:capacity]
            assert all(
                Seat.objects.get(pk=seat.pk).booking.group_id == new_group.pk for seat in moved
            )
            still = list(Seat.objects.filter(booking__group=group).in_waitlist_order())
            assert [seat.pk for seat in still] == [seat.pk for seat in waiting[capacity:]]

        # -- what always holds -----------------------------------------------------------

        @invariant()
        def never_more_confirmed_than_seats(self):
            for each in CourseGroup.objects.all():
                fresh = CourseGroup.objects.get(pk=each.pk)
                seats = Seat.objects.filter(booking__group=each)
                confirmed = seats.confirmed().count()
                holds = SeatHold.objects.active().filter(group=each)
                assert fresh.seats_held == (holds.aggregate(total=Sum("seats"))["total"] or 0)
                assert confirmed + fresh.seats_held <= fresh.capacity
                waiting = seats.waitlisted()
                if waiting.exists():
                    assert confirmed + fresh.seats_held == fresh.capacity, (
                        "someone waits while a seat is free"
                    )
                    holders = holds.values("organisation")
                    assert not waiting.filter(booking__organisation__in=holders).exists(), (
                        "someone waits while a seat is held for their company"
                    )

        @invariant()
        def first_come_first_served(self):
            seats = Seat.objects.filter(booking__group=group)
            promoted_ids = Seat.history.filter(
                action=Action.PROMOTED, id__in=seats.values("pk")
            ).values("id")
            held_for = SeatHold.objects.filter(group=group).values("organisation")
            promoted = seats.filter(pk__in=promoted_ids).exclude(booking__organisation__in=held_for)
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
