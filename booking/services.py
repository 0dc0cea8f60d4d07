"""Every change of booking state: reserving, cancelling, promoting, capacity, attendance.

Each service is one database transaction that first locks the course group it changes
(`locked_groups`), then checks the rules of DESIGN.md, writes one history record per changed
row (who, which action, why) and, only after the commit, sends e-mails. A rule that says no
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
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from booking import notifications
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
from booking.models import Action, Attendance, Booking, CourseGroup, Organisation, Seat, Session
from booking.models.history import SystemReason
from booking.policies import (
    check_can_book,
    check_can_change_seats,
    check_can_complete,
    check_can_record_attendance,
    check_coordinates,
    check_group_active,
)
from booking.roles import books_for, coordinates

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
def locked_groups(*group_ids: int) -> Iterator[dict[int, CourseGroup]]:
    """Open a transaction holding the lock on each group, taken in primary-key order.

    Every service that takes, frees or moves a seat runs inside this, so two of them never
    change the same group at once (rule 1); taking locks in one order means two transactions
    that touch the same two groups cannot deadlock. PostgreSQL locks the group rows (FOR NO
    KEY UPDATE); SQLite's IMMEDIATE transactions lock the whole database at BEGIN. Waiting
    longer than BOOKING_LOCK_TIMEOUT seconds raises BookingBusy, and nothing is changed.
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
            yield groups
    except OperationalError as error:
        if _is_lock_failure(error):
            # Busy is expected under load; a deadlock would mean a lock-order bug, so say so.
            logger.warning("Course group %s busy: %s", sorted(set(group_ids)), error)
            raise BookingBusy from error
        raise


@contextmanager
def locked_group(group_id: int) -> Iterator[CourseGroup]:
    with locked_groups(group_id) as groups:
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


def _after_commit(function, *args):
    transaction.on_commit(partial(function, *args))


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidRequest(_("Please give a reason. It is kept in the history."))
    return reason


def _require_room_for_confirmed(group, capacity):
    """Rule 6: the confirmed seats must still fit."""
    confirmed = _seats(group).confirmed().count()
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
    return max(group.capacity - _seats(group).confirmed().count(), 0)


def _fill_free_seats(group, *, by, reason, ignore_limit=False) -> list[Seat]:
    """Confirm waitlisted seats, first come first served, while seats are free (rule 3).

    A seat whose organisation already holds its maximum number of seats in the group waits
    for the coordinator (who may promote it by hand); the next one in line goes first.
    """
    free = _free_seats(group)
    if not free:
        return []
    promoted = []
    held = {}
    limit = group.seats_per_organisation
    for seat in _seats(group).in_waitlist_order().select_related("booking"):
        if len(promoted) == free:
            break
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
        seat.status = Seat.Status.CONFIRMED
        _save(seat, by=by, reason=reason, action=Action.PROMOTED)
        promoted.append(seat)
    if promoted:
        _after_commit(notifications.seats_promoted.enqueue, [seat.pk for seat in promoted])
    return promoted


# -- reserving ------------------------------------------------------------------------------


def _seat_requests(seats: Sequence[SeatRequest] | int) -> list[SeatRequest]:
    if isinstance(seats, bool) or not isinstance(seats, int | list | tuple):
        raise InvalidRequest(_("Give the number of seats as a whole number."), argument="seats")
    requests = [SeatRequest() for _i in range(seats)] if isinstance(seats, int) else list(seats)
    if not requests:
        raise InvalidRequest(_("Reserve at least 1 seat."), argument="seats")
    return [
        SeatRequest(
            first_name=(request.first_name or "").strip(),
            learning_goal=(request.learning_goal or "").strip(),
            support_needs=(request.support_needs or "").strip(),
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
    with locked_group(group.pk) as group:
        now = now or timezone.now()
        check_can_book(group, organisation=organisation, by=by, count=len(requests), now=now)
        free = _free_seats(group)
        candidates = [
            Seat(
                status=Seat.Status.CONFIRMED if index < free else Seat.Status.WAITLISTED,
                waitlisted_at=None if index < free else now,
                first_name=request.first_name,
                learning_goal=request.learning_goal,
                support_needs=request.support_needs,
            )
            for index, request in enumerate(requests)
        ]
        for seat in candidates:
            _validate_details(seat, argument="seats")
        booking = Booking(group=group, organisation=organisation, booked_by=by)
        _save(booking, by=by, reason=reason, action=Action.CREATED)
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
        _after_commit(notifications.reservation_made.enqueue, booking.pk)
    return result


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
        promoted = _fill_free_seats(group, by=by, reason=SystemReason.SEAT_BECAME_FREE)
        _after_commit(
            notifications.seats_cancelled.enqueue, [seat.pk for seat in seats], by_library
        )
    return Cancellation(cancelled=seats, promoted=promoted)


def cancel_booking(*, booking: Booking, by, reason: str = "", now=None) -> Cancellation:
    """Cancel every seat of a booking that is not cancelled yet."""
    return cancel_seats(booking=booking, by=by, reason=reason, now=now)


def move_seat(*, seat: Seat, to_group: CourseGroup, by, reason: str = "", now=None) -> Seat:
    """Move one seat to another group of the same course; returns the new seat.

    Both groups are locked (in a fixed order); the seat is confirmed in the new group if a
    seat is free there and waitlisted otherwise, and its old place goes to the waiting list.
    """
    booking = seat.booking
    with locked_groups(booking.group_id, to_group.pk) as groups:
        now = now or timezone.now()
        old_group, new_group = groups[booking.group_id], groups[to_group.pk]
        if old_group.pk == new_group.pk:
            raise InvalidRequest(_("Choose a different group."))
        if old_group.course.translation_key != new_group.course.translation_key:
            raise InvalidRequest(_("A seat can only move to a group of the same course."))
        check_can_change_seats(old_group, organisation=booking.organisation, by=by, now=now)
        seat = Seat.objects.get(pk=seat.pk)
        if seat.status == Seat.Status.CANCELLED:
            raise InvalidState(_("This seat has been cancelled."))
        check_can_book(new_group, organisation=booking.organisation, by=by, count=1, now=now)
        reason = reason.strip() or SystemReason.MOVED
        seat.status = Seat.Status.CANCELLED
        _save(seat, by=by, reason=reason, action=Action.MOVED)
        free = _free_seats(new_group)
        new_booking = Booking(group=new_group, organisation=booking.organisation, booked_by=by)
        _save(new_booking, by=by, reason=reason, action=Action.CREATED)
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
        _fill_free_seats(old_group, by=by, reason=SystemReason.SEAT_BECAME_FREE)
        _after_commit(notifications.reservation_made.enqueue, new_booking.pk)
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
        if not _free_seats(group):
            raise GroupFull(
                _("There is no free seat. Add seats to the group first, or cancel a seat.")
            )
        seat.status = Seat.Status.CONFIRMED
        _save(seat, by=by, reason=reason, action=Action.PROMOTED)
        _after_commit(notifications.seats_promoted.enqueue, [seat.pk])
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
        _after_commit(notifications.group_cancelled.enqueue, group.pk, [seat.pk for seat in seats])
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
            _after_commit(
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
        for removed in stored.values():  # removed in the form: deleted here, with the reason
            _attribute(removed, by=by, reason=reason)
            removed.delete()
        group.save()
        for session in unchanged:
            del session.skip_history_when_saving
        refresh_pages_showing(group)
        return len(unchanged) < len(sessions) or bool(stored), list(stored)

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
        rescheduled, removed = write()
        # People with seats hear of new dates and times; notes or a new trainer are not news.
        if rescheduled and group.status not in FINISHED and _seats(group).active().exists():
            _after_commit(notifications.sessions_changed.enqueue, group.pk, removed)
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


def remove_participant_details(*, ended_before: datetime.date, by=None) -> int:
    """Erase first names, learning goals and support needs of groups that ended before
    `ended_before`, in the seats and in every history record of them (rule 9).

    Returns the number of seats whose details were removed.
    """
    reason = SystemReason.DATA_REMOVED
    groups = CourseGroup.objects.with_dates().filter(last_date__lt=ended_before)
    removed = 0
    for group_id in groups.values_list("pk", flat=True):
        with locked_group(group_id) as group:
            seats = _seats(group).exclude(first_name="", learning_goal="", support_needs="")
            seat_ids = []
            for seat in seats:
                seat.first_name = seat.learning_goal = seat.support_needs = ""
                _save(seat, by=by, reason=reason, action=Action.DATA_REMOVED)
                seat_ids.append(seat.pk)
            # The history is read-only for people; this is the one sanctioned rewrite of it.
            Seat.history.filter(id__in=_seats(group).values("pk")).exclude(
                first_name="", learning_goal="", support_needs=""
            ).update(first_name="", learning_goal="", support_needs="")
            removed += len(seat_ids)
    return removed
