"""The demo's content files (demo/content/): read in full, and a mistake named with its file."""

import io
import shutil

import pytest
import yaml
from django.core.management import CommandError, call_command
from wagtail.models import Page

from demo.bilingual import Html, Text
from demo.data import CONTENT_DIR, ContentError, load_content
from demo.images import Illustration
from stories.models import InterviewPage, PracticeExamplePage


def test_every_page_file_is_read_in_both_languages():
    content = load_content(CONTENT_DIR)
    files = sorted(CONTENT_DIR.glob("*/*.yaml"))
    assert sorted(content.pages) == sorted(path.stem for path in files)
    home, *others = content.pages.values()
    assert home.parent is None and all(spec.parent for spec in others)
    stories = content.children("stories")
    assert {spec.model for spec in stories} == {PracticeExamplePage, InterviewPage}
    gouda = content.pages["gouda"]
    assert gouda.fields["title"] == Text(
        "Gouda: Klik & Tik en Digisterker voor Promen",
        "Gouda: Klik & Tik and Digisterker for Promen",
    )
    assert isinstance(gouda.fields["roles"], Html) and gouda.fields["roles"].en.startswith("<ul>")
    block_types = {block_type for spec in stories for block_type, _value in spec.fields["body"]}
    assert {"paragraph", "heading", "quote", "question_answer", "facts"} <= block_types


@pytest.fixture
def content_copy(tmp_path):
    """A copy of demo/content/ to break."""
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    return root


def edit(root, name, change):
    """Apply `change` to the data of one content file; returns the file's path."""
    path = root / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def drop_english_title(data):
    del data["title"]["en"]


def rename_first_heading(data):
    index = next(i for i, block in enumerate(data["body"]) if "heading" in block)
    data["body"][index] = {"headline": data["body"][index]["heading"]}


def unknown_theme(data):
    data["themes"].append("sterrenkunde")


def unknown_organisation(data):
    data["partner_organisations"][0] = "bibliotheek-atlantis"


@pytest.mark.parametrize(
    ("name", "change", "problem"),
    [
        ("stories/gouda.yaml", drop_english_title, "title: needs text in nl and en (missing: en)"),
        ("pages/about.yaml", rename_first_heading, "unknown block type 'headline'"),
        ("stories/cuijk.yaml", unknown_theme, "themes[2]: unknown theme 'sterrenkunde'"),
        (
            "stories/interview-gouda.yaml",
            unknown_organisation,
            "partner_organisations[0]: unknown organisation 'bibliotheek-atlantis'",
        ),
    ],
)
def test_a_mistake_names_the_file_and_what_is_wrong(content_copy, name, change, problem):
    path = edit(content_copy, name, change)
    with pytest.raises(ContentError) as error:
        load_content(content_copy)
    assert str(path) in str(error.value)
    assert problem in str(error.value)


def test_an_image_block_holds_a_drawn_picture_and_its_alt_text_in_both_languages(content_copy):
    picture = {"title": "Boeken", "description": "Boeken", "label": "Boeken"}
    picture |= {"motif": "books", "palette": "teal"}
    image_block = {
        "image": {
            "image": {"illustration": picture},
            "alt_text": {"nl": "Boeken op een plank", "en": "Books on a shelf"},
        },
        "caption": {"nl": "Onderschrift", "en": "Caption"},
    }
    edit(content_copy, "pages/about.yaml", lambda data: data["body"].append({"image": image_block}))
    block_type, value = load_content(content_copy).pages["about"].fields["body"][-1]
    assert block_type == "image"
    assert value["image"]["image"] == Illustration(**picture)
    assert value["image"]["alt_text"] == Text("Boeken op een plank", "Books on a shelf")
    assert value["caption"] == Text("Onderschrift", "Caption")


def test_a_page_file_missing_from_site_yaml_is_reported(content_copy):
    (content_copy / "stories" / "gouda.yaml").rename(content_copy / "stories" / "goudaa.yaml")
    with pytest.raises(ContentError, match="goudaa.yaml: file name: not listed"):
        load_content(content_copy)


@pytest.mark.django_db
def test_load_demo_stops_on_a_broken_file_before_saving_anything(content_copy, monkeypatch):
    path = edit(content_copy, "stories/gouda.yaml", drop_english_title)
    monkeypatch.setattr("demo.loader.demo_content", lambda: load_content(content_copy))
    pages = Page.objects.count()
    with pytest.raises(CommandError, match=str(path)):
        call_command("load_demo", stdout=io.StringIO())
    assert Page.objects.count() == pages
