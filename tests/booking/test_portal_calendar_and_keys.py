"""The organisation's private calendar address and the user's personal API keys."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from icalendar import Calendar
from wagtail.models import APIToken

from booking import services
from booking.models import CalendarFeed
from tests.helpers import text_of

from .factories import CourseGroupFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def feed_path(token):
    return reverse("portal:calendar_feed", kwargs={"token": token})


# -- calendar ----------------------------------------------------------------------------------


def test_the_calendar_address_is_made_on_request_and_shown_in_full(promen_client, people):
    page = promen_client.get(reverse("portal:calendar"))
    assert "Make a calendar address" in text_of(page)
    assert not CalendarFeed.objects.exists()

    response = promen_client.post(reverse("portal:calendar"), follow=True)

    feed = CalendarFeed.objects.get()
    assert (feed.organisation, feed.created_by) == (people.promen, people.contact_promen)
    text = text_of(response)
    assert "Your calendar address is ready." in text
    assert f'value="http://testserver{feed_path(feed.token)}"' in response.content.decode()
    for app in ("Outlook", "Google Calendar", "Apple Calendar"):
        assert app in text


def test_asking_twice_keeps_the_first_address(promen_client):
    promen_client.post(reverse("portal:calendar"))
    token = CalendarFeed.objects.get().token

    promen_client.post(reverse("portal:calendar"))

    assert CalendarFeed.objects.get().token == token


def test_the_feed_needs_no_login_and_shows_the_confirmed_sessions(
    client, people, group, course, promen_booking
):
    waiting_only = CourseGroupFactory(course=course, library=people.gouda, capacity=1)
    services.reserve_seats(
        group=waiting_only, organisation=people.konnected, by=people.contact_konnected, seats=1
    )
    services.reserve_seats(
        group=waiting_only, organisation=people.promen, by=people.contact_promen, seats=1
    )
    feed = CalendarFeed.objects.create(organisation=people.promen, token=CalendarFeed.new_token())

    response = client.get(feed_path(feed.token))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == group.sessions.count()


def test_an_unknown_token_is_not_found(client, people):
    CalendarFeed.objects.create(organisation=people.promen, token=CalendarFeed.new_token())

    assert client.get(feed_path("not-a-token")).status_code == 404


def test_renewing_asks_first_and_the_old_address_stops_working(promen_client, client, people):
    old = CalendarFeed.objects.create(organisation=people.promen, token=CalendarFeed.new_token())
    confirm = promen_client.get(reverse("portal:calendar_renew"))
    assert "Do you want a new calendar address?" in text_of(confirm)
    assert CalendarFeed.objects.get().token == old.token

    response = promen_client.post(reverse("portal:calendar_renew"), follow=True)

    new = CalendarFeed.objects.get()
    assert new.token != old.token
    assert "The old address no longer works." in text_of(response)
    assert feed_path(new.token) in response.content.decode()
    assert client.get(feed_path(old.token)).status_code == 404
    assert client.get(feed_path(new.token)).status_code == 200


def test_each_organisation_has_its_own_address(promen_client, client, people):
    konnected = CalendarFeed.objects.create(
        organisation=people.konnected, token=CalendarFeed.new_token()
    )

    page = promen_client.get(reverse("portal:calendar"))
    promen_client.post(reverse("portal:calendar_renew"))

    assert konnected.token not in page.content.decode()
    assert CalendarFeed.objects.get(organisation=people.konnected).token == konnected.token


# -- API keys ----------------------------------------------------------------------------------


def test_a_new_key_is_shown_once_and_never_kept(promen_client, people):
    response = promen_client.post(reverse("portal:api_keys"), {"name": "HR-systeem"})

    assert response.status_code == 200
    token = APIToken.objects.get()
    key = response.context["key"]
    assert token.user == people.contact_promen
    assert token.name == "HR-systeem"
    assert APIToken.hash_token(key) == token.key_hash
    assert f'value="{key}"' in response.content.decode()
    assert "We show it only this once." in text_of(response)
    assert not list(get_messages(response.wsgi_request))
    assert key not in str(dict(promen_client.session))
    assert "no-store" in response["Cache-Control"]

    listing = promen_client.get(reverse("portal:api_keys"))
    assert key not in listing.content.decode()
    assert token.prefix in listing.content.decode()
    assert "never" in text_of(listing)


@pytest.mark.parametrize(
    "name, message",
    [
        ("", "Give the key a name."),
        ("   ", "Give the key a name."),
        ("x" * 101, "Ensure this value has at most 100 characters"),
    ],
)
def test_a_key_needs_a_short_name(promen_client, name, message):
    response = promen_client.post(reverse("portal:api_keys"), {"name": name})

    assert response.status_code == 200
    assert message in text_of(response)
    assert not APIToken.objects.exists()


def test_the_list_says_when_a_key_was_last_used(promen_client, people):
    token, _key = APIToken.create_token(user=people.contact_promen, name="Rooster")
    APIToken.objects.filter(pk=token.pk).update(last_used_at="2026-03-02T10:15:00+01:00")
    APIToken.create_token(user=people.contact_konnected, name="Niet van Promen")

    text = text_of(promen_client.get(reverse("portal:api_keys")))

    assert "Rooster" in text
    assert "2 March 2026, 10:15" in text
    assert "Niet van Promen" not in text
    assert "/api/v1/docs" in promen_client.get(reverse("portal:api_keys")).content.decode()


def test_revoking_a_key_asks_first(promen_client, people):
    token, _key = APIToken.create_token(user=people.contact_promen, name="Rooster")
    url = reverse("portal:api_key_revoke", kwargs={"pk": token.pk})
    assert "Do you want to switch off the key “Rooster”?" in text_of(promen_client.get(url))
    token.refresh_from_db()
    assert token.revoked_at is None

    response = promen_client.post(url, follow=True)

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "The key “Rooster” no longer works." in text_of(response)
    assert "Switched off on" in text_of(response)


def test_another_users_key_is_not_found(promen_client, people):
    colleague = people.contact_promen.__class__.objects.create(username="collega-promen")
    token, _key = APIToken.create_token(user=colleague, name="Van een collega")
    url = reverse("portal:api_key_revoke", kwargs={"pk": token.pk})

    assert promen_client.get(url).status_code == 404
    assert promen_client.post(url).status_code == 404

    token.refresh_from_db()
    assert token.revoked_at is None
