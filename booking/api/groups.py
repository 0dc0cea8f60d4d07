"""Course groups and their free seats: public, like the course pages; and giving back seats a
library held for your organisation.

A list costs the same few queries however many groups it holds: occupancy, the
organisation's own seats, the seats held for it and "bookable" are computed in the database,
sessions come in one prefetch.
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
from ninja import Path, Query, Router, Status

from booking import services
from booking.models import CourseGroup, CoursePage, Seat, SeatHold, Session
from booking.roles import company_of
from booking.selectors import availability, course_titles

from .auth import contact_persons, public
from .errors import error_responses, not_found
from .schemas import MAX_ID, GroupFilters, GroupOut, GroupPage

router = Router(tags=["Groups"], auth=public())

GroupId = Path(..., ge=1, le=MAX_ID)


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


def _holds_for(organisation, today=None):
    """The organisation's active holds (at most one per group: a second hold adds to the
    first). A hold whose day has passed is left out: the next change to its group releases it
    (booking/services.py), so its seats are no longer the organisation's to book."""
    return SeatHold.objects.active().filter(
        organisation=organisation, held_until__gte=today or timezone.localdate()
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
        today = timezone.localdate(now)
        held = _holds_for(organisation, today).filter(group=OuterRef("pk"))
        groups = groups.annotate(
            organisation_seats=Coalesce(_seats_of(organisation), 0),
            held_for_you=Coalesce(Subquery(held.values("seats")[:1]), 0),
            held_for_you_until=Subquery(held.values("held_until")[:1]),
        )
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
        # Only a contact person's own organisation's hold: someone else's is their business.
        "seats_held_for_you": getattr(group, "held_for_you", 0),
        "seats_held_for_you_until": getattr(group, "held_for_you_until", None),
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
def get_group(request, group_id: int = GroupId):
    group = public_groups(request.user).filter(pk=group_id).first()
    if group is None:
        raise not_found()
    return group_out(group, course_titles([group.course]))


@router.delete(
    "/groups/{int:group_id}/held-seats",
    auth=contact_persons(),
    response={204: None, **error_responses(401, 403, 404, 409, 422, 429, 503)},
    summary="Give back the seats held for you",
)
def release_held_seats(request, group_id: int = GroupId):
    """The library held seats in this group for your organisation (`seats_held_for_you`) and
    you do not need them (any more). Seats you booked stay yours. The seats you give back go
    to the waiting list first, in order, and then to anyone. No body; answers 204 without a
    body. No seats held for your organisation in this group (or the day they were held until
    has passed): 404."""
    hold = (
        _holds_for(company_of(request.user))
        .filter(group_id=group_id)
        .exclude(group__status=CourseGroup.Status.DRAFT)
        .first()
    )
    if hold is None:
        raise not_found()
    # A refusal (the hold was released a moment ago: 409) is a BookingError; errors.py answers.
    services.release_hold(hold=hold, by=request.user)
    return Status(204, None)
