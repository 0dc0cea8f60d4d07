"""The next step after a course (issue 14, item 5): the advice per participant, booking it in
one action, its refusals, retention of the link between the seats, and the coordinator's
count of participants who came back, which never names anyone."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from wagtail.models import Revision

from booking import services
from booking.errors import GroupNotBookable, InvalidRequest, InvalidState, NotAllowed
from booking.models import Attendance, CourseGroup, CoursePage, Seat
from booking.next_step import AGAIN, NEXT_COURSE, NEXT_LEVEL, advised_next, next_steps
from tests.helpers import text_of
from tests.html_checker import markup_problems, nu_checker_missing, nu_errors

from .factories import BookingFactory, CourseGroupFactory, CoursePageFactory, SeatFactory

pytestmark = pytest.mark.django_db

FIRST = datetime.date(2026, 9, 7)
P, A, E = Attendance.Status.PRESENT, Attendance.Status.ABSENT, Attendance.Status.EXCUSED


def attend(seat, marks):
    """Attendance for the seat's group's sessions in date order (setting up a scene)."""
    sessions = seat.booking.group.sessions.order_by("date")
    for session, status in zip(sessions, marks, strict=False):
        Attendance.objects.create(session=session, seat=seat, status=status)


@pytest.fixture
def digisterker(course):
    """Digisterker, named as the course after level 3 of Klik & Tik."""
    page = CoursePageFactory(parent=course.get_parent(), title="Digisterker", slug="digisterker")
    CoursePage.objects.filter(pk=course.pk).update(next_course=page)
    course.refresh_from_db()
    return page


def finished_group(people, course, *, level=1):
    """A completed Gouda group of five sessions. Promen's Anja was at all five, Bram at
    three (a certificate needs four); KonnecteD's Dewi at all five."""
    group = CourseGroupFactory(
        course=course,
        library=people.gouda,
        level=level,
        status=CourseGroup.Status.COMPLETED,
        sessions__first=FIRST,
    )
    promen = BookingFactory(
        group=group, organisation=people.promen, booked_by=people.contact_promen
    )
    konnected = BookingFactory(
        group=group, organisation=people.konnected, booked_by=people.contact_konnected
    )
    seats = {
        "Anja": SeatFactory(
            booking=promen,
            first_name="Anja",
            learning_goal="Inloggen met DigiD",
            support_needs="Grote letters",
        ),
        "Bram": SeatFactory(booking=promen, first_name="Bram"),
        "Dewi": SeatFactory(booking=konnected, first_name="Dewi"),
    }
    attend(seats["Anja"], [P, P, P, P, P])
    attend(seats["Bram"], [P, A, E, P, P])
    attend(seats["Dewi"], [P, P, P, P, P])
    group.seats = seats
    return group


@pytest.fixture
def finished(people, course):
    return finished_group(people, course)


def open_group(people, course, *, level, capacity=5, library=None):
    return CourseGroupFactory(
        course=course, library=library or people.gouda, level=level, capacity=capacity
    )


def book(seat, group, by):
    return services.book_next_step(seat=seat, to_group=group, by=by)


# -- the advice -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "name", "course_slug", "advised_level", "reason"),
    [
        (1, "Anja", "klik-en-tik", 2, NEXT_LEVEL),
        (2, "Anja", "klik-en-tik", 3, NEXT_LEVEL),
        (3, "Anja", "digisterker", 1, NEXT_COURSE),
        (1, "Bram", "klik-en-tik", 1, AGAIN),
        (3, "Bram", "klik-en-tik", 3, AGAIN),
    ],
)
def test_the_advice_table(
    people, course, digisterker, level, name, course_slug, advised_level, reason
):
    group = finished_group(people, course, level=level)

    advice = advised_next(Seat.objects.get(pk=group.seats[name].pk))

    assert (advice.course.slug, advice.level, advice.reason) == (course_slug, advised_level, reason)


def test_after_level_3_of_a_course_without_a_follow_up_there_is_no_advice(people, course):
    group = finished_group(people, course, level=3)

    assert advised_next(group.seats["Anja"]) is None
    (anja, bram) = next_steps(group, people.promen)
    assert anja.step is None and anja.groups == []
    assert bram.step.reason == AGAIN


def test_the_next_steps_list_the_organisations_participants_with_matching_open_groups(
    people, course, finished, django_assert_max_num_queries
):
    level_2 = open_group(people, course, level=2)
    level_1 = open_group(people, course, level=1)
    open_group(people, course, level=3)
    closed = open_group(people, course, level=2)
    CourseGroup.objects.filter(pk=closed.pk).update(status=CourseGroup.Status.CLOSED)
    for _i in range(5):
        open_group(people, course, level=2)

    with django_assert_max_num_queries(9):
        rows = next_steps(finished, people.promen)

    assert [row.seat.first_name for row in rows] == ["Anja", "Bram"]
    anja, bram = rows
    assert anja.groups[0] == level_2 and len(anja.groups) == 6
    assert all(group.level == 2 for group in anja.groups)
    assert [group.pk for group in bram.groups] == [level_1.pk]
    assert anja.course_title == "Klik & Tik"
    assert anja.groups[0].availability.free == 5


def test_there_are_no_next_steps_before_the_group_is_completed(people, group, promen_booking):
    assert next_steps(group, people.promen) == []


# -- booking it in one action -------------------------------------------------------------------


def test_booking_the_next_step_confirms_a_seat_with_the_participants_details(
    people, course, finished
):
    to_group = open_group(people, course, level=2)
    anja = finished.seats["Anja"]

    result = book(anja, to_group, people.contact_promen)

    (seat,) = result.confirmed
    seat.refresh_from_db()
    assert seat.booking.group == to_group
    assert seat.booking.organisation == people.promen
    assert (seat.first_name, seat.learning_goal, seat.support_needs) == (
        "Anja",
        "Inloggen met DigiD",
        "Grote letters",
    )
    assert seat.continues_from == anja
    assert seat.status == Seat.Status.CONFIRMED
    (record,) = Seat.history.filter(id=seat.pk)
    assert record.continues_from_id == anja.pk
    assert record.history_user == people.contact_promen


def test_booking_the_next_step_in_a_full_group_puts_the_participant_on_the_waiting_list(
    people, course, finished
):
    to_group = open_group(people, course, level=2, capacity=1)
    SeatFactory(booking=BookingFactory(group=to_group, organisation=people.konnected))

    result = book(finished.seats["Anja"], to_group, people.contact_promen)

    (seat,) = result.waitlisted
    assert seat.status == Seat.Status.WAITLISTED
    assert result.waitlist_positions[seat.pk] == 1


def test_the_next_step_can_be_booked_again_after_it_was_cancelled(people, course, finished):
    to_group = open_group(people, course, level=2)
    anja = finished.seats["Anja"]
    first = book(anja, to_group, people.contact_promen)
    services.cancel_booking(booking=first.booking, by=people.contact_promen)

    again = book(anja, to_group, people.contact_promen)

    assert again.confirmed[0].continues_from == anja


# -- refusals -----------------------------------------------------------------------------------


def seats_now():
    return sorted(Seat.objects.values_list("pk", "status", "continues_from"))


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("other organisation", NotAllowed),
        ("not completed", InvalidState),
        ("twice", InvalidState),
        ("wrong level", InvalidRequest),
        ("other course", InvalidRequest),
        ("not bookable", GroupNotBookable),
        ("cancelled seat", InvalidState),
    ],
)
def test_the_next_step_is_refused_and_nothing_changes(people, course, finished, case, error):
    to_group = open_group(people, course, level=2)
    seat, by = finished.seats["Anja"], people.contact_promen
    if case == "other organisation":
        by = people.contact_konnected
    elif case == "not completed":
        CourseGroup.objects.filter(pk=finished.pk).update(status=CourseGroup.Status.CLOSED)
    elif case == "twice":
        book(seat, open_group(people, course, level=2), by)
    elif case == "wrong level":
        to_group = open_group(people, course, level=3)
    elif case == "other course":
        other = CoursePageFactory(parent=course.get_parent(), title="Digisterker")
        to_group = open_group(people, other, level=2)
    elif case == "not bookable":
        CourseGroup.objects.filter(pk=to_group.pk).update(status=CourseGroup.Status.CLOSED)
    elif case == "cancelled seat":
        Seat.objects.filter(pk=seat.pk).update(status=Seat.Status.CANCELLED)
    before = seats_now()

    with pytest.raises(error) as refused:
        book(seat, to_group, by)

    assert refused.value.message
    assert seats_now() == before


def test_the_database_refuses_a_second_next_step_for_one_seat(people, course, finished):
    to_group = open_group(people, course, level=2)
    anja = finished.seats["Anja"]
    book(anja, to_group, people.contact_promen)

    with pytest.raises(IntegrityError), transaction.atomic():
        SeatFactory(booking=BookingFactory(group=to_group), continues_from=anja)


# -- the portal ---------------------------------------------------------------------------------


def booking_url(seat):
    return reverse("portal:booking", kwargs={"pk": seat.booking_id})


def next_step_url(seat):
    return reverse("portal:seat_next_step", kwargs={"pk": seat.pk})


def test_the_booking_page_advises_each_participant_and_books_with_one_button(
    promen_client, people, course, finished, in_english
):
    to_group = open_group(people, course, level=2)
    anja = finished.seats["Anja"]

    page = promen_client.get(booking_url(anja))
    text = text_of(page)

    assert "Keep learning" in text
    assert "Advice: Klik & Tik level 2" in text
    assert "Advice: Klik & Tik level 1" in text  # Bram does the course again
    assert "Was not at enough lessons for a certificate" in text
    assert "Dewi" not in text
    assert f'action="{next_step_url(anja)}"' in page.content.decode()

    response = promen_client.post(next_step_url(anja), {"group": to_group.pk}, follow=True)

    seat = Seat.objects.get(continues_from=anja)
    assert response.redirect_chain[-1][0] == booking_url(seat)
    assert "A seat has been reserved for Anja. The seat is confirmed." in text_of(response)
    after = text_of(promen_client.get(booking_url(anja)))
    assert "A seat has already been reserved for this." in after


def test_a_full_group_is_offered_as_the_waiting_list_and_said_so_after(
    promen_client, people, course, finished, in_english
):
    to_group = open_group(people, course, level=2, capacity=1)
    SeatFactory(booking=BookingFactory(group=to_group, organisation=people.konnected))
    anja = finished.seats["Anja"]

    assert "Join the waiting list" in text_of(promen_client.get(booking_url(anja)))
    response = promen_client.post(next_step_url(anja), {"group": to_group.pk}, follow=True)

    assert "The group is full, so Anja is on the waiting list (place 1)." in text_of(response)


def test_another_organisations_seat_is_not_found_by_get_or_post(
    promen_client, people, course, finished, booking_state
):
    to_group = open_group(people, course, level=2)
    dewi = finished.seats["Dewi"]
    before = booking_state()

    assert promen_client.get(next_step_url(dewi)).status_code == 404
    assert promen_client.post(next_step_url(dewi), {"group": to_group.pk}).status_code == 404
    assert promen_client.get(booking_url(dewi)).status_code == 404
    assert booking_state() == before


@pytest.mark.parametrize("value", ["", "abc", "999999", "-1"])
def test_a_missing_or_unknown_group_is_refused_in_plain_words(
    promen_client, people, course, finished, booking_state, in_english, value
):
    anja = finished.seats["Anja"]
    before = booking_state()

    response = promen_client.post(next_step_url(anja), {"group": value}, follow=True)

    assert response.redirect_chain[-1][0] == f"{booking_url(anja)}#next-step"
    assert "Choose one of the groups shown." in text_of(response)
    assert booking_state() == before


def test_a_second_click_is_refused_in_plain_words(
    promen_client, people, course, finished, in_english
):
    to_group = open_group(people, course, level=2)
    anja = finished.seats["Anja"]
    promen_client.post(next_step_url(anja), {"group": to_group.pk})

    response = promen_client.post(next_step_url(anja), {"group": to_group.pk}, follow=True)

    assert "A next course has already been booked for this participant." in text_of(response)
    assert Seat.objects.filter(continues_from=anja).count() == 1


def test_a_group_of_another_level_is_refused_in_plain_words(
    promen_client, people, course, finished, in_english
):
    anja = finished.seats["Anja"]
    wrong = open_group(people, course, level=3)

    response = promen_client.post(next_step_url(anja), {"group": wrong.pk}, follow=True)

    assert "This group is not the advised course and level." in text_of(response)
    assert not Seat.objects.filter(continues_from=anja).exists()


def test_get_of_the_button_address_goes_back_to_the_advice(promen_client, finished):
    anja = finished.seats["Anja"]

    response = promen_client.get(next_step_url(anja))

    assert response.status_code == 302
    assert response.url == f"{booking_url(anja)}#next-step"


def test_a_running_group_has_no_next_step_section(promen_client, promen_booking, in_english):
    assert "Keep learning" not in text_of(
        promen_client.get(reverse("portal:booking", kwargs={"pk": promen_booking.pk}))
    )


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_next_step_section_is_valid_html(promen_client, people, course, finished, language):
    open_group(people, course, level=2)
    full = open_group(people, course, level=1, capacity=1)
    SeatFactory(booking=BookingFactory(group=full, organisation=people.konnected))
    with translation.override(language):
        url = booking_url(finished.seats["Anja"])
    pages = {"booking": promen_client.get(url).text}
    assert 'id="next-step"' in pages["booking"]
    assert ("Verder leren" if language == "nl" else "Keep learning") in pages["booking"]
    for name, html in pages.items():
        assert markup_problems(html) == [], name
    if not nu_checker_missing():
        assert nu_errors(pages) == {}


# -- retention ----------------------------------------------------------------------------------


def test_retention_erases_the_link_to_the_earlier_course_in_seats_and_history(
    people, course, finished
):
    to_group = open_group(people, course, level=2)
    (seat,) = book(finished.seats["Anja"], to_group, people.contact_promen).confirmed
    last = to_group.sessions.order_by("date").last().date

    services.remove_participant_details(ended_before=last + datetime.timedelta(days=1))

    seat.refresh_from_db()
    assert seat.continues_from is None
    assert not Seat.history.filter(continues_from__isnull=False).exists()
    assert not Seat.objects.filter(continues_from__isnull=False).exists()


# -- the coordinator's count -------------------------------------------------------------------


def test_the_coordinator_sees_how_many_came_back_per_course_without_names(
    client, people, course, finished, digisterker
):
    level_2 = open_group(people, course, level=2)
    book(finished.seats["Anja"], level_2, people.contact_promen)
    book(finished.seats["Bram"], open_group(people, course, level=1), people.contact_promen)
    SeatFactory(booking=BookingFactory(group=level_2, organisation=people.konnected))
    elsewhere = open_group(people, course, level=2, library=people.deventer)
    book(finished.seats["Dewi"], elsewhere, people.contact_konnected)
    client.force_login(people.coordinator_gouda)

    response = client.get(reverse("booking_reports:repeat_participation"))
    export = client.get(reverse("booking_reports:repeat_participation"), {"export": "csv"})

    assert response.status_code == 200
    (row,) = response.context["object_list"]
    # Gouda's Klik & Tik groups: the finished one (3 seats), level 2 (Anja and one other),
    # level 1 (Bram); Dewi's next step is in Deventer's group, not counted here.
    assert (row.label, row.groups, row.seats, row.came_back) == ("Klik & Tik", 3, 6, 2)
    body = response.content.decode() + b"".join(export.streaming_content).decode("utf-8-sig")
    for name in ("Anja", "Bram", "Dewi"):
        assert name not in body
    assert markup_problems(response.content.decode()) == []


# -- demo content ------------------------------------------------------------------------------


def test_the_demo_names_digisterker_after_klik_en_tik_in_both_languages(english):
    call_command("load_demo", stdout=io.StringIO())
    revisions = Revision.objects.count()
    call_command("load_demo", stdout=io.StringIO())

    assert Revision.objects.count() == revisions, "a second run publishes nothing"
    for language in ("nl", "en"):
        course = CoursePage.objects.get(slug="klik-en-tik", locale__language_code=language)
        assert course.next_course.slug == "digisterker"
        assert course.next_course.locale.language_code == language
        assert course.live_revision.as_object().next_course_id == course.next_course_id
