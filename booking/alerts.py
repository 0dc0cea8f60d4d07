"""'Er is plek' alerts: contact persons hear when a course they follow has room (DESIGN.md
rule 12).

- `subscribe` / `unsubscribe`: a contact person's subscriptions (booking.models.RoomAlert).
- `record_room(group_id)`: the booking services call it after the commit when seats came free
  in a group that had none left once its waiting list was served. It keeps one RoomNotice
  per group with the time; nothing about people.
- `send_room_alerts()`: the daily digest (`manage.py send_room_alerts`). Each subscription
  gets at most one e-mail a day, listing its groups that opened for booking or got a room
  notice since its last e-mail, and still have a seat free for anyone now. Nothing new, no
  e-mail.
- `announce_room(group, by)`: a coordinator tells the subscribers of a group at once; that
  e-mail counts as the day's e-mail of each subscription. A group is announced once a day.

E-mails are tasks that carry ids only (the subscription and the groups), like every mail of
booking/notifications.py; each is in the subscriber's language and carries an unsubscribe
link and the List-Unsubscribe headers of RFC 8058.
"""

import datetime
import logging
import uuid
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from booking import emails
from booking.errors import GroupFull, GroupNotBookable, InvalidRequest, InvalidState, NotAllowed
from booking.models import CourseGroup, CoursePage, Location, RoomAlert, RoomNotice, Session
from booking.models.alerts import MAX_MUNICIPALITY_LENGTH
from booking.models.organisations import SENDING_KINDS
from booking.roles import company_of, coordinates
from booking.selectors import availability, course_titles, translated_course_titles
from core import mail
from core.site_url import absolute_url

logger = logging.getLogger(__name__)

# Enough for every course, level and place someone follows; a bound on what one account adds.
MAX_ALERTS_PER_USER = 50
# An unsubscribed row answers its link again for this long, then it is deleted.
UNSUBSCRIBED_KEPT_DAYS = 30

ALREADY_ANNOUNCED = _(
    "You already announced the room in this group today. Subscribers get it once a day at most."
)


def _plain(text: str) -> str:
    """One line, white space collapsed, control characters dropped: what someone meant."""
    return " ".join("".join(char if char.isprintable() else " " for char in text or "").split())


def _same_place(first: str, second: str) -> bool:
    return bool(first and second) and _plain(first).casefold() == _plain(second).casefold()


def _start_of_day(now: datetime.datetime) -> datetime.datetime:
    """Midnight at the start of `now`'s day, in the site's time zone."""
    today = timezone.localdate(now)
    return timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))


# -- what can be followed ----------------------------------------------------------------------


def course_titles_by_key(keys) -> dict:
    """Titles of live courses by translation key: in the active language where there is a
    translation, else in the language of the course page."""
    keys = set(keys)
    titles = {}
    for key, title in (
        CoursePage.objects.live()
        .filter(translation_key__in=keys)
        .order_by("path")
        .values_list("translation_key", "title")
    ):
        titles.setdefault(key, title)
    return {**titles, **translated_course_titles(keys)}


def course_choices() -> list[tuple[str, str]]:
    """(translation key, title in the active language) of every live course, A to Z."""
    keys = CoursePage.objects.live().order_by().values_list("translation_key", flat=True)
    titles = course_titles_by_key(keys)
    return sorted(
        ((str(key), title) for key, title in titles.items()), key=lambda c: c[1].casefold()
    )


def places_for(organisation) -> QuerySet:
    """Locations a subscription may name: library branches and neighbourhood buildings, and
    the organisation's own sites (courses on location)."""
    public = [Location.Kind.LIBRARY, Location.Kind.NEIGHBOURHOOD]
    return Location.objects.filter(Q(kind__in=public) | Q(organisation=organisation)).order_by(
        "city", "name", "pk"
    )


def course_key_of(course_id: int):
    """The translation key of a live course page, by page id (either language); None if
    there is no such course."""
    return (
        CoursePage.objects.live()
        .filter(pk=course_id)
        .values_list("translation_key", flat=True)
        .first()
    )


# -- subscribing ---------------------------------------------------------------------------------


def alerts_of(user) -> QuerySet:
    """The user's active subscriptions, oldest first."""
    return RoomAlert.objects.active().filter(user=user).select_related("location")


def subscribe(
    *,
    user,
    course_key,
    level: int | None = None,
    location: Location | None = None,
    municipality: str = "",
    language: str = "nl",
) -> tuple[RoomAlert, bool]:
    """Subscribe a contact person to alerts for a course, and maybe a level and a place.

    Returns (subscription, created): the same wish twice gives the first one back. Refusals
    are BookingErrors whose `argument` names the field (course_id, level, location_id,
    municipality), as the API calls them.
    """
    organisation = company_of(user)
    if organisation is None or organisation.kind not in SENDING_KINDS:
        raise NotAllowed(
            _("Only contact persons of an SW company or a referral partner can get these e-mails.")
        )
    try:
        course_key = uuid.UUID(str(course_key))
    except ValueError:
        course_key = None
    if (
        course_key is None
        or not CoursePage.objects.live().filter(translation_key=course_key).exists()
    ):
        raise InvalidRequest(_("There is no course with this number."), argument="course_id")
    if level is not None and (isinstance(level, bool) or level not in CourseGroup.Level.values):
        raise InvalidRequest(_("Choose level 1, 2 or 3, or no level."), argument="level")
    if location is not None and not places_for(organisation).filter(pk=location.pk).exists():
        raise InvalidRequest(_("There is no place with this number."), argument="location_id")
    municipality = _plain(municipality)
    if len(municipality) > MAX_MUNICIPALITY_LENGTH:
        raise InvalidRequest(
            _("Use at most %(count)s characters."),
            argument="municipality",
            count=MAX_MUNICIPALITY_LENGTH,
        )
    if location is not None and municipality:
        raise InvalidRequest(
            _("Choose a location or a municipality, not both."), argument="municipality"
        )
    if language not in dict(RoomAlert._meta.get_field("language").choices):
        language = RoomAlert._meta.get_field("language").default

    existing = alerts_of(user).filter(
        course_key=course_key,
        level=level,
        location=location,
        municipality__iexact=municipality,
    )
    if (alert := existing.first()) is not None:
        return alert, False
    if alerts_of(user).count() >= MAX_ALERTS_PER_USER:
        raise InvalidRequest(
            _("You have %(count)s alerts already. Stop one before you add another."),
            count=MAX_ALERTS_PER_USER,
        )
    alert = RoomAlert.objects.create(
        user=user,
        course_key=course_key,
        level=level,
        location=location,
        municipality=municipality,
        language=language,
    )
    return alert, True


def unsubscribe(alert: RoomAlert, *, now=None) -> RoomAlert:
    """Stop one subscription. Doing it again changes nothing."""
    if alert.unsubscribed_at is None:
        alert.unsubscribed_at = now or timezone.now()
        RoomAlert.objects.filter(pk=alert.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=alert.unsubscribed_at
        )
    return alert


def describe(alert: RoomAlert, titles: dict) -> str:
    """The subscription in words, in the active language: "Klik & Tik, level 1, in Gouda".

    `titles` are course titles by translation key (`course_titles_by_key`).
    """
    parts = [titles.get(alert.course_key) or gettext("a course that is no longer offered")]
    if alert.level:
        parts.append(gettext("level %(level)s") % {"level": alert.level})
    if alert.location_id:
        parts.append(gettext("at %(place)s") % {"place": str(alert.location)})
    elif alert.municipality:
        parts.append(gettext("in %(place)s") % {"place": alert.municipality})
    return ", ".join(parts)


# -- which groups have room ----------------------------------------------------------------------


def groups_with_room(*, now=None) -> QuerySet:
    """Open groups people can book now and that have not ended, with a seat free for anyone
    (held seats are not), each with `first_date`, `last_date`, `free_seats` and `room_at`
    (when seats last came free; None if never)."""
    now = now or timezone.now()
    return (
        CourseGroup.objects.upcoming(timezone.localdate(now))
        .filter(
            status=CourseGroup.Status.OPEN,
            booking_opens_at__lte=now,
            booking_closes_at__gt=now,
        )
        .with_occupancy()
        .filter(free_seats__gt=0)
        .annotate(room_at=F("room_notice__room_at"))
        .select_related("course", "location", "library")
    )


def matches(alert: RoomAlert, group: CourseGroup, organisation_id: int) -> bool:
    """Is `group` (with `course`, `location` and `library` loaded) what the subscription asks
    for, and may the subscriber's organisation book it?"""
    if group.course.translation_key != alert.course_key:
        return False
    if alert.level and group.level != alert.level:
        return False
    if alert.location_id and group.location_id != alert.location_id:
        return False
    if alert.municipality and not (
        _same_place(alert.municipality, group.location.city)
        or _same_place(alert.municipality, group.library.municipality)
    ):
        return False
    return not group.restricted_to_id or group.restricted_to_id == organisation_id


def _subscribers() -> QuerySet:
    """Active subscriptions of active contact persons of organisations that send learners."""
    return (
        RoomAlert.objects.active()
        .filter(
            user__is_active=True,
            user__membership__organisation__kind__in=SENDING_KINDS,
        )
        .annotate(organisation_id=F("user__membership__organisation_id"))
    )


def _is_new(group: CourseGroup, since: datetime.datetime, now: datetime.datetime) -> bool:
    """Did `group` open for booking, or get room, after `since`?"""
    opened = since < group.booking_opens_at <= now
    return opened or (group.room_at is not None and group.room_at > since)


# -- recording room ----------------------------------------------------------------------------


def record_room(group_id: int, *, now=None) -> bool:
    """Seats came free in a group after its waiting list was served: remember when, for the
    next digest. Called after the commit; a group without a free seat by now (someone took
    it) is left alone. Returns whether room was recorded."""
    group = CourseGroup.objects.filter(pk=group_id).first()
    if group is None or availability(group).free == 0:
        return False
    now = now or timezone.now()
    if not RoomNotice.objects.filter(group_id=group_id).update(room_at=now):
        try:
            with transaction.atomic():
                RoomNotice.objects.create(group_id=group_id, room_at=now)
        except IntegrityError:  # recorded by another request a moment ago
            RoomNotice.objects.filter(group_id=group_id).update(room_at=now)
    return True


# -- the daily digest ----------------------------------------------------------------------------


def send_room_alerts(*, now=None) -> int:
    """Queue today's digests: one e-mail per subscription that had none today and has new
    groups with room. Two runs on one day, even at the same moment, send one e-mail: a
    subscription is claimed (its `last_sent_at` moved on) before its mail is queued, after
    the commit. Returns the number of e-mails queued.

    Also deletes subscriptions unsubscribed more than UNSUBSCRIBED_KEPT_DAYS ago.
    """
    now = now or timezone.now()
    RoomAlert.objects.filter(
        unsubscribed_at__lt=now - datetime.timedelta(days=UNSUBSCRIBED_KEPT_DAYS)
    ).delete()
    start_of_day = _start_of_day(now)
    due = list(
        _subscribers().filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lt=start_of_day))
    )
    if not due:
        return 0
    since = min(alert.last_sent_at or alert.created_at for alert in due)
    groups = list(
        groups_with_room(now=now)
        .filter(course__translation_key__in={alert.course_key for alert in due})
        .filter(Q(booking_opens_at__gt=since) | Q(room_notice__room_at__gt=since))
        .order_by(F("first_date").asc(nulls_last=True), "pk")
    )
    queued = 0
    for alert in due:
        window_start = alert.last_sent_at or alert.created_at
        new = [
            group.pk
            for group in groups
            if _is_new(group, window_start, now) and matches(alert, group, alert.organisation_id)
        ]
        if new and _claim(alert, now):
            queued += 1
            transaction.on_commit(partial(room_alert_mail.enqueue, alert.pk, new))
    return queued


def _claim(alert: RoomAlert, now) -> bool:
    """Move the subscription's `last_sent_at` to `now`, unless another run did first."""
    return bool(
        RoomAlert.objects.filter(pk=alert.pk, last_sent_at=alert.last_sent_at).update(
            last_sent_at=now
        )
    )


# -- announcing room -----------------------------------------------------------------------------


def check_can_announce(group: CourseGroup, *, by, now=None) -> None:
    """May `by` e-mail the subscribers about `group` now? The group's coordinators may, for
    an open group people can book now that has a seat free for anyone, once a day."""
    if not coordinates(by, group):
        raise NotAllowed(_("Only the library's coordinators can do this."))
    now = now or timezone.now()
    if not groups_with_room(now=now).filter(pk=group.pk).exists():
        if (
            group.status == CourseGroup.Status.OPEN
            and group.booking_opens_at <= now < group.booking_closes_at
            and availability(group).free == 0
        ):
            raise GroupFull(_("This group has no free seat, so there is no room to announce."))
        raise GroupNotBookable(
            _("You can only announce room in an open group that people can book now.")
        )
    announced_at = (
        RoomNotice.objects.filter(group=group).values_list("announced_at", flat=True).first()
    )
    if announced_at is not None and announced_at >= _start_of_day(now):
        raise InvalidState(ALREADY_ANNOUNCED)


def subscribers_of(group: CourseGroup) -> list[RoomAlert]:
    """The active subscriptions that `group` (with course, location, library) matches."""
    alerts = _subscribers().filter(course_key=group.course.translation_key)
    return [alert for alert in alerts if matches(alert, group, alert.organisation_id)]


def announce_room(*, group: CourseGroup, by, now=None) -> int:
    """E-mail the subscribers of `group` now, without waiting for the digest; the e-mail
    counts as the day's e-mail of each subscription. Returns how many were told."""
    now = now or timezone.now()
    with transaction.atomic():
        group = CourseGroup.objects.select_related("course", "location", "library").get(pk=group.pk)
        check_can_announce(group, by=by, now=now)
        notice = _notice_of(group)
        # Two coordinators pressing the button at once: only one of them announces.
        claimed = (
            RoomNotice.objects.filter(pk=notice.pk)
            .filter(Q(announced_at__isnull=True) | Q(announced_at__lt=_start_of_day(now)))
            .update(announced_at=now)
        )
        if not claimed:
            raise InvalidState(ALREADY_ANNOUNCED)
        alerts = subscribers_of(group)
        RoomAlert.objects.filter(pk__in=[alert.pk for alert in alerts]).update(last_sent_at=now)
        for alert in alerts:
            transaction.on_commit(partial(room_alert_mail.enqueue, alert.pk, [group.pk]))
    return len(alerts)


def _notice_of(group: CourseGroup) -> RoomNotice:
    try:
        with transaction.atomic():
            return RoomNotice.objects.get_or_create(group=group)[0]
    except IntegrityError:  # made by another request a moment ago
        return RoomNotice.objects.get(group=group)


# -- the e-mail ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoomItem:
    """One group in an alert e-mail."""

    group: CourseGroup
    sessions: list[Session]
    free: int
    reserve_url: str


def room_alert_email(alert: RoomAlert, groups: list[CourseGroup]):
    """The e-mail about `groups` (each with `free_seats`, course, location, library and
    sessions loaded) for one subscription, in its language, with the unsubscribe headers."""
    language = alert.language
    with translation.override(language):
        course_title = (
            course_titles_by_key([alert.course_key]).get(alert.course_key)
            or (course_titles([groups[0].course])[groups[0].course_id])
        )
        unsubscribe_url = absolute_url(
            reverse("portal:alert_unsubscribe", kwargs={"token": alert.token})
        )
        items = [
            RoomItem(
                group=group,
                sessions=list(group.sessions.all()),
                free=group.free_seats,
                reserve_url=absolute_url(reverse("portal:reserve", kwargs={"group_id": group.pk})),
            )
            for group in groups
        ]
        context = {
            "course_title": course_title,
            "alert_text": describe(alert, {alert.course_key: course_title}),
            "items": items,
            "unsubscribe_url": unsubscribe_url,
            "alerts_url": absolute_url(reverse("portal:alerts")),
        }
    libraries = {group.library.email for group in groups}
    message = emails.compose(
        "room_alert",
        context,
        to=alert.user.email,
        language=language,
        # Answers reach the library when the groups are all of one library.
        reply_to=next(iter(libraries)) if len(libraries) == 1 else None,
    )
    email = emails.email_of(message)
    # RFC 2369 and RFC 8058: mail programs show an "unsubscribe" button that POSTs here.
    email.extra_headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    email.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return email


@task()
def room_alert_mail(alert_id, group_ids, attempt=1):
    """Tell one subscription about these groups, those that still have room when it is sent.
    Nothing is sent for a subscription stopped meanwhile, or when no group has room left."""
    alert = (
        RoomAlert.objects.active()
        .select_related("user")
        .filter(pk=alert_id, user__is_active=True)
        .first()
    )
    if alert is None or not alert.user.email:
        return False
    groups = list(
        groups_with_room()
        .filter(pk__in=list(group_ids))
        .prefetch_related(
            Prefetch("sessions", queryset=Session.objects.order_by("date", "starts_at"))
        )
        .order_by(F("first_date").asc(nulls_last=True), "pk")
    )
    if not groups:
        logger.info("Room alert %s: no group has room any more; nothing sent", alert_id)
        return False
    return mail.send(
        room_alert_email(alert, groups),
        again=room_alert_mail,
        args=[alert_id, list(group_ids)],
        attempt=attempt,
    )
