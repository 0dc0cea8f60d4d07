"""Reads shared by the course pages, the admin, the portal and the API.

Free seats, waiting-list lengths and positions are computed here and nowhere else, so every
screen tells the same story.
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from wagtail.coreutils import get_supported_content_language_variant

from booking.models import Attendance, Booking, CourseGroup, CoursePage, Location, Seat, Session
from booking.models.courses import MONTH_PARAMETER, PLACE_PARAMETER
from booking.models.groups import free_seats
from booking.roles import company_of, library_of
from core.pagination import page_or_first


@dataclass(frozen=True)
class Availability:
    """How full a group is, and how to say so in plain words."""

    capacity: int
    confirmed: int
    waitlisted: int
    # Seats kept for one organisation (SeatHold): taken for everyone else.
    held: int = 0

    @property
    def free(self) -> int:
        return max(self.capacity - self.held - self.confirmed, 0)

    @property
    def is_full(self) -> bool:
        return self.free == 0

    @property
    def percentage(self) -> int:
        """Confirmed seats as a share of the capacity, for occupancy bars (0-100)."""
        return min(round(100 * self.confirmed / self.capacity), 100) if self.capacity else 100

    @property
    def label(self) -> str:
        """E.g. "nog 2 plaatsen vrij" or "vol — je kunt op de wachtlijst"."""
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
        return Availability(
            group.capacity, counts["confirmed"], counts["waitlisted"], group.seats_held
        )
    return Availability(
        group.capacity, group.confirmed_seats, group.waitlisted_seats, group.seats_held
    )


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


def upcoming_groups(*, course: CoursePage, today=None) -> QuerySet:
    """The open groups of a course that have not ended, not yet loaded: soonest first, groups
    without dates last (on every database), each with `first_date` and `last_date`.

    The same groups for every translation of the course page.
    """
    return (
        CourseGroup.objects.for_course(course)
        .upcoming(today)
        .filter(status=CourseGroup.Status.OPEN)
        .order_by(F("first_date").asc(nulls_last=True), "pk")
    )


def occupancy(group_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Confirmed and waitlisted seats by group id, in one aggregate query (a group without
    seats is missing)."""
    rows = (
        Seat.objects.filter(booking__group_id__in=list(group_ids))
        .order_by()
        .values("booking__group_id")
        .annotate(
            confirmed=_count(Seat.Status.CONFIRMED), waitlisted=_count(Seat.Status.WAITLISTED)
        )
        .values_list("booking__group_id", "confirmed", "waitlisted")
    )
    return {group_id: (confirmed, waitlisted) for group_id, confirmed, waitlisted in rows}


def _plain(text: str) -> str:
    """White space collapsed, control characters dropped: what a visitor meant to type."""
    return " ".join("".join(char if char.isprintable() else " " for char in text).split())


def _same_place(first: str, second: str) -> bool:
    return _plain(first).casefold() == _plain(second).casefold()


# The course page shows this many groups at a time, so it stays small however many are planned.
GROUPS_PER_PAGE = 10
# What a visitor may type for a month or page number and see echoed in a notice.
MAX_ECHO_LENGTH = 20
MONTH_VALUE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str) -> datetime.date | None:
    """The first day of a "2027-03" month, or None if `value` is not a month."""
    match = MONTH_VALUE.match(value)
    if not match:
        return None
    year, month = (int(part) for part in match.groups())
    if not 1 <= month <= 12 or year < 2000:
        return None
    return datetime.date(year, month, 1)


def _next_month(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=31)).replace(day=1)


@dataclass(frozen=True)
class Place:
    """A town or city where a course has groups, as a filter option."""

    name: str
    groups: int
    selected: bool


@dataclass(frozen=True)
class Month:
    """A month in which groups of a course start, as a filter option."""

    start: datetime.date  # its first day
    groups: int
    selected: bool
    query: str  # the link's query string, keeping the place chosen: "?place=Gouda&month=2027-03"


@dataclass(frozen=True)
class CourseGroups:
    """One page of a course page's groups, narrowed to a place and a month or not.

    `page` is a Django paginator page: `page.paginator.count` groups match the place and month
    chosen, `page.start_index()` to `page.end_index()` of them are shown.
    """

    groups: list[CourseGroup]  # the groups on this page, each with .availability and .month
    total: int  # upcoming open groups in every place
    in_place: int  # those in the place chosen (all of them when none is)
    places: list[Place]  # A to Z, each with its number of groups
    place: str  # the place asked for, as the visitor typed it ("" for every place)
    months: list[Month]  # the months groups start in, in the place chosen, soonest first
    page: Page
    notices: list[str]  # values in the address we could not use, in plain words
    filters: dict[str, str]  # the place and month chosen, as in the address

    @property
    def selected_place(self) -> Place | None:
        return next((place for place in self.places if place.selected), None)

    @property
    def selected_month(self) -> Month | None:
        return next((month for month in self.months if month.selected), None)

    @property
    def place_query(self) -> str:
        """The place chosen as a query string ("" for every place): the "all months" link."""
        place = self.filters.get(PLACE_PARAMETER)
        return "?" + urlencode({PLACE_PARAMETER: place}) if place else ""

    @property
    def page_prefix(self) -> str:
        """The place and month chosen as a query string, ready for a page number."""
        return "?" + urlencode(self.filters) + "&" if self.filters else "?"


def course_page_groups(
    *, course: CoursePage, place: str = "", month: str = "", page: str = "1", today=None
) -> CourseGroups:
    """The upcoming open groups of a course for its public page: those in the place asked for
    (town or city, any case) and starting in the month asked for ("2027-03"), one page of
    GROUPS_PER_PAGE at a time, and the places and months there are to choose from.

    Four queries however many groups there are: one aggregate counts the groups per place
    and month (the filters, the totals and the paging come from it), then the page's groups,
    their sessions, and their seats (one aggregate). A month or page we cannot use gives a
    notice and the first page of what is left.
    """
    groups = upcoming_groups(course=course, today=today)
    counts = list(
        groups.order_by()
        .values(city=F("location__city"), start=TruncMonth("first_date"))
        .annotate(number=Count("pk"))
        .values_list("city", "start", "number")
    )
    place = _plain(place)
    places = [
        Place(city, number, bool(place) and _same_place(city, place))
        for city, number in sorted(
            _totals((city, number) for city, _start, number in counts).items(),
            key=lambda item: item[0].casefold(),
        )
    ]
    filters: dict[str, str] = {}
    if place:
        # Every spelling that matches (a coordinator may have typed "gouda"); links use the
        # first, as the list of places shows it.
        cities = [p.name for p in places if p.selected]
        counts = [row for row in counts if row[0] in cities]
        groups = groups.filter(location__city__in=cities)
        if cities:
            filters[PLACE_PARAMETER] = cities[0]
    in_place = sum(number for _city, _start, number in counts)
    by_month = _totals((start, number) for _city, start, number in counts if start)

    notices: list[str] = []
    chosen = _chosen_month(_plain(month), by_month, notices) if in_place else None
    months = [
        Month(
            start,
            number,
            start == chosen,
            "?" + urlencode({**filters, MONTH_PARAMETER: f"{start:%Y-%m}"}),
        )
        for start, number in sorted(by_month.items())
    ]
    if chosen:
        groups = groups.filter(first_date__gte=chosen, first_date__lt=_next_month(chosen))
        filters[MONTH_PARAMETER] = f"{chosen:%Y-%m}"

    paginator = Paginator(
        groups.select_related("location", "library", "restricted_to").prefetch_related(
            Prefetch("sessions", queryset=Session.objects.order_by("date", "starts_at"))
        ),
        GROUPS_PER_PAGE,
    )
    paginator.count = by_month[chosen] if chosen else in_place  # counted already: no COUNT
    shown = page_or_first(paginator, page or "1", notices)
    shown.object_list = _with_availability(list(shown.object_list))
    return CourseGroups(
        groups=shown.object_list,
        total=sum(place.groups for place in places),
        in_place=in_place,
        places=places,
        place=place,
        months=months,
        page=shown,
        notices=notices,
        filters=filters,
    )


def _totals(pairs: Iterable[tuple]) -> dict:
    """The numbers added up by key, from (key, number) pairs."""
    totals: dict = {}
    for key, number in pairs:
        totals[key] = totals.get(key, 0) + number
    return totals


def _chosen_month(value: str, by_month: dict, notices: list) -> datetime.date | None:
    """The month asked for, if groups start in it; else None, with a notice when one was
    asked for."""
    if not value:
        return None
    chosen = parse_month(value)
    if chosen is None:
        notices.append(
            _("“%(value)s” is not a month. Write it like this: %(example)s.")
            % {"value": value[:MAX_ECHO_LENGTH], "example": timezone.localdate().strftime("%Y-%m")}
        )
        return None
    if chosen not in by_month:
        notices.append(
            _("No group starts in %(month)s. You see the groups of every month.")
            % {"month": date_format(chosen, "YEAR_MONTH_FORMAT")}
        )
        return None
    return chosen


def _with_availability(groups: list[CourseGroup]) -> list[CourseGroup]:
    """Give each group `.availability` (seats from one aggregate query) and `.month`, the
    first day of the month it starts in (None without dates), to list them by month."""
    seats = occupancy(group.pk for group in groups)
    for group in groups:
        group.availability = Availability(
            group.capacity, *seats.get(group.pk, (0, 0)), held=group.seats_held
        )
        group.month = group.first_date.replace(day=1) if group.first_date else None
    return groups


@dataclass(frozen=True)
class CourseSummary:
    """A course in a list of courses. `groups` counts its upcoming open groups, `reserved`
    those among them that are only for one organisation; `free_seats` counts the seats
    anyone may still take, so never those of a reserved group."""

    page: CoursePage
    groups: int
    free_seats: int
    reserved: int = 0

    @property
    def open_groups(self) -> int:
        return self.groups - self.reserved


def course_overview(index_page, *, seats: bool = True) -> list[CourseSummary]:
    """Each live course under the index, with how many upcoming open groups and free seats
    it has: the pages, and one aggregate grouped by course that the database counts, so
    neither the number of queries nor the rows read here grow with the groups.

    Without `seats` the free seats are not counted (0), for lists that do not show them.
    """
    pages = list(CoursePage.objects.child_of(index_page).live().public().order_by("path"))
    reserved = Q(restricted_to__isnull=False)
    free = Sum(free_seats(), filter=~reserved, default=0) if seats else Value(0)
    rows = (
        CourseGroup.objects.filter(course__translation_key__in=[p.translation_key for p in pages])
        .upcoming()
        .filter(status=CourseGroup.Status.OPEN)
        .order_by()
        .values("course__translation_key")
        .annotate(number=Count("pk"), free=free, reserved=Count("pk", filter=reserved))
        .values_list("course__translation_key", "number", "free", "reserved")
    )
    counts = {key: numbers for key, *numbers in rows}
    return [CourseSummary(page, *counts.get(page.translation_key, (0, 0, 0))) for page in pages]


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


# -- the contact persons' portal --------------------------------------------------------------


@dataclass(frozen=True)
class SeatCounts:
    """How one booking's seats stand, in plain words."""

    confirmed: int
    waitlist_places: tuple[int, ...]
    cancelled: int

    @property
    def waitlisted(self) -> int:
        return len(self.waitlist_places)

    @property
    def active(self) -> int:
        return self.confirmed + self.waitlisted

    @property
    def label(self) -> str:
        """E.g. "2 confirmed, 1 on the waiting list (place 3)"."""
        parts = []
        if self.confirmed:
            parts.append(
                ngettext("%(count)s confirmed", "%(count)s confirmed", self.confirmed)
                % {"count": self.confirmed}
            )
        if self.waitlisted:
            parts.append(
                ngettext(
                    "%(count)s on the waiting list (place %(places)s)",
                    "%(count)s on the waiting list (places %(places)s)",
                    self.waitlisted,
                )
                % {
                    "count": self.waitlisted,
                    "places": ", ".join(str(place) for place in self.waitlist_places),
                }
            )
        if not parts:
            return _("all seats cancelled")
        return ", ".join(parts)


def seat_counts(seats: Iterable[Seat], positions: dict[int, int]) -> SeatCounts:
    """Count seats by status; `positions` are the waiting-list places by seat id."""
    seats = list(seats)
    return SeatCounts(
        confirmed=sum(seat.status == Seat.Status.CONFIRMED for seat in seats),
        waitlist_places=tuple(
            sorted(positions[seat.pk] for seat in seats if seat.status == Seat.Status.WAITLISTED)
        ),
        cancelled=sum(seat.status == Seat.Status.CANCELLED for seat in seats),
    )


def translated_course_titles(translation_keys: Iterable) -> dict:
    """Titles of live courses in the active content language, by translation key (one query).

    Groups hang on the Dutch course page; a key without a live translation is missing here.
    """
    try:
        language = get_supported_content_language_variant(get_language() or settings.LANGUAGE_CODE)
    except LookupError:
        language = settings.LANGUAGE_CODE
    rows = (
        CoursePage.objects.live()
        .filter(translation_key__in=set(translation_keys), locale__language_code=language)
        .values_list("translation_key", "title")
    )
    return dict(rows)


def course_titles(courses: Iterable[CoursePage]) -> dict[int, str]:
    """The title of each course page in the active language, by page id, in one query: like
    Wagtail's `page.localized` (a live translation, else the page itself) without a query per
    page."""
    courses = {course.pk: course for course in courses}
    if not courses:
        return {}
    translated = translated_course_titles(course.translation_key for course in courses.values())
    return {
        pk: translated.get(course.translation_key, course.title) for pk, course in courses.items()
    }


def _group_details() -> QuerySet:
    return CourseGroup.objects.with_dates().select_related("course", "location", "library")


def _portal_rows(organisation, today) -> QuerySet:
    """The organisation's bookings with the group's `first_date` and `last_date` and
    `is_current`: a seat still taken in a group that runs and has not ended."""
    sessions = Session.objects.filter(group=OuterRef("group")).order_by().values("group")
    current = (
        Exists(Seat.objects.active().filter(booking=OuterRef("pk")))
        & ~Q(group__status__in=[CourseGroup.Status.CANCELLED, CourseGroup.Status.COMPLETED])
        & (Q(last_date__gte=today) | Q(last_date__isnull=True))
    )
    return (
        Booking.objects.filter(organisation=organisation)
        .annotate(
            first_date=Subquery(sessions.annotate(value=Min("date")).values("value")),
            last_date=Subquery(sessions.annotate(value=Max("date")).values("value")),
        )
        .annotate(
            is_current=Case(
                When(current, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
    )


def portal_bookings(organisation, *, past=False, today=None) -> QuerySet:
    """The bookings of an SW company, not yet loaded, so that a page of them can be taken.

    Current bookings (a seat still taken in a group that runs and has not ended) come soonest
    first; with `past`, the others (ended, or every seat or the group cancelled) come most
    recent first. Each carries `first_date`, `last_date` and `is_current`; `portal_details`
    adds what the overview shows.
    """
    rows = _portal_rows(organisation, today or timezone.localdate()).filter(is_current=not past)
    if past:
        return rows.order_by(F("last_date").desc(nulls_first=True), "-pk")
    return rows.order_by(F("first_date").asc(nulls_last=True), "pk")


def portal_booking_counts(organisation, *, today=None) -> dict[str, int]:
    """How many current and past bookings the SW company has (one query)."""
    return _portal_rows(organisation, today or timezone.localdate()).aggregate(
        current=Count("pk", filter=Q(is_current=True)),
        past=Count("pk", filter=Q(is_current=False)),
    )


def portal_details(bookings: Iterable[Booking]) -> list[Booking]:
    """One page of `portal_bookings`, each with its group (and the group's `first_date`,
    `last_date`), its seats in order, `.seat_counts`, `.participants` (the names on its seats
    still taken) and `.course_title`.

    Four queries however many bookings the page holds.
    """
    bookings = list(bookings)
    prefetch_related_objects(
        bookings,
        Prefetch("group", queryset=_group_details()),
        Prefetch("seats", queryset=Seat.objects.order_by("pk")),
    )
    groups = {booking.group for booking in bookings}
    positions = waitlist_positions(group.pk for group in groups)
    titles = course_titles(group.course for group in groups)
    for booking in bookings:
        booking.seat_counts = seat_counts(booking.seats.all(), positions)
        booking.participants = [
            seat.participant_label
            for seat in booking.seats.all()
            if seat.status != Seat.Status.CANCELLED
        ]
        booking.course_title = titles[booking.group.course_id]
    return bookings


def portal_booking(bookings: QuerySet, pk: int) -> Booking:
    """One of `bookings` (e.g. `bookings_visible_to(user)`), with its group's details,
    sessions and seats; each seat carries `.position` on the waiting list (None if it is
    not waiting). Raises Booking.DoesNotExist when `pk` is not among them."""
    booking = (
        bookings.select_related(
            "group__course", "group__location", "group__library", "organisation", "booked_by"
        )
        .prefetch_related(
            Prefetch("seats", queryset=Seat.objects.order_by("pk")),
            Prefetch("group__sessions", queryset=Session.objects.order_by("date", "starts_at")),
        )
        .get(pk=pk)
    )
    positions = waitlist_positions([booking.group_id])
    for seat in booking.seats.all():
        seat.position = positions.get(seat.pk)
    booking.seat_counts = seat_counts(booking.seats.all(), positions)
    booking.course_title = booking.group.course_title = course_titles([booking.group.course])[
        booking.group.course_id
    ]
    return booking


def bookable_groups(organisation, *, now=None) -> QuerySet:
    """Groups `organisation` may reserve seats in now: open, inside the booking window, not
    ended, and for everyone or for this organisation only.

    The per-organisation limit is not checked here; reserving says so when it is reached.
    """
    now = now or timezone.now()
    return (
        CourseGroup.objects.upcoming(timezone.localdate(now))
        .filter(
            status=CourseGroup.Status.OPEN,
            booking_opens_at__lte=now,
            booking_closes_at__gt=now,
        )
        .filter(Q(restricted_to__isnull=True) | Q(restricted_to=organisation))
    )


@dataclass(frozen=True)
class GroupOptions:
    """What a list of groups can be filtered on."""

    courses: list[tuple]  # (page id, translation key, title) of each course page
    places: list[str]  # the cities of the locations, A to Z
    months: list[datetime.date]  # the first day of each month a group starts in


def group_options(groups: QuerySet) -> GroupOptions:
    """The courses, places and starting months of `groups`: one query each, each returning
    one row per distinct value, so the filters cost the same for 5 groups or 5,000."""
    groups = groups.order_by()
    courses = groups.values_list("course_id", "course__translation_key", "course__title")
    places = groups.values_list("location__city", flat=True)
    months = groups.annotate(month=TruncMonth("first_date")).values_list("month", flat=True)
    return GroupOptions(
        courses=list(courses.distinct()),
        places=sorted(places.distinct(), key=str.lower),
        months=sorted(month for month in months.distinct() if month is not None),
    )


def groups_with_availability(groups: QuerySet) -> list[CourseGroup]:
    """The groups with their details, sessions, `.availability` and `.course_title` (four
    queries however many groups there are)."""
    groups = list(_with_details(groups))
    titles = course_titles(group.course for group in groups)
    for group in groups:
        group.availability = availability(group)
        group.course_title = titles[group.course_id]
    return groups


@dataclass(frozen=True)
class BookingContact:
    """Who to call about a booking: the person who made it, for the group's coordinators."""

    organisation: str
    name: str
    email: str
    phone: str
    seats: int


def booking_contacts(seats: Iterable[Seat]) -> list[BookingContact]:
    """One line per booking among `seats` (seats the reader may already see), in booking
    order, in one query: the organisation, the contact person's name, e-mail and phone."""
    counts: dict[int, int] = {}
    for seat in seats:
        if seat.status != Seat.Status.CANCELLED:
            counts[seat.booking_id] = counts.get(seat.booking_id, 0) + 1
    bookings = (
        Booking.objects.filter(pk__in=counts)
        .select_related("organisation", "booked_by__membership")
        .order_by("created_at", "pk")
    )
    contacts = []
    for booking in bookings:
        person = booking.booked_by
        membership = getattr(person, "membership", None) if person else None
        contacts.append(
            BookingContact(
                organisation=booking.organisation.name,
                name=(person.get_full_name() or person.get_username()) if person else "",
                email=person.email if person else "",
                phone=membership.phone if membership else "",
                seats=counts[booking.pk],
            )
        )
    return contacts


def course_search_keywords(course: CoursePage) -> list[str]:
    """The places and libraries of a course's upcoming open groups: what the site search
    finds the course by besides its text ("Gouda" finds the courses with groups in Gouda)."""
    rows = (
        CourseGroup.objects.for_course(course)
        .upcoming()
        .filter(status=CourseGroup.Status.OPEN)
        .values_list("location__city", "library__name")
        .distinct()
    )
    return list(dict.fromkeys(name for row in rows for name in row if name))


# -- unmet demand --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Demand:
    """People waiting for one course, level and town at a library, since when the first of
    them waits, and the earliest-made group they wait in (to open a new group from)."""

    course_title: str
    level: int
    town: str
    waiting: int
    oldest_since: datetime.datetime
    group_id: int

    @property
    def label(self) -> str:
        """E.g. "12 wachtenden voor Klik & Tik niveau 1 in Gouda"."""
        return ngettext(
            "%(count)s person waiting for %(course)s level %(level)s in %(town)s",
            "%(count)s people waiting for %(course)s level %(level)s in %(town)s",
            self.waiting,
        ) % {
            "count": self.waiting,
            "course": self.course_title,
            "level": self.level,
            "town": self.town,
        }


def unmet_demand(library) -> list[Demand]:
    """Waiting seats in the library's running groups per course, level and town, most
    waiting first: one aggregate query and the course titles."""
    rows = (
        Seat.objects.waitlisted()
        .filter(
            booking__group__library=library,
            booking__group__status__in=[CourseGroup.Status.OPEN, CourseGroup.Status.CLOSED],
        )
        .values(
            "booking__group__course",
            "booking__group__level",
            "booking__group__location__city",
        )
        .annotate(
            waiting=Count("pk"),
            oldest_since=Min("waitlisted_at"),
            group_id=Min("booking__group"),
        )
        .order_by("-waiting", "oldest_since")
    )
    rows = list(rows)
    courses = CoursePage.objects.filter(pk__in={row["booking__group__course"] for row in rows})
    titles = course_titles(list(courses))
    return [
        Demand(
            course_title=titles[row["booking__group__course"]],
            level=row["booking__group__level"],
            town=row["booking__group__location__city"],
            waiting=row["waiting"],
            oldest_since=row["oldest_since"],
            group_id=row["group_id"],
        )
        for row in rows
    ]


# -- certificates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateStatus:
    """One confirmed seat of a group and whether its attendance earns a certificate."""

    seat: Seat
    present: int
    sessions: int
    needed: int

    @property
    def eligible(self) -> bool:
        return self.present >= self.needed


def certificate_status(group: CourseGroup, *, organisation=None) -> list[CertificateStatus]:
    """Every confirmed seat of `group` (of `organisation` only, if given) with the sessions
    it was present at, the group's sessions and what the course needs for a certificate, in
    two queries however many seats and sessions. Each seat carries what
    `policies.check_can_print_certificate` reads, so asking it costs no query either."""
    group = (
        CourseGroup.objects.select_related("course")
        .annotate(session_count=Count("sessions", distinct=True))
        .get(pk=group.pk)
    )
    seats = (
        Seat.objects.confirmed()
        .filter(booking__group=group)
        .select_related("booking__organisation")
        .annotate(
            sessions_present=Count(
                "attendance",
                filter=Q(
                    attendance__status=Attendance.Status.PRESENT,
                    attendance__session__group=group,
                ),
            )
        )
        .order_by("booking__created_at", "pk")
    )
    if organisation is not None:
        seats = seats.filter(booking__organisation=organisation)
    needed = group.course.certificate_sessions
    rows = []
    for seat in seats:
        seat.booking.group = group
        rows.append(
            CertificateStatus(
                seat=seat,
                present=seat.sessions_present,
                sessions=group.session_count,
                needed=needed,
            )
        )
    return rows
