"""A page made private is never served from the cache again, nor listed, nor found."""

import pytest
from wagtail.models import PageViewRestriction

pytestmark = pytest.mark.django_db


def test_a_branch_made_private_leaves_every_cache_and_list(client, site_tree):
    story = site_tree.practice
    pages = [
        story.url,
        site_tree.index.url,
        "/nl/",
        "/nl/zoeken/?q=Promen",
        "/nl/verhalen/feed/rss/",
    ]
    for url in pages:  # every one of them now in the anonymous page cache
        assert story.title.replace("&", "&amp;") in client.get(url).text
        assert client.get(url).headers.get("X-Page-Cache") == "hit"

    restriction = PageViewRestriction.objects.create(
        page=site_tree.index, restriction_type=PageViewRestriction.PASSWORD, password="geheim"
    )
    response = client.get(story.url)
    assert "password" in response.text.lower() and "Klik &amp; Tik bij Promen" not in response.text
    for url in pages[1:]:
        assert "Klik &amp; Tik bij Promen" not in client.get(url).text, url

    restriction.delete()
    for url in pages:
        assert "Klik &amp; Tik bij Promen" in client.get(url).text, url
