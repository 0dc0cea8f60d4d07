"""The evaluation at the last lesson, in Chromium on a phone (390 px): a participant answers
with the keyboard alone, and axe-core finds nothing on the form, its refusal and its thanks,
in Dutch and English. The group is made for the test and removed with its evaluations."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from playwright.sync_api import expect

from booking import evaluations, services
from booking.models import CourseGroup, CoursePage, Evaluation, Organisation
from tests.booking.factories import CourseGroupFactory

from .live_data import committed
from .test_portal import LANGUAGES, PHONE, check, tab_to

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

THANKS = {
    "nl": "Bedankt! Je antwoorden zijn verstuurd.",
    "en": "Thank you! Your answers have been sent.",
}


def make_ended_group() -> int:
    """A Klik & Tik group at Gouda whose last lesson is today, with 3 confirmed seats."""
    gouda = Organisation.objects.get(slug="bibliotheek-gouda")
    today = timezone.localdate()
    group = CourseGroupFactory(
        course=CoursePage.objects.get(slug="klik-en-tik", locale__language_code="nl"),
        library=gouda,
        location=gouda.locations.order_by("pk").first(),
        sessions__first=today - datetime.timedelta(weeks=4),
        booking_opens_at=timezone.now() - datetime.timedelta(days=60),
        booking_closes_at=timezone.now() - datetime.timedelta(days=30),
        cancellation_deadline=timezone.now() - datetime.timedelta(days=29),
    )
    services.reserve_seats(
        group=group,
        organisation=Organisation.objects.get(slug="promen"),
        by=get_user_model().objects.get(username="contact-promen"),
        seats=3,
        now=group.booking_opens_at + datetime.timedelta(hours=1),
    )
    return group.pk


def remove(pk: int) -> None:
    group = CourseGroup.objects.get(pk=pk)
    Evaluation.objects.filter(group=group).delete()
    for booking in group.bookings.all():
        booking.seats.all().delete()
        booking.delete()
    group.delete()


@pytest.fixture
def ended_group():
    pk = committed(make_ended_group)
    yield pk
    committed(lambda: remove(pk))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_participant_fills_in_the_evaluation_with_the_keyboard(
    browser, live_site, screenshot, ended_group, lang
):
    group = committed(lambda: CourseGroup.objects.get(pk=ended_group))
    with translation.override(lang):
        path = evaluations.evaluation_address(group)
    page = browser.new_page(base_url=live_site.url, viewport=PHONE)
    problems = check(page, screenshot, lang, "form", path)

    # Sending without a score: the refusal is read out at the top and next to the field.
    tab_to(page, "form.form button[type=submit]").press("Enter")
    expect(page.locator(".error-summary")).to_be_visible()
    problems += check(page, screenshot, lang, "refused", None)

    # Tab reaches a group of radio buttons once; the arrow keys choose within it.
    score = tab_to(page, "#id_score_0")
    for _ in range(7):
        score.page.keyboard.press("ArrowRight")
    expect(page.locator("#id_score_7")).to_be_checked()
    tab_to(page, "#id_enjoyed_0").press("Space")
    tab_to(page, "form.form button[type=submit]").press("Enter")
    expect(page.get_by_text(THANKS[lang])).to_be_visible()
    problems += check(page, screenshot, lang, "thanks", None)
    page.close()

    assert problems == []
    kept = committed(
        lambda: list(Evaluation.objects.filter(group_id=ended_group).values("score", "answers"))
    )
    assert kept == [{"score": 8, "answers": {"enjoyed": "yes"}}]
