"""Contact persons in Chromium: signing in, reserving the last seat with the keyboard alone, a
cancellation that promotes the waiting list, and axe-core on every portal and account page.

The demo's Klik & Tik group at Bibliotheek Deventer (level 1, 4 seats) has one seat left:
KonnecteD booked three. Promen reserves two, so one is confirmed and one waits; then KonnecteD
cancels a seat and Promen's waiting seat is confirmed, with an e-mail to say so.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect
from wagtail.models import APIToken

from booking.models import Booking, CourseGroup, Seat
from booking.services import ReservationResult
from demo.accounts import DEMO_PASSWORD

from .pages import open_site_menu
from .test_visitor_journey import assert_focus_is_visible, expect_path

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

AXE = Axe()
LANGUAGES = ("nl", "en")
PHONE = {"width": 390, "height": 900}
LAST_SEAT_GROUP = {
    "library__slug": "bibliotheek-deventer",
    "course__slug": "klik-en-tik",
    "level": 1,
    "status": CourseGroup.Status.OPEN,
}


def address(lang, name, *args, **kwargs):
    with translation.override(lang):
        return reverse(name, args=args, kwargs=kwargs)


def tab_to(page, selector, limit=120):
    """Press Tab until `selector` has the focus, as someone without a mouse does."""
    target = page.locator(selector)
    expect(target).to_have_count(1)
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            assert_focus_is_visible(target)
            return target
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never got the focus after {limit} presses of Tab")


def log_in(page, lang, username):
    """Sign in on the public site with the keyboard; lands on the portal's overview."""
    page.goto(address(lang, "accounts:login"))
    tab_to(page, "#id_username")
    page.keyboard.type(username)
    tab_to(page, "#id_password")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect_path(page, address(lang, "portal:overview"))


def test_promen_reserves_the_last_seat_and_a_cancellation_promotes_its_waiting_seat(
    browser, live_site, mailoutbox, django_capture_on_commit_callbacks, screenshot
):
    group = CourseGroup.objects.with_occupancy().get(**LAST_SEAT_GROUP)
    assert group.free_seats == 1, "the demo group has one seat left"
    promen = browser.new_page(base_url=live_site.url)
    log_in(promen, "nl", "contact-promen")

    promen.goto(address("nl", "portal:find_groups"))
    reserve = address("nl", "portal:reserve", group_id=group.pk)
    tab_to(promen, f'a[href="{reserve}"]')
    promen.keyboard.press("Enter")
    expect_path(promen, reserve)
    tab_to(promen, "#id_seats")
    promen.keyboard.type("2")
    promen.keyboard.press("Enter")
    expect(promen.locator("fieldset")).to_have_count(2)
    tab_to(promen, "#id_seat-1-first_name")
    promen.keyboard.type("Fatima")
    tab_to(promen, "#id_seat-1-learning_goal")
    promen.keyboard.type("Een e-mail sturen")
    tab_to(promen, "#id_seat-2-first_name")
    promen.keyboard.type("Johan")
    tab_to(promen, 'main form[method="post"] button[type="submit"]')
    promen.keyboard.press("Enter")
    booking_page = re.escape(address("nl", "portal:booking", pk=0)).replace("0/", r"\d+/")
    promen.wait_for_url(re.compile(booking_page + "$"))

    booking = Booking.objects.filter(group=group, organisation__slug="promen").get()
    fatima, johan = booking.seats.order_by("pk")
    assert (fatima.first_name, fatima.status) == ("Fatima", Seat.Status.CONFIRMED)
    assert (johan.first_name, johan.status) == ("Johan", Seat.Status.WAITLISTED)
    expect_path(promen, address("nl", "portal:booking", pk=booking.pk))
    with translation.override("nl"):
        summary = ReservationResult(
            booking, confirmed=[fatima], waitlisted=[johan], waitlist_positions={johan.pk: 1}
        ).summary
    assert summary == "1 plaats bevestigd, 1 op de wachtlijst (plek 1)"
    expect(promen.get_by_text(summary)).to_be_visible()
    screenshot(promen, "nl", "booking")
    promen.close()

    konnected = browser.new_page(base_url=live_site.url)
    log_in(konnected, "en", "contact-konnected")
    wim = Seat.objects.get(booking__group=group, first_name="Wim")
    konnected.goto(address("en", "portal:booking", pk=wim.booking_id))
    konnected.locator(f'a[href="{address("en", "portal:seat_cancel", pk=wim.pk)}"]').click()
    # On SQLite the live server shares the test's connection, whose transaction never
    # commits; run the e-mail tasks queued "on commit" when the cancellation is done.
    with django_capture_on_commit_callbacks(execute=True):
        konnected.locator('main form[method="post"] button[type="submit"]').click()
        expect_path(konnected, address("en", "portal:booking", pk=wim.booking_id))
    konnected.close()

    wim.refresh_from_db()
    johan.refresh_from_db()
    assert wim.status == Seat.Status.CANCELLED
    assert johan.status == Seat.Status.CONFIRMED
    promen_email = get_user_model().objects.get(username="contact-promen").email
    promoted = [
        message
        for message in mailoutbox
        if message.to == [promen_email] and "Johan" in message.body
    ]
    assert promoted, [(m.to, m.subject) for m in mailoutbox]
    assert promoted[-1].alternatives, "the e-mail has an HTML part"


def portal_pages(lang, user):
    """Every page a contact person can open, with what to do there before checking it."""
    promen = user.membership.organisation
    booking = (
        Booking.objects.filter(organisation=promen, seats__status=Seat.Status.CONFIRMED)
        .filter(group__status=CourseGroup.Status.OPEN)
        .order_by("pk")
        .first()
    )
    seat = booking.seats.filter(status=Seat.Status.CONFIRMED).first()
    bookable = CourseGroup.objects.with_occupancy().get(**LAST_SEAT_GROUP)
    token, _key = APIToken.create_token(user=user, name="HR-systeem")
    return {
        "overview": address(lang, "portal:overview"),
        "overview-past": address(lang, "portal:overview") + "?show=past",
        "find-groups": address(lang, "portal:find_groups"),
        "find-groups-bad-filter": address(lang, "portal:find_groups") + "?level=abc&month=2026-13",
        "reserve": address(lang, "portal:reserve", group_id=bookable.pk) + "?seats=2",
        "reserve-errors": address(lang, "portal:reserve", group_id=bookable.pk) + "?seats=0",
        "booking": address(lang, "portal:booking", pk=booking.pk),
        "booking-cancel": address(lang, "portal:booking_cancel", pk=booking.pk),
        "seat-edit": address(lang, "portal:seat_edit", pk=seat.pk),
        "seat-cancel": address(lang, "portal:seat_cancel", pk=seat.pk),
        "seat-move": address(lang, "portal:seat_move", pk=seat.pk),
        "calendar": address(lang, "portal:calendar"),
        "calendar-renew": address(lang, "portal:calendar_renew"),
        "api-keys": address(lang, "portal:api_keys"),
        "api-key-revoke": address(lang, "portal:api_key_revoke", pk=token.pk),
    }


def account_pages(lang):
    return {
        "login": address(lang, "accounts:login"),
        "password-reset": address(lang, "accounts:password_reset"),
        "password-reset-sent": address(lang, "accounts:password_reset_done"),
        "password-reset-bad-link": address(
            lang, "accounts:password_reset_confirm", uidb64="MQ", token="set-password"
        ),
        "invitation-bad-link": address(lang, "accounts:invitation", uidb64="MQ", token="x-y"),
        "password-changed": address(lang, "accounts:password_reset_complete"),
    }


def check(page, screenshot, lang, name, path):
    """No axe violation, the right language, no sideways scroll on a phone."""
    response = page.goto(path) if path else None
    if response is not None:
        assert response.status < 500, f"{response.status} for {path}"
    expect(page.locator("html")).to_have_attribute("lang", lang)
    results = AXE.run(page)
    screenshot(page, lang, name)
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    problems = []
    if results.violations_count:
        problems.append(f"{name} ({path}): {results.generate_report()}")
    if width[0] > width[1]:
        problems.append(f"{name} ({path}) scrolls sideways: {width}")
    return problems


@pytest.mark.parametrize("lang", LANGUAGES)
def test_axe_finds_no_violations_on_account_pages(browser, live_site, screenshot, lang):
    page = browser.new_page(base_url=live_site.url, viewport=PHONE)
    problems = []
    for name, path in account_pages(lang).items():
        problems += check(page, screenshot, lang, name, path)

    page.goto(address(lang, "accounts:login"))
    page.locator("main form").get_by_role("button").click()  # empty: errors, no attempt
    expect(page.locator(".error-summary")).to_be_visible()
    problems += check(page, screenshot, lang, "login-errors", None)

    log_in(page, lang, "contact-ibn")
    open_site_menu(page)
    page.locator(".account-nav button").click()  # log out
    problems += check(page, screenshot, lang, "logged-out", None)

    page.close()

    # The lock-out page: five wrong passwords for an account nobody has, from an address of
    # its own behind a "proxy", so that 127.0.0.1 stays free for the other browser tests.
    # (On PostgreSQL the live server commits the failed attempts; no rollback clears them.)
    address_of_its_own = {"X-Forwarded-For": f"203.0.113.{LANGUAGES.index(lang) + 1}"}
    page = browser.new_page(
        base_url=live_site.url, viewport=PHONE, extra_http_headers=address_of_its_own
    )
    with override_settings(TRUSTED_PROXY_COUNT=1):
        for _ in range(6):
            page.goto(address(lang, "accounts:login"))
            page.fill("#id_username", f"niemand-{lang}@example.nl")
            page.fill("#id_password", "wrong-password")
            page.locator("main form").get_by_role("button").click()
        expect(page.locator("h1")).to_have_text(re.compile(r"\S"))
        assert page.locator("#id_password").count() == 0, "the lock-out page has no form"
        problems += check(page, screenshot, lang, "locked-out", None)
    page.close()
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_axe_finds_no_violations_on_portal_pages(browser, live_site, screenshot, lang):
    user = get_user_model().objects.get(username="contact-promen")
    page = browser.new_page(base_url=live_site.url, viewport=PHONE)
    log_in(page, lang, "contact-promen")
    problems = []
    for name, path in portal_pages(lang, user).items():
        problems += check(page, screenshot, lang, name, path)

    page.goto(address(lang, "portal:api_keys"))
    page.fill("#id_name", "Roosterprogramma")
    page.locator('main form[method="post"] button[type="submit"]').first.click()
    expect(page.locator("#api-key")).to_have_value(re.compile(r"^wagtail_\w+$"))
    problems += check(page, screenshot, lang, "api-key-created", None)

    page.set_viewport_size({"width": 1280, "height": 900})
    problems += check(page, screenshot, lang, "overview-desktop", address(lang, "portal:overview"))
    page.close()
    assert not problems, "\n\n".join(problems)
