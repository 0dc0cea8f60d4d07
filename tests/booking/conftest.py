"""Fixtures for the booking tests: two libraries with a coordinator each, two SW companies
with a contact person each, and a course with an open group at Gouda."""

from types import SimpleNamespace

import pytest
from django.utils import translation
from wagtail.models import Page

from booking.models import Booking, Seat
from booking.services import SeatRequest, reserve_seats
from tests.conftest import new_home_page, translate

from .admin_helpers import speak
from .factories import (
    CompanyFactory,
    CourseGroupFactory,
    CourseIndexPageFactory,
    CoursePageFactory,
    LibraryFactory,
    LocationFactory,
    UserFactory,
)


@pytest.fixture
def people(db):
    """Gouda and Deventer (libraries), Promen and KonnecteD (SW companies), their people."""
    gouda = LibraryFactory(name="Bibliotheek Gouda", slug="bibliotheek-gouda", municipality="Gouda")
    deventer = LibraryFactory(
        name="Bibliotheek Deventer", slug="bibliotheek-deventer", municipality="Deventer"
    )
    promen = CompanyFactory(name="Promen", slug="promen", municipality="Gouda")
    konnected = CompanyFactory(name="KonnecteD", slug="konnected", municipality="Deventer")
    return SimpleNamespace(
        gouda=gouda,
        deventer=deventer,
        promen=promen,
        konnected=konnected,
        coordinator_gouda=UserFactory(username="coordinator-gouda", organisation=gouda),
        coordinator_deventer=UserFactory(username="coordinator-deventer", organisation=deventer),
        contact_promen=UserFactory(username="contact-promen", organisation=promen),
        contact_konnected=UserFactory(username="contact-konnected", organisation=konnected),
        admin=UserFactory(username="admin", superuser=True),
    )


@pytest.fixture
def course(db):
    """A Klik & Tik course page under a course index (no site tree needed)."""
    index = CourseIndexPageFactory(parent=Page.get_first_root_node())
    return CoursePageFactory(parent=index, slug="klik-en-tik")


@pytest.fixture
def group(people, course):
    """An open group of 5 seats at Bibliotheek Gouda, booking open, five sessions ahead."""
    location = LocationFactory(organisation=people.gouda, name="Bibliotheek Gouda")
    return CourseGroupFactory(course=course, library=people.gouda, location=location)


@pytest.fixture
def course_site(db, english):
    """A served bilingual site: home, course index and one course page, in nl and en."""
    home, site = new_home_page()
    index = CourseIndexPageFactory(parent=home, show_in_menus=True)
    course = CoursePageFactory(parent=index, slug="klik-en-tik")
    english_home = translate(home, english)
    english_index = translate(index, english)
    english_course = translate(course, english)
    return SimpleNamespace(
        site=site,
        home=home,
        index=index,
        course=course,
        english_home=english_home,
        english_index=english_index,
        english_course=english_course,
    )


# -- the contact persons' portal ---------------------------------------------------------------


@pytest.fixture
def in_english():
    """The portal in English (/en/…); the texts tested are the English source strings."""
    with translation.override("en"):
        yield


@pytest.fixture
def promen_client(client, people):
    """A browser signed in as Promen's contact person."""
    client.force_login(people.contact_promen)
    return client


@pytest.fixture
def promen_booking(people, group):
    """Promen's booking of two named seats in the Gouda group, made through the service."""
    result = reserve_seats(
        group=group,
        organisation=people.promen,
        by=people.contact_promen,
        seats=[SeatRequest(first_name="Anja", learning_goal="Inloggen met DigiD"), SeatRequest()],
    )
    return result.booking


@pytest.fixture
def booking_state():
    """A snapshot of every booking and seat and their history, to show nothing changed."""

    def snapshot():
        return {
            "bookings": Booking.objects.count(),
            "seats": sorted(
                Seat.objects.values_list(
                    "pk", "status", "first_name", "learning_goal", "support_needs"
                )
            ),
            "booking_history": Booking.history.count(),
            "seat_history": Seat.history.count(),
        }

    return snapshot


@pytest.fixture
def staff(people):
    """The fixture's people, reading the admin in English (as the admin tests do)."""
    speak("en", people.coordinator_gouda, people.coordinator_deventer, people.admin)
    return people
