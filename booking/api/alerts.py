"""'Er is plek' alerts of the contact person asking: list, add, read and stop them.

Only ever the user's own subscriptions: anyone else's answers 404, as if it did not exist.
The rules (which course, level and place, at most one e-mail a day) are in booking/alerts.py.
"""

import datetime
from typing import Literal

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Router, Schema, Status

from booking import alerts
from booking.models import CoursePage, RoomAlert

from .auth import contact_persons
from .errors import error_responses, field_error
from .schemas import MAX_ID, STRICT_BODY, Id, TownName

router = Router(tags=["Alerts"], auth=contact_persons())

AlertId = Path(..., ge=1, le=MAX_ID)
Language = Literal["nl", "en"]


class AlertIn(Schema):
    model_config = STRICT_BODY

    course_id: Id = Field(
        description="The course: the id of its page in either language, as in a group's "
        "`course.id`."
    )
    level: int | None = Field(
        None, ge=1, le=3, description="Only groups of this level; null or left out for every level."
    )
    municipality: TownName = Field(
        "",
        description="Only groups in this municipality or town, e.g. Gouda; empty for every place.",
    )
    language: Language | None = Field(
        None, description="The language of the e-mails; left out: your account's language."
    )


class AlertCourseOut(Schema):
    id: int = Field(
        description="The course page's id in the language of the request if it has one."
    )
    title: str
    slug: str


class AlertLocationOut(Schema):
    name: str
    city: str


class AlertOut(Schema):
    id: int
    course: AlertCourseOut | None = Field(description="Null when the course is no longer offered.")
    level: int | None
    location: AlertLocationOut | None = Field(
        description="One location chosen in the portal; null for every location."
    )
    municipality: str
    language: Language
    description: str = Field(description="The alert in words, e.g. Klik & Tik, level 1, in Gouda.")
    created_at: datetime.datetime
    last_sent_at: datetime.datetime | None = Field(
        description="When the last e-mail about it was sent; null if none yet."
    )


class AlertList(Schema):
    count: int
    items: list[AlertOut]


def _courses(keys) -> dict:
    """The live course page of each translation key, in the request's language if there is
    one (one query)."""
    language = get_language()
    courses = {}
    pages = CoursePage.objects.live().filter(translation_key__in=set(keys)).select_related("locale")
    for page in pages.order_by("path"):
        if page.translation_key not in courses or page.locale.language_code == language:
            courses[page.translation_key] = page
    return courses


def _out(found: list[RoomAlert]) -> list[dict]:
    courses = _courses(alert.course_key for alert in found)
    titles = {key: page.title for key, page in courses.items()}
    return [
        {
            "id": alert.pk,
            "course": courses.get(alert.course_key),
            "level": alert.level,
            "location": alert.location,
            "municipality": alert.municipality,
            "language": alert.language,
            "description": alerts.describe(alert, titles),
            "created_at": timezone.localtime(alert.created_at),
            "last_sent_at": alert.last_sent_at and timezone.localtime(alert.last_sent_at),
        }
        for alert in found
    ]


@router.get(
    "/alerts",
    response={200: AlertList, **error_responses(401, 403, 422, 429)},
    summary="Your alerts",
)
def list_alerts(request):
    """Your own "er is plek" alerts, oldest first. Each sends at most one e-mail a day, when
    a matching group opens for booking or a seat becomes free in it."""
    found = list(alerts.alerts_of(request.user))
    return {"count": len(found), "items": _out(found)}


@router.post(
    "/alerts",
    response={201: AlertOut, 200: AlertOut, **error_responses(400, 401, 403, 404, 422, 429)},
    summary="Add an alert",
)
def create_alert(request, payload: AlertIn):
    """Get an e-mail when a course has room, for one level and one municipality if you like.
    A course that does not exist: 404 on `course_id`, as a group that does not exist is for a
    booking. The same alert twice gives the first one back (200)."""
    course_key = alerts.course_key_of(payload.course_id)
    if course_key is None:
        raise field_error(
            "course_id", _("There is no course with this number."), code="not_found", status=404
        )
    membership = getattr(request.user, "membership", None)
    language = payload.language or (membership.language if membership else settings.LANGUAGE_CODE)
    alert, created = alerts.subscribe(
        user=request.user,
        course_key=course_key,
        level=payload.level,
        municipality=payload.municipality or "",
        language=language,
    )
    return Status(201 if created else 200, _out([alert])[0])


def _alert(request, alert_id: int) -> RoomAlert:
    return get_object_or_404(alerts.alerts_of(request.user), pk=alert_id)


@router.get(
    "/alerts/{int:alert_id}",
    response={200: AlertOut, **error_responses(401, 403, 404, 422, 429)},
    summary="One alert",
)
def get_alert(request, alert_id: int = AlertId):
    return _out([_alert(request, alert_id)])[0]


@router.delete(
    "/alerts/{int:alert_id}",
    response={204: None, **error_responses(401, 403, 404, 422, 429)},
    summary="Stop an alert",
)
def delete_alert(request, alert_id: int = AlertId):
    """No more e-mails for this alert. Another user's alert, or one stopped already: 404."""
    alerts.unsubscribe(_alert(request, alert_id))
    return Status(204, None)
