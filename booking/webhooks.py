"""Webhooks: signed JSON events about an organisation's own bookings, for its HR system.

An organisation registers HTTPS addresses (`WebhookEndpoint`) in the portal. The booking
services call `publish` inside their transaction: it writes one `WebhookDelivery` per active
endpoint of the organisation, with the event's contents as they are at that moment, and
queues `deliver` for each (`enqueue_with_transaction`), so a booking and its events commit
together or not at all. The task POSTs the event, signed with the endpoint's secret, and tries
again later (1, 2, 4 … 60 minutes) until the receiver answers 2xx or WEBHOOK_MAX_ATTEMPTS
attempts have failed. Running it again for a delivered event does nothing, so a task that a
killed worker leaves behind may safely run twice; a receiver still deduplicates on the
`Leerplein-Delivery` header, since delivery is "at least once".

Addresses must be https and public: loopback, private, link-local, reserved, multicast and
unspecified addresses are refused when the address is registered and again before every
attempt (a name may resolve elsewhere by then), and the connection goes to the address that
was checked, never to a second lookup.

What an event says about seats is what the API shows the organisation about its own
bookings. `forget_groups` (run by `remove_participant_details`) erases the contents of events
about groups whose participants' details are removed, and `prune_log` deletes log rows older
than WEBHOOK_LOG_DAYS.
"""

import datetime
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from booking.errors import InvalidRequest, InvalidState, NotAllowed
from booking.models import Booking, CourseGroup, Seat, Session, WebhookDelivery, WebhookEndpoint
from booking.models.webhooks import (
    MAX_DESCRIPTION_LENGTH,
    MAX_ENDPOINTS_PER_ORGANISATION,
    MAX_ERROR_LENGTH,
    MAX_URL_LENGTH,
    new_secret,
)
from booking.selectors import course_titles, waitlist_positions
from core.tasks import enqueue_with_transaction

logger = logging.getLogger(__name__)

# After a rotation the previous secret signs too, for this long.
ROTATION_GRACE = datetime.timedelta(hours=24)
# The log page shows this many deliveries per endpoint.
LOG_LENGTH = 50
USER_AGENT = "Leerplein-Webhooks/1"


class EventType:
    BOOKING_CREATED = "booking.created"
    SEAT_CONFIRMED = "seat.confirmed"
    SEAT_WAITLISTED = "seat.waitlisted"
    SEAT_PROMOTED = "seat.promoted"
    SEAT_MOVED = "seat.moved"
    SEAT_CANCELLED = "seat.cancelled"
    GROUP_CANCELLED = "group.cancelled"
    SESSION_CHANGED = "session.changed"
    PING = "ping"

    ALL = (
        BOOKING_CREATED,
        SEAT_CONFIRMED,
        SEAT_WAITLISTED,
        SEAT_PROMOTED,
        SEAT_MOVED,
        SEAT_CANCELLED,
        GROUP_CANCELLED,
        SESSION_CHANGED,
        PING,
    )


# -- addresses ------------------------------------------------------------------------------------


class AddressNotAllowed(InvalidRequest):
    code = "invalid"
    argument = "url"


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        # ::ffff:127.0.0.1 reaches 127.0.0.1; 6to4 and Teredo wrap IPv4 addresses too.
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if embedded is not None and not _is_public(embedded):
            return False
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


def _allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False))


def check_url(url: str) -> str:
    """The address as it will be used, or AddressNotAllowed with a message for the person who
    typed it. Checks the form and, by resolving the host name, where it leads."""
    url = (url or "").strip()
    if not url:
        raise AddressNotAllowed(_("Fill in the address of your system."))
    if len(url) > MAX_URL_LENGTH:
        raise AddressNotAllowed(
            _("The address can be at most %(most)s characters long. Yours has %(length)s."),
            most=MAX_URL_LENGTH,
            length=len(url),
        )
    schemes = ["https", "http"] if _allow_private() else ["https"]
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError as error:
        raise AddressNotAllowed(
            _(
                "This is not a web address. Start it with https://, for example https://hr.example.nl/leerplein."
            )
        ) from error
    parts = urlsplit(url)
    if parts.scheme not in schemes:
        raise AddressNotAllowed(
            _(
                "The address must start with https://, so that nobody can read the events "
                "on the way."
            )
        )
    if parts.username or parts.password:
        raise AddressNotAllowed(_("Leave the user name and password out of the address."))
    resolve(url)
    return url


def resolve(url: str) -> list[str]:
    """The IP addresses the host of `url` leads to, each one checked; AddressNotAllowed when
    the name does not resolve or leads to an address that is not public."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise AddressNotAllowed(
            _("We cannot find the server %(host)s. Check the address."), host=host
        ) from error
    addresses = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0].split("%")[0])
        if not _allow_private() and not _is_public(address):
            raise AddressNotAllowed(
                _(
                    "The address leads to a private or local network (%(address)s). Use an "
                    "address that can be reached from the internet."
                ),
                address=str(address),
            )
        if str(address) not in addresses:
            addresses.append(str(address))
    if not addresses:
        raise AddressNotAllowed(
            _("We cannot find the server %(host)s. Check the address."), host=host
        )
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address checked beforehand, not to a fresh lookup of the host name."""

    def __init__(self, host, *, address, **kwargs):
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address; the certificate is still verified for the host name."""

    def __init__(self, host, *, address, **kwargs):
        super().__init__(host, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


# -- signing -------------------------------------------------------------------------------------


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """HMAC-SHA256 of "<timestamp>.<body>" with `secret`, in hex."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(body: bytes, secrets: Iterable[str], timestamp: int) -> str:
    """`t=<unix time>,v1=<signature>[,v1=<signature with the previous secret>]`."""
    return ",".join([f"t={timestamp}", *(f"v1={sign(body, s, timestamp)}" for s in secrets)])


def verify(body: bytes, header: str, secret: str, *, now: float | None = None, tolerance=300):
    """What a receiver checks (the same code as the example in the documentation): one of the
    `v1` signatures matches, and `t` is at most `tolerance` seconds old."""
    fields = [part.split("=", 1) for part in header.split(",") if "=" in part]
    timestamps = [value for key, value in fields if key == "t"]
    if len(timestamps) != 1 or not timestamps[0].isdigit():
        return False
    timestamp = int(timestamps[0])
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    expected = sign(body, secret, timestamp)
    return any(hmac.compare_digest(expected, value) for key, value in fields if key == "v1")


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


# -- what events say ------------------------------------------------------------------------------


def _time(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _groups(group_ids) -> dict[int, CourseGroup]:
    sessions = Session.objects.order_by("date", "starts_at")
    groups = CourseGroup.objects.select_related("course", "library", "location").prefetch_related(
        Prefetch("sessions", queryset=sessions)
    )
    return {group.pk: group for group in groups.filter(pk__in=set(group_ids))}


def group_data(group: CourseGroup, titles: dict[int, str]) -> dict:
    """A group as the API shows it, without the live counts that would be stale by the time
    the event arrives."""
    location = group.location
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
            "street_address": location.street_address,
            "postal_code": location.postal_code,
            "city": location.city,
            "address": location.address,
        },
        "sessions": sessions_data(group.sessions.all()),
        "status": group.status,
        "cancellation_deadline": _time(group.cancellation_deadline),
    }


def seat_data(seat: Seat, positions: dict[int, int]) -> dict:
    """A seat as the API shows it to the organisation that booked it."""
    return {
        "id": seat.pk,
        "booking_id": seat.booking_id,
        "status": seat.status,
        "waitlist_position": positions.get(seat.pk)
        if seat.status == Seat.Status.WAITLISTED
        else None,
        "first_name": seat.first_name,
        "learning_goal": seat.learning_goal,
        "support_needs": seat.support_needs,
    }


@dataclass
class Event:
    """An event for one organisation; `data` is built only when it has an active endpoint.

    `data(context)` gets a `Context` that loads groups and waiting-list places once for all
    events of one change.
    """

    type: str
    organisation_id: int
    group_id: int | None
    data: Callable[["Context"], dict]


class Context:
    """Groups and waiting-list places read once for the events of one change."""

    def __init__(self, events: list[Event]):
        self._group_ids = {event.group_id for event in events if event.group_id}
        self._groups = None
        self._positions = None

    def want_group(self, group_id: int) -> None:
        self._group_ids.add(group_id)

    def group(self, group_id: int) -> dict:
        if self._groups is None or group_id not in self._groups:
            self._group_ids.add(group_id)
            groups = _groups(self._group_ids)
            with translation.override(settings.LANGUAGE_CODE):
                titles = course_titles(group.course for group in groups.values())
            self._groups = {pk: group_data(group, titles) for pk, group in groups.items()}
        return self._groups[group_id]

    def seat(self, seat: Seat) -> dict:
        if self._positions is None:
            self._positions = waitlist_positions(self._group_ids)
        return seat_data(seat, self._positions)


def publish(*events: Event, now: datetime.datetime | None = None) -> list[WebhookDelivery]:
    """Write a delivery per event and active endpoint of its organisation, and queue each.

    Called by the booking services inside their transaction: the deliveries commit with the
    change or not at all. One query when no organisation involved has an endpoint.
    """
    events = [event for event in events if event is not None]
    if not events:
        return []
    endpoints: dict[int, list[WebhookEndpoint]] = {}
    for endpoint in WebhookEndpoint.objects.filter(
        organisation_id__in={event.organisation_id for event in events}, active=True
    ).order_by("pk"):
        endpoints.setdefault(endpoint.organisation_id, []).append(endpoint)
    events = [event for event in events if event.organisation_id in endpoints]
    if not events:
        return []
    now = now or timezone.now()
    context = Context(events)
    deliveries = []
    for event in events:
        payload = {
            "id": str(uuid.uuid4()),
            "type": event.type,
            "created": _time(now),
            "organisation": event.organisation_id,
            "data": event.data(context),
        }
        for endpoint in endpoints[event.organisation_id]:
            deliveries.append(
                WebhookDelivery(
                    endpoint=endpoint,
                    event_id=payload["id"],
                    event_type=event.type,
                    group_id=event.group_id,
                    payload=payload,
                    created_at=now,
                    updated_at=now,
                    next_attempt_at=now,
                )
            )
    WebhookDelivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        enqueue_with_transaction(deliver.enqueue, delivery.pk)
    return deliveries


# -- events of the booking services ------------------------------------------------------------


def _by_booking(seats: Iterable[Seat]) -> dict[int, list[Seat]]:
    found: dict[int, list[Seat]] = {}
    for seat in seats:
        found.setdefault(seat.booking_id, []).append(seat)
    return found


def _organisations_of(seats: Iterable[Seat]) -> dict[int, int]:
    """The organisation of each seat's booking, by booking id; a query only for bookings the
    seats have not loaded."""
    seats = list(seats)
    found = {
        seat.booking_id: seat.booking.organisation_id
        for seat in seats
        if Seat.booking.is_cached(seat)
    }
    missing = {seat.booking_id for seat in seats} - set(found)
    if missing:
        found |= dict(Booking.objects.filter(pk__in=missing).values_list("pk", "organisation_id"))
    return found


def sessions_data(sessions: Iterable[Session]) -> list[dict]:
    return [
        {
            "date": session.date.isoformat(),
            "start": _time(session.start),
            "end": _time(session.end),
        }
        for session in sorted(sessions, key=lambda session: (session.date, session.starts_at))
    ]


def seat_events(event_type: str, seats: Iterable[Seat], *, group_id: int, **extra) -> list[Event]:
    """One event per booking about these of its seats: `{"group": …, "seats": […]}`."""
    seats = list(seats)
    per_booking = _by_booking(seats)
    if not per_booking:
        return []
    organisations = _organisations_of(seats)

    def data(seats):
        return lambda context: {
            "group": context.group(group_id),
            "booking_id": seats[0].booking_id,
            "seats": [context.seat(seat) for seat in seats],
            **extra,
        }

    return [
        Event(event_type, organisations[booking_id], group_id, data(booking_seats))
        for booking_id, booking_seats in per_booking.items()
    ]


def reservation_events(booking: Booking, seats: list[Seat]) -> list[Event]:
    """`booking.created` with every seat, then `seat.confirmed` and `seat.waitlisted` for
    the seats in each state."""
    group_id = booking.group_id

    def created(context):
        return {
            "group": context.group(group_id),
            "booking": {
                "id": booking.pk,
                "group_id": group_id,
                "created_at": _time(booking.created_at),
                "seats": [context.seat(seat) for seat in seats],
            },
        }

    confirmed = [seat for seat in seats if seat.status == Seat.Status.CONFIRMED]
    waitlisted = [seat for seat in seats if seat.status == Seat.Status.WAITLISTED]
    events = [Event(EventType.BOOKING_CREATED, booking.organisation_id, group_id, created)]
    for event_type, chosen in (
        (EventType.SEAT_CONFIRMED, confirmed),
        (EventType.SEAT_WAITLISTED, waitlisted),
    ):
        if chosen:
            events.append(
                Event(
                    event_type,
                    booking.organisation_id,
                    group_id,
                    lambda context, chosen=chosen: {
                        "group": context.group(group_id),
                        "booking_id": booking.pk,
                        "seats": [context.seat(seat) for seat in chosen],
                    },
                )
            )
    return events


def move_events(moves: list[tuple[int, int, Seat]], *, from_group_id: int) -> list[Event]:
    """`seat.moved` per new booking: (old booking id, old seat id, seat now) for each seat."""
    per_booking: dict[int, list[tuple[int, int, Seat]]] = {}
    for move in moves:
        per_booking.setdefault(move[2].booking_id, []).append(move)
    if not per_booking:
        return []
    organisations = _organisations_of(seat for _b, _s, seat in moves)
    events = []
    for booking_id, booking_moves in per_booking.items():
        to_group_id = booking_moves[0][2].booking.group_id

        def data(context, booking_moves=booking_moves, to_group_id=to_group_id):
            context.want_group(from_group_id)
            return {
                "from": {
                    "group": context.group(from_group_id),
                    "booking_ids": sorted({old_booking for old_booking, _s, _n in booking_moves}),
                    "seat_ids": [old_seat for _b, old_seat, _n in booking_moves],
                },
                "to": {
                    "group": context.group(to_group_id),
                    "booking_id": booking_moves[0][2].booking_id,
                },
                "seats": [context.seat(seat) for _b, _s, seat in booking_moves],
            }

        events.append(Event(EventType.SEAT_MOVED, organisations[booking_id], to_group_id, data))
    return events


def group_events(event_type: str, group: CourseGroup, *, seats=None, **extra) -> list[Event]:
    """One event per organisation with active seats in the group (or with these `seats`):
    `{"group": …, "booking_ids": […], "seats": […]}`."""
    if seats is None:
        seats = list(Seat.objects.filter(booking__group=group).active().order_by("pk"))
    organisations = _organisations_of(seats)
    per_organisation: dict[int, list[Seat]] = {}
    for seat in seats:
        per_organisation.setdefault(organisations[seat.booking_id], []).append(seat)
    return [
        Event(
            event_type,
            organisation_id,
            group.pk,
            lambda context, chosen=chosen: {
                "group": context.group(group.pk),
                "booking_ids": sorted({seat.booking_id for seat in chosen}),
                "seats": [context.seat(seat) for seat in chosen],
                **extra,
            },
        )
        for organisation_id, chosen in per_organisation.items()
    ]


# -- delivering ----------------------------------------------------------------------------------


def retry_delay(attempts: int) -> datetime.timedelta:
    """The pause after `attempts` failed attempts: 1, 2, 4 … minutes, at most an hour."""
    return datetime.timedelta(minutes=min(2 ** (attempts - 1), 60))


@dataclass(frozen=True)
class Answer:
    status: int | None
    error: str


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to `url` (checked again now) without following redirects."""
    try:
        address = resolve(url)[0]
    except AddressNotAllowed as error:
        return Answer(None, error.message)
    parts = urlsplit(url)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(
        parts.hostname, port=parts.port, address=address, timeout=settings.WEBHOOK_TIMEOUT
    )
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        response.read(10_000)  # a short look: the answer's body is not kept
        return Answer(response.status, "" if 200 <= response.status < 300 else response.reason)
    except (OSError, http.client.HTTPException) as error:
        return Answer(None, f"{type(error).__name__}: {error}")
    finally:
        connection.close()


def headers_for(delivery: WebhookDelivery, body: bytes, *, now: float | None = None) -> dict:
    timestamp = int(now or time.time())
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Leerplein-Event": delivery.event_type,
        "Leerplein-Delivery": str(delivery.event_id),
        "Leerplein-Signature": signature_header(body, delivery.endpoint.secrets_now(), timestamp),
    }


@task()
def deliver(delivery_id: int) -> str:
    """Try to deliver one event once; plan the next attempt when it fails.

    The delivery row stays locked while it is sent, so two workers never send it at the same
    time; a delivered or failed one (or one deleted with its endpoint) is left alone. A
    worker killed while sending leaves no trace (the transaction is rolled back), and the
    task, run again, sends the event again with the same `Leerplein-Delivery` id.
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
            return "done"
        endpoint = delivery.endpoint
        if not endpoint.active:
            answer = Answer(None, str(_("The webhook is turned off.")))
        else:
            body = body_of(delivery.payload)
            answer = post(endpoint.url, body, headers_for(delivery, body))
        delivery.attempts += 1
        delivery.response_status = answer.status
        delivery.error = answer.error[:MAX_ERROR_LENGTH]
        delivery.updated_at = timezone.now()
        delivered = answer.status is not None and 200 <= answer.status < 300
        if delivered:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.next_attempt_at = None
        elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS or not endpoint.active:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
            logger.warning(
                "Webhook delivery %s (%s) failed after %d attempts",
                delivery.pk,
                delivery.event_type,
                delivery.attempts,
            )
        else:
            delivery.next_attempt_at = delivery.updated_at + retry_delay(delivery.attempts)
        delivery.save()
        if delivery.status == WebhookDelivery.Status.PENDING:
            retry = deliver
            if deliver.get_backend().supports_defer:
                retry = deliver.using(run_after=delivery.next_attempt_at)
            else:
                delivery.next_attempt_at = None  # run at once: nothing to wait for
                delivery.save(update_fields=["next_attempt_at"])
            enqueue_with_transaction(retry.enqueue, delivery.pk)
        return delivery.status


# -- managing endpoints (the portal) -------------------------------------------------------------


def endpoints_of(organisation):
    return WebhookEndpoint.objects.filter(organisation=organisation).order_by("created_at", "pk")


def _check_description(description: str) -> str:
    description = " ".join((description or "").split())
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise InvalidRequest(
            _("The description can be at most %(most)s characters long. Yours has %(length)s."),
            argument="description",
            most=MAX_DESCRIPTION_LENGTH,
            length=len(description),
        )
    return description


def create_endpoint(*, organisation, url: str, description: str = "", by) -> WebhookEndpoint:
    """Register an address for the organisation's events. The secret is made here; show it
    once. At most MAX_ENDPOINTS_PER_ORGANISATION per organisation."""
    url = check_url(url)
    description = _check_description(description)
    with transaction.atomic():
        # Lock the organisation's row, so two forms sent at once cannot pass the limit.
        type(organisation).objects.select_for_update().filter(pk=organisation.pk).first()
        if endpoints_of(organisation).count() >= MAX_ENDPOINTS_PER_ORGANISATION:
            raise NotAllowed(
                _("Your organisation can have at most %(most)s webhooks. Delete one first."),
                most=MAX_ENDPOINTS_PER_ORGANISATION,
            )
        return WebhookEndpoint.objects.create(
            organisation=organisation, url=url, description=description, created_by=by
        )


def rotate_secret(*, endpoint: WebhookEndpoint, now=None) -> WebhookEndpoint:
    """A new secret; the one it replaces signs too for ROTATION_GRACE (24 hours)."""
    now = now or timezone.now()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + ROTATION_GRACE
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    return endpoint


def set_active(*, endpoint: WebhookEndpoint, active: bool) -> WebhookEndpoint:
    endpoint.active = active
    endpoint.save(update_fields=["active"])
    return endpoint


def delete_endpoint(*, endpoint: WebhookEndpoint) -> None:
    """The address and its log go; a task still queued for it finds nothing to do."""
    endpoint.delete()


def send_test_event(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A `ping` to this endpoint only, to try the receiver and its signature check."""
    if not endpoint.active:
        raise InvalidState(_("Turn the webhook on first."))
    now = timezone.now()
    event_id = uuid.uuid4()
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_id=event_id,
            event_type=EventType.PING,
            payload={
                "id": str(event_id),
                "type": EventType.PING,
                "created": _time(now),
                "organisation": endpoint.organisation_id,
                "data": {"webhook_id": endpoint.pk},
            },
            created_at=now,
            updated_at=now,
            next_attempt_at=now,
        )
        enqueue_with_transaction(deliver.enqueue, delivery.pk)
    return delivery


def send_again(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Give a failed delivery a new round of attempts, with the same event id."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .get(pk=delivery.pk)
        )
        if delivery.status != WebhookDelivery.Status.FAILED:
            raise InvalidState(_("Only a failed event can be sent again."))
        if not delivery.endpoint.active:
            raise InvalidState(_("Turn the webhook on first."))
        if not delivery.payload:
            raise InvalidState(_("This event is too old to send again."))
        delivery.status = WebhookDelivery.Status.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
        enqueue_with_transaction(deliver.enqueue, delivery.pk)
    return delivery


def delivery_log(endpoint: WebhookEndpoint):
    """The last LOG_LENGTH deliveries of an endpoint, newest first, without their contents."""
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .defer("payload")
        .order_by("-created_at", "-pk")[:LOG_LENGTH]
    )


# -- retention ------------------------------------------------------------------------------------


def forget_groups(group_ids) -> int:
    """Erase what the log keeps of events about these groups (run with
    `remove_participant_details`): the contents go, the row (time, event, status) stays until
    `prune_log`. Returns the number of rows erased."""
    about = WebhookDelivery.objects.filter(group_id__in=list(group_ids))
    # One still waiting would send an empty event: it is given up instead.
    about.filter(status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED, next_attempt_at=None
    )
    return about.exclude(payload={}).update(payload={})


def prune_log(*, days: int | None = None, now=None) -> int:
    """Delete log rows older than WEBHOOK_LOG_DAYS; returns how many."""
    days = settings.WEBHOOK_LOG_DAYS if days is None else days
    before = (now or timezone.now()) - datetime.timedelta(days=days)
    deleted, _detail = WebhookDelivery.objects.filter(created_at__lt=before).delete()
    return deleted
