"""Issue 13 in Chromium: held seats, demand, messages and "er is plek" alerts.

Bibliotheek Gouda's coordinator holds 2 seats for Promen in the admin, with the keyboard
alone, and Promen's contact person then sees them on the portal's list of groups. axe-core
checks every admin and portal page that issue 13 added, in Dutch and English, on a phone
(390 px) and a desktop (1280 px).

Each test gets a Klik & Tik group of its own at Gouda (5 seats, 2 booked by KonnecteD),
written where the live server sees it and removed afterwards with everything the test made
(holds, alerts), so the demo stays as the other browser tests expect it. The pages that only
read (open a group for the waiting list, the dashboard) use the demo's own Gouda group with
a waiting list, and nothing there is sent or saved.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from playwright.sync_api import expect
from wagtail.users.models import UserProfile

from booking import alerts, services
from booking.models import (
    CourseGroup,
    CoursePage,
    Location,
    Organisation,
    RoomAlert,
    Seat,
    SeatHold,
)
from demo.accounts import DEMO_PASSWORD
from tests.booking.factories import CourseGroupFactory

from .live_data import committed
from .test_portal import LANGUAGES, PHONE, address, check, tab_to
from .test_portal import log_in as portal_log_in
from .test_portal_holds import HELD, HELD_UNTIL, card, held_text, remove_group
from .test_visitor_journey import expect_path

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

AXE = Axe()
DESKTOP = {"width": 1280, "height": 900}
COORDINATOR = "coordinator-gouda"
GOUDA = "bibliotheek-gouda"
GROUPS = "/admin/course-planning/groups/"
ACCEPT_LANGUAGE = {"nl": "nl-NL,nl;q=0.9", "en": "en-GB,en;q=0.9"}
REASON = "Promen kiest nog wie er gaan"


# -- test data the live server sees -----------------------------------------------------------


def make_group() -> int:
    """An open Klik & Tik group at Gouda, first session in two weeks: 5 seats, 2 booked by
    KonnecteD, so 3 are free to hold."""
    gouda = Organisation.objects.get(slug=GOUDA)
    group = CourseGroupFactory(
        course=CoursePage.objects.get(slug="klik-en-tik", locale__language_code="nl"),
        library=gouda,
        location=Location.objects.filter(organisation=gouda, kind=Location.Kind.LIBRARY)
        .order_by("pk")
        .first(),
        level=CourseGroup.Level.TWO,
        capacity=5,
    )
    services.reserve_seats(
        group=group,
        organisation=Organisation.objects.get(slug="konnected"),
        by=get_user_model().objects.get(username="contact-konnected"),
        seats=2,
    )
    return group.pk


def hold_for_promen(pk: int) -> None:
    services.hold_seats(
        group=CourseGroup.objects.get(pk=pk),
        organisation=Organisation.objects.get(slug="promen"),
        seats=HELD,
        held_until=timezone.localdate() + HELD_UNTIL,
        by=get_user_model().objects.get(username=COORDINATOR),
        reason=REASON,
    )


def subscribe_promen(lang: str) -> int:
    """Promen's contact person asks for an e-mail when Klik & Tik has room in Gouda."""
    course = CoursePage.objects.get(slug="klik-en-tik", locale__language_code="nl")
    alert, _created = alerts.subscribe(
        user=get_user_model().objects.get(username="contact-promen"),
        course_key=course.translation_key,
        municipality="Gouda",
        language=lang,
    )
    return alert.pk


@pytest.fixture
def group():
    pk = committed(make_group)
    yield CourseGroup.objects.get(pk=pk)
    committed(lambda: remove_group(pk))


@pytest.fixture
def room_alert():
    """A factory: room_alert(lang) makes Promen's subscription, deleted after the test."""
    made = []

    def make(lang):
        pk = committed(lambda: subscribe_promen(lang))
        made.append(pk)
        return RoomAlert.objects.get(pk=pk)

    yield make
    committed(lambda: RoomAlert.objects.filter(pk__in=made).delete())


@pytest.fixture
def coordinator_speaks():
    """coordinator_speaks(lang): the coordinator's own admin language, as chosen on their
    account page (the demo's people chose Dutch); set back afterwards."""
    profile = UserProfile.get_for_user(get_user_model().objects.get(username=COORDINATOR))
    chosen = profile.preferred_language

    def choose(language):
        return committed(lambda: set_language(profile.pk, language))

    yield choose
    choose(chosen)


def set_language(profile_pk: int, language: str) -> None:
    UserProfile.objects.filter(pk=profile_pk).update(preferred_language=language)


def group_with_waiting_list() -> CourseGroup:
    """The demo's Gouda group whose waiting list has someone on it."""
    seat = (
        Seat.objects.filter(status=Seat.Status.WAITLISTED, booking__group__library__slug=GOUDA)
        .select_related("booking__group")
        .order_by("pk")
        .first()
    )
    assert seat is not None, "the demo has a Gouda group with a waiting list"
    return seat.booking.group


# -- the admin in a browser -------------------------------------------------------------------


def admin_page(browser, live_site, lang, viewport=DESKTOP):
    """A coordinator's browser that asks for `lang`. (The admin speaks it only to users who
    chose no language of their own: see `coordinator_speaks`.)"""
    context = browser.new_context(
        base_url=live_site.url,
        viewport=viewport,
        extra_http_headers={"Accept-Language": ACCEPT_LANGUAGE[lang]},
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def admin_log_in(page, username=COORDINATOR):
    page.goto("/admin/login/")
    page.locator("#id_username").press_sequentially(username)
    page.locator("#id_password").press_sequentially(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect_path(page, "/admin/")


def type_date(page, date):
    """Types a date into the focused date field, as its user would.

    The browser's date field shows day, month and year in the order of the browser's own
    language; its formatting of dates in JavaScript has the same order.
    """
    order = page.evaluate(
        """() => new Intl.DateTimeFormat()
            .formatToParts(new Date(2030, 0, 2))
            .map(part => part.type)
            .filter(type => ["day", "month", "year"].includes(type))"""
    )
    parts = {"day": f"{date:%d}", "month": f"{date:%m}", "year": f"{date:%Y}"}
    page.keyboard.type("".join(parts[part] for part in order))


def admin_text(lang, message, **params) -> str:
    with translation.override(lang):
        return gettext(message) % params if params else gettext(message)


def admin_check(page, screenshot, lang, name, path):
    """No axe violation on an admin page in the right language; returns the problems found.

    The admin scrolls inside <main>, not the page: the window is made as tall as its content
    for the screenshot, so the shot shows the whole screen.
    """
    if path is not None:
        response = page.goto(path)
        assert response.ok, f"{response.status} for {path}"
    expect(page.locator("html")).to_have_attribute("lang", lang)
    results = AXE.run(page)
    size = page.viewport_size
    height = page.locator("main#main").evaluate("main => main.scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    screenshot(page, lang, name)
    page.set_viewport_size(size)
    if results.violations_count:
        return [f"{name} ({path}): {results.generate_report()}"]
    return []


# -- 1. a hold made in the admin with the keyboard, seen in the portal -----------------------


def test_coordinator_holds_two_seats_for_promen_with_the_keyboard_and_promen_sees_them(
    browser, live_site, group, screenshot
):
    held_until = timezone.localdate() + HELD_UNTIL
    inspect = f"{GROUPS}inspect/{group.pk}/"
    coordinator = admin_page(browser, live_site, "nl")
    admin_log_in(coordinator)

    # Through the menu to the group's page.
    sidebar = coordinator.locator("#wagtail-sidebar")
    sidebar.get_by_role("button", name="Cursusplanning").click()
    sidebar.locator(f'a[href="{GROUPS}"]').click()
    expect_path(coordinator, GROUPS)
    coordinator.locator(f'main a[href="{inspect}"]').first.click()
    expect_path(coordinator, inspect)

    # From here on the keyboard alone.
    hold_url = f"{GROUPS}hold/{group.pk}/"
    link = tab_to(coordinator, f'main a[href="{hold_url}"]', limit=200)
    expect(link).to_have_text("Plaatsen vasthouden")
    coordinator.keyboard.press("Enter")
    expect_path(coordinator, hold_url)

    organisation = tab_to(coordinator, "#id_organisation")
    coordinator.keyboard.type("Promen")  # a closed list jumps to the option typed
    promen = Organisation.objects.get(slug="promen")
    expect(organisation).to_have_value(str(promen.pk))
    tab_to(coordinator, "#id_seats")
    coordinator.keyboard.type(str(HELD))
    held_field = tab_to(coordinator, "#id_held_until")
    type_date(coordinator, held_until)
    expect(held_field).to_have_value(f"{held_until:%Y-%m-%d}")
    tab_to(coordinator, "#id_reason")
    coordinator.keyboard.type(REASON)
    screenshot(coordinator, "nl", "hold-form")
    tab_to(coordinator, 'main form[method="post"] button[type="submit"]')
    coordinator.keyboard.press("Enter")

    expect_path(coordinator, inspect)
    with translation.override("nl"):
        hold = f"{HELD} vastgehouden voor Promen tot {date_format(held_until, 'DATE_FORMAT')}"
    expect(coordinator.locator(".messages .success")).to_contain_text(
        f"De plaatsen worden vastgehouden: {hold}."
    )
    expect(coordinator.locator("#group-facts-section")).to_contain_text(hold)
    row = coordinator.locator("#group-holds-section tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Promen")
    expect(row).to_contain_text(REASON)
    screenshot(coordinator, "nl", "group-with-hold")
    coordinator.context.close()

    saved = SeatHold.objects.filter(group=group).active().get()
    assert (saved.organisation, saved.seats, saved.held_until, saved.reason) == (
        promen,
        HELD,
        held_until,
        REASON,
    )

    # Promen's contact person, in a browser of their own.
    contact = browser.new_context(base_url=live_site.url, viewport=DESKTOP)
    page = contact.new_page()
    portal_log_in(page, "nl", "contact-promen")
    page.goto(address("nl", "portal:find_groups"))
    assert held_text("nl").startswith("2 plaatsen voor je vastgehouden tot ")
    expect(card(page, group)).to_contain_text(held_text("nl"))
    screenshot(page, "nl", "find-groups")
    contact.close()


# -- 2. axe-core on every new admin and portal page ------------------------------------------


def admin_pages(group, lang) -> dict:
    hold = SeatHold.objects.filter(group=group).active().get()
    seat = Seat.objects.filter(booking__group=group, status=Seat.Status.CONFIRMED).first()
    waiting = group_with_waiting_list()
    return {
        "group-with-hold": f"{GROUPS}inspect/{group.pk}/",
        "hold": reverse("course_groups:hold", args=[group.pk]),
        "hold-release": reverse("course_groups:release_hold", args=[group.pk, hold.pk]),
        "reserve": reverse("course_groups:reserve", args=[group.pk]),
        "move-seat": reverse("course_groups:move_seat", args=[group.pk, seat.pk]),
        "send-message": reverse("booking_messages:send", args=[group.pk]),
        "notification-settings": reverse("booking_messages:settings"),
        "announce-room": reverse("booking_alerts:announce_room", kwargs={"pk": group.pk}),
        "open-group": reverse("booking_demand:open_group", args=[waiting.pk]),
        "dashboard": "/admin/",
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_axe_finds_no_violations_on_the_new_admin_pages(
    browser, live_site, group, room_alert, coordinator_speaks, screenshot, lang
):
    coordinator_speaks(lang)
    committed(lambda: hold_for_promen(group.pk))
    room_alert(lang)  # so that "announce room" has someone to tell, and shows its button
    pages = admin_pages(group, lang)
    page = admin_page(browser, live_site, lang, PHONE)
    admin_log_in(page)
    problems = []
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        for name, path in pages.items():
            problems += admin_check(page, screenshot, lang, name, path)
            if name == "announce-room":
                send = admin_text(lang, "Send the e-mail now")
                expect(page.locator("main").get_by_role("button", name=send)).to_be_visible()
            elif name == "dashboard":
                panel = page.locator("#course-planning-demand-section")
                expect(panel).to_contain_text(admin_text(lang, "People waiting"))
                expect(panel.get_by_role("link")).not_to_have_count(0)

        # The hold form sent empty: its errors, and the summary that links to them.
        page.goto(pages["hold"])
        page.locator('main form[method="post"] button[type="submit"]').click()
        expect(page.locator(".error-message").first).to_be_visible()
        problems += admin_check(page, screenshot, lang, "hold-errors", None)
    page.context.close()
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_axe_finds_no_violations_on_the_alert_pages(
    browser, live_site, room_alert, screenshot, lang
):
    alert = room_alert(lang)
    unsubscribe = address(lang, "portal:alert_unsubscribe", token=alert.token)
    problems = []

    contact = browser.new_context(base_url=live_site.url, viewport=PHONE)
    page = contact.new_page()
    portal_log_in(page, lang, "contact-promen")
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        problems += check(page, screenshot, lang, "alerts", address(lang, "portal:alerts"))
        expect(page.locator(f"#alert-{alert.pk}")).to_be_visible()
        # The new-alert form sent without a course: its error.
        page.locator('main form[method="post"]').last.locator('button[type="submit"]').click()
        expect(page.locator(".error-summary")).to_be_visible()
        problems += check(page, screenshot, lang, "alerts-errors", None)
    contact.close()

    # The link in the e-mail works without logging in.
    anyone = browser.new_context(base_url=live_site.url, viewport=PHONE)
    page = anyone.new_page()
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        problems += check(page, screenshot, lang, "unsubscribe", unsubscribe)
    stop = admin_text(lang, "Stop these e-mails")
    tab_to(page, 'main form[method="post"] button[type="submit"]')
    expect(page.get_by_role("button", name=stop)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_be_visible()
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        problems += check(page, screenshot, lang, "unsubscribed", None)
    anyone.close()

    alert.refresh_from_db()
    assert alert.unsubscribed_at is not None
    assert not problems, "\n\n".join(problems)
