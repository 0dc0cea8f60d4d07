"""The history read model (booking/history.py) that the admin, the portal and the API share."""

import pytest
from django.db.models import Q
from django.utils import translation
from wagtail.admin.utils import get_user_display_name as name_of

from booking import history, services
from booking.services import SeatRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_group_history(group, people):
    """Promen books a seat, KonnecteD books the other four, the library adds a seat."""
    promen = services.reserve_seats(
        group=group,
        organisation=people.promen,
        by=people.contact_promen,
        seats=[SeatRequest(first_name="Anja")],
    ).booking
    services.reserve_seats(
        group=group, organisation=people.konnected, by=people.contact_konnected, seats=4
    )
    services.change_capacity(
        group=group, capacity=6, by=people.coordinator_gouda, reason="Extra stoel"
    )
    return promen


def entries_of(booking, **kwargs):
    rows = history.history_rows(scope=Q(booking_ref=booking.pk), models_=history.BOOKING_SOURCES)
    with translation.override("en"):
        return history.load_entries(rows, **kwargs)


def test_a_bookings_entries_are_newest_first_with_who_and_what(shared_group_history, people):
    entries = entries_of(shared_group_history)

    assert [entry.action_label for entry in entries] == ["Seat confirmed", "Created"]
    assert [entry.when for entry in entries] == sorted((e.when for e in entries), reverse=True)
    assert {entry.who for entry in entries} == {name_of(people.contact_promen)}
    assert entries[0].changes_text.startswith("Status: Confirmed")


def test_a_company_reads_no_names_of_another_companys_people(group, people):
    for user, first_name in (
        (people.coordinator_gouda, "Ineke"),
        (people.contact_konnected, "Karim"),
    ):
        user.first_name = first_name
        user.save()
    theirs = services.reserve_seats(
        group=group, organisation=people.konnected, by=people.contact_konnected, seats=1
    ).booking
    services.cancel_seats(booking=theirs, by=people.coordinator_gouda, reason="Dubbel")

    for_konnected = entries_of(theirs, shown_to=people.konnected)
    for_promen = entries_of(theirs, shown_to=people.promen)

    assert name_of(people.contact_konnected) in {entry.who for entry in for_konnected}
    assert name_of(people.coordinator_gouda) in {entry.who for entry in for_promen}
    assert name_of(people.contact_konnected) not in {entry.who for entry in for_promen}
    assert "someone at another organisation" in {entry.who for entry in for_promen}


def test_the_history_read_model_knows_nothing_of_the_user_interfaces():
    imported = {
        name
        for name in vars(history).values()
        if getattr(name, "__module__", "").startswith(("booking.admin", "booking.portal"))
    }
    assert imported == set()
