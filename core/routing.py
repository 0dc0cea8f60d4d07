"""Remember which page a URL leads to, so Wagtail need not walk the tree on every request.

Wagtail routes a URL one path segment at a time (a query or two per level, plus the site's
home page in the visitor's language). The result is kept in the cache with the page's
`url_path`; a remembered route is then one query for the page itself, and is used only while
that page is live and still has that `url_path`. A move, a new slug (of the page or of an
ancestor) or unpublishing changes what the database says, so a remembered route can never
lead to the wrong page, and no change needs to clear routes. Wagtail's own serve view reads
the route from `request._wagtail_route_for_request`, the attribute `Page.route_for_request`
caches it in.
"""

import hashlib

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache

SKIPPED_PREFIXES = ("/admin/", "/api/", "/static/", "/media/", "/documents/")


def _key(request):
    # Hashed: a path may be long or hold characters no cache key may (spaces, non-ASCII).
    address = f"{request.get_host()}:{request.path}".encode()
    return f"page-route:{hashlib.sha256(address).hexdigest()}"


class CachedRouteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or request.path.startswith(SKIPPED_PREFIXES):
            return self.get_response(request)
        key = _key(request)
        remembered = cache.get(key)
        if remembered is not None:
            content_type_id, page_id, url_path = remembered
            model = ContentType.objects.get_for_id(content_type_id).model_class()
            page = model.objects.live().filter(pk=page_id, url_path=url_path).first()
            if page is not None:
                request._wagtail_route_for_request = (page, [], {})
            else:
                remembered = None
        response = self.get_response(request)
        route = getattr(request, "_wagtail_route_for_request", None)
        if remembered is None and route and not route[1] and not route[2]:
            page = route[0]
            remember = (page.content_type_id, page.pk, page.url_path)
            cache.set(key, remember, settings.PAGE_CACHE_SECONDS)
        return response
