from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page

from core.locale import real_pages


class MultilingualSitemap(Sitemap):
    """Every live page in every language it is written in (no aliases of untranslated pages).

    Wagtail's own sitemap walks one root page; with translations, each language has its own
    home page beside the default one, so we walk all of them.
    """

    def items(self):
        root = self.get_wagtail_site().root_page
        q = None
        for home in Page.objects.filter(translation_key=root.translation_key):
            branch = Page.objects.descendant_of(home, inclusive=True)
            q = branch if q is None else q | branch
        return real_pages(q.live().public()).order_by("path").defer_streamfields().specific()
