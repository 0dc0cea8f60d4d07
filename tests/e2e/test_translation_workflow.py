"""A writer translates a new Dutch story and submits it; a final editor approves it, and it is
published under an English URL, in Chromium, with the Dutch admin speaking Dutch throughout."""

import datetime
import re
from functools import partial

import pytest
from playwright.sync_api import expect
from wagtail.models import Locale, Page
from wagtail_localize.synctree import create_aliases_for_new_page

from demo.accounts import DEMO_PASSWORD
from stories.models import PracticeExamplePage, StoryIndexPage

from .live_data import committed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

TITLE_NL = "Samen aan de slag in Zwolle"
TITLE_EN = "Getting started together in Zwolle"
# Texts that gave the Dutch admin away as half English.
MIXED = ["to Engels translation", "inEngels", "Zwollenaar", "Content type", "December"]


def publish_untranslated_story() -> int:
    """An approved (live) Dutch story nobody has translated; the id of its English alias."""
    dutch = Locale.objects.get(language_code="nl")
    index = StoryIndexPage.objects.get(locale=dutch)
    story = PracticeExamplePage(
        title=TITLE_NL,
        slug="samen-aan-de-slag-in-zwolle",
        summary="De bibliotheek en het SW-bedrijf in Zwolle beginnen samen.",
        date=datetime.date(2026, 11, 30),
        municipality="Zwolle",
        start_year=2026,
        meetings_per_week=1,
        group_size=5,
        participant_count=10,
        body=[("paragraph", "<p>In Zwolle leren medewerkers werken met de computer.</p>")],
    )
    index.add_child(instance=story)
    story.save_revision().publish()
    create_aliases_for_new_page(story)
    return Page.objects.get(translation_key=story.translation_key, locale__language_code="en").pk


def remove_story(alias_pk):
    key = Page.objects.get(pk=alias_pk).translation_key
    Page.objects.filter(translation_key=key).delete()


@pytest.fixture
def new_story(live_site):
    """The story's English alias, written where the live server sees it (committed on
    PostgreSQL, where the browser's translation is committed too) and removed afterwards."""
    alias_pk = committed(publish_untranslated_story)
    yield Page.objects.get(pk=alias_pk)
    committed(partial(remove_story, alias_pk))


def log_in(page, username):
    page.context.clear_cookies()
    page.set_extra_http_headers({"Accept-Language": "nl-NL,nl;q=0.9"})
    page.goto("/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/$"))


def assert_speaks_dutch(page):
    text = page.locator("body").inner_text() + page.title()
    for mixed in MIXED:
        assert mixed not in text, mixed


def admin_screenshot(page, screenshot, what):
    size = page.viewport_size
    height = page.locator("main#main").evaluate("main => main.scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    screenshot(page, "nl", what)
    page.set_viewport_size(size)


def test_writer_submits_a_translation_and_final_editor_publishes_it(page, new_story, screenshot):
    # Before anyone translated it, the English stories list does not show it.
    page.goto("/en/stories/")
    expect(page.get_by_text(TITLE_NL)).to_have_count(0)

    log_in(page, "redactie")
    page.goto(f"/admin/pages/{new_story.pk}/edit/")
    assert_speaks_dutch(page)
    page.get_by_role("link", name="Vertaal deze pagina").click()
    page.get_by_role("button", name="Verzenden").click()
    expect(page.get_by_text("Vertaling van het Nederlands naar het Engels").first).to_be_visible()
    assert_speaks_dutch(page)

    title = page.locator("li", has=page.get_by_role("heading", name="Titel", exact=True)).first
    title.get_by_role("button", name="Vertaal").click()
    title.locator("textarea").fill(TITLE_EN)
    title.get_by_role("button", name="Opslaan").click()
    expect(title.get_by_text("Handmatig vertaald op")).to_be_visible()
    # A writer cannot publish; the approval panel offers to submit instead.
    expect(page.get_by_role("button", name=re.compile("^Publiceer"))).to_have_count(0)
    admin_screenshot(page, screenshot, "writer")
    page.get_by_role("button", name="Indienen ter goedkeuring").click()
    expect(page.locator(".messages")).to_contain_text("ingediend bij Eindredactie")
    assert_speaks_dutch(page)

    # Nothing is public before approval.
    assert page.request.get("/en/stories/getting-started-together-in-zwolle/").status == 404

    log_in(page, "eindredactie")
    page.goto(f"/admin/pages/{new_story.pk}/edit/")
    expect(page.get_by_text("heeft deze vertaling op")).to_be_visible()
    expect(page.get_by_role("button", name="Publiceer in het Engels")).to_be_visible()
    assert_speaks_dutch(page)
    admin_screenshot(page, screenshot, "final-editor")
    page.get_by_role("button", name="Goedkeuren en publiceren").click()
    expect(page.locator(".messages")).to_contain_text("goedgekeurd en gepubliceerd")

    page.context.clear_cookies()
    page.goto("/en/stories/getting-started-together-in-zwolle/")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE_EN)
    page.goto("/en/stories/")
    expect(page.get_by_text(TITLE_EN).first).to_be_visible()
    screenshot(page, "en", "published")
