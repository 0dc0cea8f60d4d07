"""Finding a group with free seats and reserving seats in it, in the portal."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from booking import services
from booking.models import Booking, CourseGroup, Seat, Session
from tests.helpers import text_of

from .factories import CourseGroupFactory, CoursePageFactory, LocationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def find(client, **params):
    return client.get(reverse("portal:find_groups"), params)


def listed(response):
    return {group.pk for group in response.context["groups"]}


def reserve_url(group):
    return reverse("portal:reserve", kwargs={"group_id": group.pk})


def hours(count):
    return timezone.now() + datetime.timedelta(hours=count)


# -- finding a group ---------------------------------------------------------------------------


def test_only_groups_the_organisation_may_book_now_are_listed(promen_client, people, course, group):
    def make(**kwargs):
        return CourseGroupFactory(course=course, library=people.gouda, **kwargs)

    for_promen = make(restricted_to=people.promen)
    make(restricted_to=people.konnected)
    make(draft=True)
    make(status=CourseGroup.Status.CLOSED)
    make(status=CourseGroup.Status.CANCELLED)
    make(closed_window=True)
    make(booking_opens_at=hours(48), booking_closes_at=hours(240))
    make(sessions=1, sessions__first=timezone.localdate() - datetime.timedelta(days=3))

    response = find(promen_client)

    assert response.status_code == 200
    assert listed(response) == {group.pk, for_promen.pk}
    assert "Only for your organisation" in text_of(response)


def test_free_seats_are_said_in_plain_words(promen_client, people, course, group):
    full = CourseGroupFactory(course=course, library=people.gouda, capacity=2)
    services.reserve_seats(
        group=full, organisation=people.konnected, by=people.contact_konnected, seats=2
    )
    services.reserve_seats(
        group=group, organisation=people.konnected, by=people.contact_konnected, seats=3
    )

    response = find(promen_client)

    text = text_of(response)
    assert "2 seats left" in text
    assert "full — you can join the waiting list" in text
    assert "Join the waiting list" in text
    body = response.content.decode()
    assert f'href="{reserve_url(group)}"' in body
    assert f'href="{reserve_url(full)}"' in body


def test_filters_narrow_the_groups_by_course_level_place_and_month(
    promen_client, people, course, group
):
    digisterker = CoursePageFactory(parent=course.get_parent(), title="Digisterker")
    deventer = LocationFactory(organisation=people.deventer, city="Deventer")
    later = timezone.localdate() + datetime.timedelta(days=70)
    other = CourseGroupFactory(
        course=digisterker,
        library=people.deventer,
        location=deventer,
        level=2,
        sessions__first=later,
    )

    assert listed(find(promen_client, course=digisterker.pk)) == {other.pk}
    assert listed(find(promen_client, course=course.pk)) == {group.pk}
    assert listed(find(promen_client, level=2)) == {other.pk}
    assert listed(find(promen_client, place="Deventer")) == {other.pk}
    assert listed(find(promen_client, month=f"{later:%Y-%m}")) == {other.pk}
    assert listed(find(promen_client, level=1, place="Deventer")) == set()
    choices = find(promen_client).context["form"].fields["course"].choices
    assert [label for _value, label in choices][1:] == ["Digisterker", "Klik & Tik"]


@pytest.mark.parametrize(
    "params, notice",
    [
        ({"level": "abc"}, "We do not know the level “abc”, so we left it out."),
        ({"level": "7"}, "We do not know the level “7”"),
        ({"month": "2026-13"}, "“2026-13” is not a month."),
        ({"month": "maart"}, "“maart” is not a month."),
        ({"place": "<b>Atlantis</b>"}, "We do not know the place “<b>Atlantis</b>”"),
        ({"course": "abc"}, "We do not know the course “abc”"),
        ({"course": "99999"}, "There is no group of this course you can book at the moment."),
        ({"page": "9"}, "Page 9 does not exist."),
    ],
)
def test_a_filter_value_we_do_not_know_gets_a_message_not_an_error(
    promen_client, group, params, notice
):
    response = find(promen_client, **params)

    assert response.status_code == 200
    assert notice in text_of(response)
    assert listed(response) == {group.pk}
    assert "<b>Atlantis</b>" not in response.content.decode()


def test_a_month_without_groups_finds_none_and_stays_chosen(promen_client, group):
    response = find(promen_client, month="2040-05")

    assert listed(response) == set()
    assert '<option value="2040-05" selected>' in response.content.decode()


def test_the_course_page_links_to_its_groups_in_the_portal(client, people, course_site):
    group = CourseGroupFactory(course=course_site.course, library=people.gouda)
    other_course = CoursePageFactory(parent=course_site.index, title="Digisterker")
    CourseGroupFactory(course=other_course, library=people.gouda)

    for page, language in ((course_site.course, "nl"), (course_site.english_course, "en")):
        with translation.override(language):
            url = f"{reverse('portal:find_groups')}?course={page.pk}"
        assert f'href="{url}"' in client.get(page.url).content.decode()

        # visitors who are not signed in are asked to sign in, and come back here
        response = client.get(url)
        assert response.status_code == 302
        assert "next=" in response["Location"]

        client.force_login(people.contact_promen)
        response = client.get(url)
        assert listed(response) == {group.pk}
        assert response.context["form"].cleaned_data["course"] == str(course_site.course.pk)
        assert not response.context["notices"]
        client.logout()


def test_finding_groups_needs_the_same_queries_for_2_and_10_groups(
    promen_client, people, course, django_assert_max_num_queries
):
    def add_groups(count):
        for _ in range(count):
            CourseGroupFactory(course=course, library=people.gouda)

    add_groups(2)
    find(promen_client)  # the first request of a site makes its settings
    with CaptureQueriesContext(connection) as few:
        find(promen_client)
    add_groups(8)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = find(promen_client)

    assert len(response.context["groups"]) == 10


def bulk_groups(count, *, people, courses, places):
    """`count` open, bookable groups with two sessions each, spread over the courses, the
    places (a location of Gouda's library in each), the three levels and six months.

    Written in bulk, without services or history: scenery for reading.
    """
    now = timezone.now()
    today = timezone.localdate()
    locations = [LocationFactory(organisation=people.gouda, city=place) for place in places]
    groups = CourseGroup.objects.bulk_create(
        CourseGroup(
            course=courses[number % len(courses)],
            library=people.gouda,
            location=locations[number % len(locations)],
            level=1 + number % 3,
            status=CourseGroup.Status.OPEN,
            booking_opens_at=now - datetime.timedelta(days=7),
            booking_closes_at=now + datetime.timedelta(days=10),
            cancellation_deadline=now + datetime.timedelta(days=12),
        )
        for number in range(count)
    )
    Session.objects.bulk_create(
        Session(
            group=group,
            date=today + datetime.timedelta(days=14 + 30 * (number % 6) + week * 7),
            starts_at=datetime.time(10),
            ends_at=datetime.time(12),
        )
        for number, group in enumerate(groups)
        for week in range(2)
    )
    return groups


def test_finding_groups_needs_the_same_queries_for_5_and_1000_groups(promen_client, people, course):
    courses = [course, CoursePageFactory(parent=course.get_parent(), title="Digisterker")]
    places = ["Gouda", "Deventer", "Alphen aan den Rijn", "Zwolle"]
    bulk_groups(5, people=people, courses=courses, places=places)
    for _ in range(2):  # the first requests of a site make its settings and fill its caches
        find(promen_client)

    def queries(**params):
        with CaptureQueriesContext(connection) as captured:
            response = find(promen_client, **params)
        assert response.status_code == 200
        return response, len(captured.captured_queries)

    _response, few = queries()
    _response, few_filtered = queries(course=course.pk, place="Gouda", page=1)
    bulk_groups(995, people=people, courses=courses, places=places)
    everything, many = queries()
    filtered, many_filtered = queries(course=course.pk, place="Gouda", page=2)

    assert (many, many_filtered) == (few, few_filtered)
    assert len(everything.context["groups"]) == 20
    assert everything.context["page_obj"].paginator.count == 1000
    gouda_klik_en_tik = CourseGroup.objects.filter(course=course, location__city="Gouda")
    assert filtered.context["page_obj"].paginator.count == gouda_klik_en_tik.count() == 251
    assert listed(filtered).issubset(set(gouda_klik_en_tik.values_list("pk", flat=True)))
    fields = everything.context["form"].fields
    courses = [label for _value, label in fields["course"].choices]
    assert courses == ["All", "Digisterker", "Klik & Tik"]
    assert [value for value, _label in fields["place"].choices] == ["", *sorted(places)]
    starts = {timezone.localdate() + datetime.timedelta(days=14 + 30 * n) for n in range(6)}
    months = [value for value, _label in fields["month"].choices]
    assert months == ["", *sorted({f"{start:%Y-%m}" for start in starts})]


# -- reserving ---------------------------------------------------------------------------------


def test_reserving_takes_two_steps_without_javascript(promen_client, people, group):
    first = promen_client.get(reserve_url(group))
    assert "How many seats do you want to reserve?" in text_of(first)
    assert "Seat 1" not in text_of(first)

    second = promen_client.get(reserve_url(group), {"seats": 3})
    text = text_of(second)
    assert all(f"Seat {number}" in text for number in (1, 2, 3))
    assert "Seat 4" not in text
    assert second.content.decode().count("<legend") == 3
    assert 'name="seats" value="3"' in second.content.decode()
    assert not Booking.objects.exists()

    response = promen_client.post(
        reserve_url(group),
        {
            "seats": 3,
            "seat-1-first_name": "Anja",
            "seat-1-learning_goal": "Inloggen met DigiD",
            "seat-2-first_name": "K.",
            "seat-3-support_needs": "Grote letters",
        },
        follow=True,
    )

    booking = Booking.objects.get()
    assert response.redirect_chain[-1][0] == reverse("portal:booking", kwargs={"pk": booking.pk})
    assert "3 seats confirmed" in text_of(response)
    assert (booking.organisation, booking.booked_by) == (people.promen, people.contact_promen)
    seats = list(booking.seats.order_by("pk").values_list("first_name", "support_needs"))
    assert seats == [("Anja", ""), ("K.", ""), ("", "Grote letters")]


@pytest.mark.parametrize(
    "language, summary",
    [
        ("nl", "3 plaatsen bevestigd, 1 op de wachtlijst (plek 1)"),
        ("en", "3 seats confirmed, 1 on the waiting list (place 1)"),
    ],
)
def test_the_reservation_result_is_said_in_the_pages_language(
    promen_client, people, group, language, summary
):
    services.reserve_seats(
        group=group, organisation=people.konnected, by=people.contact_konnected, seats=2
    )
    with translation.override(language):
        url = reserve_url(group)
    assert url.startswith(f"/{language}/")

    response = promen_client.post(url, {"seats": 4}, follow=True)

    assert summary in text_of(response)


@pytest.mark.parametrize("seats", ["0", "-1", "abc", "6", "", "2.5", "99999999999999999999"])
def test_a_wrong_number_of_seats_gets_a_message_and_changes_nothing(
    promen_client, group, booking_state, seats
):
    before = booking_state()

    shown = promen_client.get(reserve_url(group), {"seats": seats})
    posted = promen_client.post(reserve_url(group), {"seats": seats})

    for response in (shown, posted):
        assert response.status_code == 200
        assert "Please check the form" in text_of(response)
        assert "<legend" not in response.content.decode()
    assert booking_state() == before


def test_too_long_details_get_a_message_and_keep_what_was_typed(
    promen_client, group, booking_state
):
    before = booking_state()

    response = promen_client.post(
        reserve_url(group),
        {
            "seats": 2,
            "seat-1-first_name": "Anja",
            "seat-1-learning_goal": "Mailen met de kleinkinderen",
            "seat-2-first_name": "A" * 10_000,
            "seat-2-support_needs": "x" * 301,
        },
    )

    assert response.status_code == 200
    text = text_of(response)
    assert "Seat 2, first name or initials: Ensure this value has at most 50 characters" in text
    assert "Seat 2, support needs: Ensure this value has at most 300 characters" in text
    assert 'value="Anja"' in response.content.decode()
    assert "Mailen met de kleinkinderen</textarea>" in response.content.decode()
    assert booking_state() == before


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"status": CourseGroup.Status.CANCELLED}, "This group has been cancelled."),
        ({"status": CourseGroup.Status.CLOSED}, "This group is not open for bookings."),
        ({"closed_window": True}, "Booking for this group has closed."),
        (
            {"booking_opens_at": hours(48), "booking_closes_at": hours(240)},
            "You can reserve seats in this group from",
        ),
        ({"restricted_to": "konnected"}, "This group is only for KonnecteD."),
    ],
)
def test_a_group_that_cannot_be_booked_says_why_and_nothing_changes(
    promen_client, people, course, booking_state, changes, message
):
    if changes.get("restricted_to"):
        changes = {"restricted_to": people.konnected}
    group = CourseGroupFactory(course=course, library=people.gouda, **changes)
    before = booking_state()

    shown = promen_client.get(reserve_url(group), {"seats": 2})
    posted = promen_client.post(reserve_url(group), {"seats": 2, "seat-1-first_name": "Anja"})

    for response in (shown, posted):
        assert response.status_code == 200
        assert message in text_of(response)
        assert "<legend" not in response.content.decode()
    assert booking_state() == before


@pytest.mark.parametrize("draft", [True, False])
def test_an_unknown_or_draft_group_is_not_found(
    promen_client, people, course, booking_state, draft
):
    group_id = CourseGroupFactory(course=course, library=people.gouda, draft=True).pk
    if not draft:
        group_id += 1000
    url = reverse("portal:reserve", kwargs={"group_id": group_id})
    before = booking_state()

    for response in (promen_client.get(url), promen_client.post(url, {"seats": 1})):
        assert response.status_code == 404
        assert "We cannot find this group" in text_of(response)
    assert booking_state() == before


def test_the_organisations_limit_is_explained(promen_client, people, course, booking_state):
    group = CourseGroupFactory(course=course, library=people.gouda, seats_per_organisation=2)
    before = booking_state()

    response = promen_client.post(reserve_url(group), {"seats": 3})

    assert "Your organisation can have at most 2 seats in this group" in text_of(response)
    assert booking_state() == before


def test_a_full_group_puts_everyone_on_the_waiting_list(promen_client, people, course):
    group = CourseGroupFactory(course=course, library=people.gouda, capacity=2)
    services.reserve_seats(
        group=group, organisation=people.konnected, by=people.contact_konnected, seats=2
    )

    response = promen_client.post(reserve_url(group), {"seats": 2}, follow=True)

    assert "2 on the waiting list (places 1, 2)" in text_of(response)
    assert Seat.objects.filter(status=Seat.Status.WAITLISTED).count() == 2


# -- the same form sent twice ------------------------------------------------------------------


def reserve_form(client, group, seats=2):
    """The reservation form as the browser got it, with its one-time key."""
    response = client.get(reserve_url(group), {"seats": seats})
    return response.context["form"]["submission"].value()


def test_a_form_sent_twice_books_once_and_shows_the_same_booking(promen_client, group):
    key = reserve_form(promen_client, group)
    data = {"seats": 2, "submission": key, "seat-1-first_name": "Anja"}

    first = promen_client.post(reserve_url(group), data)
    second = promen_client.post(reserve_url(group), data, follow=True)

    booking = Booking.objects.get()
    assert first.url == second.redirect_chain[-1][0]
    assert first.url == reverse("portal:booking", kwargs={"pk": booking.pk})
    assert booking.seats.count() == 2
    assert "You sent the form twice. Your seats were reserved once" in text_of(second)


def test_each_new_form_gets_its_own_key(promen_client, group):
    assert reserve_form(promen_client, group) != reserve_form(promen_client, group)


def test_a_changed_form_sent_again_with_its_old_key_is_kept_and_can_be_sent_on_purpose(
    promen_client, group
):
    key = reserve_form(promen_client, group, seats=1)
    promen_client.post(reserve_url(group), {"seats": 1, "submission": key})
    changed = {"seats": 1, "submission": key, "seat-1-first_name": "Bram"}

    response = promen_client.post(reserve_url(group), changed)

    assert response.status_code == 200
    assert "You already reserved these seats with this form" in text_of(response)
    assert 'value="Bram"' in response.content.decode()
    fresh = response.context["form"]["submission"].value()
    assert fresh and fresh != key
    assert Seat.objects.count() == 1

    again = promen_client.post(reserve_url(group), {**changed, "submission": fresh})
    assert again.status_code == 302
    assert sorted(Seat.objects.values_list("first_name", flat=True)) == ["", "Bram"]


@pytest.mark.parametrize("key", ["", "has spaces in it", "x" * 300])
def test_a_form_without_a_usable_key_still_books(promen_client, group, key):
    response = promen_client.post(reserve_url(group), {"seats": 1, "submission": key})
    assert response.status_code == 302
    assert Seat.objects.count() == 1


@pytest.mark.parametrize(
    "language, message",
    [
        ("en", "A name needs at least one letter. Leave it empty if you do not know the name."),
        ("nl", "Een naam heeft minstens één letter nodig."),
    ],
)
@pytest.mark.parametrize("name", ["   ", "\u00a0\u00a0", "\u200b", "..."])
def test_a_name_without_a_letter_is_refused_and_the_form_kept(
    promen_client, group, name, language, message
):
    with translation.override(language):
        url = reserve_url(group)
    data = {"seats": 2, "seat-1-first_name": name, "seat-2-first_name": "Anja"}

    response = promen_client.post(url, data)

    assert response.status_code == 200
    assert message in text_of(response)
    assert 'value="Anja"' in response.content.decode()
    assert not Booking.objects.exists()


def test_spaces_around_a_name_are_dropped(promen_client, group):
    promen_client.post(reserve_url(group), {"seats": 1, "seat-1-first_name": "  Anja\u00a0"})
    assert Seat.objects.get().first_name == "Anja"
