"""The demo site in Dutch, in Chromium: a visitor and a contact person read "je", never "u"
(docs/writing.md), in the page text and in the labels a screen reader reads out."""

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from demo.accounts import DEMO_PASSWORD
from tests.core.test_form_of_address import form_of_address_problems

from .pages import COURSE_PAGES, PAGES
from .test_visitor_journey import expect_path

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PHONE = {"width": 390, "height": 900}
READ_TEXT = """() => {
    const labels = [...document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')]
        .flatMap(el => ['aria-label', 'title', 'placeholder', 'alt'].map(a => el.getAttribute(a)))
        .filter(Boolean);
    return document.body.innerText + ' / ' + labels.join(' / ');
}"""


def dutch(name, **kwargs):
    with translation.override("nl"):
        return reverse(name, kwargs=kwargs)


def read(page):
    """What a reader of the page gets: its text and its spoken labels."""
    return page.evaluate(READ_TEXT)


def assert_says_je(page, *expected):
    text = read(page)
    for phrase in expected:
        assert phrase in text
    assert form_of_address_problems(text) == []


@pytest.mark.parametrize("width", [PHONE["width"], 1280])
def test_a_visitor_reads_je_from_the_home_page_to_the_thank_you(page, screenshot, width):
    page.set_viewport_size({**PHONE, "width": width})
    for path in (
        PAGES["home"]["nl"],
        COURSE_PAGES["courses"]["nl"],
        COURSE_PAGES["klik-en-tik"]["nl"],
        COURSE_PAGES["digisterker"]["nl"],
        PAGES["contact"]["nl"],
    ):
        page.goto(path)
        assert_says_je(page)
    page.goto(COURSE_PAGES["klik-en-tik"]["nl"])
    assert_says_je(page, "Wat je leert", "Wat je meeneemt")
    screenshot(page, "nl", "course")

    page.goto(PAGES["contact"]["nl"])
    page.locator("#id_organisation").fill("Bibliotheek Gouda")
    page.locator("#id_kind").select_option("Bibliotheek")
    page.locator("#id_municipality").fill("Gouda")
    page.locator("#id_email").fill("taalhuis@example.nl")
    page.locator("#id_message").fill("Wij willen graag samenwerken.")
    page.locator('main form button[type="submit"]').click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt voor je bericht")
    assert_says_je(page, "We nemen binnen vijf werkdagen contact met je op.")
    screenshot(page, "nl", "thank-you")


@pytest.mark.parametrize("width", [PHONE["width"], 1280])
def test_a_contact_person_reads_je_in_the_portal(page, screenshot, width):
    page.set_viewport_size({**PHONE, "width": width})
    page.goto(dutch("accounts:login"))
    assert_says_je(page)
    page.locator("#id_username").fill("contact-promen")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator('main form button[type="submit"]').click()
    expect_path(page, dutch("portal:overview"))
    assert_says_je(page, "Je organisatie heeft", "Jouw account")
    screenshot(page, "nl", "overview")

    for name in ("portal:find_groups", "portal:calendar", "portal:api_keys"):
        page.goto(dutch(name))
        assert_says_je(page)
    screenshot(page, "nl", "api-keys")

    page.goto(dutch("portal:overview"))
    page.locator(".portal-card__title a").first.click()
    expect(page.locator(".portal-back")).to_be_visible()
    assert_says_je(page)
    screenshot(page, "nl", "booking")
