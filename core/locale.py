"""Language selection that leaves the admin and other non-page paths alone, and which pages
count as written in a language (docs/translation.md)."""

from django.middleware.locale import LocaleMiddleware

from .routing import SKIPPED_PREFIXES


class SiteLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, minus its redirect of a 404 to a language-prefixed path.

    The Wagtail catch-all inside `i18n_patterns` makes every path look valid with `/nl/` in
    front, so a missing admin object (`/admin/…/42/`) would be redirected to `/nl/admin/…`
    and only then give its 404. Outside the page tree a 404 stays a 404.
    """

    def process_response(self, request, response):
        if response.status_code == 404 and request.path_info.startswith(SKIPPED_PREFIXES):
            return response
        return super().process_response(request, response)


def real_pages(queryset):
    """Only the pages that are written in their own language: no aliases.

    With wagtail-localize's tree synchronisation the English tree holds an alias of every Dutch
    page nobody has translated yet: a live copy of the Dutch text under an English URL. Lists,
    feeds, the sitemap, search and language alternates show a page in a language only when it
    is a real page of that language, so they all filter through here.
    """
    return queryset.filter(alias_of__isnull=True)


def untranslated_original(page):
    """The page that `page` stands in for when it is an alias into another language, else None.

    Such a page shows the original's text, so it is marked with the original's language and
    names the original as its canonical address.
    """
    if not getattr(page, "alias_of_id", None):
        return None
    original = page.alias_of
    if original.locale_id == page.locale_id:
        return None
    return original
