"""Valid HTML on the booking pages: the times in the portal's and the admin's history carry a
`datetime` HTML accepts (whole seconds, where the database keeps microseconds), and no form
in the portal has an empty `action` (a form without one submits to its own page)."""

import pytest
from django.urls import reverse
from django.utils import translation

from booking import services
from booking.services import SeatRequest
from tests.html_checker import datetime_values, form_actions, markup_problems

from .factories import CourseGroupFactory, LocationFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ("nl", "en")


@pytest.fixture
def history(people, group, promen_booking):
    """Promen's booking with a history of several steps: reserved, a seat cancelled, a
    capacity change by the library."""
    seat = promen_booking.seats.order_by("pk").last()
    services.cancel_seats(
        booking=promen_booking, by=people.contact_promen, reason="Ziek", seat_ids=[seat.pk]
    )
    services.change_capacity(group=group, capacity=7, by=people.coordinator_gouda, reason="Extra")
    return promen_booking


def assert_valid(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.content.decode()
    assert markup_problems(body) == [], url
    return body


@pytest.mark.parametrize("lang", LANGUAGES)
def test_portal_pages_have_valid_times_and_forms(promen_client, people, group, history, lang):
    other = CourseGroupFactory(
        course=group.course,
        library=people.gouda,
        location=LocationFactory(organisation=people.gouda),
    )
    seat = history.seats.order_by("pk").first()
    with translation.override(lang):
        urls = {
            "overview": reverse("portal:overview"),
            "find groups": reverse("portal:find_groups"),
            "find groups, filtered": f"{reverse('portal:find_groups')}?course={group.course.pk}",
            "reserve": reverse("portal:reserve", kwargs={"group_id": other.pk}),
            "reserve, seats chosen": (
                f"{reverse('portal:reserve', kwargs={'group_id': other.pk})}?seats=2"
            ),
            "booking": reverse("portal:booking", kwargs={"pk": history.pk}),
            "booking cancel": reverse("portal:booking_cancel", kwargs={"pk": history.pk}),
            "seat edit": reverse("portal:seat_edit", kwargs={"pk": seat.pk}),
            "seat cancel": reverse("portal:seat_cancel", kwargs={"pk": seat.pk}),
            "seat move": reverse("portal:seat_move", kwargs={"pk": seat.pk}),
            "calendar": reverse("portal:calendar"),
            "api keys": reverse("portal:api_keys"),
        }
        bodies = {name: assert_valid(promen_client, url) for name, url in urls.items()}

    # The history shows moments, and every form that submits to its own page leaves out action.
    moments = [value for value in datetime_values(bodies["booking"]) if "T" in value]
    assert len(moments) >= 3
    assert all(value.endswith(("+01:00", "+02:00")) for value in moments)
    for name in ("find groups", "reserve", "booking cancel", "seat edit", "seat move"):
        assert None in form_actions(bodies[name]), name


def test_admin_timelines_and_audit_log_have_valid_times(client, people, group, history):
    client.force_login(people.coordinator_gouda)
    urls = [
        reverse("booking_history:group", args=[group.pk]),
        reverse("booking_history:booking", args=[history.pk]),
        reverse("booking_audit_log:index"),
        reverse("booking_audit_log:index_results"),
    ]
    for url in urls:
        body = assert_valid(client, url)
        assert any("T" in value for value in datetime_values(body)), url


@pytest.mark.parametrize("lang", LANGUAGES)
def test_course_page_times_are_valid(client, course_site, people, lang):
    CourseGroupFactory(
        course=course_site.course,
        library=people.gouda,
        location=LocationFactory(organisation=people.gouda),
    )
    services.reserve_seats(
        group=course_site.course.groups.get(),
        organisation=people.promen,
        by=people.contact_promen,
        seats=[SeatRequest(first_name="Anja")],
    )
    page = course_site.course if lang == "nl" else course_site.english_course

    with translation.override(lang):  # the page's language ends with the test
        body = assert_valid(client, page.url)

    assert len(datetime_values(body)) >= 5 * 3  # a date, a start and an end per session
