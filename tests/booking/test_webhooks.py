"""Webhooks for HR systems: every event reaches the organisation's receiver, signed; retries
with backoff through the task queue; other organisations' events never arrive; nothing leaves
a rolled-back booking; private addresses are refused; secrets rotate; retention erases."""

import datetime
import json
import shutil
import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone, translation
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from booking import services, webhooks
from booking.errors import BookingError, InvalidState, NotAllowed
from booking.models import CourseGroup, Seat, WebhookDelivery, WebhookEndpoint
from booking.services import SeatRequest
from booking.webhooks import AddressNotAllowed, EventType

from .factories import CourseGroupFactory, LocationFactory

MARKER = "Zwaantje"


class Receiver:
    """An HR system on loopback: keeps what it is sent and answers with the next status of
    `answers_for[event type]`, else of `answers` (200 once they run out)."""

    def __init__(self):
        self.received = []
        self.answers = []
        self.answers_for = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(
                    SimpleNamespace(path=self.path, headers=dict(self.headers), body=body)
                )
                answers = receiver.answers_for.get(
                    self.headers["Leerplein-Event"], receiver.answers
                )
                status = answers.pop(0) if answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/leerplein?k=1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self):
        return [json.loads(request.body) for request in self.received]

    def types(self):
        return [event["type"] for event in self.events()]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def endpoint(people, receiver):
    return webhooks.create_endpoint(
        organisation=people.promen, url=receiver.url, description="AFAS", by=people.contact_promen
    )


@pytest.fixture
def small_group(people, course):
    location = LocationFactory(organisation=people.gouda, name="Bibliotheek Gouda")
    return CourseGroupFactory(course=course, library=people.gouda, location=location, capacity=3)


def reserve(group, people, *names, company="promen"):
    return services.reserve_seats(
        group=group,
        organisation=getattr(people, company),
        by=getattr(people, f"contact_{company}"),
        seats=[SeatRequest(first_name=name, learning_goal=f"{name} leert DigiD") for name in names],
    )


def assert_signed(request, *secrets):
    """Every request carries its event and id in headers and one valid signature per secret."""
    header = request.headers["Leerplein-Signature"]
    assert request.headers["Content-Type"] == "application/json"
    event = json.loads(request.body)
    assert request.headers["Leerplein-Event"] == event["type"]
    assert request.headers["Leerplein-Delivery"] == event["id"]
    assert len([part for part in header.split(",") if part.startswith("v1=")]) == len(secrets)
    for secret in secrets:
        assert webhooks.verify(request.body, header, secret)
    assert not webhooks.verify(request.body, header, "whsec_wrong")
    assert not webhooks.verify(request.body + b" ", header, secrets[0])


# -- every event, signed -------------------------------------------------------------------------


def test_every_event_type_reaches_the_receiver_signed_and_as_the_api_shows_it(
    people, course, small_group, endpoint, receiver, django_capture_on_commit_callbacks
):
    other = CourseGroupFactory(course=course, library=people.gouda, capacity=3)
    commit = django_capture_on_commit_callbacks
    with commit(execute=True):
        reserve(small_group, people, "Kees", company="konnected")
        first = reserve(small_group, people, MARKER, "Bram", "Cor")  # 2 confirmed, 1 waiting
    with commit(execute=True):
        services.cancel_seats(
            booking=first.booking, by=people.contact_promen, seat_ids=[first.confirmed[0].pk]
        )  # Cor is promoted
    with commit(execute=True):
        services.move_seat(seat=first.confirmed[1], to_group=other, by=people.contact_promen)
    with commit(execute=True):
        waiting = reserve(small_group, people, "Dirk", "Eva")
    with commit(execute=True):
        services.change_capacity(
            group=small_group, capacity=4, by=people.coordinator_gouda, reason="Extra laptop"
        )
    with commit(execute=True):
        small_group = CourseGroup.objects.get(pk=small_group.pk)
        sessions = list(small_group.sessions.all())
        sessions[0].starts_at = datetime.time(9)
        small_group.sessions = sessions[:-1]
        services.save_group(group=small_group, by=people.coordinator_gouda)
    with commit(execute=True):
        services.cancel_group(group=small_group, by=people.coordinator_gouda, reason="Trainer ziek")

    assert set(receiver.types()) == set(EventType.ALL) - {EventType.PING}
    for request in receiver.received:
        assert_signed(request, endpoint.secret)
        assert request.path == "/hooks/leerplein?k=1"
    events = receiver.events()
    assert {event["organisation"] for event in events} == {people.promen.pk}
    assert len({event["id"] for event in events}) == len(events)

    created = events[0]
    assert created["type"] == EventType.BOOKING_CREATED
    booking = created["data"]["booking"]
    assert booking["id"] == first.booking.pk
    assert [(seat["first_name"], seat["status"]) for seat in booking["seats"]] == [
        (MARKER, "confirmed"),
        ("Bram", "confirmed"),
        ("Cor", "waitlisted"),
    ]
    assert booking["seats"][2]["waitlist_position"] == 1
    assert booking["seats"][0]["learning_goal"] == f"{MARKER} leert DigiD"
    group = created["data"]["group"]
    assert group["id"] == small_group.pk
    assert group["course"]["title"] == course.title
    assert group["library"]["name"] == "Bibliotheek Gouda"
    assert len(group["sessions"]) == 5
    assert group["sessions"][0]["start"].endswith(("+01:00", "+02:00"))
    assert [event["type"] for event in events[1:3]] == ["seat.confirmed", "seat.waitlisted"]
    assert [s["first_name"] for s in events[1]["data"]["seats"]] == [MARKER, "Bram"]

    by_type = {}
    for event in events:
        by_type.setdefault(event["type"], []).append(event["data"])
    (cancelled, *_rest) = by_type["seat.cancelled"]
    assert [seat["first_name"] for seat in cancelled["seats"]] == [MARKER]
    assert cancelled["seats"][0]["status"] == "cancelled"
    promoted = by_type["seat.promoted"][0]
    assert [(s["first_name"], s["status"]) for s in promoted["seats"]] == [("Cor", "confirmed")]
    (moved,) = by_type["seat.moved"]
    assert moved["from"]["group"]["id"] == small_group.pk
    assert moved["from"]["seat_ids"] == [first.confirmed[1].pk]
    assert moved["to"]["group"]["id"] == other.pk
    assert moved["seats"][0]["first_name"] == "Bram"
    assert moved["seats"][0]["booking_id"] == moved["to"]["booking_id"]
    (changed,) = by_type["session.changed"]
    assert changed["group"]["sessions"][0]["start"][11:16] == "09:00"
    assert len(changed["group"]["sessions"]) == 4
    assert len(changed["removed_sessions"]) == 1
    (group_cancelled,) = by_type["group.cancelled"]
    assert group_cancelled["group"]["status"] == "cancelled"
    assert group_cancelled["reason"] == "Trainer ziek"
    assert set(group_cancelled["booking_ids"]) == {first.booking.pk, waiting.booking.pk}
    assert {seat["status"] for seat in group_cancelled["seats"]} == {"cancelled"}

    log = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert log.count() == len(events)
    assert set(log.values_list("status", flat=True)) == {WebhookDelivery.Status.DELIVERED}
    assert set(log.values_list("attempts", flat=True)) == {1}


def test_another_organisations_events_never_reach_the_receiver(
    people, group, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        theirs = reserve(group, people, "Kees", company="konnected")
        services.cancel_booking(booking=theirs.booking, by=people.contact_konnected)
        services.cancel_group(group=group, by=people.coordinator_gouda, reason="Verbouwing")

    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


def test_an_organisation_without_a_webhook_costs_a_reservation_one_query(
    people, group, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    reserve(group, people, "Anja")
    with django_assert_max_num_queries(40) as without:
        reserve(group, people, "Bert")
    WebhookEndpoint.objects.create(organisation=people.konnected, url="https://hr.example.nl/")
    with django_assert_max_num_queries(len(without.captured_queries)):
        reserve(group, people, "Cees")
    assert sum("booking_webhookendpoint" in q["sql"] for q in without.captured_queries) == 1


def test_a_coordinators_change_reaches_the_company_and_a_turned_off_webhook_gets_nothing(
    people, group, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = reserve(group, people, "Anja", "Bert")
    with django_capture_on_commit_callbacks(execute=True):
        # In the admin: the library cancels one of the company's seats.
        services.cancel_seats(
            booking=result.booking,
            by=people.coordinator_gouda,
            reason="Dubbel geboekt",
            seat_ids=[result.confirmed[0].pk],
        )
    assert receiver.types() == ["booking.created", "seat.confirmed", "seat.cancelled"]

    webhooks.set_active(endpoint=endpoint, active=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_group(group=group, by=people.coordinator_gouda, reason="Verbouwing")
    assert len(receiver.received) == 3
    assert WebhookDelivery.objects.count() == 3


# -- one transaction -------------------------------------------------------------------------


def test_a_rolled_back_booking_leaves_no_delivery_and_no_task(
    people, group, endpoint, receiver, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with pytest.raises(RuntimeError), transaction.atomic():
        reserve(group, people, "Anja")
        # Inside the transaction the events and their tasks are written with the booking...
        assert WebhookDelivery.objects.count() == 2
        assert DBTaskResult.objects.filter(task_path="booking.webhooks.deliver").count() == 2
        assert DBTaskResult.objects.filter(
            task_path="booking.notifications.reservation_made"
        ).exists()
        raise RuntimeError("the process fails before the commit")

    # ...and nothing of them is left when it rolls back.
    assert not WebhookDelivery.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert receiver.received == []


def test_a_refused_booking_sends_nothing(people, group, endpoint, receiver):
    with pytest.raises(BookingError):
        services.reserve_seats(
            group=group, organisation=people.promen, by=people.contact_promen, seats=99
        )
    assert not WebhookDelivery.objects.exists()


# -- retries through the queue ---------------------------------------------------------------


def run_worker(rounds=12):
    """What `db_worker` does, round after round; between rounds the clock moves on to the
    next planned attempt (the READY rows' `run_after` is brought forward)."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
    )
    for _round in range(rounds):
        ready = list(DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"))
        if not ready:
            return
        for row in ready:
            worker.run_task(row)
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    raise AssertionError("the queue does not empty")


def test_a_receiver_that_fails_three_times_gets_the_event_on_the_fourth_try(
    people, group, endpoint, receiver, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    receiver.answers_for = {"booking.created": [500, 503, 404]}
    with transaction.atomic():
        result = reserve(group, people, "Anja")
    created = WebhookDelivery.objects.get(event_type=EventType.BOOKING_CREATED)

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
    )
    before = timezone.now()
    for row in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"):
        worker.run_task(row)
    created.refresh_from_db()
    assert created.status == WebhookDelivery.Status.PENDING
    assert created.attempts == 1
    assert created.response_status == 500
    (retry,) = DBTaskResult.objects.filter(status="READY", args_kwargs__args=[created.pk])
    assert retry.run_after >= before + datetime.timedelta(minutes=1)
    assert retry.run_after < before + datetime.timedelta(minutes=2)

    run_worker()

    created.refresh_from_db()
    assert created.status == WebhookDelivery.Status.DELIVERED
    assert created.attempts == 4
    assert created.response_status == 200
    tries = [r for r in receiver.received if r.headers["Leerplein-Event"] == "booking.created"]
    assert len(tries) == 4
    assert {r.headers["Leerplein-Delivery"] for r in tries} == {str(created.event_id)}
    for request in tries:
        assert_signed(request, endpoint.secret)
    assert json.loads(tries[-1].body)["data"]["booking"]["id"] == result.booking.pk

    # A task run again (a killed worker's, recovered) sends nothing more.
    assert webhooks.deliver.call(created.pk) == "done"
    assert len(receiver.received) == 5  # four tries and the seat.confirmed event


def test_the_pauses_grow_and_a_receiver_that_never_answers_is_given_up_on(
    people, group, endpoint, receiver, settings
):
    assert [webhooks.retry_delay(n).seconds // 60 for n in range(1, 9)] == [
        1,
        2,
        4,
        8,
        16,
        32,
        60,
        60,
    ]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.answers = [500] * 10
    with transaction.atomic():
        reserve(group, people, "Anja")
    run_worker()

    for delivery in WebhookDelivery.objects.all():
        assert delivery.status == WebhookDelivery.Status.FAILED
        assert delivery.attempts == 3
        assert delivery.response_status == 500

    # Sent again by hand, it goes out once more with the same id.
    receiver.answers = []
    failed = WebhookDelivery.objects.get(event_type=EventType.BOOKING_CREATED)
    webhooks.send_again(delivery=failed)
    run_worker()
    failed.refresh_from_db()
    assert failed.status == WebhookDelivery.Status.DELIVERED
    assert receiver.received[-1].headers["Leerplein-Delivery"] == str(failed.event_id)
    with pytest.raises(InvalidState):
        webhooks.send_again(delivery=failed)


@pytest.mark.usefixtures("in_english")
def test_a_receiver_that_does_not_answer_in_time_is_tried_again(people, endpoint, settings):
    settings.WEBHOOK_TIMEOUT = 0.3
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()  # accepts, never answers
    endpoint.url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
    endpoint.save()
    try:
        delivery = webhooks.send_test_event(endpoint=endpoint)
        webhooks.deliver.call(delivery.pk)
    finally:
        silent.close()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.response_status is None
    assert "timed out" in delivery.error


def test_a_redirect_is_not_followed(people, endpoint, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.answers = [302]
    delivery = webhooks.send_test_event(endpoint=endpoint)
    webhooks.deliver.call(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.response_status == 302
    assert len(receiver.received) == 1


# -- addresses -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.0.0.1/hook",
        "https://192.168.1.20/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[fe80::1]/hook",
        "https://0.0.0.0/hook",
        "https://localhost/hook",
    ],
)
@pytest.mark.usefixtures("in_english")
def test_a_private_or_local_address_is_refused_at_registration(people, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(AddressNotAllowed) as refused:
        webhooks.create_endpoint(organisation=people.promen, url=url, by=people.contact_promen)
    assert "private or local network" in refused.value.message
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a web address"),
        ("http://hr.example.nl/hook", "must start with https://"),
        ("ftp://hr.example.nl/hook", "not a web address"),
        ("https://hr.example.nl/" + "a" * 500, "at most 500 characters"),
        ("https://user:pw@hr.example.nl/hook", "user name and password"),
        ("", "Fill in the address"),
    ],
)
@pytest.mark.usefixtures("in_english")
def test_a_wrong_address_is_refused_with_a_message(people, settings, url, message):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(AddressNotAllowed) as refused:
        webhooks.create_endpoint(organisation=people.promen, url=url, by=people.contact_promen)
    assert message in refused.value.message
    assert not WebhookEndpoint.objects.exists()


def test_the_refusal_reads_in_dutch_in_a_dutch_page(people, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(AddressNotAllowed) as refused:
        webhooks.check_url("https://10.0.0.1/")
    with translation.override("nl"):
        assert "intern netwerk (10.0.0.1)" in refused.value.message


def fake_dns(monkeypatch, answers):
    """getaddrinfo answering `answers[host]` (a list of addresses); others as usual."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            return [
                (
                    socket.AF_INET6 if ":" in address else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (address, port),
                )
                for address in answers[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.usefixtures("in_english")
def test_a_name_that_leads_to_a_private_address_at_delivery_time_is_not_called(
    people, group, settings, monkeypatch, receiver, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    answers = {"hr.example.nl": ["93.184.215.14"]}
    fake_dns(monkeypatch, answers)
    endpoint = webhooks.create_endpoint(
        organisation=people.promen, url="https://hr.example.nl/hook", by=people.contact_promen
    )
    # The name now leads to the machine itself (DNS rebinding): it is checked again.
    answers["hr.example.nl"] = ["93.184.215.14", "127.0.0.1"]
    with django_capture_on_commit_callbacks(execute=True):
        reserve(group, people, "Anja")

    for delivery in WebhookDelivery.objects.filter(endpoint=endpoint):
        assert delivery.status == WebhookDelivery.Status.FAILED
        assert "private or local network (127.0.0.1)" in delivery.error
    assert receiver.received == []


@pytest.mark.usefixtures("in_english")
@pytest.mark.parametrize("host", ["127.0.0.1", "10.0.0.1", "[::1]", "localhost"])
def test_a_private_address_is_refused_again_at_delivery_time(
    people, endpoint, receiver, settings, host
):
    """An address registered while allowed (or edited in the database) is not called once
    private addresses are refused."""
    endpoint.url = f"https://{host}:{receiver.server.server_address[1]}/hook"
    endpoint.save()
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    settings.WEBHOOK_MAX_ATTEMPTS = 1

    delivery = webhooks.send_test_event(endpoint=endpoint)
    webhooks.deliver.call(delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.error.startswith("The address leads to a private or local network")
    assert receiver.received == []


def test_the_connection_goes_to_the_address_that_was_checked(
    people, endpoint, receiver, settings, monkeypatch
):
    """The name is resolved once: a second lookup that would lead elsewhere is never made."""
    port = receiver.server.server_address[1]
    lookups = []
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host == "127.0.0.1":  # the socket module's own call for an address
            return real(host, *args, **kwargs)
        lookups.append(host)
        return real("127.0.0.1", *args, **kwargs)

    endpoint.url = f"http://hr.example.nl:{port}/hook"
    endpoint.save()
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    delivery = webhooks.send_test_event(endpoint=endpoint)
    webhooks.deliver.call(delivery.pk)

    assert lookups == ["hr.example.nl"]
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert receiver.received[0].headers["Host"] == f"hr.example.nl:{port}"


def test_public_addresses_pass(monkeypatch, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    fake_dns(
        monkeypatch, {"hr.example.nl": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]}
    )
    assert webhooks.check_url("https://hr.example.nl/hook") == "https://hr.example.nl/hook"


# -- managing endpoints ------------------------------------------------------------------------


@pytest.mark.usefixtures("in_english")
def test_an_organisation_has_at_most_five_webhooks(people, receiver):
    for number in range(5):
        webhooks.create_endpoint(
            organisation=people.promen, url=f"{receiver.url}&n={number}", by=people.contact_promen
        )
    with pytest.raises(NotAllowed, match="at most 5"):
        webhooks.create_endpoint(
            organisation=people.promen, url=receiver.url, by=people.contact_promen
        )
    assert WebhookEndpoint.objects.count() == 5
    # Another organisation has its own five.
    webhooks.create_endpoint(
        organisation=people.konnected, url=receiver.url, by=people.contact_konnected
    )


def test_a_rotated_secret_signs_with_both_for_a_day_then_only_the_new_one(
    people, endpoint, receiver
):
    old = endpoint.secret
    webhooks.rotate_secret(endpoint=endpoint)
    assert endpoint.secret != old
    delivery = webhooks.send_test_event(endpoint=endpoint)
    webhooks.deliver.call(delivery.pk)
    assert_signed(receiver.received[-1], endpoint.secret, old)

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    delivery = webhooks.send_test_event(endpoint=endpoint)
    webhooks.deliver.call(delivery.pk)
    request = receiver.received[-1]
    assert_signed(request, endpoint.secret)
    assert not webhooks.verify(request.body, request.headers["Leerplein-Signature"], old)


def test_a_stale_or_forged_signature_is_rejected_by_the_receivers_check():
    body = b'{"id":"1"}'
    now = 1_800_000_000
    header = webhooks.signature_header(body, ["whsec_a"], now)
    assert webhooks.verify(body, header, "whsec_a", now=now + 299)
    assert not webhooks.verify(body, header, "whsec_a", now=now + 301)
    assert not webhooks.verify(body, header.replace("t=", "t=1"), "whsec_a", now=now)
    assert not webhooks.verify(body, "v1=abc", "whsec_a", now=now)


def test_deleting_a_webhook_deletes_its_log_and_its_queued_task_does_nothing(
    people, endpoint, receiver, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    delivery = webhooks.send_test_event(endpoint=endpoint)
    webhooks.delete_endpoint(endpoint=endpoint)
    assert webhooks.deliver.call(delivery.pk) == "done"
    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


# -- retention -------------------------------------------------------------------------------


def test_retention_erases_events_about_ended_groups_and_prunes_the_old_log(
    people, course, endpoint, settings
):
    ended = CourseGroupFactory(
        course=course,
        library=people.gouda,
        sessions=1,
        sessions__first=timezone.localdate() - datetime.timedelta(days=400),
    )
    running = CourseGroupFactory(course=course, library=people.gouda)

    def logged(group, *, days_ago, status=WebhookDelivery.Status.DELIVERED):
        at = timezone.now() - datetime.timedelta(days=days_ago)
        return WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_type=EventType.SEAT_CONFIRMED,
            group=group,
            payload={"data": {"seats": [{"first_name": MARKER}]}},
            status=status,
            created_at=at,
        )

    about_ended = logged(ended, days_ago=5)
    waiting_about_ended = logged(ended, days_ago=1, status=WebhookDelivery.Status.PENDING)
    old = logged(running, days_ago=31)
    recent = logged(running, days_ago=29)

    call_command("remove_participant_details", stdout=open("/dev/null", "w"))  # noqa: SIM115

    about_ended.refresh_from_db()
    waiting_about_ended.refresh_from_db()
    assert about_ended.payload == {}
    assert about_ended.status == WebhookDelivery.Status.DELIVERED
    assert waiting_about_ended.payload == {}
    assert waiting_about_ended.status == WebhookDelivery.Status.FAILED
    assert not WebhookDelivery.objects.filter(pk=old.pk).exists()
    assert WebhookDelivery.objects.get(pk=recent.pk).payload["data"]["seats"][0]["first_name"]
    left = json.dumps(list(WebhookDelivery.objects.filter(group=ended).values("payload")))
    assert MARKER not in left
    assert Seat.objects.count() == 0


@pytest.mark.skipif(not shutil.which("openssl"), reason="openssl makes the test certificate")
def test_https_checks_the_certificate_of_the_name_on_the_pinned_connection(
    people, endpoint, receiver, settings, tmp_path
):
    """The connection goes to the checked address, yet TLS still verifies the certificate
    against the host name: a receiver whose certificate nobody vouches for gets nothing."""
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            shutil.which("openssl"),
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    receiver.server.socket = context.wrap_socket(receiver.server.socket, server_side=True)
    endpoint.url = f"https://localhost:{receiver.server.server_address[1]}/hook"
    endpoint.save()

    delivery = webhooks.send_test_event(endpoint=endpoint)
    webhooks.deliver.call(delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert "CERTIFICATE_VERIFY_FAILED" in delivery.error
    assert receiver.received == []


def test_production_settings_refuse_private_addresses_and_plain_http():
    """The allowance is a test setting only: production cannot be talked into it."""
    from tests.config.test_production_settings import POSTGRES, REDIS, SETUP, run

    script = (
        f"{SETUP}\n"
        "from django.conf import settings\n"
        "from booking import webhooks\n"
        "print(settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES)\n"
        "for url in ('https://127.0.0.1/', 'https://[::1]/', 'https://localhost/',\n"
        "            'https://10.0.0.1/', 'http://hr.example.nl/'):\n"
        "    try:\n"
        "        webhooks.check_url(url)\n"
        "    except webhooks.AddressNotAllowed as error:\n"
        "        print('refused', url, error.code)\n"
    )
    result = run(
        "-c",
        script,
        DATABASE_URL=POSTGRES,
        REDIS_URL=REDIS,
        WEBHOOK_ALLOW_PRIVATE_ADDRESSES="True",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "False"
    assert len([line for line in lines if line.startswith("refused")]) == 5
