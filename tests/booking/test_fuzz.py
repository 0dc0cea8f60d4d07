"""Every public page and form against hostile input: control characters, huge values, wrong
types and wrong content types. Whatever is sent, the answer is never a server error (5xx).

The API has its own fuzzing over its OpenAPI document (schemathesis, test_api_schema.py);
this walks what a browser reaches: the pages of a small bilingual site, the named addresses
of the URL patterns, and the forms (contact, login, password reset, the portal's forms with a
signed-in contact person).
"""

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page

from booking.models import Seat
from booking.services import reserve_seats

pytestmark = pytest.mark.django_db

HUGE = "x" * 200_000
# Values for any field or parameter: control characters, invalid UTF-8 (percent-encoded),
# overlong encodings, huge and negative numbers, markup, a very long text.
HOSTILE_QUERY_VALUES = [
    "%00",
    "a%00b",
    "%01%1F%7F",
    "%FF%FE",
    "%C0%80",
    "%ED%A0%80",
    "99999999999999999999999",
    "-1",
    "1e309",
    "NaN",
    "%3Cscript%3E",
    "%E2%80%8B",
    "x" * 5000,
]
HOSTILE_VALUES = [
    "\x00",
    "a\x00b",
    "\x01\x1f\x7f",
    "\u200b",
    "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
    "99999999999999999999999",
    "-1",
    "<script>alert(1)</script>",
    HUGE,
]
WRONG_CONTENT_TYPES = [
    ("application/json", '{"name": ["x"], "email": {"a": 1}}'),
    ("text/plain", "\x00\x01 not a form"),
    ("application/x-www-form-urlencoded", "%FF%FE=%00&a=%C0%80&" + "b=1&" * 500),
    ("multipart/form-data; boundary=broken", "--broken\r\nnot a part"),
    ("multipart/form-data", "no boundary at all"),
    ("application/xml", "<a>&lt;</a>"),
]


def assert_no_server_errors(results):
    failures = [(method, url, status) for method, url, status in results if status >= 500]
    assert failures == [], failures


def request(client, results, method, url, **kwargs):
    response = getattr(client, method)(url, **kwargs)
    results.append((method.upper(), url[:120], response.status_code))
    return response


@pytest.fixture
def hostile_client():
    """A browser whose 500s are answers to count, not exceptions that stop the walk."""
    return Client(raise_request_exception=False)


def public_addresses(site_tree) -> list[str]:
    """Every live page in both languages and the named public addresses of the URL patterns."""
    pages = [page.url for page in Page.objects.live().specific() if page.url]
    named = []
    for language in ("nl", "en"):
        with translation.override(language):
            named += [
                reverse(name)
                for name in (
                    "search",
                    "stories_rss",
                    "stories_atom",
                    "accounts:login",
                    "accounts:logout",
                    "accounts:password_reset",
                )
            ]
    return sorted({*pages, *named, "/robots.txt", "/sitemap.xml", "/api/v1/groups"})


def test_no_public_address_answers_5xx_to_hostile_query_strings(hostile_client, site_tree):
    results = []
    addresses = public_addresses(site_tree)
    assert len(addresses) >= 15, addresses
    for url in addresses:
        request(hostile_client, results, "get", url)
        for value in HOSTILE_QUERY_VALUES:
            query = f"q={value}&page={value}&thema={value}&provincie={value}&{value}={value}"
            request(hostile_client, results, "get", f"{url}?{query}")
        request(hostile_client, results, "get", f"{url}?page=2&page=3&q=a&q=b")
    assert_no_server_errors(results)
    # The control characters were refused at the door, everywhere.
    refused = [status for method, url, status in results if "%00" in url or "%01" in url]
    assert set(refused) == {400}


def test_no_public_address_answers_5xx_to_hostile_paths(hostile_client, site_tree):
    results = []
    for url in public_addresses(site_tree):
        for suffix in ("%00", "%00/", "%FF/", "%C0%80/", "x" * 3000 + "/", "..%2F..%2F", "%0D%0A"):
            request(hostile_client, results, "get", url + suffix)
    for url in ("/", "/nl/", "/en/", "/nl/%00/", "/%00", "/nl/zoeken/%00"):
        request(hostile_client, results, "get", url)
    assert_no_server_errors(results)


def post_everything(client, results, url, fields):
    """Each field in turn with each hostile value, then all of them at once, then the body
    in the wrong content types."""
    for field in fields:
        for value in HOSTILE_VALUES:
            request(client, results, "post", url, data={**dict.fromkeys(fields, "a"), field: value})
        request(client, results, "post", url, data={field: ["a", "b"]})
    for value in HOSTILE_VALUES:
        request(client, results, "post", url, data=dict.fromkeys(fields, value))
    for content_type, body in WRONG_CONTENT_TYPES:
        request(client, results, "post", url, data=body, content_type=content_type)
    request(client, results, "put", url, data="x", content_type="text/plain")
    request(client, results, "delete", url)


CONTACT_FIELDS = ["organisatie", "soort_organisatie", "gemeente", "e_mailadres", "bericht"]


def test_the_public_forms_answer_no_5xx(hostile_client, site_tree, settings):
    settings.AXES_ENABLED = False  # so fifty wrong logins test the form, not the lockout
    results = []
    post_everything(hostile_client, results, site_tree.contact.url, CONTACT_FIELDS)
    for language in ("nl", "en"):
        with translation.override(language):
            login, reset = reverse("accounts:login"), reverse("accounts:password_reset")
            search = reverse("search")
        post_everything(hostile_client, results, login, ["username", "password"])
        post_everything(hostile_client, results, reset, ["email"])
        post_everything(hostile_client, results, search, ["q"])
    assert_no_server_errors(results)
    assert not Seat.objects.exists()


def test_the_portal_forms_answer_no_5xx_to_a_signed_in_contact(hostile_client, people, group):
    result = reserve_seats(
        group=group, organisation=people.promen, by=people.contact_promen, seats=1
    )
    seat = result.confirmed[0]
    hostile_client.force_login(people.contact_promen)
    results = []
    with translation.override("nl"):
        overview = reverse("portal:overview")
        find = reverse("portal:find_groups")
        reserve = reverse("portal:reserve", args=[group.pk])
        booking = reverse("portal:booking", args=[result.booking.pk])
        cancel = reverse("portal:booking_cancel", args=[result.booking.pk])
        edit = reverse("portal:seat_edit", args=[seat.pk])
        move = reverse("portal:seat_move", args=[seat.pk])
        api_keys = reverse("portal:api_keys")
        calendar = reverse("portal:calendar")
    for url in (overview, find, reserve, booking, edit, move, api_keys, calendar):
        for value in HOSTILE_QUERY_VALUES:
            request(hostile_client, results, "get", f"{url}?page={value}&seats={value}&q={value}")
    post_everything(hostile_client, results, reserve, ["seats", "seat-1-first_name"])
    post_everything(
        hostile_client, results, edit, ["first_name", "learning_goal", "support_needs", "reason"]
    )
    post_everything(hostile_client, results, move, ["group", "reason"])
    post_everything(hostile_client, results, api_keys, ["name"])
    post_everything(hostile_client, results, cancel, ["reason"])
    request(hostile_client, results, "get", reverse("portal:calendar_feed", args=[quote("\x00")]))
    assert_no_server_errors(results)
    # Nothing hostile was stored as a name.
    names = set(Seat.objects.values_list("first_name", flat=True))
    assert all("\x00" not in name and name.strip("\u200b") == name for name in names), names
