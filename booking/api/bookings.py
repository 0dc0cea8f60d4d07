"""Bookings of the contact person's own organisation (an SW company or a referral partner):
reserve, read, cancel, move a seat, history.

The organisation always comes from the user (their membership), never from the request;
another organisation's booking answers 404, as if it did not exist. Every change goes through
booking/services.py.
"""

from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Body, Header, Path, Query, Router, Status

from booking import idempotency, services
from booking.errors import InvalidRequest
from booking.history import BOOKING_SOURCES, history_rows, load_entries
from booking.models import Booking, CourseGroup, Seat
from booking.roles import company_of
from booking.selectors import bookings_visible_to, waitlist_positions
from booking.services import ReservationResult, SeatRequest

from .auth import contact_persons
from .errors import ApiError, error_responses, field_error, not_found
from .schemas import (
    MAX_ID,
    BookingFilters,
    BookingIn,
    BookingOut,
    BookingPage,
    CancelIn,
    HistoryFilters,
    HistoryPage,
    MoveIn,
)

router = Router(tags=["Bookings"], auth=contact_persons())

BookingId = Path(..., ge=1, le=MAX_ID)
SeatId = Path(..., ge=1, le=MAX_ID)
OptionalCancel = Body(None)
IdempotencyKeyHeader = Header(
    None,
    alias="Idempotency-Key",
    description="Optional: a key of your own for this reservation (for example a UUID), at "
    "most 255 visible characters. Sending the reservation again with the same key within "
    "24 hours gives back the first answer instead of making a second booking. The same key "
    "with a different request: 409 `idempotency_key_reused`.",
)
# For the document only: booking/idempotency.py checks the key, and its refusal says what to
# send (ninja's own check would answer a bare "not valid").
IdempotencyKeyHeader.json_schema_extra.update(
    {"pattern": "^[!-~]{1,255}$", "minLength": 1, "maxLength": 255}
)


def _summary(booking: Booking, seats: list[Seat], positions: dict[int, int]) -> str:
    result = ReservationResult(
        booking=booking,
        confirmed=[seat for seat in seats if seat.status == Seat.Status.CONFIRMED],
        waitlisted=[seat for seat in seats if seat.status == Seat.Status.WAITLISTED],
        waitlist_positions=positions,
    )
    return result.summary or gettext("All seats have been cancelled.")


def booking_out(booking: Booking, seats: list[Seat], positions: dict[int, int]) -> dict:
    return {
        "id": booking.pk,
        "group_id": booking.group_id,
        "created_at": timezone.localtime(booking.created_at),
        "seats": [
            {
                "id": seat.pk,
                "status": seat.status,
                "waitlist_position": positions.get(seat.pk)
                if seat.status == Seat.Status.WAITLISTED
                else None,
                "first_name": seat.first_name,
                "learning_goal": seat.learning_goal,
                "support_needs": seat.support_needs,
            }
            for seat in seats
        ],
        "summary": _summary(booking, seats, positions),
    }


def _bookings(request):
    return bookings_visible_to(request.user).prefetch_related(
        Prefetch("seats", queryset=Seat.objects.order_by("pk"))
    )


def _booking(request, booking_id: int) -> Booking:
    return get_object_or_404(_bookings(request), pk=booking_id)


def _answer(booking: Booking) -> dict:
    seats = list(booking.seats.all())
    return booking_out(booking, seats, waitlist_positions([booking.group_id]))


@router.post(
    "/bookings",
    response={201: BookingOut, **error_responses(400, 401, 403, 404, 409, 422, 429, 503)},
    summary="Reserve seats",
)
def create_booking(
    request,
    payload: BookingIn,
    response: HttpResponse,
    idempotency_key: str | None = IdempotencyKeyHeader,
):
    """Reserve seats in a group for your organisation. What fits is confirmed, the rest goes on
    the waiting list (first come, first served). An unknown or draft group: 404. Refused (409)
    outside the booking window, in a cancelled or closed group, for more seats than the group
    has, or beyond your organisation's limit in the group; 403 for a group that is only for
    another organisation. Send an `Idempotency-Key` header to retry safely after a timeout."""
    group = (
        CourseGroup.objects.exclude(status=CourseGroup.Status.DRAFT)
        .filter(pk=payload.group_id)
        .first()
    )
    if group is None:
        raise field_error(
            "group_id", _("There is no group with this number."), code="not_found", status=404
        )
    organisation = company_of(request.user)

    def reserve() -> ReservationResult:
        # A refusal is a BookingError with its own code; booking/api/errors.py answers it.
        return services.reserve_seats(
            group=group,
            organisation=organisation,
            by=request.user,
            seats=[
                SeatRequest(
                    first_name=seat.first_name,
                    learning_goal=seat.learning_goal,
                    support_needs=seat.support_needs,
                )
                for seat in payload.seats
            ],
        )

    if idempotency_key is None:
        return Status(201, _reservation_out(reserve()))
    answer = idempotency.reserve_once(
        organisation=organisation,
        by=request.user,
        key=idempotency_key,
        request_data=payload.model_dump(mode="json"),
        reserve=reserve,
        answer=lambda result: _without_details(
            BookingOut.model_validate(_reservation_out(result)).model_dump(mode="json")
        ),
    )
    if answer.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(answer.status, _with_details(answer.body))


def _reservation_out(result: ReservationResult) -> dict:
    seats = [*result.confirmed, *result.waitlisted]
    seats.sort(key=lambda seat: seat.pk)
    return booking_out(result.booking, seats, result.waitlist_positions)


# A kept answer holds no participant's details: a copy would escape the retention period
# (remove_participant_details clears seats, not copies). They are read from the seats again.
PARTICIPANT_DETAILS = ("first_name", "learning_goal", "support_needs")


def _without_details(body: dict) -> dict:
    seats = [
        {name: value for name, value in seat.items() if name not in PARTICIPANT_DETAILS}
        for seat in body["seats"]
    ]
    return {**body, "seats": seats}


def _with_details(body: dict) -> dict:
    details = {
        seat["pk"]: seat
        for seat in Seat.objects.filter(booking_id=body["id"]).values("pk", *PARTICIPANT_DETAILS)
    }
    seats = [
        {
            **seat,
            **{name: details.get(seat["id"], {}).get(name, "") for name in PARTICIPANT_DETAILS},
        }
        for seat in body["seats"]
    ]
    return {**body, "seats": seats}


@router.get(
    "/bookings",
    response={200: BookingPage, **error_responses(401, 403, 422, 429)},
    summary="Your organisation's bookings",
)
def list_bookings(request, filters: Query[BookingFilters]):
    """Newest first, with every seat and where it stands."""
    bookings = _bookings(request).order_by("-created_at", "-pk")
    if filters.group is not None:
        bookings = bookings.filter(group_id=filters.group)
    page = list(bookings[filters.offset : filters.offset + filters.limit])
    positions = waitlist_positions({booking.group_id for booking in page})
    return {
        "count": bookings.count(),
        "items": [booking_out(booking, list(booking.seats.all()), positions) for booking in page],
    }


@router.get(
    "/bookings/{int:booking_id}",
    response={200: BookingOut, **error_responses(401, 403, 404, 422, 429)},
    summary="One booking",
)
def get_booking(request, booking_id: int = BookingId):
    return _answer(_booking(request, booking_id))


@router.post(
    "/bookings/{int:booking_id}/cancel",
    response={200: BookingOut, **error_responses(400, 401, 403, 404, 409, 422, 429, 503)},
    summary="Cancel seats",
)
def cancel_booking(request, booking_id: int = BookingId, payload: CancelIn | None = OptionalCancel):
    """Cancel some seats (`seat_ids`) or, without them, the whole booking. A freed seat goes to
    the first person on the waiting list at once. Seats that are not in this booking: 404;
    seats cancelled already: 409. After the cancellation deadline only the library can cancel
    (409; the message says whom to call)."""
    booking = _booking(request, booking_id)
    payload = payload or CancelIn()
    if payload.seat_ids is not None:
        unknown = set(payload.seat_ids) - {seat.pk for seat in booking.seats.all()}
        if unknown:
            raise field_error(
                "seat_ids",
                _("This booking has no seat %(numbers)s.")
                % {"numbers": ", ".join(map(str, sorted(unknown)))},
                code="not_found",
                status=404,
            )
    services.cancel_seats(
        booking=booking, by=request.user, reason=payload.reason, seat_ids=payload.seat_ids
    )
    return _answer(_booking(request, booking_id))


@router.post(
    "/bookings/{int:booking_id}/seats/{int:seat_id}/move",
    response={200: BookingOut, **error_responses(400, 401, 403, 404, 409, 422, 429, 503)},
    summary="Move a seat to another group",
)
def move_seat(request, payload: MoveIn, booking_id: int = BookingId, seat_id: int = SeatId):
    """Move one seat of this booking to another group of the same course, for example one
    that suits the participant better. The participant's details go along. The seat is
    confirmed in the new group if a seat is free there (or held for your organisation), and
    otherwise goes on its waiting list; its old place goes to the first one on the old group's
    waiting list. Answers the new booking that holds the moved seat (a new `id`, one seat with
    its `status` and `waitlist_position`); the old booking keeps the seat as cancelled.

    The same rules as in the portal: until the cancellation deadline of the old group (409
    `deadline_passed`), and only into a group you could book now (409 `not_bookable`, 403
    `not_allowed`, 409 `organisation_limit`). A group of another course: 403 `not_allowed`
    (only the library moves a seat to another course). The group the seat is in already, or a
    cancelled seat: 409 `invalid_state`. A seat that is not in this booking, or a group that
    does not exist: 404."""
    booking = _booking(request, booking_id)
    seat = next((seat for seat in booking.seats.all() if seat.pk == seat_id), None)
    if seat is None:
        raise not_found()
    seat.booking = booking
    to_group = (
        CourseGroup.objects.exclude(status=CourseGroup.Status.DRAFT)
        .filter(pk=payload.group_id)
        .first()
    )
    if to_group is None:
        raise field_error(
            "group_id", _("There is no group with this number."), code="not_found", status=404
        )
    try:
        moved = services.move_seat(
            seat=seat, to_group=to_group, by=request.user, reason=payload.reason
        )
    except InvalidRequest as error:
        if error.code != InvalidRequest.code or error.argument:
            raise
        # The move rule's plain refusals are about which group was chosen, not about the shape
        # of the request (which is what 422 means here): another course is the library's to
        # decide, and the seat's own group is where it is already.
        if to_group.pk == booking.group_id:
            raise ApiError(409, "invalid_state", error.message) from error
        raise ApiError(403, "not_allowed", error.message) from error
    return _answer(_booking(request, moved.booking_id))


@router.get(
    "/bookings/{int:booking_id}/history",
    response={200: HistoryPage, **error_responses(401, 403, 404, 422, 429)},
    summary="History of a booking",
)
def booking_history(request, filters: Query[HistoryFilters], booking_id: int = BookingId):
    """Everything that happened to the booking and its seats, newest first: who, when, what
    and why. Read-only."""
    booking = get_object_or_404(bookings_visible_to(request.user), pk=booking_id)
    rows = history_rows(scope=Q(booking_ref=booking.pk), models_=BOOKING_SOURCES)
    page = list(rows[filters.offset : filters.offset + filters.limit])
    items = []
    for entry in load_entries(page, shown_to=company_of(request.user)):
        items.append(
            {
                "when": timezone.localtime(entry.when),
                "who": entry.who,
                "action": entry.action,
                "action_label": entry.action_label,
                "subject": entry.subject,
                "reason": entry.reason,
                "changes": [
                    {"field": change.field, "old": change.old, "new": change.new}
                    for change in entry.changes
                ],
            }
        )
    return {"count": rows.count(), "items": items}
