"""The portal's bookings: the overview, one booking with its history and calendar file, and
changing, moving and cancelling seats until the cancellation deadline."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from booking import services
from booking.models import Booking, CourseGroup, Seat, Session
from booking.services import SeatRequest
from tests.helpers import text_of

from .factories import CourseGroupFactory, CoursePageFactory, LocationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def booking_url(booking):
    return reverse("portal:booking", kwargs={"pk": booking.pk})


def seat_url(name, seat):
    return reverse(f"portal:{name}", kwargs={"pk": seat.pk})


def reserve(group, people, company="promen", seats=1, **kwargs):
    return services.reserve_seats(
        group=group,
        organisation=getattr(people, company),
        by=getattr(people, f"contact_{company}"),
        seats=seats,
        **kwargs,
    ).booking


@pytest.fixture
def past_deadline_group(people, course):
    """A group still to come whose cancellation deadline has passed."""
    location = LocationFactory(organisation=people.gouda, name="Bibliotheek Gouda")
    return CourseGroupFactory(
        course=course,
        library=people.gouda,
        location=location,
        cancellation_deadline=timezone.now() - datetime.timedelta(hours=1),
    )


# -- the overview ------------------------------------------------------------------------------


def test_the_overview_lists_bookings_with_their_seats_in_plain_words(promen_client, people, course):
    group = CourseGroupFactory(course=course, library=people.gouda, capacity=4)
    reserve(group, people, company="konnected", seats=4)
    reserve(group, people, company="konnected", seats=2)
    booking = reserve(
        group, people, seats=[SeatRequest(first_name="Anja"), SeatRequest(first_name="Kees")]
    )

    response = promen_client.get(reverse("portal:overview"))

    assert response.status_code == 200
    text = text_of(response)
    assert "My bookings" in text
    assert "2 on the waiting list (places 3, 4)" in text
    assert "Anja, Kees" in text
    assert group.location.name in text
    assert f'href="{booking_url(booking)}"' in response.content.decode()


def test_the_overview_counts_confirmed_and_waitlisted_seats(promen_client, people, course):
    group = CourseGroupFactory(course=course, library=people.gouda, capacity=3)
    reserve(group, people, company="konnected", seats=1)
    reserve(group, people, seats=3)

    text = text_of(promen_client.get(reverse("portal:overview")))

    assert "2 confirmed, 1 on the waiting list (place 1)" in text


def test_without_bookings_the_overview_points_to_the_groups(promen_client, people, group):
    reserve(group, people, company="konnected")

    response = promen_client.get(reverse("portal:overview"))

    assert "You have no bookings for courses that are still to come." in text_of(response)
    assert f'href="{reverse("portal:find_groups")}"' in response.content.decode()


def test_past_and_cancelled_bookings_are_shown_on_request(promen_client, people, course, group):
    ended = CourseGroupFactory(
        course=course,
        library=people.gouda,
        sessions=2,
        sessions__first=timezone.localdate() - datetime.timedelta(days=60),
    )
    past = reserve(ended, people)
    cancelled = reserve(group, people)
    services.cancel_booking(booking=cancelled, by=people.contact_promen)
    current = reserve(group, people, seats=2)

    upcoming = promen_client.get(reverse("portal:overview"))
    earlier = promen_client.get(reverse("portal:overview"), {"show": "past"})

    upcoming_page, earlier_page = upcoming.content.decode(), earlier.content.decode()
    assert booking_url(current) in upcoming_page
    assert booking_url(past) not in upcoming_page
    assert booking_url(cancelled) not in upcoming_page
    assert f'href="{reverse("portal:overview")}?show=past"' in upcoming_page
    assert "Past and cancelled bookings (2)" in text_of(upcoming)
    assert booking_url(past) in earlier_page and booking_url(cancelled) in earlier_page
    assert booking_url(current) not in earlier_page
    assert "all seats cancelled" in text_of(earlier)
    assert 'aria-current="page">Past and cancelled bookings (2)</a>' in earlier_page
    assert "<title>Past and cancelled bookings – My bookings" in earlier_page


def test_names_are_escaped_in_the_overview_and_the_booking_page(promen_client, people, course):
    location = LocationFactory(organisation=people.gouda, name="<script>alert('plek')</script>")
    group = CourseGroupFactory(course=course, library=people.gouda, location=location)
    booking = reserve(
        group,
        people,
        seats=[SeatRequest(first_name="<script>x</script>", learning_goal="<b>DigiD</b>")],
    )

    for url in (reverse("portal:overview"), booking_url(booking)):
        body = promen_client.get(url).content.decode()
        assert "<script>x</script>" not in body
        assert "<script>alert" not in body
        assert "&lt;script&gt;x&lt;/script&gt;" in body
        assert "&lt;script&gt;alert(&#x27;plek&#x27;)&lt;/script&gt;" in body
    assert "<b>DigiD</b>" not in body


def test_the_overview_needs_the_same_queries_for_2_and_10_bookings(
    promen_client, people, course, django_assert_max_num_queries
):
    def add_bookings(count):
        for _ in range(count):
            group = CourseGroupFactory(course=course, library=people.gouda, capacity=2)
            reserve(group, people, seats=2)
            reserve(group, people, seats=[SeatRequest(first_name="Wacht")])

    overview = reverse("portal:overview")
    add_bookings(1)
    promen_client.get(overview)  # the first request of a site makes its settings
    with CaptureQueriesContext(connection) as few:
        promen_client.get(overview)
    add_bookings(4)

    with django_assert_max_num_queries(len(few.captured_queries)):
        many = promen_client.get(overview)

    assert len(many.context["bookings"]) == 10
    assert "1 on the waiting list (place 1)" in text_of(many)


def bulk_bookings(count, *, people, course, days, company="promen", step=1):
    """`count` bookings of one named, confirmed seat each, five to a group (its capacity);
    the first group's only session is `days` from today, each next group's `step` days later.

    Written in bulk, without services or history: scenery for reading, not the code under
    test. Groups in the past are completed and their booking window has closed.
    """
    now = timezone.now()
    today = timezone.localdate()
    ended = days < 0
    location = LocationFactory(organisation=people.gouda)
    groups = CourseGroup.objects.bulk_create(
        CourseGroup(
            course=course,
            library=people.gouda,
            location=location,
            capacity=5,
            status=CourseGroup.Status.COMPLETED if ended else CourseGroup.Status.OPEN,
            booking_opens_at=now + datetime.timedelta(days=min(days, 0) - 30),
            booking_closes_at=now + datetime.timedelta(days=days - 1),
            cancellation_deadline=now + datetime.timedelta(days=days - 1),
        )
        for _ in range(-(-count // 5))
    )
    Session.objects.bulk_create(
        Session(
            group=group,
            date=today + datetime.timedelta(days=days + number * step),
            starts_at=datetime.time(10),
            ends_at=datetime.time(12),
        )
        for number, group in enumerate(groups)
    )
    bookings = Booking.objects.bulk_create(
        Booking(
            group=groups[number // 5],
            organisation=getattr(people, company),
            booked_by=getattr(people, f"contact_{company}"),
        )
        for number in range(count)
    )
    Seat.objects.bulk_create(
        Seat(booking=booking, status=Seat.Status.CONFIRMED, first_name=f"Deelnemer {booking.pk}")
        for booking in bookings
    )
    return bookings


def overview(client, **params):
    """The overview and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("portal:overview"), params)
    assert response.status_code == 200
    return response, len(queries.captured_queries)


def listed_bookings(response):
    return [booking.pk for booking in response.context["bookings"]]


def test_the_overview_needs_the_same_queries_for_5_and_500_bookings(promen_client, people, course):
    bulk_bookings(3, people=people, course=course, days=7)
    bulk_bookings(2, people=people, course=course, days=-30)
    for _ in range(2):  # the first requests of a site make its settings and fill its caches
        promen_client.get(reverse("portal:overview"))
    _response, few_upcoming = overview(promen_client)
    _response, few_past = overview(promen_client, show="past")

    bulk_bookings(297, people=people, course=course, days=7)
    bulk_bookings(198, people=people, course=course, days=-400)
    upcoming, many_upcoming = overview(promen_client)
    past, many_past = overview(promen_client, show="past", page=3)

    assert (many_upcoming, many_past) == (few_upcoming, few_past)
    assert len(listed_bookings(upcoming)) == len(listed_bookings(past)) == 20
    assert "Your organisation has 300 bookings" in text_of(upcoming)
    assert "Upcoming bookings (300)" in text_of(past)
    assert "Past and cancelled bookings (200)" in text_of(upcoming)
    assert "Page 3 of 10" in text_of(past)


def test_upcoming_bookings_come_soonest_first_one_page_at_a_time(promen_client, people, course):
    later = bulk_bookings(10, people=people, course=course, days=40, step=-5)
    sooner = bulk_bookings(15, people=people, course=course, days=10)
    bulk_bookings(5, people=people, course=course, days=-10)
    soonest_first = [booking.pk for booking in sooner + later[5:] + later[:5]]

    first, _queries = overview(promen_client)
    second, _queries = overview(promen_client, page=2)

    assert listed_bookings(first) + listed_bookings(second) == soonest_first
    assert "Page 1 of 2" in text_of(first)
    assert 'href="?page=2" rel="next"' in first.content.decode()
    assert 'href="?page=1" rel="prev"' in second.content.decode()


def test_past_bookings_come_most_recent_first_one_page_at_a_time(promen_client, people, course):
    bulk_bookings(5, people=people, course=course, days=10)
    oldest = bulk_bookings(15, people=people, course=course, days=-100)
    recent = bulk_bookings(10, people=people, course=course, days=-20)
    most_recent_first = [booking.pk for booking in reversed(oldest + recent)]

    first, _queries = overview(promen_client, show="past")
    second, _queries = overview(promen_client, show="past", page=2)

    assert listed_bookings(first) + listed_bookings(second) == most_recent_first
    assert "Page 1 of 2" in text_of(first)
    assert 'href="?show=past&amp;page=2" rel="next"' in first.content.decode()
    assert "Upcoming bookings (5)" in text_of(second)


def test_a_page_that_does_not_exist_shows_the_first_with_a_notice(promen_client, people, course):
    bookings = bulk_bookings(3, people=people, course=course, days=10)

    for page in ("9", "abc"):
        response, _queries = overview(promen_client, page=page)
        assert listed_bookings(response) == [booking.pk for booking in bookings]
    assert "“abc” is not a page number." in text_of(response)


def test_another_organisations_bookings_never_appear(promen_client, people, course):
    ours = bulk_bookings(2, people=people, course=course, days=10)
    ours += bulk_bookings(1, people=people, course=course, days=-10)
    bulk_bookings(4, people=people, course=course, days=10, company="konnected")
    bulk_bookings(3, people=people, course=course, days=-10, company="konnected")

    upcoming, _queries = overview(promen_client)
    past, _queries = overview(promen_client, show="past")

    assert set(listed_bookings(upcoming) + listed_bookings(past)) == {b.pk for b in ours}
    assert "Upcoming bookings (2)" in text_of(past)
    assert "Past and cancelled bookings (1)" in text_of(upcoming)


# -- one booking -------------------------------------------------------------------------------


def test_the_booking_page_shows_the_group_the_seats_and_the_history(
    promen_client, people, group, promen_booking
):
    full = reserve(group, people, company="konnected", seats=3)
    waiting = reserve(group, people, seats=[SeatRequest(first_name="Piet")])
    assert full.seats.count() == 3

    response = promen_client.get(booking_url(waiting))

    assert response.status_code == 200
    text = text_of(response)
    location = group.location
    assert location.address in text
    assert location.accessibility_notes in text
    assert "Piet" in text
    assert "On the waiting list (place 1)" in text
    assert "5 lessons" in text
    for session in group.sessions.all():
        assert f'datetime="{session.date:%Y-%m-%d}"' in response.content.decode()
    # history: what, who and why
    assert "Put on the waiting list" in text
    assert "Why: Seats reserved" in text
    assert people.contact_promen.first_name in text
    assert f'href="{reverse("portal:booking_calendar", kwargs={"pk": waiting.pk})}"' in (
        response.content.decode()
    )


def test_a_change_shows_in_the_history_with_its_reason(promen_client, people, promen_booking):
    seat = promen_booking.seats.order_by("pk").first()
    services.cancel_seats(
        booking=promen_booking, by=people.contact_promen, reason="Ziek", seat_ids=[seat.pk]
    )

    text = text_of(promen_client.get(booking_url(promen_booking)))

    assert "Status: Confirmed → becomes Cancelled" in text
    assert "Why: Ziek" in text


def test_the_history_does_not_name_people_of_other_companies(promen_client, people, group):
    theirs = reserve(group, people, company="konnected", seats=5)
    ours = reserve(group, people, seats=[SeatRequest(first_name="Piet")])
    people.contact_konnected.first_name = "Kees"
    people.contact_konnected.save()
    services.cancel_booking(booking=theirs, by=people.contact_konnected, reason="Andere plannen")

    text = text_of(promen_client.get(booking_url(ours)))

    assert "Confirmed" in text and "someone at another organisation" in text
    assert "Kees" not in text


def test_the_booking_page_needs_the_same_queries_for_2_and_10_seats(
    promen_client, people, course, django_assert_max_num_queries
):
    group = CourseGroupFactory(course=course, library=people.gouda, capacity=10)
    few = reserve(group, people, seats=[SeatRequest(first_name="An"), SeatRequest()])
    many = reserve(group, people, seats=10)
    for booking in (few, many):
        for seat in booking.seats.all()[:2]:
            services.update_seat_details(
                seat=seat, by=people.contact_promen, details=SeatRequest(first_name="Bo")
            )
    promen_client.get(booking_url(few))  # the first request of a site makes its settings
    with CaptureQueriesContext(connection) as queries:
        promen_client.get(booking_url(few))

    with django_assert_max_num_queries(len(queries.captured_queries)):
        response = promen_client.get(booking_url(many))

    assert response.context["booking"].seat_counts.waitlisted == 2
    assert len(response.context["history"].object_list) == 1 + 10 + 2


def test_the_calendar_file_has_the_sessions_at_amsterdam_time(promen_client, people, course):
    summer = datetime.date(timezone.localdate().year + 1, 7, 6)
    group = CourseGroupFactory(
        course=course, library=people.gouda, sessions=2, sessions__first=summer
    )
    winter_day = datetime.date(summer.year, 12, 7)
    Session.objects.create(
        group=group, date=winter_day, starts_at=datetime.time(10), ends_at=datetime.time(12)
    )
    booking = reserve(group, people, seats=[SeatRequest(first_name="Anja")])

    response = promen_client.get(reverse("portal:booking_calendar", kwargs={"pk": booking.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".ics" in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    events = sorted(calendar.walk("VEVENT"), key=lambda event: event.decoded("dtstart"))
    assert len(events) == 3
    starts = [event.decoded("dtstart") for event in events]
    assert [start.astimezone(AMSTERDAM).time() for start in starts] == [datetime.time(10)] * 3
    assert [start.astimezone(AMSTERDAM).date() for start in starts] == [
        summer,
        summer + datetime.timedelta(weeks=1),
        winter_day,
    ]
    # 10:00 in Amsterdam is 08:00 UTC in summer and 09:00 UTC in winter
    utc_hours = [start.astimezone(datetime.UTC).hour for start in starts]
    assert utc_hours == [8, 8, 9]
    assert events[0]["dtstart"].params["TZID"] == "Europe/Amsterdam"
    assert "Anja" in str(events[0]["description"])


# -- changing seats ----------------------------------------------------------------------------


def test_renaming_a_seat_saves_the_details_and_says_so(promen_client, people, promen_booking):
    seat = promen_booking.seats.order_by("pk").last()
    history_before = Seat.history.filter(id=seat.pk).count()
    form = promen_client.get(seat_url("seat_edit", seat))
    assert "Change the details of a seat" in text_of(form)

    response = promen_client.post(
        seat_url("seat_edit", seat),
        {"first_name": "Mo", "learning_goal": "Mailen", "support_needs": "", "reason": "Nieuw"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == booking_url(promen_booking)
    assert "The details of this seat have been saved." in text_of(response)
    seat.refresh_from_db()
    assert (seat.first_name, seat.learning_goal) == ("Mo", "Mailen")
    assert Seat.history.filter(id=seat.pk).count() == history_before + 1
    assert Seat.history.filter(id=seat.pk).latest().history_change_reason == "Nieuw"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"first_name": "A" * 10_000}, "Ensure this value has at most 50 characters"),
        ({"learning_goal": "x" * 301}, "Ensure this value has at most 300 characters"),
        ({"support_needs": "x" * 301}, "Ensure this value has at most 300 characters"),
        ({"reason": "x" * 301}, "Ensure this value has at most 300 characters"),
    ],
)
def test_too_long_details_get_a_message_and_change_nothing(
    promen_client, promen_booking, booking_state, data, message
):
    seat = promen_booking.seats.order_by("pk").first()
    before = booking_state()

    response = promen_client.post(seat_url("seat_edit", seat), {"first_name": "Anja", **data})

    assert response.status_code == 200
    assert "Please check the form" in text_of(response)
    assert message in text_of(response)
    assert booking_state() == before


def test_cancelling_a_seat_asks_first_then_gives_it_to_the_waiting_list(
    promen_client, people, group, promen_booking
):
    waiting = reserve(group, people, company="konnected", seats=4)
    seat = promen_booking.seats.get(first_name="Anja")
    confirm = promen_client.get(seat_url("seat_cancel", seat))
    assert "Do you want to cancel the seat of Anja?" in text_of(confirm)
    assert seat.status == Seat.Status.CONFIRMED

    response = promen_client.post(seat_url("seat_cancel", seat), {"reason": ""}, follow=True)

    assert response.redirect_chain[-1][0] == booking_url(promen_booking)
    assert (
        "The seat of Anja has been cancelled. 1 seat went to the next person on the waiting list."
        in text_of(response)
    )
    seat.refresh_from_db()
    assert seat.status == Seat.Status.CANCELLED
    assert waiting.seats.filter(status=Seat.Status.CONFIRMED).count() == 4


def test_cancelling_the_whole_booking(promen_client, promen_booking):
    url = reverse("portal:booking_cancel", kwargs={"pk": promen_booking.pk})
    assert "Do you want to cancel all 2 seats?" in text_of(promen_client.get(url))

    response = promen_client.post(url, {"reason": "Project gestopt"}, follow=True)

    assert (
        "The booking has been cancelled (2 seats). 2 seats are free again for others to book."
        in text_of(response)
    )
    assert not promen_booking.seats.active().exists()
    assert "Why: Project gestopt" in text_of(response)


def test_moving_a_seat_to_another_group_of_the_same_course(
    promen_client, people, course, group, promen_booking
):
    later = CourseGroupFactory(course=course, library=people.gouda, level=2)
    other_course = CourseGroupFactory(
        course=CoursePageFactory(parent=course.get_parent(), title="Digisterker"),
        library=people.gouda,
    )
    seat = promen_booking.seats.get(first_name="Anja")

    page = promen_client.get(seat_url("seat_move", seat))
    choices = page.context["form"].fields["to_group"].choices
    assert [pk for pk, _label in choices] == [later.pk]
    assert "Level 2" in text_of(page)

    response = promen_client.post(seat_url("seat_move", seat), {"to_group": later.pk}, follow=True)

    new_booking = Booking.objects.get(group=later)
    assert response.redirect_chain[-1][0] == booking_url(new_booking)
    assert "The seat has moved to the new group." in text_of(response)
    assert new_booking.seats.get().first_name == "Anja"
    seat.refresh_from_db()
    assert seat.status == Seat.Status.CANCELLED
    assert not other_course.bookings.exists()


def test_a_seat_cannot_move_to_a_group_that_is_not_offered(
    promen_client, people, course, promen_booking, booking_state
):
    other_course = CourseGroupFactory(
        course=CoursePageFactory(parent=course.get_parent(), title="Digisterker"),
        library=people.gouda,
    )
    CourseGroupFactory(course=course, library=people.gouda)
    restricted = CourseGroupFactory(
        course=course, library=people.gouda, restricted_to=people.konnected
    )
    seat = promen_booking.seats.first()
    before = booking_state()

    for target in (other_course.pk, restricted.pk, promen_booking.group_id, "abc", ""):
        response = promen_client.post(seat_url("seat_move", seat), {"to_group": target})
        assert response.status_code == 200
        assert "Please check the form" in text_of(response)

    assert booking_state() == before


# -- after the cancellation deadline -----------------------------------------------------------


def test_after_the_deadline_the_actions_are_gone_and_the_library_is_named(
    promen_client, people, past_deadline_group
):
    booking = reserve(past_deadline_group, people, seats=2)
    seat = booking.seats.first()

    response = promen_client.get(booking_url(booking))

    text = text_of(response)
    assert "The deadline for changes has passed." in text
    assert "Bibliotheek Gouda" in text
    assert people.gouda.phone in text
    assert people.gouda.email in text
    assert 'href="tel:0182123456"' in response.content.decode()
    body = response.content.decode()
    for name in ("seat_edit", "seat_cancel", "seat_move"):
        assert seat_url(name, seat) not in body
    assert reverse("portal:booking_cancel", kwargs={"pk": booking.pk}) not in body


def test_after_the_deadline_changes_are_refused_with_the_librarys_phone(
    promen_client, people, past_deadline_group, course, booking_state
):
    booking = reserve(past_deadline_group, people, seats=2)
    seat = booking.seats.first()
    CourseGroupFactory(course=course, library=people.gouda)
    before = booking_state()

    for url, data in [
        (seat_url("seat_edit", seat), {"first_name": "Kees"}),
        (seat_url("seat_cancel", seat), {}),
        (seat_url("seat_move", seat), {}),
        (reverse("portal:booking_cancel", kwargs={"pk": booking.pk}), {}),
    ]:
        page = promen_client.get(url)
        assert people.gouda.phone in text_of(page), url
        assert "<form" not in page.content.decode().split('class="main"', 1)[1], url
        response = promen_client.post(url, data)
        assert response.status_code == 200, url
        assert people.gouda.phone in text_of(response), url

    assert booking_state() == before


def test_a_cancelled_seat_offers_no_changes(promen_client, people, promen_booking, booking_state):
    seat = promen_booking.seats.first()
    services.cancel_seats(booking=promen_booking, by=people.contact_promen, seat_ids=[seat.pk])
    before = booking_state()

    response = promen_client.post(seat_url("seat_cancel", seat))

    assert "This seat has been cancelled." in text_of(response)
    assert booking_state() == before
