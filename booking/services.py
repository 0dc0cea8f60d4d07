"""Every change of booking state: reserving, cancelling, promoting, capacity, attendance.

Each service is one database transaction that first locks the course group it changes
(`locked_groups`), then checks the rules of DESIGN.md, writes one history record per changed
row (who, which action, why) and queues the e-mails and webhook events (booking/webhooks.py)
that go out only if it commits (`core.tasks.enqueue_with_transaction`). A rule that says no
raises a `BookingError` whose message can be shown to the person who asked; nothing has
changed then. The rules themselves are in booking/policies.py, where pages ask them too.

Planning, changing, cancelling, completing or deleting a group the public can see refreshes
the cached pages that list it (booking/invalidation.py: the home page names the planned
courses). Seat changes need not: course pages, which show free seats, are never cached whole.

Views, the admin, the API and management commands call these functions and never change
booking rows themselves.
"""

import datetime
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from booking import alerts, intake, next_step, notifications, webhooks
from booking import messages as library_mail
from booking.errors import (
    BookingBusy,
    CapacityBelowConfirmed,
    GroupFull,
    GroupNotBookable,
    InvalidRequest,
    InvalidState,
    NotAllowed,
    SeatNotActive,
)
from booking.invalidation import refresh_pages_showing
from booking.models import (
    Action,
    Attendance,
    Booking,
    CourseGroup,
    Organisation,
    Seat,
    SeatHold,
    Session,
    SessionNote,
    TrainerAssignment,
    TrainerCalendar,
)
from booking.models.access import CalendarFeed
from booking.models.history import SystemReason
from booking.models.learning import MAX_NOTE_LENGTH
from booking.policies import (
    check_can_assign_trainer,
    check_can_book,
    check_can_book_next_step,
    check_can_change_seats,
    check_can_complete,
    check_can_hold,
    check_can_move,
    check_can_record_attendance,
    check_can_record_intake,
    check_can_release_hold,
    check_can_write_session_note,
    check_coordinates,
    check_group_active,
)
from booking.roles import books_for, coordinates, trains_for
from booking.webhooks import EventType
from core.tasks import enqueue_with_transaction

logger = logging.getLogger(__name__)

# PostgreSQL error codes that mean "someone else holds the lock": lock_not_available,
# deadlock_detected, serialization_failure.
LOCK_FAILURES = {"55P03", "40P01", "40001"}
FINISHED = (CourseGroup.Status.CANCELLED, CourseGroup.Status.COMPLETED)
SESSION_FIELDS = ("date", "starts_at", "ends_at")


@dataclass(frozen=True)
class SeatRequest:
    """What a contact person may tell about one participant; every field is optional."""

    first_name: str = ""
    learning_goal: str = ""
    support_needs: str = ""
    # What `booking.intake.intake_record` made of an intake done before booking; empty if none.
    intake: dict = field(default_factory=dict)
    # The seat of an earlier course this participant continues from (`book_next_step` only).
    continues_from: Seat | None = None


@dataclass
class ReservationResult:
    booking: Booking
    confirmed: list[Seat] = field(default_factory=list)
    waitlisted: list[Seat] = field(default_factory=list)
    waitlist_positions: dict[int, int] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """The outcome in plain words, e.g. "3 seats confirmed, 1 on the waiting list (place 1)"."""
        parts = []
        if self.confirmed:
            count = len(self.confirmed)
            parts.append(
                ngettext("%(count)s seat confirmed", "%(count)s seats confirmed", count)
                % {"count": count}
            )
        if self.waitlisted:
            places = ", ".join(str(self.waitlist_positions[seat.pk]) for seat in self.waitlisted)
            parts.append(
                ngettext(
                    "%(count)s on the waiting list (place %(places)s)",
                    "%(count)s on the waiting list (places %(places)s)",
                    len(self.waitlisted),
                )
                % {"count": len(self.waitlisted), "places": places}
            )
        return ", ".join(parts)


# -- locking ------------------------------------------------------------------------------


def _is_lock_failure(error: OperationalError) -> bool:
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    return sqlstate in LOCK_FAILURES or "database is locked" in str(error)


@contextmanager
def locked_groups(*group_ids: int, may_free_seats: bool = True) -> Iterator[dict[int, CourseGroup]]:
    """Open a transaction holding the lock on each group, taken in primary-key order.

    Every service that takes, frees or moves a seat runs inside this, so two of them never
    change the same group at once (rule 1); taking locks in one order means two transactions
    that touch the same two groups cannot deadlock. PostgreSQL locks the group rows (FOR NO
    KEY UPDATE); SQLite's IMMEDIATE transactions lock the whole database at BEGIN. Waiting
    longer than BOOKING_LOCK_TIMEOUT seconds raises BookingBusy, and nothing is changed.

    When seats come free in a group that had none, "er is plek" subscribers hear of it. A
    service that can only take seats says `may_free_seats=False`, which spares the count
    that notices it: reserving is the busiest path, and the count is made under the lock.
    Holds past their day are given back here either way, and noticed.
    """
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT set_config('lock_timeout', %s, true)",
                        [f"{int(settings.BOOKING_LOCK_TIMEOUT * 1000)}ms"],
                    )
            groups = {
                group.pk: group
                for group in CourseGroup.objects.select_for_update(no_key=True)
                .filter(pk__in=sorted(set(group_ids)))
                .order_by("pk")
            }
            missing = set(group_ids) - set(groups)
            if missing:
                raise GroupNotBookable(_("This group does not exist."))
            full = [
                pk
                for pk, group in groups.items()
                if (may_free_seats or group.seats_held) and _is_full_and_open(group)
            ]
            for group in groups.values():
                if group.seats_held:
                    _release_overdue_holds(group)
            yield groups
            for group_id in full:
                # Room came free in a full group, and its waiting list did not take it all:
                # subscribers to "er is plek" alerts hear of it in their next digest.
                if _free_seats_now(group_id):
                    _after_commit(alerts.record_room, group_id)
    except OperationalError as error:
        if _is_lock_failure(error):
            # Busy is expected under load; a deadlock would mean a lock-order bug, so say so.
            logger.warning("Course group %s busy: %s", sorted(set(group_ids)), error)
            raise BookingBusy from error
        raise


@contextmanager
def locked_group(group_id: int, *, may_free_seats: bool = True) -> Iterator[CourseGroup]:
    with locked_groups(group_id, may_free_seats=may_free_seats) as groups:
        yield groups[group_id]


# -- history and side effects ---------------------------------------------------------------


def _attribute(instance, *, by, reason):
    """Who changes `instance` and why, for the history record its next save leaves.

    A SystemReason is kept as its English source and read in each reader's language; a typed
    reason is kept as typed, with the language of the screen it was typed on.
    """
    instance._history_user = by
    instance._change_reason = str(reason)
    instance._reason_language = (
        "" if isinstance(reason, SystemReason) else translation.get_language() or ""
    )


def _save(instance, *, by, reason, action: str, **kwargs):
    """Save one booking row and leave exactly one history record saying who, what and why."""
    _attribute(instance, by=by, reason=reason)
    instance._history_action = action
    instance.save(**kwargs)


def _pks(objects) -> list[int]:
    return [each.pk for each in objects]


def _after_commit(function, *args):
    transaction.on_commit(partial(function, *args))


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidRequest(_("Please give a reason. It is kept in the history."))
    return reason


def _require_room_for_confirmed(group, capacity):
    """Rule 6: the confirmed seats must still fit, and so must the held ones."""
    confirmed = _seats(group).confirmed().count()
    if group.seats_held and capacity < confirmed + group.seats_held:
        raise CapacityBelowConfirmed(
            _(
                "%(confirmed)s seats are confirmed and %(held)s are held, so the group needs "
                "at least %(count)s seats. Give back held seats first if it must be smaller."
            ),
            confirmed=confirmed,
            held=group.seats_held,
            count=confirmed + group.seats_held,
        )
    if capacity < confirmed:
        raise CapacityBelowConfirmed(
            ngettext_lazy(
                "%(count)s seat is already confirmed, so the group needs at least %(count)s "
                "seat. Cancel seats first if the group must be smaller.",
                "%(count)s seats are already confirmed, so the group needs at least %(count)s "
                "seats. Cancel seats first if the group must be smaller.",
                "count",
            ),
            count=confirmed,
        )


# -- counting (inside the lock) ---------------------------------------------------------------


def _seats(group):
    return Seat.objects.filter(booking__group=group)


def _free_seats(group) -> int:
    """Seats free for anyone: neither confirmed nor held for one organisation."""
    return max(group.capacity - group.seats_held - _seats(group).confirmed().count(), 0)


def _is_full_and_open(group) -> bool:
    return group.status == CourseGroup.Status.OPEN and not _free_seats(group)


def _free_seats_now(group_id: int) -> int:
    """Free seats as written so far in this transaction (the services may have changed the
    capacity, the holds or the seats of another copy of the group)."""
    group = CourseGroup.objects.only("capacity", "seats_held", "status").get(pk=group_id)
    return _free_seats(group) if group.status == CourseGroup.Status.OPEN else 0


def _active_holds(group) -> dict[int, SeatHold]:
    if not group.seats_held:
        return {}
    return {hold.organisation_id: hold for hold in SeatHold.objects.filter(group=group).active()}


def _free_for(group, organisation) -> int:
    """Seats `organisation` can have confirmed: the free ones and those held for it."""
    hold = _active_holds(group).get(organisation.pk)
    return _free_seats(group) + (hold.seats if hold else 0)


def _change_held(group, difference: int) -> None:
    # Without a record in the group's history: the hold's own record says who and why.
    group.seats_held += difference
    group.skip_history_when_saving = True
    try:
        group.save(update_fields=["seats_held"])
    finally:
        del group.skip_history_when_saving


def _take_from_hold(group, hold: SeatHold | None, count: int, *, by, now) -> int:
    """Books `count` seats of `hold` (those confirmed for its organisation go there first);
    returns how many came from it. A hold with no seats left is released."""
    if hold is None or not count:
        return 0
    taken = min(count, hold.seats)
    _change_held(group, -taken)
    if taken == hold.seats:
        hold.released_at = now
        _save(hold, by=by, reason=SystemReason.HOLD_BOOKED, action=Action.HOLD_RELEASED)
    else:
        hold.seats -= taken
        _save(hold, by=by, reason=SystemReason.SEATS_RESERVED, action=Action.EDITED)
    return taken


def _fill_free_seats(group, *, by, reason, ignore_limit=False) -> list[Seat]:
    """Confirm waitlisted seats, first come first served, while seats are free (rule 3).

    A seat of an organisation that has seats held for it takes a held one first. A seat whose
    organisation already holds its maximum number of seats in the group waits for the
    coordinator (who may promote it by hand); the next one in line goes first.
    """
    free = _free_seats(group)
    holds = _active_holds(group)
    if not free and not holds:
        return []
    now = timezone.now()
    promoted = []
    held = {}
    limit = group.seats_per_organisation
    for seat in _seats(group).in_waitlist_order().select_related("booking"):
        hold = holds.get(seat.booking.organisation_id)
        if hold is not None and hold.released_at is not None:
            hold = None  # all its seats were taken in this loop
        if not free and hold is None:
            if all(other.released_at is not None for other in holds.values()):
                break
            continue
        organisation_id = seat.booking.organisation_id
        if limit and not ignore_limit:
            if organisation_id not in held:
                held[organisation_id] = (
                    _seats(group)
                    .confirmed()
                    .filter(booking__organisation_id=organisation_id)
                    .count()
                )
            if held[organisation_id] >= limit:
                continue
            held[organisation_id] += 1
        if hold is not None:
            _take_from_hold(group, hold, 1, by=by, now=now)
        else:
            free -= 1
        seat.status = Seat.Status.CONFIRMED
        _save(seat, by=by, reason=reason, action=Action.PROMOTED)
        promoted.append(seat)
    if promoted:
        enqueue_with_transaction(
            notifications.seats_promoted.enqueue, [seat.pk for seat in promoted]
        )
        webhooks.publish(
            *webhooks.seat_events(EventType.SEAT_PROMOTED, promoted, group_id=group.pk)
        )
    return promoted


# -- reserving ------------------------------------------------------------------------------


def _seat_requests(seats: Sequence[SeatRequest] | int) -> list[SeatRequest]:
    if isinstance(seats, bool) or not isinstance(seats, int | list | tuple):
        raise InvalidRequest(_("Give the number of seats as a whole number."), argument="seats")
    requests = [SeatRequest() for _i in range(seats)] if isinstance(seats, int) else list(seats)
    if not requests:
        raise InvalidRequest(_("Reserve at least 1 seat."), argument="seats")
    if any(request.intake and not intake.is_record(request.intake) for request in requests):
        raise InvalidRequest(
            _("The intake could not be read. Please do it again."), argument="seats"
        )
    return [
        SeatRequest(
            first_name=(request.first_name or "").strip(),
            learning_goal=(request.learning_goal or "").strip(),
            support_needs=(request.support_needs or "").strip(),
            intake=request.intake or {},
            continues_from=request.continues_from,
        )
        for request in requests
    ]


def _validate_details(seat: Seat, *, argument: str):
    try:
        seat.full_clean(exclude=["booking", "status", "waitlisted_at"], validate_unique=False)
    except ValidationError as error:
        first_field, messages = next(iter(error.message_dict.items()))
        label = Seat._meta.get_field(first_field).verbose_name
        raise InvalidRequest(
            _("%(field)s: %(problem)s"),
            argument=argument,
            field=str(label).capitalize(),
            problem=messages[0],
        ) from error


def reserve_seats(
    *,
    group: CourseGroup,
    organisation: Organisation,
    by,
    seats: Sequence[SeatRequest] | int,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> ReservationResult:
    """Book seats for `organisation` in `group`: confirm what fits, waitlist the rest.

    Never confirms more seats than the group's capacity, however many people book at once
    (rules 1 and 2); refuses outside the booking window, beyond the per-organisation limit and
    for groups restricted to another organisation (rule 4).
    """
    requests = _seat_requests(seats)
    reason = reason.strip() or SystemReason.SEATS_RESERVED
    with locked_group(group.pk, may_free_seats=False) as group:
        now = now or timezone.now()
        check_can_book(group, organisation=organisation, by=by, count=len(requests), now=now)
        hold = _active_holds(group).get(organisation.pk)
        free = _free_seats(group) + (hold.seats if hold else 0)
        candidates = [
            Seat(
                status=Seat.Status.CONFIRMED if index < free else Seat.Status.WAITLISTED,
                waitlisted_at=None if index < free else now,
                first_name=request.first_name,
                learning_goal=request.learning_goal,
                support_needs=request.support_needs,
                intake=request.intake,
                continues_from=request.continues_from,
            )
            for index, request in enumerate(requests)
        ]
        for seat in candidates:
            _validate_details(seat, argument="seats")
        booking = Booking(group=group, organisation=organisation, booked_by=by)
        _save(booking, by=by, reason=reason, action=Action.CREATED)
        _take_from_hold(group, hold, min(free, len(requests)), by=by, now=now)
        result = ReservationResult(booking=booking)
        for seat in candidates:
            seat.booking = booking
            confirmed = seat.status == Seat.Status.CONFIRMED
            action = Action.RESERVED if confirmed else Action.WAITLISTED
            _save(seat, by=by, reason=reason, action=action)
            (result.confirmed if confirmed else result.waitlisted).append(seat)
        if result.waitlisted:
            from booking.selectors import waitlist_positions

            result.waitlist_positions = waitlist_positions([group.pk])
        webhooks.publish(*webhooks.reservation_events(booking, candidates))
        enqueue_with_transaction(notifications.reservation_made.enqueue, booking.pk)
        _after_commit(
            library_mail.booking_changed,
            group,
            _pks(result.confirmed + result.waitlisted),
            library_mail.BOOKED,
        )
    return result


# -- the next step after a course ---------------------------------------------------------------


def book_next_step(
    *,
    seat: Seat,
    to_group: CourseGroup,
    by,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> ReservationResult:
    """Book the advised next course (`booking.next_step.advised_next`) for the participant of
    `seat`, a seat of a completed group, in `to_group`: one seat for the seat's organisation,
    with its first name, learning goal, support needs and intake, that continues from `seat`.

    Booked by `reserve_seats`' rules, so it is confirmed if a seat is free (or held for the
    organisation) and waitlisted otherwise. One next step per seat: both groups are locked, so
    a double click books it once and the second click is refused with a plain message.
    """
    with locked_groups(seat.booking.group_id, to_group.pk, may_free_seats=False) as groups:
        seat = Seat.objects.select_related(
            "booking__group__course__next_course", "booking__organisation"
        ).get(pk=seat.pk)
        to_group = groups[to_group.pk]
        advice = next_step.advised_next(seat)
        check_can_book_next_step(seat, to_group, by=by, advice=advice)
        request = SeatRequest(
            first_name=seat.first_name,
            learning_goal=seat.learning_goal,
            support_needs=seat.support_needs,
            intake=seat.intake,
            continues_from=seat,
        )
        return reserve_seats(
            group=to_group,
            organisation=seat.booking.organisation,
            by=by,
            seats=[request],
            reason=reason,
            now=now,
        )


# -- cancelling -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cancellation:
    """The seats a cancellation freed, and the waitlisted seats that took them at once (so a
    screen can say who has the seat now). Iterates over the cancelled seats."""

    cancelled: list[Seat]
    promoted: list[Seat]

    def __iter__(self):
        return iter(self.cancelled)

    def __len__(self):
        return len(self.cancelled)


def cancel_seats(
    *,
    booking: Booking,
    by,
    reason: str = "",
    seat_ids: Sequence[int] | None = None,
    now: datetime.datetime | None = None,
) -> Cancellation:
    """Cancel some seats of a booking (all of them when `seat_ids` is None).

    A freed seat goes at once to the first person on the waiting list (rule 3). Contact
    persons can cancel until the deadline, coordinators always (rule 5).
    """
    with locked_group(booking.group_id) as group:
        now = now or timezone.now()
        check_can_change_seats(group, organisation=booking.organisation, by=by, now=now)
        by_library = coordinates(by, group) and not books_for(by, booking.organisation)
        # The library cancelling someone else's seat says why; the booker need not.
        reason = _require_reason(reason) if by_library else reason.strip() or SystemReason.CANCELLED
        seats = list(booking.seats.active())
        if seat_ids is not None:
            wanted = {int(seat_id) for seat_id in seat_ids}
            seats = [seat for seat in seats if seat.pk in wanted]
            if not wanted or len(seats) != len(wanted):
                gone = _("This seat does not exist or has already been cancelled.")
                # A seat of this booking cancelled before conflicts with its state; a seat
                # that is not in the booking at all makes the request itself wrong.
                if wanted and wanted <= set(booking.seats.values_list("pk", flat=True)):
                    raise SeatNotActive(gone)
                raise InvalidRequest(gone, argument="seat_ids")
        if not seats:
            raise InvalidState(_("All seats of this booking have already been cancelled."))
        for seat in seats:
            seat.status = Seat.Status.CANCELLED
            _save(seat, by=by, reason=reason, action=Action.CANCELLED)
        webhooks.publish(*webhooks.seat_events(EventType.SEAT_CANCELLED, seats, group_id=group.pk))
        promoted = _fill_free_seats(group, by=by, reason=SystemReason.SEAT_BECAME_FREE)
        enqueue_with_transaction(
            notifications.seats_cancelled.enqueue, [seat.pk for seat in seats], by_library
        )
        _after_commit(library_mail.booking_changed, group, _pks(seats), library_mail.CANCELLED)
    return Cancellation(cancelled=seats, promoted=promoted)


def cancel_booking(*, booking: Booking, by, reason: str = "", now=None) -> Cancellation:
    """Cancel every seat of a booking that is not cancelled yet."""
    return cancel_seats(booking=booking, by=by, reason=reason, now=now)


def move_seat(*, seat: Seat, to_group: CourseGroup, by, reason: str = "", now=None) -> Seat:
    """Move one seat to another group; returns the new seat.

    Contact persons move within the course; the library's coordinators to a group of any
    course, with a reason. Both groups are locked (in a fixed order); the seat is confirmed in
    the new group if a seat is free there (or held for its organisation) and waitlisted
    otherwise, and its old place goes to the waiting list.
    """
    booking = seat.booking
    with locked_groups(booking.group_id, to_group.pk) as groups:
        now = now or timezone.now()
        old_group, new_group = groups[booking.group_id], groups[to_group.pk]
        check_can_move(old_group, new_group, organisation=booking.organisation, by=by, now=now)
        if old_group.course.translation_key != new_group.course.translation_key:
            reason = _require_reason(reason)
        seat = Seat.objects.get(pk=seat.pk)
        if seat.status == Seat.Status.CANCELLED:
            raise InvalidState(_("This seat has been cancelled."))
        check_can_book(new_group, organisation=booking.organisation, by=by, count=1, now=now)
        reason = reason.strip() or SystemReason.MOVED
        seat.status = Seat.Status.CANCELLED
        _save(seat, by=by, reason=reason, action=Action.MOVED)
        hold = _active_holds(new_group).get(booking.organisation_id)
        free = _free_seats(new_group) + (hold.seats if hold else 0)
        new_booking = Booking(group=new_group, organisation=booking.organisation, booked_by=by)
        _save(new_booking, by=by, reason=reason, action=Action.CREATED)
        _take_from_hold(new_group, hold, min(free, 1), by=by, now=now)
        new_seat = Seat(
            booking=new_booking,
            status=Seat.Status.CONFIRMED if free else Seat.Status.WAITLISTED,
            waitlisted_at=None if free else now,
            first_name=seat.first_name,
            learning_goal=seat.learning_goal,
            support_needs=seat.support_needs,
        )
        _save(
            new_seat,
            by=by,
            reason=reason,
            action=Action.RESERVED if free else Action.WAITLISTED,
        )
        webhooks.publish(
            *webhooks.move_events([(booking.pk, seat.pk, new_seat)], from_group_id=old_group.pk)
        )
        _fill_free_seats(old_group, by=by, reason=SystemReason.SEAT_BECAME_FREE)
        enqueue_with_transaction(notifications.reservation_made.enqueue, new_booking.pk)
        _after_commit(library_mail.booking_changed, old_group, [seat.pk], library_mail.CANCELLED)
        _after_commit(library_mail.booking_changed, new_group, [new_seat.pk], library_mail.BOOKED)
    return new_seat


def update_seat_details(
    *, seat: Seat, by, details: SeatRequest, reason: str = "", now=None
) -> Seat:
    """Name or rename a participant, or change their learning goal or support needs."""
    booking = seat.booking
    with locked_group(booking.group_id) as group:
        now = now or timezone.now()
        check_can_change_seats(group, organisation=booking.organisation, by=by, now=now)
        seat = Seat.objects.get(pk=seat.pk)
        if seat.status == Seat.Status.CANCELLED:
            raise InvalidState(_("This seat has been cancelled."))
        (details,) = _seat_requests([details])
        seat.first_name = details.first_name
        seat.learning_goal = details.learning_goal
        seat.support_needs = details.support_needs
        _validate_details(seat, argument="details")
        reason = reason.strip() or SystemReason.DETAILS_CHANGED
        _save(seat, by=by, reason=reason, action=Action.DETAILS_CHANGED)
    return seat


def record_intake(
    *,
    seat: Seat,
    answers: dict[str, bool],
    wants: str,
    by,
    reason: str = "",
) -> Seat:
    """Keep an intake done "while booking" on an existing seat: the answers, what the person
    wants to learn and the advice (`booking.intake.intake_record`), replacing an earlier one.

    What they want to learn also becomes the seat's learning goal when it has none. Only the
    organisation's contact persons and the library's coordinators may, while the group runs;
    every question must be answered, and nothing changes when one is not.
    """
    booking = seat.booking
    with locked_group(booking.group_id) as group:
        check_can_record_intake(group, organisation=booking.organisation, by=by)
        seat = Seat.objects.get(pk=seat.pk)
        if seat.status == Seat.Status.CANCELLED:
            raise InvalidState(_("This seat has been cancelled."))
        wants = intake.clean_wants(wants)
        advice = intake.advise(answers)
        seat.intake = intake.intake_record(
            intake.check_answers(answers, intake.questions()), wants, advice
        )
        if not seat.learning_goal:
            seat.learning_goal = wants
        _validate_details(seat, argument="wants")
        reason = reason.strip() or SystemReason.DETAILS_CHANGED
        _save(seat, by=by, reason=reason, action=Action.DETAILS_CHANGED)
    return seat


# -- holding seats for an organisation -------------------------------------------------------


def hold_seats(
    *,
    group: CourseGroup,
    organisation: Organisation,
    seats: int,
    held_until: datetime.date,
    by,
    reason: str,
    today: datetime.date | None = None,
) -> SeatHold:
    """Keep `seats` free seats of `group` for `organisation` until `held_until` (a coordinator,
    with a reason): "3 plaatsen voor Promen tot 1 maart".

    A second hold for the same organisation adds its seats to the first and sets its date.
    Seats the organisation has on the waiting list take held seats at once.
    """
    reason = _require_reason(reason)
    with locked_group(group.pk) as group:
        today = today or timezone.localdate()
        check_can_hold(
            group,
            organisation=organisation,
            by=by,
            seats=seats,
            held_until=held_until,
            free=_free_seats(group),
            today=today,
        )
        hold = _active_holds(group).get(organisation.pk)
        if hold is None:
            hold = SeatHold(group=group, organisation=organisation, seats=0, created_by=by)
        hold.seats += seats
        hold.held_until = held_until
        hold.reason = reason
        _save(hold, by=by, reason=reason, action=Action.HELD)
        _change_held(group, seats)
        _fill_free_seats(group, by=by, reason=reason)
        refresh_pages_showing(group)
    return hold


def release_hold(*, hold: SeatHold, by, reason: str = "", now=None) -> list[Seat]:
    """Give held seats back, by the coordinator or the organisation they were held for:
    the waiting list gets them first, in order, then they are free for anyone. Returns the
    seats promoted from the waiting list."""
    with locked_group(hold.group_id) as group:
        hold = SeatHold.objects.select_related("organisation").get(pk=hold.pk)
        hold.group = group
        check_can_release_hold(hold, by=by)
        reason = reason.strip() or SystemReason.HOLD_RELEASED
        return _release(group, hold, by=by, reason=reason, now=now)


def _release(group, hold: SeatHold, *, by, reason, now=None) -> list[Seat]:
    hold.released_at = now or timezone.now()
    _save(hold, by=by, reason=reason, action=Action.HOLD_RELEASED)
    _change_held(group, -hold.seats)
    refresh_pages_showing(group)
    return _fill_free_seats(group, by=by, reason=SystemReason.SEAT_BECAME_FREE)


def _release_overdue_holds(group, today: datetime.date | None = None) -> list[Seat]:
    """Holds whose day has passed give their seats back (called for every locked group)."""
    today = today or timezone.localdate()
    overdue = SeatHold.objects.filter(group=group, held_until__lt=today).active()
    promoted = []
    for hold in overdue:
        promoted += _release(group, hold, by=None, reason=SystemReason.HOLD_EXPIRED)
    return promoted


def release_overdue_holds(*, today: datetime.date | None = None) -> int:
    """For the scheduled command: release every hold whose day has passed, one group at a
    time; returns how many holds were released."""
    today = today or timezone.localdate()
    group_ids = (
        SeatHold.objects.filter(held_until__lt=today)
        .active()
        .values_list("group_id", flat=True)
        .distinct()
    )
    released = 0
    for group_id in sorted(set(group_ids)):
        overdue = SeatHold.objects.filter(group_id=group_id, held_until__lt=today).active()
        released += overdue.count()
        with locked_group(group_id) as group:
            _release_overdue_holds(group, today)
    return released


# -- demand-led planning ------------------------------------------------------------------------


def open_group_for_waiting_list(
    *, group: CourseGroup, new_group: CourseGroup, by, reason: str
) -> list[Seat]:
    """Open `new_group` (unsaved, with its sessions, e.g. a copy of a group's planning on new
    dates) for the people waiting in `group`, and move as many waiting seats into it as it has
    room for, in the order of the queue. The rest keep their places.

    Each seat moves as the same row (its history runs on across the move), under a new
    booking of its organisation in the new group; each contact person gets one e-mail.
    Returns the seats that moved.
    """
    reason = _require_reason(reason)
    with locked_group(group.pk) as group:
        check_coordinates(group, by=by)
        check_group_active(group)
        if new_group.library_id != group.library_id:
            raise NotAllowed(_("You can only plan groups for your own library."))
        waiting = list(_seats(group).in_waitlist_order().select_related("booking"))
        if not waiting:
            raise InvalidState(_("Nobody is waiting for this group."))
        came_from = {seat.pk: seat.booking_id for seat in waiting}
        new_group.status = CourseGroup.Status.OPEN
        sessions = list(new_group.sessions.all())
        _attribute(new_group, by=by, reason=reason)
        new_group._history_action = Action.CREATED
        for session in sessions:
            _attribute(session, by=by, reason=reason)
        new_group.save()
        # Nobody else sees the new group before the commit; its lock keeps the rule that a
        # group's seats change only under that group's lock.
        with locked_group(new_group.pk) as new_group:
            moved = _move_waiting(waiting[: new_group.capacity], new_group, by=by, reason=reason)
        refresh_pages_showing(new_group)
        refresh_pages_showing(group)
        webhooks.publish(
            *webhooks.move_events(
                [(came_from[seat.pk], seat.pk, seat) for seat in moved], from_group_id=group.pk
            )
        )
        enqueue_with_transaction(notifications.seats_moved_to_new_group.enqueue, _pks(moved))
    return moved


def _move_waiting(seats, new_group, *, by, reason) -> list[Seat]:
    """Each waiting seat, as the same row, into a booking of its organisation in `new_group`,
    confirmed (one booking in the new group per booking they came from)."""
    bookings = {}
    moved = []
    for seat in seats:
        old = seat.booking
        if old.pk not in bookings:
            booking = Booking(
                group=new_group, organisation=old.organisation, booked_by=old.booked_by
            )
            _save(booking, by=by, reason=reason, action=Action.CREATED)
            bookings[old.pk] = booking
        seat.booking = bookings[old.pk]
        seat.status = Seat.Status.CONFIRMED
        seat.waitlisted_at = None
        _save(seat, by=by, reason=reason, action=Action.MOVED)
        moved.append(seat)
    return moved


# -- coordinators' actions --------------------------------------------------------------------


def change_capacity(*, group: CourseGroup, capacity: int, by, reason: str) -> list[Seat]:
    """Set the number of seats; returns the seats promoted from the waiting list.

    Refuses a number below the seats already confirmed (rule 6); a higher number gives the
    new seats to the waiting list at once (rule 3).
    """
    reason = _require_reason(reason)
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
        raise InvalidRequest(_("A group needs at least 1 seat."))
    with locked_group(group.pk) as group:
        check_coordinates(group, by=by)
        check_group_active(group)
        _require_room_for_confirmed(group, capacity)
        if group.seats_per_organisation and group.seats_per_organisation > capacity:
            raise InvalidRequest(
                ngettext_lazy(
                    "The group cannot be smaller than its limit of %(count)s seat per "
                    "organisation.",
                    "The group cannot be smaller than its limit of %(count)s seats per "
                    "organisation.",
                    "count",
                ),
                count=group.seats_per_organisation,
            )
        group.capacity = capacity
        _save(group, by=by, reason=reason, action=Action.CAPACITY_CHANGED)
        return _fill_free_seats(group, by=by, reason=reason)


def promote_waitlist(*, group: CourseGroup, by=None, reason: str = "") -> list[Seat]:
    """Give every free seat to the waiting list, first come first served."""
    reason = reason.strip() or SystemReason.SEAT_BECAME_FREE
    with locked_group(group.pk) as group:
        check_group_active(group)
        return _fill_free_seats(group, by=by, reason=reason)


def promote_seat(*, seat: Seat, by, reason: str) -> Seat:
    """A coordinator gives a free seat to this waitlisted seat, out of turn if need be.

    The per-organisation limit may be passed this way (the reason says why); the capacity
    never.
    """
    reason = _require_reason(reason)
    with locked_group(seat.booking.group_id) as group:
        check_coordinates(group, by=by)
        check_group_active(group)
        seat = Seat.objects.get(pk=seat.pk)
        if seat.status != Seat.Status.WAITLISTED:
            raise InvalidState(_("Only a seat on the waiting list can be promoted."))
        hold = _active_holds(group).get(seat.booking.organisation_id)
        if not _free_seats(group) and not hold:
            raise GroupFull(
                _(
                    "There is no free seat. Add seats to the group, give back held seats, "
                    "or cancel a seat first."
                )
            )
        if not _free_seats(group):
            _take_from_hold(group, hold, 1, by=by, now=timezone.now())
        seat.status = Seat.Status.CONFIRMED
        _save(seat, by=by, reason=reason, action=Action.PROMOTED)
        webhooks.publish(*webhooks.seat_events(EventType.SEAT_PROMOTED, [seat], group_id=group.pk))
        enqueue_with_transaction(notifications.seats_promoted.enqueue, [seat.pk])
    return seat


def cancel_group(*, group: CourseGroup, by, reason: str) -> list[Seat]:
    """Cancel the group and every seat in it, and tell each contact person (rule 7)."""
    reason = _require_reason(reason)
    with locked_group(group.pk) as group:
        check_coordinates(group, by=by)
        check_group_active(group)
        seats = list(_seats(group).active())
        for seat in seats:
            seat.status = Seat.Status.CANCELLED
            _save(seat, by=by, reason=reason, action=Action.GROUP_CANCELLED)
        group.status = CourseGroup.Status.CANCELLED
        _save(group, by=by, reason=reason, action=Action.GROUP_CANCELLED)
        webhooks.publish(
            *webhooks.group_events(
                EventType.GROUP_CANCELLED, group, seats=seats, reason=str(reason)
            )
        )
        enqueue_with_transaction(
            notifications.group_cancelled.enqueue, group.pk, [seat.pk for seat in seats]
        )
        refresh_pages_showing(group)
    return seats


def complete_group(*, group: CourseGroup, by, reason: str = "", today=None) -> CourseGroup:
    """Mark a group as finished once its last session has begun.

    Anyone still on the waiting list then has no chance of a seat: their seats are
    cancelled and their contact persons told, so nobody waits for nothing.
    """
    today = today or timezone.localdate()
    with locked_group(group.pk) as group:
        check_can_complete(group, by=by, today=today)
        reason = reason.strip() or SystemReason.COURSE_FINISHED
        waiting = list(_seats(group).waitlisted())
        for seat in waiting:
            seat.status = Seat.Status.CANCELLED
            _save(seat, by=by, reason=reason, action=Action.CANCELLED)
        group.status = CourseGroup.Status.COMPLETED
        _save(group, by=by, reason=reason, action=Action.COMPLETED)
        refresh_pages_showing(group)
        if waiting:
            webhooks.publish(
                *webhooks.seat_events(EventType.SEAT_CANCELLED, waiting, group_id=group.pk)
            )
            enqueue_with_transaction(
                notifications.seats_cancelled.enqueue, [seat.pk for seat in waiting], True
            )
    return group


def record_attendance(
    *,
    session: Session,
    present_seat_ids: Sequence[int],
    excused_seat_ids: Sequence[int] = (),
    by,
    reason: str = "",
    today=None,
) -> list[Attendance]:
    """Record who was at a session: every confirmed seat is present, excused (they let the
    library know they could not come) or, when in neither list, absent.

    Refused for a session in the future (policies.check_can_record_attendance). Only rows
    that change get a history record. Returns the changed rows.
    """
    present = {int(seat_id) for seat_id in present_seat_ids}
    excused = {int(seat_id) for seat_id in excused_seat_ids}
    if present & excused:
        raise InvalidRequest(_("A participant is either present or excused, not both."))
    with locked_group(session.group_id) as group:
        check_can_record_attendance(group, session_date=session.date, by=by, today=today)
        confirmed = list(_seats(group).confirmed().values_list("pk", flat=True))
        if not (present | excused) <= set(confirmed):
            raise InvalidRequest(_("Only confirmed participants can be marked present."))
        marks = {
            seat_id: Attendance.Status.PRESENT
            if seat_id in present
            else Attendance.Status.EXCUSED
            if seat_id in excused
            else Attendance.Status.ABSENT
            for seat_id in confirmed
        }
        return _write_attendance(session, marks, by=by, reason=reason)


def record_everyone_present(*, session: Session, by, reason: str = "", today=None):
    """Mark every confirmed participant of this one session present (the admin's "everyone
    was there"). Refused for a session in the future, like `record_attendance`.

    Returns the number of participants marked and the rows that changed.
    """
    with locked_group(session.group_id) as group:
        check_can_record_attendance(group, session_date=session.date, by=by, today=today)
        confirmed = list(_seats(group).confirmed().values_list("pk", flat=True))
        if not confirmed:
            raise InvalidState(_("Nobody has a confirmed seat in this group."))
        marks = dict.fromkeys(confirmed, Attendance.Status.PRESENT)
        changed = _write_attendance(session, marks, by=by, reason=reason)
    return len(confirmed), changed


def _write_attendance(session, marks, *, by, reason) -> list[Attendance]:
    reason = reason.strip() or SystemReason.ATTENDANCE
    existing = {row.seat_id: row for row in session.attendance.all()}
    changed = []
    for seat_id, status in marks.items():
        row = existing.get(seat_id) or Attendance(session=session, seat_id=seat_id)
        if row.pk and row.status == status:
            continue
        row.status = status
        _save(row, by=by, reason=reason, action=Action.ATTENDANCE)
        changed.append(row)
    return changed


def save_group(*, group: CourseGroup, by, reason: str = "") -> CourseGroup:
    """Create or edit a group with its sessions (the admin's form), within the same lock.

    Cancelling and completing have their own services; a new capacity follows rule 6 and
    promotes from the waiting list like `change_capacity`.
    """
    creating = group.pk is None
    if not coordinates(by, group):
        raise NotAllowed(_("You can only plan groups for your own library."))
    if group.status in FINISHED and creating:
        raise InvalidState(_("A new group starts as draft or open."))
    reason = reason.strip() or (
        SystemReason.GROUP_CREATED if creating else SystemReason.GROUP_EDITED
    )

    def write():
        _attribute(group, by=by, reason=reason)
        group._history_action = Action.CREATED if creating else Action.EDITED
        sessions = list(group.sessions.all())
        stored = {} if creating else {s.pk: s for s in Session.objects.filter(group_id=group.pk)}
        unchanged = []
        for session in sessions:
            _attribute(session, by=by, reason=reason)
            before = stored.pop(session.pk, None)
            # Saving a group saves every session again; only real changes belong in history.
            if before is not None and all(
                getattr(before, name) == getattr(session, name) for name in SESSION_FIELDS
            ):
                session.skip_history_when_saving = True
                unchanged.append(session)
        removed_sessions = list(stored.values())
        for removed in removed_sessions:  # removed in the form: deleted here, with the reason
            _attribute(removed, by=by, reason=reason)
            removed.delete()
        group.save()
        for session in unchanged:
            del session.skip_history_when_saving
        refresh_pages_showing(group)
        return len(unchanged) < len(sessions) or bool(stored), list(stored), removed_sessions

    if creating:
        with transaction.atomic():
            write()
        return group
    with locked_group(group.pk) as current:
        if group.status != current.status and (
            current.status in FINISHED or group.status in FINISHED
        ):
            raise InvalidState(
                _("Use the cancel or complete action to change the status of this group.")
            )
        _require_room_for_confirmed(current, group.capacity)
        rescheduled, removed, removed_sessions = write()
        # People with seats hear of new dates and times; notes or a new trainer are not news.
        if rescheduled and group.status not in FINISHED and _seats(group).active().exists():
            webhooks.publish(
                *webhooks.group_events(
                    EventType.SESSION_CHANGED,
                    group,
                    removed_sessions=webhooks.sessions_data(removed_sessions),
                )
            )
            enqueue_with_transaction(notifications.sessions_changed.enqueue, group.pk, removed)
        if group.capacity > current.capacity and group.status not in FINISHED:
            _fill_free_seats(group, by=by, reason=reason)
    return group


def delete_group(*, group: CourseGroup, by, reason: str = "") -> None:
    """Delete a group planned by mistake. Only a group nobody has booked can go; one with
    bookings is cancelled instead, so its history stays."""
    with locked_group(group.pk) as group:
        check_coordinates(group, by=by)
        if group.bookings.exists():
            raise InvalidState(
                _("People have booked seats in this group. Cancel the group instead.")
            )
        reason = reason.strip() or SystemReason.GROUP_DELETED
        # Deleted one by one: a cascade would load fresh rows without the user and reason.
        for session in Session.objects.filter(group=group):
            _attribute(session, by=by, reason=reason)
            session.delete()
        _attribute(group, by=by, reason=reason)
        group.delete()
        refresh_pages_showing(group)


# A seat (or a history record of one) that still holds something about its participant.
_HAS_DETAILS = ~Q(
    first_name="", learning_goal="", support_needs="", intake={}, continues_from__isnull=True
)


def remove_participant_details(*, ended_before: datetime.date, by=None) -> int:
    """Erase first names, learning goals, support needs, intake answers and the link to the
    course a participant did before of groups that ended before `ended_before`, in the seats
    and in every history record of them, and the trainers' notes about their sessions (rule 9).

    Returns the number of seats whose details were removed.
    """
    reason = SystemReason.DATA_REMOVED
    groups = CourseGroup.objects.with_dates().filter(last_date__lt=ended_before)
    removed = 0
    for group_id in groups.values_list("pk", flat=True):
        with locked_group(group_id) as group:
            seats = _seats(group).filter(_HAS_DETAILS)
            seat_ids = []
            for seat in seats:
                seat.first_name = seat.learning_goal = seat.support_needs = ""
                seat.intake = {}
                seat.continues_from = None
                _save(seat, by=by, reason=reason, action=Action.DATA_REMOVED)
                seat_ids.append(seat.pk)
            # The history is read-only for people; this is the one sanctioned rewrite of it.
            Seat.history.filter(id__in=_seats(group).values("pk")).filter(_HAS_DETAILS).update(
                first_name="", learning_goal="", support_needs="", intake={}, continues_from=None
            )
            SessionNote.objects.filter(session__group=group).delete()
            removed += len(seat_ids)
    return removed


# -- trainers ---------------------------------------------------------------------------------
# Who teaches a group and what they tell the coordinator touch no seat, so these take no group
# lock; attendance, which does, goes through `record_attendance` for trainers as well.


def assign_trainer(
    *, group: CourseGroup, trainer, kind: str = TrainerAssignment.Kind.TRAINER, by
) -> TrainerAssignment:
    """A coordinator makes a trainer or volunteer of the group's library one of its teachers.

    Assigning someone who already teaches the group changes their role (trainer or
    volunteer) instead of adding them twice.
    """
    if kind not in TrainerAssignment.Kind.values:
        raise InvalidRequest(_("Choose trainer or volunteer."), argument="kind")
    with transaction.atomic():
        check_can_assign_trainer(group, trainer=trainer, by=by)
        assignment, _created = TrainerAssignment.objects.update_or_create(
            group=group, trainer=trainer, defaults={"kind": kind}
        )
    return assignment


def unassign_trainer(*, assignment: TrainerAssignment, by) -> None:
    """A coordinator takes a trainer off the group; their notes stay for the coordinator."""
    with transaction.atomic():
        check_coordinates(assignment.group, by=by)
        assignment.delete()


def write_session_note(*, session: Session, text: str, by) -> SessionNote:
    """A trainer (or coordinator) writes a note about one session for the coordinators.

    The text is required and at most MAX_NOTE_LENGTH characters after trimming spaces.
    """
    check_can_write_session_note(session.group, by=by)
    text = (text or "").strip()
    if not text:
        raise InvalidRequest(_("Write a note first."), argument="text")
    if len(text) > MAX_NOTE_LENGTH:
        raise InvalidRequest(
            _("A note can be at most %(most)s characters long. Yours has %(length)s."),
            argument="text",
            most=MAX_NOTE_LENGTH,
            length=len(text),
        )
    return SessionNote.objects.create(session=session, author=by, text=text)


def renew_trainer_calendar(*, trainer) -> TrainerCalendar:
    """Give a trainer a new secret calendar address (the first one, or a replacement: the old
    address stops working at once)."""
    if trains_for(trainer) is None:
        raise NotAllowed(_("Only trainers and volunteers have a calendar of their lessons."))
    calendar, _created = TrainerCalendar.objects.update_or_create(
        trainer=trainer, defaults={"token": CalendarFeed.new_token()}
    )
    return calendar
