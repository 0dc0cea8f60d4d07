"""Browser tests: Debian's Chromium, driven by Playwright, against the demo site on a live server.

How the database is shared:

- Every test module here marks its tests `django_db`: pytest-django only creates the test
  database when a collected test asks for one (run alone, these tests would otherwise meet the
  real database; `live_site` refuses to start on anything but the test database).
- `live_site` (package scope) loads the demo once for the whole folder and commits it, so the
  live server's thread sees it on SQLite and PostgreSQL alike. Each test still runs in its own
  transaction, rolled back afterwards.
- When the last test in this folder is done, the database is emptied and given back exactly
  what it held before the demo, so tests elsewhere never see the demo content.

Playwright's sync API keeps an asyncio loop running in the main thread. Django then refuses
database work in that thread, and looks its connections up per async context instead of per
thread. The browser is only open while these tests run (after the demo is loaded, until before
it is removed); for that time DJANGO_ALLOW_ASYNC_UNSAFE is set (the sync API blocks, so
nothing runs concurrently) and the thread keeps the connections it had, which the live server
shares on an in-memory SQLite database.
"""

import io
import os
import re
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections
from django.test.utils import override_settings
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer
from wagtail.models import Site

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
# Assertions wait as long as actions do (the page's default timeout below): Playwright's own
# 5 s for `expect` was too short for a page that submits a workflow on a busy 2-core machine.
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)


def _is_test_database(connection):
    """pytest-django's database: SQLite in memory, or the server's `test_<name>` copy."""
    name = str(connection.settings_dict["NAME"])
    return "mode=memory" in name or name.startswith("test_")


def _wait_for_requests(timeout=10):
    """Let the server's request threads finish (they close the shared database connection)."""
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if "process_request_thread" in thread.name:
            thread.join(max(0, deadline - time.monotonic()))


def _restore(connection, data):
    """Empty the database and load `data` (from serialize_db_to_string) back, ids included."""
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    connection.creation.deserialize_db_from_string(data)
    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    ContentType.objects.clear_cache()
    cache.clear()


@pytest.fixture(scope="package")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (`make chromium`)")
    return CHROMIUM


@pytest.fixture(scope="package")
def live_site(chromium, django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo site on a live server: `.url` is its address, `.media_root` its uploads."""
    connection = connections["default"]
    media_root = tmp_path_factory.mktemp("e2e-media")
    media = override_settings(MEDIA_ROOT=media_root)
    with django_db_blocker.unblock():
        if not _is_test_database(connection):  # never load into, or empty, a real database
            pytest.fail(f"Not a test database: {connection.settings_dict['NAME']}")
        before_demo = connection.creation.serialize_db_to_string()
        media.enable()
        try:
            call_command("load_demo", stdout=io.StringIO())
            server = LiveServer("localhost")
            # One default site answers any host; give it the server's, for absolute URLs.
            Site.objects.filter(is_default_site=True).update(
                hostname=server.thread.host, port=server.thread.port
            )
        except BaseException:
            _restore(connection, before_demo)
            media.disable()
            raise
    yield SimpleNamespace(url=server.url, media_root=media_root)
    _wait_for_requests()
    server.stop()
    with django_db_blocker.unblock():
        _restore(connection, before_demo)
    media.disable()


@pytest.fixture(scope="package")
def browser(chromium, live_site):
    """One Chromium for all the browser tests, started after the demo is loaded.

    It is closed before the live server stops, so no request is still being answered then.
    """
    from playwright.sync_api import sync_playwright

    allow_async_unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    opened = {conn.alias: conn for conn in connections.all(initialized_only=True)}
    playwright = sync_playwright().start()
    # With a running loop, Django looks connections up per async context instead of per
    # thread; keep using the ones the live server shares (an in-memory SQLite database).
    for alias, conn in opened.items():
        connections[alias] = conn
    try:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if allow_async_unsafe is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = allow_async_unsafe


@pytest.fixture(autouse=True)
def _media_and_cache():
    """Replaces the suite's fixture of this name: the demo's images stay in live_site's folder."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def page(browser, live_site):
    """A fresh browser context and page, 1280 px wide, with URLs relative to the live server.

    Requests for /media/ are answered from the demo's uploads (the test settings do not serve
    them); requests to any other host are refused, so the tests never touch the network.
    """
    context = browser.new_context(viewport=DESKTOP, base_url=live_site.url)
    context.set_default_timeout(TIMEOUT_MS)
    media_root = Path(live_site.media_root).resolve()

    def serve_media(route):
        relative = unquote(urlsplit(route.request.url).path).removeprefix(settings.MEDIA_URL)
        file = (media_root / relative).resolve()
        if file.is_file() and media_root in file.parents:
            route.fulfill(path=file)
        else:
            route.fulfill(status=404, body="Not found")

    context.route(
        lambda url: not url.startswith((live_site.url, "data:", "blob:")),
        lambda route: route.abort(),
    )
    context.route(f"{live_site.url}{settings.MEDIA_URL}**", serve_media)
    yield context.new_page()
    context.close()
    _wait_for_requests()


@pytest.fixture
def screenshot(request):
    """screenshot(page, lang, what=""): a full-page PNG in test-artifacts/screenshots/.

    Named <test>-<lang>-<width>.png, where <test> is the test's name followed by `what`.
    """

    def take(page, lang, what=""):
        name = "-".join(filter(None, [request.node.originalname, what]))
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
        path = SCREENSHOTS / f"{name}-{lang}-{page.viewport_size['width']}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=path, full_page=True)
        return path

    return take
