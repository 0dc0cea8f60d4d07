"""E-mails to contact persons about their seats, sent after the booking has been saved.

Each is a task: services enqueue it with `transaction.on_commit`, passing primary keys, so the
mail reads what was committed and a booking never waits for a mail server. In production the
`db_worker` process sends them; `core.mail.send` tries a failing mail server again later by
queueing the same task with the ids of just that mail (`attempt` counts), and never undoes a
booking. Task arguments are ids only: a mail's body holds participants' first names, which
must not outlive retention in the queue (`forget_groups`).

Every mail is in the contact person's language, has a plain-text and an HTML part, and carries
an .ics file whenever confirmed seats are involved (cancelled ones included, so calendar apps
drop the sessions).
"""

import datetime
import inspect
import logging
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.text import slugify
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from booking.calendar import booking_calendar
from booking.emails import ICS_MIMETYPE, compose, email_of, portal_url
from booking.models import Action, Booking, CourseGroup, Seat, SentReminder, Session
from booking.selectors import course_titles, waitlist_positions
from core import mail

logger = logging.getLogger(__name__)

# Groups that run: a reminder for a draft or finished group would send people to nothing.
RUNNING = (CourseGroup.Status.OPEN, CourseGroup.Status.CLOSED)


def _recipient(booking):
    """(address, language) of whom to tell about a booking, or (None, None).

    The contact person who booked, in their language; when someone else booked for the
    company (a coordinator, an administrator), the company's own address.
    """
    user = booking.booked_by
    membership = getattr(user, "membership", None) if user is not None else None
    if (
        user is not None
        and user.email
        and membership is not None
        and membership.organisation_id == booking.organisation_id
    ):
        return user.email, membership.language
    if booking.organisation.email:
        return booking.organisation.email, settings.LANGUAGE_CODE
    return None, None


def _bookings():
    return Booking.objects.select_related(
        "organisation",
        "booked_by__membership",
        "group__course",
        "group__location",
        "group__library",
    ).prefetch_related(
        Prefetch("group__sessions", queryset=Session.objects.order_by("date", "starts_at"))
    )


def _bookings_with(seat_ids):
    """(booking, its seats among these) pairs, one per booking, in booking order."""
    changed = {}
    for seat in Seat.objects.filter(pk__in=seat_ids).order_by("pk"):
        changed.setdefault(seat.booking_id, []).append(seat)
    bookings = _bookings().filter(pk__in=list(changed)).order_by("pk")
    return [(booking, changed[booking.pk]) for booking in bookings]


def _ever_confirmed(seat_ids) -> set[int]:
    """Those of these seats that were confirmed at some time, so have calendar entries."""
    return set(
        Seat.history.filter(id__in=list(seat_ids), status=Seat.Status.CONFIRMED)
        .order_by()
        .values_list("id", flat=True)
    )


def _pks(objects) -> list[int]:
    return [obj.pk for obj in objects]


def _split(seats):
    confirmed = [seat for seat in seats if seat.status == Seat.Status.CONFIRMED]
    waitlisted = [seat for seat in seats if seat.status == Seat.Status.WAITLISTED]
    return confirmed, waitlisted


def _notify(template, booking, *, again, args, attempt, calendar=None, **context):
    """Tell the booking's contact person, in their language.

    `again(*args)` is the task that builds just this mail again, should the mail server fail.
    `calendar`: None for no .ics, else the keyword arguments of `booking_calendar`.
    """
    to, language = _recipient(booking)
    if not to:
        logger.warning("Booking %s has nobody to tell about %s", booking.pk, template)
        return
    group = booking.group
    # Amsterdam wall-clock time, whatever time zone the worker happens to have active.
    deadline = timezone.make_naive(group.cancellation_deadline, ZoneInfo(settings.TIME_ZONE))
    can_still_cancel = group.cancellation_deadline > timezone.now()
    with translation.override(language):
        title = course_titles([group.course])[group.course_id]
        context = {
            "booking": booking,
            "group": group,
            "course_title": title,
            "location": group.location,
            "library": group.library,
            "sessions": list(group.sessions.all()),
            "portal_url": portal_url(booking),
            "cancel_before": deadline if can_still_cancel else None,
            "calendar_attached": calendar is not None,
            **context,
        }
        attachments = []
        if calendar is not None:
            ics = booking_calendar(booking, **calendar)
            attachments.append((f"{slugify(title) or 'leerplein'}.ics", ics, ICS_MIMETYPE))
    message = compose(
        template,
        context,
        to=to,
        language=language,
        attachments=attachments,
        reply_to=group.library.email or None,
    )
    mail.send(email_of(message), again=again, args=args, attempt=attempt)


# -- seats taken, freed and cancelled -------------------------------------------------------


@task()
def reservation_made(booking_id, attempt=1):
    """One mail per reservation: what is confirmed, what waits and in which place."""
    booking = _bookings().get(pk=booking_id)
    confirmed, waitlisted = _split(booking.seats.active())
    if not (confirmed or waitlisted):
        return  # cancelled again before this mail went out; that mail has been sent
    if waitlisted:
        positions = waitlist_positions([booking.group_id])
        for seat in waitlisted:
            seat.position = positions.get(seat.pk)
    _notify(
        "reservation",
        booking,
        again=reservation_made,
        args=[booking_id],
        attempt=attempt,
        confirmed=confirmed,
        waitlisted=waitlisted,
        calendar={"seats": confirmed} if confirmed else None,
    )


def _tell_confirmed(template, seat_ids, *, again, attempt):
    """One mail per booking about its seats that are confirmed now, with a calendar file."""
    for booking, seats in _bookings_with(seat_ids):
        seats = [seat for seat in seats if seat.status == Seat.Status.CONFIRMED]
        if seats:
            _notify(
                template,
                booking,
                again=again,
                args=[_pks(seats)],
                attempt=attempt,
                seats=seats,
                calendar={},
            )


@task()
def seats_promoted(seat_ids, attempt=1):
    _tell_confirmed("promoted", seat_ids, again=seats_promoted, attempt=attempt)


@task()
def seats_moved_to_new_group(seat_ids, attempt=1):
    """Waiting seats the library moved into a new group it opened for them: one mail per
    booking, with the new dates."""
    _tell_confirmed("moved_to_new_group", seat_ids, again=seats_moved_to_new_group, attempt=attempt)


@task()
def seats_cancelled(seat_ids, by_library, attempt=1):
    """Cancelled by the contact person, or by the library (`by_library`): worded for each.

    The .ics cancels the sessions only when the company has no confirmed seat left in the
    group; otherwise its calendar entries are still right.
    """
    had_entries = _ever_confirmed(seat_ids)
    for booking, seats in _bookings_with(seat_ids):
        still_confirmed = list(
            Seat.objects.confirmed().filter(
                booking__group_id=booking.group_id,
                booking__organisation_id=booking.organisation_id,
            )
        )
        calendar = None
        if not still_confirmed and any(seat.pk in had_entries for seat in seats):
            calendar = {"seats": [], "cancelled": True}
        _notify(
            "cancelled",
            booking,
            again=seats_cancelled,
            args=[_pks(seats), by_library],
            attempt=attempt,
            seats=seats,
            by_library=by_library,
            course_finished=booking.group.status == CourseGroup.Status.COMPLETED,
            remaining=[seat for seat in still_confirmed if seat.booking_id == booking.pk],
            calendar=calendar,
        )


@task()
def group_cancelled(group_id, seat_ids, attempt=1):
    """The library cancelled the group: every booking with seats in it hears why."""
    reason = (
        CourseGroup.history.filter(id=group_id, action=Action.GROUP_CANCELLED)
        .order_by("-history_date", "-history_id")
        .values_list("history_change_reason", flat=True)
        .first()
    )
    had_entries = _ever_confirmed(seat_ids)
    for booking, seats in _bookings_with(seat_ids):
        calendar = None
        if any(seat.pk in had_entries for seat in seats):
            calendar = {"seats": [], "cancelled": True}
        _notify(
            "group_cancelled",
            booking,
            again=group_cancelled,
            args=[group_id, _pks(seats)],
            attempt=attempt,
            seats=seats,
            reason=reason or "",
            calendar=calendar,
        )


@task()
def sessions_changed(group_id, removed_session_ids=(), booking_ids=None, attempt=1):
    """The library moved, added or removed sessions of a group: tell every booking with
    confirmed or waitlisted seats (or those of `booking_ids`), with the new sessions and the
    ones that are gone."""
    removed = sorted(
        (
            record.instance
            for record in Session.history.filter(id__in=list(removed_session_ids), history_type="-")
        ),
        key=lambda session: (session.date, session.starts_at),
    )
    bookings = (
        _bookings()
        .filter(
            group_id=group_id, seats__status__in=[Seat.Status.CONFIRMED, Seat.Status.WAITLISTED]
        )
        .exclude(group__status=CourseGroup.Status.CANCELLED)
        .distinct()
        .order_by("pk")
    )
    if booking_ids is not None:
        bookings = bookings.filter(pk__in=booking_ids)
    for booking in bookings:
        confirmed, waitlisted = _split(booking.seats.active())
        _notify(
            "sessions_changed",
            booking,
            again=sessions_changed,
            args=[group_id, list(removed_session_ids), [booking.pk]],
            attempt=attempt,
            confirmed=confirmed,
            waitlisted=waitlisted,
            removed_sessions=removed,
            calendar={"seats": confirmed, "removed_sessions": removed} if confirmed else None,
        )


# -- reminders -----------------------------------------------------------------------------


@task()
def booking_reminder(booking_id, seat_ids, attempt=1):
    booking = _bookings().get(pk=booking_id)
    seats = list(booking.seats.confirmed().filter(pk__in=seat_ids))
    if seats:
        _notify(
            "reminder",
            booking,
            again=booking_reminder,
            args=[booking_id, list(seat_ids)],
            attempt=attempt,
            seats=seats,
            calendar={},
        )


def send_reminders(*, today: datetime.date | None = None, days: int | None = None):
    """Remind contact persons of the confirmed seats of groups that start in the next `days`
    days (REMINDER_DAYS_BEFORE; today included), one mail per booking.

    A seat is reminded once, even when two runs overlap: its SentReminder row is created
    before the mail is queued (after the commit), and a second run's row is refused by the
    database. Returns (mails queued, seats in them).
    """
    today = today or timezone.localdate()
    days = settings.REMINDER_DAYS_BEFORE if days is None else days
    starting = (
        CourseGroup.objects.with_dates()
        .filter(
            status__in=RUNNING,
            first_date__gte=today,
            first_date__lte=today + datetime.timedelta(days=days),
        )
        .values("pk")
    )
    due = {}
    seats = (
        Seat.objects.confirmed()
        .filter(booking__group__in=starting, sent_reminder__isnull=True)
        .order_by("booking_id", "pk")
        .values_list("booking_id", "pk")
    )
    for booking_id, seat_id in seats:
        due.setdefault(booking_id, []).append(seat_id)
    mails = reminded = 0
    for booking_id, seat_ids in due.items():
        with transaction.atomic():
            claimed = []
            for seat_id in seat_ids:
                try:
                    with transaction.atomic():
                        SentReminder.objects.create(seat_id=seat_id)
                except IntegrityError:
                    continue  # another run reminded this seat a moment ago
                claimed.append(seat_id)
            if claimed:
                transaction.on_commit(partial(booking_reminder.enqueue, booking_id, claimed))
        if claimed:
            mails += 1
            reminded += len(claimed)
    return mails, reminded


# -- retention -----------------------------------------------------------------------------

# Before the mail tasks took ids, a failing send queued the whole message (first names and
# all) as the arguments of this task; such rows are removed whatever they are about.
LEGACY_DELIVER = "booking.emails.deliver"


def _refers_to(row, *, groups, bookings, seats) -> bool:
    """Whether a queued notification's ids point into these groups, bookings or seats."""
    func = globals().get(row.task_path.removeprefix(f"{__name__}."))
    if func is None or not hasattr(func, "func"):
        return False
    args_kwargs = row.args_kwargs or {}
    try:
        given = (
            inspect.signature(func.func)
            .bind(*args_kwargs.get("args", ()), **args_kwargs.get("kwargs", {}))
            .arguments
        )
    except TypeError:
        return False
    return (
        given.get("group_id") in groups
        or given.get("booking_id") in bookings
        or not seats.isdisjoint(given.get("seat_ids") or ())
    )


def forget_groups(group_ids) -> int:
    """Delete the task queue's rows about these groups: the mails queued, sent or failed for
    their bookings and seats, with their arguments, results and tracebacks.

    Run with `remove_participant_details`, so the queue keeps nothing about participants
    whose details are gone. A row a worker is running now is left to finish. Returns the
    number of rows deleted.
    """
    groups = set(group_ids)
    bookings = set(Booking.objects.filter(group_id__in=groups).values_list("pk", flat=True))
    seats = set(Seat.objects.filter(booking__group_id__in=groups).values_list("pk", flat=True))
    queue = DBTaskResult.objects.exclude(status=TaskResultStatus.RUNNING)
    doomed = [
        row.pk
        for row in queue.filter(task_path__startswith=f"{__name__}.").only(
            "pk", "task_path", "args_kwargs"
        )
        if _refers_to(row, groups=groups, bookings=bookings, seats=seats)
    ]
    deleted, _ = DBTaskResult.objects.filter(pk__in=doomed).delete()
    legacy, _ = queue.filter(task_path=LEGACY_DELIVER).delete()
    return deleted + legacy
