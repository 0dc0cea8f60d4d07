"""One configured base URL (SITE_URL) for every link read outside a page.

The request below arrives under an internal name (what a load balancer passes on) and a forged
one; every absolute link must still be SITE_URL's.
"""

import subprocess
from pathlib import Path

import feedparser
import icalendar
import pytest
from django.core import mail
from django.core.checks import run_checks
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import translation
from wagtail.models import Site

from booking.calendar import booking_calendar
from core.site_url import absolute_url, parse_site_url, sync_default_site
from tests.booking.factories import BookingFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = "https://leerplein.example"
INTERNAL_HOST = "app-node-2.internal"

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_site(settings, site_tree):
    """SITE_URL set, and the default site following it as `migrate` makes it."""
    settings.SITE_URL = PUBLIC
    settings.ALLOWED_HOSTS = ["*"]
    sync_default_site()
    return site_tree


def links_in(html: str, marker: str) -> list[str]:
    return [line for line in html.splitlines() if marker in line]


@pytest.mark.parametrize(
    ("url", "root"),
    [
        ("https://leerplein.nl", "https://leerplein.nl"),
        ("https://leerplein.nl/", "https://leerplein.nl"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://localhost", "http://localhost"),
    ],
)
def test_site_urls_wagtail_can_hold_are_accepted(url, root):
    assert parse_site_url(url).root_url == root


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("leerplein.nl", "http:// or https://"),
        ("ftp://leerplein.nl", "http:// or https://"),
        ("https://leerplein.nl/site/", "root of its host"),
        ("https://leerplein.nl/?a=1", "root of its host"),
        ("https://leerplein.nl:8443", "port 443"),
        ("http://leerplein.nl:443", "port 443"),
        ("http://leerplein.nl:99999", "not an address"),
    ],
)
def test_a_site_url_wagtail_cannot_hold_is_refused_with_what_to_write(settings, url, reason):
    with pytest.raises(ValueError, match=reason):
        parse_site_url(url)
    settings.SITE_URL = url
    errors = [message for message in run_checks() if message.id == "core.E010"]
    assert errors and "https://leerplein.nl" in errors[0].msg


def test_migrate_gives_the_default_site_the_configured_host_and_port(settings, db):
    settings.SITE_URL = "http://127.0.0.1:8123"
    call_command("migrate", verbosity=0)
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port, site.root_url) == ("127.0.0.1", 8123, settings.SITE_URL)


def test_the_default_site_is_synced_by_wagtails_post_migrate_signal():
    receivers = post_migrate._live_receivers(sender=Site._meta.app_config)
    assert sync_default_site in receivers[0]


def test_canonical_hreflang_and_social_links_use_the_site_url(client, public_site):
    for path in [public_site.home.url, public_site.practice.url, "/nl/zoeken/?q=klik"]:
        html = client.get(path, HTTP_HOST=INTERNAL_HOST).content.decode()
        absolute = links_in(html, 'rel="canonical"') + links_in(html, 'rel="alternate" hreflang')
        assert absolute, path
        assert all(f'href="{PUBLIC}/' in line for line in absolute), absolute
        assert INTERNAL_HOST not in html


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feeds_link_to_the_site_url(client, public_site, kind):
    response = client.get(f"/nl/verhalen/feed/{kind}/", HTTP_HOST=INTERNAL_HOST)
    feed = feedparser.parse(response.content)
    assert feed.entries
    assert feed.feed.link == f"{PUBLIC}/nl/"
    assert all(entry.link.startswith(f"{PUBLIC}/nl/verhalen/") for entry in feed.entries)
    assert INTERNAL_HOST not in response.content.decode()


def test_sitemap_and_robots_use_the_site_url(client, public_site):
    index = client.get("/sitemap.xml", HTTP_HOST=INTERNAL_HOST).content.decode()
    assert f"<loc>{PUBLIC}/sitemap-nl-pages.xml</loc>" in index
    sitemap = client.get("/sitemap-nl-pages.xml", HTTP_HOST=INTERNAL_HOST).content.decode()
    assert f"<loc>{PUBLIC}/nl/</loc>" in sitemap
    assert INTERNAL_HOST not in index + sitemap
    robots = client.get("/robots.txt", HTTP_HOST=INTERNAL_HOST).content.decode()
    assert f"Sitemap: {PUBLIC}/sitemap.xml" in robots


def test_a_password_reset_link_never_takes_a_forged_host(client, settings, public_site):
    user = UserFactory(email="els@promen.test")
    user.set_password("old-password-1")
    user.save()
    with translation.override("nl"):
        path = reverse("accounts:password_reset")
    client.post(path, {"email": user.email}, HTTP_HOST="evil.example")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert f"{PUBLIC}/nl/account/" in body
    assert "evil.example" not in body


def test_calendar_files_link_to_the_site_url(public_site):
    calendar = icalendar.Calendar.from_ical(booking_calendar(BookingFactory()))
    urls = [str(event.get("url")) for event in calendar.walk("VEVENT")]
    assert urls and all(url.startswith(f"{PUBLIC}/nl/") for url in urls)


def test_absolute_url_keeps_an_absolute_media_address():
    assert absolute_url("https://media.example/a.webp") == "https://media.example/a.webp"
    with override_settings(SITE_URL=PUBLIC):
        assert absolute_url("/nl/verhalen/ß/") == f"{PUBLIC}/nl/verhalen/%C3%9F/"


def test_make_run_serves_and_links_to_the_same_address():
    """`make run PORT=…` passes the matching SITE_URL to migrate, load_demo and runserver."""
    done = subprocess.run(  # noqa: S603 - make with fixed arguments, nothing executed
        ["make", "-n", "run", "PORT=8123"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    commands = [line for line in done.stdout.splitlines() if "manage.py" in line]
    for step in ["migrate", "load_demo", "runserver 127.0.0.1:8123"]:
        line = next(line for line in commands if step in line)
        assert "SITE_URL=http://127.0.0.1:8123 " in line, line
