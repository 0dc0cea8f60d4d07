import html
import io

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import CommandError, call_command
from django.http import HttpRequest
from wagtail.models import Page

from booking.models import Booking, Seat
from stories.models import InterviewPage, PracticeExamplePage

pytestmark = pytest.mark.django_db


def counts():
    return {
        "pages": Page.objects.count(),
        "practice": PracticeExamplePage.objects.count(),
        "interviews": InterviewPage.objects.count(),
    }


def test_builds_the_bilingual_demo_site_once(client, english, settings):
    call_command("load_demo", stdout=io.StringIO())
    first = counts()
    call_command("load_demo", stdout=io.StringIO())
    assert counts() == first
    assert first["practice"] >= 2 * 5, "five practice examples, each in Dutch and English"
    assert first["interviews"] >= 2 * 2
    for story in PracticeExamplePage.objects.filter(locale__language_code="nl"):
        translation = story.get_translations().get()
        assert translation.live and translation.locale.language_code == "en"
        assert client.get(translation.url).status_code == 200
    assert client.get("/nl/").status_code == 200
    assert client.get("/en/").status_code == 200
    for username in ["admin", "redactie", "eindredactie"]:
        assert authenticate(HttpRequest(), username=username, password="leerplein-demo")


def test_the_demo_site_is_found_by_search_right_after_loading(client, english):
    call_command("load_demo", stdout=io.StringIO())
    gouda = PracticeExamplePage.objects.get(locale__language_code="nl", slug__contains="gouda")
    dutch = client.get("/nl/zoeken/", {"q": "digitale vaardigheden Gouda"}).text
    assert gouda.title in html.unescape(dutch)
    english_page = gouda.get_translation(english)
    assert english_page.title in html.unescape(client.get("/en/search/", {"q": "Gouda"}).text)
    courses = client.get("/nl/zoeken/", {"q": "cursussen"}).text
    assert "Cursus" in courses and "Klik &amp; Tik" in courses


def test_refuses_production_settings_without_force(settings):
    settings.SETTINGS_MODULE = "config.settings.production"
    with pytest.raises(CommandError, match="--force"):
        call_command("load_demo")
    assert not PracticeExamplePage.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_made_up_bookings_email_nobody():
    """The services e-mail contact persons after the commit; the demo's commit is real here."""
    call_command("load_demo", stdout=io.StringIO())
    assert Booking.objects.exists()
    assert Seat.objects.waitlisted().exists()
    assert mail.outbox == []
