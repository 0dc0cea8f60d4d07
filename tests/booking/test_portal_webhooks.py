"""The portal's webhook pages: add one and see its secret once, rotate, turn off and on,
delete, send a test event, the delivery log with "send again"; only for the organisation's own
contact persons."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from booking import webhooks
from booking.models import WebhookDelivery, WebhookEndpoint
from tests.helpers import text_of
from tests.html_checker import markup_problems

from .factories import UserFactory
from .test_webhooks import Receiver, assert_signed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


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


def page(pk, name="portal:webhook"):
    return reverse(name, kwargs={"pk": pk})


def test_adding_a_webhook_shows_its_secret_once(promen_client, people, receiver):
    listing = promen_client.get(reverse("portal:webhooks"))
    text = text_of(listing)
    assert "A webhook tells your own system at once" in text
    assert "Leerplein-Signature" in text
    assert "You have no webhooks yet." in text

    response = promen_client.post(
        reverse("portal:webhooks"), {"url": receiver.url, "description": "AFAS productie"}
    )

    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.organisation, endpoint.created_by) == (people.promen, people.contact_promen)
    assert endpoint.description == "AFAS productie"
    body = response.content.decode()
    assert f'value="{endpoint.secret}"' in body
    assert "Copy the secret now. We show it only this once." in text_of(response)
    assert markup_problems(body) == []

    # Never again: not on the list, not on the webhook's own page.
    for url in (reverse("portal:webhooks"), page(endpoint.pk)):
        again = promen_client.get(url)
        assert endpoint.secret not in again.content.decode()
    assert receiver.url[:40] in text_of(promen_client.get(reverse("portal:webhooks")))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Fill in the address of your system."),
        ("not a url", "This is not a web address."),
        ("http://hr.example.nl/hook", "The address must start with https://"),
        ("https://hr.example.nl/" + "a" * 500, "at most 500 characters long. Yours has 522."),
        ("https://10.0.0.1/hook", "The address leads to a private or local network (10.0.0.1)."),
        ("https://localhost/hook", "private or local network"),
    ],
)
def test_a_wrong_address_gets_a_message_and_saves_nothing(promen_client, settings, url, message):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False

    response = promen_client.post(reverse("portal:webhooks"), {"url": url})

    assert response.status_code == 200
    text = text_of(response)
    assert "Please check the form" in text
    assert message in text
    assert 'id="error-summary"' in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_message_is_dutch_on_the_dutch_page(promen_client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with translation.override("nl"):
        url = reverse("portal:webhooks")
    assert url.startswith("/nl/")
    response = promen_client.post(url, {"url": "http://hr.example.nl/hook"})
    assert "moet beginnen met https://" in text_of(response)
    assert not WebhookEndpoint.objects.exists()


def test_a_too_long_description_is_refused(promen_client, receiver):
    response = promen_client.post(
        reverse("portal:webhooks"), {"url": receiver.url, "description": "x" * 201}
    )
    assert "at most 200 characters" in text_of(response)
    assert not WebhookEndpoint.objects.exists()


def test_the_sixth_webhook_is_refused_with_a_message(promen_client, people, receiver):
    for number in range(5):
        webhooks.create_endpoint(
            organisation=people.promen, url=f"{receiver.url}&n={number}", by=people.contact_promen
        )
    listing = promen_client.get(reverse("portal:webhooks"))
    assert "the most it can have" in text_of(listing)

    response = promen_client.post(reverse("portal:webhooks"), {"url": receiver.url})

    assert "at most 5 webhooks" in text_of(response)
    assert WebhookEndpoint.objects.count() == 5


def test_a_test_event_arrives_signed_and_shows_in_the_log(
    promen_client, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = promen_client.post(page(endpoint.pk), {"action": "test"}, follow=True)

    assert "A test event is on its way." in text_of(response)
    (request,) = receiver.received
    assert_signed(request, endpoint.secret)
    assert json.loads(request.body)["type"] == "ping"
    log = promen_client.get(page(endpoint.pk))
    text = text_of(log)
    assert "ping" in text
    assert "Delivered" in text
    assert "200" in text
    assert markup_problems(log.content.decode()) == []


def test_a_failed_event_can_be_sent_again(
    promen_client, endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.answers = [500, 500]
    with django_capture_on_commit_callbacks(execute=True):
        promen_client.post(page(endpoint.pk), {"action": "test"})
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    log = promen_client.get(page(endpoint.pk))
    assert "Failed" in text_of(log)
    assert "Send again" in text_of(log)

    with django_capture_on_commit_callbacks(execute=True):
        response = promen_client.post(
            page(endpoint.pk), {"action": "again", "delivery": delivery.pk}, follow=True
        )

    assert "The event is sent again." in text_of(response)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert len({r.headers["Leerplein-Delivery"] for r in receiver.received}) == 1
    assert len(receiver.received) == 3


def test_rotating_shows_the_new_secret_once_and_the_old_one_still_signs(
    promen_client, endpoint, receiver, django_capture_on_commit_callbacks
):
    old = endpoint.secret
    confirm = promen_client.get(page(endpoint.pk, "portal:webhook_rotate"))
    assert "Do you want a new secret" in text_of(confirm)
    assert WebhookEndpoint.objects.get().secret == old  # opening the page changes nothing

    response = promen_client.post(page(endpoint.pk, "portal:webhook_rotate"))

    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert f'value="{endpoint.secret}"' in response.content.decode()
    assert "keeps working for 24 hours" in text_of(response)
    with django_capture_on_commit_callbacks(execute=True):
        promen_client.post(page(endpoint.pk), {"action": "test"})
    assert_signed(receiver.received[-1], endpoint.secret, old)


def test_turning_off_and_on(promen_client, endpoint):
    response = promen_client.post(page(endpoint.pk), {"action": "off"}, follow=True)
    assert "The webhook is off." in text_of(response)
    assert not WebhookEndpoint.objects.get().active
    response = promen_client.post(page(endpoint.pk), {"action": "test"}, follow=True)
    assert "Turn the webhook on first." in text_of(response)
    assert not WebhookDelivery.objects.exists()

    promen_client.post(page(endpoint.pk), {"action": "on"})
    assert WebhookEndpoint.objects.get().active


def test_deleting_asks_first(promen_client, endpoint):
    confirm = promen_client.get(page(endpoint.pk, "portal:webhook_delete"))
    assert "Do you want to delete the webhook" in text_of(confirm)
    assert WebhookEndpoint.objects.exists()

    response = promen_client.post(page(endpoint.pk, "portal:webhook_delete"), follow=True)

    assert "has been deleted" in text_of(response)
    assert not WebhookEndpoint.objects.exists()


def test_an_unknown_action_or_delivery_changes_nothing(promen_client, endpoint):
    response = promen_client.post(page(endpoint.pk), {"action": "explode"}, follow=True)
    assert "Choose one of the buttons" in text_of(response)
    assert (
        promen_client.post(page(endpoint.pk), {"action": "again", "delivery": "x"}).status_code
        == 404
    )
    assert (
        promen_client.post(page(endpoint.pk), {"action": "again", "delivery": "999999"}).status_code
        == 404
    )


# -- who may -----------------------------------------------------------------------------------


def endpoint_urls(endpoint):
    return [
        page(endpoint.pk),
        page(endpoint.pk, "portal:webhook_rotate"),
        page(endpoint.pk, "portal:webhook_delete"),
    ]


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_organisations_webhooks_answer_404_and_change_nothing(
    client, people, endpoint, method
):
    client.force_login(people.contact_konnected)
    secret = endpoint.secret
    for url in endpoint_urls(endpoint):
        response = getattr(client, method)(url, {"action": "off"})
        assert response.status_code == 404, url
    endpoint.refresh_from_db()
    assert (endpoint.secret, endpoint.active) == (secret, True)
    assert endpoint.organisation.name not in text_of(client.get(reverse("portal:webhooks")))


def test_a_delivery_of_another_webhook_answers_404(client, people, endpoint, receiver):
    theirs = webhooks.create_endpoint(
        organisation=people.konnected, url=receiver.url, by=people.contact_konnected
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=theirs, event_type="ping", status=WebhookDelivery.Status.FAILED
    )
    client.force_login(people.contact_promen)
    response = client.post(page(endpoint.pk), {"action": "again", "delivery": delivery.pk})
    assert response.status_code == 404
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED


@pytest.mark.parametrize("who", ["coordinator_gouda", "admin", "editor"])
def test_coordinators_editors_and_administrators_cannot_open_the_pages(
    client, people, endpoint, who
):
    user = (
        UserFactory(username="editor", is_staff=True) if who == "editor" else getattr(people, who)
    )
    client.force_login(user)
    for url in [reverse("portal:webhooks"), *endpoint_urls(endpoint)]:
        assert client.get(url).status_code == 403, url
        assert (
            client.post(url, {"url": "https://hr.example.nl", "action": "off"}).status_code == 403
        )
    assert WebhookEndpoint.objects.get().active


def test_anonymous_visitors_are_asked_to_sign_in(client, endpoint):
    for url in [reverse("portal:webhooks"), *endpoint_urls(endpoint)]:
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"] or "inloggen" in response["Location"]


def test_a_post_without_csrf_token_is_refused(people, endpoint):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.contact_promen)
    assert client.post(page(endpoint.pk), {"action": "off"}).status_code == 403
    assert client.post(reverse("portal:webhooks"), {"url": "https://x.nl"}).status_code == 403
    assert WebhookEndpoint.objects.get().active


def test_the_menu_marks_the_webhooks_section(promen_client, endpoint):
    listing = promen_client.get(reverse("portal:webhooks")).content.decode()
    detail = promen_client.get(page(endpoint.pk)).content.decode()
    assert f'href="{reverse("portal:webhooks")}" aria-current="page"' in listing
    assert f'href="{reverse("portal:webhooks")}" aria-current="true"' in detail


# -- the log page's cost -----------------------------------------------------------------------


def test_the_log_page_reads_a_fixed_number_of_queries(
    promen_client, endpoint, django_assert_max_num_queries
):
    def log(count):
        WebhookDelivery.objects.bulk_create(
            WebhookDelivery(endpoint=endpoint, event_type="seat.confirmed", attempts=1)
            for _n in range(count)
        )

    log(2)
    with django_assert_max_num_queries(20) as few:
        promen_client.get(page(endpoint.pk))
    log(60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = promen_client.get(page(endpoint.pk))
    assert response.content.decode().count('id="delivery-') == webhooks.LOG_LENGTH


def test_the_log_says_why_a_receiver_gave_no_answer(promen_client, endpoint):
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type="seat.cancelled",
        status=WebhookDelivery.Status.FAILED,
        attempts=8,
        error="TimeoutError: timed out",
        payload={"data": {"seats": [{"first_name": "Zwaantje"}]}},
    )
    response = promen_client.get(page(endpoint.pk))
    text = text_of(response)
    assert "no answer TimeoutError: timed out" in text
    assert "Zwaantje" not in text  # the log never shows what an event said
    assert markup_problems(response.content.decode()) == []
