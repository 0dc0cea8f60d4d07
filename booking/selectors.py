"""Reads shared by the course pages, the admin, the portal and the API.

Free seats, waiting-list lengths and positions are computed here and nowhere else, so every
screen tells the same story.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from booking.models import Booking, CourseGroup, CoursePage, Location, Seat, Session
from booking.roles import company_of, library_of


@dataclass(frozen=True)
class Availability:
    """How full a group is, and how to say so in plain words."""

    capacity: int
    confirmed: int
    waitlisted: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.confirmed, 0)

    @property
    def is_full(self) -> bool:
        return self.free == 0

    @property
    def percentage(self) -> int:
        """Confirmed seats as a share of the capacity, for occupancy bars (0-100)."""
        return min(round(100 * self.confirmed / self.capacity), 100) if self.capacity else 100

    @property
    def label(self) -> str:
        """E.g. "nog 2 plaatsen vrij" or "vol — u kunt op de wachtlijst"."""
        if self.is_full:
            return _("full — you can join the waiting list")
        return ngettext("%(count)s seat left", "%(count)s seats left", self.free) % {
            "count": self.free
        }

    @property
    def waitlist_label(self) -> str:
        if not self.waitlisted:
            return _("nobody on the waiting list")
        return ngettext(
            "%(count)s person on the waiting list",
            "%(count)s people on the waiting list",
            self.waitlisted,
        ) % {"count": self.waitlisted}


def availability(group: CourseGroup) -> Availability:
    """The group's availability; uses `with_occupancy()` annotations when present."""
    if not hasattr(group, "confirmed_seats"):
        counts = Seat.objects.filter(booking__group=group).aggregate(
            confirmed=_count(Seat.Status.CONFIRMED), waitlisted=_count(Seat.Status.WAITLISTED)
        )
        return Availability(group.capacity, counts["confirmed"], counts["waitlisted"])
    return Availability(group.capacity, group.confirmed_seats, group.waitlisted_seats)


def _count(status):
    return Count("pk", filter=Q(status=status))


def _with_details(groups: QuerySet) -> QuerySet:
    return (
        groups.with_occupancy()
        .select_related("location", "library", "restricted_to", "course")
        .prefetch_related(
            Prefetch("sessions", queryset=Session.objects.order_by("date", "starts_at"))
        )
    )


def upcoming_groups(*, course: CoursePage, today=None) -> list[CourseGroup]:
    """The open groups of a course that have not ended, soonest first, with availability.

    The same groups for every translation of the course page.
    """
    groups = _with_details(
        CourseGroup.objects.for_course(course)
        .upcoming(today)
        .filter(status=CourseGroup.Status.OPEN)
        .order_by("first_date", "pk")
    )
    groups = list(groups)
    for group in groups:
        group.availability = availability(group)
    return groups


@dataclass(frozen=True)
class CourseSummary:
    page: CoursePage
    groups: int
    free_seats: int


def course_overview(index_page) -> list[CourseSummary]:
    """Each live course under the index, with how many upcoming open groups and free seats
    it has (two queries however many courses and groups there are)."""
    pages = list(
        CoursePage.objects.child_of(index_page).live().public().order_by("path").specific()
    )
    keys = [page.translation_key for page in pages]
    counts: dict = {}
    groups = (
        CourseGroup.objects.filter(course__translation_key__in=keys)
        .upcoming()
        .filter(status=CourseGroup.Status.OPEN)
        .with_occupancy()
        .values("course__translation_key", "free_seats")
    )
    for row in groups:
        number, free = counts.get(row["course__translation_key"], (0, 0))
        counts[row["course__translation_key"]] = (number + 1, free + row["free_seats"])
    return [CourseSummary(page, *counts.get(page.translation_key, (0, 0))) for page in pages]


def waitlist_positions(group_ids: Iterable[int]) -> dict[int, int]:
    """Place in the queue (1 = next) of every waitlisted seat in these groups, by seat id."""
    rows = (
        Seat.objects.waitlisted()
        .filter(booking__group_id__in=list(group_ids))
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("booking__group_id")],
                order_by=[F("waitlisted_at").asc(), F("pk").asc()],
            )
        )
        .values_list("pk", "position")
    )
    return dict(rows)


def waitlist(group: CourseGroup) -> list[Seat]:
    """The group's waiting list in order; each seat carries `.position`."""
    seats = list(
        Seat.objects.filter(booking__group=group)
        .in_waitlist_order()
        .select_related("booking__organisation")
    )
    for position, seat in enumerate(seats, start=1):
        seat.position = position
    return seats


# -- what a user may see -----------------------------------------------------------------------


def groups_visible_to(user) -> QuerySet:
    """Groups a user manages in the admin: all for superusers, their library's for
    coordinators, none for anyone else."""
    if user.is_superuser:
        return CourseGroup.objects.all()
    library = library_of(user)
    if library is None:
        return CourseGroup.objects.none()
    return CourseGroup.objects.filter(library=library)


def bookings_visible_to(user) -> QuerySet:
    """Bookings a user may see: a coordinator those in their library's groups, a contact
    person their own company's, a superuser all."""
    if user.is_superuser:
        return Booking.objects.all()
    library = library_of(user)
    if library is not None:
        return Booking.objects.filter(group__library=library)
    company = company_of(user)
    if company is not None:
        return Booking.objects.filter(organisation=company)
    return Booking.objects.none()


def seats_visible_to(user) -> QuerySet:
    return Seat.objects.filter(booking__in=bookings_visible_to(user))


def locations_editable_by(user) -> QuerySet:
    """Coordinators look after their own library's places; superusers after all."""
    if user.is_superuser:
        return Location.objects.all()
    library = library_of(user)
    if library is None:
        return Location.objects.none()
    return Location.objects.filter(organisation=library)


def upcoming_groups_for_dashboard(user, today=None, limit=10) -> list[CourseGroup]:
    """The user's next groups that are open or closed, with availability."""
    today = today or timezone.localdate()
    groups = _with_details(
        groups_visible_to(user)
        .upcoming(today)
        .filter(status__in=[CourseGroup.Status.OPEN, CourseGroup.Status.CLOSED])
        .order_by("first_date", "pk")
    )[:limit]
    groups = list(groups)
    for group in groups:
        group.availability = availability(group)
    return groups
