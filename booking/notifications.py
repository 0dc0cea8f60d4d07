"""E-mails to contact persons about their seats, sent after the booking has been saved.

Each is a task: services enqueue it with `transaction.on_commit`, passing primary keys, so the
mail reads what was committed and a booking never waits for a mail server. In production the
`db_worker` process sends them; a mail server that fails is logged and never undoes a booking.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from booking.models import Booking, CourseGroup, Seat

logger = logging.getLogger(__name__)


def _recipient(booking):
    """The contact person who booked, in their language; else the company's own address."""
    user = booking.booked_by
    if user is not None and user.email:
        membership = getattr(user, "membership", None)
        language = membership.language if membership else settings.LANGUAGE_CODE
        return user.email, language
    if booking.organisation.email:
        return booking.organisation.email, settings.LANGUAGE_CODE
    return None, None


def _send(template, booking, **context):
    email, language = _recipient(booking)
    if not email:
        logger.warning("Booking %s has nobody to tell about %s", booking.pk, template)
        return
    with translation.override(language):
        context = {"booking": booking, "group": booking.group, **context}
        subject = render_to_string(f"booking/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"booking/email/{template}.txt", context)
    try:
        send_mail(subject, body, None, [email])
    except Exception:
        # The booking is committed; the mail can be sent again by hand or by a retry.
        logger.exception("Could not send %s about booking %s", template, booking.pk)


def _bookings_with(seat_ids):
    """(booking, its seats among these) pairs, one per booking."""
    seats = Seat.objects.filter(pk__in=seat_ids).select_related(
        "booking__organisation",
        "booking__booked_by__membership",
        "booking__group__course",
        "booking__group__location",
        "booking__group__library",
    )
    bookings, changed = {}, {}
    for seat in seats:
        bookings.setdefault(seat.booking_id, seat.booking)
        changed.setdefault(seat.booking_id, []).append(seat)
    return [(booking, changed[pk]) for pk, booking in bookings.items()]


@task()
def reservation_made(booking_id):
    booking = Booking.objects.select_related(
        "organisation", "booked_by__membership", "group__course", "group__location"
    ).get(pk=booking_id)
    seats = list(booking.seats.all())
    _send(
        "reservation",
        booking,
        confirmed=[seat for seat in seats if seat.status == Seat.Status.CONFIRMED],
        waitlisted=[seat for seat in seats if seat.status == Seat.Status.WAITLISTED],
    )


@task()
def seats_promoted(seat_ids):
    for booking, seats in _bookings_with(seat_ids):
        _send("promoted", booking, seats=seats)


@task()
def seats_cancelled(seat_ids, by_library):
    for booking, seats in _bookings_with(seat_ids):
        _send("cancelled", booking, seats=seats, by_library=by_library)


@task()
def group_cancelled(group_id, seat_ids):
    group = CourseGroup.objects.select_related("library").get(pk=group_id)
    for booking, seats in _bookings_with(seat_ids):
        _send("group_cancelled", booking, seats=seats, library=group.library)
