"""Course groups and their free seats: public, like the course pages.

A list costs the same few queries however many groups it holds: occupancy, the
organisation's own seats and "bookable" are computed in the database, sessions come in one
prefetch.
"""

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from ninja import Path, Query, Router

from booking.models import CourseGroup, CoursePage, Seat, Session
from booking.roles import company_of
from booking.selectors import availability, course_titles

from .auth import public
from .errors import error_responses, not_found
from .schemas import MAX_ID, GroupFilters, GroupOut, GroupPage

router = Router(tags=["Groups"], auth=public())


def _seats_of(organisation):
    """Seats the organisation holds in the outer group, waiting list included."""
    return Subquery(
        Seat.objects.active()
        .filter(booking__group=OuterRef("pk"), booking__organisation=organisation)
        .order_by()
        .values("booking__group")
        .annotate(count=Count("pk"))
        .values("count")
    )


def public_groups(user, now=None):
    """Every group but drafts, with occupancy, sessions and `bookable` for this user.

    Bookable means open and inside the booking window; for a contact person also not
    restricted to another organisation and below the organisation's limit (DESIGN.md rule 4).
    """
    now = now or timezone.now()
    groups = (
        CourseGroup.objects.exclude(status=CourseGroup.Status.DRAFT)
        .with_occupancy()
        .select_related("course", "library", "location", "restricted_to")
        .prefetch_related(
            Prefetch("sessions", queryset=Session.objects.order_by("date", "starts_at"))
        )
    )
    bookable = Q(
        status=CourseGroup.Status.OPEN, booking_opens_at__lte=now, booking_closes_at__gt=now
    )
    organisation = company_of(user)
    if organisation is not None:
        groups = groups.annotate(organisation_seats=Coalesce(_seats_of(organisation), 0))
        bookable &= Q(restricted_to__isnull=True) | Q(restricted_to=organisation)
        bookable &= Q(seats_per_organisation__isnull=True) | Q(
            organisation_seats__lt=F("seats_per_organisation")
        )
    return groups.annotate(
        bookable=Case(
            When(bookable, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )


def group_out(group: CourseGroup, titles: dict[int, str]) -> dict:
    """A group as the API shows it; `titles` are course titles in the request's language
    (`course_titles`)."""
    seats = availability(group)
    location = group.location
    restricted = group.restricted_to
    return {
        "id": group.pk,
        "course": {
            "id": group.course.pk,
            "title": titles.get(group.course_id, group.course.title),
            "slug": group.course.slug,
        },
        "level": group.level,
        "library": {"id": group.library.pk, "name": group.library.name, "slug": group.library.slug},
        "location": {
            "name": location.name,
            "kind": location.kind,
            "street_address": location.street_address,
            "postal_code": location.postal_code,
            "city": location.city,
            "address": location.address,
            "accessibility_notes": location.accessibility_notes,
        },
        "sessions": [
            {"date": session.date, "start": session.start, "end": session.end}
            for session in group.sessions.all()
        ],
        "capacity": group.capacity,
        "seats_free": seats.free,
        "waitlist_length": seats.waitlisted,
        "status": group.status,
        "bookable": group.bookable,
        "booking_opens_at": timezone.localtime(group.booking_opens_at),
        "booking_closes_at": timezone.localtime(group.booking_closes_at),
        "cancellation_deadline": timezone.localtime(group.cancellation_deadline),
        "only_for": {"id": restricted.pk, "name": restricted.name} if restricted else None,
        "seats_per_organisation": group.seats_per_organisation,
    }


@router.get(
    "/groups",
    response={200: GroupPage, **error_responses(401, 422, 429)},
    summary="List course groups",
    openapi_extra={"security": [{}]},
)
def list_groups(request, filters: Query[GroupFilters]):
    """Groups that are planned, soonest first; drafts are never shown. Without `include_past`
    only groups whose last session is today or later (or that have no sessions yet)."""
    groups = public_groups(request.user)
    groups = groups.with_dates() if filters.include_past else groups.upcoming()
    if filters.course is not None:
        keys = CoursePage.objects.filter(pk=filters.course).values("translation_key")
        groups = groups.filter(course__translation_key__in=keys)
    if filters.status is not None:
        groups = groups.filter(status=filters.status)
    if filters.level is not None:
        groups = groups.filter(level=filters.level)
    if filters.city:
        groups = groups.filter(location__city__iexact=filters.city.strip())
    if filters.bookable is not None:
        groups = groups.filter(bookable=filters.bookable)
    groups = groups.order_by(F("first_date").asc(nulls_last=True), "pk")
    page = list(groups[filters.offset : filters.offset + filters.limit])
    titles = course_titles(group.course for group in page)
    return {"count": groups.count(), "items": [group_out(group, titles) for group in page]}


@router.get(
    "/groups/{int:group_id}",
    response={200: GroupOut, **error_responses(401, 404, 422, 429)},
    summary="One course group",
    openapi_extra={"security": [{}]},
)
def get_group(request, group_id: int = Path(..., ge=1, le=MAX_ID)):
    group = public_groups(request.user).filter(pk=group_id).first()
    if group is None:
        raise not_found()
    return group_out(group, course_titles([group.course]))
