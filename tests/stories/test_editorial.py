import pytest
from django.contrib.auth.models import Group, User
from wagtail_localize.models import StringTranslation, Translation, TranslationSource

from home.editorial import EDITORS, FINAL_EDITORS, ensure_editorial_setup

from ..factories import PracticeExamplePageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editors(site_tree):
    ensure_editorial_setup([site_tree.index])
    writer = User.objects.create_user("redactie", password="x")
    writer.groups.add(Group.objects.get(name=EDITORS))
    approver = User.objects.create_user("eindredactie", password="x")
    approver.groups.add(Group.objects.get(name=FINAL_EDITORS))
    return writer, approver


def test_setup_is_idempotent(editors, site_tree):
    ensure_editorial_setup([site_tree.index])
    assert Group.objects.filter(name__in=[EDITORS, FINAL_EDITORS]).count() == 2


def test_editors_write_but_only_final_editors_publish(editors, site_tree):
    writer, approver = editors
    assert site_tree.index.permissions_for_user(writer).can_add_subpage()
    assert not site_tree.practice.permissions_for_user(writer).can_publish()
    assert site_tree.practice.permissions_for_user(approver).can_publish()


def test_workflow_goes_from_submit_through_approve_to_live(client, editors, site_tree):
    writer, approver = editors
    draft = PracticeExamplePageFactory.build(
        title="Leerplein in Alkmaar", slug="alkmaar", hero_image=None
    )
    draft.live = False
    site_tree.index.add_child(instance=draft)
    draft.save_revision(user=writer)

    workflow = draft.get_workflow()
    assert workflow is not None, "stories are moderated"
    workflow.start(draft, writer)
    draft.refresh_from_db()
    assert not draft.live
    assert client.get("/nl/verhalen/alkmaar/").status_code == 404

    task_state = draft.current_workflow_state.current_task_state
    task = task_state.task.specific
    assert [a[0] for a in task.get_actions(draft, writer)] == []
    assert "approve" in [a[0] for a in task.get_actions(draft, approver)]
    task.on_action(task_state, approver, "approve")

    draft.refresh_from_db()
    assert draft.live
    assert client.get("/nl/verhalen/alkmaar/").status_code == 200


def test_translation_made_with_wagtail_localize_appears_under_en(
    client, site_tree, django_capture_on_commit_callbacks
):
    english_index = site_tree.translate(site_tree.index, site_tree.english)
    source, _created = TranslationSource.get_or_create_from_instance(site_tree.practice)
    translation = Translation.objects.create(source=source, target_locale=site_tree.english)
    # Segments hold text as HTML-escaped strings.
    english = {
        "Klik &amp; Tik bij Promen": "Click &amp; Tap at Promen",
        "klik-en-tik-bij-promen": "click-and-tap-at-promen",
    }
    for string_segment in source.stringsegment_set.select_related("string", "context"):
        text = string_segment.string.data
        StringTranslation.objects.create(
            translation_of=string_segment.string,
            locale=site_tree.english,
            context=string_segment.context,
            data=english.get(text, f"EN {text}"),
        )
    # wagtail-localize publishes once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        translation.save_target(publish=True)

    response = client.get(f"{english_index.url}click-and-tap-at-promen/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Click &amp; Tap at Promen" in html
    assert '<html lang="en">' in html
    assert 'href="/nl/verhalen/klik-en-tik-bij-promen/" hreflang="nl"' in html
