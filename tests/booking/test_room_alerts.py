"""'Er is plek' alerts: subscribing in the portal and the API, the daily digest (at most one
e-mail a day, never for a seat the waiting list takes), the e-mail in the subscriber's
language with a one-click unsubscribe link that works without logging in, the coordinator's
"announce room" action, and the public Atom feed of groups with room."""

import datetime
import json
import uuid
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from booking import alerts, services
from booking.errors import InvalidRequest, NotAllowed
from booking.models import CourseGroup, RoomAlert, RoomNotice, Seat, SeatHold
from tests.conftest import translate
from tests.html_checker import markup_problems, nu_checker_missing, nu_errors

from .admin_helpers import is_refusal
from .factories import (
    CompanyFactory,
    CourseGroupFactory,
    CoursePageFactory,
    LocationFactory,
    UserFactory,
)

API = "/api/v1/alerts"
EN = {"Accept-Language": "en"}
ATOM = "{http://www.w3.org/2005/Atom}"


def subscribe(user, course, **kwargs):
    """A subscription made a day ago, so what happens from now on is news to it."""
    kwargs.setdefault("language", "nl")
    alert, _created = alerts.subscribe(user=user, course_key=course.translation_key, **kwargs)
    RoomAlert.objects.filter(pk=alert.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    alert.refresh_from_db()
    return alert


def fill(group, people, seats=None, company="promen"):
    """Book `seats` seats (default: every seat) through the service."""
    return services.reserve_seats(
        group=group,
        organisation=getattr(people, company),
        by=getattr(people, f"contact_{company}"),
        seats=group.capacity if seats is None else seats,
    )


def cancel_one(booking, people, company="promen"):
    seat = booking.seats.confirmed().first()
    return services.cancel_seats(
        booking=booking, by=getattr(people, f"contact_{company}"), seat_ids=[seat.pk]
    )


def open_since(group, moment):
    """The group opened for booking at `moment` (written straight to the row, so nothing
    else of the group changes)."""
    CourseGroup.objects.filter(pk=group.pk).update(booking_opens_at=moment)


def room_mails(mailoutbox):
    return [mail for mail in mailoutbox if "List-Unsubscribe" in mail.extra_headers]


def digest(capture, **kwargs):
    with capture(execute=True):
        return alerts.send_room_alerts(**kwargs)


@pytest.fixture
def partner(db):
    """A referral partner (the municipality's social team) with a contact person."""
    team = CompanyFactory(
        name="Sociaal team Gouda", slug="sociaal-team-gouda", kind="referral_partner"
    )
    return SimpleNamespace(
        organisation=team, contact=UserFactory(username="contact-team", organisation=team)
    )


# -- subscribing -------------------------------------------------------------------------------


def test_a_contact_person_subscribes_once_to_the_same_wish(people, course):
    first, created = alerts.subscribe(
        user=people.contact_promen, course_key=course.translation_key, level=1, language="en"
    )
    again, created_again = alerts.subscribe(
        user=people.contact_promen, course_key=course.translation_key, level=1, language="en"
    )
    assert created and not created_again
    assert again.pk == first.pk
    assert first.language == "en"
    assert first.token and len(first.token) >= 40


def test_a_referral_partner_subscribes_too(partner, course):
    alert, created = alerts.subscribe(user=partner.contact, course_key=course.translation_key)
    assert created and alert.user == partner.contact


def test_coordinators_and_people_without_an_organisation_cannot_subscribe(people, course):
    for user in (people.coordinator_gouda, UserFactory(username="nobody")):
        with pytest.raises(NotAllowed):
            alerts.subscribe(user=user, course_key=course.translation_key)
    assert not RoomAlert.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "argument", "message"),
    [
        ({"course_key": "unknown"}, "course_id", "There is no course with this number."),
        ({"level": 4}, "level", "Choose level 1, 2 or 3, or no level."),
        ({"municipality": "G" * 101}, "municipality", "Use at most 100 characters."),
        (
            {"location": "gouda", "municipality": "Gouda"},
            "municipality",
            "Choose a location or a municipality, not both.",
        ),
        ({"location": "other"}, "location_id", "There is no place with this number."),
    ],
)
def test_a_wrong_subscription_is_refused_with_its_message(
    people, course, group, in_english, kwargs, argument, message
):
    places = {"gouda": group.location, "other": LocationFactory(kind="sw_company")}
    if kwargs.get("course_key") == "unknown":
        kwargs["course_key"] = uuid.uuid4()
    if "location" in kwargs:
        kwargs["location"] = places[kwargs["location"]]
    kwargs.setdefault("course_key", course.translation_key)
    with pytest.raises(InvalidRequest) as refused:
        alerts.subscribe(user=people.contact_promen, **kwargs)
    assert refused.value.argument == argument
    assert refused.value.message == message
    assert not RoomAlert.objects.exists()


def test_a_draft_course_cannot_be_followed(people, course):
    course.unpublish()
    with pytest.raises(InvalidRequest):
        alerts.subscribe(user=people.contact_promen, course_key=course.translation_key)


# -- the digest --------------------------------------------------------------------------------


def test_a_group_that_opened_for_booking_is_in_the_next_digest_once(
    people, course, group, mailoutbox, django_capture_on_commit_callbacks
):
    alert = subscribe(people.contact_promen, course)
    open_since(group, timezone.now() - datetime.timedelta(hours=1))

    assert digest(django_capture_on_commit_callbacks) == 1
    assert digest(django_capture_on_commit_callbacks) == 0
    (mail,) = room_mails(mailoutbox)
    assert mail.to == [people.contact_promen.email]
    # The mail is in the subscriber's language (Dutch), whatever language is active here.
    with translation.override(alert.language):
        assert reverse("portal:reserve", kwargs={"group_id": group.pk}) in mail.body
    alert.refresh_from_db()
    assert alert.last_sent_at is not None


def test_nothing_new_sends_no_e_mail(
    people, course, group, mailoutbox, django_capture_on_commit_callbacks
):
    """The group opened for booking before the subscription: the subscriber saw it then."""
    subscribe(people.contact_promen, course)
    assert digest(django_capture_on_commit_callbacks) == 0
    assert not room_mails(mailoutbox)


def test_two_frees_on_one_day_send_one_digest(
    people, course, group, mailoutbox, django_capture_on_commit_callbacks
):
    subscribe(people.contact_promen, course)
    booking = fill(group, people).booking
    for _ in range(2):
        cancel_one(booking, people)
        # What the booking services do after the commit when a full group gets room.
        assert alerts.record_room(group.pk)

    assert digest(django_capture_on_commit_callbacks) == 1
    assert digest(django_capture_on_commit_callbacks) == 0
    (mail,) = room_mails(mailoutbox)
    assert "2 plaatsen" in mail.body  # two seats free, in Dutch

    # The next day the same room is old news; a new free seat is not.
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    assert digest(django_capture_on_commit_callbacks, now=tomorrow) == 0
    cancel_one(booking, people)
    alerts.record_room(group.pk, now=tomorrow)
    assert digest(django_capture_on_commit_callbacks, now=tomorrow) == 1


def test_a_seat_the_waiting_list_takes_records_no_room_and_sends_nothing(
    people, course, group, mailoutbox, django_capture_on_commit_callbacks
):
    subscribe(people.contact_promen, course)
    booking = fill(group, people).booking
    fill(group, people, seats=1, company="konnected")  # waits
    cancel_one(booking, people)
    assert Seat.objects.waitlisted().count() == 0

    assert not alerts.record_room(group.pk)
    assert not RoomNotice.objects.exists()
    assert digest(django_capture_on_commit_callbacks) == 0
    assert not room_mails(mailoutbox)


def test_services_record_no_room_for_a_seat_the_waiting_list_takes(
    people, course, group, mailoutbox, django_capture_on_commit_callbacks
):
    subscribe(people.contact_promen, course)
    booking = fill(group, people).booking
    fill(group, people, seats=1, company="konnected")
    with django_capture_on_commit_callbacks(execute=True):
        cancel_one(booking, people)
    # The services' wiring exists (a free seat in a group without a waiting list is
    # recorded), and it did not fire here.
    other = CourseGroupFactory(course=course, library=people.gouda, location=group.location)
    other_booking = fill(other, people).booking
    with django_capture_on_commit_callbacks(execute=True):
        cancel_one(other_booking, people)
    assert set(RoomNotice.objects.values_list("group_id", flat=True)) == {other.pk}


def test_services_alert_once_for_a_seat_freed_in_a_group_without_a_waiting_list(
    people, course, group, mailoutbox, django_capture_on_commit_callbacks
):
    subscribe(people.contact_promen, course)
    booking = fill(group, people).booking
    with django_capture_on_commit_callbacks(execute=True):
        cancel_one(booking, people)
    assert digest(django_capture_on_commit_callbacks) == 1
    assert digest(django_capture_on_commit_callbacks) == 0
    assert len(room_mails(mailoutbox)) == 1


def test_a_seat_freed_in_a_group_without_a_waiting_list_alerts_once(
    people, course, group, mailoutbox, django_capture_on_commit_callbacks
):
    subscribe(people.contact_promen, course)
    booking = fill(group, people).booking
    cancel_one(booking, people)
    assert alerts.record_room(group.pk)
    assert digest(django_capture_on_commit_callbacks) == 1
    assert digest(django_capture_on_commit_callbacks) == 0
    assert len(room_mails(mailoutbox)) == 1


def test_the_digest_matches_level_place_and_organisation(
    people, course, group, mailoutbox, django_capture_on_commit_callbacks
):
    deventer = LocationFactory(organisation=people.deventer, city="Deventer")
    opened = timezone.now() - datetime.timedelta(hours=1)
    CourseGroup.objects.filter(pk=group.pk).update(booking_opens_at=opened)
    level_two = CourseGroupFactory(
        course=course, library=people.deventer, location=deventer, level=2
    )
    only_konnected = CourseGroupFactory(
        course=course,
        library=people.deventer,
        location=deventer,
        restricted_to=people.konnected,
    )
    other_course = CourseGroupFactory(
        course=CoursePageFactory(parent=course.get_parent()), library=people.gouda
    )
    CourseGroup.objects.filter(pk__in=[level_two.pk, only_konnected.pk, other_course.pk]).update(
        booking_opens_at=opened
    )
    wishes = {
        "gouda": subscribe(people.contact_promen, course, municipality="gouda"),
        "level 2": subscribe(people.contact_promen, course, level=2),
        "place": subscribe(people.contact_promen, course, location=group.location),
        "konnected": subscribe(people.contact_konnected, course, municipality="Deventer"),
        "promen in deventer": subscribe(people.contact_promen, course, municipality="Deventer"),
    }
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert alerts.send_room_alerts() == 5
    # A task carries ids only: the subscription and the groups, nothing about people.
    queued = {callback.args[0]: callback.args[1] for callback in callbacks}
    assert queued == {
        wishes["gouda"].pk: [group.pk],
        wishes["level 2"].pk: [level_two.pk],
        wishes["place"].pk: [group.pk],
        wishes["konnected"].pk: sorted([level_two.pk, only_konnected.pk]),
        # The other group in Deventer is only for KonnecteD.
        wishes["promen in deventer"].pk: [level_two.pk],
    }


def test_held_seats_are_no_room(people, course, group, django_capture_on_commit_callbacks):
    subscribe(people.contact_konnected, course)
    fill(group, people, seats=3)
    services.hold_seats(
        group=group,
        organisation=people.promen,
        seats=2,
        held_until=timezone.localdate() + datetime.timedelta(days=3),
        by=people.coordinator_gouda,
        reason="Voor de nieuwe collega's",
    )
    assert not alerts.record_room(group.pk)
    open_since(group, timezone.now() - datetime.timedelta(hours=1))
    assert digest(django_capture_on_commit_callbacks) == 0


def test_a_hold_that_runs_out_in_a_full_group_is_room(
    people, course, group, django_capture_on_commit_callbacks
):
    subscribe(people.contact_konnected, course)
    fill(group, people, seats=group.capacity - 2)
    services.hold_seats(
        group=group,
        organisation=people.promen,
        seats=2,
        held_until=timezone.localdate(),
        by=people.coordinator_gouda,
        reason="Voor de nieuwe collega's",
    )
    assert not RoomNotice.objects.exists()
    SeatHold.objects.update(held_until=timezone.localdate() - datetime.timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert services.release_overdue_holds() == 1

    assert list(RoomNotice.objects.values_list("group_id", flat=True)) == [group.pk]


def test_reserving_never_records_room(people, course, group, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        fill(group, people, seats=1)
        fill(group, people, company="konnected")
    assert not RoomNotice.objects.exists()


def test_a_group_full_again_before_the_digest_is_left_out(
    people, course, group, mailoutbox, django_capture_on_commit_callbacks
):
    subscribe(people.contact_promen, course)
    booking = fill(group, people).booking
    cancel_one(booking, people)
    alerts.record_room(group.pk)
    fill(group, people, seats=1, company="konnected")
    assert digest(django_capture_on_commit_callbacks) == 0
    assert not room_mails(mailoutbox)


def test_the_daily_command_sends_the_digest(
    people, course, group, mailoutbox, django_capture_on_commit_callbacks, capsys
):
    subscribe(people.contact_promen, course)
    open_since(group, timezone.now() - datetime.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_room_alerts")
    assert "Queued 1 room alert e-mail(s)." in capsys.readouterr().out
    assert len(room_mails(mailoutbox)) == 1


# -- the e-mail --------------------------------------------------------------------------------


@pytest.fixture
def opened(people, course, group, english):
    """The group opened for booking an hour ago; the course has an English title."""
    english_course = translate(course, english)
    english_course.title = "Click & Tap"
    english_course.save_revision().publish()
    open_since(group, timezone.now() - datetime.timedelta(hours=1))
    return group


@pytest.mark.parametrize(
    ("language", "subject", "words"),
    [
        ("nl", "Er is plek: Klik & Tik", ["Hallo,", "niveau 1", "Vrij: 5 plaatsen"]),
        ("en", "There is room: Click & Tap", ["Hello,", "level 1", "Free: 5 seats"]),
    ],
)
def test_the_e_mail_is_in_the_subscribers_language(
    people, course, opened, mailoutbox, django_capture_on_commit_callbacks, language, subject, words
):
    subscribe(people.contact_promen, course, language=language)
    with translation.override("en" if language == "nl" else "nl"):  # whatever the worker speaks
        digest(django_capture_on_commit_callbacks)
    (mail,) = room_mails(mailoutbox)
    assert mail.subject == subject
    assert mail.extra_headers["Content-Language"] == language
    html = mail.alternatives[0][0]
    for word in words:
        assert word in mail.body
        assert word in html
    assert f"/{language}/" in mail.extra_headers["List-Unsubscribe"]


def test_the_e_mail_has_the_one_click_unsubscribe_headers_and_link(
    people, course, opened, mailoutbox, django_capture_on_commit_callbacks
):
    alert = subscribe(people.contact_promen, course)
    digest(django_capture_on_commit_callbacks)
    (mail,) = room_mails(mailoutbox)
    with translation.override("nl"):
        url = "http://testserver" + reverse(
            "portal:alert_unsubscribe", kwargs={"token": alert.token}
        )
    assert mail.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in mail.body
    assert f'href="{url}"' in mail.alternatives[0][0]
    message = mail.message()
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_an_unsubscribed_alert_gets_no_e_mail(
    people, course, opened, mailoutbox, django_capture_on_commit_callbacks
):
    alert = subscribe(people.contact_promen, course)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        alerts.send_room_alerts()
    alerts.unsubscribe(alert)
    for callback in callbacks:  # the queued mail runs after the unsubscribe
        callback()
    assert not room_mails(mailoutbox)


# -- unsubscribing without logging in ---------------------------------------------------------


def unsubscribe_url(alert, language="nl"):
    with translation.override(language):
        return reverse("portal:alert_unsubscribe", kwargs={"token": alert.token})


def test_the_unsubscribe_link_works_without_login_and_only_for_that_alert(people, course):
    alert = subscribe(people.contact_promen, course)
    other = subscribe(people.contact_promen, course, level=2)
    browser = Client(enforce_csrf_checks=True)

    page = browser.get(unsubscribe_url(alert))
    assert page.status_code == 200
    assert "Stop deze e-mails" in page.content.decode()
    alert.refresh_from_db()
    assert alert.unsubscribed_at is None  # a GET (a mail scanner, say) changes nothing

    # The mail program's one-click POST, without a CSRF token (RFC 8058).
    done = browser.post(
        unsubscribe_url(alert),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert done.status_code == 200
    assert "Je krijgt geen e-mails meer" in done.content.decode()
    alert.refresh_from_db()
    other.refresh_from_db()
    assert alert.unsubscribed_at is not None
    assert other.unsubscribed_at is None
    assert list(alerts.alerts_of(people.contact_promen)) == [other]

    # Again: the same answer, nothing else changes.
    assert browser.post(unsubscribe_url(alert)).status_code == 200
    assert browser.get(unsubscribe_url(alert)).status_code == 200
    other.refresh_from_db()
    assert other.unsubscribed_at is None


def test_a_wrong_token_is_not_found(people, course, client):
    alert = subscribe(people.contact_promen, course)
    alert.token = "not-" + alert.token[4:]
    assert client.get(unsubscribe_url(alert)).status_code == 404
    assert client.post(unsubscribe_url(alert)).status_code == 404
    assert RoomAlert.objects.active().count() == 1


def test_the_unsubscribe_page_is_in_english_too(people, course, client):
    alert = subscribe(people.contact_promen, course, language="en")
    page = client.get(unsubscribe_url(alert, "en"))
    assert "Stop these e-mails" in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]


def test_old_unsubscribed_alerts_are_deleted(people, course):
    alert = subscribe(people.contact_promen, course)
    alerts.unsubscribe(alert, now=timezone.now() - datetime.timedelta(days=31))
    kept = subscribe(people.contact_promen, course, level=1)
    alerts.unsubscribe(kept)
    alerts.send_room_alerts()
    assert list(RoomAlert.objects.all()) == [kept]


# -- the portal --------------------------------------------------------------------------------


def alerts_page():
    return reverse("portal:alerts")


def test_the_portal_page_is_for_contact_persons(client, people):
    with translation.override("nl"):
        url = alerts_page()
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(people.coordinator_gouda)
    assert client.get(url).status_code == 403


def test_a_contact_person_adds_and_stops_an_alert_in_the_portal(
    promen_client, people, course, group, in_english
):
    page = promen_client.get(alerts_page())
    assert page.status_code == 200
    assert "You have no alerts yet." in page.content.decode()
    assert 'aria-current="page"' in page.content.decode()

    response = promen_client.post(
        alerts_page(), {"course": str(course.translation_key), "level": "1"}, follow=True
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Done. We e-mail you when there is room: Klik &amp; Tik, level 1." in text
    (alert,) = alerts.alerts_of(people.contact_promen)
    assert alert.level == 1 and alert.language == "en"
    assert "Now 1 group has room." in text

    again = promen_client.post(
        alerts_page(), {"course": str(course.translation_key), "level": "1"}, follow=True
    )
    assert "You already had this alert" in again.content.decode()
    assert alerts.alerts_of(people.contact_promen).count() == 1

    stop = reverse("portal:alert_stop", kwargs={"pk": alert.pk})
    assert promen_client.get(stop).status_code == 200
    stopped = promen_client.post(stop, follow=True)
    assert "You no longer get e-mails about Klik &amp; Tik, level 1." in stopped.content.decode()
    assert not alerts.alerts_of(people.contact_promen).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a course."),
        ({"course": "nonsense"}, "Choose a course from the list."),
        ({"course": "COURSE", "level": "7"}, "Choose a level from the list."),
        (
            {"course": "COURSE", "location": "LOCATION", "municipality": "Gouda"},
            "Fill in a location or a municipality, not both.",
        ),
    ],
)
def test_a_wrong_portal_form_says_what_to_change(
    promen_client, people, course, group, in_english, data, message
):
    values = {"COURSE": str(course.translation_key), "LOCATION": str(group.location.pk)}
    data = {name: values.get(value, value) for name, value in data.items()}
    response = promen_client.post(alerts_page(), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RoomAlert.objects.exists()


def test_another_contact_persons_alert_cannot_be_stopped(client, people, course, in_english):
    alert = subscribe(people.contact_konnected, course)
    client.force_login(people.contact_promen)
    stop = reverse("portal:alert_stop", kwargs={"pk": alert.pk})
    assert client.get(stop).status_code == 404
    assert client.post(stop).status_code == 404
    alert.refresh_from_db()
    assert alert.unsubscribed_at is None
    assert "You have no alerts yet." in client.get(alerts_page()).content.decode()


# -- the API -----------------------------------------------------------------------------------


def api_post(client, body, **headers):
    return client.post(API, json.dumps(body), content_type="application/json", headers=headers)


def test_api_create_list_read_and_delete(client, people, course):
    client.force_login(people.contact_promen)
    assert client.get(API).json() == {"count": 0, "items": []}

    created = api_post(client, {"course_id": course.pk, "level": 2, "municipality": " Gouda "})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["course"] == {"id": course.pk, "title": "Klik & Tik", "slug": course.slug}
    assert body["level"] == 2 and body["municipality"] == "Gouda"
    assert body["language"] == "nl" and body["last_sent_at"] is None
    assert body["description"] == "Klik & Tik, niveau 2, in Gouda"

    same = api_post(client, {"course_id": course.pk, "level": 2, "municipality": "gouda"})
    assert same.status_code == 200 and same.json()["id"] == body["id"]

    listed = client.get(API).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
    assert client.get(f"{API}/{body['id']}").json() == listed["items"][0]

    deleted = client.delete(f"{API}/{body['id']}")
    assert deleted.status_code == 204
    assert client.get(f"{API}/{body['id']}").status_code == 404
    assert client.delete(f"{API}/{body['id']}").status_code == 404
    assert client.get(API).json()["count"] == 0


def test_api_a_course_that_does_not_exist_is_a_clear_404(client, people, course):
    client.force_login(people.contact_promen)
    response = api_post(client, {"course_id": 999999}, **EN)
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found"
    assert body["errors"] == [
        {"field": "course_id", "message": "There is no course with this number."}
    ]
    assert not RoomAlert.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "course_id"),
        ({"course_id": "1"}, "course_id"),
        ({"course_id": 1, "level": 4}, "level"),
        ({"course_id": 1, "level": "2"}, "level"),
        ({"course_id": 1, "municipality": "x" * 101}, "municipality"),
        ({"course_id": 1, "language": "de"}, "language"),
        ({"course_id": 1, "user": 3}, "user"),
    ],
)
def test_api_wrong_fields_are_named(client, people, course, body, field):
    client.force_login(people.contact_promen)
    response = api_post(client, body)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert not RoomAlert.objects.exists()


def test_api_another_users_alert_is_not_found(client, people, course):
    alert = subscribe(people.contact_konnected, course)
    client.force_login(people.contact_promen)
    assert client.get(f"{API}/{alert.pk}").status_code == 404
    assert client.delete(f"{API}/{alert.pk}").status_code == 404
    assert client.get(API).json()["count"] == 0
    alert.refresh_from_db()
    assert alert.unsubscribed_at is None


def test_api_is_for_contact_persons_only(client, people, course):
    assert client.get(API).status_code == 401
    assert api_post(client, {"course_id": course.pk}).status_code == 401
    client.force_login(people.coordinator_gouda)
    assert client.get(API).status_code == 403
    assert api_post(client, {"course_id": course.pk}).status_code == 403


def test_the_openapi_document_describes_the_alerts(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/alerts"]) == {"get", "post"}
    assert set(paths["/api/v1/alerts/{alert_id}"]) == {"get", "delete"}
    for path in ("/api/v1/alerts", "/api/v1/alerts/{alert_id}"):
        for operation in paths[path].values():
            errors = set(operation["responses"])
            assert {"401", "403", "422", "429"} <= errors
            assert "404" in errors or "{" not in path
            schemes = [next(iter(option)) for option in operation["security"]]
            assert schemes == ["BearerToken", "SessionCookie"]
    assert {"200", "201"} <= set(paths["/api/v1/alerts"]["post"]["responses"])


def test_api_stopping_answers_204_without_a_body(client, people, course):
    alert = subscribe(people.contact_promen, course)
    client.force_login(people.contact_promen)
    response = client.delete(f"{API}/{alert.pk}")
    assert response.status_code == 204
    assert response.content == b""


# -- the coordinator announces room ------------------------------------------------------------


def announce_url(group):
    return reverse("booking_alerts:announce_room", kwargs={"pk": group.pk})


def test_the_coordinator_announces_room_at_once(
    client, staff, course, group, mailoutbox, django_capture_on_commit_callbacks
):
    alert = subscribe(staff.contact_promen, course)
    subscribe(staff.contact_konnected, course, level=3)  # another level: not told
    client.force_login(staff.coordinator_gouda)

    page = client.get(announce_url(group))
    assert page.status_code == 200
    assert "1 contact person asked for an e-mail" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(announce_url(group), follow=True)
    assert response.status_code == 200
    (mail,) = room_mails(mailoutbox)
    assert mail.to == [staff.contact_promen.email]

    # It counts as the day's e-mail, and the group is announced once a day.
    alert.refresh_from_db()
    assert alert.last_sent_at is not None
    alerts.record_room(group.pk)
    assert digest(django_capture_on_commit_callbacks) == 0
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(announce_url(group))
    assert again.status_code == 200
    assert "You already announced the room in this group today." in again.content.decode()
    assert len(room_mails(mailoutbox)) == 1


def test_a_full_group_cannot_be_announced(
    client, staff, course, group, mailoutbox, django_capture_on_commit_callbacks
):
    subscribe(staff.contact_promen, course)
    fill(group, staff)
    client.force_login(staff.coordinator_gouda)
    page = client.get(announce_url(group)).content.decode()
    assert "This group has no free seat, so there is no room to announce." in page
    assert "Send the e-mail now" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(announce_url(group))
    assert not room_mails(mailoutbox)
    assert not RoomNotice.objects.filter(announced_at__isnull=False).exists()


@pytest.mark.parametrize("who", ["coordinator_deventer", "contact_promen", None])
def test_others_cannot_announce_room(
    client, staff, course, group, mailoutbox, django_capture_on_commit_callbacks, who
):
    subscribe(staff.contact_promen, course)
    if who:
        client.force_login(getattr(staff, who))
    assert is_refusal(client.get(announce_url(group)))
    with django_capture_on_commit_callbacks(execute=True):
        assert is_refusal(client.post(announce_url(group)))
    assert not room_mails(mailoutbox)
    assert not RoomNotice.objects.exists()


def test_another_librarys_coordinator_gets_a_404(client, staff, group):
    client.force_login(staff.coordinator_deventer)
    assert client.get(announce_url(group)).status_code == 404
    assert client.post(announce_url(group)).status_code == 404


def test_the_service_refuses_others_too(people, group):
    with pytest.raises(NotAllowed):
        alerts.announce_room(group=group, by=people.coordinator_deventer)
    with pytest.raises(NotAllowed):
        alerts.announce_room(group=group, by=people.contact_promen)


# -- the Atom feed -----------------------------------------------------------------------------


def feed_url(course, language="nl"):
    with translation.override(language):
        return reverse("course_room_feed", kwargs={"slug": course.slug})


def test_the_feed_lists_only_groups_with_room(client, course_site, people):
    course = course_site.course
    place = LocationFactory(organisation=people.gouda, city="Gouda")
    with_room = CourseGroupFactory(course=course, library=people.gouda, location=place)
    full = CourseGroupFactory(course=course, library=people.gouda, location=place, capacity=1)
    fill(full, people)
    CourseGroupFactory(
        course=course, library=people.gouda, location=place, restricted_to=people.promen
    )
    CourseGroupFactory(course=course, library=people.gouda, location=place, draft=True)
    CourseGroupFactory(course=course, library=people.gouda, location=place, closed_window=True)

    response = client.get(feed_url(course))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "no-cache" in response["Cache-Control"]
    feed = ElementTree.fromstring(response.content)  # noqa: S314 - our own response
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}title").text == "Plek in Klik & Tik"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    (entry,) = entries
    assert entry.find(f"{ATOM}title").text == "Klik & Tik, niveau 1, Gouda: 5 plaatsen vrij"
    link = entry.find(f"{ATOM}link").get("href")
    assert link.startswith("http://testserver/nl/") and link.endswith(
        f"#group-{with_room.pk}-title"
    )


def test_the_feed_parses_as_atom(client, course_site, people):
    feedparser = pytest.importorskip("feedparser")
    CourseGroupFactory(course=course_site.course, library=people.gouda)
    parsed = feedparser.parse(client.get(feed_url(course_site.course, "en")).content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert len(parsed.entries) == 1
    assert parsed.entries[0].title.endswith("5 seats free")


def test_an_unknown_course_has_no_feed(client, course_site):
    assert client.get(feed_url(SimpleNamespace(slug="bestaat-niet"))).status_code == 404


def test_the_course_page_links_its_feed(client, course_site):
    page = client.get(course_site.course.url).content.decode()
    assert (
        f'<link rel="alternate" type="application/atom+xml" href="{feed_url(course_site.course)}"'
        in page
    )


# -- valid markup ------------------------------------------------------------------------------


def test_the_alert_pages_and_the_e_mail_are_valid_html(
    client, people, course, group, mailoutbox, django_capture_on_commit_callbacks
):
    missing = nu_checker_missing()
    if missing:
        pytest.skip(missing)
    alert = subscribe(people.contact_promen, course, municipality="Gouda")
    stopped = subscribe(people.contact_promen, course, level=2)
    alerts.unsubscribe(stopped)
    open_since(group, timezone.now() - datetime.timedelta(hours=1))
    digest(django_capture_on_commit_callbacks)
    (mail,) = room_mails(mailoutbox)
    pages = {"e-mail": mail.alternatives[0][0]}
    for lang in ("nl", "en"):
        client.logout()
        pages[f"unsubscribe ({lang})"] = client.get(unsubscribe_url(alert, lang)).content.decode()
        pages[f"unsubscribed ({lang})"] = client.get(
            unsubscribe_url(stopped, lang)
        ).content.decode()
        client.force_login(people.contact_promen)
        with translation.override(lang):
            pages[f"alerts ({lang})"] = client.get(alerts_page()).content.decode()
            pages[f"alerts with errors ({lang})"] = client.post(
                alerts_page(), {"level": "9"}
            ).content.decode()
            stop = reverse("portal:alert_stop", kwargs={"pk": alert.pk})
            pages[f"stop ({lang})"] = client.get(stop).content.decode()
    for name, html in pages.items():
        assert markup_problems(html) == [], name
    assert {name: errors for name, errors in nu_errors(pages).items() if errors} == {}
