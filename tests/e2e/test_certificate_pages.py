"""Certificates in Chromium on a phone (390 px): KonnecteD's contact person opens the demo's
completed group at Deventer, makes a certificate for Arjen with the keyboard alone, checks
the preview and downloads the PDF. axe-core checks the form and the preview in Dutch and
English. Nothing is saved, so the demo stays as the other browser tests expect it."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from booking.models import CourseGroup, Seat

from .test_portal import PHONE, address, check, log_in, tab_to
from .test_visitor_journey import expect_path

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

AXE = Axe()
NAME = "Arjen Şahin-de Boer"
HEADING = {"nl": "Certificaat maken", "en": "Make a certificate"}
PREVIEW = {"nl": "Zo ziet het certificaat eruit", "en": "This is how the certificate looks"}


def arjen() -> Seat:
    """Arjen of KonnecteD was at all five sessions of the demo's completed Deventer group."""
    return Seat.objects.get(
        booking__organisation__slug="konnected",
        booking__group__library__slug="bibliotheek-deventer",
        booking__group__status=CourseGroup.Status.COMPLETED,
        first_name="Arjen",
        status=Seat.Status.CONFIRMED,
    )


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_contact_person_makes_a_certificate_with_the_keyboard(
    browser, live_site, screenshot, lang
):
    seat = arjen()
    page = browser.new_page(base_url=live_site.url, viewport=PHONE)
    log_in(page, lang, "contact-konnected")
    page.goto(address(lang, "portal:booking", pk=seat.booking_id))
    form_path = address(lang, "portal:seat_certificate", pk=seat.pk)
    tab_to(page, f'a[href="{form_path}"]')
    page.keyboard.press("Enter")
    expect_path(page, form_path)
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADING[lang])
    problems = check(page, screenshot, lang, "certificate-form", None)

    tab_to(page, "#id_name")
    page.keyboard.type(NAME)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=PREVIEW[lang])).to_be_visible()
    expect(page.locator(".certificate")).to_contain_text(NAME)
    problems += check(page, screenshot, lang, "certificate-preview", None)

    download_button = tab_to(page, 'button[value="pdf"]')
    with page.expect_download() as download:
        download_button.press("Enter")
    suggested = download.value.suggested_filename
    assert suggested.endswith(".pdf") and "klik-tik" in suggested
    assert problems == []
    page.close()
