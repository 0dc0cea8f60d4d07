"""`make bench SCALE=N` builds its site with bench/content_scale.py: a small N on SQLite.

bench/ is a folder of scripts, not a package (the benchmark runs them as `python bench/...`),
so the module is loaded from its file; putting bench/ on the path would let its run.py or
report.py stand in for other modules of those names.
"""

import importlib.util
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from wagtail.models import Page

from booking.models import CourseGroup, Session
from stories.models import InterviewPage, PracticeExamplePage


def _bench_module(name):
    path = Path(__file__).resolve().parents[2] / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ScaleBuilder = _bench_module("content_scale").ScaleBuilder

pytestmark = pytest.mark.django_db
SCALE = 20


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo with N = 20 story pages on top, and the media folder of its images; rolled
    back when the module is done."""
    folder = tmp_path_factory.mktemp("scale-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=folder), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        groups_before = set(CourseGroup.objects.values_list("pk", flat=True))
        result = ScaleBuilder(SCALE, report=lambda line: None).run()
        yield result, groups_before, folder
        transaction.set_rollback(True)


def new_stories(language):
    return [
        page
        for model in (InterviewPage, PracticeExamplePage)
        for page in model.objects.filter(locale__language_code=language, slug__regex=r"-\d+$")
    ]


def test_n_story_pages_in_both_languages(built):
    result, _groups, _media = built
    made = result["made"]
    # 9 Dutch stories with an English translation and 2 Dutch-only: 20 story pages.
    assert (made["stories_nl"], made["stories_en"], made["aliases_en"]) == (11, 9, 2)
    dutch = new_stories("nl")
    english = [page for page in new_stories("en") if page.alias_of_id is None]
    aliases = [page for page in new_stories("en") if page.alias_of_id is not None]
    assert len(dutch) + len(english) == SCALE
    assert all(page.live for page in dutch + english + aliases)
    # A translation shares the Dutch page's translation key and has English text of its own.
    originals = {page.translation_key: page for page in dutch}
    for page in english:
        original = originals[page.translation_key]
        assert page.title != original.title
        assert page.get_parent().locale.language_code == "en"
    assert {page.alias_of_id for page in aliases} <= {page.pk for page in dutch}


def test_every_new_story_is_served_in_its_languages(built, client, settings):
    settings.MEDIA_ROOT = built[2]  # the stories' images and their renditions
    for page in new_stories("nl") + new_stories("en"):
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        assert page.title.split(":")[0] in response.content.decode()


def test_stories_have_themes_organisations_and_searchable_text(built):
    dutch = new_stories("nl")
    assert all(page.themes.exists() and page.partner_organisations.exists() for page in dutch)
    assert all(len(page.body) >= 3 for page in dutch)
    words = " ".join(str(page.body) for page in dutch)
    assert "bibliotheek" in words.lower()
    assert "Klik &amp; Tik" in words or "Digisterker" in words


def test_groups_are_planned_and_booked_through_the_services(built):
    result, groups_before, _media = built
    new = CourseGroup.objects.exclude(pk__in=groups_before)
    assert new.count() == result["made"]["groups"] == SCALE // 10
    assert Session.objects.filter(group__in=new).count() == 5 * new.count()
    # save_group writes the group's history, as when a coordinator plans it in the admin.
    assert CourseGroup.history.filter(id__in=new.values("pk")).count() >= new.count()
    assert Page.objects.filter(pk__in=new.values("course")).count() >= 1
