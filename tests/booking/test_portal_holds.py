"""Issue 13 in the contact persons' portal: seats held for the organisation ("3 plaatsen voor je
vastgehouden tot 1 maart"), giving them back, and referral partners using the portal like SW
companies."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from booking import services
from booking.models import Action, Booking, Organisation, Seat, SeatHold
from booking.models.history import SystemReason
from tests.factories import OrganisationFactory
from tests.helpers import text_of
from tests.html_checker import markup_problems, nu_checker_missing, nu_errors

from .factories import CourseGroupFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

TODAY = timezone.localdate()
UNTIL = TODAY + datetime.timedelta(days=7)


def hold(people, group, seats=3, organisation=None, until=UNTIL):
    return services.hold_seats(
        group=group,
        organisation=organisation or people.promen,
        seats=seats,
        held_until=until,
        by=people.coordinator_gouda,
        reason="Promen kiest nog wie er gaan",
    )


def book(group, people, company="konnected", seats=1):
    return services.reserve_seats(
        group=group,
        organisation=getattr(people, company),
        by=getattr(people, f"contact_{company}"),
        seats=seats,
    )


def find(client, **params):
    return client.get(reverse("portal:find_groups"), params)


def reserve_url(group):
    return reverse("portal:reserve", kwargs={"group_id": group.pk})


def release_url(made):
    return reverse("portal:hold_release", kwargs={"pk": made.pk})


def card(response, group):
    """The text of one group's card in the list."""
    html = response.content.decode()
    start = html.index(f'aria-labelledby="group-{group.pk}-title"')
    end = html.index("</article>", start)
    return text_of(SimpleNamespace(content=html[start:end].encode()))


def held_text(count, language="en"):
    with translation.override(language):
        day = date_format(UNTIL, "j F")
    if language == "nl":
        return f"{count} plaatsen voor je vastgehouden tot {day}"
    return f"{count} seats held for you until {day}"


@pytest.fixture
def konnected_client(client, people):
    client.force_login(people.contact_konnected)
    return client


@pytest.fixture
def partner(db):
    """A referral partner (the municipality's social team) and its contact person."""
    team = OrganisationFactory(
        name="Sociaal team Gouda",
        slug="sociaal-team-gouda",
        kind=Organisation.Kind.REFERRAL_PARTNER,
    )
    return team, UserFactory(username="contact-sociaal-team", organisation=team)


# -- held seats in the list and on the reserve page ---------------------------------------------


def test_the_holder_sees_its_held_seats_as_free_and_others_see_them_taken(client, people, group):
    book(group, people, seats=2)
    hold(people, group, seats=3)

    client.force_login(people.contact_promen)
    promen = card(find(client), group)
    client.force_login(people.contact_konnected)
    konnected = card(find(client), group)

    assert held_text(3) in promen
    assert "3 seats left" in promen
    assert "Reserve seats" in promen and "Join the waiting list" not in promen
    assert "held for you" not in konnected
    assert "full — you can join the waiting list" in konnected
    assert "Join the waiting list" in konnected


def test_a_group_full_for_others_is_listed_and_bookable_for_the_holder(
    promen_client, people, group
):
    book(group, people, seats=3)
    hold(people, group, seats=2)

    listed = {found.pk for found in find(promen_client).context["groups"]}
    page = promen_client.get(reserve_url(group), {"seats": 2})
    response = promen_client.post(reserve_url(group), {"seats": 2}, follow=True)

    assert group.pk in listed
    assert "There are 2 seats free." in text_of(page)
    assert "2 seats confirmed" in text_of(response)
    booking = Booking.objects.get(organisation=people.promen)
    assert set(booking.seats.values_list("status", flat=True)) == {Seat.Status.CONFIRMED}
    assert not SeatHold.objects.active().exists()
    assert "full — you can join the waiting list" in text_of(find(promen_client))


def test_the_reserve_page_says_until_when_and_how_to_give_the_seats_back(
    promen_client, people, group
):
    made = hold(people, group, seats=3)

    response = promen_client.get(reverse("portal:reserve", kwargs={"group_id": group.pk}))

    text = text_of(response)
    assert f"{held_text(3)}." in text
    assert "5 seats left" in text
    assert "Reserve them on that day at the latest. After that day, others can have them." in text
    assert f'href="{release_url(made)}"' in response.content.decode()
    assert "There are 5 seats free." in text


def test_the_held_seats_are_said_in_dutch_with_je(client, people, group):
    hold(people, group, seats=3)
    client.force_login(people.contact_promen)
    with translation.override("nl"):
        urls = [reverse("portal:find_groups"), reserve_url(group)]

    for url in urls:
        text = text_of(client.get(url))
        assert held_text(3, "nl") in text, url
        assert "Geef vastgehouden plaatsen terug" in text, url


def test_one_seat_held_is_said_in_the_singular(promen_client, people, group):
    hold(people, group, seats=1)

    assert held_text(1).replace("1 seats", "1 seat") in text_of(find(promen_client))


def test_a_hold_past_its_day_is_not_offered_to_the_holder(promen_client, people, group):
    made = hold(people, group, seats=3)
    SeatHold.objects.filter(pk=made.pk).update(held_until=TODAY - datetime.timedelta(days=1))

    text = card(find(promen_client), group)

    assert "held for you" not in text
    assert "2 seats left" in text


def test_a_hold_of_another_organisation_is_not_shown(promen_client, people, group):
    hold(people, group, seats=3, organisation=people.konnected)

    text = card(find(promen_client), group)

    assert "held for you" not in text
    assert "2 seats left" in text


def test_finding_groups_with_holds_needs_the_same_queries_for_2_and_10_groups(
    promen_client, people, course
):
    def add_groups(count):
        for _ in range(count):
            made = CourseGroupFactory(course=course, library=people.gouda)
            hold(people, made, seats=2)

    add_groups(2)
    for _ in range(2):  # the first requests of a site make its settings and fill its caches
        find(promen_client)
    with CaptureQueriesContext(connection) as few:
        find(promen_client)
    add_groups(8)

    with CaptureQueriesContext(connection) as many:
        response = find(promen_client)

    assert len(many.captured_queries) == len(few.captured_queries)
    assert all(found.hold_for_you for found in response.context["groups"])
    assert text_of(response).count("seats held for you") == 10


def test_a_move_target_with_seats_held_for_the_organisation_says_so(
    promen_client, people, course, group
):
    booking = book(group, people, company="promen", seats=1).booking
    later = CourseGroupFactory(course=course, library=people.gouda, capacity=2)
    book(later, people, seats=1)
    hold(people, later, seats=1)

    page = promen_client.get(reverse("portal:seat_move", kwargs={"pk": booking.seats.get().pk}))
    [(_pk, label)] = page.context["form"].fields["to_group"].choices
    promen_client.post(
        reverse("portal:seat_move", kwargs={"pk": booking.seats.get().pk}),
        {"to_group": later.pk},
    )

    assert "1 seat left" in label
    assert held_text(1).replace("1 seats", "1 seat") in label
    assert Seat.objects.get(booking__group=later, booking__organisation=people.promen).status == (
        Seat.Status.CONFIRMED
    )


# -- giving held seats back ----------------------------------------------------------------------


def test_the_confirmation_page_changes_nothing(promen_client, people, group):
    made = hold(people, group, seats=3)
    records = made.history.count()

    response = promen_client.get(release_url(made))

    assert response.status_code == 200
    text = text_of(response)
    assert "Do you want to give back 3 held seats?" in text
    assert "People on the waiting list get them first." in text
    assert "Yes, give back the seats" in text
    assert "The library sees it in the history of the group." in text
    made.refresh_from_db()
    assert made.released_at is None and made.seats == 3
    assert made.history.count() == records


def test_giving_back_serves_the_waiting_list_first_then_frees_the_rest(
    promen_client, people, group
):
    book(group, people, seats=3)
    made = hold(people, group, seats=2)
    waiting = book(group, people, seats=1).waitlisted[0]

    response = promen_client.post(
        release_url(made), {"reason": "Niemand kan op maandag"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("portal:find_groups")
    assert (
        "You gave back 2 held seats. 1 seat went to the next person on the waiting list. "
        "1 seat is free again for others to book."
    ) in text_of(response)
    waiting.refresh_from_db()
    assert waiting.status == Seat.Status.CONFIRMED
    made.refresh_from_db()
    assert made.released_at is not None
    record = made.history.first()
    assert (record.action, record.history_change_reason, record.history_user) == (
        Action.HOLD_RELEASED,
        "Niemand kan op maandag",
        people.contact_promen,
    )
    assert "1 seat left" in card(response, group)


def test_giving_back_without_a_reason_keeps_the_standard_one(promen_client, people, group):
    made = hold(people, group, seats=1)

    promen_client.post(release_url(made), {"reason": ""})

    assert made.history.first().history_change_reason == SystemReason.HOLD_RELEASED


def test_seats_no_longer_held_are_said_in_plain_words_and_nothing_changes(
    promen_client, people, group
):
    made = hold(people, group, seats=2)
    services.release_hold(hold=made, by=people.coordinator_gouda)
    records = made.history.count()

    page = promen_client.get(release_url(made))
    sent = promen_client.post(release_url(made), {"reason": ""})

    for response in (page, sent):
        assert response.status_code == 200
        assert "These seats are no longer held." in text_of(response)
        assert "Yes, give back the seats" not in text_of(response)
    assert made.history.count() == records


def test_seats_given_back_meanwhile_are_refused_in_the_form(promen_client, people, group):
    """The page was open when the coordinator gave the seats back: the form says so."""
    made = hold(people, group, seats=2)
    page = promen_client.get(release_url(made))
    services.release_hold(hold=made, by=people.coordinator_gouda)
    records = made.history.count()

    sent = promen_client.post(release_url(made), {"reason": "Toch niet nodig"})

    assert "Yes, give back the seats" in text_of(page)
    assert "These seats are no longer held." in text_of(sent)
    assert made.history.count() == records


def test_another_organisations_hold_is_not_found(konnected_client, people, group):
    made = hold(people, group, seats=2)

    for response in (
        konnected_client.get(release_url(made)),
        konnected_client.post(release_url(made), {"reason": "Weg ermee"}),
        konnected_client.put(release_url(made)),
    ):
        assert response.status_code == 404
    made.refresh_from_db()
    assert made.released_at is None and made.seats == 2


def test_an_unknown_hold_is_not_found(promen_client):
    assert promen_client.get(reverse("portal:hold_release", kwargs={"pk": 999})).status_code == 404


def test_giving_back_needs_a_signed_in_contact_person(client, people, group):
    made = hold(people, group, seats=2)

    anonymous = client.post(release_url(made))
    client.force_login(people.coordinator_gouda)
    coordinator = client.post(release_url(made))

    assert anonymous.status_code == 302
    assert coordinator.status_code == 403
    made.refresh_from_db()
    assert made.released_at is None


def test_the_release_page_has_a_dutch_address_and_text(client, people, group):
    made = hold(people, group, seats=2)
    client.force_login(people.contact_promen)
    with translation.override("nl"):
        url = release_url(made)

    text = text_of(client.get(url))

    assert url == f"/nl/portaal/vastgehouden-plaatsen/{made.pk}/teruggeven/"
    assert "Wil je 2 vastgehouden plaatsen teruggeven?" in text
    assert "Ja, geef de plaatsen terug" in text


# -- referral partners use the portal like SW companies ----------------------------------------


def test_a_referral_partner_reserves_cancels_and_moves_in_the_portal(
    client, people, course, group, partner
):
    team, contact = partner
    later = CourseGroupFactory(course=course, library=people.gouda)
    client.force_login(contact)

    overview = client.get(reverse("portal:overview"))
    found = find(client)
    reserved = client.post(
        reserve_url(group),
        {"seats": 2, "seat-1-first_name": "Noor", "seat-2-first_name": "Bram"},
        follow=True,
    )
    booking = Booking.objects.get(organisation=team)
    noor, bram = booking.seats.order_by("pk")
    cancelled = client.post(
        reverse("portal:seat_cancel", kwargs={"pk": bram.pk}), {"reason": ""}, follow=True
    )
    moved = client.post(
        reverse("portal:seat_move", kwargs={"pk": noor.pk}), {"to_group": later.pk}, follow=True
    )
    after = client.get(reverse("portal:overview"))

    assert overview.status_code == 200
    assert {found_group.pk for found_group in found.context["groups"]} == {group.pk, later.pk}
    assert "2 seats confirmed" in text_of(reserved)
    assert booking.booked_by == contact
    assert "The seat of Bram has been cancelled." in text_of(cancelled)
    assert "The seat has moved to the new group." in text_of(moved)
    bram.refresh_from_db()
    noor.refresh_from_db()
    assert (bram.status, noor.status) == (Seat.Status.CANCELLED, Seat.Status.CANCELLED)
    new_seat = Seat.objects.get(booking__group=later, booking__organisation=team)
    assert (new_seat.first_name, new_seat.status) == ("Noor", Seat.Status.CONFIRMED)
    assert reverse("portal:booking", kwargs={"pk": new_seat.booking_id}) in after.content.decode()


def test_a_referral_partner_sees_and_books_seats_held_for_it(client, people, group, partner):
    team, contact = partner
    book(group, people, seats=3)
    made = hold(people, group, seats=2, organisation=team)
    client.force_login(contact)

    text = card(find(client), group)
    client.post(reserve_url(group), {"seats": 2})

    assert held_text(2) in text
    assert Seat.objects.confirmed().filter(booking__organisation=team).count() == 2
    made.refresh_from_db()
    assert made.released_at is not None


def test_a_referral_partner_cannot_see_an_sw_companys_booking(client, people, group, partner):
    _team, contact = partner
    promen = book(group, people, company="promen", seats=1).booking
    client.force_login(contact)

    response = client.get(reverse("portal:booking", kwargs={"pk": promen.pk}))

    assert response.status_code == 404


# -- valid markup --------------------------------------------------------------------------------


def test_the_pages_with_held_seats_are_valid_html(client, people, group):
    missing = nu_checker_missing()
    if missing:
        pytest.skip(missing)
    made = hold(people, group, seats=2)
    released = hold(people, CourseGroupFactory(course=group.course, library=people.gouda), 1)
    services.release_hold(hold=released, by=people.coordinator_gouda)
    client.force_login(people.contact_promen)
    pages = {}
    for lang in ("nl", "en"):
        with translation.override(lang):
            urls = {
                "find groups": reverse("portal:find_groups"),
                "reserve": reserve_url(group),
                "give back": release_url(made),
                "given back already": release_url(released),
            }
        for name, url in urls.items():
            body = client.get(url).content.decode()
            assert markup_problems(body) == [], url
            pages[f"{name} ({lang})"] = body

    assert {name: errors for name, errors in nu_errors(pages).items() if errors} == {}
