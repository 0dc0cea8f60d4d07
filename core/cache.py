"""Whole-page cache for anonymous visitors, and fragments shared by every page.

Anonymous visitors get the same HTML, so a finished response is kept in the cache and served
again without touching the database. Publishing, unpublishing or moving a page (and editing
the snippets and settings pages show) bumps a generation number: every cached page and
fragment becomes stale at once, on every app server sharing the cache, without scanning or
flushing keys that belong to others.

Each process also keeps the pages it served recently, and rereads the shared generation at
most every PAGE_CACHE_LOCAL_SECONDS (1 s): a hit then needs no network at all. The process
that handles a publish forgets its pages at once; other processes within that second.
"""

import hashlib
import pickle  # noqa: S403 - only our own responses, written by this middleware
import time

from django.conf import settings
from django.core.cache import cache

GENERATION_KEY = "page-cache:generation"
CACHEABLE_TYPES = ("text/html", "application/rss+xml", "application/atom+xml", "application/xml")
LOCAL_PAGES_MAX = 500


class _ProcessState:
    """What this process remembers between requests; never shared with other processes."""

    def __init__(self):
        self.generation = None
        self.read_at = 0.0
        self.pages = {}


_process = _ProcessState()


def forget_local():
    """Drop this process's copy of the generation and its pages."""
    _process.generation = None
    _process.pages = {}


def clear_page_cache(**_kwargs):
    """Make every cached page stale. Safe to call from signal handlers."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        _start_generation()
    forget_local()


def _start_generation():
    # Start from the clock, not 1: after the cache itself is flushed, an old number can never
    # come back and match a page some process still holds.
    cache.add(GENERATION_KEY, time.time_ns() // 1_000_000, timeout=None)
    return cache.get(GENERATION_KEY)


def _process_generation():
    now = time.monotonic()
    if _process.generation is None or now - _process.read_at >= settings.PAGE_CACHE_LOCAL_SECONDS:
        generation = cache.get(GENERATION_KEY) or _start_generation()
        if generation != _process.generation:
            _process.pages = {}
        _process.generation, _process.read_at = generation, now
    return _process.generation


def current_generation(request=None):
    """The cache generation, looked up once per request."""
    generation = getattr(request, "_page_cache_generation", None)
    if generation is None:
        generation = _process_generation()
        if request is not None:
            request._page_cache_generation = generation
    return generation


def cached_fragment(request, name, parts, compute):
    """`compute()`'s value, kept until the next publish; `parts` tell the variants apart."""
    key = f"fragment:{current_generation(request)}:{name}:{':'.join(map(str, parts))}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.PAGE_CACHE_SECONDS)
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


def _cache_control_words(response):
    return {
        part.split("=")[0].strip().lower()
        for part in response.get("Cache-Control", "").split(",")
        if part.strip()
    }


def _is_cacheable(response):
    # Responses that set a cookie (a CSRF token for a form, say) are personal: never shared.
    # Pages that ask every visitor to revalidate (course pages with live seats) are not kept.
    # "Vary: Cookie" alone does not stop us: only requests without a session get here.
    return (
        response.status_code == 200
        and not response.cookies
        and not response.streaming
        and not {"private", "no-cache", "no-store"} & _cache_control_words(response)
        and response.get("Content-Type", "").split(";")[0] in CACHEABLE_TYPES
    )


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _is_anonymous_read(request):
            return self.get_response(request)
        key = _key(request)
        generation = current_generation(request)
        pages = _process.pages
        page = pages.get(key)
        if page is None:
            stored_generation, page = cache.get(key, (None, None))
            if page is not None and stored_generation == generation:
                self._keep_locally(pages, key, page)
            else:
                page = None
        if page is not None:
            response = pickle.loads(page)  # noqa: S301 - written by this middleware only
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if _is_cacheable(response):
            response["X-Page-Cache"] = "miss"
            page = pickle.dumps(response)
            cache.set(key, (generation, page), settings.PAGE_CACHE_SECONDS)
            self._keep_locally(pages, key, page)
        return response

    @staticmethod
    def _keep_locally(pages, key, page):
        if len(pages) >= LOCAL_PAGES_MAX:
            pages.clear()
        pages[key] = page
