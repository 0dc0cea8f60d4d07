"""Whole-page cache for anonymous visitors.

Anonymous visitors get the same HTML, so a finished response is kept in the cache and served
again without touching the database. Publishing, unpublishing or moving a page (and editing
the snippets and settings pages show) bumps a generation number that is part of every key:
all cached pages become stale at once, on every app server sharing the cache, without
scanning or flushing keys that belong to others.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

GENERATION_KEY = "page-cache:generation"
CACHEABLE_TYPES = ("text/html", "application/rss+xml", "application/atom+xml", "application/xml")


def clear_page_cache(**_kwargs):
    """Make every cached page stale. Safe to call from signal handlers."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, timeout=None)


def _generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        generation = cache.get(GENERATION_KEY, 1)
    return generation


def _key(request, generation):
    url = request.build_absolute_uri()
    return f"page-cache:{generation}:{hashlib.sha256(url.encode()).hexdigest()}"


def _is_anonymous_read(request):
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.path.startswith(("/admin/", "/api/", "/static/", "/media/"))
    )


def _is_cacheable(response):
    # Responses that set a cookie (a CSRF token for a form, say) are personal: never shared.
    # "Vary: Cookie" alone does not stop us: only requests without a session get here.
    return (
        response.status_code == 200
        and not response.cookies
        and not response.streaming
        and "private" not in response.get("Cache-Control", "")
        and response.get("Content-Type", "").split(";")[0] in CACHEABLE_TYPES
    )


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _is_anonymous_read(request):
            return self.get_response(request)
        generation = _generation()
        key = _key(request, generation)
        response = cache.get(key)
        if response is not None:
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if _is_cacheable(response):
            response["X-Page-Cache"] = "miss"
            cache.set(key, response, settings.PAGE_CACHE_SECONDS)
        return response
