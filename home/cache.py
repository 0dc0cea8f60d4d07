"""Whole-page cache for anonymous visitors, and fragments shared by every page.

Anonymous visitors get the same HTML, so a finished response is kept in the cache and served
again without touching the database. Publishing, unpublishing or moving a page (and editing
the snippets and settings pages show) bumps a generation number: every cached page and
fragment becomes stale at once, on every app server sharing the cache, without scanning or
flushing keys that belong to others.

A page is stored with the generation it was made in, under a key without it, so a hit costs
one round trip to the cache (the generation and the page in one `get_many`).
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


def _start_generation():
    cache.add(GENERATION_KEY, 1, timeout=None)
    return cache.get(GENERATION_KEY, 1)


def current_generation(request=None):
    """The cache generation, looked up once per request."""
    generation = getattr(request, "_page_cache_generation", None)
    if generation is None:
        generation = cache.get(GENERATION_KEY) or _start_generation()
        if request is not None:
            request._page_cache_generation = generation
    return generation


def cached_fragment(request, name, parts, compute, timeout=None):
    """`compute()`'s value, kept until the next publish; `parts` tell the variants apart."""
    key = f"fragment:{current_generation(request)}:{name}:{':'.join(map(str, parts))}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout or settings.PAGE_CACHE_SECONDS)
    return value


def _key(request):
    url = request.build_absolute_uri()
    return f"page-cache:{hashlib.sha256(url.encode()).hexdigest()}"


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
        key = _key(request)
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY) or _start_generation()
        request._page_cache_generation = generation
        stored_generation, response = found.get(key, (None, None))
        if response is not None and stored_generation == generation:
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if _is_cacheable(response):
            response["X-Page-Cache"] = "miss"
            cache.set(key, (generation, response), settings.PAGE_CACHE_SECONDS)
        return response
