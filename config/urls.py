from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from django.utils.text import format_lazy
from django.utils.translation import pgettext_lazy
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from booking.api import api, unknown_api_address
from booking.portal.views.alerts import RoomFeed
from core import shared_password
from home import sitemap
from home import views as home_views
from stories.feeds import LatestStoriesAtomFeed, LatestStoriesFeed

urlpatterns = [
    path("admin/password_reset/", include("booking.accounts.admin_urls")),
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's own addresses, with a limit on wrong passwords (core/shared_password.py); no
    # name, so Wagtail's reverse() still gives this address and its forms post here.
    path(
        "documents/authenticate_with_password/<int:restriction_id>/",
        shared_password.authenticate_document,
    ),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", api.urls),
    re_path(r"^api/", unknown_api_address),
    path("robots.txt", home_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap.index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemap.section, name="sitemap_section"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += i18n_patterns(
    path(pgettext_lazy("url", "search/"), home_views.search, name="search"),
    path(pgettext_lazy("url", "stories/feed/rss/"), LatestStoriesFeed(), name="stories_rss"),
    path(pgettext_lazy("url", "stories/feed/atom/"), LatestStoriesAtomFeed(), name="stories_atom"),
    path(
        format_lazy(
            "{}<slug:slug>/{}", pgettext_lazy("url", "courses/"), pgettext_lazy("url", "room.atom")
        ),
        RoomFeed(),
        name="course_room_feed",
    ),
    path(pgettext_lazy("url", "account/"), include("booking.accounts.urls")),
    path(pgettext_lazy("url", "portal/"), include("booking.portal.urls")),
    path(pgettext_lazy("url", "teaching/"), include("booking.trainers.urls")),
    path(pgettext_lazy("url", "evaluation/"), include("booking.evaluation.urls")),
    path(
        "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/",
        shared_password.authenticate_page,
    ),
    path("", include(wagtail_urls)),
)

# A lost database answers 503 with Retry-After instead of 500 (core/unavailable.py).
handler500 = "core.unavailable.server_error"
# Plain pages in the visitor's language instead of Django's English ones (core/error_pages.py).
handler400 = "core.error_pages.bad_request"
handler403 = "core.error_pages.permission_denied"
