"""An approved Dutch story nobody translated yet stays off the English site's lists.

With locale synchronisation the English tree holds a live alias of every Dutch page: the
Dutch text under an English URL. English lists, feeds, the sitemap, search and the language
alternates show only real translations (core.locale.real_pages); the alias itself shows the
Dutch text marked as Dutch, with a note in English, and names the Dutch page as canonical.
"""

import datetime

import feedparser
import pytest
from wagtail.models import Page
from wagtail_localize.models import (
    LocaleSynchronization,
    StringTranslation,
    Translation,
    TranslationSource,
)
from wagtail_localize.synctree import synchronize_tree

from core.choices import Province
from home.models import FeaturedStory, HomePage

from ..factories import PracticeExamplePageFactory

pytestmark = pytest.mark.django_db

UNTRANSLATED = "Samen aan de slag in Zwolle"


@pytest.fixture
def bilingual(site_tree):
    """English index and practice example translated; a newer Dutch story is not."""
    site = site_tree
    site.english_index = site.translate(site.index, site.english)
    site.english_practice = site.translate(site.practice, site.english)
    site.new_story = PracticeExamplePageFactory(
        parent=site.index,
        title=UNTRANSLATED,
        slug="samen-aan-de-slag-in-zwolle",
        summary="Een nieuwe samenwerking in Zwolle.",
        date=datetime.date(2026, 11, 30),
        province=Province.ZUID_HOLLAND,
        sw_company=site.organisations["promen"],
        themes=[site.themes["digital"], site.themes["language"]],
        partners=[site.organisations["promen"], site.organisations["ibn"]],
    )
    # Fresh copies: the fixture's objects do not know the children added since.
    dutch_home = HomePage.objects.get(pk=site.home.pk)
    FeaturedStory.objects.create(home_page=dutch_home, story=site.new_story, sort_order=0)
    dutch_home.save_revision().publish()
    english_home = HomePage.objects.get(pk=site.english_home.pk)
    FeaturedStory.objects.create(home_page=english_home, story=site.new_story, sort_order=0)
    english_home.save_revision().publish()
    # What wagtail-localize does when an editor adds a Dutch page: an alias in English.
    LocaleSynchronization.objects.create(locale=site.english, sync_from=site.home.locale)
    synchronize_tree(site.home.locale, site.english)
    site.alias = Page.objects.get(
        translation_key=site.new_story.translation_key, locale=site.english
    )
    assert site.alias.alias_of_id == site.new_story.pk and site.alias.live
    return site


def test_the_untranslated_story_is_on_the_dutch_lists(client, bilingual):
    assert UNTRANSLATED in client.get("/nl/verhalen/").content.decode()
    assert UNTRANSLATED in client.get("/nl/").content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/en/",
        "/en/verhalen/",
        "/en/verhalen/?theme=taal",
        "/en/verhalen/?theme=digitale-vaardigheden",
        "/en/verhalen/?organisation=ibn",
        "/en/verhalen/?organisation=promen&kind=praktijkvoorbeeld",
        "/en/verhalen/?province=zuid-holland",
        "/en/verhalen/?q=Zwolle",
        "/en/search/?q=Zwolle",
        "/en/verhalen/klik-en-tik-bij-promen/",
    ],
)
def test_english_lists_leave_the_untranslated_story_out(client, bilingual, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert UNTRANSLATED not in html
    assert "samen-aan-de-slag-in-zwolle" not in html


def test_english_lists_still_show_real_translations(client, bilingual):
    assert "Klik &amp; Tik bij Promen" in client.get("/en/verhalen/").content.decode()
    assert "Klik &amp; Tik bij Promen" in client.get("/en/").content.decode()


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_english_feeds_leave_the_untranslated_story_out(client, bilingual, kind):
    feed = feedparser.parse(client.get(f"/en/stories/feed/{kind}/").content)
    assert [entry.title for entry in feed.entries] == ["Klik & Tik bij Promen"]
    dutch = feedparser.parse(client.get(f"/nl/verhalen/feed/{kind}/").content)
    assert UNTRANSLATED in [entry.title for entry in dutch.entries]


def test_sitemap_lists_the_story_only_in_dutch(client, bilingual):
    dutch = client.get("/sitemap-nl-stories.xml").text
    english = client.get("/sitemap-en-stories.xml").text
    assert "/nl/verhalen/samen-aan-de-slag-in-zwolle/" in dutch
    assert "/en/verhalen/samen-aan-de-slag-in-zwolle/" not in english
    assert "/en/verhalen/klik-en-tik-bij-promen/" in english


def test_dutch_page_names_no_english_alternate(client, bilingual):
    html = client.get("/nl/verhalen/samen-aan-de-slag-in-zwolle/").content.decode()
    assert 'hreflang="en"' not in html.split("</head>")[0]
    assert 'hreflang="nl" href="http://testserver/nl/verhalen/samen-aan-de-slag-in-zwolle/"' in html
    # The language switcher sends English readers to the English home page instead.
    assert 'href="/en/" hreflang="en"' in html


def test_translated_page_still_names_its_english_alternate(client, bilingual):
    html = client.get("/nl/verhalen/klik-en-tik-bij-promen/").content.decode()
    assert 'hreflang="en" href="http://testserver/en/verhalen/klik-en-tik-bij-promen/"' in html


def test_the_english_address_shows_the_dutch_text_marked_as_dutch(client, bilingual):
    response = client.get("/en/verhalen/samen-aan-de-slag-in-zwolle/")
    assert response.status_code == 200
    html = response.content.decode()
    head, body = html.split("</head>")
    assert '<html lang="en">' in head
    assert (
        '<link rel="canonical" href="http://testserver/nl/verhalen/samen-aan-de-slag-in-zwolle/">'
        in head
    )
    assert 'hreflang="en"' not in head
    assert '<main id="main" class="main" tabindex="-1" lang="nl">' in body
    assert "This page has not been translated yet, so you read it in Dutch." in body
    assert 'href="/nl/verhalen/samen-aan-de-slag-in-zwolle/" hreflang="nl"' in body


def test_a_published_translation_replaces_the_alias_everywhere(
    client, bilingual, django_capture_on_commit_callbacks
):
    # Warm the page cache with the lists as they are now.
    assert UNTRANSLATED not in client.get("/en/verhalen/").content.decode()
    assert "Together in Zwolle" not in client.get("/en/").content.decode()
    source, _created = TranslationSource.get_or_create_from_instance(bilingual.new_story)
    translation = Translation.objects.create(source=source, target_locale=bilingual.english)
    english = {UNTRANSLATED: "Together in Zwolle", "samen-aan-de-slag-in-zwolle": "together"}
    for segment in source.stringsegment_set.select_related("string", "context"):
        # update_or_create: translating the title translates the slug too.
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=bilingual.english,
            context=segment.context,
            defaults={"data": english.get(segment.string.data, f"EN {segment.string.data}")},
        )
    with django_capture_on_commit_callbacks(execute=True):
        translation.save_target(publish=True)
    for path in ["/en/verhalen/", "/en/"]:
        assert "Together in Zwolle" in client.get(path).content.decode()
    html = client.get("/nl/verhalen/samen-aan-de-slag-in-zwolle/").content.decode()
    assert 'hreflang="en" href="http://testserver/en/verhalen/together/"' in html
    assert "/en/verhalen/together/" in client.get("/sitemap-en-stories.xml").text
