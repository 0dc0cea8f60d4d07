import datetime
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone, translation

from booking.models import (
    CourseGroup,
    CourseIndexPage,
    CoursePage,
    Location,
    Membership,
    Organisation,
    Session,
)
from home.models import ContactPage, HomePage, SiteSettings, StandardPage
from stories.models import InterviewPage, PracticeExamplePage, StoryIndexPage, Theme

from ..factories import PracticeExamplePageFactory

pytestmark = pytest.mark.django_db

OUR_MODELS = [
    HomePage,
    StandardPage,
    ContactPage,
    SiteSettings,
    StoryIndexPage,
    InterviewPage,
    PracticeExamplePage,
    Theme,
    Organisation,
    Location,
    Membership,
    CourseIndexPage,
    CoursePage,
    CourseGroup,
    Session,
]


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("admin", "admin@example.nl", "x")


def editable_fields(model):
    own = {f.name for f in model._meta.get_fields() if f.concrete}
    inherited = {f.name for f in HomePage.__mro__[1]._meta.get_fields() if f.concrete}
    inherited |= {"id", "translation_key", "locale", "site"}
    return [
        f
        for f in model._meta.get_fields()
        if f.concrete and f.editable and f.name in own - inherited and not f.auto_created
    ]


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m.__name__)
def test_every_field_has_a_dutch_help_text(model):
    fields = editable_fields(model)
    assert fields
    with translation.override("nl"):
        for field in fields:
            dutch = str(field.help_text)
            assert dutch, f"{model.__name__}.{field.name} has no help text"
            with translation.override("en"):
                english = str(field.help_text)
            assert dutch != english, f"{model.__name__}.{field.name}: help text not translated"


def test_admin_speaks_dutch_by_default(client, admin_user):
    client.force_login(admin_user)
    html = client.get("/admin/").content.decode()
    assert 'lang="nl"' in html
    assert "Pagina's" in html


def test_editors_see_wagtails_accessibility_checker_on_pages(client, site_tree, admin_user):
    client.force_login(admin_user)
    html = client.get(site_tree.practice.url).content.decode()
    assert 'id="wagtail-userbar-template"' in html
    assert "w-content-checker" in html  # the accessibility checker's panel


def test_preview_of_a_draft_story_renders(site_tree, admin_user, rf):
    story = site_tree.practice
    story.title = "Concept: Klik en Tik"
    response = story.make_preview_request()
    assert response.status_code == 200
    assert "Concept: Klik en Tik" in response.content.decode()
    assert client_title_unchanged(story)


def client_title_unchanged(story):
    story.refresh_from_db()
    return story.title == "Klik & Tik bij Promen"


def test_scheduled_publishing_puts_a_story_live_at_its_time(client, site_tree):
    story = PracticeExamplePageFactory.build(title="Later live", slug="later", hero_image=None)
    story.live = False
    story.go_live_at = timezone.now() + datetime.timedelta(minutes=5)
    site_tree.index.add_child(instance=story)
    revision = story.save_revision()
    revision.publish()
    story.refresh_from_db()
    assert not story.live
    assert client.get("/nl/verhalen/later/").status_code == 404

    later = timezone.now() + datetime.timedelta(minutes=6)
    with mock.patch("django.utils.timezone.now", return_value=later):
        call_command("publish_scheduled")
    story.refresh_from_db()
    assert story.live
    assert client.get("/nl/verhalen/later/").status_code == 200


def test_a_missing_admin_object_is_a_plain_404(client, admin_user):
    client.force_login(admin_user)

    response = client.get("/admin/pages/999999/edit/")

    assert response.status_code == 404
