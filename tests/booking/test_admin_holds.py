"""Issue 13 in the coordinators' admin: holding seats for an organisation, giving them back,
booking for the library's own learners, moving a seat, the holds on the group's timeline,
inviting a referral partner's contact person, and held seats in reports and exports.

Every change goes through booking.services; a refusal shows the service's message on the form
and changes nothing (`snapshot()` before and after).
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from wagtail.admin.utils import get_user_display_name

from booking import services
from booking.models import Action, Booking, CourseGroup, Organisation, Seat, SeatHold
from booking.models.history import SystemReason
from tests.helpers import text_of
from tests.html_checker import markup_problems

from .admin_helpers import group_url, is_refusal, speak
from .factories import (
    BookingFactory,
    CompanyFactory,
    CourseGroupFactory,
    CoursePageFactory,
    SeatFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

url = group_url


def today():
    return timezone.localdate()


def in_days(days):
    return today() + datetime.timedelta(days=days)


def in_english(obj) -> str:
    with translation.override("en"):
        return str(obj)


def long_date(day, language="en"):
    with translation.override(language):
        return date_format(day, "DATE_FORMAT")


def snapshot():
    """Everything a refused request must leave as it was."""
    return (
        list(CourseGroup.objects.order_by("pk").values_list("pk", "status", "seats_held")),
        list(SeatHold.objects.order_by("pk").values_list("pk", "seats", "released_at")),
        list(Seat.objects.order_by("pk").values_list("pk", "status", "first_name")),
        Booking.objects.count(),
        SeatHold.history.count(),
        Seat.history.count(),
    )


def book(group, organisation, *names, waitlisted=False):
    """Seats written by the factories: the scene, not the thing under test."""
    booking = BookingFactory(group=group, organisation=organisation)
    return [
        SeatFactory(
            booking=booking,
            first_name=name,
            status=Seat.Status.WAITLISTED if waitlisted else Seat.Status.CONFIRMED,
            waitlisted_at=timezone.now() if waitlisted else None,
        )
        for name in names
    ]


@pytest.fixture
def partner(staff):
    """UWV, a referral partner, with a contact person."""
    uwv = CompanyFactory(
        name="UWV Gouda", slug="uwv-gouda", kind=Organisation.Kind.REFERRAL_PARTNER
    )
    staff.uwv = uwv
    staff.contact_uwv = UserFactory(username="contact-uwv", organisation=uwv)
    return uwv


@pytest.fixture
def coordinator(client, staff):
    client.force_login(staff.coordinator_gouda)
    return client


def hold(group, staff, organisation=None, seats=3, until=7, reason="Promen kiest nog"):
    return services.hold_seats(
        group=group,
        organisation=organisation or staff.promen,
        seats=seats,
        held_until=in_days(until),
        by=staff.coordinator_gouda,
        reason=reason,
    )


def hold_data(organisation, seats=3, until=7, reason="Promen kiest de deelnemers"):
    return {
        "organisation": organisation.pk,
        "seats": seats,
        "held_until": in_days(until).isoformat(),
        "reason": reason,
    }


# -- holding seats ------------------------------------------------------------------------------


def test_the_hold_form_offers_sw_companies_and_referral_partners_only(
    coordinator, staff, group, partner
):
    response = coordinator.get(url("hold", group.pk))

    assert response.status_code == 200
    choices = {label for _value, label in response.context["form"].fields["organisation"].choices}
    assert {"Promen", "KonnecteD", "UWV Gouda"} <= choices
    assert "Bibliotheek Gouda" not in choices
    assert "Bibliotheek Deventer" not in choices


def test_a_coordinator_holds_seats_and_the_group_page_shows_them(
    coordinator, staff, group, partner
):
    until = in_days(7)
    response = coordinator.post(url("hold", group.pk), hold_data(partner), follow=True)

    held = SeatHold.objects.active().get(group=group)
    assert (held.organisation, held.seats, held.held_until) == (partner, 3, until)
    assert held.reason == "Promen kiest de deelnemers"
    record = held.history.get()
    assert (record.history_user, record.action) == (staff.coordinator_gouda, Action.HELD)
    page = text_of(response)
    assert f"The seats are held: 3 held for UWV Gouda until {long_date(until)}." in page
    # The group page: the counts, the list of holds and a way to give them back.
    assert "0 of 5 taken, 3 held" in page
    assert f"3 held for UWV Gouda until {long_date(until)}" in page
    assert "Held seats" in page
    assert url("release_hold", group.pk, held.pk) in response.content.decode()


def test_a_second_hold_for_the_same_organisation_adds_to_the_first(coordinator, staff, group):
    hold(group, staff, seats=1)

    coordinator.post(url("hold", group.pk), hold_data(staff.promen, seats=2, until=9))

    (held,) = SeatHold.objects.active().filter(group=group)
    assert (held.seats, held.held_until) == (3, in_days(9))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"seats": 6},
            "seats",
            "Only 5 seats are free, so you can hold at most 5.",
        ),
        ({"until": -1}, "held_until", "Choose a day from today on."),
        (
            {"until": 14},
            "held_until",
            "The group starts on {first}. Hold the seats until a day before that.",
        ),
    ],
    ids=["more than free", "in the past", "past the start"],
)
def test_a_hold_the_rules_refuse_shows_why_and_changes_nothing(
    coordinator, staff, group, data, field, message
):
    first = long_date(group.sessions.order_by("date").first().date)
    before = snapshot()

    response = coordinator.post(url("hold", group.pk), hold_data(staff.promen, **data))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message.format(first=first)]
    assert "Please check the form." in text_of(response)
    assert snapshot() == before


def test_a_hold_for_more_than_the_free_seats_counts_the_confirmed_ones(coordinator, staff, group):
    book(group, staff.konnected, "Anna", "Bram", "Cas")
    before = snapshot()

    response = coordinator.post(url("hold", group.pk), hold_data(staff.promen, seats=3))

    assert "Only 2 seats are free, so you can hold at most 2." in text_of(response)
    assert snapshot() == before


def test_a_library_is_no_organisation_to_hold_seats_for(coordinator, staff, group):
    before = snapshot()

    response = coordinator.post(url("hold", group.pk), hold_data(staff.gouda))

    assert response.status_code == 200
    assert response.context["form"].errors["organisation"]
    assert snapshot() == before


def test_a_group_for_one_organisation_holds_seats_for_no_other(coordinator, staff, group):
    group.restricted_to = staff.konnected
    group.save()
    before = snapshot()

    response = coordinator.post(url("hold", group.pk), hold_data(staff.promen))

    assert response.context["form"].errors["organisation"] == ["This group is only for KonnecteD."]
    assert snapshot() == before


def test_a_hold_needs_a_reason(coordinator, staff, group):
    before = snapshot()

    response = coordinator.post(url("hold", group.pk), hold_data(staff.promen, reason=" "))

    assert "Reason for this change: This field is required." in text_of(response)
    assert snapshot() == before


def test_a_full_group_offers_no_hold(coordinator, staff, group):
    book(group, staff.konnected, "Anna", "Bram", "Cas", "Dewi", "Eva")

    response = coordinator.get(url("inspect", group.pk))

    assert url("hold", group.pk) not in response.content.decode()


# -- giving held seats back ---------------------------------------------------------------------


def test_giving_back_asks_first_then_the_waiting_list_gets_the_seats(coordinator, staff, group):
    book(group, staff.konnected, "Anna", "Bram")
    held = hold(group, staff, seats=3)
    (fatma,) = book(group, staff.konnected, "Fatma", waitlisted=True)

    page = coordinator.get(url("release_hold", group.pk, held.pk))
    assert page.status_code == 200
    assert f"3 held for Promen until {long_date(held.held_until)}" in text_of(page)
    assert SeatHold.objects.active().filter(pk=held.pk).exists()

    response = coordinator.post(url("release_hold", group.pk, held.pk), {"reason": ""}, follow=True)

    held.refresh_from_db()
    fatma.refresh_from_db()
    assert held.released_at is not None
    assert fatma.status == Seat.Status.CONFIRMED
    group.refresh_from_db()
    assert group.seats_held == 0
    record = held.history.latest("history_date")
    assert (record.history_user, record.action) == (staff.coordinator_gouda, Action.HOLD_RELEASED)
    assert record.history_change_reason == SystemReason.HOLD_RELEASED
    assert (
        "The held seats of Promen are given back. 1 person from the waiting list got a seat."
        in text_of(response)
    )


def test_giving_back_keeps_a_reason_that_is_given(coordinator, staff, group):
    held = hold(group, staff)

    coordinator.post(url("release_hold", group.pk, held.pk), {"reason": "Promen heeft niemand"})

    record = held.history.latest("history_date")
    assert record.history_change_reason == "Promen heeft niemand"


def test_seats_given_back_already_cannot_be_given_back_again(coordinator, staff, group):
    held = hold(group, staff)
    services.release_hold(hold=held, by=staff.coordinator_gouda)
    before = snapshot()

    response = coordinator.post(url("release_hold", group.pk, held.pk), {"reason": ""})

    assert response.status_code == 200
    assert "These seats are no longer held." in text_of(response)
    assert snapshot() == before


def test_a_hold_of_another_group_is_not_found_through_this_group(coordinator, staff, group, course):
    other = CourseGroupFactory(course=course, library=staff.gouda)
    held = hold(other, staff)

    assert coordinator.get(url("release_hold", group.pk, held.pk)).status_code == 404
    assert coordinator.post(url("release_hold", group.pk, held.pk), {}).status_code == 404
    assert SeatHold.objects.active().filter(pk=held.pk).exists()


# -- booking from the admin ----------------------------------------------------------------------


def test_a_coordinator_books_seats_for_the_librarys_own_learners(coordinator, staff, group):
    html = coordinator.get(url("reserve", group.pk)).content.decode()
    labels = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', html)
    assert labels[0] == "Own learners of the library (Bibliotheek Gouda)"
    assert {"Promen", "KonnecteD"} <= set(labels)
    assert "Bibliotheek Deventer" not in labels

    response = coordinator.post(
        url("reserve", group.pk),
        {"organisation": staff.gouda.pk, "seats": 3, "first_names": "Ali\n\n  Bea  \n"},
        follow=True,
    )

    booking = Booking.objects.get(group=group)
    assert (booking.organisation, booking.booked_by) == (staff.gouda, staff.coordinator_gouda)
    seats = list(booking.seats.order_by("pk").values_list("first_name", "status"))
    assert seats == [("Ali", "confirmed"), ("Bea", "confirmed"), ("", "confirmed")]
    assert "Reserved for the library's own learners: 3 seats confirmed." in text_of(response)


def test_seats_that_do_not_fit_go_on_the_waiting_list(coordinator, staff, group):
    book(group, staff.promen, "Anna", "Bram", "Cas", "Dewi")

    response = coordinator.post(
        url("reserve", group.pk),
        {"organisation": staff.konnected.pk, "seats": 2, "reason": "Gebeld door KonnecteD"},
        follow=True,
    )

    booking = Booking.objects.get(group=group, organisation=staff.konnected)
    assert sorted(booking.seats.values_list("status", flat=True)) == ["confirmed", "waitlisted"]
    record = booking.seats.first().history.get()
    assert record.history_change_reason == "Gebeld door KonnecteD"
    assert "Reserved for KonnecteD: 1 seat confirmed, 1 on the waiting list (place 1)." in text_of(
        response
    )


def test_a_referral_partner_gets_its_held_seats_when_the_coordinator_books(
    coordinator, staff, group, partner
):
    book(group, staff.promen, "Anna", "Bram")
    hold(group, staff, organisation=partner, seats=3)

    coordinator.post(url("reserve", group.pk), {"organisation": partner.pk, "seats": 3})

    booking = Booking.objects.get(group=group, organisation=partner)
    assert set(booking.seats.values_list("status", flat=True)) == {"confirmed"}
    group.refresh_from_db()
    assert group.seats_held == 0


def test_more_names_than_seats_is_refused(coordinator, staff, group):
    before = snapshot()

    response = coordinator.post(
        url("reserve", group.pk),
        {"organisation": staff.gouda.pk, "seats": 1, "first_names": "Ali\nBea"},
    )

    assert response.context["form"].errors["first_names"] == [
        "You typed 2 names for 1 seat. Give at most one name per seat."
    ]
    assert snapshot() == before


def test_booking_a_group_that_is_not_open_is_refused_and_not_offered(coordinator, staff, course):
    draft = CourseGroupFactory(course=course, library=staff.gouda, draft=True)
    before = snapshot()

    assert (
        url("reserve", draft.pk) not in coordinator.get(url("inspect", draft.pk)).content.decode()
    )
    response = coordinator.post(
        url("reserve", draft.pk), {"organisation": staff.gouda.pk, "seats": 1}
    )

    assert "This group is not open for bookings." in text_of(response)
    assert snapshot() == before


def test_the_group_page_offers_booking_for_an_open_group(coordinator, group):
    assert url("reserve", group.pk) in coordinator.get(url("inspect", group.pk)).content.decode()


# -- moving a seat --------------------------------------------------------------------------------


@pytest.fixture
def later(staff, course, group):
    """A second Gouda group of the same course, starting a month later."""
    return CourseGroupFactory(
        course=course,
        library=staff.gouda,
        location=group.location,
        sessions__first=in_days(42),
    )


def test_the_move_form_offers_the_librarys_other_open_and_closed_groups(
    coordinator, staff, group, later, course
):
    (anna,) = book(group, staff.promen, "Anna")
    digisterker = CoursePageFactory(parent=course.get_parent(), title="Digisterker")
    closed = CourseGroupFactory(
        course=digisterker, library=staff.gouda, status=CourseGroup.Status.CLOSED
    )
    CourseGroupFactory(course=course, library=staff.gouda, status=CourseGroup.Status.CANCELLED)
    CourseGroupFactory(course=course, library=staff.gouda, draft=True)
    CourseGroupFactory(course=course, library=staff.deventer)

    response = coordinator.get(url("move_seat", group.pk, anna.pk))

    assert response.status_code == 200
    field = response.context["form"].fields["to_group"]
    assert set(field.queryset) == {later, closed}
    first = long_date(later.sessions.order_by("date").first().date)
    assert f"{in_english(later)} – {first} – 5 seats free" in text_of(response)


def test_a_coordinator_moves_a_seat_to_a_group_of_the_same_course(coordinator, staff, group, later):
    (anna, bram) = book(group, staff.promen, "Anna", "Bram")
    (fatma,) = book(group, staff.konnected, "Fatma", waitlisted=True)
    group.capacity = 2
    group.save()

    response = coordinator.post(
        url("move_seat", group.pk, anna.pk),
        {"to_group": later.pk, "reason": "Anna werkt op dinsdag"},
        follow=True,
    )

    anna.refresh_from_db()
    fatma.refresh_from_db()
    assert anna.status == Seat.Status.CANCELLED
    assert fatma.status == Seat.Status.CONFIRMED
    moved = Seat.objects.get(booking__group=later)
    assert (moved.first_name, moved.status) == ("Anna", Seat.Status.CONFIRMED)
    assert moved.booking.organisation == staff.promen
    record = anna.history.latest("history_date")
    assert (record.action, record.history_change_reason) == (
        Action.MOVED,
        "Anna werkt op dinsdag",
    )
    assert f"Anna has a seat in {in_english(later)} now." in text_of(response)


def test_a_seat_moved_to_a_full_group_waits_there(coordinator, staff, group, later):
    (anna,) = book(group, staff.promen, "Anna")
    book(later, staff.konnected, "A", "B", "C", "D", "E")

    response = coordinator.post(
        url("move_seat", group.pk, anna.pk),
        {"to_group": later.pk, "reason": "Dinsdag"},
        follow=True,
    )

    moved = Seat.objects.get(booking__group=later, first_name="Anna")
    assert moved.status == Seat.Status.WAITLISTED
    assert f"Anna is on the waiting list of {in_english(later)} now." in text_of(response)


def test_a_coordinator_moves_a_seat_to_a_group_of_another_course(coordinator, staff, group, course):
    digisterker = CoursePageFactory(parent=course.get_parent(), title="Digisterker")
    other = CourseGroupFactory(course=digisterker, library=staff.gouda)
    (anna,) = book(group, staff.promen, "Anna")

    coordinator.post(
        url("move_seat", group.pk, anna.pk),
        {"to_group": other.pk, "reason": "Klaar voor Digisterker"},
    )

    moved = Seat.objects.get(booking__group=other)
    assert (moved.first_name, moved.status) == ("Anna", Seat.Status.CONFIRMED)


def test_a_move_needs_a_reason_and_a_group_of_the_library(coordinator, staff, group, later):
    (anna,) = book(group, staff.promen, "Anna")
    deventer = CourseGroupFactory(course=group.course, library=staff.deventer)
    before = snapshot()

    no_reason = coordinator.post(url("move_seat", group.pk, anna.pk), {"to_group": later.pk})
    elsewhere = coordinator.post(
        url("move_seat", group.pk, anna.pk), {"to_group": deventer.pk, "reason": "X"}
    )
    itself = coordinator.post(
        url("move_seat", group.pk, anna.pk), {"to_group": group.pk, "reason": "X"}
    )

    assert "Reason for this change: This field is required." in text_of(no_reason)
    assert elsewhere.context["form"].errors["to_group"]
    assert itself.context["form"].errors["to_group"]
    assert snapshot() == before


def test_a_cancelled_seat_cannot_move(coordinator, staff, group, later):
    (hans,) = book(group, staff.promen, "Hans")
    hans.status = Seat.Status.CANCELLED
    hans.save()
    before = snapshot()

    response = coordinator.post(
        url("move_seat", group.pk, hans.pk), {"to_group": later.pk, "reason": "X"}
    )

    assert "This seat has been cancelled." in text_of(response)
    assert snapshot() == before


def test_the_group_page_offers_to_move_each_active_seat(coordinator, staff, group):
    (anna,) = book(group, staff.promen, "Anna")
    (fatma,) = book(group, staff.promen, "Fatma", waitlisted=True)

    html = coordinator.get(url("inspect", group.pk)).content.decode()

    assert url("move_seat", group.pk, anna.pk) in html
    assert url("move_seat", group.pk, fatma.pk) in html


# -- the timeline ---------------------------------------------------------------------------------


def timeline(client, group):
    return client.get(reverse("booking_history:group", args=[group.pk]))


def test_the_timeline_tells_held_booked_given_back_and_expired(coordinator, staff, group, partner):
    held = hold(group, staff, seats=3, reason="Promen kiest nog")
    services.reserve_seats(group=group, organisation=staff.promen, by=staff.contact_promen, seats=1)
    services.release_hold(hold=held, by=staff.coordinator_gouda, reason="Promen heeft er genoeg")
    expiring = hold(group, staff, organisation=partner, seats=1, until=0, reason="UWV belt")
    services.release_overdue_holds(today=in_days(1))

    response = timeline(coordinator, group)

    entries = [e for e in response.context["entries"] if e.subject_type == "Seat hold"]
    summary = [(e.action_label, e.who, e.reason, e.company_label) for e in entries]
    coordinator_name = get_user_display_name(staff.coordinator_gouda)
    promen_name = get_user_display_name(staff.contact_promen)
    assert summary == [
        ("Held seats expired", "system", "The held seats were not booked in time", "UWV Gouda"),
        ("Seats held", coordinator_name, "UWV belt", "UWV Gouda"),
        ("Held seats given back", coordinator_name, "Promen heeft er genoeg", "Promen"),
        ("Held seats booked", promen_name, "Seats reserved", "Promen"),
        ("Seats held", coordinator_name, "Promen kiest nog", "Promen"),
    ]
    page = text_of(response)
    assert f"3 held for Promen until {long_date(held.held_until)}" in page
    assert f"1 held for UWV Gouda until {long_date(expiring.held_until)}" in page
    booked = entries[3]
    assert [(c.field, c.old, c.new) for c in booked.changes] == [("Seats held", "3", "2")]
    # The holds are part of the stream: newest first, among the seats' records.
    whens = [entry.when for entry in response.context["entries"]]
    assert whens == sorted(whens, reverse=True)


def test_all_held_seats_booked_shows_as_such(coordinator, staff, group):
    hold(group, staff, seats=2)
    services.reserve_seats(group=group, organisation=staff.promen, by=staff.contact_promen, seats=2)

    entries = timeline(coordinator, group).context["entries"]

    labels = [e.action_label for e in entries if e.subject_type == "Seat hold"]
    assert labels == ["All held seats booked", "Seats held"]


def test_the_timeline_of_another_librarys_group_shows_nothing(client, staff, group):
    hold(group, staff)
    client.force_login(staff.coordinator_deventer)

    assert is_refusal(timeline(client, group))


# -- nobody reaches another library's holds --------------------------------------------------------


def new_urls(group, seat, held, target):
    """(label, url, valid POST data) of every URL this issue adds to a group."""
    return [
        ("hold", url("hold", group.pk), hold_data(held.organisation, seats=1)),
        ("release", url("release_hold", group.pk, held.pk), {"reason": "X"}),
        ("reserve", url("reserve", group.pk), {"organisation": group.library_id, "seats": 1}),
        ("move", url("move_seat", group.pk, seat.pk), {"to_group": target.pk, "reason": "X"}),
    ]


@pytest.fixture
def scene(staff, group, later):
    (anna,) = book(group, staff.promen, "Anna")
    held = hold(group, staff, seats=1)
    return group, anna, held, later


def test_another_librarys_coordinator_and_contact_persons_get_no_new_url(client, staff, scene):
    editor = UserFactory(username="editor")
    before = snapshot()
    for user in (staff.coordinator_deventer, staff.contact_promen, editor):
        client.force_login(user)
        for label, address, data in new_urls(*scene):
            assert is_refusal(client.get(address)), f"GET {label} as {user}"
            assert is_refusal(client.post(address, data)), f"POST {label} as {user}"
            assert snapshot() == before, f"{label} as {user}"
    client.logout()
    for label, address, data in new_urls(*scene):
        assert is_refusal(client.post(address, data)), f"POST {label} anonymously"
    assert snapshot() == before


def test_own_coordinator_and_superuser_open_every_new_page(client, staff, scene):
    for user in (staff.coordinator_gouda, staff.admin):
        client.force_login(user)
        for label, address, _data in new_urls(*scene):
            assert client.get(address).status_code == 200, f"{label} as {user}"


def test_every_new_page_renders_in_dutch(client, people, group, later):
    (anna,) = book(group, people.promen, "Anna")
    held = services.hold_seats(
        group=group,
        organisation=people.promen,
        seats=2,
        held_until=in_days(7),
        by=people.coordinator_gouda,
        reason="Promen kiest nog",
    )
    speak("", people.coordinator_gouda)
    client.force_login(people.coordinator_gouda)
    pages = [address for _label, address, _data in new_urls(group, anna, held, later)]
    for address in [*pages, url("inspect", group.pk)]:
        response = client.get(address)
        assert response.status_code == 200, address
        html = response.content.decode()
        assert 'lang="nl"' in html, address
        assert "{%" not in html and "{{" not in html, address
    page = text_of(client.get(url("inspect", group.pk)))
    assert f"2 vastgehouden voor Promen tot {long_date(held.held_until, 'nl')}" in page
    assert "Vastgehouden plaatsen" in page
    assert "Plaatsen reserveren" in page
    assert "Verplaatsen" in page


# -- inviting a referral partner's contact person --------------------------------------------------


INVITE = "booking_invitations:invite"


def test_a_coordinator_invites_a_contact_person_of_a_referral_partner(
    client, staff, partner, mailoutbox
):
    client.force_login(staff.coordinator_gouda)
    form = client.get(reverse(INVITE)).context["form"]
    assert partner in form.fields["organisation"].queryset
    assert staff.gouda not in form.fields["organisation"].queryset

    client.post(
        reverse(INVITE),
        {
            "email": "sanne@uwv.example",
            "first_name": "Sanne",
            "last_name": "",
            "organisation": partner.pk,
            "language": "nl",
        },
    )

    (message,) = mailoutbox
    assert message.to == ["sanne@uwv.example"]
    assert partner.memberships.filter(user__email="sanne@uwv.example").exists()


def test_a_library_still_gets_no_contact_person(staff, partner):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from booking.accounts.invitations import invite_contact_person

    with translation.override("en"), pytest.raises(ValidationError) as caught:
        invite_contact_person(
            email="iemand@gouda.example",
            first_name="Iemand",
            last_name="",
            organisation=staff.gouda,
            language="nl",
            invited_by=staff.coordinator_gouda,
        )
    assert caught.value.message_dict["organisation"] == [
        "Contact persons work for an SW company or a referral partner. Choose one."
    ]


# -- reports and exports ---------------------------------------------------------------------------


def test_reports_count_referral_partners_and_the_librarys_own_learners(
    coordinator, staff, group, partner
):
    services.reserve_seats(
        group=group, organisation=staff.gouda, by=staff.coordinator_gouda, seats=1
    )
    services.reserve_seats(group=group, organisation=partner, by=staff.contact_uwv, seats=2)
    hold(group, staff, seats=1)

    companies = coordinator.get(reverse("booking_reports:companies"))
    occupancy = coordinator.get(reverse("booking_reports:occupancy"))

    rows = {row.name: row.confirmed for row in companies.context["object_list"]}
    assert rows == {"Bibliotheek Gouda": 1, "UWV Gouda": 2}
    assert "Seats per organisation" in text_of(companies)
    (row,) = occupancy.context["object_list"]
    assert (row.confirmed, row.seats.held, row.free) == (3, 1, 1)
    assert "Held" in text_of(occupancy)


def test_the_occupancy_export_and_the_group_list_show_held_seats(coordinator, staff, group):
    hold(group, staff, seats=2)

    report = coordinator.get(reverse("booking_reports:occupancy"), {"export": "csv"})
    groups = coordinator.get(url("index"), {"export": "csv"})

    report_text = b"".join(report.streaming_content).decode("utf-8-sig")
    groups_text = b"".join(groups.streaming_content).decode("utf-8-sig")
    header, row = report_text.splitlines()[:2]
    assert dict(zip(header.split(";"), row.split(";"), strict=True))["Held"] == "2"
    header, row = groups_text.splitlines()[:2]
    assert dict(zip(header.split(";"), row.split(";"), strict=True))["Held"] == "2"
    listing = text_of(coordinator.get(url("index")))
    assert "0 of 5 taken, 2 held" in listing


def test_the_dashboard_shows_held_seats_next_to_free_ones(coordinator, staff, group):
    hold(group, staff, seats=2)

    page = text_of(coordinator.get(reverse("wagtailadmin_home")))

    assert "3 (2 held)" in page


def test_the_new_pages_and_the_timeline_are_valid_html(client, staff, scene):
    group = scene[0]
    services.release_hold(hold=scene[2], by=staff.coordinator_gouda, reason="Klaar")
    client.force_login(staff.coordinator_gouda)
    pages = [address for _label, address, _data in new_urls(*scene)]
    pages += [url("inspect", group.pk), reverse("booking_history:group", args=[group.pk])]
    for address in pages:
        response = client.get(address)
        assert response.status_code == 200, address
        assert markup_problems(response.content.decode()) == [], address
