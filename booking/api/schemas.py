"""What the API accepts and answers. Field descriptions end up in the OpenAPI document."""

import datetime
import re
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, StringConstraints
from pydantic_core import PydanticCustomError

from core.input import validate_name

# Largest id a database column can hold: bigger numbers cannot name anything.
MAX_ID = 2**63 - 1
# No group has this many seats; a larger list is refused before the group is even looked up.
MAX_SEATS_PER_BOOKING = 50
MAX_PAGE_SIZE = 100
MAX_OFFSET = 1_000_000

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]+")


def _plain_text(value: str | None) -> str:
    """Control characters (tabs, line breaks, NUL) become one space: a name or goal is one
    line, and some databases refuse NUL."""
    return CONTROL_CHARACTERS.sub(" ", value or "").strip()


def _name(value: str) -> str:
    """The portal's and the admin's rule for names (core/input.py), in pydantic's terms."""
    try:
        validate_name(value)
    except ValidationError as error:
        raise PydanticCustomError("no_letter", str(error.messages[0])) from error
    return value


def _text(max_length: int, *validators, pattern: str | None = None):
    """Text of at most `max_length` characters, checked by `validators` as it was sent (a name
    of only spaces is refused, not emptied), then kept as one line without surrounding
    spaces."""
    return Annotated[
        Annotated[str, StringConstraints(max_length=max_length, pattern=pattern)] | None,
        *(AfterValidator(validator) for validator in validators),
        AfterValidator(_plain_text),
    ]


# What a client sends in a body is taken as it is typed: `true`, `"9"` or `9.0` is not the
# number 9, a number is not text. Query and path parameters arrive as text and are converted.
STRICT_BODY = ConfigDict(extra="forbid", strict=True)


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
FirstName = _text(50, _name)
NAME_PATTERN = r"^$|[^\W\d_]"
LearningGoal = _text(300)
SupportNeeds = _text(300)
Reason = _text(500)
# A query parameter reaches the database: a NUL in it would be refused there with an error.
# The address guard (core/input.py) answers 400 to these before ninja sees them; the pattern
# says so in the OpenAPI document.
TownName = _text(100, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")


class Error(Schema):
    """Every error answer has this shape."""

    class Problem(Schema):
        field: str = Field(
            description="Where the problem is: a body field as a dotted path "
            "(`seats.0.first_name`), a query or path parameter by name, or `body`."
        )
        message: str

    detail: str = Field(description="What went wrong, in the language of the request.")
    code: str = Field(
        description="Stable code: not_authenticated, permission_denied, csrf_failed, not_found, "
        "method_not_allowed, malformed, invalid, not_bookable, too_many_seats, "
        "organisation_limit, deadline_passed, invalid_state, not_allowed, throttled, busy, "
        "server_error, control_characters, too_large, unsupported_media_type."
    )
    errors: list[Problem] = Field(
        default_factory=list, description="One message per field that was not right."
    )


# -- groups ------------------------------------------------------------------------------------


class CourseOut(Schema):
    id: int
    title: str
    slug: str


class LibraryOut(Schema):
    id: int
    name: str
    slug: str


class OrganisationOut(Schema):
    id: int
    name: str


class LocationOut(Schema):
    name: str
    kind: Literal["library", "neighbourhood", "sw_company"]
    street_address: str
    postal_code: str
    city: str
    address: str = Field(description="Street, postal code and town on one line.")
    accessibility_notes: str


class SessionOut(Schema):
    date: datetime.date
    start: datetime.datetime = Field(description="With the time zone (Europe/Amsterdam).")
    end: datetime.datetime


class GroupOut(Schema):
    id: int
    course: CourseOut
    level: int = Field(ge=1, le=3)
    library: LibraryOut
    location: LocationOut
    sessions: list[SessionOut]
    capacity: int
    seats_free: int = Field(
        description="Seats anyone can still have confirmed: not confirmed yet and not held "
        "for one organisation."
    )
    seats_held_for_you: int = Field(
        description="Seats the library holds for your organisation in this group, on top of "
        "`seats_free`: only you can book them, until `seats_held_for_you_until`. Reserve "
        "seats as usual; they are taken from these first. 0 without a hold, and always 0 for "
        "a request without a contact person's API token or session."
    )
    seats_held_for_you_until: datetime.date | None = Field(
        description="The last day the seats are held for you; after it they go to the waiting "
        "list and then to anyone. Null without a hold."
    )
    waitlist_length: int = Field(description="Seats on the waiting list.")
    status: Literal["open", "closed", "cancelled", "completed"]
    bookable: bool = Field(
        description="Can seats be reserved now? Open and inside the booking window; for a "
        "contact person also: not only for another organisation, and the organisation's limit "
        "not reached. A full group is bookable: new seats go on the waiting list."
    )
    booking_opens_at: datetime.datetime
    booking_closes_at: datetime.datetime
    cancellation_deadline: datetime.datetime = Field(
        description="Until then contact persons can cancel seats themselves."
    )
    only_for: OrganisationOut | None = Field(
        description="The one organisation that may book this group (a course on its site)."
    )
    seats_per_organisation: int | None = Field(
        description="The most seats one organisation may have, waiting list included."
    )


class GroupFilters(Schema):
    # Optional query parameters are left out rather than sent as null, so no `| None`.
    course: Id = Field(None, description="Only groups of this course (its id).")
    status: Literal["open", "closed", "cancelled", "completed"] = Field(None)
    level: int = Field(None, ge=1, le=3)
    city: TownName = Field(None, description="Town of the location, e.g. Gouda.")
    bookable: bool = Field(None, description="Only groups that can (or cannot) be booked.")
    include_past: bool = Field(False, description="Also groups whose last session has passed.")
    limit: int = Field(20, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class GroupPage(Schema):
    count: int = Field(description="How many groups match, on all pages together.")
    items: list[GroupOut]


# -- bookings ----------------------------------------------------------------------------------


class SeatIn(Schema):
    """About one participant; all optional. Nothing else is asked about people."""

    model_config = STRICT_BODY

    first_name: FirstName = Field(
        "",
        description="A first name or initials, with at least one letter; or empty.",
        # For the document only (the check is core/input.py's validate_name): empty, or
        # something with a letter in it.
        json_schema_extra={"pattern": NAME_PATTERN},
    )
    learning_goal: LearningGoal = Field("", description="E.g. log in with DigiD.")
    support_needs: SupportNeeds = Field("", description="E.g. large letters, a quiet spot.")


class BookingIn(Schema):
    model_config = STRICT_BODY

    group_id: Id
    seats: list[SeatIn] = Field(
        min_length=1,
        max_length=MAX_SEATS_PER_BOOKING,
        description="One object per seat, at most the group's capacity. Seats that do not fit "
        "go on the waiting list.",
    )


class SeatOut(Schema):
    id: int
    status: Literal["confirmed", "waitlisted", "cancelled"]
    waitlist_position: int | None = Field(
        description="Place on the waiting list (1 is next); null unless waitlisted."
    )
    first_name: str
    learning_goal: str
    support_needs: str


class BookingOut(Schema):
    id: int
    group_id: int
    created_at: datetime.datetime
    seats: list[SeatOut]
    summary: str = Field(description="How the seats stand, in plain words.")


class BookingFilters(Schema):
    group: Id = Field(None, description="Only bookings in this group.")
    limit: int = Field(20, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class BookingPage(Schema):
    count: int
    items: list[BookingOut]


class CancelIn(Schema):
    model_config = STRICT_BODY

    seat_ids: list[Id] | None = Field(
        None,
        min_length=1,
        max_length=MAX_SEATS_PER_BOOKING,
        description="The seats to cancel; leave out to cancel every seat of the booking.",
    )
    reason: Reason = Field("", description="Why; kept in the history.")


class MoveIn(Schema):
    model_config = STRICT_BODY

    group_id: Id = Field(
        description="The group the seat moves to: another group of the same course."
    )
    reason: Reason = Field("", description="Why; kept in the history.")


# -- history -----------------------------------------------------------------------------------


class ChangeOut(Schema):
    field: str
    old: str
    new: str


class HistoryEntryOut(Schema):
    when: datetime.datetime
    who: str
    action: str = Field(description="A stable code, e.g. reserved, waitlisted, cancelled.")
    action_label: str = Field(description="The action in words.")
    subject: str = Field(description="What changed, e.g. Seat 12: Anna.")
    reason: str
    changes: list[ChangeOut]


class HistoryFilters(Schema):
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class HistoryPage(Schema):
    count: int
    items: list[HistoryEntryOut]
