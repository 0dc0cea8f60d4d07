"""Language selection that leaves the admin and other non-page paths alone."""

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
