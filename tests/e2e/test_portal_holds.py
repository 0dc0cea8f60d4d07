"""Seats held for Promen, in Chromium: Promen's contact person sees them, books them with the
keyboard alone, and the group is then full for KonnecteD; axe-core on the pages that show held
seats and on the page that gives them back, in both languages, on a phone and a desktop.

Each test gets a group of its own at Bibliotheek Gouda (4 seats, 2 booked by KonnecteD, 2 held
for Promen by the coordinator through `services.hold_seats`), written where the live server
sees it and removed afterwards, so the demo's groups stay as the other browser tests expect.
"""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from playwright.sync_api import expect

from booking import services
from booking.models import Booking, CourseGroup, CoursePage, Location, Organisation, Seat, SeatHold
from tests.booking.factories import CourseGroupFactory

from .live_data import committed
from .test_portal import LANGUAGES, PHONE, address, check, log_in, tab_to
from .test_visitor_journey import expect_path

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

DESKTOP = {"width": 1280, "height": 900}
HELD = 2
HELD_UNTIL = datetime.timedelta(days=7)


def make_group() -> int:
    """A Klik & Tik group at Gouda whose free seats are all held for Promen."""
    users = get_user_model().objects
    gouda = Organisation.objects.get(slug="bibliotheek-gouda")
    group = CourseGroupFactory(
        course=CoursePage.objects.get(slug="klik-en-tik", locale__language_code="nl"),
        library=gouda,
        location=Location.objects.filter(organisation=gouda).order_by("pk").first(),
        level=CourseGroup.Level.THREE,
        capacity=4,
    )
    services.reserve_seats(
        group=group,
        organisation=Organisation.objects.get(slug="konnected"),
        by=users.get(username="contact-konnected"),
        seats=2,
    )
    services.hold_seats(
        group=group,
        organisation=Organisation.objects.get(slug="promen"),
        seats=HELD,
        held_until=timezone.localdate() + HELD_UNTIL,
        by=users.get(username="coordinator-gouda"),
        reason="Promen kiest nog wie er gaan",
    )
    return group.pk


def remove_group(pk: int) -> None:
    Seat.objects.filter(booking__group_id=pk).delete()
    Booking.objects.filter(group_id=pk).delete()
    CourseGroup.objects.filter(pk=pk).delete()  # its sessions and holds go with it


@pytest.fixture
def held_group():
    pk = committed(make_group)
    yield CourseGroup.objects.get(pk=pk)
    committed(lambda: remove_group(pk))


def held_text(lang, count=HELD) -> str:
    """ "2 plaatsen voor je vastgehouden tot 1 maart", as the portal writes it."""
    with translation.override(lang):
        return ngettext(
            "%(count)s seat held for you until %(date)s",
            "%(count)s seats held for you until %(date)s",
            count,
        ) % {
            "count": count,
            "date": date_format(timezone.localdate() + HELD_UNTIL, "j F"),
        }


def card(page, group):
    return page.locator(f'article[aria-labelledby="group-{group.pk}-title"]')


def test_promen_books_its_held_seats_with_the_keyboard_and_the_group_is_full_for_konnected(
    browser, live_site, held_group, screenshot
):
    group = held_group
    with translation.override("nl"):
        full = gettext("full — you can join the waiting list")
        seats_left = ngettext("%(count)s seat left", "%(count)s seats left", HELD) % {"count": HELD}

    promen = browser.new_page(base_url=live_site.url, viewport=DESKTOP)
    log_in(promen, "nl", "contact-promen")
    promen.goto(address("nl", "portal:find_groups"))
    expect(card(promen, group)).to_contain_text(held_text("nl"))
    expect(card(promen, group)).to_contain_text(seats_left)
    assert held_text("nl").startswith("2 plaatsen voor je vastgehouden tot ")
    screenshot(promen, "nl", "find-groups")

    reserve = address("nl", "portal:reserve", group_id=group.pk)
    tab_to(promen, f'a[href="{reserve}"]', limit=300)
    promen.keyboard.press("Enter")
    expect_path(promen, reserve)
    expect(promen.locator("main")).to_contain_text(held_text("nl"))
    tab_to(promen, "#id_seats")
    promen.keyboard.type(str(HELD))
    promen.keyboard.press("Enter")
    expect(promen.locator("fieldset")).to_have_count(HELD)
    tab_to(promen, "#id_seat-1-first_name")
    promen.keyboard.type("Kees")
    tab_to(promen, "#id_seat-2-first_name")
    promen.keyboard.type("Y.A.")
    tab_to(promen, 'main form[method="post"] button[type="submit"]')
    promen.keyboard.press("Enter")
    booking_page = re.escape(address("nl", "portal:booking", pk=0)).replace("0/", r"\d+/")
    promen.wait_for_url(re.compile(booking_page + "$"))
    screenshot(promen, "nl", "booked")
    promen.close()

    booking = Booking.objects.get(group=group, organisation__slug="promen")
    seats = list(booking.seats.order_by("pk").values_list("first_name", "status"))
    assert seats == [("Kees", Seat.Status.CONFIRMED), ("Y.A.", Seat.Status.CONFIRMED)]
    assert not SeatHold.objects.filter(group=group).active().exists()

    konnected = browser.new_page(base_url=live_site.url, viewport=DESKTOP)
    log_in(konnected, "nl", "contact-konnected")
    konnected.goto(address("nl", "portal:find_groups"))
    expect(card(konnected, group)).to_contain_text(full)
    expect(card(konnected, group)).not_to_contain_text("vastgehouden")
    konnected.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_axe_finds_no_violations_on_the_pages_with_held_seats(
    browser, live_site, held_group, screenshot, lang
):
    group = held_group
    hold = SeatHold.objects.filter(group=group).active().get()
    pages = {
        "find-groups-held": address(lang, "portal:find_groups"),
        "reserve-held": address(lang, "portal:reserve", group_id=group.pk),
        "reserve-held-seats": address(lang, "portal:reserve", group_id=group.pk) + "?seats=2",
        "hold-release": address(lang, "portal:hold_release", pk=hold.pk),
    }
    page = browser.new_page(base_url=live_site.url, viewport=PHONE)
    log_in(page, lang, "contact-promen")
    problems = []
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        for name, path in pages.items():
            problems += check(page, screenshot, lang, name, path)
    expect(page.locator("main")).to_contain_text(held_text(lang))

    # Give the seats back with the keyboard; the groups list says where they went.
    tab_to(page, 'main form[method="post"] button[type="submit"]')
    page.keyboard.press("Enter")
    expect_path(page, address(lang, "portal:find_groups"))
    with translation.override(lang):
        given_back = ngettext(
            "You gave back %(count)s held seat.", "You gave back %(count)s held seats.", HELD
        ) % {"count": HELD}
    expect(page.locator("main")).to_contain_text(given_back)
    problems += check(page, screenshot, lang, "hold-given-back", None)
    problems += check(page, screenshot, lang, "hold-no-longer-held", pages["hold-release"])
    page.close()

    assert not SeatHold.objects.filter(group=group).active().exists()
    assert not problems, "\n\n".join(problems)
