"""On a phone (390 × 844) every kind of page starts with its own content: the header takes a
small strip, the menu and the stories filters fold away behind a button (a <details>, so they
open without JavaScript too), and a course page leads from its top to how to take part. On a
desktop screen nothing is folded."""

import re

import pytest
from playwright.sync_api import expect

from .pages import COURSE_PAGES, LANGUAGES, PAGES
from .test_visitor_journey import assert_focus_is_visible, expect_path

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
FIRST_SCREEN = {
    **{key: PAGES[key] for key in ("home", "stories", "interview", "practice-example")},
    **{key: PAGES[key] for key in ("about", "contact", "search")},
    "courses": COURSE_PAGES["courses"],
    "course": COURSE_PAGES["klik-en-tik"],
}
# The first block of the page's own content after its title.
CONTENT_START = """h1 => {
    const blocks = [...document.querySelectorAll(
        'main p, main ul, main ol, main form, main dl, main figure, main table')];
    const next = blocks.find(block =>
        h1.compareDocumentPosition(block) & Node.DOCUMENT_POSITION_FOLLOWING
        && block.getBoundingClientRect().height > 0);
    const box = next.getBoundingClientRect();
    return {top: box.top, bottom: box.bottom, text: next.innerText.slice(0, 60)};
}"""
MENU = {"nl": "Menu", "en": "Menu"}
FIND_STORIES = {"nl": "Verhalen zoeken", "en": "Find stories"}
TAKE_PART = {"nl": "Hoe doe ik mee?", "en": "How do I take part?"}
LOG_IN = {"nl": "Inloggen", "en": "Log in"}
MAIN_MENU = {"nl": "Hoofdmenu", "en": "Main menu"}


def open_on(page, url, viewport):
    page.set_viewport_size(viewport)
    response = page.goto(url)
    assert response.ok, f"{response.status} for {url}"


def assert_tap_target(locator):
    box = locator.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, f"a small tap target: {box}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", FIRST_SCREEN)
def test_the_first_screen_on_a_phone_shows_the_pages_content(page, screenshot, key, lang):
    open_on(page, FIRST_SCREEN[key][lang], PHONE)

    header = page.locator(".site-header").bounding_box()
    assert header["y"] + header["height"] < PHONE["height"] / 4, f"a tall header: {header}"
    title = page.locator("main h1")
    expect(title).to_be_in_viewport()
    box = title.bounding_box()
    assert box["y"] + box["height"] < PHONE["height"] / 2, f"the title starts low: {box}"
    start = title.evaluate(CONTENT_START)
    assert start["top"] < PHONE["height"] - 60, f"no content on the first screen: {start}"
    screenshot(page, lang, key)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_menu_folds_into_a_button_on_a_phone(page, screenshot, lang):
    open_on(page, PAGES["home"][lang], PHONE)
    menu = page.get_by_role("navigation", name=MAIN_MENU[lang])
    button = page.locator("summary.site-menu__toggle")

    expect(menu).to_be_hidden()
    expect(button).to_have_text(MENU[lang])
    assert_tap_target(button)
    expect(page.get_by_role("searchbox")).to_be_visible()  # search stays on the first screen

    button.focus()
    assert_focus_is_visible(button)
    page.keyboard.press("Enter")
    expect(menu).to_be_visible()
    for link in menu.get_by_role("link").all():
        assert_tap_target(link)
    expect(page.get_by_role("link", name=LOG_IN[lang], exact=True)).to_be_visible()
    switcher = page.locator(".language-switcher")
    expect(switcher.get_by_role("link")).to_be_visible()
    screenshot(page, lang, "open")

    page.keyboard.press("Enter")  # the button keeps the focus and closes it again
    expect(menu).to_be_hidden()

    other = "en" if lang == "nl" else "nl"
    button.click()
    switcher.get_by_role("link").click()
    expect(page.locator("html")).to_have_attribute("lang", other)


def test_the_menu_and_the_stories_filters_open_without_javascript(browser, live_site):
    context = browser.new_context(viewport=PHONE, base_url=live_site.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(PAGES["stories"]["nl"])
        page.locator("summary.site-menu__toggle").click()
        expect(page.get_by_role("navigation", name="Hoofdmenu")).to_be_visible()
        page.locator("summary.filter-panel__toggle").click()
        province = page.get_by_label("Provincie", exact=True)
        expect(province).to_be_visible()
        province.select_option(label="Zuid-Holland")
        page.get_by_role("button", name="Toon verhalen").click()
        expect(page).to_have_url(re.compile(r"[?&]province=zuid-holland(&|$)"))
        expect(page.locator(".story-card").first).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_stories_filters_fold_away_on_a_phone_and_stay_open_while_in_use(
    page, screenshot, lang
):
    open_on(page, PAGES["stories"][lang], PHONE)
    toggle = page.locator("summary.filter-panel__toggle")
    search = page.locator("#id_q")

    expect(toggle).to_contain_text(FIND_STORIES[lang])
    expect(search).to_be_hidden()
    expect(page.locator(".story-card").first).to_be_in_viewport()  # stories on the first screen
    assert_tap_target(toggle)
    toggle.focus()
    assert_focus_is_visible(toggle)
    page.keyboard.press("Enter")
    expect(search).to_be_visible()
    screenshot(page, lang, "open")

    page.get_by_label("Provincie" if lang == "nl" else "Province", exact=True).select_option(
        "zuid-holland"
    )
    page.locator("form.filter-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"[?&]province=zuid-holland(&|$)"))
    expect(search).to_be_visible()  # still open: the filter in use shows
    expect(toggle).to_contain_text("1")
    screenshot(page, lang, "filtered")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_nothing_is_folded_on_a_desktop_screen(page, screenshot, lang):
    open_on(page, PAGES["stories"][lang], DESKTOP)

    expect(page.locator("summary.site-menu__toggle")).to_be_hidden()
    expect(page.locator("summary.filter-panel__toggle")).to_be_hidden()
    menu = page.get_by_role("navigation", name=MAIN_MENU[lang])
    expect(menu.get_by_role("link").first).to_be_visible()
    expect(page.get_by_role("link", name=LOG_IN[lang], exact=True)).to_be_visible()
    expect(page.locator(".language-switcher").get_by_role("link")).to_be_visible()
    expect(page.locator("#id_q")).to_be_visible()
    expect(page.get_by_role("heading", name=FIND_STORIES[lang], level=2)).to_be_visible()
    # The menu, account links and language switcher share one row with the name.
    brand = page.locator(".site-header__brand").bounding_box()
    for part in (".site-nav", ".account-nav", ".language-switcher"):
        box = page.locator(part).bounding_box()
        assert box["y"] < brand["y"] + brand["height"], f"{part} is below the name: {box}"
    screenshot(page, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_how_to_take_part_is_one_tap_from_the_top_of_a_course_page(page, screenshot, lang):
    url = COURSE_PAGES["klik-en-tik"][lang]
    open_on(page, url, PHONE)
    link = page.locator(".course__header").get_by_role("link", name=TAKE_PART[lang])

    expect(link).to_be_in_viewport()
    box = link.bounding_box()
    assert box["height"] >= 44, f"a small tap target: {box}"
    link.focus()
    assert_focus_is_visible(link)
    page.keyboard.press("Enter")

    expect_path(page, f"{url}#take-part")
    heading = page.get_by_role("heading", name=TAKE_PART[lang], level=2)
    expect(heading).to_be_in_viewport()
    screenshot(page, lang)
