import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.cache import forget_local
from core.choices import Province

from ..factories import ImageFactory, InterviewPageFactory, PracticeExamplePageFactory

pytestmark = pytest.mark.django_db


def titles(response):
    return [story.title for story in response.context["story_filter"].page.object_list]


def test_lists_all_stories_newest_first(client, site_tree):
    response = client.get(site_tree.index.url)
    assert titles(response) == ["Taalles in Cuijk", "Klik & Tik bij Promen"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=interview", ["Taalles in Cuijk"]),
        ("kind=praktijkvoorbeeld", ["Klik & Tik bij Promen"]),
        ("theme=taal", ["Taalles in Cuijk"]),
        ("province=zuid-holland", ["Klik & Tik bij Promen"]),
        ("organisation=promen", ["Klik & Tik bij Promen"]),
        ("organisation=ibn", ["Taalles in Cuijk"]),
        ("theme=digitale-vaardigheden&province=zuid-holland", ["Klik & Tik bij Promen"]),
        ("theme=digitale-vaardigheden&province=noord-brabant", []),
        ("kind=interview&organisation=promen", []),
    ],
)
def test_filters_combine(client, site_tree, query, expected):
    assert titles(client.get(f"{site_tree.index.url}?{query}")) == expected


def test_filters_show_in_the_url_of_pagination_and_remove_links(client, site_tree):
    for _ in range(13):
        PracticeExamplePageFactory(parent=site_tree.index, province=Province.ZUID_HOLLAND)
    html = client.get(f"{site_tree.index.url}?province=zuid-holland").content.decode()
    assert 'href="?province=zuid-holland&amp;page=2"' in html
    assert "Pagina 1 van 2" in html
    assert f'href="{site_tree.index.url}"' in html  # remove all filters


def test_search_inside_stories_combines_with_filters(client, site_tree):
    PracticeExamplePageFactory(parent=site_tree.index, title="Digisterker in Deventer")
    assert titles(client.get(f"{site_tree.index.url}?q=Deventer")) == ["Digisterker in Deventer"]
    assert titles(client.get(f"{site_tree.index.url}?q=Deventer&kind=interview")) == []


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("theme=sterrenkunde", "theme “sterrenkunde”"),
        ("province=atlantis", "province “atlantis”"),
        ("organisation=nobody", "organisation “nobody”"),
        ("kind=podcast", "kind “podcast”"),
        ("page=abc", "“abc” is not a page number"),
        ("page=99", "Page 99 does not exist"),
        ("page=-1", "Page -1 does not exist"),
    ],
)
def test_unknown_filter_values_and_pages_give_a_clear_page(client, site_tree, query, notice):
    english_index = site_tree.translate(site_tree.index, site_tree.english)
    site_tree.translate(site_tree.practice, site_tree.english)
    site_tree.translate(site_tree.interview, site_tree.english)
    response = client.get(f"{english_index.url}?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert notice in html
    assert titles(response) == ["Taalles in Cuijk", "Klik & Tik bij Promen"]


def test_empty_result_is_friendly(client, site_tree):
    english_index = site_tree.translate(site_tree.index, site_tree.english)
    html = client.get(f"{english_index.url}?theme=taal&kind=praktijkvoorbeeld").content.decode()
    assert "No stories match these filters yet." in html
    assert "show all stories" in html


def test_english_index_filters_by_the_same_slugs_and_shows_english_labels(client, site_tree):
    english_index = site_tree.translate(site_tree.index, site_tree.english)
    site_tree.translate(site_tree.practice, site_tree.english)
    response = client.get(f"{english_index.url}?theme=digitale-vaardigheden")
    assert titles(response) == ["Klik & Tik bij Promen"]
    assert "Digital skills" in response.content.decode()


def test_story_pages_show_reading_time_and_related_stories(client, site_tree):
    related = InterviewPageFactory(
        parent=site_tree.index,
        title="Samen aan de slag in Gouda",
        province=Province.ZUID_HOLLAND,
    )
    response = client.get(site_tree.practice.url)
    html = response.content.decode()
    assert "1 minuut lezen" in html
    assert [s.title for s in response.context["related_stories"]()] == [related.title]
    assert related.title in html


def make_stories(index, count, start=0, image=None):
    """Stories of both kinds; every other practice example is in Zuid-Holland."""
    factories = [PracticeExamplePageFactory, InterviewPageFactory]
    for n in range(start, start + count):
        factories[n % 2](
            parent=index,
            hero_image=image or ImageFactory(),
            title=f"Samen digitaal {n}",
            slug=f"samen-digitaal-{n}",
            date=datetime.date(2022, 1, 1) + datetime.timedelta(days=n),
            province=Province.ZUID_HOLLAND if n % 4 == 0 else "",
        )


INDEX_VIEWS = {
    "plain": {},
    "filtered": {"kind": "praktijkvoorbeeld", "province": "zuid-holland"},
    "searched": {"q": "digitale"},
    "searched and filtered": {"q": "samen", "kind": "interview"},
    "page 2": {"page": "2"},
}


def test_index_uses_the_same_queries_for_ten_or_two_hundred_stories(client, site_tree):
    """Rendered for a signed-in visitor (no page cache): plain, filtered, searched, paged."""
    client.cookies["sessionid"] = "not-a-session"

    def queries(params):
        client.get(site_tree.index.url, params)  # each new card's image renditions, once
        cache.clear()  # and the list rendered afresh, as after a publish
        forget_local()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(site_tree.index.url, params)
        assert response.status_code == 200
        assert "Samen digitaal" in response.text
        return [query["sql"] for query in captured.captured_queries]

    image = ImageFactory()
    make_stories(site_tree.index, 24, image=image)
    few = {view: queries(params) for view, params in INDEX_VIEWS.items()}
    make_stories(site_tree.index, 200, start=24, image=image)
    for view, params in INDEX_VIEWS.items():
        many = queries(params)
        assert len(many) == len(few[view]), f"{view}:\n" + "\n".join(many)
        assert len(many) <= 25, view  # with the site frame rendered afresh too
        # Cards only: the pages' bodies stay in the database.
        assert not any('"body"' in sql for sql in many), view


def test_a_signed_in_visitor_gets_the_list_from_its_fragment_until_a_story_changes(
    client, site_tree
):
    client.cookies["sessionid"] = "not-a-session"  # never served the whole cached page
    client.get(site_tree.index.url, {"theme": "taal"})
    with CaptureQueriesContext(connection) as captured:
        assert "Taalles in Cuijk" in client.get(site_tree.index.url, {"theme": "taal"}).text
    assert not any("core_searchdocument" in query["sql"] for query in captured)
    site_tree.interview.title = "Taalles in Cuijk en Boxmeer"
    site_tree.interview.save_revision().publish()
    assert "Boxmeer" in client.get(site_tree.index.url, {"theme": "taal"}).text


def test_the_last_page_of_many_stories_shows_the_oldest(client, site_tree):
    make_stories(site_tree.index, 30)
    # 32 stories: 12 a page, so page 3 holds the 8 oldest, the fixture's two among them.
    html = client.get(site_tree.index.url, {"page": "3"}).text
    assert "Taalles in Cuijk" in html and "Klik &amp; Tik bij Promen" in html
    assert html.count('class="story-card"') == 8


# A story page's queries are fixed: routing, the story, its themes and organisations,
# three related stories, menu and footer. More stories elsewhere must not add any.
STORY_PAGE_QUERY_BUDGET = 27


def test_story_page_stays_within_its_query_budget(client, site_tree, django_assert_max_num_queries):
    for _ in range(10):
        PracticeExamplePageFactory(parent=site_tree.index, province=Province.ZUID_HOLLAND)
    client.get(site_tree.practice.url)
    with django_assert_max_num_queries(STORY_PAGE_QUERY_BUDGET):
        assert client.get(site_tree.practice.url).status_code == 200


def test_reading_time_counts_every_word_of_the_story(site_tree):
    paragraph = "<p>" + " ".join(["woord"] * 100) + "</p>"
    story = PracticeExamplePageFactory(
        parent=site_tree.index,
        summary="Kort.",
        body=[("paragraph", paragraph)] * 3
        + [("quote", {"quote": " ".join(["citaat"] * 100), "attribution": "Ijlal"})],
    )
    story.refresh_from_db()
    assert story.reading_minutes == 3  # 401 words at 180 a minute
