"""Coordinators and partners talk through the platform (issue 13, item 5).

Messages to a group's contact persons:

- `send_group_message(group=, by=, subject=, body=)`: a coordinator of the group's library
  writes a short message ("Andere zaal: lokaal 2"). It is kept (booking.models.GroupMessage)
  and, after the commit, e-mailed once to every contact person with confirmed or waiting
  seats in the group, in their language, with the library as the reply-to address. It
  changes no seat, so it takes no group lock.
- `messages_for_timeline(group)`: what the group's history timeline shows of them.

The library hears about bookings. Each coordinator chooses (CoordinatorNotificationSetting)
how they hear about new bookings, cancellations and waiting seats in their library's groups:

- at once: the booking services call `booking_changed(group, seat_ids, kind)` after the
  commit; it queues one task per event, which e-mails each such coordinator;
- daily: `send_library_digests()` (`manage.py send_library_digests`) e-mails each coordinator
  once what happened since their last digest, read from the seats' history;
- never.

These e-mails count seats per group and organisation ("Promen: 2 seats confirmed, 1 on the
waiting list") and name no participant. A coordinator is not told about what they did
themselves. Every task carries ids (and, for a digest, its time window) only.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks import task
from wagtail.admin.utils import get_user_display_name

from booking import emails, notifications
from booking.errors import InvalidRequest, InvalidState
from booking.models import (
    Action,
    Booking,
    CoordinatorNotificationSetting,
    CourseGroup,
    GroupMessage,
    Organisation,
    Seat,
)
from booking.models.messages import MAX_BODY_LENGTH, MAX_SUBJECT_LENGTH
from booking.policies import check_coordinates, check_group_active
from booking.selectors import course_titles
from core import mail
from core.site_url import absolute_url

logger = logging.getLogger(__name__)

Frequency = CoordinatorNotificationSetting.Frequency
LIBRARY = Organisation.Kind.LIBRARY

# Which libraries have a coordinator who wants to hear at once is asked after every booking, so
# the answer is kept in the cache. A coordinator's new choice clears it; a coordinator who
# joins, leaves or loses their e-mail address is noticed within AT_ONCE_CACHE_SECONDS.
AT_ONCE_CACHE_KEY = "library-mail:at-once"
AT_ONCE_CACHE_SECONDS = 300

# The kinds of event `booking_changed` is told about, and the seat history actions of each.
BOOKED = "booked"
CANCELLED = "cancelled"
EVENT_ACTIONS = {
    BOOKED: (Action.RESERVED, Action.WAITLISTED),
    CANCELLED: (Action.CANCELLED,),
}
DIGEST_ACTIONS = (Action.RESERVED, Action.WAITLISTED, Action.CANCELLED)
# A digest covers history up to a few minutes ago: a booking's history record carries the
# time it was written, which is a moment before its transaction commits, and a record that
# is not committed yet must not fall between two digests.
DIGEST_MARGIN = datetime.timedelta(minutes=5)
# A coordinator's first digest looks back one day.
FIRST_DIGEST_PERIOD = datetime.timedelta(days=1)


# -- messages to contact persons ----------------------------------------------------------------


def check_can_send_message(group: CourseGroup, *, by) -> None:
    """A coordinator of the group's library writes to a group that still runs (or will), in
    which someone has a seat to read it."""
    check_coordinates(group, by=by)
    check_group_active(group)
    if not message_recipients(group):
        raise InvalidState(
            _("Nobody has a seat in this group yet, so there is nobody to send a message to.")
        )


def _one_line(text: str) -> str:
    """White space collapsed, control characters dropped: a subject is one line."""
    return " ".join("".join(char if char.isprintable() else " " for char in text or "").split())


def _plain_text(text: str) -> str:
    """Line breaks kept (as \\n), other control characters dropped, no white space at the ends
    of lines or of the text."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = ["".join(char for char in line if char.isprintable()).rstrip() for line in lines]
    return "\n".join(kept).strip()


def message_recipients(group: CourseGroup) -> list[Booking]:
    """One booking per contact person with confirmed or waiting seats in `group`, in booking
    order: the contact person who booked, or the organisation's address (as for every other
    e-mail about a booking). Seats the library booked for its own learners have no contact
    person to tell."""
    bookings = (
        notifications._bookings()
        .filter(group=group, seats__status__in=[Seat.Status.CONFIRMED, Seat.Status.WAITLISTED])
        .exclude(organisation_id=group.library_id)
        .distinct()
        .order_by("created_at", "pk")
    )
    seen = set()
    chosen = []
    for booking in bookings:
        address, _language = notifications._recipient(booking)
        if address and address.casefold() not in seen:
            seen.add(address.casefold())
            chosen.append(booking)
    return chosen


def send_group_message(*, group: CourseGroup, by, subject: str, body: str) -> GroupMessage:
    """Keep the message and e-mail it, after the commit, to each contact person of the group.

    Refused (a BookingError, nothing kept or sent) for anyone but a coordinator of the group's
    library, for a cancelled or completed group, for an empty or too long subject or text, and
    when nobody has a seat in the group to read it.
    """
    check_can_send_message(group, by=by)
    subject = _one_line(subject)
    body = _plain_text(body)
    if not subject:
        raise InvalidRequest(_("Write a subject."), argument="subject")
    if len(subject) > MAX_SUBJECT_LENGTH:
        raise InvalidRequest(
            _("Make the subject shorter: at most %(count)s characters."),
            argument="subject",
            count=MAX_SUBJECT_LENGTH,
        )
    if not body:
        raise InvalidRequest(_("Write a message."), argument="body")
    if len(body) > MAX_BODY_LENGTH:
        raise InvalidRequest(
            _("Make the message shorter: at most %(count)s characters."),
            argument="body",
            count=MAX_BODY_LENGTH,
        )
    with transaction.atomic():
        message = GroupMessage.objects.create(group=group, sent_by=by, subject=subject, body=body)
        transaction.on_commit(partial(group_message_mail.enqueue, message.pk))
    return message


@task()
def group_message_mail(message_id, booking_ids=None, attempt=1):
    """E-mail a message to the group's contact persons (or those of `booking_ids`, when a mail
    is tried again): the ones with seats in the group when it is sent. Returns how many."""
    message = (
        GroupMessage.objects.select_related("group__library", "sent_by")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return 0
    sent = 0
    for booking in message_recipients(message.group):
        if booking_ids is not None and booking.pk not in booking_ids:
            continue
        notifications._notify(
            "group_message",
            booking,
            again=group_message_mail,
            args=[message_id, [booking.pk]],
            attempt=attempt,
            message=message,
            sender=_sender_name(message.sent_by),
        )
        sent += 1
    return sent


def _sender_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class TimelineMessage:
    """A message as the group's timeline shows it."""

    when: datetime.datetime
    who: str
    subject: str
    text: str


def messages_for_timeline(group: CourseGroup) -> list[TimelineMessage]:
    """The messages sent to the group's contact persons, newest first (one query)."""
    messages = GroupMessage.objects.filter(group=group).select_related("sent_by")
    return [
        TimelineMessage(
            when=message.created_at,
            who=get_user_display_name(message.sent_by) if message.sent_by else "",
            subject=message.subject,
            text=message.body,
        )
        for message in messages
    ]


# -- the coordinators' setting -----------------------------------------------------------------


def frequency_of(user) -> str:
    """How `user` hears about bookings: their choice, or a daily digest."""
    setting = CoordinatorNotificationSetting.objects.filter(user=user).first()
    return setting.frequency if setting else Frequency.DAILY


def set_frequency(user, frequency: str) -> CoordinatorNotificationSetting:
    """Keep a coordinator's choice. Choosing the digest again starts it from now, so the first
    digest after "never" or "at once" does not repeat what they had heard or did not want."""
    if frequency not in Frequency.values:
        raise InvalidRequest(_("Choose one of the options."), argument="frequency")
    setting, created = CoordinatorNotificationSetting.objects.get_or_create(
        user=user, defaults={"frequency": frequency}
    )
    if not created and setting.frequency != frequency:
        setting.frequency = frequency
        if frequency == Frequency.DAILY:
            setting.last_digest_at = timezone.now() - DIGEST_MARGIN
        setting.save(update_fields=["frequency", "last_digest_at"])
    transaction.on_commit(partial(cache.delete, AT_ONCE_CACHE_KEY))
    return setting


def libraries_told_at_once() -> frozenset[int]:
    """The libraries with at least one coordinator who chose to hear at once."""
    libraries = cache.get(AT_ONCE_CACHE_KEY)
    if libraries is None:
        libraries = frozenset(
            coordinators(None, Frequency.AT_ONCE)
            .order_by()
            .values_list("membership__organisation_id", flat=True)
        )
        cache.set(AT_ONCE_CACHE_KEY, libraries, AT_ONCE_CACHE_SECONDS)
    return libraries


def coordinators(library_id: int | None, frequency: str) -> QuerySet:
    """Active coordinators, with an e-mail address, of a library (of every library for None),
    who chose `frequency` (no choice means the daily digest)."""
    chosen = Q(library_notification_setting__frequency=frequency)
    if frequency == Frequency.DAILY:
        chosen |= Q(library_notification_setting__isnull=True)
    users = (
        get_user_model()
        .objects.filter(chosen, is_active=True, membership__organisation__kind=LIBRARY)
        .exclude(email="")
        .select_related("membership")
        .order_by("pk")
    )
    if library_id is not None:
        users = users.filter(membership__organisation_id=library_id)
    return users


# -- what changed --------------------------------------------------------------------------------


@dataclass
class OrganisationChanges:
    name: str
    confirmed: int = 0
    waitlisted: int = 0
    cancelled: int = 0

    @property
    def text(self) -> str:
        """E.g. "2 seats confirmed, 1 on the waiting list", in the active language."""
        parts = []
        if self.confirmed:
            parts.append(
                ngettext("%(count)s seat confirmed", "%(count)s seats confirmed", self.confirmed)
                % {"count": self.confirmed}
            )
        if self.waitlisted:
            parts.append(
                ngettext(
                    "%(count)s seat on the waiting list",
                    "%(count)s seats on the waiting list",
                    self.waitlisted,
                )
                % {"count": self.waitlisted}
            )
        if self.cancelled:
            parts.append(
                ngettext("%(count)s seat cancelled", "%(count)s seats cancelled", self.cancelled)
                % {"count": self.cancelled}
            )
        return ", ".join(parts)


@dataclass
class GroupChanges:
    """What changed in one group, per organisation (by name)."""

    group: CourseGroup
    course_title: str = ""
    url: str = ""
    organisations: list[OrganisationChanges] = field(default_factory=list)


_COUNTED = {
    Action.RESERVED: "confirmed",
    Action.WAITLISTED: "waitlisted",
    Action.CANCELLED: "cancelled",
}


def _admin_url(name: str, *args) -> str:
    """An address in the coordinators' admin, for an e-mail; "" while there is none."""
    try:
        return absolute_url(reverse(name, args=args))
    except NoReverseMatch:
        return ""


def changes_of(records: QuerySet) -> list[GroupChanges]:
    """Seat history records counted per group and organisation, in the active language: the
    groups by first session, the organisations by name. A seat counts once per action."""
    rows = (
        records.filter(action__in=list(_COUNTED))
        .values("booking__group_id", "booking__organisation_id", "action")
        .annotate(seats=Count("id", distinct=True))
        .order_by()
    )
    counts: dict[int, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        per_organisation = counts[row["booking__group_id"]][row["booking__organisation_id"]]
        per_organisation[_COUNTED[row["action"]]] = row["seats"]
    if not counts:
        return []
    names = dict(
        Organisation.objects.filter(pk__in={o for g in counts.values() for o in g}).values_list(
            "pk", "name"
        )
    )
    groups = list(
        CourseGroup.objects.with_dates()
        .filter(pk__in=list(counts))
        .select_related("course", "location", "library")
        .order_by("first_date", "pk")
    )
    titles = course_titles(group.course for group in groups)
    changes = []
    for group in groups:
        organisations = sorted(
            (
                OrganisationChanges(name=names.get(organisation_id, ""), **numbers)
                for organisation_id, numbers in counts[group.pk].items()
            ),
            key=lambda each: each.name.casefold(),
        )
        changes.append(
            GroupChanges(
                group=group,
                course_title=titles[group.course_id],
                url=_admin_url("course_groups:inspect", group.pk),
                organisations=organisations,
            )
        )
    return changes


def _library_email(template, user, records, *, again, args, attempt, **context) -> bool:
    """E-mail `user` (a coordinator), in their language, what `records` (seat history) changed;
    nothing when they changed nothing. Returns whether a mail went out."""
    language = user.membership.language
    with translation.override(language):
        changes = changes_of(records)
    if not changes:
        return False
    context = {
        "changes": changes,
        "settings_url": _admin_url("booking_messages:settings"),
        **context,
    }
    message = emails.compose(template, context, to=user.email, language=language)
    return mail.send(emails.email_of(message), again=again, args=args, attempt=attempt)


# -- at once -------------------------------------------------------------------------------------


def booking_changed(group: CourseGroup, seat_ids, kind: str = BOOKED) -> bool:
    """Tell the library at once about seats booked (confirmed or waiting) or cancelled.

    The booking services call it after the commit with the seats of one reservation or one
    cancellation, `kind` BOOKED or CANCELLED. It queues one task, only when the group's
    library has a coordinator who wants to hear at once; returns whether it did. It runs
    after every reservation, so when nobody does it costs a cache read, not a query.
    """
    if kind not in EVENT_ACTIONS:
        raise ValueError(f"Unknown kind of booking change: {kind!r}")
    seat_ids = [int(seat_id) for seat_id in seat_ids]
    if not seat_ids:
        return False
    try:
        if group.library_id not in libraries_told_at_once():
            return False
        library_change_mail.enqueue(group.pk, seat_ids, kind)
    except Exception:
        # The booking is committed; the library missing one e-mail must not turn the
        # contact person's answer into an error.
        logger.exception("Could not queue the library's e-mail about group %s", group.pk)
        return False
    return True


@task()
def library_change_mail(group_id, seat_ids, kind, user_ids=None, attempt=1):
    """One e-mail to each coordinator who wants to hear at once (or those of `user_ids`, when
    a mail is tried again) about these seats. Returns how many were sent."""
    group = CourseGroup.objects.select_related("library").filter(pk=group_id).first()
    if group is None:
        return 0
    records = Seat.history.filter(
        id__in=list(seat_ids), action__in=EVENT_ACTIONS[kind], booking__group_id=group_id
    )
    recipients = coordinators(group.library_id, Frequency.AT_ONCE)
    if user_ids is not None:
        recipients = recipients.filter(pk__in=list(user_ids))
    sent = 0
    for user in recipients:
        sent += _library_email(
            "library_booking_changed",
            user,
            records.exclude(history_user_id=user.pk),
            again=library_change_mail,
            args=[group_id, list(seat_ids), kind, [user.pk]],
            attempt=attempt,
            kind=kind,
            library=group.library,
        )
    return sent


# -- daily ---------------------------------------------------------------------------------------


def _digest_records(library_id: int, since, until) -> QuerySet:
    return Seat.history.filter(
        booking__group__library_id=library_id,
        action__in=DIGEST_ACTIONS,
        history_date__gt=since,
        history_date__lte=until,
    )


def _claim_digest(setting: CoordinatorNotificationSetting, until) -> bool:
    """Move the coordinator's digest time on to `until`, unless another run did so first."""
    rows = CoordinatorNotificationSetting.objects.filter(pk=setting.pk)
    if setting.last_digest_at is None:
        rows = rows.filter(last_digest_at__isnull=True)
    else:
        rows = rows.filter(last_digest_at=setting.last_digest_at)
    return bool(rows.update(last_digest_at=until))


def send_library_digests(*, now=None) -> int:
    """Queue one digest per coordinator who wants one and to whom something happened since
    their last digest. Their digest time moves on either way, before the mail is queued after
    the commit, so two runs at the same moment tell each change once. Returns the number of
    e-mails queued."""
    now = now or timezone.now()
    until = now - DIGEST_MARGIN
    queued = 0
    for user in coordinators(None, Frequency.DAILY):
        setting, _created = CoordinatorNotificationSetting.objects.get_or_create(user=user)
        since = setting.last_digest_at or until - FIRST_DIGEST_PERIOD
        if since >= until:
            continue
        with transaction.atomic():
            if not _claim_digest(setting, until):
                continue
            library_id = user.membership.organisation_id
            records = _digest_records(library_id, since, until).exclude(history_user_id=user.pk)
            if records.exists():
                transaction.on_commit(
                    partial(
                        library_digest_mail.enqueue, user.pk, since.isoformat(), until.isoformat()
                    )
                )
                queued += 1
    return queued


@task()
def library_digest_mail(user_id, since, until, attempt=1):
    """A coordinator's digest of the seats booked, waiting and cancelled in their library's
    groups between `since` and `until` (ISO times). Nothing is sent to someone who stopped
    being a coordinator or chose another setting meanwhile."""
    user = (
        get_user_model()
        .objects.filter(pk=user_id, is_active=True, membership__organisation__kind=LIBRARY)
        .exclude(email="")
        .select_related("membership__organisation")
        .first()
    )
    if user is None or frequency_of(user) != Frequency.DAILY:
        return False
    library = user.membership.organisation
    start = datetime.datetime.fromisoformat(since)
    end = datetime.datetime.fromisoformat(until)
    return _library_email(
        "library_digest",
        user,
        _digest_records(library.pk, start, end).exclude(history_user_id=user.pk),
        again=library_digest_mail,
        args=[user_id, since, until],
        attempt=attempt,
        library=library,
        since=timezone.localtime(start),
        until=timezone.localtime(end),
    )


LATEST_MESSAGES = 10


def group_messages_for(group: CourseGroup) -> list[GroupMessage]:
    """The library's latest messages about a group, newest first, for its contact persons'
    booking page."""
    return list(GroupMessage.objects.filter(group=group)[:LATEST_MESSAGES])
