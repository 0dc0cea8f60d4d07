import pytest
from wagtail.test.utils import WagtailPageTestCase

from home.models import ContactPage, HomePage, StandardPage
from stories.models import InterviewPage, PracticeExamplePage, StoryIndexPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def bilingual(site_tree):
    """Every page of the fixture tree, translated to English."""
    t = site_tree
    pages = [t.home, t.about, t.contact, t.index, t.practice, t.interview]
    english = [t.english_home] + [t.translate(page, t.english) for page in pages[1:]]
    return pages, english


def test_every_page_type_renders_in_both_languages(client, bilingual):
    dutch, english = bilingual
    rendered_types = set()
    for page in [*dutch, *english]:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        html = response.content.decode()
        language = page.locale.language_code
        assert page.url.startswith(f"/{language}/")
        assert f'<html lang="{language}">' in html
        assert page.title.replace("&", "&amp;") in html
        rendered_types.add(type(page))
    assert rendered_types == {
        HomePage,
        StandardPage,
        ContactPage,
        StoryIndexPage,
        InterviewPage,
        PracticeExamplePage,
    }


def test_interface_text_comes_from_the_catalogue_of_each_language(client, bilingual):
    dutch, english = bilingual
    assert "Naar de inhoud" in client.get(dutch[0].url).content.decode()
    assert "Skip to content" in client.get(english[0].url).content.decode()


def test_language_switcher_leads_to_the_translation(client, bilingual):
    dutch, english = bilingual
    practice_nl, practice_en = dutch[4], english[4]
    html = client.get(practice_nl.url).content.decode()
    assert f'href="{practice_en.url}" hreflang="en"' in html
    assert f'hreflang="en" href="{practice_en.full_url}"' in html
    assert f'hreflang="nl" href="{practice_nl.full_url}"' in html


def test_language_switcher_falls_back_to_the_other_home_page(client, site_tree):
    html = client.get(site_tree.interview.url).content.decode()
    assert 'href="/en/" hreflang="en"' in html
    assert "this page is not translated" in html
    assert 'hreflang="en" href' not in html


def test_home_page_shows_featured_and_latest_stories(client, site_tree):
    home = site_tree.home
    home.featured_stories.create(story=site_tree.interview, sort_order=0)
    home.save_revision().publish()
    html = client.get(home.url).content.decode()
    featured = html.index("Taalles in Cuijk")
    assert featured < html.index("Klik &amp; Tik bij Promen"), "featured first, then latest"
    assert site_tree.contact.url in html


class TestPageTree(WagtailPageTestCase):
    def test_where_pages_may_be_created(self):
        self.assertCanCreateAt(HomePage, StandardPage)
        self.assertCanCreateAt(HomePage, ContactPage)
        self.assertCanCreateAt(HomePage, StoryIndexPage)
        self.assertCanCreateAt(StoryIndexPage, PracticeExamplePage)
        self.assertCanCreateAt(StoryIndexPage, InterviewPage)
        self.assertCanNotCreateAt(HomePage, PracticeExamplePage)
        self.assertCanNotCreateAt(PracticeExamplePage, InterviewPage)
