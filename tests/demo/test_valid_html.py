"""The Nu HTML Checker finds no error on any page type of the demo site, in either language.

The demo is loaded once for this module inside a transaction that is rolled back at the end.
All pages go to the checker in one Java run. Without Java or vnu.jar (`npm install vnu-jar`,
or VNU_JAR=/path/to/vnu.jar) the test is skipped and says why.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page

from booking.models import Booking, CourseIndexPage, CoursePage, Seat
from home.models import ContactPage, HomePage, StandardPage
from stories.models import InterviewPage, PracticeExamplePage, StoryIndexPage
from tests.html_checker import markup_problems, nu_checker_missing, nu_errors

pytestmark = [
    pytest.mark.django_db,
    # Checked before the demo loads, so a machine without the checker skips in no time.
    pytest.mark.skipif(bool(nu_checker_missing()), reason=nu_checker_missing()),
]

LANGUAGES = ("nl", "en")
PUBLIC_TYPES = {
    "home": HomePage,
    "about": StandardPage,
    "contact": ContactPage,
    "stories": StoryIndexPage,
    "interview": InterviewPage,
    "practice example": PracticeExamplePage,
    "courses": CourseIndexPage,
    "course": CoursePage,
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo's media folder; the database holds the demo until the module is done."""
    folder = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=folder), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        yield folder
        transaction.set_rollback(True)


def first_page(model, language):
    page = (
        Page.objects.type(model)
        .live()
        .filter(locale__language_code=language, alias_of__isnull=True)
        .order_by("path")
        .first()
    )
    assert page is not None, f"the demo has no {model.__name__} in {language}"
    return page.url


def public_urls(language):
    urls = {name: first_page(model, language) for name, model in PUBLIC_TYPES.items()}
    with translation.override(language):
        urls["search"] = f"{reverse('search')}?q=taal"
        urls["log in"] = reverse("accounts:login")
        urls["password reset"] = reverse("accounts:password_reset")
        stories = urls["stories"]
        urls["stories, filtered"] = f"{stories}?q=taal"
    urls["not found"] = (f"/{language}/bestaat-niet/", 404)
    return urls


def portal_urls(language):
    """The pages a contact person uses: overview, finding and reserving, a booking with its
    history and the forms to change it, as Promen's contact person."""
    booking = (
        Booking.objects.filter(organisation__slug="promen", seats__status=Seat.Status.CONFIRMED)
        .order_by("pk")
        .first()
    )
    seat = booking.seats.filter(status=Seat.Status.CONFIRMED).order_by("pk").first()
    with translation.override(language):
        return {
            "portal overview": reverse("portal:overview"),
            "portal find groups": reverse("portal:find_groups"),
            "portal reserve": (
                f"{reverse('portal:reserve', kwargs={'group_id': booking.group_id})}?seats=1"
            ),
            "portal booking": reverse("portal:booking", kwargs={"pk": booking.pk}),
            "portal cancel booking": reverse("portal:booking_cancel", kwargs={"pk": booking.pk}),
            "portal seat edit": reverse("portal:seat_edit", kwargs={"pk": seat.pk}),
            "portal calendar": reverse("portal:calendar"),
            "portal api keys": reverse("portal:api_keys"),
        }


def fetch(client, urls):
    pages = {}
    for name, target in urls.items():
        url, status = target if isinstance(target, tuple) else (target, 200)
        response = client.get(url)
        assert response.status_code == status, f"{name}: {url} gave {response.status_code}"
        pages[f"{name} ({url})"] = response.content.decode()
    return pages


def test_every_page_type_is_valid_html_in_both_languages(demo, settings):
    settings.MEDIA_ROOT = demo  # the stories' images and their renditions
    visitor = Client()
    contact = Client()
    contact.force_login(get_user_model().objects.get(username="contact-promen"))
    pages = {}
    for language in LANGUAGES:
        with translation.override(language):  # the pages' language ends with the test
            pages |= fetch(visitor, public_urls(language))
            pages |= fetch(contact, portal_urls(language))

    assert {
        name: markup_problems(html) for name, html in pages.items() if markup_problems(html)
    } == {}
    assert nu_errors(pages) == {}
