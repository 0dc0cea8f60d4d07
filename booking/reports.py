"""Figures for the coordinators' reports: read-only aggregations over course groups.

Seats per group come from `CourseGroup.objects.with_occupancy()` and `selectors.availability`,
so a report never counts them differently from the course pages and the admin. Each figure
takes a queryset of groups (already limited to what the user may see and filtered) and needs
one or two queries, however many groups there are.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from booking.models import Attendance, CourseGroup, Seat
from booking.selectors import Availability, availability, groups_visible_to

Status = CourseGroup.Status
# Groups that run or ran. Draft groups are not offered yet; cancelled groups never ran.
RUNNING = (Status.OPEN, Status.CLOSED, Status.COMPLETED)
# Groups whose waiting list can still turn into seats.
WAITING = (Status.OPEN, Status.CLOSED)

BREAKDOWNS = ("course", "location", "month")


def report_groups(user) -> QuerySet:
    """The groups `user`'s reports count, with occupancy and session dates annotated."""
    return (
        groups_visible_to(user)
        .exclude(status=Status.DRAFT)
        .with_occupancy()
        .with_dates()
        .select_related("course", "location", "library")
    )


def in_period(groups: QuerySet, start: datetime.date | None, end: datetime.date | None):
    """Groups whose first session falls in the period (groups without sessions drop out)."""
    if start:
        groups = groups.filter(first_date__gte=start)
    if end:
        groups = groups.filter(first_date__lte=end)
    return groups


def _percentage(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


# -- occupancy ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Occupancy:
    """Seats of several groups together: one course, one location or one month."""

    label: str
    groups: int
    seats: Availability

    @property
    def capacity(self) -> int:
        return self.seats.capacity

    @property
    def confirmed(self) -> int:
        return self.seats.confirmed

    @property
    def free(self) -> int:
        return self.seats.free

    @property
    def waitlisted(self) -> int:
        return self.seats.waitlisted

    @property
    def percentage(self) -> int:
        return self.seats.percentage


def _by_course(group) -> tuple:
    return (group.course.title, group.course_id), group.course.title


def _by_location(group) -> tuple:
    return (str(group.location), group.location_id), str(group.location)


def _by_month(group) -> tuple:
    if group.first_date is None:
        return (datetime.date.max,), _("No sessions yet")
    month = group.first_date.replace(day=1)
    return (month,), date_format(month, "YEAR_MONTH_FORMAT")


KEYS: dict[str, Callable] = {"course": _by_course, "location": _by_location, "month": _by_month}


def occupancy(groups: QuerySet, *, by: str = "course") -> list[Occupancy]:
    """Confirmed seats against capacity per course, location or month of the first session."""
    key_of = KEYS[by]
    totals: dict[tuple, list] = {}
    for group in groups.filter(status__in=RUNNING):
        key, label = key_of(group)
        seats = availability(group)
        total = totals.setdefault(key, [label, 0, 0, 0, 0, 0])
        total[1] += 1
        total[2] += seats.capacity
        total[3] += seats.confirmed
        total[4] += seats.waitlisted
        total[5] += seats.held
    return [
        Occupancy(label, count, Availability(capacity, confirmed, waitlisted, held))
        for _key, (label, count, capacity, confirmed, waitlisted, held) in sorted(totals.items())
    ]


# -- seats per SW company ----------------------------------------------------------------------


@dataclass(frozen=True)
class CompanySeats:
    name: str
    confirmed: int
    waitlisted: int
    cancelled: int

    @property
    def total(self) -> int:
        return self.confirmed + self.waitlisted + self.cancelled


def seats_per_company(groups: QuerySet) -> list[CompanySeats]:
    """Confirmed, waitlisted and cancelled seats of each SW company that booked."""

    def count(status):
        return Count("pk", filter=Q(status=status))

    rows = (
        Seat.objects.filter(booking__group__in=groups.values("pk"))
        .values("booking__organisation_id", "booking__organisation__name")
        .annotate(
            confirmed=count(Seat.Status.CONFIRMED),
            waitlisted=count(Seat.Status.WAITLISTED),
            cancelled=count(Seat.Status.CANCELLED),
        )
        .order_by("booking__organisation__name", "booking__organisation_id")
    )
    return [
        CompanySeats(
            row["booking__organisation__name"],
            row["confirmed"],
            row["waitlisted"],
            row["cancelled"],
        )
        for row in rows
    ]


# -- waiting lists -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingList:
    group: CourseGroup
    seats: Availability
    waiting_since: datetime.datetime | None

    @property
    def label(self) -> str:
        return str(self.group)

    @property
    def waitlisted(self) -> int:
        return self.seats.waitlisted

    @property
    def confirmed(self) -> int:
        return self.seats.confirmed

    @property
    def capacity(self) -> int:
        return self.seats.capacity

    @property
    def first_date(self) -> datetime.date | None:
        return self.group.first_date


def waiting_lists(groups: QuerySet) -> list[WaitingList]:
    """Groups that can still take people off their waiting list, longest list first, with
    how long the first person has been waiting."""
    groups = list(
        groups.filter(status__in=WAITING, waitlisted_seats__gt=0).order_by(
            "-waitlisted_seats", "first_date", "pk"
        )
    )
    since = dict(
        Seat.objects.waitlisted()
        .filter(booking__group__in=[group.pk for group in groups])
        .values("booking__group")
        .annotate(since=Min("waitlisted_at"))
        .values_list("booking__group", "since")
    )
    return [WaitingList(group, availability(group), since.get(group.pk)) for group in groups]


# -- attendance --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceShare:
    """How many of the recorded participants were present, absent or excused (they let the
    library know beforehand). The share present is out of everyone marked, excused included:
    an excused participant missed the session too."""

    label: str
    groups: int
    sessions: int
    present: int
    recorded: int
    group: CourseGroup | None = None
    absent: int = 0
    excused: int = 0

    @property
    def percentage(self) -> int | None:
        return _percentage(self.present, self.recorded)


COUNTED = ("sessions", "present", "absent", "excused", "recorded")


def attendance(groups: QuerySet, *, by: str = "group") -> list[AttendanceShare]:
    """Share of participants present, per group or per course; only sessions for which
    attendance was recorded count."""
    groups = list(groups.filter(status__in=RUNNING).order_by("first_date", "pk"))
    status = Attendance.Status
    counts = {
        row["session__group"]: row
        for row in Attendance.objects.filter(session__group__in=[group.pk for group in groups])
        .values("session__group")
        .annotate(
            present=Count("pk", filter=Q(status=status.PRESENT)),
            absent=Count("pk", filter=Q(status=status.ABSENT)),
            excused=Count("pk", filter=Q(status=status.EXCUSED)),
            recorded=Count("pk"),
            sessions=Count("session", distinct=True),
        )
    }
    empty = dict.fromkeys(COUNTED, 0)
    if by == "group":
        return [
            AttendanceShare(str(group), 1, **_counts(counts.get(group.pk, empty)), group=group)
            for group in groups
        ]
    totals: dict[tuple, dict] = {}
    for group in groups:
        row = counts.get(group.pk, empty)
        key, label = _by_course(group)
        total = totals.setdefault(key, {"label": label, "groups": 0, **empty})
        total["groups"] += 1
        for name in COUNTED:
            total[name] += row[name]
    return [AttendanceShare(**values) for _key, values in sorted(totals.items())]


def _counts(row) -> dict:
    return {name: row[name] for name in COUNTED}


# -- repeat participation ----------------------------------------------------------------------


@dataclass(frozen=True)
class RepeatParticipation:
    """Seats of one course, and how many of them went to someone who came back after an
    earlier course (booked as its next step). Counted, never named."""

    label: str
    groups: int
    seats: int
    came_back: int

    @property
    def percentage(self) -> int | None:
        return _percentage(self.came_back, self.seats)


def repeat_participation(groups: QuerySet) -> list[RepeatParticipation]:
    """Per course: the groups, their seats taken (confirmed or waitlisted) and how many of
    those continue from a seat of an earlier course. Two queries however many groups."""
    groups = list(groups.filter(status__in=RUNNING))
    counts = {
        row["booking__group"]: row
        for row in Seat.objects.active()
        .filter(booking__group__in=[group.pk for group in groups])
        .values("booking__group")
        .annotate(seats=Count("pk"), came_back=Count("pk", filter=Q(continues_from__isnull=False)))
    }
    totals: dict[tuple, dict] = {}
    for group in groups:
        row = counts.get(group.pk, {"seats": 0, "came_back": 0})
        key, label = _by_course(group)
        total = totals.setdefault(key, {"label": label, "groups": 0, "seats": 0, "came_back": 0})
        total["groups"] += 1
        total["seats"] += row["seats"]
        total["came_back"] += row["came_back"]
    return [RepeatParticipation(**values) for _key, values in sorted(totals.items())]
