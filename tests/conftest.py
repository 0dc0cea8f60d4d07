import datetime
import fcntl
import os
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.utils import translation
from wagtail.models import Locale, Page, Site

from core.cache import forget_local
from core.choices import Province
from home.models import SiteSettings

from .factories import (
    ContactPageFactory,
    HomePageFactory,
    InterviewPageFactory,
    OrganisationFactory,
    PracticeExamplePageFactory,
    StandardPageFactory,
    StoryIndexPageFactory,
    ThemeFactory,
)

# tests/cluster runs against the cluster on loopback (`make cluster-test`), not in `make test`.
if os.environ.get("LEERPLEIN_CLUSTER_TESTS") != "1":
    collect_ignore_glob = ["cluster/*"]


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    # A request to /en/ leaves English active in the thread (LocaleMiddleware does not switch
    # back), so each test starts in the site's default language, whatever ran before it.
    translation.activate(settings.LANGUAGE_CODE)
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    forget_local()
    yield
    cache.clear()
    forget_local()


@pytest.fixture(autouse=True)
def _one_crowd_at_a_time(request, tmp_path_factory):
    """Tests marked `crowd` open up to fifty database connections at once. Two of them in
    different test processes together can exhaust PostgreSQL's connections (100 by default)
    and starve a thread past its barrier, so they take turns through a file lock that every
    process of the run shares."""
    if request.node.get_closest_marker("crowd") is None:
        yield
        return
    # With xdist every process has its own base directory under one shared parent.
    shared = tmp_path_factory.getbasetemp().parent
    with open(shared / "crowd.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def translate(page, locale):
    """An English copy of `page`, published (what an editor gets after translating it)."""
    translated = page.copy_for_translation(locale, copy_parents=True)
    translated.save_revision().publish()
    return translated.specific


def new_home_page():
    """A home page that is the default site's root, replacing Wagtail's welcome page."""
    home = HomePageFactory(parent=Page.get_first_root_node())
    site = Site.objects.get(is_default_site=True)
    old_root = site.root_page
    site.root_page = home
    site.save()
    old_root.delete()
    return home, site


@pytest.fixture
def english(db):
    return Locale.objects.get_or_create(language_code="en")[0]


@pytest.fixture
def site_tree(db, english):
    """A small bilingual site: home, about, contact, the story index and two stories."""
    home, site = new_home_page()

    about = StandardPageFactory(parent=home, slug="over-leerplein", show_in_menus=True)
    contact = ContactPageFactory(parent=home, show_in_menus=True)
    index = StoryIndexPageFactory(parent=home, show_in_menus=True)
    home.cta_page = contact
    home.save_revision().publish()

    digital = ThemeFactory(name="Digitale vaardigheden", slug="digitale-vaardigheden")
    language = ThemeFactory(name="Taal", slug="taal")
    ThemeFactory(name="Digital skills", slug="digitale-vaardigheden", locale=english)
    ThemeFactory(name="Language", slug="taal", locale=english)
    gouda = OrganisationFactory(name="Bibliotheek Gouda", slug="bibliotheek-gouda")
    promen = OrganisationFactory(name="Promen", slug="promen", sw_company=True)
    ibn = OrganisationFactory(name="IBN", slug="ibn", sw_company=True, province="noord-brabant")

    practice = PracticeExamplePageFactory(
        parent=index,
        title="Klik & Tik bij Promen",
        slug="klik-en-tik-bij-promen",
        date=datetime.date(2021, 4, 13),
        province=Province.ZUID_HOLLAND,
        library=gouda,
        sw_company=promen,
        themes=[digital],
        partners=[gouda, promen],
    )
    interview = InterviewPageFactory(
        parent=index,
        title="Taalles in Cuijk",
        slug="taalles-in-cuijk",
        date=datetime.date(2021, 6, 1),
        province=Province.NOORD_BRABANT,
        themes=[language],
        partners=[ibn],
    )
    SiteSettings.objects.update_or_create(
        site=site,
        defaults={
            "contact_email": "info@leerplein.test",
            "contact_form_recipient": "redactie@leerplein.test",
        },
    )
    english_home = translate(home, english)
    return SimpleNamespace(
        site=site,
        home=home,
        about=about,
        contact=contact,
        index=index,
        practice=practice,
        interview=interview,
        themes={"digital": digital, "language": language},
        organisations={"gouda": gouda, "promen": promen, "ibn": ibn},
        english=english,
        english_home=english_home,
        translate=translate,
    )
