"""axe-core finds no violations on the main kinds of page, in Dutch and English, on a phone and
a desktop screen; and no page scrolls sideways on a narrow phone."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from demo.data import demo_content

from .pages import LANGUAGES, PAGES

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

AXE = Axe()
PHONE, DESKTOP = 390, 1280
HEIGHT = 900
# Submitted empty, every required field is in error, the drop-down too (it starts empty).
FIELDS_IN_ERROR = len(demo_content().pages["contact"].fields["form_fields"])

NO_SIDEWAYS_SCROLL = """() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
})"""


def open_page(page, key, lang, width):
    page.set_viewport_size({"width": width, "height": HEIGHT})
    response = page.goto(PAGES[key][lang])
    assert response.ok, f"{response.status} for {PAGES[key][lang]}"
    expect(page.locator("html")).to_have_attribute("lang", lang)
    if key == "contact-errors":
        page.locator("form.form").get_by_role("button").click()
        summary = page.locator(".error-summary")
        expect(summary).to_be_visible()
        expect(summary).to_be_focused()
        expect(page.locator(".field--error")).to_have_count(FIELDS_IN_ERROR)
        expect(summary.get_by_role("link")).to_have_count(FIELDS_IN_ERROR)
    elif key == "search":
        expect(page.locator(".search-results__item").first).to_be_visible()


def assert_no_sideways_scroll(page):
    sizes = page.evaluate(NO_SIDEWAYS_SCROLL)
    assert sizes["scrollWidth"] <= sizes["innerWidth"], f"the page scrolls sideways: {sizes}"


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", PAGES)
def test_axe_finds_no_violations(page, screenshot, key, lang, width):
    open_page(page, key, lang, width)
    results = AXE.run(page)
    screenshot(page, lang, key)
    assert results.violations_count == 0, results.generate_report()
    assert_no_sideways_scroll(page)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", ["home", "practice-example"])
def test_no_sideways_scroll_at_320_px(page, screenshot, key, lang):
    open_page(page, key, lang, 320)
    screenshot(page, lang, key)
    assert_no_sideways_scroll(page)
