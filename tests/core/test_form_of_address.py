"""Leerplein speaks Dutch with "je", never "u" (docs/writing.md): in the message catalogue, in
the demo content and on the pages a reader gets."""

import html
import re
from pathlib import Path

import polib
import pytest
import yaml
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from booking import services
from tests.booking.factories import CompanyFactory, UserFactory
from tests.helpers import text_of

NL_CATALOGUES = Path(settings.BASE_DIR) / "locale" / "nl" / "LC_MESSAGES"
DEMO_CONTENT = Path(settings.BASE_DIR) / "demo" / "content"

# Placeholders, tags, entities and web addresses are no words a reader gets.
NOT_WORDS = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|<[^>]*>|&\w+;|\b\w+://\S+")
# "u", "uw" and "uzelf" as whole words. A hyphen or apostrophe joins a letter into a word
# ("U-bocht", "'s"), and a "u" after a time is the abbreviation of "uur" ("10.00 u").
FORMAL = re.compile(
    r"(?<![\w'’-])(?<!\d )(u|uw|uzelf)(?![\w'’-])",
    re.IGNORECASE,
)
# "je" with the verb form that belongs to "u": "kunt je", "heeft jij", "Heeft je een vraag?".
# A verb with -t before "je" is right when "je" is the subject before it ("je kunt je
# aanmelden"), so that case is left out; "heeft je" is right when "je" is the object or
# possessive ("de bibliotheek heeft je gebeld"), so only its question form at the start of a
# sentence, followed by a word that cannot be a noun, counts.
MIXED = [
    re.compile(r"(?<!\bje )(?<!\bjij )\b(kunt|wilt|hebt|bent|zult)\s+(je|jij)\b", re.IGNORECASE),
    re.compile(r"\b(heeft\s+jij|jij\s+heeft)\b", re.IGNORECASE),
    re.compile(r"(^|[.!?]\s+)(je|jij)\s+heeft\b", re.IGNORECASE),
    re.compile(
        r"(^|[.!?]\s+)heeft\s+(je|jij)\s+(een|geen|nog|al|ook|dan|nu|het|de|niet|er)\b",
        re.IGNORECASE,
    ),
]


def form_of_address_problems(text: str) -> list[str]:
    """The formal pronouns and "je"/formal-verb mixes in `text`, as the words found."""
    words = NOT_WORDS.sub(" ", text)
    found = [match.group(0) for match in FORMAL.finditer(words)]
    for pattern in MIXED:
        found += [match.group(0).strip(" .!?") for match in pattern.finditer(words)]
    return found


@pytest.mark.parametrize(
    "text",
    [
        "Kunt u dat doen?",
        "Uw wachtwoord is opgeslagen.",
        "De bibliotheek helpt u.",
        "Wij bellen U terug.",
        "Daarom kunt je nu niet inloggen.",
        "Wilt je een plaats annuleren?",
        "Heeft je een vraag? Bel de bibliotheek.",
        "Wat jij heeft gedaan.",
        "Je heeft nog geen API-sleutels.",
        "Als u die heeft.",
        "Meld uzelf aan.",
    ],
)
def test_the_check_finds_formal_address_and_wrong_mixes(text):
    assert form_of_address_problems(text)


@pytest.mark.parametrize(
    "text",
    [
        "Je kunt je aanmelden bij de bibliotheek.",
        "Ben je je wachtwoord vergeten?",
        "De bibliotheek heeft je een e-mail gestuurd.",
        "Heeft je organisatie al een agenda-adres?",
        "De les begint om 10.00 u en duurt twee uur.",
        "Rij niet in een U-bocht, %(u)s of {u}.",
        '<a href="https://example.nl/u/">Wil je meer weten?</a>',
        "Vraag het aan de persoon die jou heeft uitgenodigd.",
        "Wat deden jullie voor inburgeraars?",
    ],
)
def test_the_check_leaves_the_informal_form_and_lookalikes_alone(text):
    assert form_of_address_problems(text) == []


def catalogue_texts():
    """(msgid, Dutch text) of every Dutch catalogue: the templates' and Python's, and the
    scripts' (djangojs) when there is one."""
    catalogues = sorted(NL_CATALOGUES.glob("*.po"))
    assert any(path.name == "django.po" for path in catalogues)
    for path in catalogues:
        for entry in polib.pofile(str(path)):
            texts = entry.msgstr_plural.values() if entry.msgstr_plural else [entry.msgstr]
            for text in texts:
                yield entry.msgid, text


def test_every_dutch_interface_text_says_je():
    problems = {
        msgid: (text, form_of_address_problems(text))
        for msgid, text in catalogue_texts()
        if form_of_address_problems(text)
    }
    assert problems == {}


def dutch_texts(value, key=None):
    """Every text in a demo content file except the English side of a {nl, en} pair (texts
    in one language only, such as a location's accessibility notes, are Dutch)."""
    if isinstance(value, dict):
        for child_key, child in value.items():
            if child_key != "en":
                yield from dutch_texts(child, child_key)
    elif isinstance(value, list):
        for child in value:
            yield from dutch_texts(child, key)
    elif isinstance(value, str):
        yield value


def test_every_dutch_demo_text_says_je():
    files = sorted(DEMO_CONTENT.rglob("*.yaml"))
    assert len(files) > 10
    problems = {}
    for path in files:
        for text in dutch_texts(yaml.safe_load(path.read_text(encoding="utf-8"))):
            if found := form_of_address_problems(text):
                problems.setdefault(str(path.relative_to(DEMO_CONTENT)), []).append((text, found))
    assert problems == {}


# -- what a Dutch reader gets ------------------------------------------------------------------


# Attributes a screen reader reads out or a browser shows.
READ_ATTRIBUTES = re.compile(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"')


def assert_says_je(response, *expected):
    """The page's text and its spoken labels hold `expected` and no formal address."""
    assert response.status_code == 200
    labels = " / ".join(READ_ATTRIBUTES.findall(response.content.decode()))
    text = f"{text_of(response)} / {html.unescape(labels)}"
    for phrase in expected:
        assert phrase in text
    assert form_of_address_problems(text) == []


@pytest.mark.django_db
def test_the_contact_thank_you_page_says_je_only(client, site_tree):
    data = {
        "organisatie": "Bibliotheek Gouda",
        "soort_organisatie": "Bibliotheek",
        "gemeente": "Gouda",
        "e_mailadres": "taalhuis@example.nl",
        "bericht": "Wij willen graag samenwerken.",
    }
    response = client.post(site_tree.contact.url, data)

    assert "contact_page_landing" in response.templates[0].name
    assert_says_je(response, "Bedankt voor je bericht", "Je krijgt binnen een week antwoord.")


@pytest.mark.django_db
def test_a_course_page_says_je_only(client, courses):
    response = client.get(courses.course.url)

    assert courses.course.url.startswith("/nl/")
    assert_says_je(response, "Wat je leert", "Wat je meeneemt")


@pytest.mark.django_db
def test_the_portal_overview_says_je_only(client, courses):
    company = CompanyFactory(name="Promen", slug="promen")
    contact = UserFactory(username="contact-promen", organisation=company)
    services.reserve_seats(group=courses.open, organisation=company, by=contact, seats=1)
    client.force_login(contact)
    with translation.override("nl"):
        overview = reverse("portal:overview")

    response = client.get(overview)

    assert overview.startswith("/nl/")
    assert_says_je(response, "Je organisatie heeft 1 reservering", "Jouw account")


@pytest.mark.django_db
def test_the_portal_overview_without_bookings_says_je_only(client, site_tree):
    company = CompanyFactory(name="Promen", slug="promen")
    client.force_login(UserFactory(username="contact-promen", organisation=company))
    with translation.override("nl"):
        overview = reverse("portal:overview")

    assert_says_je(client.get(overview), "Je hebt geen reserveringen voor cursussen die nog komen.")
