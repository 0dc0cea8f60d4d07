import threading
import time
from unittest import mock

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from wagtail.contrib.frontend_cache.backends import BaseBackend

from booking import services
from booking.models import CourseGroup
from core.cache import (
    LOCK_SUFFIX,
    VERSION_PREFIX,
    AnonymousPageCacheMiddleware,
    _key,
    forget_local,
    page_key,
)

from ..factories import InterviewPageFactory

pytestmark = pytest.mark.django_db


def cached(client, url):
    return client.get(url)["X-Page-Cache"]


def warm(client, *urls):
    for url in urls:
        client.get(url)
        assert cached(client, url) == "hit", url


def test_anonymous_pages_are_cached_and_cleared_when_a_page_is_published(client, site_tree):
    url = site_tree.about.url
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"

    site_tree.about.title = "Over ons"
    site_tree.about.save_revision().publish()
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Over ons" in response.content.decode()


def test_cache_is_cleared_when_a_page_is_unpublished_or_moved(client, site_tree):
    index_url = site_tree.index.url
    client.get(index_url)
    assert client.get(index_url)["X-Page-Cache"] == "hit"
    site_tree.interview.unpublish()
    response = client.get(index_url)
    assert response["X-Page-Cache"] == "miss"
    assert "Taalles in Cuijk" not in response.content.decode()

    client.get(index_url)
    site_tree.practice.move(site_tree.home, pos="last-child")
    assert client.get(index_url)["X-Page-Cache"] == "miss"


def test_visitors_with_a_session_and_forms_with_csrf_are_not_cached(client, site_tree):
    client.cookies["sessionid"] = "someone"
    client.get(site_tree.about.url)
    assert "X-Page-Cache" not in client.get(site_tree.about.url)
    client.cookies.pop("sessionid")
    client.get(site_tree.contact.url)
    assert "X-Page-Cache" not in client.get(site_tree.contact.url)


def test_cached_fragments_follow_published_changes(client, site_tree):
    """Menu, story header and related stories are cached as fragments until a change."""
    client.cookies["sessionid"] = "signed-in-visitor"  # past the page cache, to the fragments
    url = site_tree.practice.url
    assert "Digitale vaardigheden" in client.get(url).content.decode()

    theme = site_tree.themes["digital"]
    theme.name = "Computervaardigheden"
    theme.save()
    site_tree.about.title = "Wie zijn wij"
    site_tree.about.save_revision().publish()
    InterviewPageFactory(
        parent=site_tree.index, title="Nieuw in Zuid-Holland", province="zuid-holland"
    )

    html = client.get(url).content.decode()
    assert "Computervaardigheden" in html
    assert "Wie zijn wij" in html
    assert "Nieuw in Zuid-Holland" in html


def test_remembered_routes_follow_unpublishing_and_moving(client, site_tree):
    client.cookies["sessionid"] = "signed-in-visitor"
    story, old_url = site_tree.interview, site_tree.interview.url
    assert client.get(old_url).status_code == 200
    assert client.get(old_url).status_code == 200  # now from the remembered route

    story.move(site_tree.home, pos="last-child")
    story.refresh_from_db()
    moved = client.get(old_url)
    assert (moved.status_code, moved["Location"]) == (301, story.url)  # Wagtail's redirect
    assert client.get(story.url).status_code == 200

    story.unpublish()
    assert client.get(story.url).status_code == 404


def test_a_remembered_route_follows_a_new_slug_of_a_parent(client, site_tree):
    client.cookies["sessionid"] = "signed-in-visitor"
    old_url = site_tree.interview.url
    assert client.get(old_url).status_code == 200
    index = site_tree.index
    index.slug = "praktijk"
    index.save_revision().publish()
    assert client.get(old_url).status_code in (301, 404)
    site_tree.interview.refresh_from_db()
    assert client.get(site_tree.interview.url).status_code == 200


def test_other_processes_notice_a_publish_within_a_second(client, site_tree):
    url = site_tree.about.url
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    # A publish handled by another app server: a new version of the page's key.
    cache.set(VERSION_PREFIX + page_key(site_tree.about), "elsewhere", timeout=None)
    assert client.get(url)["X-Page-Cache"] == "hit", "this process trusts its copy briefly"
    later = time.monotonic() + 1.1
    with mock.patch("core.cache.time.monotonic", return_value=later):
        assert client.get(url)["X-Page-Cache"] == "miss"


# --- targeted: what a change refreshes, and what it leaves alone -------------------------------


def test_publishing_a_story_refreshes_it_and_its_lists_only(client, site_tree):
    story, other = site_tree.practice, site_tree.interview
    english_index = site_tree.translate(site_tree.index, site_tree.english)
    english_story = site_tree.translate(story, site_tree.english)
    urls = {
        "story": story.url,
        "story-en": english_story.url,
        "index": site_tree.index.url,
        "index-en": english_index.url,
        "home": site_tree.home.url,
        "other": other.url,
        "about": site_tree.about.url,
    }
    warm(client, *urls.values())

    story.title = "Klik & Tik bij Promen, vernieuwd"
    story.save_revision().publish()

    states = {name: cached(client, url) for name, url in urls.items()}
    assert states == {
        "story": "miss",
        "story-en": "miss",
        "index": "miss",
        "index-en": "miss",
        "home": "miss",
        "other": "hit",
        "about": "hit",
    }
    assert "vernieuwd" in client.get(site_tree.index.url).content.decode()


def test_feeds_and_sitemap_follow_a_published_story(client, site_tree):
    with translation.override("nl"):
        feed = reverse("stories_rss")
    warm(client, feed, "/sitemap.xml")
    site_tree.interview.title = "Taalles in Cuijk, deel 2"
    site_tree.interview.save_revision().publish()
    response = client.get(feed)
    assert response["X-Page-Cache"] == "miss"
    assert "deel 2" in response.content.decode()
    assert cached(client, "/sitemap.xml") == "miss"


def test_editing_a_draft_group_leaves_every_cached_page_alone(client, site_tree, courses):
    urls = [site_tree.home.url, site_tree.practice.url, site_tree.index.url, site_tree.about.url]
    warm(client, *urls)
    draft = CourseGroup.objects.get(pk=courses.draft.pk)
    draft.trainer = "Fatima"
    services.save_group(group=draft, by=courses.coordinator)
    assert [cached(client, url) for url in urls] == ["hit"] * 4


def test_editing_an_open_group_refreshes_the_home_page_only(client, site_tree, courses):
    urls = [site_tree.home.url, site_tree.practice.url, site_tree.index.url, site_tree.about.url]
    warm(client, *urls)
    group = CourseGroup.objects.get(pk=courses.open.pk)
    group.trainer = "Fatima"
    services.save_group(group=group, by=courses.coordinator)
    assert [cached(client, url) for url in urls] == ["miss", "hit", "hit", "hit"]


def test_closing_an_open_group_refreshes_the_home_page(client, site_tree, courses):
    warm(client, site_tree.home.url)
    assert 'id="courses-title"' in client.get(site_tree.home.url).content.decode()
    group = CourseGroup.objects.get(pk=courses.open.pk)
    group.status = CourseGroup.Status.CLOSED
    services.save_group(group=group, by=courses.coordinator)
    response = client.get(site_tree.home.url)
    assert response["X-Page-Cache"] == "miss"
    assert 'id="courses-title"' not in response.content.decode()


def test_saving_a_theme_refreshes_exactly_the_pages_that_show_it(client, site_tree):
    urls = {
        "practice (digital)": site_tree.practice.url,
        "index (filters, cards)": site_tree.index.url,
        "home (cards)": site_tree.home.url,
        "interview (language)": site_tree.interview.url,
        "about": site_tree.about.url,
    }
    warm(client, *urls.values())
    theme = site_tree.themes["digital"]
    theme.name = "Computervaardigheden"
    theme.save()
    assert {name: cached(client, url) for name, url in urls.items()} == {
        "practice (digital)": "miss",
        "index (filters, cards)": "miss",
        "home (cards)": "miss",
        "interview (language)": "hit",
        "about": "hit",
    }
    assert "Computervaardigheden" in client.get(site_tree.practice.url).content.decode()


def test_an_organisation_refreshes_the_stories_that_name_it(client, site_tree):
    warm(client, site_tree.practice.url, site_tree.interview.url, site_tree.about.url)
    promen = site_tree.organisations["promen"]
    promen.name = "Promen Gouda"
    promen.save()
    assert cached(client, site_tree.practice.url) == "miss"
    assert cached(client, site_tree.interview.url) == "hit"
    assert cached(client, site_tree.about.url) == "hit"


def test_site_settings_are_on_every_page(client, site_tree):
    from home.models import SiteSettings

    warm(client, site_tree.about.url, site_tree.interview.url)
    site_settings = SiteSettings.objects.get(site=site_tree.site)
    site_settings.contact_email = "vragen@leerplein.test"
    site_settings.save()
    for url in (site_tree.about.url, site_tree.interview.url):
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss"
        assert "vragen@leerplein.test" in response.content.decode()


# --- front-end cache purging -----------------------------------------------------------------


class RecordingBackend(BaseBackend):
    purged: list = []

    def __init__(self, params):
        super().__init__(params)

    def purge(self, url):
        RecordingBackend.purged.append(url)


def test_a_publish_purges_the_page_in_both_languages_and_its_lists(
    site_tree, settings, django_capture_on_commit_callbacks
):
    english_story = site_tree.translate(site_tree.practice, site_tree.english)
    settings.WAGTAILFRONTENDCACHE = {"test": {"BACKEND": f"{__name__}.RecordingBackend"}}
    RecordingBackend.purged = []
    with django_capture_on_commit_callbacks(execute=True):
        site_tree.practice.save_revision().publish()
    purged = set(RecordingBackend.purged)
    root = site_tree.site.root_url
    feeds = set()
    for code in ("nl", "en"):
        with translation.override(code):
            feeds |= {root + reverse("stories_rss"), root + reverse("stories_atom")}
    assert {
        site_tree.practice.full_url,
        english_story.full_url,
        site_tree.index.full_url,
        site_tree.home.full_url,
        site_tree.english_home.full_url,
        f"{root}/sitemap.xml",
        *feeds,
    } <= purged
    assert site_tree.about.full_url not in purged
    assert site_tree.interview.full_url not in purged


def test_nothing_is_purged_without_a_front_end_cache(site_tree, django_capture_on_commit_callbacks):
    RecordingBackend.purged = []
    with django_capture_on_commit_callbacks(execute=True):
        site_tree.practice.save_revision().publish()
    assert RecordingBackend.purged == []


# --- no thundering herd ----------------------------------------------------------------------


def test_twenty_requests_after_an_invalidation_cause_one_render(settings):
    renders = []

    def view(request):
        renders.append(1)
        time.sleep(0.3)  # long enough for every request to arrive while it renders
        return HttpResponse(f"<p>render {len(renders)}</p>", content_type="text/html")

    middleware = AnonymousPageCacheMiddleware(view)
    factory = RequestFactory()

    def call():
        request = factory.get("/nl/over-leerplein/")
        request.resolver_match = None
        return middleware(request)

    def together(count=20):
        barrier = threading.Barrier(count)
        answers = []

        def run():
            barrier.wait()
            answers.append(call()["X-Page-Cache"])

        threads = [threading.Thread(target=run) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return answers

    # A cold cache: one renders, the others wait for its copy.
    answers = together()
    assert len(renders) == 1
    assert sorted(answers) == ["hit"] * 19 + ["miss"]

    # After an invalidation: one renders, the others serve the copy they had meanwhile.
    from core.cache import EVERY_PAGE, invalidate

    invalidate([EVERY_PAGE])
    answers = together()
    assert len(renders) == 2
    assert answers.count("miss") == 1
    assert set(answers) <= {"miss", "stale", "hit"}
    assert call()["X-Page-Cache"] == "hit"

    # Another process with nothing local after the invalidation: it waits, it does not render.
    invalidate([EVERY_PAGE])
    forget_local()
    answers = together()
    assert len(renders) == 3
    assert answers.count("miss") == 1


def test_a_page_that_is_never_kept_makes_nobody_wait(settings):
    """Course pages (live seats) are rendered for every visitor: while one process renders
    such a page, the others render it too instead of waiting for a copy that never comes."""
    settings.PAGE_CACHE_WAIT_SECONDS = 2

    def view(request):
        response = HttpResponse("<p>nog 2 plaatsen vrij</p>", content_type="text/html")
        response["Cache-Control"] = "no-cache"
        return response

    middleware = AnonymousPageCacheMiddleware(view)
    request = RequestFactory().get("/nl/cursussen/klik-en-tik/")
    request.resolver_match = None
    assert "X-Page-Cache" not in middleware(request)

    # Another process is rendering the page right now.
    assert cache.add(_key(request) + LOCK_SUFFIX, 1)
    forget_local()
    started = time.monotonic()
    second = RequestFactory().get("/nl/cursussen/klik-en-tik/")
    second.resolver_match = None
    response = middleware(second)
    assert time.monotonic() - started < 0.5
    assert response.content == b"<p>nog 2 plaatsen vrij</p>"
    assert "X-Page-Cache" not in response
