from urllib.parse import urlencode

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from wagtail.models import Locale, Page

from core.locale import real_pages
from core.site_url import absolute_url

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 100


@require_GET
def search(request):
    """Site search in the visitor's language."""
    query = request.GET.get("q", "").strip()
    notices = []
    if len(query) > MAX_QUERY_LENGTH:
        notices.append(
            _("Your search was long; we used the first %(n)s characters.") % {"n": MAX_QUERY_LENGTH}
        )
        query = query[:MAX_QUERY_LENGTH]
    results = None
    if query:
        locale = Locale.get_active()
        # The search index filters only on declared fields, so aliases go by id.
        written = real_pages(Page.objects.filter(locale=locale)).values("pk")
        pages = (
            Page.objects.live()
            .public()
            .filter(locale=locale, id__in=written)
            .specific()
            .search(query)
        )
        paginator = Paginator(pages, RESULTS_PER_PAGE)
        number = request.GET.get("page", "1")
        try:
            results = paginator.page(number)
        except (PageNotAnInteger, EmptyPage):
            notices.append(_("That page of results does not exist. We show the first page."))
            results = paginator.page(1)
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
