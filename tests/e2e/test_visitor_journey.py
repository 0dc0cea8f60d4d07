"""A visitor's way through the demo site in Chromium at 1280 px, by mouse and by keyboard."""

import re

import pytest
from playwright.sync_api import expect

from demo.data import demo_content

from .pages import GOUDA, STORY_INDEX, text, url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

STORIES = demo_content().children("stories")

FOCUS_STYLE = """element => {
    const style = getComputedStyle(element);
    return {outline: style.outlineStyle, outlineWidth: style.outlineWidth, shadow: style.boxShadow};
}"""


def expect_path(page, path):
    """The page's address is `path` on the live server (waits for a navigation to finish)."""
    expect(page).to_have_url(re.compile(rf"^http://[^/]+{re.escape(path)}$"))


def assert_focus_is_visible(locator):
    style = locator.evaluate(FOCUS_STYLE)
    has_outline = style["outline"] != "none" and style["outlineWidth"] != "0px"
    assert has_outline or style["shadow"] != "none", f"no visible focus indicator: {style}"


def test_visitor_filters_stories_by_province_and_reads_one_in_english(page, screenshot):
    page.goto(url("nl"))
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    screenshot(page, "nl", "home")

    menu = page.get_by_role("navigation", name="Hoofdmenu")
    menu.get_by_role("link", name=text(STORY_INDEX, "title", "nl"), exact=True).click()
    expect_path(page, url("nl", STORY_INDEX))
    expect(page.get_by_role("heading", level=1)).to_have_text(text(STORY_INDEX, "title", "nl"))

    page.get_by_label("Provincie", exact=True).select_option(label="Zuid-Holland")
    page.get_by_role("button", name="Toon verhalen").click()
    expect(page).to_have_url(re.compile(r"[?&]province=zuid-holland(&|$)"))
    in_zuid_holland = sorted(
        text(story, "title", "nl")
        for story in STORIES
        if story.fields["province"] == "zuid-holland"
    )
    assert len(in_zuid_holland) < len(STORIES)  # the filter has something to leave out
    listed = page.locator(".story-card__title").all_inner_texts()
    assert sorted(title.strip() for title in listed) == in_zuid_holland
    screenshot(page, "nl", "stories-zuid-holland")

    page.get_by_role("link", name=text(GOUDA, "title", "nl"), exact=True).click()
    expect_path(page, url("nl", STORY_INDEX, GOUDA))
    expect(page.get_by_role("heading", level=1)).to_have_text(text(GOUDA, "title", "nl"))
    screenshot(page, "nl", "practice-example")

    switcher = page.get_by_role("navigation", name="Kies taal")
    switcher.get_by_role("link", name="English", exact=True).click()
    expect(page).to_have_url(re.compile(r"^http://[^/]+/en/stories/"))
    expect_path(page, url("en", STORY_INDEX, GOUDA))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(text(GOUDA, "title", "en"))
    expect(page.locator(".language-switcher__current")).to_contain_text("English")
    screenshot(page, "en", "practice-example")


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(page, screenshot):
    page.goto(url("nl"))

    page.keyboard.press("Tab")
    skip_link = page.locator("a.skip-link")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_have_text("Naar de inhoud")
    expect(skip_link).to_be_in_viewport()
    assert_focus_is_visible(skip_link)
    screenshot(page, "nl", "skip-link")

    page.keyboard.press("Enter")
    main = page.locator("main#main")
    expect(main).to_be_focused()
    expect(page).to_have_url(re.compile(r"#main$"))

    # The next Tab stop is in the content, not back in the header: the first featured story.
    # Its link is highlighted and its card, which the link covers, gets the focus ring.
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    assert main.evaluate("(main, focused) => main.contains(focused)", focused.element_handle())
    expect(focused).to_have_class(re.compile(r"\bstory-card__link\b"))
    assert_focus_is_visible(focused.locator("xpath=ancestor::article[1]"))


def test_stylesheet_and_images_load(page):
    """The live server serves static files (WhiteNoise) and the tests serve the demo's images."""
    stylesheet = []
    page.on(
        "response",
        lambda response: stylesheet.append(response.status) if response.url.endswith(".css") else 0,
    )
    page.goto(url("nl", STORY_INDEX, GOUDA))
    assert stylesheet == [200]
    header = page.locator(".site-header")
    assert header.evaluate("el => getComputedStyle(el).borderTopWidth") == "6px"
    hero = page.locator(".story-header__image img")
    expect(hero).to_be_visible()
    expect(hero).to_have_attribute("alt", text(GOUDA, "hero_image_alt", "nl"))
    assert hero.evaluate("img => img.complete && img.naturalWidth > 0")
