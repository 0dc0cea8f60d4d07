import pytest

from core.choices import Province

from ..factories import InterviewPageFactory, PracticeExamplePageFactory

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


def test_index_uses_the_same_number_of_queries_for_5_and_50_stories(
    client, site_tree, django_assert_num_queries
):
    def count_queries():
        client.get(site_tree.index.url)  # warm image renditions
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(site_tree.index.url).status_code == 200
        return len(ctx.captured_queries)

    # Both kinds on the first page in both runs: each kind costs its own fixed queries.
    factories = [PracticeExamplePageFactory, InterviewPageFactory]
    for n in range(3):
        factories[n % 2](parent=site_tree.index)
    with_five = count_queries()
    for n in range(45):
        factories[n % 2](parent=site_tree.index)
    with_fifty = count_queries()
    assert with_five == with_fifty
    assert with_fifty <= 25


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
