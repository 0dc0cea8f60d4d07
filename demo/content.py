"""Themes, organisations and the fixed pages of the demo site, in Dutch and English.

Facts about organisations come from the source documents; where they are silent (the
municipality of a main office) the nearest place the documents name is used.
"""

from dataclasses import dataclass, field
from typing import Any

from home.models import ContactPage, HomePage, StandardPage
from stories.models import StoryIndexPage

from .bilingual import Text, bullets, paragraphs
from .blocks import call_to_action, contact_call_to_action, heading, paragraph, rich_paragraph


@dataclass(frozen=True)
class PageSpec:
    """One demo page: its model, its parent (by key) and its fields in both languages.

    `key` names the page for links between pages (`PageLink`) and for the loader's output.
    Values may be `Text`/`Html` pairs and references; the loader turns them into the Dutch
    page and uses the English halves for its translation.
    """

    key: str
    model: type
    parent: str | None
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.fields["slug"].nl


THEMES = [
    ("taal", Text("Taal", "Language")),
    ("digitale-vaardigheden", Text("Digitale vaardigheden", "Digital skills")),
    ("rekenen", Text("Rekenen", "Numeracy")),
    ("nt1", Text("NT1 (Nederlands als eerste taal)", "NT1 (Dutch as a first language)")),
    ("inburgering", Text("Inburgering", "Civic integration")),
    ("werk", Text("Werk en ontwikkeling", "Work and development")),
]

LIBRARY = "library"
SW_COMPANY = "sw_company"


@dataclass(frozen=True)
class OrganisationSpec:
    """An organisation, found again by its slug. Phone numbers and addresses are made up."""

    slug: str
    name: str
    kind: str
    municipality: str
    province: str
    email: str = ""
    phone: str = ""


ORGANISATIONS = [
    OrganisationSpec(
        "biblioplus",
        "Biblioplus",
        LIBRARY,
        "Cuijk",
        "noord-brabant",
        email="cursussen@biblioplus.test",
        phone="0485 123 450",
    ),
    OrganisationSpec(
        "ibn", "IBN", SW_COMPANY, "Cuijk", "noord-brabant", email="opleidingen@ibn.test"
    ),
    OrganisationSpec(
        "bibliotheek-deventer",
        "Bibliotheek Deventer",
        LIBRARY,
        "Deventer",
        "overijssel",
        email="cursussen@bibliotheek-deventer.test",
        phone="0570 123 450",
    ),
    OrganisationSpec(
        "konnected",
        "KonnecteD",
        SW_COMPANY,
        "Deventer",
        "overijssel",
        email="leren@konnected.test",
    ),
    OrganisationSpec(
        "bibliotheek-kennemerwaard",
        "Bibliotheek Kennemerwaard",
        LIBRARY,
        "Alkmaar",
        "noord-holland",
    ),
    OrganisationSpec("wnk", "WNK", SW_COMPANY, "Alkmaar", "noord-holland"),
    OrganisationSpec(
        "bibliotheek-gouda",
        "Bibliotheek Gouda",
        LIBRARY,
        "Gouda",
        "zuid-holland",
        email="taalhuis@bibliotheek-gouda.test",
        phone="0182 123 450",
    ),
    OrganisationSpec(
        "promen",
        "Promen",
        SW_COMPANY,
        "Gouda",
        "zuid-holland",
        email="ontwikkeling@promen.test",
        phone="0182 123 460",
    ),
    OrganisationSpec(
        "bibliotheek-de-plataan",
        "Bibliotheek de Plataan",
        LIBRARY,
        "Vlaardingen",
        "zuid-holland",
    ),
    OrganisationSpec("stroomopwaarts", "Stroomopwaarts", SW_COMPANY, "Schiedam", "zuid-holland"),
]

# The home page's "work together?" button leads here; stories shown first on the home page.
HOME_CTA_PAGE = "contact"
FEATURED_STORIES = ["interview-gouda", "kennemerwaard", "interview-de-plataan"]
# Footer links in the site settings, in this order.
FOOTER_PAGES = ["about", "privacy", "accessibility", "contact"]

HOME = PageSpec(
    key="home",
    model=HomePage,
    parent=None,
    fields={
        "title": Text("Leerplein", "Leerplein"),
        "slug": Text("leerplein", "leerplein-en"),
        "intro": paragraphs(
            (
                "Bibliotheken en sociale werkbedrijven helpen samen mensen die beter willen "
                "lezen, schrijven, rekenen of werken met de computer. Op Leerplein lees je hoe "
                "zij dat doen. Je vindt er ook cursussen met vrije plekken.",
                "Libraries and SW companies work together to help people who want to get better "
                "at reading, writing, numeracy or using a computer. On Leerplein you can read "
                "how they do it. You can also find courses with free places.",
            )
        ),
        "cta_title": Text("Samenwerken?", "Work together?"),
        "cta_text": Text(
            "Werk je bij een bibliotheek of een sociaal werkbedrijf? Wil je samen iets "
            "opzetten? Laat het ons weten. Wij zoeken een partner in jouw regio.",
            "Do you work at a library or an SW company? Would you like to start something "
            "together? Let us know. We will look for a partner in your region.",
        ),
        "cta_button": Text("Breng ons in contact", "Put us in touch"),
    },
)

ABOUT = PageSpec(
    key="about",
    model=StandardPage,
    parent="home",
    fields={
        "title": Text("Over Leerplein", "About Leerplein"),
        "slug": Text("over-leerplein", "about-leerplein"),
        "show_in_menus": True,
        "intro": Text(
            "Leerplein brengt bibliotheken en sociale werkbedrijven bij elkaar. Samen werken ze "
            "aan basisvaardigheden.",
            "Leerplein brings libraries and SW companies together. Together they work on basic "
            "skills.",
        ),
        "body": [
            heading("Waarom Leerplein?", "Why Leerplein?"),
            paragraph(
                (
                    "Nederland heeft ongeveer honderd sociale werkbedrijven. Ze helpen mensen "
                    "die niet makkelijk werk vinden aan een baan die bij ze past.",
                    "The Netherlands has about a hundred SW companies. They help people who "
                    "find it hard to get work into a job that suits them.",
                ),
                (
                    "Veel van hun medewerkers willen beter leren lezen, schrijven of rekenen. "
                    "Of ze willen handiger worden met de computer en de telefoon. De bibliotheek "
                    "kan daarbij helpen.",
                    "Many of their employees want to get better at reading, writing or "
                    "numeracy. Or they want to become more confident with computers and phones. "
                    "The library can help with that.",
                ),
                (
                    "Soms gaat de bibliotheek naar het bedrijf toe. Soms komen de medewerkers "
                    "naar de bibliotheek. Zo leren mensen dicht bij hun werk.",
                    "Sometimes the library goes to the company. Sometimes the employees come to "
                    "the library. This way people learn close to their work.",
                ),
            ),
            heading("Wat vind je hier?", "What can you find here?"),
            rich_paragraph(
                bullets(
                    (
                        "Verhalen: interviews en praktijkvoorbeelden van bibliotheken en "
                        "sociale werkbedrijven.",
                        "Stories: interviews and practice examples from libraries and SW "
                        "companies.",
                    ),
                    (
                        "Cursussen zoals Klik &amp; Tik en Digisterker, met de plekken die nog "
                        "vrij zijn.",
                        "Courses such as Klik &amp; Tik and Digisterker, with the places that "
                        "are still free.",
                    ),
                    (
                        "Een formulier om contact te zoeken. Wij brengen je in contact met een "
                        "partner in jouw regio.",
                        "A form to get in touch. We will put you in touch with a partner in "
                        "your region.",
                    ),
                )
            ),
            heading("Voor wie?", "Who is it for?"),
            paragraph(
                (
                    "Leerplein is er voor iedereen die bij een bibliotheek of een sociaal "
                    "werkbedrijf werkt. Bijvoorbeeld de coördinator van een Taalhuis, een "
                    "jobcoach of iemand van personeelszaken.",
                    "Leerplein is for everyone who works at a library or an SW company. For "
                    "example the coordinator of a Taalhuis (language house), a job coach or "
                    "someone from HR.",
                ),
                (
                    "Contactpersonen van sociale werkbedrijven kunnen hier plekken in een "
                    "cursus reserveren voor hun collega's.",
                    "Contact persons at SW companies can book places in a course for their "
                    "colleagues here.",
                ),
            ),
            contact_call_to_action(),
        ],
    },
)

PRIVACY = PageSpec(
    key="privacy",
    model=StandardPage,
    parent="home",
    fields={
        "title": Text("Privacyverklaring", "Privacy statement"),
        "slug": Text("privacy", "privacy"),
        "intro": Text(
            "Hier lees je welke gegevens Leerplein bewaart, waarom we dat doen en hoe lang.",
            "Here you can read which data Leerplein keeps, why we keep it and for how long.",
        ),
        "body": [
            heading("Welke gegevens bewaren we?", "What data do we keep?"),
            rich_paragraph(
                bullets(
                    (
                        "Als je het contactformulier invult: de naam van je organisatie, je "
                        "gemeente, je e-mailadres en je bericht.",
                        "When you fill in the contact form: the name of your organisation, your "
                        "municipality, your e-mail address and your message.",
                    ),
                    (
                        "Als je plekken in een cursus reserveert: je naam en je e-mailadres.",
                        "When you book places in a course: your name and your e-mail address.",
                    ),
                    (
                        "Over deelnemers aan een cursus: alleen een voornaam of voorletters, "
                        "een leerdoel en wat iemand nodig heeft om mee te kunnen doen.",
                        "About course participants: only a first name or initials, a learning "
                        "goal and what someone needs to be able to take part.",
                    ),
                )
            ),
            heading("Waarvoor gebruiken we ze?", "What do we use them for?"),
            paragraph(
                (
                    "We gebruiken je gegevens alleen om je vraag te beantwoorden en om "
                    "cursussen te regelen. We verkopen niets. We delen niets met "
                    "reclamebedrijven.",
                    "We only use your data to answer your question and to organise courses. We "
                    "do not sell anything. We do not share anything with advertisers.",
                )
            ),
            heading("Hoe lang bewaren we ze?", "How long do we keep them?"),
            paragraph(
                (
                    "De gegevens van deelnemers halen we zes maanden na de laatste les weg. "
                    "Berichten uit het contactformulier bewaren we niet langer dan nodig.",
                    "We delete participants' data six months after the last lesson. We do not "
                    "keep messages from the contact form longer than needed.",
                )
            ),
            heading("Cookies", "Cookies"),
            paragraph(
                (
                    "Leerplein gebruikt alleen cookies die nodig zijn om de website te laten "
                    "werken, bijvoorbeeld om in te loggen. We volgen je niet.",
                    "Leerplein only uses cookies that are needed for the website to work, for "
                    "example to log in. We do not track you.",
                )
            ),
            heading("Jouw rechten", "Your rights"),
            paragraph(
                (
                    "Je mag altijd vragen welke gegevens we van je hebben. Je kunt ook vragen "
                    "om ze te veranderen of weg te halen. Stuur dan een e-mail naar "
                    "info@leerplein.test.",
                    "You can always ask which data we have about you. You can also ask us to "
                    "change or delete it. Just send an e-mail to info@leerplein.test.",
                )
            ),
        ],
    },
)

ACCESSIBILITY = PageSpec(
    key="accessibility",
    model=StandardPage,
    parent="home",
    fields={
        "title": Text("Toegankelijkheidsverklaring", "Accessibility statement"),
        "slug": Text("toegankelijkheid", "accessibility"),
        "intro": Text(
            "Iedereen moet Leerplein goed kunnen gebruiken. Ook als je slecht ziet, geen muis "
            "gebruikt of moeite hebt met lezen.",
            "Everyone should be able to use Leerplein well. Also if you have poor eyesight, "
            "do not use a mouse or find reading difficult.",
        ),
        "body": [
            heading("Wat we beloven", "What we promise"),
            paragraph(
                (
                    "We bouwen Leerplein volgens de regels van WCAG 2.2, niveau AA. Dat is de "
                    "norm voor websites van de overheid.",
                    "We build Leerplein according to the rules of WCAG 2.2, level AA. That is "
                    "the standard for government websites.",
                ),
                (
                    "We schrijven in eenvoudige taal, op taalniveau B1. We gebruiken korte "
                    "zinnen en zo min mogelijk moeilijke woorden.",
                    "We write in plain language, at level B1. We use short sentences and as few "
                    "difficult words as possible.",
                ),
            ),
            heading("Wat kun je verwachten?", "What can you expect?"),
            rich_paragraph(
                bullets(
                    (
                        "Je kunt alles bedienen met alleen het toetsenbord.",
                        "You can do everything with the keyboard alone.",
                    ),
                    (
                        "Afbeeldingen hebben een beschrijving voor mensen die ze niet kunnen zien.",
                        "Images have a description for people who cannot see them.",
                    ),
                    (
                        "Je kunt de tekst groter maken. Er valt dan niets weg.",
                        "You can make the text bigger. Nothing gets lost when you do.",
                    ),
                    (
                        "Gaat er iets mis in een formulier? Dan lees je wat er mis is en hoe je "
                        "het oplost.",
                        "Does something go wrong in a form? Then you read what is wrong and how "
                        "to fix it.",
                    ),
                )
            ),
            heading("Werkt er iets niet?", "Is something not working?"),
            paragraph(
                (
                    "Laat het ons weten via het contactformulier of via info@leerplein.test. "
                    "Je krijgt binnen vijf werkdagen antwoord.",
                    "Let us know through the contact form or at info@leerplein.test. You will "
                    "get an answer within five working days.",
                )
            ),
            call_to_action(
                ("Een probleem melden", "Report a problem"),
                (
                    "Vertel ons wat er niet goed gaat. Dan lossen we het op.",
                    "Tell us what is not working. Then we will fix it.",
                ),
                ("Naar het contactformulier", "Go to the contact form"),
            ),
        ],
    },
)


def _form_field(clean_name, field_type, label: Text, help_text: Text | None = None, **extra):
    values = {"clean_name": clean_name, "field_type": field_type, "label": label, "required": True}
    if help_text:
        values["help_text"] = help_text
    return values | extra


CONTACT = PageSpec(
    key="contact",
    model=ContactPage,
    parent="home",
    fields={
        "title": Text("Breng ons in contact", "Put us in touch"),
        "slug": Text("contact", "contact"),
        "show_in_menus": True,
        "intro": paragraphs(
            (
                "Wil je als bibliotheek of sociaal werkbedrijf gaan samenwerken? Vul dan dit "
                "formulier in.",
                "Would you like to start working together as a library or SW company? Then fill "
                "in this form.",
            ),
            (
                "Wij zoeken een partner in jouw regio. Binnen vijf werkdagen hoor je van ons.",
                "We will look for a partner in your region. You will hear from us within five "
                "working days.",
            ),
        ),
        "thank_you_text": paragraphs(
            ("Bedankt voor je bericht!", "Thank you for your message!"),
            (
                "We nemen binnen vijf werkdagen contact met je op.",
                "We will contact you within five working days.",
            ),
        ),
        "form_fields": [
            _form_field(
                "organisation",
                "singleline",
                Text("Organisatie", "Organisation"),
                Text("Bijvoorbeeld Bibliotheek Gouda.", "For example Bibliotheek Gouda."),
            ),
            _form_field(
                "kind",
                "dropdown",
                Text("Soort organisatie", "Kind of organisation"),
                choices=Text("Bibliotheek, SW-bedrijf, Anders", "Library, SW company, Other"),
            ),
            _form_field("municipality", "singleline", Text("Gemeente", "Municipality")),
            _form_field(
                "email",
                "email",
                Text("E-mailadres", "E-mail address"),
                Text(
                    "We gebruiken dit alleen om je te antwoorden.",
                    "We only use this to answer you.",
                ),
            ),
            _form_field(
                "message",
                "multiline",
                Text("Bericht", "Message"),
                Text(
                    "Vertel kort wat je zoekt. Bijvoorbeeld een cursus op het werk.",
                    "Tell us briefly what you are looking for. For example a course at work.",
                ),
            ),
        ],
    },
)

STORY_INDEX = PageSpec(
    key="stories",
    model=StoryIndexPage,
    parent="home",
    fields={
        "title": Text("Verhalen", "Stories"),
        "slug": Text("verhalen", "stories"),
        "show_in_menus": True,
        "intro": paragraphs(
            (
                "Hier lees je hoe bibliotheken en sociale werkbedrijven samenwerken. Er zijn "
                "interviews en praktijkvoorbeelden. Kies een thema of een provincie om te zoeken.",
                "Here you can read how libraries and SW companies work together. There are "
                "interviews and practice examples. Choose a theme or a province to search.",
            )
        ),
    },
)

# Parents before children, and the contact page before the pages that link to it.
SITE_PAGES = [HOME, CONTACT, STORY_INDEX, ABOUT, PRIVACY, ACCESSIBILITY]
