"""Who may use the portal: signed-in contact persons of an SW company, for their own
organisation only. Another organisation's booking, seat or key is simply not found."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.models import APIToken

from booking import services
from booking.models import CalendarFeed, Seat

from .factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "portal:overview",
    "portal:find_groups",
    "portal:calendar",
    "portal:calendar_renew",
    "portal:api_keys",
]


@pytest.fixture
def promen_token(people):
    token, _key = APIToken.create_token(user=people.contact_promen, name="HR-systeem")
    return token


def promen_urls(booking, token):
    """Every portal URL that names one of Promen's things."""
    seat = booking.seats.order_by("pk").first()
    return [
        reverse("portal:booking", kwargs={"pk": booking.pk}),
        reverse("portal:booking_calendar", kwargs={"pk": booking.pk}),
        reverse("portal:booking_cancel", kwargs={"pk": booking.pk}),
        reverse("portal:seat_edit", kwargs={"pk": seat.pk}),
        reverse("portal:seat_cancel", kwargs={"pk": seat.pk}),
        reverse("portal:seat_move", kwargs={"pk": seat.pk}),
        reverse("portal:api_key_revoke", kwargs={"pk": token.pk}),
    ]


@pytest.mark.parametrize("name", PAGES)
def test_visitors_who_are_not_signed_in_are_asked_to_sign_in(client, name):
    url = reverse(name)

    response = client.get(url)

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == resolve_url(settings.LOGIN_URL)
    assert parse_qs(location.query)["next"] == [url]


def test_signing_in_is_asked_for_every_booking_url(client, promen_booking, promen_token):
    for url in promen_urls(promen_booking, promen_token):
        response = client.get(url)
        assert response.status_code == 302, url
        assert urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)


@pytest.mark.parametrize("who", ["coordinator_gouda", "admin"])
def test_people_without_an_sw_company_are_told_the_portal_is_not_for_them(client, people, who):
    client.force_login(getattr(people, who))

    response = client.get(reverse("portal:overview"))

    assert response.status_code == 403
    html = response.content.decode()
    assert translation.gettext("The portal is for SW companies and referral partners") in html
    assert 'href="/admin/"' in html


def test_portal_pages_are_never_cached(promen_client, promen_booking):
    for url in (
        reverse("portal:overview"),
        reverse("portal:booking", kwargs={"pk": promen_booking.pk}),
    ):
        cache_control = promen_client.get(url)["Cache-Control"]
        assert "no-store" in cache_control
        assert "private" in cache_control


def test_the_current_section_is_marked_in_the_portal_menu(promen_client, promen_booking):
    overview = promen_client.get(reverse("portal:overview")).content.decode()
    booking = promen_client.get(
        reverse("portal:booking", kwargs={"pk": promen_booking.pk})
    ).content.decode()

    assert f'href="{reverse("portal:overview")}" aria-current="page"' in overview
    portal_menu = overview.split('class="portal-nav"', 1)[1].split("</nav>", 1)[0]
    assert portal_menu.count("aria-current=") == 1
    assert f'href="{reverse("portal:overview")}" aria-current="true"' in booking


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_organisation_finds_none_of_promens_things(
    client, people, promen_booking, promen_token, booking_state, method
):
    before = booking_state()
    client.force_login(people.contact_konnected)

    for url in promen_urls(promen_booking, promen_token):
        response = getattr(client, method)(url, {"first_name": "Kees", "reason": "test"})
        assert response.status_code == 404, url

    assert booking_state() == before
    promen_token.refresh_from_db()
    assert promen_token.revoked_at is None


def test_a_post_without_csrf_token_is_refused_and_changes_nothing(
    people, promen_booking, booking_state
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.contact_promen)
    seat = promen_booking.seats.order_by("pk").first()
    before = booking_state()

    for url in (
        reverse("portal:seat_cancel", kwargs={"pk": seat.pk}),
        reverse("portal:booking_cancel", kwargs={"pk": promen_booking.pk}),
        reverse("portal:calendar"),
    ):
        assert client.post(url).status_code == 403

    assert booking_state() == before
    assert not CalendarFeed.objects.exists()


def test_opening_an_action_page_changes_nothing(
    promen_client, people, promen_booking, promen_token, booking_state
):
    feed = CalendarFeed.objects.create(organisation=people.promen, token=CalendarFeed.new_token())
    seat = promen_booking.seats.order_by("pk").first()
    before = booking_state()

    for url in [
        *promen_urls(promen_booking, promen_token),
        reverse("portal:calendar_renew"),
        reverse("portal:reserve", kwargs={"group_id": promen_booking.group_id}) + "?seats=2",
    ]:
        assert promen_client.get(url).status_code == 200, url

    assert booking_state() == before
    assert Seat.objects.get(pk=seat.pk).status == Seat.Status.CONFIRMED
    promen_token.refresh_from_db()
    assert promen_token.revoked_at is None
    assert CalendarFeed.objects.get().token == feed.token


def test_a_superuser_who_books_for_a_company_sees_only_that_companys_bookings(
    client, people, group, promen_booking
):
    konnected_booking = services.reserve_seats(
        group=group, organisation=people.konnected, by=people.contact_konnected, seats=1
    ).booking
    client.force_login(
        UserFactory(username="admin-promen", superuser=True, organisation=people.promen)
    )

    assert (
        client.get(reverse("portal:booking", kwargs={"pk": promen_booking.pk})).status_code == 200
    )
    assert (
        client.get(reverse("portal:booking", kwargs={"pk": konnected_booking.pk})).status_code
        == 404
    )
    seat = konnected_booking.seats.get()
    assert client.post(reverse("portal:seat_cancel", kwargs={"pk": seat.pk})).status_code == 404
