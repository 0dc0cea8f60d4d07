import time
from unittest import mock

import pytest
from django.core.cache import cache

from core.cache import GENERATION_KEY

from ..factories import InterviewPageFactory

pytestmark = pytest.mark.django_db


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


def test_other_processes_notice_a_publish_within_a_second(client, site_tree):
    url = site_tree.about.url
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    cache.incr(GENERATION_KEY)  # a publish handled by another app server
    assert client.get(url)["X-Page-Cache"] == "hit", "this process trusts its copy briefly"
    later = time.monotonic() + 1.1
    with mock.patch("core.cache.time.monotonic", return_value=later):
        assert client.get(url)["X-Page-Cache"] == "miss"
