"""Addresses of the demo pages the browser tests visit, in both languages.

Built from the demo's own content files (demo/content/), so a renamed slug or title changes
the tests too.
"""

from demo.data import demo_content

DEMO_PAGES = demo_content().pages
ABOUT, CONTACT, STORY_INDEX = DEMO_PAGES["about"], DEMO_PAGES["contact"], DEMO_PAGES["stories"]
COURSE_INDEX, DIGISTERKER, KLIK_EN_TIK = (
    DEMO_PAGES["courses"],
    DEMO_PAGES["digisterker"],
    DEMO_PAGES["klik-en-tik"],
)
GOUDA, INTERVIEW_GOUDA = DEMO_PAGES["gouda"], DEMO_PAGES["interview-gouda"]

LANGUAGES = ("nl", "en")


def url(lang, *specs):
    """/<lang>/<slug>/... for a chain of demo page specs (the home page is /<lang>/)."""
    slugs = [getattr(spec.fields["slug"], lang) for spec in specs]
    return "/" + "/".join([lang, *slugs]) + "/"


def text(spec, field, lang):
    return getattr(spec.fields[field], lang)


SEARCH = {"nl": "/nl/zoeken/?q=Promen", "en": "/en/search/?q=Promen"}

PAGES = {
    "home": {lang: url(lang) for lang in LANGUAGES},
    "stories": {lang: url(lang, STORY_INDEX) for lang in LANGUAGES},
    "practice-example": {lang: url(lang, STORY_INDEX, GOUDA) for lang in LANGUAGES},
    "interview": {lang: url(lang, STORY_INDEX, INTERVIEW_GOUDA) for lang in LANGUAGES},
    "about": {lang: url(lang, ABOUT) for lang in LANGUAGES},
    "contact": {lang: url(lang, CONTACT) for lang in LANGUAGES},
    "contact-errors": {lang: url(lang, CONTACT) for lang in LANGUAGES},
    "search": SEARCH,
}

# -- Course pages (booking): the demo's course index and two course pages ---------------------

COURSE_PAGES = {
    "courses": {lang: url(lang, COURSE_INDEX) for lang in LANGUAGES},
    "klik-en-tik": {lang: url(lang, COURSE_INDEX, KLIK_EN_TIK) for lang in LANGUAGES},
    "digisterker": {lang: url(lang, COURSE_INDEX, DIGISTERKER) for lang in LANGUAGES},
}


def open_site_menu(page):
    """On a phone the header's navigation, account and language links sit behind the Menu
    button (a <details>); open it as a visitor would, when it is there and closed."""
    toggle = page.locator("summary.site-menu__toggle")
    if toggle.is_visible() and not page.locator("details.site-menu[open]").count():
        toggle.click()
