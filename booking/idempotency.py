"""Reservations that a client may safely send again: the `Idempotency-Key` of the API.

A client whose request timed out cannot know whether its booking was made. Sending it again
with the same key gives back the first answer (same status, same body) instead of a second
booking, as payment APIs do. Keys are per organisation and kept for IDEMPOTENCY_KEY_HOURS.
Only a reservation that was made is remembered: a refused one changed nothing, so sending it
again with the same key is simply tried again.
"""

import datetime
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.errors import BookingError
from booking.models import IdempotencyKey, Organisation
from booking.services import ReservationResult

IDEMPOTENCY_KEY_HOURS = 24
MAX_KEY_LENGTH = 255


class IdempotencyKeyReused(BookingError):
    """The key was sent before with a different request."""

    code = "idempotency_key_reused"
    argument = "Idempotency-Key"
    default_message = _(
        "You used this Idempotency-Key before for a different request. "
        "Use a new key for each new reservation."
    )


class InvalidIdempotencyKey(BookingError):
    code = "invalid"
    argument = "Idempotency-Key"
    default_message = _(
        "Use a key of 1 to 255 letters, digits or signs without spaces, for example a UUID."
    )


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict
    replayed: bool


def fingerprint(request_data) -> str:
    """The same for the same request, whatever the order of its fields."""
    canonical = json.dumps(request_data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all("!" <= char <= "~" for char in key):
        raise InvalidIdempotencyKey
    return key


def _oldest_kept(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(hours=IDEMPOTENCY_KEY_HOURS)


def _stored(
    *, organisation: Organisation, key: str, request_fingerprint: str, now
) -> Answer | None:
    stored = IdempotencyKey.objects.filter(
        organisation=organisation, key=key, created_at__gte=_oldest_kept(now)
    ).first()
    if stored is None:
        return None
    if stored.fingerprint != request_fingerprint:
        raise IdempotencyKeyReused
    return Answer(status=stored.status, body=stored.response, replayed=True)


def reserve_once(
    *,
    organisation: Organisation,
    by,
    key: str,
    request_data,
    reserve: Callable[[], ReservationResult],
    answer: Callable[[ReservationResult], dict],
    status: int = 201,
) -> Answer:
    """Run `reserve` at most once per `key` of `organisation` within IDEMPOTENCY_KEY_HOURS.

    `answer` turns the result into the body the client gets; it is stored in the transaction
    that makes the booking, so a booking without its key (or the reverse) is never committed.
    Two requests with the same key at once: the unique key makes the second wait for the
    first, then its own booking is rolled back and it gets the first one's answer. The same
    key with a different `request_data` raises IdempotencyKeyReused and books nothing.
    """
    check_key(key)
    request_fingerprint = fingerprint(request_data)
    now = timezone.now()
    previous = _stored(
        organisation=organisation, key=key, request_fingerprint=request_fingerprint, now=now
    )
    if previous is not None:
        return previous
    try:
        with transaction.atomic():
            # The organisation's expired keys go here, so a key can be used again.
            IdempotencyKey.objects.filter(
                organisation=organisation, created_at__lt=_oldest_kept(now)
            ).delete()
            result = reserve()
            body = answer(result)
            IdempotencyKey.objects.create(
                organisation=organisation,
                key=key,
                fingerprint=request_fingerprint,
                booking=result.booking,
                made_by=by,
                status=status,
                response=body,
                created_at=now,
            )
    except IntegrityError:
        # Another request with this key committed first; its booking is the only one.
        previous = _stored(
            organisation=organisation,
            key=key,
            request_fingerprint=request_fingerprint,
            now=timezone.now(),
        )
        if previous is None:
            raise
        return previous
    return Answer(status=status, body=body, replayed=False)
