"""Pages and documents behind a shared password: the site's own form, and a limit on guessing.

An editor protects a page (and the pages below it) or a collection of documents with one
password (a Wagtail view restriction of type password). core/shared_password.py allows
SHARED_PASSWORD_ATTEMPT_LIMIT wrong passwords per address and restriction in the window; the
templates in templates/wagtailcore/ and templates/wagtaildocs/ give the form the site's look.
"""

import re
import time
from types import SimpleNamespace

import pytest
from django.core.cache.backends import locmem
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import resolve
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from core import shared_password
from tests.core.test_form_of_address import form_of_address_problems
from tests.factories import StandardPageFactory
from tests.helpers import text_of
from tests.html_checker import markup_problems, nu_checker_missing, nu_errors

pytestmark = pytest.mark.django_db

PASSWORD = "leesclub-2026"
CONTENT = "Leerplein brengt bibliotheken en SW-bedrijven bij elkaar."
DOCUMENT_TEXT = b"Les 1: de muis en het toetsenbord"

TEXTS = {
    "nl": {
        "heading": "Wachtwoord nodig",
        "page": "Je hebt een wachtwoord nodig om deze pagina te lezen.",
        "document": "Je hebt een wachtwoord nodig om dit document te openen.",
        "label": "Wachtwoord (verplicht)",
        "button": "Verder",
        "skip": "Naar de inhoud",
        "wrong": "Het wachtwoord dat je hebt ingevuld is niet juist.",
        "locked_heading": "Te vaak geprobeerd",
        "locked": "Je hebt te vaak een verkeerd wachtwoord ingevuld. "
        "Probeer het over 15 minuten opnieuw.",
        "ask": "Weet je het wachtwoord niet? Vraag het aan wie je de link gaf.",
    },
    "en": {
        "heading": "Password needed",
        "page": "You need a password to read this page.",
        "document": "You need a password to open this document.",
        "label": "Password (required)",
        "button": "Continue",
        "skip": "Skip to content",
        "wrong": "The password you have entered is not correct.",
        "locked_heading": "Too many tries",
        "locked": "You typed a wrong password too many times. Try again in 15 minutes.",
        "ask": "Don't know the password? Ask the person who gave you the link.",
    },
}


@pytest.fixture(autouse=True)
def _default_limit(settings):
    # The defaults the brief asks for, whatever the environment running the tests says.
    settings.SHARED_PASSWORD_ATTEMPT_LIMIT = 10
    settings.SHARED_PASSWORD_WINDOW_MINUTES = 15
    settings.TRUSTED_PROXY_COUNT = 0


@pytest.fixture
def protected(site_tree):
    """The about page behind a password in Dutch, its English translation behind its own."""
    about_en = site_tree.translate(site_tree.about, site_tree.english)
    return SimpleNamespace(
        nl=site_tree.about,
        en=about_en,
        restrictions={
            "nl": _password_restriction(site_tree.about),
            "en": _password_restriction(about_en),
        },
        site_tree=site_tree,
    )


def _password_restriction(page, password=PASSWORD):
    return PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password=password
    )


@pytest.fixture
def document(db):
    """A document in a collection behind a password."""
    root = Collection.get_first_root_node()
    collection = root.add_child(name="Lesmateriaal")
    restriction = CollectionViewRestriction.objects.create(
        collection=collection,
        restriction_type=CollectionViewRestriction.PASSWORD,
        password=PASSWORD,
    )
    doc = get_document_model().objects.create(
        title="Lesplan",
        collection=collection,
        file=ContentFile(DOCUMENT_TEXT, name="lesplan.txt"),
    )
    return SimpleNamespace(doc=doc, restriction=restriction, url=doc.url)


def visitor(address="192.0.2.10", language=None):
    """A browser of its own (its own session) at `address`."""
    extra = {"REMOTE_ADDR": address}
    if language:
        extra["HTTP_ACCEPT_LANGUAGE"] = language
    return Client(**extra)


def form_action(response):
    return re.search(r'<form class="form" method="post" action="([^"]+)"', response.text).group(1)


def try_password(client, page_response, password):
    """Submit the form shown in `page_response` with `password`, as a browser would."""
    return_url = re.search(r'name="return_url" value="([^"]*)"', page_response.text).group(1)
    return client.post(form_action(page_response), {"password": password, "return_url": return_url})


def guess_wrong(client, page_response, times):
    for _ in range(times):
        response = try_password(client, page_response, "raden")
        assert response.status_code == 200


def later(monkeypatch, seconds):
    """Move the (local memory) cache's clock on, so counters of a shorter window expire."""
    now = time.time()
    monkeypatch.setattr(locmem, "time", SimpleNamespace(time=lambda: now + seconds))


# -- the form ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_form_has_the_site_layout_and_says_what_to_do(protected, language):
    page = getattr(protected, language)
    words = TEXTS[language]

    response = visitor().get(page.url)
    text = text_of(response)

    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text
    assert '<meta name="viewport"' in response.text
    assert '<a class="skip-link" href="#main">' in response.text and words["skip"] in text
    assert 'class="site-nav"' in response.text and "leerplein.css" in response.text
    assert f'<h1 class="page-title">{words["heading"]}</h1>' in response.text
    assert f"<title>{words['heading']} | Leerplein</title>" in response.text
    assert words["page"] in text and words["label"] in text and words["button"] in text
    assert re.search(
        r'<label class="field__label" for="id_password">.*?</label>', response.text, re.S
    )
    assert 'type="password" name="password" id="id_password" autocomplete="current-password"' in (
        response.text
    )
    assert f'name="return_url" value="{page.url}"' in response.text
    assert CONTENT not in text
    # Nothing of the protected page in the head either: no title, description or image.
    assert page.title not in response.text.split("</head>")[0]
    assert 'property="og:' not in response.text
    # Wagtail's own addresses, now answered by the views with the limit.
    action = form_action(response)
    assert action == (
        f"/{language}/_util/authenticate_with_password/"
        f"{protected.restrictions[language].pk}/{page.pk}/"
    )
    assert resolve(action).func is shared_password.authenticate_page
    if language == "nl":
        assert form_of_address_problems(text) == []


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_wrong_password_shows_the_form_again_with_a_clear_error(protected, language):
    page = getattr(protected, language)
    client = visitor()
    form = client.get(page.url)

    response = try_password(client, form, "raden")
    text = text_of(response)

    assert response.status_code == 200
    assert TEXTS[language]["wrong"] in text
    assert 'class="error-summary"' in response.text
    assert 'aria-invalid="true" aria-describedby="id_password_error"' in response.text
    assert TEXTS[language]["heading"] in text and CONTENT not in text
    if language == "nl":
        assert form_of_address_problems(text) == []


def test_the_right_password_shows_the_page_to_that_visitor_only(protected):
    page = protected.nl
    first, second = visitor("192.0.2.10"), visitor("192.0.2.20")
    form = first.get(page.url)
    assert CONTENT not in text_of(form)

    answer = try_password(first, form, PASSWORD)
    assert answer.status_code == 302 and answer.url == page.url
    shown = first.get(page.url)
    again = first.get(page.url)

    assert CONTENT in text_of(shown) and CONTENT in text_of(again)
    # The content is personal to whoever typed the password: never kept in the page cache,
    # nor in a shared cache on the way.
    for response in (shown, again):
        assert "X-Page-Cache" not in response.headers
        assert "private" in response.headers["Cache-Control"]
        assert "no-store" in response.headers["Cache-Control"]
    other = second.get(page.url)
    assert other.status_code == 200 and "X-Page-Cache" not in other.headers
    assert TEXTS["nl"]["heading"] in text_of(other) and CONTENT not in text_of(other)


def test_the_form_itself_is_never_kept_in_the_page_cache(protected):
    action = form_action(visitor().get(protected.nl.url))
    for _ in range(3):
        # A visitor who has a CSRF cookie already gets no new one, so only the headers keep
        # their form (with their token) from being served to the next visitor.
        client = visitor()
        client.cookies["csrftoken"] = "abcdefghijklmnopqrstuvwxyzABCDEF"
        for response in (
            client.get(protected.nl.url),
            client.get(action),
            client.post(action, {"password": "raden", "return_url": protected.nl.url}),
        ):
            assert response.status_code == 200 and "X-Page-Cache" not in response.headers
            assert "no-store" in response.headers["Cache-Control"]


# -- the limit -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_eleventh_wrong_try_is_refused_without_checking_the_password(protected, language):
    page = getattr(protected, language)
    words = TEXTS[language]
    client = visitor()
    form = client.get(page.url)
    guess_wrong(client, form, 10)

    response = try_password(client, form, "raden")
    text = text_of(response)

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "900"
    assert "no-store" in response.headers["Cache-Control"]
    assert f'<h1 class="page-title">{words["locked_heading"]}</h1>' in response.text
    assert words["locked"] in text and words["ask"] in text
    assert words["wrong"] not in text and 'name="password"' not in response.text
    assert '<a class="skip-link" href="#main">' in response.text
    if language == "nl":
        assert form_of_address_problems(text) == []


def test_the_right_password_is_refused_too_while_the_limit_holds(protected):
    page = protected.nl
    client = visitor()
    form = client.get(page.url)
    guess_wrong(client, form, 10)

    response = try_password(client, form, PASSWORD)

    assert response.status_code == 429
    assert CONTENT not in text_of(client.get(page.url))


def test_the_right_password_within_the_limit_works_as_before(protected):
    page = protected.nl
    client = visitor()
    form = client.get(page.url)
    guess_wrong(client, form, 9)

    assert try_password(client, form, PASSWORD).status_code == 302
    assert CONTENT in text_of(client.get(page.url))


def test_the_limit_holds_one_address_only(protected):
    page = protected.nl
    guesser = visitor("192.0.2.10")
    form = guesser.get(page.url)
    guess_wrong(guesser, form, 10)
    assert try_password(guesser, form, "raden").status_code == 429

    neighbour = visitor("192.0.2.20")
    neighbours_form = neighbour.get(page.url)
    assert try_password(neighbour, neighbours_form, "raden").status_code == 200
    assert try_password(neighbour, neighbours_form, PASSWORD).status_code == 302
    assert CONTENT in text_of(neighbour.get(page.url))


def test_the_limit_holds_one_restriction_with_every_page_below_it(protected):
    site_tree = protected.site_tree
    below = site_tree.practice
    _password_restriction(site_tree.index, password="verhalen")
    client = visitor()
    form = client.get(protected.nl.url)
    guess_wrong(client, form, 10)
    assert try_password(client, form, "raden").status_code == 429

    # Another restriction has a count of its own ...
    other_form = client.get(below.url)
    assert try_password(client, other_form, "raden").status_code == 200
    assert try_password(client, other_form, "verhalen").status_code == 302
    # ... and the English page's restriction too.
    english_form = client.get(protected.en.url)
    assert try_password(client, english_form, PASSWORD).status_code == 302


def test_a_page_below_a_locked_restriction_shares_its_count(protected):
    child = StandardPageFactory(parent=protected.nl, title="Verslag", slug="verslag")
    client = visitor()
    form = client.get(protected.nl.url)
    guess_wrong(client, form, 10)

    child_form = client.get(child.url)
    assert TEXTS["nl"]["heading"] in text_of(child_form)
    assert try_password(client, child_form, PASSWORD).status_code == 429


def test_the_count_expires_after_the_window(protected, monkeypatch):
    page = protected.nl
    client = visitor()
    form = client.get(page.url)
    guess_wrong(client, form, 10)
    assert try_password(client, form, PASSWORD).status_code == 429

    later(monkeypatch, 15 * 60 + 1)

    assert try_password(client, form, PASSWORD).status_code == 302
    assert CONTENT in text_of(client.get(page.url))


def test_refused_tries_do_not_extend_the_window(protected, monkeypatch):
    page = protected.nl
    client = visitor()
    form = client.get(page.url)
    guess_wrong(client, form, 10)
    later(monkeypatch, 10 * 60)
    assert try_password(client, form, "raden").status_code == 429

    later(monkeypatch, 15 * 60 + 1)

    assert try_password(client, form, PASSWORD).status_code == 302


def test_a_lower_limit_from_the_settings(protected, settings):
    settings.SHARED_PASSWORD_ATTEMPT_LIMIT = 2
    settings.SHARED_PASSWORD_WINDOW_MINUTES = 1
    client = visitor()
    form = client.get(protected.nl.url)
    guess_wrong(client, form, 2)

    response = try_password(client, form, "raden")

    assert response.status_code == 429 and response.headers["Retry-After"] == "60"
    assert "Probeer het over 1 minuut opnieuw." in text_of(response)


def test_an_unknown_restriction_is_not_found(protected):
    response = visitor().post(
        f"/nl/_util/authenticate_with_password/999999/{protected.nl.pk}/",
        {"password": "raden", "return_url": "/nl/"},
    )

    assert response.status_code == 404


# -- documents -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_protected_document_asks_for_the_password_in_the_site_layout(document, language):
    words = TEXTS[language]

    response = visitor(language=language).get(document.url)
    text = text_of(response)

    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text
    assert '<a class="skip-link" href="#main">' in response.text and words["skip"] in text
    assert f'<h1 class="page-title">{words["heading"]}</h1>' in response.text
    assert words["document"] in text and words["label"] in text and words["button"] in text
    assert 'autocomplete="current-password"' in response.text
    assert f'name="return_url" value="{document.url}"' in response.text
    assert "no-store" in response.headers["Cache-Control"]
    action = form_action(response)
    assert action == f"/documents/authenticate_with_password/{document.restriction.pk}/"
    assert resolve(action).func is shared_password.authenticate_document
    if language == "nl":
        assert form_of_address_problems(text) == []


def test_a_document_with_a_wrong_then_the_right_password(document):
    client = visitor()
    form = client.get(document.url)

    wrong = try_password(client, form, "raden")
    assert wrong.status_code == 200 and TEXTS["nl"]["wrong"] in text_of(wrong)

    right = try_password(client, form, PASSWORD)
    assert right.status_code == 302 and right.url == document.url
    served = client.get(document.url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == DOCUMENT_TEXT
    # Another visitor still gets the form.
    assert TEXTS["nl"]["heading"] in text_of(visitor("192.0.2.20").get(document.url))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_document_refuses_the_eleventh_try_in_the_visitors_language(document, language):
    words = TEXTS[language]
    client = visitor(language=language)
    form = client.get(document.url)
    guess_wrong(client, form, 10)

    response = try_password(client, form, PASSWORD)
    text = text_of(response)

    assert response.status_code == 429 and response.headers["Retry-After"] == "900"
    assert words["locked"] in text and words["ask"] in text
    assert f'<html lang="{language}">' in response.text
    # Per address: someone else can still open it.
    other = visitor("192.0.2.20", language=language)
    assert try_password(other, other.get(document.url), PASSWORD).status_code == 302


def test_page_and_collection_restrictions_count_apart(protected):
    """Their ids come from different tables and may be equal: the counts stay apart."""
    page_restriction = protected.restrictions["nl"]
    collection = Collection.get_first_root_node().add_child(name="Verslagen")
    restriction = CollectionViewRestriction.objects.create(
        pk=page_restriction.pk,
        collection=collection,
        restriction_type=CollectionViewRestriction.PASSWORD,
        password=PASSWORD,
    )
    doc = get_document_model().objects.create(
        title="Verslag", collection=collection, file=ContentFile(b"Verslag", name="verslag.txt")
    )
    client = visitor()
    form = client.get(protected.nl.url)
    guess_wrong(client, form, 10)

    document_form = client.get(doc.url)
    assert form_action(document_form).endswith(f"/{restriction.pk}/")
    assert try_password(client, document_form, PASSWORD).status_code == 302


# -- valid HTML ----------------------------------------------------------------------------------


def test_the_new_pages_are_valid_html(protected, document):
    pages = {}
    for language in ("nl", "en"):
        client = visitor(language=language)
        page = getattr(protected, language)
        form = client.get(page.url)
        pages[f"form {language}"] = form.text
        pages[f"wrong password {language}"] = try_password(client, form, "raden").text
        guess_wrong(client, form, 9)
        locked = try_password(client, form, "raden")
        assert locked.status_code == 429
        pages[f"too many tries {language}"] = locked.text
        pages[f"document {language}"] = client.get(document.url).text

    assert {name: markup_problems(html) for name, html in pages.items()} == dict.fromkeys(pages, [])
    missing = nu_checker_missing()
    if missing:
        pytest.skip(missing)
    assert nu_errors(pages) == {}
