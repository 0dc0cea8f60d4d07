"""RSS 2.0 and Atom feeds of the latest stories, one per language."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from wagtail.models import Locale

from core.site_url import absolute_url

from . import selectors

FEED_LENGTH = 20


class LatestStoriesFeed(Feed):
    def get_object(self, request):
        self.request = request
        return Locale.objects.get(language_code=get_language())

    def title(self):
        return _("Leerplein: latest stories")

    def link(self):
        return absolute_url(f"/{get_language()}/")

    def feed_url(self):
        return absolute_url(self.request.path)

    def description(self):
        return _("Interviews and practice examples of libraries and SW companies working together.")

    def items(self, locale):
        ids = selectors.story_pages(locale).values_list("page_id", flat=True)[:FEED_LENGTH]
        return selectors.story_cards(ids, locale=locale)

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_full_url(self.request)

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_categories(self, item):
        return [label for _slug, label in item.theme_list]


class LatestStoriesAtomFeed(LatestStoriesFeed):
    feed_type = Atom1Feed
    subtitle = LatestStoriesFeed.description
