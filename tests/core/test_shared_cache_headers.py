"""Anonymous pages tell a shared HTTP cache (Varnish, a CDN) it may keep them, but only when
the app purges that cache on a change (WAGTAILFRONTENDCACHE); browsers always ask again."""

import pytest
from django.http import HttpResponse
from django.utils import timezone

from core.cache import _shared

pytestmark = pytest.mark.django_db

VARNISH = {"varnish": {"BACKEND": "tests.core.test_cache.RecordingBackend"}}


@pytest.fixture
def purged_cache(settings):
    settings.WAGTAILFRONTENDCACHE = VARNISH
    settings.PAGE_CACHE_SECONDS = 600
    return settings


def test_without_a_purged_cache_pages_say_nothing_about_shared_caches(client, site_tree):
    first = client.get(site_tree.about.url)
    again = client.get(site_tree.about.url)
    assert (first["X-Page-Cache"], again["X-Page-Cache"]) == ("miss", "hit")
    assert "s-maxage" not in first.get("Cache-Control", "")
    assert "s-maxage" not in again.get("Cache-Control", "")


def test_with_a_purged_cache_the_first_render_and_later_copies_may_be_shared(
    client, site_tree, purged_cache
):
    first = client.get(site_tree.about.url)
    again = client.get(site_tree.about.url)
    assert (first["X-Page-Cache"], again["X-Page-Cache"]) == ("miss", "hit")
    assert first["Cache-Control"] == "max-age=0, s-maxage=600"
    assert again["Cache-Control"] == "max-age=0, s-maxage=600"


def test_personal_pages_are_never_marked_shared(client, site_tree, courses, purged_cache):
    client.cookies["sessionid"] = "someone"
    signed_in = client.get(site_tree.about.url)
    client.cookies.pop("sessionid")
    form = client.get(site_tree.contact.url)  # sets a CSRF cookie for its form
    course = client.get(courses.course.url)  # live seats: every visitor gets a fresh render
    for response in (signed_in, form, course):
        assert response.status_code == 200
        assert "s-maxage" not in response.get("Cache-Control", ""), response.request["PATH_INFO"]


def test_a_stale_copy_is_not_kept_by_the_shared_cache(purged_cache):
    """Served while another process renders the new page: a shared cache that stored it after
    the purge would show the old page until it expired."""
    response = _shared(HttpResponse("<p>old</p>"), "stale")
    assert response["Cache-Control"] == "max-age=0, s-maxage=0"


def test_a_change_is_purged_again_once_no_server_can_serve_the_old_page(
    site_tree, settings, django_capture_on_commit_callbacks
):
    """Other servers trust the versions they read for PAGE_CACHE_LOCAL_SECONDS: a copy the
    shared cache fetched from one of them right after the first purge is purged again."""
    settings.WAGTAILFRONTENDCACHE = VARNISH
    settings.PAGE_CACHE_LOCAL_SECONDS = 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        site_tree.practice.save_revision().publish()
    purges = [
        result
        for result in default_task_backend.results
        if result.task.name == "purge_urls_from_cache_task"
    ]
    now, later = (
        [r for r in purges if r.task.run_after is None],
        [r for r in purges if r.task.run_after is not None],
    )
    assert len(now) == 1 and len(later) == 1, purges
    assert set(later[0].args[0]) == set(now[0].args[0])
    assert site_tree.practice.full_url in later[0].args[0]
    delay = (later[0].task.run_after - before).total_seconds()
    assert 2 <= delay < 10


def test_without_a_queue_that_can_wait_there_is_one_purge(
    site_tree, purged_cache, django_capture_on_commit_callbacks
):
    from tests.core.test_cache import RecordingBackend

    RecordingBackend.purged = []
    with django_capture_on_commit_callbacks(execute=True):
        site_tree.practice.save_revision().publish()
    assert RecordingBackend.purged.count(site_tree.practice.full_url) == 1
