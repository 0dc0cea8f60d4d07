"""The site search (core/search.py): Dutch and English word forms, one ranked list of stories,
courses and pages, and a search table that follows every publish, unpublish and restriction.

The same tests run on SQLite (the `make run` default; stems made in Python) and on
PostgreSQL (CI; the text search configurations of each language)."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from core import search
from core.cache import forget_local
from core.models import SearchDocument
from tests.booking.factories import CourseGroupFactory, CoursePageFactory, LocationFactory
from tests.conftest import translate
from tests.factories import InterviewPageFactory, PracticeExamplePageFactory, StandardPageFactory

pytestmark = pytest.mark.django_db


def paragraph(text):
    return [("paragraph", f"<p>{text}</p>")]


@pytest.fixture
def findable(site_tree):
    """Stories, a course with a group in Gouda and a page, in Dutch and English."""
    tree = site_tree
    tree.digital = PracticeExamplePageFactory(
        parent=tree.index,
        title="Meedoen in een digitale wereld",
        slug="meedoen-digitaal",
        summary="Werknemers leren met de computer werken.",
        date=datetime.date(2023, 5, 1),
        body=paragraph("Wie digitaal vaardig is, doet makkelijker mee."),
    )
    tree.courses = InterviewPageFactory(
        parent=tree.index,
        title="Een gesprek met de trainer",
        slug="gesprek-trainer",
        summary="Over het lesgeven aan volwassenen.",
        date=datetime.date(2023, 6, 1),
        body=paragraph("Ze gaf al veel cursussen in de bibliotheek."),
    )
    tree.privacy = StandardPageFactory(
        parent=tree.home,
        title="Privacyverklaring",
        slug="privacy",
        intro="Hoe we met je gegevens omgaan.",
        body=paragraph("We bewaren zo weinig mogelijk."),
    )
    tree.course = CoursePageFactory(parent=tree.home, title="Klik & Tik", slug="klik-en-tik")
    location = LocationFactory(city="Gouda")
    CourseGroupFactory(course=tree.course, library=location.organisation, location=location)
    tree.course.save_revision().publish()  # a coordinator's group change does the same
    english_course = translate(tree.courses, tree.english)
    english_course.title = "A talk with the trainer"
    english_course.summary = "About teaching adults."
    english_course.body = paragraph("She taught many courses in libraries.")
    english_course.save_revision().publish()
    tree.english_courses = english_course
    return tree


def titles(response):
    return re.findall(r'search-results__title"><a href="[^"]*">([^<]+)</a>', response.text)


# (language, query, titles that must be found, titles that must not)
QUERIES = [
    ("nl", "digitale", ["Meedoen in een digitale wereld"], ["Een gesprek met de trainer"]),
    ("nl", "digitaal", ["Meedoen in een digitale wereld"], []),
    ("nl", "cursussen", ["Een gesprek met de trainer"], ["Meedoen in een digitale wereld"]),
    ("nl", "cursus", ["Een gesprek met de trainer"], []),
    ("nl", "bibliotheken", ["Een gesprek met de trainer"], []),
    ("nl", "Gouda", ["Klik &amp; Tik", "Klik &amp; Tik bij Promen"], ["Taalles in Cuijk"]),
    ("nl", "gouda", ["Klik &amp; Tik"], []),
    ("nl", "Promen", ["Klik &amp; Tik bij Promen"], ["Taalles in Cuijk"]),
    ("nl", "digitale vaardigheden", ["Klik &amp; Tik bij Promen"], []),
    ("nl", "gegevens", ["Privacyverklaring"], []),
    ("nl", "Noord-Brabant", ["Taalles in Cuijk"], ["Klik &amp; Tik bij Promen"]),
    ("nl", "trainer volwassenen", ["Een gesprek met de trainer"], []),
    ("en", "course", ["A talk with the trainer"], []),
    ("nl", "cursussen Gouda", ["Klik &amp; Tik"], []),  # the kind is a keyword
    ("nl", "interviews", ["Een gesprek met de trainer", "Taalles in Cuijk"], []),
    ("en", "libraries", ["A talk with the trainer"], []),
    ("en", "teaching", ["A talk with the trainer"], []),
    ("en", "digitale", [], ["Meedoen in een digitale wereld"]),  # Dutch pages stay in /nl/
]


@pytest.mark.parametrize(("language", "query", "found", "not_found"), QUERIES)
def test_search_understands_the_word_forms_of_each_language(
    client, findable, language, query, found, not_found
):
    path = {"nl": "/nl/zoeken/", "en": "/en/search/"}[language]
    response = client.get(path, {"q": query})
    assert response.status_code == 200
    shown = titles(response)
    for title in found:
        assert title in shown, f"{query!r} should find {title!r}; found {shown}"
    for title in not_found:
        assert title not in shown, f"{query!r} should not find {title!r}"


def test_results_show_what_kind_of_page_each_is_best_match_first(client, findable):
    InterviewPageFactory(
        parent=findable.index,
        title="Nieuws uit Deventer",
        date=datetime.date(2026, 1, 1),
        body=paragraph("Ook hier werken ze aan digitale vaardigheden."),
    )
    response = client.get("/nl/zoeken/", {"q": "digitaal"})
    # In the title first, then in a theme (a keyword), then only in the text; the newest
    # story comes last.
    assert titles(response) == [
        "Meedoen in een digitale wereld",
        "Klik &amp; Tik bij Promen",
        "Nieuws uit Deventer",
    ]
    body = client.get("/nl/zoeken/", {"q": "Gouda"}).text
    kinds = re.findall(r'search-results__kind">([^<]+)<', body)
    assert set(kinds) == {"Cursus", "Praktijkvoorbeeld"}
    assert '<time datetime="2021-04-13">13 april 2021</time>' in body


def test_the_result_list_reads_the_search_table_not_the_pages(client, findable):
    with CaptureQueriesContext(connection) as queries:
        client.get("/nl/zoeken/", {"q": "bibliotheek"})
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "core_searchdocument" in sql
    assert '"body"' not in sql and "stories_practiceexamplepage" not in sql


def test_search_uses_the_same_queries_for_ten_or_two_hundred_stories(client, site_tree):
    def make(start, count):
        for n in range(start, start + count):
            PracticeExamplePageFactory(
                parent=site_tree.index,
                title=f"Samen leren {n}",
                slug=f"samen-leren-{n}",
                body=paragraph("Collega's leren samen in de bibliotheek."),
            )

    def queries():
        cache.clear()  # factories save without publishing, which would refresh the page cache
        forget_local()
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/nl/zoeken/", {"q": "samen leren", "page": "2"})
        assert response.status_code == 200
        return len(captured)

    make(0, 12)
    few = queries()
    make(12, 200)
    assert queries() == few
    assert "212 resultaten" in client.get("/nl/zoeken/", {"q": "samen leren"}).text


def test_search_follows_publish_unpublish_and_privacy(client, findable):
    def found(query):
        return titles(client.get("/nl/zoeken/", {"q": query}))

    story = findable.digital
    story.title = "Meedoen met Digisterker"
    story.save_revision().publish()
    assert found("Digisterker") == ["Meedoen met Digisterker"]

    story.unpublish()
    assert found("Digisterker") == []
    story.save_revision().publish()
    assert found("Digisterker") == ["Meedoen met Digisterker"]

    restriction = PageViewRestriction.objects.create(
        page=findable.index, restriction_type=PageViewRestriction.PASSWORD, password="geheim"
    )
    assert found("Digisterker") == []
    restriction.delete()
    assert found("Digisterker") == ["Meedoen met Digisterker"]

    story.delete()
    assert found("Digisterker") == []


def test_drafts_are_not_found_before_they_are_published(client, findable):
    story = findable.digital
    story.title = "Een nieuwe titel in concept"
    story.save_revision()
    assert titles(client.get("/nl/zoeken/", {"q": "concept"})) == []
    assert "Meedoen in een digitale wereld" in titles(
        client.get("/nl/zoeken/", {"q": "digitale wereld"})
    )


def test_untranslated_pages_are_found_in_their_own_language_only(client, findable, english):
    # The English tree holds aliases of Dutch pages nobody translated; they are not English.
    assert titles(client.get("/en/search/", {"q": "Privacyverklaring"})) == []
    assert "Privacyverklaring" in titles(client.get("/nl/zoeken/", {"q": "Privacyverklaring"}))


@pytest.mark.parametrize(
    "query", ["   ", '"', "-", "!!!", "de het een", "a & | ! ( )", "é" * 90, "digi\ttaal"]
)
def test_odd_queries_get_an_answer_not_an_error(client, findable, query):
    response = client.get("/nl/zoeken/", {"q": query})
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["\x00digitaal", "digi\x00taal", "\x1b[31m"])
def test_control_characters_in_a_search_are_refused_in_plain_words(client, findable, query):
    """Refused before the search runs (core/input.py), with a page that says what to do."""
    response = client.get("/nl/zoeken/", {"q": query})
    assert response.status_code == 400
    assert "\x00" not in response.text and "digitaal" not in response.text


def test_rebuild_builds_the_same_table_and_migrate_fills_an_empty_one(findable):
    before = set(SearchDocument.objects.values_list("page_id", "title"))
    call_command("rebuild_site_search", verbosity=0)
    assert set(SearchDocument.objects.values_list("page_id", "title")) == before

    SearchDocument.objects.all().delete()
    call_command("migrate", verbosity=0)
    assert set(SearchDocument.objects.values_list("page_id", "title")) == before


def test_pages_without_search_content_are_left_out(findable):
    kinds = {doc.content_type.model for doc in SearchDocument.objects.all()}
    assert kinds == {"practiceexamplepage", "interviewpage", "standardpage", "coursepage"} | {
        "contactpage"
    }
    assert not SearchDocument.objects.filter(page=findable.home).exists()


def test_stems_match_what_postgresql_makes_of_dutch():
    assert search.stems("Cursussen voor de bibliotheken", "nl") == ["cursus", "bibliothek"]
    assert search.stems("cursus", "nl") == ["cursus"]
    assert search.stems("digitale digitaal", "nl") == ["digital", "digital"]
    assert search.stems("libraries and courses", "en") == ["librari", "cours"]


def test_a_story_moved_into_a_private_branch_is_no_longer_found(client, findable):
    private = StandardPageFactory(parent=findable.home, title="Intern", slug="intern")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    page = findable.privacy
    page.move(private, pos="last-child")
    assert titles(client.get("/nl/zoeken/", {"q": "Privacyverklaring"})) == []
    page.refresh_from_db()
    page.move(findable.home, pos="last-child")
    assert titles(client.get("/nl/zoeken/", {"q": "Privacyverklaring"})) == ["Privacyverklaring"]
