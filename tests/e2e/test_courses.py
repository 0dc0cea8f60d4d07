"""The demo's course pages in Chromium: no axe-core violation in Dutch and English on a phone and
a desktop screen, no sideways scrolling on a narrow phone, and a visitor who goes from the list
of courses to a course sees the same free seats there as in the list."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .pages import COURSE_PAGES, LANGUAGES
from .test_accessibility import DESKTOP, HEIGHT, PHONE, assert_no_sideways_scroll
from .test_visitor_journey import assert_focus_is_visible, expect_path

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

AXE = Axe()
SHOWN = ["courses", "klik-en-tik"]


def open_course_page(page, key, lang, width):
    page.set_viewport_size({"width": width, "height": HEIGHT})
    response = page.goto(COURSE_PAGES[key][lang])
    assert response.ok, f"{response.status} for {COURSE_PAGES[key][lang]}"
    expect(page.locator("html")).to_have_attribute("lang", lang)


def numbers_in(text):
    return [int(number) for number in re.findall(r"\d+", text)]


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", SHOWN)
def test_axe_finds_no_violations_on_course_pages(page, screenshot, key, lang, width):
    open_course_page(page, key, lang, width)
    if key != "courses":
        expect(page.locator(".group-card").first).to_be_visible()
    results = AXE.run(page)
    screenshot(page, lang, key)
    assert results.violations_count == 0, results.generate_report()
    assert_no_sideways_scroll(page)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", [*SHOWN, "digisterker"])
def test_course_pages_do_not_scroll_sideways_at_320_px(page, screenshot, key, lang):
    open_course_page(page, key, lang, 320)
    screenshot(page, lang, key)
    assert_no_sideways_scroll(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_visitor_finds_the_same_free_seats_on_the_list_and_the_course(page, screenshot, lang):
    open_course_page(page, "courses", lang, PHONE)
    card = page.locator(".course-card").filter(has=page.locator('a[href$="/klik-en-tik/"]'))
    summary = card.locator(".course-card__groups").inner_text()
    groups, free = numbers_in(summary)

    link = card.get_by_role("link")
    link.focus()
    assert_focus_is_visible(card)
    box = link.bounding_box()
    assert box["height"] >= 44, f"the course link is a small target: {box}"
    page.keyboard.press("Enter")

    expect_path(page, COURSE_PAGES["klik-en-tik"][lang])
    cards = page.locator(".group-card")
    expect(cards).to_have_count(groups)
    seats = [numbers_in(text) for text in page.locator(".group-card__seats").all_inner_texts()]
    assert sum(sum(found) for found in seats) == free
    for group in cards.all():
        sessions = group.locator("tbody tr")
        assert sessions.count() >= 1
        expect(sessions.first.locator("time").first).to_have_attribute(
            "datetime", re.compile(r"^\d{4}-\d{2}-\d{2}$")
        )
    screenshot(page, lang, "klik-en-tik")
