"""Checks of the cluster's database after a fault, run inside the cluster's Django.

The fault tests (tests/cluster/test_faults.py) run these through `manage.py shell` with the
environment of `cluster.py env`, so they read the cluster's own PostgreSQL with the settings
its app nodes use; each function prints one line of JSON for the test to read. Nothing here
changes a booking.

`slow_mail` is a task for the worker-kill test: it sends one mail and then takes its time,
so a worker can be killed while the task is in hand, after the mail went out.
"""

import json
import time

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db.models import F, OuterRef, Subquery
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from wagtail.models import APIToken

from booking.models import Booking, CourseGroup, IdempotencyKey, Membership, Organisation, Seat
from booking.selectors import course_titles
from core import mail
from core.models import WorkerHeartbeat

FAULT_MAIL_TO = "fault-test@leerplein.test"
FAULT_MAIL_SUBJECT = "Leerplein cluster fault test {marker}"


def _print(value):
    print(json.dumps(value, default=str))


def make_contacts(run: str, count: int = 3):
    """New contact persons of the demo's SW companies for one run of the fault tests, each
    with an API token. Mail to their own addresses can only be about that run's bookings,
    whoever else books at the same time."""
    companies = Organisation.objects.filter(
        kind=Organisation.Kind.SW_COMPANY, memberships__isnull=False
    ).distinct()
    people = {}
    for number, company in enumerate(companies.order_by("pk")[:count], start=1):
        username = f"fault-{run}-{number}"
        user = get_user_model().objects.create_user(
            username=username, email=f"{username}@leerplein.test", password=None
        )
        Membership.objects.create(user=user, organisation=company, language="nl")
        people[username] = {
            "email": user.email,
            "token": APIToken.create_token(user=user, name="cluster fault test")[1],
        }
    _print(people)


def seats_and_history() -> dict:
    """Every seat's status equals its latest history record's; every seat has one."""
    latest = Seat.history.filter(id=OuterRef("pk")).order_by("-history_date", "-history_id")
    seats = Seat.objects.annotate(latest_status=Subquery(latest.values("status")[:1]))
    without = list(seats.filter(latest_status__isnull=True).values_list("pk", flat=True))
    disagreeing = list(
        seats.filter(latest_status__isnull=False)
        .exclude(latest_status=F("status"))
        .values("pk", "status", "latest_status")
    )
    return {
        "seats": Seat.objects.count(),
        "seats_without_history": without[:20],
        "seats_disagreeing_with_history": disagreeing[:20],
        "problems": len(without) + len(disagreeing),
    }


def capacity() -> dict:
    """No group has more confirmed seats than its capacity, and nobody waits while an open
    group has a free seat (a freed seat goes to the waiting list at once)."""
    groups = CourseGroup.objects.with_occupancy()
    over = list(
        groups.filter(confirmed_seats__gt=F("capacity")).values("pk", "capacity", "confirmed_seats")
    )
    waiting = list(
        groups.filter(
            status=CourseGroup.Status.OPEN, waitlisted_seats__gt=0, free_seats__gt=0
        ).values("pk", "free_seats", "waitlisted_seats")
    )
    return {"groups": groups.count(), "over_capacity": over, "waiting_while_free": waiting}


def bookings(*, first_name: str, keys: list[str]) -> dict:
    """The bookings with a seat for `first_name` (the fault test's own) and the booking
    each of these Idempotency-Keys points to."""
    made = Booking.objects.filter(
        pk__in=Seat.objects.filter(first_name=first_name).values("booking_id")
    ).select_related("booked_by")
    seats = {}
    for seat in Seat.objects.filter(booking__in=made).order_by("pk"):
        seats.setdefault(seat.booking_id, []).append(seat.status)
    by_key = dict(IdempotencyKey.objects.filter(key__in=keys).values_list("key", "booking_id"))
    return {
        "bookings": {
            booking.pk: {"by": booking.booked_by.username, "seats": seats.get(booking.pk, [])}
            for booking in made.order_by("pk")
        },
        "keys": by_key,
    }


def reservation_mails(booking_ids: list[int]) -> list[list[str]]:
    """(recipient, subject) of the one reservation mail each booking should have caused,
    built as booking/notifications.py builds it (the contact person who booked, in their
    language)."""
    expected = []
    users = get_user_model().objects.select_related("membership")
    found = Booking.objects.filter(pk__in=booking_ids).select_related("group__course")
    for booking in found:
        user = users.get(pk=booking.booked_by_id)
        active = list(booking.seats.active())
        context = {
            "confirmed": [s for s in active if s.status == Seat.Status.CONFIRMED],
            "waitlisted": [s for s in active if s.status == Seat.Status.WAITLISTED],
        }
        with translation.override(user.membership.language):
            course = booking.group.course
            context["course_title"] = course_titles([course])[course.pk]
            subject = render_to_string("booking/email/reservation_subject.txt", context)
        expected.append([user.email, " ".join(subject.split())])
    return expected


def report(*, first_name="", keys=(), mails=False):
    """Print everything the tests check after a fault, as one line of JSON."""
    result = {"history": seats_and_history(), "capacity": capacity()}
    if first_name:
        result |= bookings(first_name=first_name, keys=list(keys))
        if mails:
            result["expected_mails"] = reservation_mails(list(result["bookings"]))
    _print(result)


# --- the worker-kill test ------------------------------------------------------------------


@task()
def slow_mail(marker: str, seconds: float, attempt: int = 1):
    """Send one mail (through core.mail, so a second run of this task sends it no more),
    then take `seconds`: long enough to kill the worker after the mail went out."""
    email = EmailMessage(
        subject=FAULT_MAIL_SUBJECT.format(marker=marker),
        body="A mail of the cluster's fault tests (tests/cluster/test_faults.py).",
        to=[FAULT_MAIL_TO],
    )
    mail.send(email, again=slow_mail, args=[marker, seconds], attempt=attempt)
    time.sleep(seconds)


def start_slow_mail(marker: str, seconds: float):
    _print({"id": str(slow_mail.enqueue(marker, seconds).id)})


def task_state(task_id: str, *, until: str = "", timeout: float = 0):
    """The task's status and the workers that took it, with the pids of live workers;
    with `until`, first wait (at most `timeout` seconds) until it has that status or ended."""
    deadline = time.monotonic() + timeout
    ended = {TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED}
    row = DBTaskResult.objects.get(pk=task_id)
    while until and row.status != until and row.status not in ended:
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
        row = DBTaskResult.objects.get(pk=task_id)
    _print(
        {
            "status": row.status,
            "worker_ids": row.worker_ids,
            "pids": dict(WorkerHeartbeat.objects.values_list("worker_id", "pid")),
        }
    )
