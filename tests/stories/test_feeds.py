import feedparser
import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["rss", "atom"])
@pytest.mark.parametrize("language", ["nl", "en"])
def test_feeds_parse_and_list_the_latest_stories_of_their_language(
    client, site_tree, kind, language
):
    if language == "en":
        site_tree.translate(site_tree.index, site_tree.english)
        site_tree.translate(site_tree.practice, site_tree.english)
    feed_path = {"nl": "verhalen/feed", "en": "stories/feed"}[language]
    response = client.get(f"/{language}/{feed_path}/{kind}/")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == {"rss": "rss20", "atom": "atom10"}[kind]
    titles = [entry.title for entry in feed.entries]
    expected = {
        "nl": ["Taalles in Cuijk", "Klik & Tik bij Promen"],
        "en": ["Klik & Tik bij Promen"],
    }[language]
    assert titles == expected
    assert all(entry.link.startswith(f"http://testserver/{language}/") for entry in feed.entries)
    assert feed.feed.get("language", language).startswith(language)


def test_feeds_are_advertised_in_the_page_head(client, site_tree):
    html = client.get(site_tree.home.url).content.decode()
    assert 'type="application/rss+xml"' in html
    assert 'href="/nl/verhalen/feed/rss/"' in html
    assert 'type="application/atom+xml"' in html


def test_sitemap_lists_both_languages(client, site_tree):
    english_practice = site_tree.translate(site_tree.practice, site_tree.english)
    assert "/nl/verhalen/klik-en-tik-bij-promen/" in client.get("/sitemap-nl-stories.xml").text
    assert english_practice.url in client.get("/sitemap-en-stories.xml").text
    assert "<loc>http://testserver/en/</loc>" in client.get("/sitemap-en-pages.xml").text


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_the_admin(client, db):
    text = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_story_page_has_open_graph_canonical_and_json_ld(client, site_tree):
    import json
    import re

    html = client.get(site_tree.practice.url).content.decode()
    assert f'<link rel="canonical" href="{site_tree.practice.full_url}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert 'property="og:image"' in html
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1)
    )
    assert data["@type"] == "Article"
    assert data["headline"] == "Klik & Tik bij Promen"
    assert data["inLanguage"] == "nl"
    assert data["datePublished"] == "2021-04-13"
