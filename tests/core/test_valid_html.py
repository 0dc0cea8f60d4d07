"""Valid HTML on the public pages: the `datetime` of every `<time>` is a date or moment HTML
accepts (whole seconds, not the six-digit fractions of a database timestamp), and no form has
an empty `action`. The booking pages are checked in tests/booking/test_valid_html.py; the Nu
HTML Checker runs over the demo site in tests/demo/test_valid_html.py."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from tests.html_checker import (
    form_actions,
    is_valid_datetime,
    markup_problems,
    nu_checker_missing,
    nu_errors,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
UTC = datetime.UTC


def html_datetime(value):
    return Template("{% load leerplein %}{{ value|html_datetime }}").render(
        Context({"value": value})
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # A database timestamp in UTC, with microseconds: Amsterdam time in whole seconds.
        (datetime.datetime(2031, 1, 14, 8, 30, 5, 123456, tzinfo=UTC), "2031-01-14T09:30:05+01:00"),
        (datetime.datetime(2031, 7, 15, 11, 0, 0, 999999, tzinfo=UTC), "2031-07-15T13:00:00+02:00"),
        (
            datetime.datetime(2031, 1, 14, 9, 30, 0, 500, tzinfo=AMSTERDAM),
            "2031-01-14T09:30:00+01:00",
        ),
        (datetime.datetime(2031, 1, 14, 9, 30, 0, 500), "2031-01-14T09:30:00"),
        (datetime.date(2031, 1, 14), "2031-01-14"),
        (None, ""),
        ("", ""),
    ],
)
def test_html_datetime_writes_whole_seconds_with_the_offset(value, expected):
    assert html_datetime(value) == expected
    assert expected == "" or is_valid_datetime(expected)


def test_html_datetime_is_the_same_in_either_language():
    moment = datetime.datetime(2031, 1, 14, 8, 30, 5, 123456, tzinfo=UTC)
    with translation.override("en"):
        english = html_datetime(moment)
    assert english == html_datetime(moment) == "2031-01-14T09:30:05+01:00"


def test_the_checks_catch_what_the_nu_html_checker_reported():
    old = '<time datetime="2026-12-02T16:11:59.123456+01:00">x</time><form action=""></form>'
    assert markup_problems(old) == [
        "bad datetime value '2026-12-02T16:11:59.123456+01:00'",
        "form with an empty action",
    ]
    assert markup_problems('<time datetime="2026-12-02T16:11:59+01:00">x</time><form></form>') == []
    assert form_actions('<form action="/nl/"></form><form method="get"></form>') == ["/nl/", None]


# -- the public pages ----------------------------------------------------------------------------


def pages(site_tree, lang):
    home, index, story, contact = (
        site_tree.home,
        site_tree.index,
        site_tree.practice,
        site_tree.contact,
    )
    if lang == "en":
        home = site_tree.english_home
        index, story, contact = (
            site_tree.translate(page, site_tree.english) for page in (index, story, contact)
        )
    return {
        "home": home.url,
        "stories": index.url,
        "stories, filtered": f"{index.url}?theme=digitale-vaardigheden",
        "story": story.url,
        "contact": contact.url,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_public_pages_have_valid_dates_and_forms(client, site_tree, lang):
    urls = pages(site_tree, lang)
    # override: the language the pages switch to ends with the test, not in the next one.
    with translation.override(lang):
        for name, url in urls.items():
            response = client.get(url)
            assert response.status_code == 200, name
            body = response.content.decode()
            assert markup_problems(body) == [], name
        stories = client.get(urls["stories"]).content.decode()
    assert "<form" in stories
    assert "datetime=" in stories


def test_the_nu_html_checker_reports_what_it_found_by_page():
    missing = nu_checker_missing()
    if missing:
        pytest.skip(missing)
    page = '<!DOCTYPE html><html lang="nl"><head><title>t</title></head><body>{}</body></html>'

    errors = nu_errors(
        {
            "old": page.format(
                '<p><time datetime="2026-12-02T16:11:59.123456+01:00">x</time></p>'
                '<form action=""></form>'
            ),
            "new": page.format(
                '<p><time datetime="2026-12-02T16:11:59+01:00">x</time></p><form></form>'
            ),
        }
    )

    assert list(errors) == ["old"]
    assert len(errors["old"]) == 2
    assert "fraction of a second" in errors["old"][0]
    assert "action" in errors["old"][1]
