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
    summary = card.locator(".course-card__groups").first.inner_text()
    groups, free = numbers_in(summary)
    reserved_line = card.locator(".course-card__groups--reserved")
    reserved = numbers_in(reserved_line.inner_text())[0] if reserved_line.count() else 0

    link = card.get_by_role("link")
    link.focus()
    assert_focus_is_visible(card)
    box = link.bounding_box()
    assert box["height"] >= 44, f"the course link is a small target: {box}"
    page.keyboard.press("Enter")

    expect_path(page, COURSE_PAGES["klik-en-tik"][lang])
    cards = page.locator(".group-card")
    expect(cards).to_have_count(groups + reserved)
    # The free seats on the list are those of the groups open to every company.
    open_cards = page.locator(".group-card:not(.group-card--reserved)")
    expect(open_cards).to_have_count(groups)
    seats = [
        numbers_in(text) for text in open_cards.locator(".group-card__seats").all_inner_texts()
    ]
    assert sum(sum(found) for found in seats) == free
    for group in cards.all():
        sessions = group.locator("tbody tr")
        assert sessions.count() >= 1
        expect(sessions.first.locator("time").first).to_have_attribute(
            "datetime", re.compile(r"^\d{4}-\d{2}-\d{2}$")
        )
    screenshot(page, lang, "klik-en-tik")


ALL_PLACES = {"nl": "Alle plaatsen", "en": "All places"}
ONLY_FOR_PROMEN = {"nl": "Alleen voor Promen", "en": "Only for Promen"}


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_visitor_narrows_the_groups_to_one_place_and_back(page, screenshot, lang, width):
    url = COURSE_PAGES["klik-en-tik"][lang]
    open_course_page(page, "klik-en-tik", lang, width)
    places = page.get_by_role("navigation", name=re.compile("plaats|place", re.I))
    everywhere = places.get_by_role("link", name=re.compile(ALL_PLACES[lang]))
    expect(everywhere).to_have_attribute("aria-current", "true")
    total = numbers_in(everywhere.inner_text())[0]
    expect(page.locator(".group-card")).to_have_count(total)
    towns = places.get_by_role("link").all()[1:]
    assert len(towns) >= 2, "the demo course has groups in more than one place"
    assert sum(numbers_in(town.inner_text())[0] for town in towns) == total

    town = towns[-1]
    name, count = town.inner_text().split("(")[0].strip(), numbers_in(town.inner_text())[0]
    assert count < total
    town.focus()
    assert_focus_is_visible(town)
    assert town.bounding_box()["height"] >= 44
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"{re.escape(url)}\?place={re.escape(name)}#groups$"))
    expect(page.locator(".group-card")).to_have_count(count)
    for card in page.locator(".group-card").all():
        expect(card.locator(".group-card__fact dd").first).to_contain_text(name)  # where
    chosen = page.get_by_role("navigation", name=re.compile("plaats|place", re.I))
    expect(chosen.get_by_role("link", name=re.compile(re.escape(name)))).to_have_attribute(
        "aria-current", "true"
    )
    expect(page.locator("#groups-title")).to_be_in_viewport()
    results = AXE.run(page)
    screenshot(page, lang, f"{name}")
    assert results.violations_count == 0, results.generate_report()
    assert_no_sideways_scroll(page)

    chosen.get_by_role("link", name=re.compile(ALL_PLACES[lang])).click()
    expect(page.locator(".group-card")).to_have_count(total)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_group_for_one_company_is_marked_and_shows_no_free_seats(page, screenshot, lang):
    open_course_page(page, "klik-en-tik", lang, PHONE)
    reserved = page.locator(".group-card--reserved")
    expect(reserved).to_have_count(1)  # the demo's group on location at Promen
    seats = reserved.locator(".group-card__seats")
    expect(seats).to_have_text(ONLY_FOR_PROMEN[lang])
    assert numbers_in(seats.inner_text()) == []
    reserved.scroll_into_view_if_needed()
    screenshot(page, lang, "reserved")
