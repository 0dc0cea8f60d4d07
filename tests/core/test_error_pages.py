"""Every error a visitor, contact person or API client can meet speaks their language and says
what to do: never Django's English technical pages ("403 Forbidden", "CSRF verification
failed"), never an untranslated text in the Dutch catalogue."""

from pathlib import Path
from unittest import mock

import polib
import pytest
from django.conf import settings
from django.db import OperationalError, connections
from django.test import Client
from wagtail.models import APIToken

from tests.booking.factories import CompanyFactory, UserFactory
from tests.core.test_form_of_address import form_of_address_problems
from tests.helpers import text_of
from tests.html_checker import markup_problems

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "nl" / "LC_MESSAGES" / "django.po"
LANGUAGES = ["nl", "en"]
# The words of Django's own error pages, which nobody here should ever see.
DJANGO_WORDS = ["Forbidden", "CSRF", "Server Error", "Bad Request (400)"]


def test_every_text_of_the_interface_has_its_dutch_translation():
    catalogue = polib.pofile(str(CATALOGUE))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


def _contact_person():
    return UserFactory(organisation=CompanyFactory())


def form_sent_without_its_token(language):
    """A form sent after the page was open too long: the login form, without the CSRF cookie."""
    client = Client(enforce_csrf_checks=True)
    path = {"nl": "/nl/account/inloggen/", "en": "/en/account/login/"}[language]
    return client.post(path, {"username": "anja", "password": "geheim"})


def admin_page_beyond_the_account(language):
    """A contact person who opens the CMS's page list by its address."""
    client = Client(headers={"accept-language": language})
    client.force_login(_contact_person())
    return client.get("/admin/pages/")


def address_with_a_control_character(language):
    return Client().get(f"/{language}/?q=%00")


def page_that_does_not_exist(language):
    return Client().get(f"/{language}/bestaat-niet/")


def database_gone(language):
    failure = OperationalError("server closed the connection unexpectedly")
    client = Client(raise_request_exception=False)
    with mock.patch.object(connections["default"], "cursor", side_effect=failure):
        return client.get(f"/{language}/")


PAGES = {
    "form sent without its token": (form_sent_without_its_token, 403),
    "admin page beyond the account": (admin_page_beyond_the_account, 403),
    "address with a control character": (address_with_a_control_character, 400),
    "page that does not exist": (page_that_does_not_exist, 404),
    "database gone": (database_gone, 503),
}


@pytest.fixture
def answers(site_tree):
    """Each error page, once in each language."""
    return {
        name: {language: make(language) for language in LANGUAGES}
        for name, (make, _status) in PAGES.items()
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_error_pages_speak_the_visitors_language_and_say_what_to_do(answers, name):
    status = PAGES[name][1]
    texts = {}
    for language, response in answers[name].items():
        assert response.status_code == status
        body = response.content.decode()
        assert f'<html lang="{language}"' in body
        assert response["Content-Language"] == language
        texts[language] = text_of(response)
        assert not [word for word in DJANGO_WORDS if word in texts[language]]
        # A way on: a link to the home page in the page's language.
        assert f'href="/{language}/"' in body
    assert texts["nl"] != texts["en"]
    assert form_of_address_problems(texts["nl"]) == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_error_pages_are_valid_html(answers, name):
    for response in answers[name].values():
        assert markup_problems(response.content.decode()) == []


@pytest.mark.django_db
def test_the_expired_form_page_tells_what_to_do(site_tree):
    assert "Ga terug naar het formulier" in text_of(form_sent_without_its_token("nl"))
    assert "Go back to the form" in text_of(form_sent_without_its_token("en"))
    assert form_sent_without_its_token("nl")["Cache-Control"] == "no-store"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, detail",
    [
        ("nl", "Log eerst in"),
        ("en", "Log in first"),
    ],
)
def test_api_errors_speak_the_clients_language(site_tree, language, detail):
    response = Client().get(
        "/api/v1/groups",
        headers={"authorization": "Bearer wrong", "accept-language": language},
    )
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert detail in response.json()["detail"]


@pytest.mark.django_db
def test_api_refusals_of_a_valid_key_are_translated_too(site_tree):
    token = APIToken.create_token(user=_contact_person(), name="errors")[1]
    answers = {
        language: Client().post(
            "/api/v1/bookings",
            "{}",
            content_type="application/json",
            headers={"authorization": f"Bearer {token}", "accept-language": language},
        )
        for language in LANGUAGES
    }
    assert {response.status_code for response in answers.values()} == {422}
    assert answers["nl"].json()["errors"] != answers["en"].json()["errors"]
