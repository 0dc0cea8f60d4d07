"""May I? Each booking rule that can say no, written once.

A `check_*` function returns nothing when the rule allows the action and raises the
`BookingError` (booking/errors.py) that says why not otherwise. Services call it inside the
group's lock, where what it reads cannot change before they write; pages ask the same
function beforehand (`refusal`, `allows`) to decide whether to offer an action and which
message to show when they do not. So a page never offers what the service would refuse, and
the message on the page is the service's own.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Max, Min
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from booking.errors import (
    BookingError,
    DeadlinePassed,
    GroupFull,
    GroupNotBookable,
    InvalidRequest,
    InvalidState,
    NotAllowed,
    OrganisationLimitReached,
    TooManySeats,
)
from booking.models import Attendance, CourseGroup, Organisation, Seat
from booking.roles import books_for, coordinates, teaches, trains_for

NOT_RUNNING = (CourseGroup.Status.DRAFT, CourseGroup.Status.CANCELLED)
# A date written in the language the message is read in, which may not be the one it was
# raised in.
_date_text = lazy(lambda day: date_format(day, "DATE_FORMAT"), str)


def refusal(check: Callable[..., None], /, *args, **kwargs) -> BookingError | None:
    """The error `check` raises for these arguments, or None when it allows them."""
    try:
        check(*args, **kwargs)
    except BookingError as error:
        return error
    return None


def allows(check: Callable[..., None], /, *args, **kwargs) -> bool:
    """Whether `check` allows these arguments: for a page that shows or hides an action."""
    return refusal(check, *args, **kwargs) is None


# -- who --------------------------------------------------------------------------------------


def check_coordinates(group: CourseGroup, *, by) -> None:
    """Coordinators' actions are for the group's library (and superusers)."""
    if not coordinates(by, group):
        raise NotAllowed(_("Only the library's coordinators can do this."))


# -- the group --------------------------------------------------------------------------------


def check_group_active(group: CourseGroup) -> None:
    """Nothing changes in a cancelled or completed group."""
    if group.status == CourseGroup.Status.CANCELLED:
        raise InvalidState(_("This group has been cancelled; nothing can change any more."))
    if group.status == CourseGroup.Status.COMPLETED:
        raise InvalidState(_("This group has finished; nothing can change any more."))


def _last_session_date(group: CourseGroup) -> datetime.date | None:
    # A group read with `with_dates()` knows it already; a group just locked asks its sessions.
    if "last_date" in group.__dict__:
        return group.last_date
    return group.sessions.aggregate(last=Max("date"))["last"]


def check_can_complete(group: CourseGroup, *, by, today: datetime.date | None = None) -> None:
    """A coordinator completes an open or closed group once its last session has begun."""
    today = today or timezone.localdate()
    check_coordinates(group, by=by)
    check_group_active(group)
    if group.status == CourseGroup.Status.DRAFT:
        raise InvalidState(_("A draft group cannot be completed."))
    last = _last_session_date(group)
    if last is None or last > today:
        raise InvalidState(_("The group can be completed after its last session."))


def check_can_record_attendance(
    group: CourseGroup, *, session_date: datetime.date, by, today: datetime.date | None = None
) -> None:
    """A coordinator, or a trainer who teaches the group, records attendance of a group that
    runs, from the day of the session: nobody knows yet who comes to a session in the future.
    The attendance form asks this before anyone ticks a box, the service again inside the
    lock."""
    today = today or timezone.localdate()
    if not (coordinates(by, group) or teaches(by, group)):
        raise NotAllowed(_("Only the group's trainers and the library's coordinators can do this."))
    if group.status in NOT_RUNNING:
        raise InvalidState(_("There is no attendance for a group that does not run."))
    if session_date > today:
        raise InvalidState(
            _(
                "This session is on %(date)s. A session in the future cannot be marked yet: "
                "you can mark attendance from the day of the session."
            ),
            date=_date_text(session_date),
        )


# -- trainers ---------------------------------------------------------------------------------


def check_can_write_session_note(group: CourseGroup, *, by) -> None:
    """A note about a session is written by a trainer of the group, or by the library's
    coordinators."""
    if not (coordinates(by, group) or teaches(by, group)):
        raise NotAllowed(_("Only the group's trainers and the library's coordinators can do this."))


def check_can_assign_trainer(group: CourseGroup, *, trainer, by) -> None:
    """The library's coordinators assign trainers of their own library to its groups."""
    check_coordinates(group, by=by)
    library = trains_for(trainer)
    if library is None or library.pk != group.library_id:
        raise InvalidRequest(
            _("Choose a trainer or volunteer of %(library)s."),
            argument="trainer",
            library=group.library.name,
        )


# -- booking and changing seats ---------------------------------------------------------------


def active_seats_of(group: CourseGroup, organisation: Organisation) -> int:
    """Confirmed and waitlisted seats of `organisation` in `group`."""
    return (
        Seat.objects.active().filter(booking__group=group, booking__organisation=organisation)
    ).count()


@dataclass(frozen=True)
class SeatAllowance:
    """The most seats an organisation may ask for in a group at once, and why (rule 4).

    The size of the group and the organisation's limit (waiting list included) set it; free
    seats do not, because what does not fit goes on the waiting list (rule 2). The portal's
    first step of reserving and `check_can_book` both read it, so they cannot disagree.
    """

    capacity: int
    limit: int | None
    held: int

    @property
    def most(self) -> int:
        if not self.limit:
            return self.capacity
        return max(min(self.capacity, self.limit - self.held), 0)

    @property
    def by_organisation(self) -> bool:
        """Whether the organisation's limit, not the size of the group, sets `most`."""
        return bool(self.limit) and self.limit - self.held < self.capacity

    def refusal(self, count: int) -> BookingError | None:
        """The error for asking `count` seats, or None when that is allowed."""
        if count > self.capacity:
            return TooManySeats(
                ngettext_lazy(
                    "You can reserve at most %(count)s seat at once in this group.",
                    "You can reserve at most %(count)s seats at once in this group.",
                    "count",
                ),
                count=self.capacity,
            )
        if count > self.most:
            return OrganisationLimitReached(
                ngettext_lazy(
                    "Your organisation can have at most %(count)s seat in this group, "
                    "including the waiting list. You have %(held)s now.",
                    "Your organisation can have at most %(count)s seats in this group, "
                    "including the waiting list. You have %(held)s now.",
                    "count",
                ),
                count=self.limit,
                held=self.held,
            )
        return None

    @property
    def reason(self) -> BookingError:
        """Why not one seat more than `most`."""
        return self.refusal(self.most + 1)


def seat_allowance(group: CourseGroup, organisation: Organisation) -> SeatAllowance:
    """How many seats `organisation` may ask for in `group` now; see `SeatAllowance`."""
    limit = group.seats_per_organisation or None
    held = active_seats_of(group, organisation) if limit else 0
    return SeatAllowance(capacity=group.capacity, limit=limit, held=held)


def check_can_book(
    group: CourseGroup,
    *,
    organisation: Organisation,
    by,
    count: int,
    now: datetime.datetime | None = None,
) -> None:
    """`by` may book `count` more seats for `organisation` in `group` (rule 4).

    Everyone who sends learners books: SW companies and referral partners through their
    contact persons (or the library's coordinators for them), and the library's coordinators
    for the library's own learners.
    """
    now = now or timezone.now()
    own_learners = organisation.pk == group.library_id
    if not (organisation.sends_learners or own_learners):
        raise NotAllowed(
            _("Seats are reserved by an SW company, a referral partner or the group's library.")
        )
    if own_learners:
        if not coordinates(by, group):
            raise NotAllowed(_("Only the library's coordinators can reserve seats for it."))
    elif not (books_for(by, organisation) or coordinates(by, group)):
        raise NotAllowed(_("You can only reserve seats for your own organisation."))
    if group.status == CourseGroup.Status.CANCELLED:
        raise GroupNotBookable(_("This group has been cancelled."))
    if group.status != CourseGroup.Status.OPEN:
        raise GroupNotBookable(_("This group is not open for bookings."))
    if now < group.booking_opens_at:
        raise GroupNotBookable(
            _("You can reserve seats in this group from %(date)s."),
            date=date_format(timezone.localtime(group.booking_opens_at), "DATETIME_FORMAT"),
        )
    if now >= group.booking_closes_at:
        raise GroupNotBookable(_("Booking for this group has closed."))
    if group.restricted_to_id and group.restricted_to_id != organisation.pk:
        raise NotAllowed(
            _("This group is only for %(organisation)s."), organisation=group.restricted_to.name
        )
    error = seat_allowance(group, organisation).refusal(count)
    if error:
        raise error


def check_can_change_seats(
    group: CourseGroup,
    *,
    organisation: Organisation,
    by,
    now: datetime.datetime | None = None,
) -> None:
    """`by` may cancel, move or rename seats of `organisation` in `group` (rule 5).

    Contact persons of the organisation until the cancellation deadline, the library's
    coordinators always; nobody once the group is cancelled or completed.
    """
    now = now or timezone.now()
    by_library = coordinates(by, group)
    if not by_library and not books_for(by, organisation):
        raise NotAllowed(_("You can only cancel seats of your own organisation."))
    check_group_active(group)
    if not by_library and now >= group.cancellation_deadline:
        library = group.library
        raise DeadlinePassed(
            _(
                "The deadline to cancel has passed. Please contact %(library)s (%(contact)s); "
                "they can still cancel for you."
            ),
            library=library.name,
            contact=library.phone or library.email or library.name,
        )


def check_can_record_intake(group: CourseGroup, *, organisation: Organisation, by) -> None:
    """`by` may keep an intake on a seat of `organisation` in `group`: the organisation's
    contact persons and the library's coordinators, while the group runs. The deadline for
    changes does not apply: the intake changes nothing about the group."""
    if not (coordinates(by, group) or books_for(by, organisation)):
        raise NotAllowed(_("You can only do an intake for seats of your own organisation."))
    check_group_active(group)


def check_can_move(
    group: CourseGroup,
    to_group: CourseGroup,
    *,
    organisation: Organisation,
    by,
    now: datetime.datetime | None = None,
) -> None:
    """A seat of `organisation` may leave `group` for `to_group`: whoever may change its seats
    (rule 5) moves it within the course; to another course only the library's coordinators of
    both groups, since the level and the course are theirs to judge."""
    if group.pk == to_group.pk:
        raise InvalidRequest(_("Choose a different group."))
    check_can_change_seats(group, organisation=organisation, by=by, now=now)
    if group.course.translation_key != to_group.course.translation_key and not (
        coordinates(by, group) and coordinates(by, to_group)
    ):
        raise InvalidRequest(_("A seat can only move to a group of the same course."))


# -- holding seats ----------------------------------------------------------------------------


def first_session_date(group: CourseGroup) -> datetime.date | None:
    if "first_date" in group.__dict__:
        return group.first_date
    return group.sessions.aggregate(first=Min("date"))["first"]


def check_can_hold(
    group: CourseGroup,
    *,
    organisation: Organisation,
    by,
    seats: int,
    held_until: datetime.date,
    free: int,
    today: datetime.date | None = None,
) -> None:
    """A coordinator keeps `seats` of the `free` seats of `group` for `organisation` until
    `held_until`, a day before the group starts."""
    today = today or timezone.localdate()
    check_coordinates(group, by=by)
    check_group_active(group)
    if not organisation.sends_learners:
        raise NotAllowed(_("Seats can be held for an SW company or a referral partner."))
    if group.restricted_to_id and group.restricted_to_id != organisation.pk:
        raise NotAllowed(
            _("This group is only for %(organisation)s."), organisation=group.restricted_to.name
        )
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
        raise InvalidRequest(_("Hold at least 1 seat."), argument="seats")
    if held_until < today:
        raise InvalidRequest(_("Choose a day from today on."), argument="held_until")
    first = first_session_date(group)
    if first is not None and held_until >= first:
        raise InvalidRequest(
            _("The group starts on %(date)s. Hold the seats until a day before that."),
            argument="held_until",
            date=_date_text(first),
        )
    if seats > free:
        raise GroupFull(
            ngettext_lazy(
                "Only %(count)s seat is free, so you can hold at most %(count)s.",
                "Only %(count)s seats are free, so you can hold at most %(count)s.",
                "count",
            ),
            argument="seats",
            count=free,
        )


def check_can_release_hold(hold, *, by) -> None:
    """The library's coordinators, and the contact persons the seats are held for."""
    if not (coordinates(by, hold.group) or books_for(by, hold.organisation)):
        raise NotAllowed(_("You can only give back seats held for your own organisation."))
    if hold.released_at is not None:
        raise InvalidState(_("These seats are no longer held."))


# -- certificates -----------------------------------------------------------------------------


def sessions_present(seat: Seat) -> int:
    """How many sessions of its group `seat` was present at; a seat read with
    `selectors.certificate_status` knows it already."""
    if "sessions_present" in seat.__dict__:
        return seat.sessions_present
    return seat.attendance.filter(
        status=Attendance.Status.PRESENT, session__group_id=seat.booking.group_id
    ).count()


def _session_count(group: CourseGroup) -> int:
    if "session_count" in group.__dict__:
        return group.session_count
    return group.sessions.count()


def check_can_print_certificate(seat: Seat, *, by) -> None:
    """`by` may print a certificate for `seat`: the library's coordinators and the contact
    persons of the seat's organisation, for a confirmed seat that was present at least at the
    course's number of sessions for a certificate (absent and excused do not count)."""
    group = seat.booking.group
    if not (coordinates(by, group) or books_for(by, seat.booking.organisation)):
        raise NotAllowed(_("You can only make certificates for your own participants."))
    if seat.status != Seat.Status.CONFIRMED:
        raise InvalidState(_("Only a participant with a confirmed seat can get a certificate."))
    present = sessions_present(seat)
    needed = group.course.certificate_sessions
    if present < needed:
        params = {"present": present, "sessions": _session_count(group), "needed": needed}
        if seat.first_name:
            raise InvalidState(
                ngettext_lazy(
                    "%(name)s was at %(present)s of the %(sessions)s sessions. "
                    "A certificate needs %(needed)s session.",
                    "%(name)s was at %(present)s of the %(sessions)s sessions. "
                    "A certificate needs %(needed)s sessions.",
                    "needed",
                ),
                name=seat.first_name,
                **params,
            )
        raise InvalidState(
            ngettext_lazy(
                "This participant was at %(present)s of the %(sessions)s sessions. "
                "A certificate needs %(needed)s session.",
                "This participant was at %(present)s of the %(sessions)s sessions. "
                "A certificate needs %(needed)s sessions.",
                "needed",
            ),
            **params,
        )


# -- the evaluation ---------------------------------------------------------------------------


def check_can_open_evaluation(group: CourseGroup, *, by) -> None:
    """The group's coordinators and its trainers open the evaluation form for participants."""
    if not (coordinates(by, group) or teaches(by, group)):
        raise NotAllowed(_("Only the library's coordinators and the group's trainers can do this."))


# -- the next step after a course ---------------------------------------------------------------


def has_continued(seat: Seat) -> bool:
    """Whether a seat that is not cancelled already continues from `seat` (one next step per
    seat); a seat read with `next_step.next_steps` knows it already."""
    if "continued_by" in getattr(seat, "_prefetched_objects_cache", {}):
        return any(other.status != Seat.Status.CANCELLED for other in seat.continued_by.all())
    return seat.continued_by.active().exists()


def check_can_book_next_step(seat: Seat, to_group: CourseGroup, *, by, advice) -> None:
    """`by` may book the next step of `seat` in `to_group`: a contact person of the seat's
    organisation (or the library's coordinators), for a confirmed seat of a completed group
    that has not continued yet, in a group of the advised course and level (`advice`, a
    `next_step.NextStep` or None). Whether `to_group` takes bookings is `check_can_book`'s."""
    group = seat.booking.group
    if not (books_for(by, seat.booking.organisation) or coordinates(by, group)):
        raise NotAllowed(_("You can only book a next course for your own participants."))
    if group.status != CourseGroup.Status.COMPLETED:
        raise InvalidState(_("You can book a next course once this course has finished."))
    if seat.status != Seat.Status.CONFIRMED:
        raise InvalidState(_("Only a participant who took part can book a next course."))
    if has_continued(seat):
        raise InvalidState(_("A next course has already been booked for this participant."))
    if advice is None or not advice.matches(to_group):
        raise InvalidRequest(
            _("This group is not the advised course and level. Choose one of the groups shown."),
            argument="to_group",
        )
