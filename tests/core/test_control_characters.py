"""Control characters in an address never reach a view or the database: the visitor gets a
400 page in their language that says what to do. Forms refuse a NUL on their own."""

import pytest
from django.test import Client

from core.input import has_control_characters, validate_name


@pytest.mark.parametrize(
    ("value", "encoded", "expected"),
    [
        ("/nl/zoeken/", False, False),
        ("/nl/\x00/", False, True),
        ("/nl/\x1f/", False, True),
        ("/nl/\x7f/", False, True),
        ("/nl/%00/", False, False),
        ("q=%00", True, True),
        ("q=%7F", True, True),
        ("q=%09%0A%0D", True, False),
        ("q=caf%C3%A9", True, False),
        ("q=%2500", True, False),
    ],
)
def test_what_counts_as_a_control_character(value, encoded, expected):
    assert has_control_characters(value, encoded=encoded) is expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/nl/zoeken/?q=%00",
        "/nl/zoeken/?q=bieb%00theek",
        "/nl/zoeken/?q=%01&page=2",
        "/nl/zoeken/?page=%00",
        "/nl/cursussen/%00/",
        "/nl/%00",
        "/nl/portaal/?x=%1b",
        "/admin/pages/?q=%00",
        "/sitemap.xml?p=%00",
        "/static/%00.css",
        "/documents/%00/",
    ],
)
def test_a_control_character_in_an_address_answers_a_dutch_400_page(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "Dit adres bevat tekens die niet in een webadres horen." in text
    assert 'href="/nl/"' in text
    assert "\x00" not in text


def test_the_400_page_speaks_english_under_en(client, db):
    response = client.get("/en/search/?q=%00")
    assert response.status_code == 400
    text = response.content.decode()
    assert '<html lang="en">' in text
    assert "This address contains characters that do not belong in a web address." in text
    assert "go to the home page and search from there" in text
    assert response["Content-Language"] == "en"


def test_the_search_page_with_a_nul_answers_400_on_postgresql_too(client, site_tree):
    """The fault report: `?q=%00` reached PostgreSQL's full-text search and gave a 500."""
    assert client.get("/nl/zoeken/?q=%00").status_code == 400
    assert client.get("/nl/zoeken/?q=bibliotheek").status_code == 200


def test_tabs_and_line_breaks_in_a_query_pass(client, site_tree):
    assert client.get("/nl/zoeken/?q=a%09b%0Ac").status_code == 200


def test_a_cookie_with_a_control_character_is_ignored(db, site_tree):
    client = Client()
    client.cookies["sessionid"] = "abc\x00def"
    client.cookies["csrftoken"] = "\x01"
    assert client.get("/nl/").status_code == 200


def test_a_nul_in_a_form_field_is_a_form_error_not_a_500(client, site_tree):
    response = client.post(
        "/nl/account/inloggen/", {"username": "a\x00b", "password": "x\x00"}, follow=False
    )
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("name", ["Anna", "A.", "Ĳ", "Zoë", "李", ""])
def test_names_with_a_letter_or_empty_are_fine(name):
    validate_name(name)


@pytest.mark.parametrize("name", ["\u200b", "...", " \u00a0", "12", "\ufeff"])
def test_names_without_a_letter_are_refused(name):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        validate_name(name)
    assert refused.value.code == "no_letter"
