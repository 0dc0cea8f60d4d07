"""Whole-page cache for anonymous visitors, and fragments, refreshed by what they show.

Anonymous visitors get the same HTML, so a finished response is kept in the cache and served
again without touching the database. Every cached page and fragment records its
*dependencies*, named version keys in the shared cache:

- `page:<translation key>` for a page (all its languages share it), recorded by the page
  itself, by fragments that show it and by lists that show it;
- a few named lists: `stories` (every list of stories: index, home, feeds), `courses` (the
  planned courses on the home page), `site` (menu, footer, site settings: on every page),
  `pages` (search results and any view that names nothing better) and one per sitemap
  section (`sitemap:nl-stories`, home/sitemap.py).

An entry is stored with the versions its dependencies had before it was rendered, and is
current while they all still have those versions. A change gives the affected keys a new
version (`invalidate`, run after the database commit): only the pages and fragments that
used them go stale, on every app server sharing the cache, without scanning keys. Which
change bumps which keys is written in one place, home/signals.py (and
booking/invalidation.py for course groups).

Each process keeps the pages it served and the versions it read; it trusts a version for
PAGE_CACHE_LOCAL_SECONDS (1 s), so a hit usually needs no network, and otherwise one
`get_many` for the page and its versions together. The process that makes a change knows
the new versions at once; other processes within that second.

After an invalidation one process renders a page (a short lock taken with `cache.add`);
the others serve the copy they have ("stale"), or wait up to PAGE_CACHE_WAIT_SECONDS for
the new one before rendering it themselves.
"""

import datetime
import hashlib
import logging
import pickle  # noqa: S403 - only our own responses, written by this middleware
import time
import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from wagtail.contrib.frontend_cache.tasks import purge_urls_from_cache_task
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Page

logger = logging.getLogger(__name__)

VERSION_PREFIX = "page-cache:version:"
CACHEABLE_TYPES = ("text/html", "application/rss+xml", "application/atom+xml", "application/xml")
LOCAL_PAGES_MAX = 500
LOCK_SUFFIX = ":render"
# What the lookup answers for a URL whose last response was not kept (see `_render`).
NOT_KEPT = object()
WAIT_STEP_SECONDS = 0.05
# The second purge of a change comes this long after every server stopped trusting old
# versions (see `purge_front_end`).
SECOND_PURGE_MARGIN_SECONDS = 1

# Named dependencies (see the module docstring).
STORIES = "stories"
COURSES = "courses"
SITE = "site"
EVERY_PAGE = "pages"


class _ProcessState:
    """What this process remembers between requests; never shared with other processes."""

    def __init__(self):
        self.versions = {}  # dependency name -> (version, monotonic time it was read)
        self.pages = {}  # page cache key -> (versions, pickled response)
        self.dependencies = {}  # page cache key -> names its last copy depended on
        self.unsent = {}  # versions a change could not write while the cache was down


_process = _ProcessState()

# What pages of a type and views of a URL name show beyond their own page (home/signals.py).
_page_type_dependencies: dict[type, tuple[str, ...]] = {}
_view_dependencies: dict[str, tuple[str, ...]] = {}


def forget_local():
    """Drop what this process remembers: versions, pages and dependencies."""
    global _process
    _process = _ProcessState()


def register_dependencies(*, names: Iterable[str], page_types=(), url_names=()):
    """Declare that pages of `page_types` and views named `url_names` show the named lists."""
    for page_type in page_types:
        _page_type_dependencies[page_type] = tuple(names)
    for url_name in url_names:
        _view_dependencies[url_name] = tuple(names)


def page_key(page) -> str:
    return f"page:{page.translation_key}"


def _names(items) -> set[str]:
    """Dependency names of strings, pages and (nested) lists of them; None is skipped."""
    names = set()
    for item in items:
        if item is None or item == "":
            continue
        if isinstance(item, str):
            names.add(item)
        elif isinstance(item, Page):
            names.add(page_key(item))
        elif isinstance(item, Iterable):
            names |= _names(item)
        else:
            raise TypeError(f"Not a cache dependency: {item!r}")
    return names


# --- versions -------------------------------------------------------------------------------


def _new_version() -> str:
    # Random, not a counter: after the cache is flushed an old version can never come back and
    # match a page some process still holds.
    return uuid.uuid4().hex[:16]


def _send_unsent():
    if _process.unsent and getattr(cache, "available", True):
        unsent, _process.unsent = _process.unsent, {}
        failed = cache.set_many(unsent, timeout=None)
        _process.unsent.update({key: unsent[key] for key in failed or ()})


def _read(names, extra_keys):
    """One round trip for the versions of `names` and the values of `extra_keys`; a name
    without a version gets one (so a page stored now cannot match after a later change
    whose version was evicted)."""
    _send_unsent()
    keys = [VERSION_PREFIX + name for name in names]
    found = cache.get_many([*extra_keys, *keys]) if keys or extra_keys else {}
    versions = {name: found.get(VERSION_PREFIX + name) for name in names}
    missing = [name for name, version in versions.items() if version is None]
    if missing:
        for name in missing:
            cache.add(VERSION_PREFIX + name, _new_version(), timeout=None)
        again = cache.get_many([VERSION_PREFIX + name for name in missing])
        versions.update({name: again.get(VERSION_PREFIX + name) for name in missing})
    now = time.monotonic()
    for name, version in versions.items():
        if version is not None:
            _process.versions[name] = (version, now)
    return versions, found


def versions_for(request, names, extra_keys=()):
    """The versions of `names` as this request sees them, and the values of `extra_keys`.

    A request reads each version once (the value from before it rendered anything), from
    this process's copy when that is fresh, else from the cache in one round trip.
    """
    snapshot = request.__dict__.setdefault("_cache_versions", {}) if request is not None else {}
    now = time.monotonic()
    to_read = []
    for name in names:
        if name in snapshot:
            continue
        local = _process.versions.get(name)
        if local is not None and now - local[1] < settings.PAGE_CACHE_LOCAL_SECONDS:
            snapshot[name] = local[0]
        else:
            to_read.append(name)
    found = {}
    if to_read or extra_keys:
        read, found = _read(to_read, list(extra_keys))
        snapshot.update(read)
    return {name: snapshot.get(name) for name in names}, found


def _is_current(request, stored) -> bool:
    current, _found = versions_for(request, list(stored))
    return None not in current.values() and current == stored


def invalidate(names: Iterable[str], *, urls: Iterable[str] = ()):
    """Give the named dependencies new versions, and purge `urls` from the front-end cache.

    Every page and fragment that used one of them is stale from now on, in this process at
    once and in the others within PAGE_CACHE_LOCAL_SECONDS. Call it after the change is
    committed: a render that read the old rows must not store them under the new version.
    """
    names = sorted(set(names))
    if names:
        now = time.monotonic()
        new = {VERSION_PREFIX + name: _new_version() for name in names}
        for name in names:
            _process.versions[name] = (new[VERSION_PREFIX + name], now)
        failed = cache.set_many(new, timeout=None)
        # Cache down: try again with the next request, so other processes learn of it later.
        _process.unsent.update({key: new[key] for key in failed or ()})
    purge_front_end(urls)


def refresh(names: Iterable[str], *, urls: Iterable[str] = ()):
    """Invalidate `names` now and again when the current transaction commits; purge `urls`
    from the front-end cache after the commit.

    Now: this process (and a test inside a transaction) sees the change at once. Again after
    the commit: a page another process rendered in between, from the rows as they were
    before the change, is stale as well.
    """
    names = set(names)
    invalidate(names)
    transaction.on_commit(partial(invalidate, names, urls=set(urls)))


def purge_front_end(urls: Iterable[str]):
    """Ask the CDN or HTTP cache (settings.WAGTAILFRONTENDCACHE) to forget these URLs, now
    and once more a little later.

    Another app server trusts the versions it read for PAGE_CACHE_LOCAL_SECONDS, so for that
    long after a change it may still answer with the old page; the front-end cache would keep
    that copy until it expires if it fetched it after the first purge. The second purge, made
    when no server can still have the old versions, removes it. It goes through the task
    queue (Wagtail sends purges as tasks), where the queue can run a task later.
    """
    urls = sorted(set(urls))
    if not urls or not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    try:
        PurgeBatch(urls).purge()
        if purge_urls_from_cache_task.get_backend().supports_defer:
            later = timezone.now() + datetime.timedelta(
                seconds=settings.PAGE_CACHE_LOCAL_SECONDS + SECOND_PURGE_MARGIN_SECONDS
            )
            purge_urls_from_cache_task.using(run_after=later).enqueue(urls)
    except Exception:  # a purge that fails must not undo the editor's change
        logger.exception("Purging %s URLs from the front-end cache failed", len(urls))


# --- recording what a response shows --------------------------------------------------------


@contextmanager
def recording(request):
    """Collect the dependencies recorded while the block runs (nested blocks add to it)."""
    scopes = request.__dict__.setdefault("_cache_scopes", [])
    scope = set()
    scopes.append(scope)
    try:
        yield scope
    finally:
        scopes.pop()  # blocks nest, so the innermost is last


def depends_on(request, *items):
    """Record that what is being rendered shows these pages or named lists."""
    if request is None:
        return
    names = _names(items)
    for scope in request.__dict__.get("_cache_scopes", ()):
        scope |= names


def _fragment_key(name, parts):
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:32]
    return f"fragment:{name}:{digest}"


def cached_fragment(request, name, parts, compute, *, depends=()):
    """`compute()`'s value, kept until one of `depends` (pages, list names) changes;
    `parts` tell the variants apart."""
    names = sorted(_names(depends))
    depends_on(request, *names)
    key = _fragment_key(name, parts)
    versions, found = versions_for(request, names, [key])
    entry = found.get(key)
    if entry is not None and entry[0] == versions:
        return entry[1]
    value = compute()
    if names and None not in versions.values():
        cache.set(key, (versions, value), settings.PAGE_CACHE_SECONDS)
    return value


def render_fragment(request, name, parts, declared, render):
    """Like `cached_fragment` for a piece of template: what `render()` records while it runs
    (pages it shows, menus it uses) becomes part of the fragment's dependencies."""
    key = _fragment_key(name, parts)
    declared = sorted(_names(declared))
    _versions, found = versions_for(request, declared, [key])
    entry = found.get(key)
    if entry is not None and _is_current(request, entry[0]):
        depends_on(request, *entry[0])
        return entry[1]
    with recording(request) as scope:
        depends_on(request, *declared)
        html = render()
    versions, _found = versions_for(request, sorted(scope))
    if versions and None not in versions.values():
        cache.set(key, (versions, html), settings.PAGE_CACHE_SECONDS)
    return html


# --- the page cache -------------------------------------------------------------------------


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


def _record_view_dependencies(request):
    """A page depends on itself and on the lists its type shows; another view on what its URL
    name was registered with, or on every page when nothing was."""
    route = getattr(request, "_wagtail_route_for_request", None)
    if route:
        page = route[0]
        names = next(
            (
                _page_type_dependencies[t]
                for t in type(page).__mro__
                if t in _page_type_dependencies
            ),
            (),
        )
        depends_on(request, page, *names)
        return
    match = getattr(request, "resolver_match", None)
    depends_on(request, *_view_dependencies.get(match and match.url_name, (EVERY_PAGE,)))


def _shared(response, state):
    """Mark a page the app's cache keeps as one a shared HTTP cache may keep too.

    Only with a front-end cache that the app purges (WAGTAILFRONTENDCACHE): Varnish or a CDN
    keeps it for PAGE_CACHE_SECONDS or until a change purges it; browsers ask again every time
    (max-age=0), so a visitor never holds an old copy that a purge cannot reach. A stale copy
    (served while another process renders the new one) is for this visitor only: a shared
    cache that kept it after the purge would show it until it expired.
    """
    response["X-Page-Cache"] = state
    if getattr(settings, "WAGTAILFRONTENDCACHE", None):
        if state == "stale":
            response["Cache-Control"] = "max-age=0, s-maxage=0"
        else:
            response["Cache-Control"] = f"max-age=0, s-maxage={settings.PAGE_CACHE_SECONDS}"
    return response


def _served(page, state):
    response = pickle.loads(page)  # noqa: S301 - written by this middleware only
    return _shared(response, state)


def _keep_locally(key, versions, page):
    pages = _process.pages
    if len(pages) >= LOCAL_PAGES_MAX:
        pages.clear()
        _process.dependencies.clear()
    pages[key] = (versions, page)
    _process.dependencies[key] = tuple(versions)


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _is_anonymous_read(request):
            return self.get_response(request)
        key = _key(request)
        page, stale = self._lookup(request, key)
        if page is NOT_KEPT:
            # Rendered for every visitor (live seats, a form's cookie): nobody waits for it.
            return self.get_response(request)
        if page is not None:
            return _served(page, "hit")
        lock = key + LOCK_SUFFIX
        if cache.add(lock, 1, timeout=settings.PAGE_CACHE_LOCK_SECONDS):
            try:
                return self._render(request, key)
            finally:
                cache.delete(lock)
        if getattr(cache, "available", True):
            # Another process is rendering this page: serve our copy, or wait for theirs.
            if stale is not None:
                return _served(stale, "stale")
            page = self._wait(request, key)
            if page is not None:
                return _served(page, "hit")
        return self._render(request, key)

    @staticmethod
    def _lookup(request, key):
        """(a current copy, NOT_KEPT or None; an outdated copy to serve while another
        renders)."""
        stale = None
        local = _process.pages.get(key)
        if local is not None:
            if _is_current(request, local[0]):
                return local[1] or NOT_KEPT, None
            stale = local[1]
        # The page and the versions it needed last time, in one round trip.
        guessed = _process.dependencies.get(key, ())
        _versions, found = versions_for(request, guessed, [key])
        entry = found.get(key)
        if entry is not None:
            versions, page = entry
            if _is_current(request, versions):
                _keep_locally(key, versions, page)
                return page or NOT_KEPT, None
            stale = stale or page
        return None, stale

    @staticmethod
    def _wait(request, key):
        deadline = time.monotonic() + settings.PAGE_CACHE_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(WAIT_STEP_SECONDS)
            entry = cache.get(key)
            if entry is not None and _is_current(request, entry[0]):
                _keep_locally(key, *entry)
                return entry[1]  # None when the page turned out not to be kept
        return None

    def _render(self, request, key):
        with recording(request) as scope:
            response = self.get_response(request)
            _record_view_dependencies(request)
        cacheable = _is_cacheable(response)
        versions, _found = versions_for(request, sorted(scope))
        if versions and None not in versions.values():
            # A page that is not kept is remembered as such (None), under the same versions,
            # so the next visitors neither take the render lock nor wait for a copy that
            # never comes; a change of what it shows makes it worth trying again. Pickled
            # before the headers below: whoever serves it again sets them as they then apply.
            page = pickle.dumps(response) if cacheable else None
            cache.set(key, (versions, page), settings.PAGE_CACHE_SECONDS)
            _keep_locally(key, versions, page)
        if cacheable:
            _shared(response, "miss")
        return response
