"""The portal's webhook pages in Chromium on a phone (390 px), in Dutch and English: a wrong
address gets an error summary, a right one shows its secret once, a test event reaches a
receiver on loopback and shows in the delivery log. Checked by axe-core and the Nu HTML
Checker; the webhooks made are deleted afterwards."""

import re

import pytest
from playwright.sync_api import expect

from booking.models import WebhookDelivery, WebhookEndpoint
from tests.booking.test_webhooks import Receiver, assert_signed
from tests.html_checker import nu_checker_missing, nu_errors

from .live_data import committed
from .test_portal import LANGUAGES, PHONE, address, check, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

TEXTS = {
    "nl": {
        "add": "Voeg de webhook toe",
        "copied": "Ik heb het geheim gekopieerd",
        "test": "Stuur een testbericht",
        "delivered": "Afgeleverd",
    },
    "en": {
        "add": "Add the webhook",
        "copied": "I have copied the secret",
        "test": "Send a test event",
        "delivered": "Delivered",
    },
}


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()
    committed(lambda: WebhookEndpoint.objects.filter(url=receiver.url).delete())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_adding_a_webhook_shows_the_secret_once_and_the_log(
    browser, live_site, screenshot, receiver, settings, django_capture_on_commit_callbacks, lang
):
    texts = TEXTS[lang]
    page = browser.new_page(base_url=live_site.url, viewport=PHONE)
    log_in(page, lang, "contact-promen")
    listing = address(lang, "portal:webhooks")
    problems = check(page, screenshot, lang, "webhooks", listing)
    pages = {"webhooks": page.content()}

    # The live server runs the test settings, which allow http:// for a receiver on
    # loopback; a production-like refusal is shown with the same error summary.
    page.locator("#id_url").fill("ftp://hr.example.nl/hook")
    page.get_by_role("button", name=texts["add"]).click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("https://hr.example.nl/leerplein")
    expect(page.locator("#id_url")).to_have_attribute("aria-invalid", "true")
    problems += check(page, screenshot, lang, "webhooks-error", None)
    assert not committed(lambda: WebhookEndpoint.objects.filter(url__startswith="ftp:").exists())

    page.locator("#id_url").fill(receiver.url)
    page.get_by_role("button", name=texts["add"]).click()
    secret = page.locator("#webhook-secret")
    expect(secret).to_have_value(re.compile(r"^whsec_[\w-]{40,}$"))
    endpoint = committed(lambda: WebhookEndpoint.objects.get(url=receiver.url))
    assert secret.input_value() == endpoint.secret
    problems += check(page, screenshot, lang, "webhook-secret", None)
    pages["webhook-secret"] = page.content()

    page.get_by_role("link", name=texts["copied"]).click()
    expect(page).to_have_url(re.compile(re.escape(address(lang, "portal:webhook", pk=endpoint.pk))))
    assert endpoint.secret not in page.content()
    # On SQLite the live server shares the test's connection, whose transaction never
    # commits: run the delivery queued "on commit" when the button has done its work.
    with django_capture_on_commit_callbacks(execute=True):
        page.get_by_role("button", name=texts["test"]).click()
        expect(page.locator(".portal-message")).to_be_visible()
    page.reload()
    log = page.locator("table tbody tr")
    expect(log).to_have_count(1)
    expect(log.first).to_contain_text("ping")
    expect(log.first).to_contain_text(texts["delivered"])
    problems += check(page, screenshot, lang, "webhook-log", None)
    pages["webhook-log"] = page.content()
    page.close()

    (request,) = receiver.received
    assert_signed(request, endpoint.secret)
    assert committed(lambda: WebhookDelivery.objects.filter(endpoint=endpoint).count()) == 1
    assert not problems, "\n\n".join(problems)
    if not nu_checker_missing():
        assert nu_errors(pages) == {}
