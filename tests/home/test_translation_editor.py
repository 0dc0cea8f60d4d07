"""Writers finish translations through the editorial workflow; slugs are translated with the
title; the Dutch admin's translation screens speak Dutch (home/translation_editor.py)."""

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.utils import translation as django_translation
from wagtail.models import Page
from wagtail_localize.models import (
    LocaleSynchronization,
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)
from wagtail_localize.operations import translate_object
from wagtail_localize.synctree import synchronize_tree

from home.editorial import EDITORS, FINAL_EDITORS, ensure_editorial_setup

from ..factories import PracticeExamplePageFactory

pytestmark = pytest.mark.django_db

TITLE_NL = "Samen aan de slag in Zwolle"


@pytest.fixture
def story_in_translation(site_tree, django_capture_on_commit_callbacks):
    """A live Dutch story whose English alias a writer has just started to translate."""
    site = site_tree
    site.translate(site.index, site.english)
    story = PracticeExamplePageFactory(
        parent=site.index, title=TITLE_NL, slug="samen-aan-de-slag", date=datetime.date(2026, 1, 5)
    )
    LocaleSynchronization.objects.create(locale=site.english, sync_from=site.home.locale)
    synchronize_tree(site.home.locale, site.english)
    ensure_editorial_setup([site.index])
    writer = User.objects.create_user("redactie", password="x")
    writer.groups.add(Group.objects.get(name=EDITORS))
    approver = User.objects.create_user("eindredactie", password="x")
    approver.groups.add(Group.objects.get(name=FINAL_EDITORS))
    with django_capture_on_commit_callbacks(execute=True):
        translate_object(story, [site.english], user=writer)  # "Translate this page"
    english = Page.objects.get(translation_key=story.translation_key, locale=site.english)
    site.story, site.english_story, site.writer, site.approver = story, english, writer, approver
    site.translation = Translation.objects.get(
        target_locale=site.english, source__object_id=story.translation_key
    )
    return site


def translate_string(site, source_text, english_text):
    source = TranslationSource.objects.get(object_id=site.story.translation_key)
    segment = StringSegment.objects.select_related("string", "context").get(
        source=source, string__data=source_text
    )
    StringTranslation.objects.update_or_create(
        translation_of=segment.string,
        locale=site.english,
        context=segment.context,
        defaults={"data": english_text},
    )


def editor_url(site):
    return f"/admin/pages/{site.english_story.pk}/edit/"


def test_starting_a_translation_takes_the_english_alias_offline(client, story_in_translation):
    site = story_in_translation
    site.english_story.refresh_from_db()
    assert site.english_story.alias_of_id is None
    assert not site.english_story.live
    assert client.get("/en/verhalen/samen-aan-de-slag/").status_code == 404
    assert client.get("/nl/verhalen/samen-aan-de-slag/").status_code == 200


def test_writer_is_offered_submit_and_not_publish(client, story_in_translation):
    site = story_in_translation
    client.force_login(site.writer)
    html = client.get(editor_url(site), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert 'value="submit"' in html
    assert "Indienen ter goedkeuring" in html
    assert "&quot;canPublish&quot;: false" in html
    assert 'value="approve"' not in html


def test_writer_submits_and_final_editor_approves_under_an_english_slug(
    client, story_in_translation, django_capture_on_commit_callbacks
):
    site = story_in_translation
    translate_string(site, TITLE_NL, "Getting started together in Zwolle")
    client.force_login(site.writer)
    response = client.post(editor_url(site), {"action": "submit"}, follow=True)
    assert response.status_code == 200
    page = site.english_story.specific_class.objects.get(pk=site.english_story.pk)
    assert page.current_workflow_state is not None
    assert not page.live, "nothing goes live before approval"
    assert page.get_latest_revision_as_object().slug == "getting-started-together-in-zwolle"
    assert client.get("/en/verhalen/getting-started-together-in-zwolle/").status_code == 404

    # The writer cannot approve or publish (Wagtail answers a refusal with a redirect).
    for action in ("approve", "publish"):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(editor_url(site), {"action": action}).status_code == 302
    page.refresh_from_db()
    assert not page.live and page.current_workflow_state is not None

    client.force_login(site.approver)
    html = client.get(editor_url(site)).content.decode()
    assert 'value="approve"' in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(editor_url(site), {"action": "approve"})
    page.refresh_from_db()
    assert page.live
    assert page.slug == "getting-started-together-in-zwolle"
    assert page.title == "Getting started together in Zwolle"
    client.logout()
    response = client.get("/en/verhalen/getting-started-together-in-zwolle/")
    assert response.status_code == 200
    assert "Getting started together in Zwolle" in client.get("/en/verhalen/").content.decode()


def test_final_editor_publishes_and_the_warning_names_what_is_missing(
    client, story_in_translation, django_capture_on_commit_callbacks
):
    site = story_in_translation
    translate_string(site, TITLE_NL, "Together in Zwolle")
    client.force_login(site.approver)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            editor_url(site), {"action": "publish"}, HTTP_ACCEPT_LANGUAGE="nl", follow=True
        )
    page = Page.objects.get(pk=site.english_story.pk)
    assert page.live and page.slug == "together-in-zwolle"
    html = response.content.decode()
    assert "maar deze delen staan nog in het Nederlands" in html
    assert "Inhoud: Samenvatting" in html
    assert "Slug" not in html.split("Laat zien wat ontbreekt")[0].split("Nederlands:")[-1]
    assert "#tab-inhoud" in html


def test_a_translated_slug_is_kept(
    client, story_in_translation, django_capture_on_commit_callbacks
):
    site = story_in_translation
    translate_string(site, "samen-aan-de-slag", "zwolle-story")
    translate_string(site, TITLE_NL, "Together in Zwolle")
    client.force_login(site.approver)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(editor_url(site), {"action": "publish"})
    assert Page.objects.get(pk=site.english_story.pk).slug == "zwolle-story"


def test_another_page_cannot_be_acted_on_without_edit_rights(client, story_in_translation):
    site = story_in_translation
    outsider = User.objects.create_user("buiten", password="x", is_staff=False)
    client.force_login(outsider)
    response = client.post(editor_url(site), {"action": "submit"})
    assert response.status_code in (302, 403)
    assert Page.objects.get(pk=site.english_story.pk).current_workflow_state is None


def test_dutch_admin_translation_screens_speak_dutch(client, story_in_translation):
    site = story_in_translation
    client.force_login(site.approver)
    html = client.get(editor_url(site), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Vertaling van Samen aan de slag in Zwolle naar het Engels" in html
    assert 'data-section-to="Vertaling van het Nederlands naar het Engels"' in html
    with django_translation.override("nl"):
        catalogue = client.get("/admin/localize/jsi18n/").content.decode()
    assert '"Publish in ": "Publiceer in het "' in catalogue
    report = client.get("/admin/localize/reports/translations/").content.decode()
    assert "Content type" not in report
    other = PracticeExamplePageFactory(parent=site.index, title="Nog een verhaal", slug="nog-een")
    synchronize_tree(site.home.locale, site.english)
    alias = Page.objects.get(translation_key=other.translation_key, locale=site.english)
    html = client.get(f"/admin/pages/{alias.pk}/edit/").content.decode()
    assert "pagina in het Nederlands</a>" in html
