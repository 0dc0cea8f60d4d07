"""The history and the messages after a change say what happened, in the reader's language.

Seats are named by their participant (or their number within the booking), never by a
database id; reasons the system wrote are read in the reader's language; a typed reason keeps
the language it was typed in and says so to the browser; after a cancellation the contact
person learns who has the seat now.
"""

import re

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import translation

from booking import services
from booking.history import BOOKING_SOURCES, history_rows, load_entries
from booking.models import Seat
from booking.services import SeatRequest
from tests.booking.factories import BookingFactory, SeatFactory
from tests.helpers import text_of

pytestmark = pytest.mark.django_db


def booking_page(client, booking, language):
    with translation.override(language):
        return client.get(reverse("portal:booking", kwargs={"pk": booking.pk}))


def reserve(group, people, company="promen", names=("Wim",), *, language="en"):
    with translation.override(language):
        return services.reserve_seats(
            group=group,
            organisation=getattr(people, company),
            by=getattr(people, f"contact_{company}"),
            seats=[SeatRequest(first_name=name) for name in names],
        ).booking


@pytest.fixture
def many_seats_before(group):
    """Seats in other bookings first, so database ids run far past any group's size."""
    other = BookingFactory(group=group)
    for _ in range(40):
        SeatFactory(booking=other, status=Seat.Status.CANCELLED)


def test_seats_are_named_by_participant_not_by_database_id(
    client, people, group, many_seats_before
):
    booking = reserve(group, people, names=("Wim", ""))
    unnamed = booking.seats.get(first_name="")
    assert unnamed.pk > 40
    client.force_login(people.contact_promen)

    text = text_of(booking_page(client, booking, "en"))

    assert "Seat confirmed : Wim" in text
    assert "Seat confirmed : seat 2 of the booking" in text
    assert not re.search(rf"\b{unnamed.pk}\b", text.replace(str(booking.pk), ""))


def test_a_seat_whose_details_were_removed_keeps_its_number(people, group, many_seats_before):
    booking = reserve(group, people, names=("Wim", "Anja"))
    seat = booking.seats.get(first_name="Anja")
    Seat.objects.filter(pk=seat.pk).update(first_name="")
    Seat.history.filter(id=seat.pk).update(first_name="")

    with translation.override("nl"):
        rows = history_rows(scope=Q(booking_ref=booking.pk), models_=BOOKING_SOURCES)
        subjects = {entry.subject for entry in load_entries(rows)}

    assert "plaats 2 van de boeking" in subjects
    assert "Wim" in subjects


@pytest.mark.parametrize(
    ("language", "reason"), [("en", "Seats reserved"), ("nl", "Plaatsen gereserveerd")]
)
def test_a_reason_the_system_wrote_is_read_in_the_readers_language(
    client, people, group, language, reason
):
    booking = reserve(group, people, language="nl")
    client.force_login(people.contact_promen)

    text = text_of(booking_page(client, booking, language))

    assert f"{reason_label(language)} {reason}" in text


def reason_label(language):
    with translation.override(language):
        return translation.gettext("Why:")


def test_reasons_kept_in_dutch_before_are_translated_too(client, people, group):
    booking = reserve(group, people)
    Seat.history.filter(id__in=booking.seats.values("pk")).update(
        history_change_reason="Plaatsen gereserveerd", reason_language=""
    )
    client.force_login(people.contact_promen)

    assert "Why: Seats reserved" in text_of(booking_page(client, booking, "en"))


def test_a_typed_reason_keeps_its_language_and_is_marked_with_it(client, people, group):
    booking = reserve(group, people, names=("Wim", "Anja"))
    seat = booking.seats.get(first_name="Anja")
    with translation.override("nl"):
        services.cancel_seats(
            booking=booking, by=people.contact_promen, reason="Ziek", seat_ids=[seat.pk]
        )
    client.force_login(people.contact_promen)

    english = booking_page(client, booking, "en").content.decode()
    dutch = booking_page(client, booking, "nl").content.decode()

    assert '<span lang="nl">Ziek</span>' in english
    assert "Ziek" in dutch and 'lang="nl">Ziek' not in dutch


def cancel_anja(client, booking):
    seat = booking.seats.get(first_name="Anja")
    with translation.override("en"):
        url = reverse("portal:seat_cancel", kwargs={"pk": seat.pk})
    return text_of(client.post(url, {"reason": ""}, follow=True))


def test_after_cancelling_a_colleague_from_the_waiting_list_is_named(client, people, group):
    reserve(group, people, company="konnected", names=("A", "B", "C"))
    booking = reserve(group, people, names=("Wim", "Anja", "Fatima"))
    fatima = booking.seats.get(first_name="Fatima")
    assert fatima.status == Seat.Status.WAITLISTED
    client.force_login(people.contact_promen)

    text = cancel_anja(client, booking)

    assert "The seat of Anja has been cancelled. Fatima from your waiting list has a seat now." in (
        text
    )
    assert "free again" not in text
    fatima.refresh_from_db()
    assert fatima.status == Seat.Status.CONFIRMED


def test_after_cancelling_a_seat_that_went_to_another_organisation_nobody_is_named(
    client, people, group
):
    booking = reserve(group, people, names=("Wim", "Anja"))
    reserve(group, people, company="konnected", names=("A", "B", "C", "Kees"))
    client.force_login(people.contact_promen)

    text = cancel_anja(client, booking)

    assert "1 seat went to the next person on the waiting list." in text
    assert "Kees" not in text


def test_after_cancelling_with_nobody_waiting_the_seat_is_free(client, people, group):
    booking = reserve(group, people, names=("Wim", "Anja"))
    client.force_login(people.contact_promen)

    assert "1 seat is free again for others to book." in cancel_anja(client, booking)
