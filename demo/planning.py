"""Plans the demo's course groups and plays their bookings through booking.services.

Nothing here writes a booking row itself: groups are saved with `save_group`, seats are
reserved, cancelled and promoted by the services, attendance is recorded and groups are
completed by them too. So every seat's history says who did what and why, as in real use.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from booking import intake
from booking.models import CourseGroup, Evaluation, Seat, Session
from booking.services import (
    SeatRequest,
    cancel_group,
    cancel_seats,
    change_capacity,
    complete_group,
    record_attendance,
    record_intake,
    reserve_seats,
    save_group,
)

# The demo's completed group's evaluations: scores and how much each learned, in no order
# that says anything about who gave them.
DEMO_EVALUATION_SCORES = (9, 8, 10, 8, 7, 9, 8, 9)
DEMO_EVALUATION_LEARNED = ("a_lot", "a_lot", "a_bit", "a_lot", "a_bit", "a_lot", "a_lot", "a_bit")
# Which intake question (by its place: tablet, mouse, read, e-mail, DigiD) a participant of
# level 1, 2 or 3 answered "no".
DEMO_INTAKE_NO_BY_LEVEL = (1, 3, 4)

SESSIONS = 5
MORNING = (datetime.time(10), datetime.time(12))
AFTERNOON = (datetime.time(13, 30), datetime.time(15, 30))
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = range(5)


def seat(first_name="", learning_goal="", support_needs="") -> SeatRequest:
    return SeatRequest(first_name, learning_goal, support_needs)


@dataclass(frozen=True)
class Reserve:
    """The company's contact person reserves these seats (the rest of a full group waits)."""

    company: str  # slug
    seats: tuple[SeatRequest, ...]
    reason: str = ""


@dataclass(frozen=True)
class CancelSeat:
    """Cancel the active seat of `first_name`, by the contact person or by the library."""

    first_name: str
    by_library: bool
    reason: str


@dataclass(frozen=True)
class ChangeCapacity:
    capacity: int
    reason: str


@dataclass(frozen=True)
class CloseGroup:
    reason: str


@dataclass(frozen=True)
class CancelGroup:
    reason: str


@dataclass(frozen=True)
class Complete:
    """Attendance for every session (everybody present but `absent` and `excused`), then
    complete the group.

    `absent` maps a session's number (1 to 5) to the first names missing that day; `excused`
    to those who let the library know beforehand that they could not come.
    """

    reason: str
    absent: dict[int, tuple[str, ...]]
    excused: dict[int, tuple[str, ...]] = field(default_factory=dict)


Step = Reserve | CancelSeat | ChangeCapacity | CloseGroup | CancelGroup | Complete


@dataclass(frozen=True)
class GroupSpec:
    """A group of five weekly sessions, planned by a coordinator of `library`.

    The first session is on `weekday` in week `week` from now (0 = the coming seven days;
    negative for a group in the past). Booking opens four weeks before the first session, or
    a week ago if that is earlier (so every group to come can be booked now); it closes three
    days before the first session, and the company can cancel seats until the day before.
    """

    course: str  # page key: the file's name in demo/content/courses/
    library: str  # slug
    location: str  # a name in demo/content/locations.yaml
    level: int
    week: int
    weekday: int
    times: tuple[datetime.time, datetime.time]
    trainer: str
    reason: str
    status: str = CourseGroup.Status.OPEN
    capacity: int = 5
    restricted_to: str | None = None
    seats_per_organisation: int | None = None
    notes: str = ""
    steps: tuple[Step, ...] = ()
    funding: str = ""  # booking.models.Funding, for the outcomes report
    municipality: str = ""  # the library's municipality when empty


class MissingDemoAccount(Exception):
    """No demo account works for this organisation (its membership was changed by hand)."""


class GroupPlanner:
    """Turns GroupSpecs into groups, relative to `now`.

    `people` maps an organisation's slug to the demo account acting for it: a library's
    coordinator plans its groups, an SW company's contact person books its seats.
    """

    def __init__(self, *, courses, organisations, locations, people, now=None):
        self.courses = courses  # page key -> Dutch CoursePage
        self.organisations = organisations  # slug -> Organisation
        self.locations = locations  # name -> Location
        self.people = people
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)

    def person(self, slug):
        try:
            return self.people[slug]
        except KeyError:
            raise MissingDemoAccount(
                f"No demo account belongs to {slug!r}; give it back its organisation."
            ) from None

    # -- dates ------------------------------------------------------------------------------

    def first_day(self, spec: GroupSpec) -> datetime.date:
        week_start = self.today + datetime.timedelta(weeks=spec.week)
        return week_start + datetime.timedelta(days=(spec.weekday - week_start.weekday()) % 7)

    @staticmethod
    def at(day: datetime.date, hour: int) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))

    def booking_moment(self, group) -> datetime.datetime:
        """Now, or for a group whose window has passed, a day after booking opened: the
        services check the window, and the seats of a past group were booked back then."""
        if group.is_booking_window_open(self.now):
            return self.now
        return group.booking_opens_at + datetime.timedelta(days=1)

    # -- planning ---------------------------------------------------------------------------

    def plan(self, spec: GroupSpec) -> CourseGroup:
        first = self.first_day(spec)
        starts_at, ends_at = spec.times
        restricted_to = self.organisations[spec.restricted_to] if spec.restricted_to else None
        group = CourseGroup(
            course=self.courses[spec.course],
            library=self.organisations[spec.library],
            location=self.locations[spec.location],
            level=spec.level,
            capacity=spec.capacity,
            status=spec.status,
            booking_opens_at=min(
                self.at(first - datetime.timedelta(weeks=4), 9),
                self.at(self.today - datetime.timedelta(weeks=1), 9),
            ),
            booking_closes_at=self.at(first - datetime.timedelta(days=3), 17),
            cancellation_deadline=self.at(first - datetime.timedelta(days=1), 12),
            restricted_to=restricted_to,
            seats_per_organisation=spec.seats_per_organisation,
            trainer=spec.trainer,
            funding=spec.funding,
            municipality=spec.municipality or self.organisations[spec.library].municipality,
            notes=spec.notes,
            sessions=[
                Session(
                    date=first + datetime.timedelta(weeks=week),
                    starts_at=starts_at,
                    ends_at=ends_at,
                )
                for week in range(SESSIONS)
            ],
        )
        coordinator = self.person(spec.library)
        save_group(group=group, by=coordinator, reason=spec.reason)
        for step in spec.steps:
            self.play(step, group, coordinator)
        return group

    def play(self, step: Step, group: CourseGroup, coordinator):
        match step:
            case Reserve(company=company, seats=seats, reason=reason):
                reserve_seats(
                    group=group,
                    organisation=self.organisations[company],
                    by=self.person(company),
                    seats=list(seats),
                    reason=reason,
                    now=self.booking_moment(group),
                )
            case CancelSeat(first_name=first_name, by_library=by_library, reason=reason):
                seat = (
                    Seat.objects.active()
                    .select_related("booking__organisation")
                    .get(booking__group=group, first_name=first_name)
                )
                by = coordinator if by_library else self.person(seat.booking.organisation.slug)
                cancel_seats(
                    booking=seat.booking,
                    by=by,
                    seat_ids=[seat.pk],
                    reason=reason,
                    now=self.booking_moment(group),
                )
            case ChangeCapacity(capacity=capacity, reason=reason):
                change_capacity(group=group, capacity=capacity, by=coordinator, reason=reason)
            case CloseGroup(reason=reason):
                # A fresh copy: the services above may have changed the group since.
                current = CourseGroup.objects.get(pk=group.pk)
                current.status = CourseGroup.Status.CLOSED
                save_group(group=current, by=coordinator, reason=reason)
            case CancelGroup(reason=reason):
                cancel_group(group=group, by=coordinator, reason=reason)
            case Complete(reason=reason, absent=absent, excused=excused):
                self.complete(group, coordinator, reason, absent, excused)

    def complete(self, group, coordinator, reason, absent, excused):
        """Intakes, attendance for each session, then the group is done."""
        confirmed = list(Seat.objects.confirmed().filter(booking__group=group))
        self.record_intakes(group, confirmed)
        for number, session in enumerate(Session.objects.filter(group=group), start=1):
            missing = (*absent.get(number, ()), *excused.get(number, ()))
            record_attendance(
                session=session,
                present_seat_ids=[s.pk for s in confirmed if s.first_name not in missing],
                excused_seat_ids=[
                    s.pk for s in confirmed if s.first_name in excused.get(number, ())
                ],
                by=coordinator,
            )
        complete_group(group=group, by=coordinator, reason=reason)
        # What the participants said at the last lesson, anonymously (booking/evaluations.py):
        # one evaluation for each participant.
        last = Session.objects.filter(group=group).order_by("date").last()
        Evaluation.objects.bulk_create(
            Evaluation(
                group=group,
                score=score,
                answers={"enjoyed": "yes", "learned": learned, "go_on": "yes"},
                submitted_on=last.date,
            )
            for score, learned, _seat in zip(
                DEMO_EVALUATION_SCORES, DEMO_EVALUATION_LEARNED, confirmed, strict=False
            )
        )

    def record_intakes(self, group, seats):
        """The intake each participant did with their job coach, answered as someone at the
        group's level would: "no" to the one skill the level starts with."""
        questions = [str(question.translation_key) for question in intake.questions()]
        if len(questions) < len(DEMO_INTAKE_NO_BY_LEVEL):
            return
        for seat in seats:
            no = DEMO_INTAKE_NO_BY_LEVEL[group.level - 1]
            answers = {key: index != no for index, key in enumerate(questions)}
            record_intake(
                seat=seat,
                answers=answers,
                wants=seat.learning_goal,
                by=self.person(seat.booking.organisation.slug),
            )
