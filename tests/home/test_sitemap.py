"""The sitemap index and its sections: what they list, how they split, and their cache."""

import datetime
import xml.etree.ElementTree as ET  # noqa: S405 - parses our own responses

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.contrib.frontend_cache.backends import BaseBackend
from wagtail.models import Page, PageViewRestriction
from wagtail_localize.models import StringTranslation, Translation, TranslationSource

from core.cache import forget_local
from home import sitemap

from ..booking.factories import CourseIndexPageFactory, CoursePageFactory
from ..factories import ImageFactory, InterviewPageFactory, StandardPageFactory

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ROOT = "http://testserver"


def read(client, url):
    """The <loc> and <lastmod> of each entry, after checking the response is sitemap XML."""
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml"
    tree = ET.fromstring(response.content)  # noqa: S314 - our own response
    assert tree.tag in (f"{NS}sitemapindex", f"{NS}urlset")
    return {
        entry.findtext(f"{NS}loc"): entry.findtext(f"{NS}lastmod")
        for entry in tree
        if entry.tag in (f"{NS}sitemap", f"{NS}url")
    }


def locations(client, url):
    return set(read(client, url))


def cached(client, url):
    return client.get(url)["X-Page-Cache"]


@pytest.fixture
def site(site_tree):
    """The site tree with courses, an English story, an alias, a private page and a draft."""
    site_tree.courses = CourseIndexPageFactory(parent=site_tree.home)
    site_tree.course = CoursePageFactory(parent=site_tree.courses, slug="klik-en-tik")
    site_tree.course.save_revision().publish()
    site_tree.english_index = site_tree.translate(site_tree.index, site_tree.english)
    site_tree.english_practice = site_tree.translate(site_tree.practice, site_tree.english)
    # An untranslated page stands in the English tree as an alias of the Dutch one.
    site_tree.alias = site_tree.interview.create_alias(
        parent=site_tree.english_index, update_locale=site_tree.english
    )
    # Wagtail allows any letter in a slug; its address is percent-encoded.
    site_tree.cafe = StandardPageFactory(parent=site_tree.home, slug="café-in-de-bieb")
    site_tree.private = StandardPageFactory(parent=site_tree.home, slug="alleen-voor-leden")
    PageViewRestriction.objects.create(
        page=site_tree.private, restriction_type=PageViewRestriction.PASSWORD, password="geheim"
    )
    site_tree.draft = InterviewPageFactory(parent=site_tree.index, slug="nog-niet-klaar")
    site_tree.draft.unpublish()
    return site_tree


def full_urls(*pages):
    return {Page.objects.get(pk=page.pk).get_full_url() for page in pages}


def test_the_index_lists_each_section_that_has_pages(client, site):
    index = read(client, "/sitemap.xml")
    assert set(index) == {
        f"{ROOT}/sitemap-nl-pages.xml",
        f"{ROOT}/sitemap-nl-stories.xml",
        f"{ROOT}/sitemap-nl-courses.xml",
        f"{ROOT}/sitemap-en-pages.xml",
        f"{ROOT}/sitemap-en-stories.xml",
    }
    assert all(lastmod for lastmod in index.values())
    # No English course yet: no empty section to crawl.
    assert client.get("/sitemap-en-courses.xml").status_code == 200
    assert locations(client, "/sitemap-en-courses.xml") == set()


def test_each_section_lists_its_pages_in_its_language_and_nothing_else(client, site):
    assert locations(client, "/sitemap-nl-pages.xml") == full_urls(
        site.home, site.about, site.contact, site.index, site.courses, site.cafe
    )
    assert f"{ROOT}/nl/caf%C3%A9-in-de-bieb/" in locations(client, "/sitemap-nl-pages.xml")
    assert locations(client, "/sitemap-nl-stories.xml") == full_urls(site.practice, site.interview)
    assert locations(client, "/sitemap-nl-courses.xml") == full_urls(site.course)
    assert locations(client, "/sitemap-en-pages.xml") == full_urls(
        site.english_home, site.english_index
    )
    # The alias of the interview, the private page and the draft are nowhere.
    assert locations(client, "/sitemap-en-stories.xml") == full_urls(site.english_practice)
    assert f"{ROOT}/en/verhalen/taalles-in-cuijk/" == site.alias.get_full_url()
    sections = [f"/sitemap-{name}.xml" for name in sitemap.SECTIONS]
    everything = set().union(*(locations(client, url) for url in sections))
    assert site.alias.get_full_url() not in everything
    assert not {url for url in everything if "alleen-voor-leden" in url or "nog-niet" in url}


def test_a_section_gives_the_last_publish_date_of_each_page(client, site):
    published = timezone.localdate(Page.objects.get(pk=site.course.pk).last_published_at)
    assert read(client, "/sitemap-nl-courses.xml") == {
        site.course.get_full_url(): published.isoformat()
    }


def test_an_unknown_section_or_page_number_is_not_found(client, site):
    assert client.get("/sitemap-nl-verhalen.xml").status_code == 404
    assert client.get("/sitemap-nl-stories.xml?p=2").status_code == 404
    assert client.get("/sitemap-nl-stories.xml?p=een").status_code == 404


def test_a_section_over_the_limit_is_split_into_numbered_files(client, site, monkeypatch):
    monkeypatch.setattr(sitemap, "SECTION_SIZE", 2)
    for number in range(3):
        InterviewPageFactory(parent=site.index, slug=f"verhaal-{number}", hero_image=None)
    stories = f"{ROOT}/sitemap-nl-stories.xml"
    index = locations(client, "/sitemap.xml")
    assert {stories, f"{stories}?p=2", f"{stories}?p=3"} <= index
    assert f"{stories}?p=4" not in index
    pages = ("", "?p=2", "?p=3")
    files = [locations(client, f"/sitemap-nl-stories.xml{page}") for page in pages]
    assert [len(found) for found in files] == [2, 2, 1]
    assert set().union(*files) == full_urls(
        site.practice, site.interview, *Page.objects.filter(slug__startswith="verhaal-")
    )
    assert client.get("/sitemap-nl-stories.xml?p=4").status_code == 404


def add_stories(index, count):
    """Published stories below `index`, without revisions: quick enough for hundreds."""
    image = ImageFactory()
    now = timezone.now()
    first = Page.objects.filter(depth=index.depth + 1).count()
    for number in range(first, first + count):
        InterviewPageFactory(
            parent=index,
            slug=f"verhaal-{number}",
            hero_image=image,
            last_published_at=now - datetime.timedelta(minutes=number),
        )


def queries_for(client, url):
    """Queries of a cold render: nothing in the page cache or Wagtail's site cache."""
    cache.clear()
    forget_local()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/sitemap.xml", "/sitemap-nl-stories.xml"])
def test_a_section_and_the_index_need_as_many_queries_for_200_stories_as_for_10(client, site, url):
    add_stories(site.index, 8)
    client.get(url)  # fill the content type cache, as any running server has
    at_10 = queries_for(client, url)
    add_stories(site.index, 190)
    at_200 = queries_for(client, url)
    assert len(locations(client, "/sitemap-nl-stories.xml")) == 200
    assert at_200 == at_10
    assert at_10 <= 6


def test_publishing_a_story_refreshes_its_section_and_the_index_only(client, site):
    others = ["/sitemap-nl-pages.xml", "/sitemap-nl-courses.xml", "/sitemap-en-stories.xml"]
    for url in ["/sitemap.xml", "/sitemap-nl-stories.xml", *others]:
        client.get(url)
        assert cached(client, url) == "hit", url
    story = InterviewPageFactory(parent=site.index, slug="nieuw-verhaal", hero_image=None)
    story.save_revision().publish()
    assert cached(client, "/sitemap-nl-stories.xml") == "miss"
    assert story.get_full_url() in locations(client, "/sitemap-nl-stories.xml")
    assert cached(client, "/sitemap.xml") == "miss"
    assert {url: cached(client, url) for url in others} == dict.fromkeys(others, "hit")


def test_publishing_another_page_leaves_the_stories_alone(client, site):
    for url in ["/sitemap-nl-stories.xml", "/sitemap-nl-pages.xml"]:
        client.get(url)
    site.about.title = "Over ons"
    site.about.save_revision().publish()
    assert cached(client, "/sitemap-nl-pages.xml") == "miss"
    assert cached(client, "/sitemap-nl-stories.xml") == "hit"


def test_a_new_slug_of_the_story_index_refreshes_the_stories_below_it(client, site):
    client.get("/sitemap-nl-stories.xml")
    index = Page.objects.get(pk=site.index.pk).specific
    index.slug = "praktijk"
    index.save_revision().publish()
    assert cached(client, "/sitemap-nl-stories.xml") == "miss"
    assert f"{ROOT}/nl/praktijk/taalles-in-cuijk/" in locations(client, "/sitemap-nl-stories.xml")


def test_a_moved_story_leaves_its_old_address(client, site):
    client.get("/sitemap-nl-stories.xml")
    Page.objects.get(pk=site.interview.pk).move(site.about, pos="last-child")
    assert cached(client, "/sitemap-nl-stories.xml") == "miss"
    urls = locations(client, "/sitemap-nl-stories.xml")
    assert f"{ROOT}/nl/over-leerplein/taalles-in-cuijk/" in urls
    assert f"{ROOT}/nl/verhalen/taalles-in-cuijk/" not in urls


def test_a_view_restriction_takes_the_pages_behind_it_out(client, site):
    client.get("/sitemap-nl-stories.xml")
    restriction = PageViewRestriction.objects.create(
        page=site.index, restriction_type=PageViewRestriction.LOGIN
    )
    assert locations(client, "/sitemap-nl-stories.xml") == set()
    restriction.delete()
    assert locations(client, "/sitemap-nl-stories.xml") == full_urls(site.practice, site.interview)


class RecordingBackend(BaseBackend):
    purged: list = []

    def purge(self, url):
        RecordingBackend.purged.append(url)


def test_a_publish_purges_the_files_of_its_section_from_the_front_end_cache(
    site, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAILFRONTENDCACHE = {"test": {"BACKEND": f"{__name__}.RecordingBackend"}}
    RecordingBackend.purged = []
    with django_capture_on_commit_callbacks(execute=True):
        site.interview.save_revision().publish()
    purged = set(RecordingBackend.purged)
    assert {f"{ROOT}/sitemap.xml", f"{ROOT}/sitemap-nl-stories.xml"} <= purged
    assert f"{ROOT}/sitemap-nl-pages.xml" not in purged
    assert f"{ROOT}/sitemap-en-stories.xml" not in purged


def test_a_published_translation_replaces_the_alias_in_the_english_stories(
    client, site, django_capture_on_commit_callbacks
):
    client.get("/sitemap-en-stories.xml")
    source, _created = TranslationSource.get_or_create_from_instance(site.interview)
    translation = Translation.objects.create(source=source, target_locale=site.english)
    for segment in source.stringsegment_set.select_related("string", "context"):
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=site.english,
            context=segment.context,
            defaults={"data": f"EN {segment.string.data}"},
        )
    with django_capture_on_commit_callbacks(execute=True):
        translation.save_target(publish=True)
    assert cached(client, "/sitemap-en-stories.xml") == "miss"
    english = Page.objects.get(translation_key=site.interview.translation_key, locale=site.english)
    assert english.alias_of_id is None
    assert english.get_full_url() in locations(client, "/sitemap-en-stories.xml")


def test_a_new_view_restriction_purges_the_section_and_the_index(
    site, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAILFRONTENDCACHE = {"test": {"BACKEND": f"{__name__}.RecordingBackend"}}
    RecordingBackend.purged = []
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=site.practice, restriction_type=PageViewRestriction.LOGIN
        )
    # The page itself and the lists that showed it go too (tests/home/test_private_pages.py).
    assert set(RecordingBackend.purged) >= {
        f"{ROOT}/sitemap.xml",
        f"{ROOT}/sitemap-nl-stories.xml",
        f"{ROOT}/sitemap-nl-stories.xml?p=2",
        site.practice.get_full_url(),
    }
    assert f"{ROOT}/sitemap-nl-pages.xml" not in RecordingBackend.purged
