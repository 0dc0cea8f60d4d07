"""The stories index's filters fold into a <details>: closed until a filter is in use, so on a
phone the stories come first, and open while one is, so the visitor sees what they chose."""

import re

import pytest

pytestmark = pytest.mark.django_db


def filter_panel(response):
    body = response.content.decode()
    match = re.search(r"<details class=\"filter-panel\"( open)?>(.*?)</details>", body, re.S)
    assert match, "the filters are not in a <details>"
    return match


def test_the_filters_are_folded_while_none_is_in_use(client, site_tree):
    panel = filter_panel(client.get(site_tree.index.url))

    assert panel.group(1) is None
    assert '<form class="filter-form" method="get"' in panel.group(2)
    assert "filter-panel__count" not in panel.group(2)


@pytest.mark.parametrize(
    ("query", "in_use"),
    [("province=zuid-holland", 1), ("q=Cuijk", 1), ("kind=interview&theme=taal", 2)],
)
def test_the_filters_stay_open_and_say_how_many_are_in_use(client, site_tree, query, in_use):
    english_index = site_tree.translate(site_tree.index, site_tree.english)

    panel = filter_panel(client.get(f"{english_index.url}?{query}"))

    assert panel.group(1) == " open"
    summary = re.sub(r"<[^>]+>|\s+", " ", panel.group(2).split("</summary>")[0])
    words = "filter" if in_use == 1 else "filters"
    assert " ".join(summary.split()) == f"Find stories ({in_use} {words} in use)"


def test_a_value_we_do_not_know_does_not_open_the_filters(client, site_tree):
    response = client.get(f"{site_tree.index.url}?province=atlantis")

    assert filter_panel(response).group(1) is None
    assert "atlantis" in response.content.decode()  # the notice says what was left out


def test_the_dutch_summary_counts_the_filters_in_dutch(client, site_tree):
    panel = filter_panel(client.get(f"{site_tree.index.url}?province=zuid-holland"))

    summary = " ".join(re.sub(r"<[^>]+>", " ", panel.group(2).split("</summary>")[0]).split())
    assert summary == "Verhalen zoeken (1 filter gekozen)"
