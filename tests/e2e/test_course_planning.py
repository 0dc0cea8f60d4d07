"""A coordinator plans a group in the admin, in Chromium, and the public sees it at once.

Bibliotheek Gouda's coordinator logs in, fills in the new-group form of the Cursusplanning menu
with five evening sessions, and saves it. The Dutch and the English course page then show the
group with all its sessions and its free seats.
"""

import datetime
import re
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from playwright.sync_api import expect

from booking import policies
from booking.models import CourseGroup, Location
from demo.accounts import DEMO_PASSWORD
from demo.data import demo_content

from .pages import COURSE_PAGES, KLIK_EN_TIK, text
from .test_visitor_journey import expect_path

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

LOCATIONS = demo_content().locations

AXE = Axe()
COORDINATOR = "coordinator-gouda"
LIBRARY = "bibliotheek-gouda"
GROUPS = "/admin/course-planning/groups/"
ADMIN_LANGUAGE = "nl"
# The library's own building, from the demo's specs.
PLACE = next(
    spec
    for spec in LOCATIONS
    if spec.organisation == LIBRARY and spec.kind == Location.Kind.LIBRARY
)
LEVEL = CourseGroup.Level.TWO
CAPACITY = 4
SESSIONS = 5
# No demo group meets in the evening, and none of Klik & Tik's runs nine weeks from now.
STARTS_AT, ENDS_AT = "18:30", "20:30"
FIRST_SESSION_IN = datetime.timedelta(weeks=9)
# Until the Dutch catalogue has this text, the Dutch page shows the English one.
SEATS_LEFT = {
    "nl": re.compile(rf"^\s*(nog {CAPACITY} plaatsen vrij|{CAPACITY} seats left)\s*$"),
    "en": re.compile(rf"^\s*{CAPACITY} seats left\s*$"),
}


@dataclass(frozen=True)
class Plan:
    """What the coordinator types: moments as the admin's date pickers show them."""

    dates: list[datetime.date]
    booking_opens_at: str
    booking_closes_at: str
    cancellation_deadline: str


def make_plan() -> Plan:
    today = timezone.localdate()
    first = today + FIRST_SESSION_IN
    dates = [first + datetime.timedelta(weeks=week) for week in range(SESSIONS)]
    return Plan(
        dates=dates,
        booking_opens_at=f"{today:%Y-%m-%d} 00:00",  # open now: the group can be booked
        booking_closes_at=f"{first - datetime.timedelta(days=7):%Y-%m-%d} 17:00",
        cancellation_deadline=f"{first - datetime.timedelta(days=1):%Y-%m-%d} 12:00",
    )


def admin_text(message: str, **params) -> str:
    """A text as the admin shows it to the coordinator (in English until it is translated)."""
    with translation.override(ADMIN_LANGUAGE):
        return gettext(message) % params if params else gettext(message)


def admin_screenshot(page, screenshot, what):
    """The admin scrolls inside <main>, not the page: make the window as tall as its content,
    so the shot shows the whole screen."""
    size = page.viewport_size
    height = page.locator("main#main").evaluate("main => main.scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": height})
    screenshot(page, ADMIN_LANGUAGE, what)
    page.set_viewport_size(size)


@pytest.fixture
def planned(page):
    """The ids of the groups the test plans, deleted again through the admin afterwards.

    On PostgreSQL the live server commits what the browser does, outside the test's
    transaction; the group must not stay on the course page for the tests that follow.
    """
    ids = []
    yield ids
    for pk in ids:
        page.goto(f"{GROUPS}delete/{pk}/")
        page.locator("main form[method=POST] button[type=submit]").click()
        expect(page.locator(".messages .success")).to_be_visible()
        page.goto(COURSE_PAGES["klik-en-tik"]["nl"])
        expect(page.locator(f"#group-{pk}-title")).to_have_count(0)


def log_in(page, username):
    # A Dutch coordinator's browser: the demo accounts have no admin language of their own,
    # so the admin speaks the browser's.
    page.set_extra_http_headers({"Accept-Language": "nl-NL,nl;q=0.9"})
    page.goto("/admin/login/")
    page.locator("#id_username").press_sequentially(username)
    page.locator("#id_password").press_sequentially(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect_path(page, "/admin/")


def open_new_group_form(page):
    sidebar = page.locator("#wagtail-sidebar")
    sidebar.get_by_role("button", name="Cursusplanning").click()
    sidebar.locator(f'a[href="{GROUPS}"]').click()
    expect_path(page, GROUPS)
    page.locator(f'main a[href="{GROUPS}new/"]').first.click()
    expect_path(page, f"{GROUPS}new/")


def fill_in_group(page, plan: Plan):
    """Two sessions one by one, the other three as a weekly series."""
    form = page.locator("form[method=POST]").filter(has=page.locator("#id_course"))
    form.locator("#id_course").select_option(label=text(KLIK_EN_TIK, "title", "nl"))
    form.locator("#id_level").select_option(str(LEVEL))
    form.locator("#id_location").select_option(label=f"{PLACE.name}, {PLACE.city}")
    capacity = form.locator("#id_capacity")
    capacity.fill("")
    capacity.press_sequentially(str(CAPACITY))
    form.locator("#id_status").select_option("open")
    for field in ("booking_opens_at", "booking_closes_at", "cancellation_deadline"):
        type_moment(form.locator(f"#id_{field}"), getattr(plan, field))

    sessions = form.locator("#id_sessions-FORMS > [data-inline-panel-child]")
    expect(sessions).to_have_count(1)  # a group needs at least one session: the form has one
    for number, date in enumerate(plan.dates[:2]):
        if number:
            # Straight from the end time to the button: no calendar lies over it.
            expect(open_pickers(page)).to_have_count(0)
            add = form.locator("#id_sessions-ADD")
            add.scroll_into_view_if_needed()
            assert is_on_top(add), "nothing covers the add-session button"
            add.click()
            expect(sessions).to_have_count(number + 1)
        fill_session_field(form.locator(f"#id_sessions-{number}-date"), f"{date:%Y-%m-%d}")
        fill_session_field(form.locator(f"#id_sessions-{number}-starts_at"), STARTS_AT)
        fill_session_field(form.locator(f"#id_sessions-{number}-ends_at"), ENDS_AT)

    fill_session_field(form.locator("#id_series_first_date"), f"{plan.dates[2]:%Y-%m-%d}")
    fill_session_field(form.locator("#id_series_starts_at"), STARTS_AT)
    fill_session_field(form.locator("#id_series_ends_at"), ENDS_AT)
    form.get_by_label(admin_text("Every week")).check()
    form.locator("#id_series_count").fill(str(SESSIONS - 2))
    return form


def fill_session_field(field, value):
    """The browser's own date and time fields: their calendar opens only when asked for."""
    field.fill(value)
    expect(field).to_have_value(value)
    expect(open_pickers(field.page)).to_have_count(0)


def is_on_top(locator) -> bool:
    """Whether a click in the middle of `locator` reaches it, not something lying over it."""
    return locator.evaluate(
        """element => {
            const box = element.getBoundingClientRect();
            const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
            return element === hit || element.contains(hit);
        }"""
    )


def type_moment(field, value):
    """Types into a date or time field as a user does, and leaves it with Tab.

    The field's picker opens a moment after the field gets focus, and a click into a field
    whose picker is open closes it again. So the user clicks only when Tab has not brought
    them to the field already, and waits for the picker before typing: otherwise it would
    open after they left, on top of the buttons below.
    """
    if not field.evaluate("input => input === document.activeElement"):
        field.click()
    expect(open_pickers(field.page)).to_have_count(1)
    field.fill("")
    field.press_sequentially(value)
    field.press("Tab")
    expect(field).to_have_value(value)


def open_pickers(page):
    return page.locator(".xdsoft_datetimepicker:visible")


def test_coordinator_plans_a_group_that_the_course_page_shows(page, screenshot, planned):
    plan = make_plan()
    log_in(page, COORDINATOR)
    open_new_group_form(page)

    form = fill_in_group(page, plan)
    # A coordinator plans for their own library only: the field is fixed.
    expect(form.locator("#id_library")).to_be_disabled()
    expect(open_pickers(page)).to_have_count(0)
    results = AXE.run(page)
    admin_screenshot(page, screenshot, "admin-form")
    assert results.violations_count == 0, results.generate_report()
    form.locator("button[type=submit]").first.click()

    expect(page).to_have_url(re.compile(rf"{GROUPS}inspect/\d+/$"))
    planned.append(int(re.search(r"/inspect/(\d+)/$", page.url).group(1)))
    saved = admin_text("The group is saved. Open it for booking when everything is ready.")
    expect(page.locator(".messages .success")).to_contain_text(saved)
    admin_screenshot(page, screenshot, "admin-group")

    page.goto(GROUPS)
    row = page.locator("tbody tr").filter(
        has=page.locator(f'a[href="{GROUPS}inspect/{planned[0]}/"]')
    )
    expect(row).to_have_count(1)
    expect(row).to_contain_text(text(KLIK_EN_TIK, "title", "nl"))
    expect(row).to_contain_text(PLACE.name)
    expect(row).to_contain_text(
        admin_text("%(confirmed)s of %(capacity)s taken", confirmed=0, capacity=CAPACITY)
    )

    for lang in ("nl", "en"):
        page.goto(COURSE_PAGES["klik-en-tik"][lang])
        expect(page.locator("html")).to_have_attribute("lang", lang)
        card = page.locator(".group-card").filter(
            has=page.locator(f'time[datetime="{plan.dates[0]:%Y-%m-%d}"]')
        )
        expect(card).to_have_count(1)
        expect(card).to_have_attribute("aria-labelledby", f"group-{planned[0]}-title")
        with translation.override(lang):
            expect(card.locator(".group-card__title")).to_contain_text(str(LEVEL.label))
        expect(card.locator(".group-card__facts")).to_contain_text(PLACE.name)
        expect(card.locator(".group-card__seats")).to_have_text(SEATS_LEFT[lang])
        sessions = card.locator("tbody tr")
        expect(sessions).to_have_count(SESSIONS)
        for session, date in zip(sessions.all(), plan.dates, strict=True):
            expect(session.locator("th time")).to_have_attribute("datetime", f"{date:%Y-%m-%d}")
            expect(session.locator("td")).to_have_text(f"{STARTS_AT}–{ENDS_AT}")
        screenshot(page, lang, "course-page")


# -- the session fields do not cover the add button ------------------------------------------


@pytest.mark.parametrize("width", [1280, 390])
def test_the_add_session_button_stays_free_while_typing_a_time(page, screenshot, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, COORDINATOR)
    page.goto(f"{GROUPS}new/")
    ends_at = page.locator("#id_sessions-0-ends_at")
    for field, value in (("date", "2030-01-08"), ("starts_at", "10:00")):
        fill_session_field(page.locator(f"#id_sessions-0-{field}"), value)
    # Focus stays in the end time, where the old picker stayed open over the button.
    ends_at.click()
    ends_at.fill("12:00")
    expect(ends_at).to_be_focused()

    add = page.locator("#id_sessions-ADD")
    add.scroll_into_view_if_needed()
    expect(open_pickers(page)).to_have_count(0)
    assert is_on_top(add), "nothing covers the add-session button"
    screenshot(page, ADMIN_LANGUAGE, f"{width}")
    add.click()
    expect(page.locator("#id_sessions-FORMS > [data-inline-panel-child]")).to_have_count(2)
    expect(ends_at).to_have_value("12:00")


# -- locations: own and partners' first, others on request -----------------------------------


def test_other_libraries_locations_join_the_list_when_asked_with_the_keyboard(page, screenshot):
    log_in(page, COORDINATOR)
    page.goto(f"{GROUPS}new/")
    select = page.locator("#id_location")
    own_label = admin_text("Locations of your library and partners")
    own = [spec for spec in LOCATIONS if spec.organisation in (LIBRARY, "promen")]
    elsewhere = next(spec for spec in LOCATIONS if spec.organisation == "bibliotheek-deventer")

    expect(select.locator("optgroup")).to_have_count(1)
    expect(select.locator("optgroup")).to_have_attribute("label", own_label)
    expect(select.locator("option")).to_have_count(len(own) + 1)
    toggle = page.get_by_label(admin_text("Show all locations, also those of other libraries"))
    expect(toggle).not_to_be_checked()
    screenshot(page, ADMIN_LANGUAGE, "own")

    select.focus()
    page.keyboard.press("Tab")
    expect(toggle).to_be_focused()
    page.keyboard.press("Space")
    expect(toggle).to_be_checked()
    expect(select.locator("optgroup")).to_have_count(2)
    expect(select.locator("option")).to_have_count(len(LOCATIONS) + 1)
    select.select_option(label=f"{elsewhere.name}, {elsewhere.city}")
    expect(select).to_have_value(str(Location.objects.get(name=elsewhere.name).pk))
    screenshot(page, ADMIN_LANGUAGE, "all")

    # Hiding the others again does not keep a choice the list no longer shows.
    toggle.press("Space")
    expect(select.locator("optgroup")).to_have_count(1)
    expect(select).to_have_value("")


# -- attendance -------------------------------------------------------------------------------


def test_attendance_of_the_finished_group_and_a_session_to_come(page, screenshot):
    """Deventer's demo group ran on KonnecteD's site; everybody came to its first session."""
    finished = CourseGroup.objects.get(status=CourseGroup.Status.COMPLETED)
    first = finished.sessions.order_by("date").first()
    log_in(page, "coordinator-deventer")
    page.goto(f"{GROUPS}inspect/{finished.pk}/")
    sessions = page.locator("#group-sessions-section tbody tr")
    expect(sessions).to_have_count(5)
    expect(sessions.nth(0)).to_contain_text(
        admin_text(
            "%(present)s present, %(absent)s absent, %(excused)s excused",
            present=5,
            absent=0,
            excused=0,
        )
    )
    expect(page.locator("#group-sessions-section")).to_contain_text(
        admin_text(
            "%(present)s present, %(absent)s absent, %(excused)s excused",
            present=3,
            absent=1,
            excused=1,
        )
    )
    admin_screenshot(page, screenshot, "group")

    sessions.nth(0).get_by_role("link").click()
    expect_path(page, f"{GROUPS}attendance/{finished.pk}/{first.pk}/")
    excused = page.get_by_role("radio", name=admin_text("Excused"))
    expect(excused).to_have_count(5)
    expect(page.get_by_role("radio", name=admin_text("Present"), checked=True)).to_have_count(5)
    results = AXE.run(page)
    admin_screenshot(page, screenshot, "form")
    assert results.violations_count == 0, results.generate_report()
    page.get_by_role("button", name=admin_text("Everyone was there")).click()

    expect_path(page, f"{GROUPS}inspect/{finished.pk}/")
    with translation.override(ADMIN_LANGUAGE):
        done = ngettext(
            "%(count)s participant is marked present for %(session)s.",
            "All %(count)s participants are marked present for %(session)s.",
            5,
        ) % {"count": 5, "session": first}
    expect(page.locator(".messages .success")).to_contain_text(done)

    coming = (
        CourseGroup.objects.filter(library__slug=LIBRARY, status=CourseGroup.Status.OPEN)
        .first()
        .sessions.first()
    )
    coordinator = get_user_model().objects.get(username=COORDINATOR)
    with translation.override(ADMIN_LANGUAGE):
        refusal = policies.refusal(
            policies.check_can_record_attendance,
            coming.group,
            session_date=coming.date,
            by=coordinator,
        ).message
    page.context.clear_cookies()
    log_in(page, COORDINATOR)
    page.goto(f"{GROUPS}attendance/{coming.group_id}/{coming.pk}/")
    expect(page.locator("main")).to_contain_text(refusal)
    expect(page.get_by_role("radio")).to_have_count(0)
    expect(page.get_by_role("button", name=admin_text("Everyone was there"))).to_have_count(0)
    admin_screenshot(page, screenshot, "future")
