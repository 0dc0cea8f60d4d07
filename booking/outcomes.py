"""Outcomes for funders and stories (issue 14, item 6): what the groups brought, per funder,
municipality, partner or month.

Funders (WEB funds, Tel mee met Taal, the municipality) ask how many people started and
finished, how many earned a certificate, how often they came and what they thought of it.
Stories show the same figures for one partnership (`partnership`).

A row carries a label and counts only: never a seat, a name or anything else about one
person. The figures of any number of groups take four queries (the groups, their seats,
their attendance and their evaluations); certificates are counted in the database.

- `outcomes(groups, by=...)`: one row per funder, municipality, partner or month.
- `partnership(library=..., partner=...)`: the figures of one library with one partner.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, fields

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from booking.evaluations import MIN_ANSWERS_SHOWN
from booking.models import Attendance, CourseGroup, Evaluation, Organisation, Seat
from booking.reports import RUNNING

BREAKDOWNS = ("funder", "municipality", "partner", "period")


@dataclass(frozen=True)
class Outcome:
    """The figures of several groups together: one funder, municipality, partner or month.

    `seats` are confirmed seats; `started` those of groups whose first session has been;
    `completed` those of groups marked completed; `certificates` those present at least at
    the course's number of sessions for a certificate. Attendance is `present` out of
    `marked`; the average score is None when fewer than MIN_ANSWERS_SHOWN answered."""

    label: str
    groups: int = 0
    seats: int = 0
    started: int = 0
    completed: int = 0
    certificates: int = 0
    present: int = 0
    marked: int = 0
    evaluations: int = 0
    score_total: int = 0

    @property
    def attendance_rate(self) -> int | None:
        return round(100 * self.present / self.marked) if self.marked else None

    @property
    def average(self) -> float | None:
        if self.evaluations < MIN_ANSWERS_SHOWN:
            return None
        return round(self.score_total / self.evaluations, 1)


COUNTED = tuple(field.name for field in fields(Outcome) if field.name != "label")


def _by_funder(group, organisation) -> tuple:
    if not group.funding:
        return ("~",), _("Funding not filled in")
    label = group.get_funding_display()
    return (label,), label


def _by_municipality(group, organisation) -> tuple:
    if not group.municipality:
        return ("~",), _("Municipality not filled in")
    return (group.municipality.casefold(),), group.municipality


def _by_partner(group, organisation) -> tuple:
    pk, name = organisation
    return (name.casefold(), pk), name


def _by_period(group, organisation) -> tuple:
    if group.first_date is None:
        return (datetime.date.max,), _("No sessions yet")
    month = group.first_date.replace(day=1)
    return (month,), date_format(month, "YEAR_MONTH_FORMAT")


KEYS: dict[str, Callable] = {
    "funder": _by_funder,
    "municipality": _by_municipality,
    "partner": _by_partner,
    "period": _by_period,
}


def _present_at(seat_group) -> Subquery:
    """A seat's sessions present in its own group, as an expression."""
    return Coalesce(
        Subquery(
            Attendance.objects.filter(
                seat=OuterRef("pk"),
                status=Attendance.Status.PRESENT,
                session__group=OuterRef(seat_group),
            )
            .order_by()
            .values("seat")
            .annotate(count=Count("pk"))
            .values("count")
        ),
        0,
    )


def _seat_counts(group_ids, partner) -> list[dict]:
    """Confirmed seats and certificates per group and booking organisation (one query)."""
    seats = Seat.objects.confirmed().filter(booking__group__in=group_ids)
    if partner is not None:
        seats = seats.filter(booking__organisation=partner)
    return list(
        seats.alias(present=_present_at("booking__group"))
        .values("booking__group", "booking__organisation", "booking__organisation__name")
        .annotate(
            seats=Count("pk"),
            certificates=Count(
                "pk", filter=Q(present__gte=F("booking__group__course__certificate_sessions"))
            ),
        )
        .order_by()
    )


def _attendance_counts(group_ids) -> dict[tuple, dict]:
    rows = (
        Attendance.objects.filter(session__group__in=group_ids, seat__status=Seat.Status.CONFIRMED)
        .values("session__group", "seat__booking__organisation")
        .annotate(
            present=Count("pk", filter=Q(status=Attendance.Status.PRESENT)),
            marked=Count("pk"),
        )
        .order_by()
    )
    return {(row["session__group"], row["seat__booking__organisation"]): row for row in rows}


def _evaluation_counts(group_ids) -> dict[int, dict]:
    rows = (
        Evaluation.objects.filter(group__in=group_ids)
        .values("group")
        .annotate(evaluations=Count("pk"), score_total=Sum("score"))
        .order_by()
    )
    return {row["group"]: row for row in rows}


def outcomes(
    groups: QuerySet,
    *,
    by: str = "funder",
    partner: Organisation | None = None,
    today: datetime.date | None = None,
) -> list[Outcome]:
    """What `groups` brought, per funder, municipality, partner (the organisation that booked:
    an SW company, a referral partner or the library for its own learners) or period (month
    of the first session), in four queries however many groups. With `partner`, only that
    organisation's seats count.

    Draft and cancelled groups are not counted. Per partner, a group's evaluations count for
    every partner with a confirmed seat in it: an evaluation is anonymous, so it cannot be
    told whose it is.
    """
    key_of = KEYS[by]
    today = today or timezone.localdate()
    groups = groups.filter(status__in=RUNNING)
    if "first_date" not in groups.query.annotations:
        groups = groups.with_dates()
    groups = {
        group.pk: group
        for group in groups.select_related(None)
        .only("pk", "status", "funding", "municipality")
        .order_by()
    }
    seat_rows = _seat_counts(list(groups), partner)
    attendance = _attendance_counts(list(groups)) if seat_rows else {}
    evaluations = _evaluation_counts(list(groups)) if seat_rows else {}

    totals: dict[tuple, dict] = {}
    counted_groups: dict[tuple, set] = {}
    evaluated: dict[tuple, set] = {}
    for row in seat_rows:
        group = groups[row["booking__group"]]
        organisation = (row["booking__organisation"], row["booking__organisation__name"])
        key, label = key_of(group, organisation)
        total = totals.setdefault(key, {"label": label, **dict.fromkeys(COUNTED, 0)})
        seats = row["seats"]
        total["seats"] += seats
        total["certificates"] += row["certificates"]
        if group.first_date is not None and group.first_date <= today:
            total["started"] += seats
        if group.status == CourseGroup.Status.COMPLETED:
            total["completed"] += seats
        marks = attendance.get((group.pk, organisation[0]), {})
        total["present"] += marks.get("present", 0)
        total["marked"] += marks.get("marked", 0)
        counted_groups.setdefault(key, set()).add(group.pk)
        if group.pk not in evaluated.setdefault(key, set()):
            evaluated[key].add(group.pk)
            answers = evaluations.get(group.pk, {})
            total["evaluations"] += answers.get("evaluations", 0)
            total["score_total"] += answers.get("score_total", 0)
    for key, total in totals.items():
        total["groups"] = len(counted_groups[key])
    return [Outcome(**total) for _key, total in sorted(totals.items())]


def partnership(*, library: Organisation, partner: Organisation) -> Outcome:
    """The figures of `partner`'s confirmed seats in `library`'s groups, in four queries."""
    groups = CourseGroup.objects.filter(library=library)
    rows = outcomes(groups, by="partner", partner=partner)
    return rows[0] if rows else Outcome(label=partner.name)
