"""Issue 14, trainers, in Chromium on a phone (390 px): the demo's trainer of Bibliotheek
Gouda signs in, lands on "Mijn lessen", opens today's session and marks five participants
with the keyboard alone, saves and sees the result. axe-core checks every trainer's page in
Dutch and English.

Each test gets a Klik & Tik group of its own at Gouda (one session a week ago, one today, three
to come; five confirmed participants), taught by the demo's trainer, written where the live
server sees it and removed afterwards with everything the test made (attendance, notes).
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from booking import services
from booking.models import Attendance, CourseGroup, CoursePage, Location, Organisation
from booking.services import SeatRequest
from demo.accounts import DEMO_PASSWORD
from tests.booking.factories import CourseGroupFactory

from .live_data import committed
from .test_portal import LANGUAGES, PHONE, address, check, tab_to
from .test_portal_holds import remove_group
from .test_visitor_journey import expect_path

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

TRAINER = "trainer-gouda"
GOUDA = "bibliotheek-gouda"
NAMES = ("Anouk", "Bilal", "Carla", "Daan", "Esra")
# What the trainer chooses for each, and how many presses of the right arrow that is from
# "present" (the first choice): present, absent, excused.
CHOICES = {"Anouk": 0, "Bilal": 0, "Carla": 1, "Daan": 2, "Esra": 0}
STATUSES = ("present", "absent", "excused")


def make_group() -> int:
    gouda = Organisation.objects.get(slug=GOUDA)
    users = get_user_model().objects
    group = CourseGroupFactory(
        course=CoursePage.objects.get(slug="klik-en-tik", locale__language_code="nl"),
        library=gouda,
        location=Location.objects.filter(organisation=gouda).order_by("pk").first(),
        capacity=6,
        sessions__first=timezone.localdate() - datetime.timedelta(weeks=1),
    )
    services.reserve_seats(
        group=group,
        organisation=Organisation.objects.get(slug="promen"),
        by=users.get(username="contact-promen"),
        seats=[SeatRequest(first_name=name) for name in NAMES],
    )
    services.assign_trainer(
        group=group,
        trainer=users.get(username=TRAINER),
        by=users.get(username="coordinator-gouda"),
    )
    return group.pk


def remove(pk: int) -> None:
    # Attendance keeps its seat from being deleted; it goes first.
    Attendance.objects.filter(session__group_id=pk).delete()
    remove_group(pk)


@pytest.fixture
def group():
    pk = committed(make_group)
    yield CourseGroup.objects.get(pk=pk)
    committed(lambda: remove(pk))


def todays_session(group):
    return group.sessions.get(date=timezone.localdate())


def log_in(page, lang):
    """Sign in with the keyboard; a trainer lands on "Mijn lessen"."""
    page.goto(address(lang, "accounts:login"))
    tab_to(page, "#id_username")
    page.keyboard.type(TRAINER)
    tab_to(page, "#id_password")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect_path(page, address(lang, "trainers:sessions"))


def test_the_trainer_marks_five_participants_with_the_keyboard(
    browser, live_site, group, screenshot
):
    session = todays_session(group)
    page = browser.new_page(base_url=live_site.url, viewport=PHONE)
    log_in(page, "nl")
    screenshot(page, "nl", "my-sessions")

    url = address("nl", "trainers:session", pk=session.pk)
    tab_to(page, f'main a[href="{url}"]', limit=300)
    page.keyboard.press("Enter")
    expect_path(page, url)

    seats = {seat.first_name: seat for seat in session.group.bookings.get().seats.all()}
    for name in NAMES:
        legend = page.locator("fieldset", has=page.locator(f"#id_seat_{seats[name].pk}_0"))
        expect(legend.locator("legend")).to_have_text(name)
        tab_to(page, f"#id_seat_{seats[name].pk}_0")
        page.keyboard.press("Space")  # nothing chosen yet: Space picks "present"
        for _ in range(CHOICES[name]):
            page.keyboard.press("ArrowRight")
        chosen = STATUSES[CHOICES[name]]
        expect(
            page.locator(f'input[name="seat_{seats[name].pk}"][value="{chosen}"]')
        ).to_be_checked()
    screenshot(page, "nl", "marked")
    tab_to(page, 'main form.attendance-form button[type="submit"]')
    page.keyboard.press("Enter")

    expect_path(page, url)
    expect(page.locator(".portal-messages")).to_contain_text("De aanwezigheid is opgeslagen.")
    for name in NAMES:
        chosen = STATUSES[CHOICES[name]]
        expect(
            page.locator(f'input[name="seat_{seats[name].pk}"][value="{chosen}"]')
        ).to_be_checked()
    screenshot(page, "nl", "saved")
    page.context.close()

    marks = dict(
        Attendance.objects.filter(session=session).values_list("seat__first_name", "status")
    )
    assert marks == {name: STATUSES[CHOICES[name]] for name in NAMES}


def trainer_pages(lang, group) -> dict:
    session = todays_session(group)
    future = group.sessions.order_by("-date").first()
    return {
        "my-sessions": address(lang, "trainers:sessions"),
        "session": address(lang, "trainers:session", pk=session.pk),
        "future-session": address(lang, "trainers:session", pk=future.pk),
        "calendar": address(lang, "trainers:calendar"),
        "calendar-renew": address(lang, "trainers:calendar_renew"),
    }


def give_calendar():
    services.renew_trainer_calendar(trainer=get_user_model().objects.get(username=TRAINER))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_axe_finds_no_violations_on_the_trainer_pages(browser, live_site, group, screenshot, lang):
    committed(give_calendar)
    page = browser.new_page(base_url=live_site.url, viewport=PHONE)
    log_in(page, lang)
    problems = []
    for name, path in trainer_pages(lang, group).items():
        problems += check(page, screenshot, lang, name, path)

    # The errors: a save with nobody marked, and an empty note.
    page.goto(trainer_pages(lang, group)["session"])
    page.locator("main form").first.locator('button[type="submit"]').click()
    expect(page.locator(".error-summary")).to_be_visible()
    problems += check(page, screenshot, lang, "session-errors", None)
    page.locator("main form").last.locator('button[type="submit"]').click()
    expect(page.locator(".error-summary")).to_be_visible()
    problems += check(page, screenshot, lang, "note-errors", None)
    page.context.close()
    assert problems == []
