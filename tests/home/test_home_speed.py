"""The home page for visitors the page cache does not serve (signed in, or the first after a
change): its stories and courses come from cached fragments, which follow every change."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking import services
from tests.booking.factories import (
    CourseGroupFactory,
    CourseIndexPageFactory,
    CoursePageFactory,
    UserFactory,
)
from tests.factories import PracticeExamplePageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(site_tree):
    """The fixture site with a course index and a course with one open group."""
    index = CourseIndexPageFactory(parent=site_tree.home)
    course = CoursePageFactory(parent=index, title="Klik & Tik", slug="klik-en-tik")
    group = CourseGroupFactory(course=course)
    site_tree.home.featured_stories.create(story=site_tree.interview, sort_order=0)
    site_tree.home.save_revision().publish()
    site_tree.course, site_tree.group = course, group
    return site_tree


@pytest.fixture
def coordinator(home):
    return UserFactory(username="coordinator", organisation=home.group.library)


@pytest.fixture
def signed_in(client, coordinator):
    """The coordinator's browser, signed in: never served the anonymous page cache."""
    client.force_login(coordinator)
    return client


def text_of(response):
    body = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).replace("&amp;", "&").strip()


def tables_read(queries):
    return {table for query in queries for table in re.findall(r'FROM "(\w+)"', query["sql"])}


def test_a_signed_in_visitor_gets_stories_and_courses_without_reading_them_again(signed_in, home):
    first = signed_in.get(home.home.url)
    with CaptureQueriesContext(connection) as queries:
        again = signed_in.get(home.home.url)

    assert again.status_code == 200
    assert "X-Page-Cache" not in again  # rendered for this visitor, not the shared copy
    assert text_of(again) == text_of(first)
    assert "Taalles in Cuijk" in text_of(again) and "Klik & Tik" in text_of(again)
    # What is left is the visitor's own: session, account, permissions, the page itself.
    read = tables_read(queries.captured_queries)
    shown = {"home_featuredstory", "booking_coursegroup", "booking_session", "booking_seat"}
    assert not {t for t in read if t.startswith("stories_") or t in shown}, read


def test_the_signed_in_home_page_follows_a_new_group_and_a_new_story(
    signed_in, home, coordinator, django_capture_on_commit_callbacks
):
    assert "1 groep gepland" in text_of(signed_in.get(home.home.url))

    new_group = CourseGroupFactory.build(
        course=home.course, library=home.group.library, location=home.group.location
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.save_group(group=new_group, by=coordinator, reason="Extra groep")
    assert "2 groepen gepland" in text_of(signed_in.get(home.home.url))

    story = PracticeExamplePageFactory(parent=home.index, title="Nieuw verhaal uit Gouda")
    with django_capture_on_commit_callbacks(execute=True):
        story.save_revision().publish()  # as an editor publishes it
    assert "Nieuw verhaal uit Gouda" in text_of(signed_in.get(home.home.url))


def test_a_preview_of_the_home_page_shows_the_draft_not_the_cached_text(signed_in, home, rf):
    signed_in.get(home.home.url)  # the fragments are cached now
    page = home.home
    page.intro = "<p>Een nieuwe inleiding, nog niet gepubliceerd.</p>"
    # As the admin asks for it: with the editor's cookie, which the page cache passes by.
    editor = rf.get("/admin/", HTTP_COOKIE=f"sessionid={signed_in.session.session_key}")

    preview = page.make_preview_request(original_request=editor)

    assert "Een nieuwe inleiding, nog niet gepubliceerd." in preview.content.decode()
    assert "Een nieuwe inleiding" not in signed_in.get(home.home.url).content.decode()
