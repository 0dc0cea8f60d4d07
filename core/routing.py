"""Remember which page a URL leads to, so Wagtail need not walk the tree on every request.

Wagtail routes a URL one path segment at a time (a query or two per level, plus the site's
home page in the visitor's language). The result is kept in the cache under the current
page-cache generation, which any publish, unpublish or move bumps; a remembered route is
then one query for the page itself. Wagtail's own serve view reads the route from
`request._wagtail_route_for_request`, the attribute `Page.route_for_request` caches it in.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache

from .cache import current_generation

SKIPPED_PREFIXES = ("/admin/", "/api/", "/static/", "/media/", "/documents/")


def _key(request):
    return f"route:{current_generation(request)}:{request.get_host()}:{request.path}"


class CachedRouteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or request.path.startswith(SKIPPED_PREFIXES):
            return self.get_response(request)
        key = _key(request)
        remembered = cache.get(key)
        if remembered is not None:
            content_type_id, page_id = remembered
            model = ContentType.objects.get_for_id(content_type_id).model_class()
            page = model.objects.live().filter(pk=page_id).first()
            if page is not None:
                request._wagtail_route_for_request = (page, [], {})
        response = self.get_response(request)
        route = getattr(request, "_wagtail_route_for_request", None)
        if remembered is None and route and not route[1] and not route[2]:
            page = route[0]
            cache.set(key, (page.content_type_id, page.pk), settings.PAGE_CACHE_SECONDS)
        return response
