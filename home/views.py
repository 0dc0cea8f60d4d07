from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from wagtail.models import Locale

from core import search as site_search
from core.pagination import page_or_first
from core.site_url import absolute_url

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 100


@require_GET
def search(request):
    """Site search in the visitor's language: stories, courses and pages in one ranked list."""
    query = request.GET.get("q", "").strip()
    notices = []
    if len(query) > MAX_QUERY_LENGTH:
        notices.append(
            _("Your search was long; we used the first %(n)s characters.") % {"n": MAX_QUERY_LENGTH}
        )
        query = query[:MAX_QUERY_LENGTH]
    results = None
    if query:
        paginator = Paginator(site_search.search(query, Locale.get_active()), RESULTS_PER_PAGE)
        results = page_or_first(paginator, request.GET.get("page", "1"), notices)
        for document in results:
            document.kind = site_search.kind_label(document)
    return render(
        request,
        "home/search.html",
        {
            "query": query,
            "results": results,
            "notices": notices,
            "query_prefix": "?" + urlencode({"q": query}) + "&",
            "hide_header_search": True,
        },
    )


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        f"Sitemap: {absolute_url(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
