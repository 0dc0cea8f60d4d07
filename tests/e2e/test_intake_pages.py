"""Issue 14, item 1 in Chromium on a phone (390 px): a job coach at Promen does the intake with
a colleague who cannot use a mouse, gets "Klik & Tik niveau 1" and books a matching group; the
intake is kept with the first seat. axe-core finds no violation on the intake pages in Dutch
and English.

The demo has the intake's questions and rules (demo/content/intake.yaml). Each test gets a
Klik & Tik level 1 group of its own at Gouda, written where the live server sees it and
removed afterwards with its bookings, so the demo stays as the other browser tests expect.
"""

import pytest
from playwright.sync_api import expect

from booking import intake
from booking.models import CourseGroup, CoursePage, Location, Organisation, Seat
from tests.booking.factories import CourseGroupFactory

from .live_data import committed
from .test_portal import LANGUAGES, PHONE, address, check, log_in
from .test_portal_holds import remove_group
from .test_visitor_journey import expect_path

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

GOUDA = "bibliotheek-gouda"


def make_group() -> int:
    gouda = Organisation.objects.get(slug=GOUDA)
    group = CourseGroupFactory(
        course=CoursePage.objects.get(slug="klik-en-tik", locale__language_code="nl"),
        library=gouda,
        location=Location.objects.filter(organisation=gouda, kind=Location.Kind.LIBRARY)
        .order_by("pk")
        .first(),
        level=CourseGroup.Level.ONE,
        capacity=5,
    )
    return group.pk


@pytest.fixture
def own_group():
    pk = committed(make_group)
    yield CourseGroup.objects.get(pk=pk)
    committed(lambda: remove_group(pk))


def answer_all(page, no: str) -> None:
    """Answer every question "Ja", except the one whose legend contains `no`: "Nee"."""
    questions = page.locator(".intake-question fieldset")
    count = questions.count()
    assert count == 5
    for index in range(count):
        fieldset = questions.nth(index)
        legend = fieldset.locator("legend").inner_text()
        choice = "no" if no in legend else "yes"
        fieldset.locator(f'input[value="{choice}"]').check()


def test_a_job_coach_does_the_intake_and_books_a_matching_group(
    browser, live_site, own_group, screenshot
):
    page = browser.new_page(base_url=live_site.url, viewport=PHONE)
    log_in(page, "nl", "contact-promen")
    page.goto(address("nl", "portal:find_groups"))
    page.get_by_role("link", name="Doe samen de intake").click()
    expect_path(page, address("nl", "portal:intake"))

    answer_all(page, no="muis")
    page.get_by_label("Wat wil je leren?").fill("Een e-mail sturen naar mijn dochter")
    page.get_by_role("button", name="Toon het advies").click()

    expect(page.locator("h1")).to_have_text("Ons advies: Klik & Tik niveau 1")
    expect(page.locator("main")).to_contain_text("eerst de muis gebruiken")
    screenshot(page, "nl", "advice")
    reserve = address("nl", "portal:reserve", group_id=own_group.pk)
    page.locator(f'a[href^="{reserve}?intake="]').click()
    expect(page.locator("main")).to_contain_text("Ons advies: Klik & Tik niveau 1")
    page.get_by_label("Hoeveel plaatsen wil je reserveren?").fill("1")
    page.get_by_role("button", name="Toon plaatsen").click()
    goal = page.locator("#id_seat-1-learning_goal")
    expect(goal).to_have_value("Een e-mail sturen naar mijn dochter")
    page.locator("#id_seat-1-first_name").fill("Anouk")
    page.get_by_role("button", name="1 plaats reserveren").click()

    expect(page.locator("h1")).to_contain_text("Klik & Tik")
    expect(page.locator("main")).to_contain_text("Advies van de intake: Klik & Tik niveau 1")
    seat = Seat.objects.get(booking__group=own_group)
    assert seat.first_name == "Anouk"
    assert seat.intake["advice"]["level"] == 1
    assert set(seat.intake) == {"answers", "wants", "advice"}
    assert intake.is_record(seat.intake)
    page.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_axe_finds_no_violations_on_the_intake_pages(
    browser, live_site, own_group, screenshot, lang
):
    page = browser.new_page(base_url=live_site.url, viewport=PHONE)
    log_in(page, lang, "contact-promen")
    problems = check(page, screenshot, lang, "intake", address(lang, "portal:intake"))

    page.locator(".intake-form button[type=submit]").click()  # nothing answered: errors
    expect(page.locator(".error-summary")).to_be_visible()
    problems += check(page, screenshot, lang, "intake-errors", None)

    answer_all(page, no="mouse" if lang == "en" else "muis")
    page.locator(".intake-form button[type=submit]").click()
    expect(page.locator(".group-list")).to_be_visible()
    problems += check(page, screenshot, lang, "intake-advice", None)

    reserve = address(lang, "portal:reserve", group_id=own_group.pk)
    page.locator(f'a[href^="{reserve}?intake="]').click()
    problems += check(page, screenshot, lang, "intake-reserve", None)
    problems += check(
        page, screenshot, lang, "intake-bad-link", f"{reserve}?intake=changed-by-hand"
    )

    seat = (
        Seat.objects.filter(booking__organisation__slug="promen")
        .exclude(status=Seat.Status.CANCELLED)
        .filter(booking__group__status=CourseGroup.Status.OPEN)
        .order_by("pk")
        .first()
    )
    problems += check(
        page, screenshot, lang, "seat-intake", address(lang, "portal:seat_intake", pk=seat.pk)
    )
    page.close()
    assert problems == []
