"""Many people booking, cancelling and moving seats at the same moment (DESIGN.md, rule 1).

Each test starts threads that open their own database connection, wait at a barrier and then
call booking.services together, as requests in different web workers would. The data is
committed first (`transaction=True`), so every thread sees it. PostgreSQL tests need
DATABASE_URL=postgres://...

On SQLite the suite's test database lives in shared-cache memory, where a second writer fails
at once ("database table is locked") instead of waiting for the lock. The tests here therefore
run on a file copy of it with the project's own SQLite options (IMMEDIATE transactions, WAL,
the busy timeout), which is what a SQLite site runs on. The suite keeps its in-memory database:
the browser tests need the live server to share the test's connection.
"""

import datetime
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction
from django.utils import timezone, translation

from booking import services
from booking.errors import BookingBusy
from booking.models import Action, Booking, CourseGroup, Seat, SeatHold
from booking.selectors import waitlist

from .factories import CompanyFactory, CourseGroupFactory, LocationFactory, UserFactory

ENGINE = settings.DATABASES["default"]["ENGINE"]
ON_POSTGRES = ENGINE == "django.db.backends.postgresql"
ON_SQLITE = ENGINE == "django.db.backends.sqlite3"

# serialized_rollback: each test starts with what the migrations made (locales, the root page),
# which the flush after a transactional test removes.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.crowd,
]
requires_postgres = pytest.mark.skipif(
    not ON_POSTGRES, reason="needs PostgreSQL: set DATABASE_URL=postgres://..."
)
sqlite_only = pytest.mark.skipif(not ON_SQLITE, reason="the SQLite variant of a PostgreSQL test")

DEADLOCK = "40P01"
# Long enough that a thread at the back of a 50-thread queue on a busy machine still gets its
# turn: these tests are about order and counts; the busy tests below set a short wait.
PATIENT_LOCK_TIMEOUT = 60


class FileDatabase:
    """The settings of the file copy that this test's threads connect to (SQLite only)."""

    settings: dict | None = None

    @classmethod
    def connect_this_thread(cls):
        if cls.settings is not None:
            wrapper = connections[DEFAULT_DB_ALIAS].__class__(cls.settings, DEFAULT_DB_ALIAS)
            connections[DEFAULT_DB_ALIAS] = wrapper


@pytest.fixture(autouse=True)
def database(transactional_db, tmp_path):
    """On SQLite, move this test (main thread and every thread it starts) to a file copy of
    the freshly migrated test database; give the in-memory one back afterwards."""
    if not ON_SQLITE:
        yield
        return
    original = connections[DEFAULT_DB_ALIAS]
    original.ensure_connection()
    path = tmp_path / "threads.sqlite3"
    copy = sqlite3.connect(path)
    original.connection.backup(copy)
    copy.close()
    FileDatabase.settings = {
        **original.settings_dict,
        "NAME": str(path),
        "OPTIONS": dict(original.settings_dict["OPTIONS"]),
    }
    FileDatabase.connect_this_thread()
    try:
        yield
    finally:
        connection.close()
        connections[DEFAULT_DB_ALIAS] = original
        FileDatabase.settings = None


@dataclass
class Outcome:
    """What one thread's call returned, or the exception that reached the caller."""

    index: int
    ident: int | None = None
    result: object = None
    error: BaseException | None = None


def at_once(count: int, work: Callable[[int], object], *, timeout: float = 120) -> list[Outcome]:
    """Run work(0) ... work(count - 1) in threads that start together; return their outcomes.

    Each thread connects before the barrier (so connecting does not spread the start) and
    closes its connection at the end.
    """
    barrier = threading.Barrier(count)
    outcomes = [Outcome(index) for index in range(count)]

    def run(outcome):
        outcome.ident = threading.get_ident()
        FileDatabase.connect_this_thread()
        try:
            connection.ensure_connection()
        except BaseException as error:
            # Let the others go at once with BrokenBarrierError; this thread reports why.
            outcome.error = error
            barrier.abort()
            connection.close()
            return
        try:
            barrier.wait(timeout)
            outcome.result = work(outcome.index)
        except BaseException as error:  # whatever escaped, the test reports it
            outcome.error = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(outcome,)) for outcome in outcomes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread never finished"
    return outcomes


def errors(outcomes: list[Outcome]) -> list[str]:
    return [f"thread {o.index}: {o.error!r}" for o in outcomes if o.error is not None]


def sqlstates(error: BaseException | None) -> set[str]:
    """The PostgreSQL error codes anywhere in an exception's chain of causes."""
    codes = set()
    while error is not None:
        if getattr(error, "sqlstate", None):
            codes.add(error.sqlstate)
        error = error.__cause__ or error.__context__
    return codes


@dataclass
class Arrivals:
    """The threads in the order in which they got the group's lock, and how long each
    waited for it."""

    order: list[int]
    waits: list[float]


@contextmanager
def arrivals_recorded():
    """Patch locked_groups to note which thread got the group's lock, and when."""
    real = services.locked_groups
    arrivals = Arrivals([], [])

    @contextmanager
    def recording(*group_ids, **options):
        asked = time.monotonic()
        with real(*group_ids, **options) as groups:
            # Inside the lock, so one thread at a time appends.
            arrivals.order.append(threading.get_ident())
            arrivals.waits.append(time.monotonic() - asked)
            yield groups

    with mock.patch.object(services, "locked_groups", recording):
        yield arrivals


@contextmanager
def slow_counting(seconds: float):
    """Widen the gap between counting the free seats and writing the seats."""
    real = services._free_seats

    def counted_slowly(group):
        free = real(group)
        time.sleep(seconds)
        return free

    with mock.patch.object(services, "_free_seats", counted_slowly):
        yield


def contacts(count: int, companies: int = 5) -> list:
    """`count` contact persons spread over `companies` SW companies, one user each."""
    orgs = [CompanyFactory() for _ in range(companies)]
    return [UserFactory(organisation=orgs[index % companies]) for index in range(count)]


def company(user):
    return user.membership.organisation


def confirmed_over_time(group: CourseGroup) -> list[int]:
    """The number of confirmed seats after each history record of the group's seats.

    History ids are handed out inside the group's lock, so their order is the order in which
    the transactions changed the group.
    """
    status, counts = {}, []
    booking_ids = Booking.objects.filter(group=group).values("pk")
    for record in Seat.history.filter(booking_id__in=booking_ids).order_by("history_id"):
        status[record.id] = record.status
        counts.append(sum(value == Seat.Status.CONFIRMED for value in status.values()))
    return counts


# -- the last seats, booked by many at once ---------------------------------------------------


def book_last_seats_at_once(group, users, *, delay: float = 0.0):
    with arrivals_recorded() as arrivals, slow_counting(delay):
        outcomes = at_once(
            len(users),
            lambda index: services.reserve_seats(
                group=group, organisation=company(users[index]), by=users[index], seats=1
            ),
        )
    return outcomes, arrivals


def assert_first_come_first_served(group, users, outcomes, arrivals):
    """Five confirmed, the rest waitlisted in the order in which they got the group's lock."""
    assert errors(outcomes) == []
    index_of_thread = {outcome.ident: outcome.index for outcome in outcomes}
    arrival = [index_of_thread[ident] for ident in arrivals.order]
    assert sorted(arrival) == list(range(len(users)))  # each thread got the lock once

    bookings = list(Booking.objects.filter(group=group).order_by("pk"))
    index_of_user = {user.pk: index for index, user in enumerate(users)}
    assert [index_of_user[b.booked_by_id] for b in bookings] == arrival

    seats = Seat.objects.filter(booking__group=group)
    first_five = {users[index].pk for index in arrival[:5]}
    assert set(seats.confirmed().values_list("booking__booked_by", flat=True)) == first_five
    assert seats.waitlisted().count() == len(users) - 5

    queue = waitlist(group)
    assert [index_of_user[seat.booking.booked_by_id] for seat in queue] == arrival[5:]
    waited_since = [seat.waitlisted_at for seat in queue]
    assert waited_since == sorted(waited_since)

    # What each caller was told matches the queue: place 1 for the sixth to arrive, and so on.
    for place, index in enumerate(arrival[5:], start=1):
        result = outcomes[index].result
        assert result.confirmed == []
        assert sorted(result.waitlist_positions.values()) == list(range(1, place + 1))
        assert result.waitlist_positions[result.waitlisted[0].pk] == place
    for index in arrival[:5]:
        assert len(outcomes[index].result.confirmed) == 1


@pytest.mark.parametrize("delay", [0, 0.02], ids=["as-is", "slow-counting"])
@pytest.mark.postgres
@requires_postgres
def test_fifty_contacts_book_the_last_five_seats_at_once_on_postgresql(group, settings, delay):
    settings.BOOKING_LOCK_TIMEOUT = PATIENT_LOCK_TIMEOUT
    users = contacts(50)

    outcomes, arrivals = book_last_seats_at_once(group, users, delay=delay)

    assert_first_come_first_served(group, users, outcomes, arrivals)
    if delay:  # they really queued: the last ones waited for many before them
        assert max(arrivals.waits) > 10 * delay


@sqlite_only
def test_ten_contacts_book_the_last_five_seats_at_once_on_sqlite(group):
    users = contacts(10)

    outcomes, arrivals = book_last_seats_at_once(group, users, delay=0.02)

    # The IMMEDIATE transaction queues the writers; nobody is told "database is locked".
    assert_first_come_first_served(group, users, outcomes, arrivals)
    assert max(arrivals.waits) > 3 * 0.02  # they really queued for the lock


@pytest.mark.postgres
@requires_postgres
def test_without_the_group_lock_the_same_run_oversells(group, settings):
    """The race test can see a race: take the lock away and the group is overbooked."""
    settings.BOOKING_LOCK_TIMEOUT = PATIENT_LOCK_TIMEOUT
    users = contacts(50)

    @contextmanager
    def unlocked(*group_ids, **options):
        with transaction.atomic():
            yield {g.pk: g for g in CourseGroup.objects.filter(pk__in=group_ids)}

    with mock.patch.object(services, "locked_groups", unlocked):
        outcomes, _arrivals = book_last_seats_at_once(group, users, delay=0.2)

    assert errors(outcomes) == []
    assert Seat.objects.filter(booking__group=group).confirmed().count() > group.capacity


# -- cancelling while others book ---------------------------------------------------------------


def cancel_while_others_book(group, *, bookers: int):
    """Five confirmed and five waitlisted bookings are cancelled while `bookers` new ones
    come in, all at once."""
    early = contacts(10)
    for user in early:
        services.reserve_seats(group=group, organisation=company(user), by=user, seats=1)
    existing = list(Booking.objects.filter(group=group).select_related("booked_by", "organisation"))
    late = contacts(bookers)

    def work(index):
        if index < len(existing):
            booking = existing[index]
            return services.cancel_seats(booking=booking, by=booking.booked_by)
        user = late[index - len(existing)]
        return services.reserve_seats(group=group, organisation=company(user), by=user, seats=1)

    with slow_counting(0.01):
        outcomes = at_once(len(existing) + bookers, work)
    assert errors(outcomes) == []
    return existing


def assert_never_overbooked(group, existing, *, bookers: int):
    seats = Seat.objects.filter(booking__group=group)
    assert seats.filter(booking__in=existing).active().count() == 0
    assert seats.confirmed().count() == group.capacity  # more people than seats: all taken
    assert seats.waitlisted().count() == bookers - group.capacity
    counts = confirmed_over_time(group)
    assert max(counts) == group.capacity
    assert counts[-1] == group.capacity

    # Nobody still waiting joined the list before someone who was promoted past them.
    promoted = Seat.history.filter(booking__group=group, action=Action.PROMOTED)
    still_waiting = list(seats.waitlisted())
    for seat in seats.filter(pk__in=promoted.values("id")):
        for waiting in still_waiting:
            assert (waiting.waitlisted_at, waiting.pk) > (seat.waitlisted_at, seat.pk)


@pytest.mark.postgres
@requires_postgres
def test_cancellations_racing_reservations_never_overbook_on_postgresql(group, settings):
    settings.BOOKING_LOCK_TIMEOUT = PATIENT_LOCK_TIMEOUT

    existing = cancel_while_others_book(group, bookers=40)

    assert_never_overbooked(group, existing, bookers=40)


@sqlite_only
def test_cancellations_racing_reservations_never_overbook_on_sqlite(group):
    existing = cancel_while_others_book(group, bookers=8)

    assert_never_overbooked(group, existing, bookers=8)


# -- two groups, locked from both sides ---------------------------------------------------------


@pytest.fixture
def two_groups(group):
    """Group A (the `group` fixture) and group B of the same course, 10 seats each, with five
    confirmed seats in each, booked by five contact persons."""
    location = LocationFactory(organisation=group.library)
    other = CourseGroupFactory(course=group.course, library=group.library, location=location)
    users = contacts(5)
    for each in (group, other):
        services.change_capacity(
            group=each, capacity=10, by=UserFactory(superuser=True), reason="Grotere zaal"
        )
        for user in users:
            services.reserve_seats(group=each, organisation=company(user), by=user, seats=1)
    return group, other


def move_both_ways(group_a, group_b):
    """Seats of A move to B while seats of B move to A, all at once."""
    related = ("booking__booked_by", "booking__organisation")
    a_seats = list(Seat.objects.filter(booking__group=group_a).select_related(*related))
    b_seats = list(Seat.objects.filter(booking__group=group_b).select_related(*related))
    moves = [
        move
        for pair in zip(
            [(seat, group_b) for seat in a_seats],
            [(seat, group_a) for seat in b_seats],
            strict=True,
        )
        for move in pair
    ]
    return moves, at_once(
        len(moves),
        lambda index: services.move_seat(
            seat=moves[index][0], to_group=moves[index][1], by=moves[index][0].booking.booked_by
        ),
    )


def test_moving_seats_both_ways_at_once_finishes_without_deadlock(two_groups, settings):
    settings.BOOKING_LOCK_TIMEOUT = PATIENT_LOCK_TIMEOUT
    group_a, group_b = two_groups

    moves, outcomes = move_both_ways(group_a, group_b)

    assert errors(outcomes) == []
    for (seat, to_group), outcome in zip(moves, outcomes, strict=True):
        seat.refresh_from_db()
        assert seat.status == Seat.Status.CANCELLED
        assert outcome.result.booking.group_id == to_group.pk
        assert outcome.result.status == Seat.Status.CONFIRMED
    for each in (group_a, group_b):
        assert Seat.objects.filter(booking__group=each).confirmed().count() == 5


@pytest.mark.postgres
@requires_postgres
def test_locking_two_groups_in_the_callers_order_would_deadlock(two_groups):
    """The deadlock test can see a deadlock: take the locks in the order the caller names the
    groups (instead of by primary key) and PostgreSQL has to break one transaction off."""

    @contextmanager
    def in_callers_order(*group_ids, **options):
        with transaction.atomic():
            groups = {}
            for group_id in group_ids:
                groups[group_id] = CourseGroup.objects.select_for_update().get(pk=group_id)
                time.sleep(0.3)  # both sides hold their first lock before asking the second
            yield groups

    with mock.patch.object(services, "locked_groups", in_callers_order):
        _moves, outcomes = move_both_ways(*two_groups)

    assert any(DEADLOCK in sqlstates(outcome.error) for outcome in outcomes)


# -- a lock held too long: a polite "busy" -------------------------------------------------------


@contextmanager
def group_held(group):
    """Another connection holds the group's lock (on SQLite: the database's write lock) until
    the block ends."""
    locked, release = threading.Event(), threading.Event()
    failure = []

    def hold():
        FileDatabase.connect_this_thread()
        try:
            with transaction.atomic():  # SQLite: BEGIN IMMEDIATE takes the write lock
                CourseGroup.objects.select_for_update().get(pk=group.pk)
                locked.set()
                release.wait(30)
        except BaseException as error:  # the test reports it
            failure.append(error)
            locked.set()
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(30)
    assert failure == []
    try:
        yield
    finally:
        release.set()
        holder.join(30)


BUSY_CALLS = {
    "reserve": lambda group, people, booking: services.reserve_seats(
        group=group, organisation=people.promen, by=people.contact_promen, seats=1
    ),
    "cancel": lambda group, people, booking: services.cancel_seats(
        booking=booking, by=people.contact_promen
    ),
    "capacity": lambda group, people, booking: services.change_capacity(
        group=group, capacity=8, by=people.coordinator_gouda, reason="Grotere zaal"
    ),
}


def busy_then_fine(group, people, call, *, wait: float) -> BookingBusy:
    """Call a service while another connection holds the lock; return the error it gave.

    Checks that nothing changed, and that the same call succeeds once the lock is free.
    """
    booking = services.reserve_seats(
        group=group, organisation=people.promen, by=people.contact_promen, seats=1
    ).booking
    history_before = Seat.history.count() + CourseGroup.history.count()
    seats_before = list(Seat.objects.values_list("pk", "status"))

    with group_held(group):
        started = time.monotonic()
        with pytest.raises(BookingBusy) as caught:
            call(group, people, booking)
        waited = time.monotonic() - started

    assert wait * 0.8 <= waited < wait + 3
    with translation.override("en"):
        assert caught.value.message == (
            "It is very busy right now, so we could not save this. Nothing has changed. "
            "Please try again in a moment."
        )
    assert list(Seat.objects.values_list("pk", "status")) == seats_before
    assert Seat.history.count() + CourseGroup.history.count() == history_before
    # Once the lock is free, the same connection goes on as usual.
    call(group, people, booking)
    assert Seat.history.count() + CourseGroup.history.count() > history_before
    return caught.value


@pytest.mark.parametrize("call", BUSY_CALLS.values(), ids=BUSY_CALLS.keys())
@pytest.mark.postgres
@requires_postgres
def test_a_group_locked_too_long_gives_the_polite_busy_message_on_postgresql(
    group, people, settings, call
):
    settings.BOOKING_LOCK_TIMEOUT = 0.5

    error = busy_then_fine(group, people, call, wait=0.5)

    assert sqlstates(error) == {"55P03"}  # lock_not_available, from lock_timeout


@pytest.mark.parametrize("call", BUSY_CALLS.values(), ids=BUSY_CALLS.keys())
@sqlite_only
def test_a_database_locked_too_long_gives_the_polite_busy_message_on_sqlite(group, people, call):
    # SQLite waits for the write lock as long as the connection's timeout (4 s in base.py);
    # half a second keeps the test short. The next connection reads the changed option.
    FileDatabase.settings["OPTIONS"]["timeout"] = 0.5
    connection.close()

    error = busy_then_fine(group, people, call, wait=0.5)

    assert isinstance(error.__cause__, OperationalError)
    assert "database is locked" in str(error.__cause__)


# -- held seats, booked by many at once (issue 13) ---------------------------------------------


def _hold_for(group, organisation, seats, held_until):
    coordinator = UserFactory(organisation=group.library)
    return services.hold_seats(
        group=group,
        organisation=organisation,
        seats=seats,
        held_until=held_until,
        by=coordinator,
        reason="Het SW-bedrijf kiest nog wie er gaan",
    )


@pytest.mark.postgres
@requires_postgres
def test_thirty_contacts_of_three_organisations_book_a_group_with_held_seats(group, settings):
    """5 seats, 3 held for one of three organisations: the holder gets its 3 whatever the
    order, the others share the 2 free ones, the rest wait in the order they came."""
    settings.BOOKING_LOCK_TIMEOUT = PATIENT_LOCK_TIMEOUT
    users = contacts(30, companies=3)
    holder = company(users[0])
    _hold_for(group, holder, 3, timezone.localdate() + datetime.timedelta(days=3))

    outcomes, arrivals = book_last_seats_at_once(group, users)

    assert errors(outcomes) == []
    seats = Seat.objects.filter(booking__group=group)
    assert seats.confirmed().count() == 5
    assert seats.confirmed().filter(booking__organisation=holder).count() >= 3
    assert max(confirmed_over_time(group)) <= 5
    group.refresh_from_db()
    assert group.seats_held == 0
    index_of_thread = {outcome.ident: outcome.index for outcome in outcomes}
    arrival = [index_of_thread[ident] for ident in arrivals.order]
    # The first two to arrive from the other organisations took the free seats, unless the
    # holder's own people came first and took free seats beyond the three held for them.
    others = [index for index in arrival if company(users[index]) != holder]
    confirmed_users = set(seats.confirmed().values_list("booking__booked_by", flat=True))
    confirmed_others = [index for index in others if users[index].pk in confirmed_users]
    assert confirmed_others == others[: len(confirmed_others)]
    waiting = [seat.booking.booked_by_id for seat in waitlist(group)]
    assert len(waiting) == 25
    index_of_user = {user.pk: index for index, user in enumerate(users)}
    assert [index_of_user[pk] for pk in waiting] == [
        index for index in arrival if users[index].pk not in confirmed_users
    ]


@pytest.mark.postgres
@requires_postgres
def test_a_hold_expiring_while_people_book_promotes_each_seat_once(group, settings):
    """The hold's day has passed when 20 people book at once: the first to lock the group
    releases it, its seats go to whoever waits, and no seat is handed out twice."""
    settings.BOOKING_LOCK_TIMEOUT = PATIENT_LOCK_TIMEOUT
    users = contacts(20, companies=4)
    waiting = contacts(3, companies=1)
    for user in waiting:
        services.reserve_seats(group=group, organisation=company(user), by=user, seats=1)
    # The three waiting take three seats; two remain, and are held for someone else.
    hold = _hold_for(group, company(users[0]), 2, timezone.localdate())
    services.reserve_seats(group=group, organisation=company(users[1]), by=users[1], seats=2)
    SeatHold.objects.filter(pk=hold.pk).update(
        held_until=timezone.localdate() - datetime.timedelta(days=1)
    )

    outcomes = at_once(
        len(users),
        lambda index: services.reserve_seats(
            group=group, organisation=company(users[index]), by=users[index], seats=1
        ),
    )

    assert errors(outcomes) == []
    seats = Seat.objects.filter(booking__group=group)
    assert seats.confirmed().count() == 5
    assert max(confirmed_over_time(group)) <= 5
    promoted = Seat.history.filter(action=Action.PROMOTED)
    assert promoted.count() == len(set(promoted.values_list("id", flat=True)))
    released = SeatHold.history.filter(id=hold.pk, action=Action.HOLD_RELEASED)
    assert released.count() == 1
    group.refresh_from_db()
    assert group.seats_held == 0
