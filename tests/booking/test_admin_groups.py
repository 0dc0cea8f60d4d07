"""The coordinators' admin for course groups: list, create, edit, copy, delete, the group's
page, actions on seats and groups, attendance and the attendance list, the dashboard panel,
and that nobody reaches another library's groups.

Every change goes through booking.services; a refusal shows the service's message on the form
and changes nothing (`snapshot()` before and after).
"""

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from booking import selectors
from booking.models import (
    Action,
    Attendance,
    CourseGroup,
    Seat,
    Session,
)
from booking.models.history import SystemReason
from tests.helpers import text_of

from .admin_helpers import group_url, is_refusal, speak
from .factories import (
    BookingFactory,
    CourseGroupFactory,
    CoursePageFactory,
    LocationFactory,
    SeatFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


url = group_url


def book(group, organisation, contact, *names, waitlisted=False, minutes_ago=60):
    """A booking with seats written by the factories: the scene, not the thing under test."""
    booking = BookingFactory(group=group, organisation=organisation, booked_by=contact)
    waiting_since = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    seats = [
        SeatFactory(
            booking=booking,
            first_name=name,
            status=Seat.Status.WAITLISTED if waitlisted else Seat.Status.CONFIRMED,
            waitlisted_at=waiting_since if waitlisted else None,
        )
        for name in names
    ]
    return booking, seats


@pytest.fixture
def full_group(staff, group):
    """Gouda's group, full: five confirmed, two waiting (Fatma first), one cancelled."""
    promen, konnected = staff.promen, staff.konnected
    _, (anna, bram) = book(group, promen, staff.contact_promen, "Anna", "Bram")
    anna.learning_goal = "Inloggen met DigiD"
    anna.support_needs = "Grote letters"
    anna.save()
    _, confirmed = book(group, konnected, staff.contact_konnected, "Chris", "Dewi", "Eva")
    _, (fatma,) = book(
        group, promen, staff.contact_promen, "Fatma", waitlisted=True, minutes_ago=50
    )
    _, (gijs,) = book(
        group, konnected, staff.contact_konnected, "Gijs", waitlisted=True, minutes_ago=10
    )
    hans = SeatFactory(booking=anna.booking, first_name="Hans", status=Seat.Status.CANCELLED)
    group.seats = {seat.first_name: seat for seat in [anna, bram, *confirmed, fatma, gijs, hans]}
    return group


def group_form_data(group=None, *, course, location, library=None, first=None, **overrides):
    """What the create/edit form posts: the group's fields and the sessions formset."""
    first = first or TODAY() + datetime.timedelta(days=30)
    sessions = list(group.sessions.all()) if group else []
    data = {
        "course": course.pk,
        "level": 2,
        "library": library.pk if library else "",
        "location": location.pk,
        "trainer": "Ans de Vries",
        "capacity": 5,
        "seats_per_organisation": "",
        "restricted_to": "",
        "status": "open",
        "booking_opens_at": f"{first - datetime.timedelta(days=20)} 09:00",
        "booking_closes_at": f"{first - datetime.timedelta(days=3)} 17:00",
        "cancellation_deadline": f"{first - datetime.timedelta(days=2)} 17:00",
        "notes": "",
        "sessions-TOTAL_FORMS": len(sessions) or 5,
        "sessions-INITIAL_FORMS": len(sessions),
        "sessions-MIN_NUM_FORMS": 1,
        "sessions-MAX_NUM_FORMS": 1000,
    }
    if sessions:
        for index, session in enumerate(sessions):
            data[f"sessions-{index}-id"] = session.pk
            data[f"sessions-{index}-date"] = session.date.isoformat()
            data[f"sessions-{index}-starts_at"] = session.starts_at.strftime("%H:%M")
            data[f"sessions-{index}-ends_at"] = session.ends_at.strftime("%H:%M")
    else:
        for week in range(5):
            data[f"sessions-{week}-id"] = ""
            data[f"sessions-{week}-date"] = (first + datetime.timedelta(weeks=week)).isoformat()
            data[f"sessions-{week}-starts_at"] = "10:00"
            data[f"sessions-{week}-ends_at"] = "12:00"
    data.update(overrides)
    return data


def edit_data(group, **overrides):
    group.refresh_from_db()

    def local(moment):
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")

    data = group_form_data(group, course=group.course, location=group.location)
    data.update(
        library=group.library_id,
        level=group.level,
        capacity=group.capacity,
        status=group.status,
        trainer=group.trainer,
        booking_opens_at=local(group.booking_opens_at),
        booking_closes_at=local(group.booking_closes_at),
        cancellation_deadline=local(group.cancellation_deadline),
    )
    data.update(overrides)
    return data


def snapshot():
    """Everything a refused request must leave as it was."""
    return (
        list(
            CourseGroup.objects.order_by("pk").values_list(
                "pk", "status", "capacity", "trainer", "library_id", "booking_opens_at"
            )
        ),
        list(Session.objects.order_by("pk").values_list("pk", "group_id", "date")),
        list(Seat.objects.order_by("pk").values_list("pk", "status", "first_name")),
        list(Attendance.objects.order_by("pk").values_list("pk", "status")),
        CourseGroup.history.count(),
        Seat.history.count(),
    )


# -- list -----------------------------------------------------------------------------------


@pytest.fixture
def deventer_group(staff, course):
    return CourseGroupFactory(course=course, library=staff.deventer, trainer="Deventer trainer")


def listed_group_ids(response):
    return {
        int(pk)
        for pk in re.findall(
            r'href="/admin/course-planning/groups/inspect/(\d+)/"', response.content.decode()
        )
    }


def test_list_shows_a_coordinator_only_their_own_librarys_groups(
    client, staff, full_group, deventer_group
):
    client.force_login(staff.coordinator_deventer)
    assert listed_group_ids(client.get(url("index"))) == {deventer_group.pk}

    client.force_login(staff.coordinator_gouda)
    assert listed_group_ids(client.get(url("index"))) == {full_group.pk}

    client.force_login(staff.admin)
    assert listed_group_ids(client.get(url("index"))) == {full_group.pk, deventer_group.pk}


def test_list_shows_occupancy_as_a_bar_with_words(client, staff, full_group):
    client.force_login(staff.coordinator_gouda)
    html = client.get(url("index")).content.decode()
    assert 'role="img" aria-label="5 of 5 taken, 2 on the waiting list"' in html
    assert "width: 100%" in html
    assert "Klik &amp; Tik" in html


def test_list_filters_by_course_location_status_and_period(client, staff, group, course):
    other_course = CoursePageFactory(parent=course.get_parent(), title="Digisterker")
    library_branch = group.location
    neighbourhood = LocationFactory(organisation=staff.gouda, name="Buurthuis De Kom")
    later = CourseGroupFactory(
        course=other_course,
        library=staff.gouda,
        location=neighbourhood,
        draft=True,
        sessions__first=TODAY() + datetime.timedelta(days=90),
    )
    client.force_login(staff.coordinator_gouda)

    def listed(**params):
        return listed_group_ids(client.get(url("index"), params))

    assert listed() == {group.pk, later.pk}
    assert listed(course=other_course.pk) == {later.pk}
    assert listed(course=course.pk) == {group.pk}
    assert listed(location=library_branch.pk) == {group.pk}
    assert listed(location=neighbourhood.pk) == {later.pk}
    assert listed(status="draft") == {later.pk}
    assert listed(status="open") == {group.pk}
    assert listed(period_from=(TODAY() + datetime.timedelta(days=60)).isoformat()) == {later.pk}
    assert listed(period_to=(TODAY() + datetime.timedelta(days=60)).isoformat()) == {group.pk}


def test_list_needs_the_same_number_of_queries_for_5_and_20_groups(
    client, staff, course, django_assert_max_num_queries
):
    def make_groups(count):
        for _number in range(count):
            group = CourseGroupFactory(course=course, library=staff.gouda)
            book(group, staff.promen, staff.contact_promen, "Anna", "Bram")
            book(group, staff.promen, staff.contact_promen, "Cas", waitlisted=True)

    client.force_login(staff.coordinator_gouda)
    client.get(url("index"))  # sessions, content types and permissions are cached after this
    make_groups(5)
    with CaptureQueriesContext(connection) as five:
        assert client.get(url("index")).status_code == 200
    make_groups(15)
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(url("index"))
    assert len(listed_group_ids(response)) == 20
    assert len(twenty) == len(five)
    with django_assert_max_num_queries(len(five)):
        client.get(url("index"))


def test_list_export_holds_only_the_coordinators_groups(client, staff, full_group, deventer_group):
    client.force_login(staff.coordinator_deventer)
    response = client.get(url("index"), {"export": "csv"})
    rows = read_csv(response)
    assert [row[0] for row in rows[1:]] == [str(deventer_group.pk)]


# -- create and edit ------------------------------------------------------------------------


def test_coordinator_creates_a_group_with_five_sessions_for_their_own_library(
    client, staff, course, group
):
    client.force_login(staff.coordinator_gouda)
    location = LocationFactory(organisation=staff.gouda, name="Buurthuis De Kom")
    first = TODAY() + datetime.timedelta(days=30)
    # A hand-made POST that names another library: the field is fixed, so it is ignored.
    data = group_form_data(course=course, location=location, library=staff.deventer, first=first)

    response = client.post(url("add"), data)

    new = CourseGroup.objects.exclude(pk=group.pk).get()
    assert response.status_code == 302
    assert response["Location"] == url("inspect", new.pk)
    assert new.library == staff.gouda
    assert new.level == 2 and new.capacity == 5 and new.status == "open"
    assert [s.date for s in new.sessions.all()] == [
        first + datetime.timedelta(weeks=week) for week in range(5)
    ]
    record = new.history.get()
    assert record.history_user == staff.coordinator_gouda
    assert (record.history_change_reason, record.reason_language) == (
        SystemReason.GROUP_CREATED,
        "",
    )
    assert record.action == Action.CREATED
    session_record = Session.history.filter(group_id=new.pk).first()
    assert session_record.history_user == staff.coordinator_gouda


def test_superuser_plans_a_group_for_any_library(client, staff, course):
    client.force_login(staff.admin)
    location = LocationFactory(organisation=staff.deventer)
    data = group_form_data(course=course, location=location, library=staff.deventer)

    assert client.post(url("add"), data).status_code == 302

    assert CourseGroup.objects.get().library == staff.deventer


def test_create_form_offers_dutch_course_pages_and_planning_states_only(client, staff, course_site):
    client.force_login(staff.coordinator_gouda)
    html = client.get(url("add")).content.decode()
    course_options = re.search(r'<select name="course".*?</select>', html, re.S).group(0)
    assert f'value="{course_site.course.pk}"' in course_options
    assert f'value="{course_site.english_course.pk}"' not in course_options
    status_options = re.search(r'<select name="status".*?</select>', html, re.S).group(0)
    assert re.findall(r'value="(\w+)"', status_options) == ["draft", "open", "closed"]
    assert 'name="reason"' not in html


def test_create_refuses_an_english_course_page_and_a_cancelled_status(client, staff, course_site):
    client.force_login(staff.coordinator_gouda)
    location = LocationFactory(organisation=staff.gouda)
    for wrong in (
        {"course": course_site.english_course.pk},
        {"status": "cancelled"},
        {"status": "completed"},
    ):
        data = {**group_form_data(course=course_site.course, location=location), **wrong}
        response = client.post(url("add"), data)
        assert response.status_code == 200
        assert "Select a valid choice" in text_of(response)
    assert not CourseGroup.objects.exists()


def test_edit_saves_through_the_service_with_the_reason(client, staff, full_group):
    client.force_login(staff.coordinator_gouda)
    data = edit_data(full_group, trainer="Kees Jansen", reason="Ans is met verlof")

    response = client.post(url("edit", full_group.pk), data)

    assert response.status_code == 302
    full_group.refresh_from_db()
    assert full_group.trainer == "Kees Jansen"
    record = full_group.history.latest("history_date")
    assert record.history_user == staff.coordinator_gouda
    assert record.history_change_reason == "Ans is met verlof"
    assert record.action == Action.EDITED


def test_edit_asks_for_a_reason(client, staff, full_group):
    client.force_login(staff.coordinator_gouda)
    before = snapshot()

    response = client.post(url("edit", full_group.pk), edit_data(full_group, trainer="Kees"))

    assert response.status_code == 200
    assert "This field is required." in text_of(response)
    assert snapshot() == before


def test_edit_with_fewer_seats_than_confirmed_is_refused_and_keeps_what_was_typed(
    client, staff, full_group
):
    client.force_login(staff.coordinator_gouda)
    before = snapshot()
    data = edit_data(full_group, capacity=3, trainer="Kees Jansen", reason="Kleinere zaal")
    data["sessions-0-starts_at"] = "09:30"

    response = client.post(url("edit", full_group.pk), data)

    assert response.status_code == 200
    page = text_of(response)
    assert "5 seats are already confirmed, so the group needs at least 5 seats." in page
    html = response.content.decode()
    assert 'value="Kees Jansen"' in html
    assert 'value="3"' in html
    assert "Kleinere zaal" in html
    assert 'value="09:30"' in html
    assert snapshot() == before


def test_edit_form_of_a_cancelled_group_keeps_its_status(client, staff, group):
    group.status = CourseGroup.Status.CANCELLED
    group.save()
    client.force_login(staff.coordinator_gouda)

    response = client.post(
        url("edit", group.pk), edit_data(group, status="open", trainer="Kees", reason="Typo")
    )

    assert response.status_code == 302
    group.refresh_from_db()
    assert group.status == CourseGroup.Status.CANCELLED
    assert group.trainer == "Kees"


def test_edit_can_add_and_remove_sessions(client, staff, group):
    client.force_login(staff.coordinator_gouda)
    data = edit_data(group, reason="Een les erbij, de laatste eraf")
    sessions = list(group.sessions.all())
    data["sessions-4-DELETE"] = "on"
    extra = sessions[-1].date + datetime.timedelta(weeks=2)
    data.update(
        {
            "sessions-TOTAL_FORMS": 6,
            "sessions-5-id": "",
            "sessions-5-date": extra.isoformat(),
            "sessions-5-starts_at": "13:00",
            "sessions-5-ends_at": "15:00",
        }
    )

    assert client.post(url("edit", group.pk), data).status_code == 302

    dates = [session.date for session in group.sessions.all()]
    assert dates == [s.date for s in sessions[:4]] + [extra]


# -- copy -----------------------------------------------------------------------------------


def test_copy_moves_sessions_booking_period_and_deadline_and_is_a_draft(client, staff, full_group):
    client.force_login(staff.coordinator_gouda)
    old_sessions = list(full_group.sessions.all())
    new_first = old_sessions[0].date + datetime.timedelta(days=91)

    response = client.post(url("copy", full_group.pk), {"first_date": new_first.isoformat()})

    copy = CourseGroup.objects.exclude(pk=full_group.pk).get()
    assert response.status_code == 302
    assert response["Location"] == url("edit", copy.pk)
    assert copy.status == CourseGroup.Status.DRAFT
    assert (copy.course, copy.library, copy.location, copy.capacity, copy.trainer) == (
        full_group.course,
        full_group.library,
        full_group.location,
        full_group.capacity,
        full_group.trainer,
    )
    shift = datetime.timedelta(days=91)
    assert [(s.date, s.starts_at, s.ends_at) for s in copy.sessions.all()] == [
        (s.date + shift, s.starts_at, s.ends_at) for s in old_sessions
    ]
    for name in ("booking_opens_at", "booking_closes_at", "cancellation_deadline"):
        old, new = (timezone.localtime(getattr(g, name)) for g in (full_group, copy))
        assert new.date() == old.date() + shift
        assert new.time() == old.time(), f"{name} keeps its clock time"
    assert not Seat.objects.filter(booking__group=copy).exists()
    record = copy.history.get()
    assert record.history_user == staff.coordinator_gouda
    # Written for the coordinator in the admin's language, which the record keeps.
    with translation.override(record.reason_language):
        expected = translation.gettext("Copied from group %(number)s") % {"number": full_group.pk}
    assert record.reason_language in ("nl", "en")
    assert record.history_change_reason == expected


def test_copy_asks_for_a_valid_date(client, staff, group):
    client.force_login(staff.coordinator_gouda)
    before = snapshot()

    response = client.post(url("copy", group.pk), {"first_date": "31-02-2027"})

    assert response.status_code == 200
    assert "Enter a valid date." in text_of(response)
    assert snapshot() == before


# -- delete ---------------------------------------------------------------------------------


def test_delete_removes_a_group_nobody_booked(client, staff, group):
    client.force_login(staff.coordinator_gouda)
    assert client.get(url("delete", group.pk)).status_code == 200

    response = client.post(url("delete", group.pk))

    assert response.status_code == 302
    assert not CourseGroup.objects.filter(pk=group.pk).exists()
    record = CourseGroup.history.filter(id=group.pk, history_type="-").get()
    assert record.history_user == staff.coordinator_gouda


def test_delete_refuses_a_group_with_bookings(client, staff, full_group):
    client.force_login(staff.coordinator_gouda)
    before = snapshot()

    response = client.post(url("delete", full_group.pk), follow=True)

    assert snapshot() == before
    assert "People have booked seats in this group. Cancel the group instead." in text_of(response)


# -- the group's page -----------------------------------------------------------------------


def test_group_page_shows_seats_by_status_with_participant_details(client, staff, full_group):
    client.force_login(staff.coordinator_gouda)
    response = client.get(url("inspect", full_group.pk))
    assert response.status_code == 200
    page = text_of(response)
    html = response.content.decode()

    confirmed = page[page.index("Confirmed seats") : page.index("Waiting list")]
    waiting = page[page.index("Waiting list") : page.index("Cancelled seats")]
    cancelled = page[page.index("Cancelled seats") :]
    for name in ("Anna", "Bram", "Chris", "Dewi", "Eva"):
        assert name in confirmed and name not in waiting
    assert "Inloggen met DigiD" in confirmed and "Grote letters" in confirmed
    assert "Promen" in confirmed and "KonnecteD" in confirmed
    assert re.search(r"1 Fatma Promen .* 2 Gijs KonnecteD", waiting)
    assert "Hans" in cancelled and "Hans" not in confirmed + waiting
    assert "5 of 5 taken, 2 on the waiting list" in page
    assert reverse("booking_history:group", args=[full_group.pk]) in html
    anna = full_group.seats["Anna"]
    assert reverse("booking_history:booking", args=[anna.booking_id]) in html
    fatma = full_group.seats["Fatma"]
    assert url("promote_seat", full_group.pk, fatma.pk) in html
    assert url("cancel_seat", full_group.pk, anna.pk) in html


def test_group_page_names_each_bookings_contact_person_with_phone_and_email(
    client, staff, full_group, django_assert_max_num_queries
):
    promen = staff.contact_promen
    promen.first_name, promen.last_name = "Ilse", "de Boer"
    promen.save()
    promen.membership.phone = "0182 123 456"
    promen.membership.save()
    client.force_login(staff.coordinator_gouda)
    client.get(url("inspect", full_group.pk))  # warm the caches the page shares with others

    with django_assert_max_num_queries(40):
        response = client.get(url("inspect", full_group.pk))

    page = text_of(response)
    contacts = page[page.index("Contact persons") :]
    html = response.content.decode()
    # One line per booking, in booking order: Promen's two bookings (Anna and Bram; Fatma
    # waiting; Hans cancelled does not count), then KonnecteD's.
    assert re.search(
        r"Promen Ilse de Boer 0182 123 456 contact-promen@example.test 2 "
        r"KonnecteD Sam .* contact-konnected@example.test 3 "
        r"Promen Ilse de Boer .* 1 KonnecteD Sam .* 1",
        contacts,
    ), contacts
    assert 'href="tel:0182123456"' in html
    assert 'href="mailto:contact-promen@example.test"' in html


def test_contact_persons_of_a_groups_bookings_are_read_in_one_query(
    staff, full_group, django_assert_num_queries
):
    seats = list(Seat.objects.filter(booking__group=full_group))
    with django_assert_num_queries(1):
        contacts = selectors.booking_contacts(seats)
    assert [(c.organisation, c.seats) for c in contacts] == [
        ("Promen", 2),
        ("KonnecteD", 3),
        ("Promen", 1),
        ("KonnecteD", 1),
    ]


def test_group_page_without_bookings_has_no_contact_persons(client, staff, group):
    client.force_login(staff.coordinator_gouda)
    response = client.get(url("inspect", group.pk))
    assert response.status_code == 200
    assert "Contact persons" not in text_of(response)


def test_group_page_escapes_participant_names(client, staff, group):
    book(group, staff.promen, staff.contact_promen, '<img src=x onerror="alert(1)">')
    client.force_login(staff.coordinator_gouda)
    html = client.get(url("inspect", group.pk)).content.decode()
    assert "&lt;img src=x" in html
    assert "<img src=x" not in html


# -- dashboard ------------------------------------------------------------------------------


def test_dashboard_shows_a_coordinator_their_next_groups(client, staff, full_group, deventer_group):
    client.force_login(staff.coordinator_gouda)
    response = client.get(reverse("wagtailadmin_home"))
    html = response.content.decode()
    assert 'id="course-planning-upcoming-section"' in html
    assert url("inspect", full_group.pk) in html
    assert url("inspect", deventer_group.pk) not in html
    panel = text_of(response).split("Your next course groups", 1)[1]
    assert "full" in panel


def test_dashboard_panel_is_not_shown_to_other_admin_users(client, staff, full_group):
    editor = UserFactory(username="editor")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "course-planning-upcoming" not in html


def test_dashboard_shows_all_groups_to_a_superuser(client, staff, full_group, deventer_group):
    client.force_login(staff.admin)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert url("inspect", full_group.pk) in html
    assert url("inspect", deventer_group.pk) in html


def refresh(*objects):
    for obj in objects:
        obj.refresh_from_db()


@pytest.fixture
def past_group(staff, course):
    """A Gouda group whose five sessions were in the last five weeks; Anna and Bram came,
    Cas waits."""
    group = CourseGroupFactory(
        course=course,
        library=staff.gouda,
        sessions__first=TODAY() - datetime.timedelta(days=35),
    )
    _, (anna, bram) = book(group, staff.promen, staff.contact_promen, "Anna", "Bram")
    _, (cas,) = book(group, staff.konnected, staff.contact_konnected, "Cas", waitlisted=True)
    group.seats = {"Anna": anna, "Bram": bram, "Cas": cas}
    return group


# -- promote and cancel seats -----------------------------------------------------------------


def test_promote_gives_a_free_seat_to_a_waiting_person_out_of_turn(client, staff, group):
    _, confirmed = book(group, staff.promen, staff.contact_promen, "Anna", "Bram", "Cas", "Dewi")
    _, (fatma,) = book(group, staff.promen, staff.contact_promen, "Fatma", waitlisted=True)
    _, (gijs,) = book(
        group, staff.konnected, staff.contact_konnected, "Gijs", waitlisted=True, minutes_ago=5
    )
    client.force_login(staff.coordinator_gouda)
    assert client.get(url("promote_seat", group.pk, gijs.pk)).status_code == 200

    response = client.post(
        url("promote_seat", group.pk, gijs.pk), {"reason": "Gijs werkt op maandag"}, follow=True
    )

    refresh(fatma, gijs)
    assert gijs.status == Seat.Status.CONFIRMED
    assert fatma.status == Seat.Status.WAITLISTED
    record = gijs.history.latest("history_date")
    assert (record.history_user, record.history_change_reason, record.action) == (
        staff.coordinator_gouda,
        "Gijs werkt op maandag",
        Action.PROMOTED,
    )
    assert "Gijs has a seat now." in text_of(response)


def test_promote_when_the_group_is_full_is_refused(client, staff, full_group):
    fatma = full_group.seats["Fatma"]
    client.force_login(staff.coordinator_gouda)
    before = snapshot()

    response = client.post(url("promote_seat", full_group.pk, fatma.pk), {"reason": "Graag"})

    assert response.status_code == 200
    assert (
        "There is no free seat. Add seats to the group, give back held seats, "
        "or cancel a seat first." in text_of(response)
    )
    assert snapshot() == before


def test_every_action_asks_for_a_reason(client, staff, full_group):
    client.force_login(staff.coordinator_gouda)
    anna, fatma = full_group.seats["Anna"], full_group.seats["Fatma"]
    before = snapshot()
    for address, data in [
        (url("promote_seat", full_group.pk, fatma.pk), {}),
        (url("cancel_seat", full_group.pk, anna.pk), {}),
        (url("capacity", full_group.pk), {"capacity": 7}),
        (url("cancel", full_group.pk), {"confirm": "on"}),
        (url("complete", full_group.pk), {"reason": "   "}),
    ]:
        response = client.post(address, data)
        assert response.status_code == 200, address
        page = text_of(response)
        assert "Please check the form." in page, address
        assert "Reason for this change: This field is required." in page, address
    assert snapshot() == before


def test_cancel_seat_frees_it_for_the_first_on_the_waiting_list(
    client, staff, full_group, django_capture_on_commit_callbacks, mailoutbox
):
    anna, fatma, gijs = (full_group.seats[name] for name in ("Anna", "Fatma", "Gijs"))
    client.force_login(staff.coordinator_gouda)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("cancel_seat", full_group.pk, anna.pk), {"reason": "Anna is ziek"}, follow=True
        )

    refresh(anna, fatma, gijs)
    assert anna.status == Seat.Status.CANCELLED
    assert fatma.status == Seat.Status.CONFIRMED
    assert gijs.status == Seat.Status.WAITLISTED
    record = anna.history.latest("history_date")
    assert (record.history_user, record.history_change_reason) == (
        staff.coordinator_gouda,
        "Anna is ziek",
    )
    assert "The seat of Anna is cancelled." in text_of(response)
    assert {message.to[0] for message in mailoutbox} == {staff.contact_promen.email}


def test_cancel_seat_that_is_already_cancelled_is_refused(client, staff, full_group):
    hans = full_group.seats["Hans"]
    client.force_login(staff.coordinator_gouda)
    before = snapshot()

    response = client.post(url("cancel_seat", full_group.pk, hans.pk), {"reason": "Dubbel"})

    assert response.status_code == 200
    assert "This seat does not exist or has already been cancelled." in text_of(response)
    assert snapshot() == before


def test_a_seat_of_another_group_is_not_found_through_this_group(client, staff, full_group, course):
    other = CourseGroupFactory(course=course, library=staff.gouda)
    _, (zoe,) = book(other, staff.promen, staff.contact_promen, "Zoë", waitlisted=True)
    client.force_login(staff.coordinator_gouda)
    before = snapshot()

    response = client.post(url("promote_seat", full_group.pk, zoe.pk), {"reason": "Probeer"})

    assert response.status_code in (302, 404)
    assert client.get(url("promote_seat", full_group.pk, zoe.pk), follow=True).status_code == 404
    assert snapshot() == before


# -- capacity -------------------------------------------------------------------------------


def test_more_seats_go_to_the_waiting_list_at_once(client, staff, full_group):
    fatma, gijs = full_group.seats["Fatma"], full_group.seats["Gijs"]
    client.force_login(staff.coordinator_gouda)
    page = client.get(url("capacity", full_group.pk)).content.decode()
    assert 'name="capacity" value="5"' in page

    response = client.post(
        url("capacity", full_group.pk),
        {"capacity": 7, "reason": "Grotere zaal"},
        follow=True,
    )

    refresh(full_group, fatma, gijs)
    assert full_group.capacity == 7
    assert fatma.status == gijs.status == Seat.Status.CONFIRMED
    assert "The group has 7 seats now. 2 people from the waiting list got a seat." in text_of(
        response
    )
    record = full_group.history.latest("history_date")
    assert (record.action, record.history_change_reason) == (
        Action.CAPACITY_CHANGED,
        "Grotere zaal",
    )


def test_fewer_seats_than_confirmed_is_refused_on_the_field(client, staff, full_group):
    client.force_login(staff.coordinator_gouda)
    before = snapshot()

    response = client.post(url("capacity", full_group.pk), {"capacity": 4, "reason": "Klein"})

    assert response.status_code == 200
    assert response.context["form"].errors["capacity"] == [
        "5 seats are already confirmed, so the group needs at least 5 seats. "
        "Cancel seats first if the group must be smaller."
    ]
    assert snapshot() == before


# -- cancel and complete the group ----------------------------------------------------------


def test_cancelling_a_group_needs_the_box_ticked(client, staff, full_group):
    client.force_login(staff.coordinator_gouda)
    before = snapshot()

    response = client.post(url("cancel", full_group.pk), {"reason": "Trainer ziek"})

    assert response.status_code == 200
    assert "Tick the box to confirm." in text_of(response)
    assert snapshot() == before


def test_cancel_the_group_cancels_every_seat_and_tells_the_contacts(
    client, staff, full_group, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(staff.coordinator_gouda)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("cancel", full_group.pk),
            {"reason": "Trainer ziek", "confirm": "on"},
            follow=True,
        )

    refresh(full_group)
    assert full_group.status == CourseGroup.Status.CANCELLED
    assert set(Seat.objects.filter(booking__group=full_group).values_list("status", flat=True)) == {
        Seat.Status.CANCELLED
    }
    assert "The group is cancelled." in text_of(response)
    assert {message.to[0] for message in mailoutbox} == {
        staff.contact_promen.email,
        staff.contact_konnected.email,
    }
    record = full_group.history.latest("history_date")
    assert (record.history_user, record.history_change_reason, record.action) == (
        staff.coordinator_gouda,
        "Trainer ziek",
        Action.GROUP_CANCELLED,
    )


def test_cancelling_a_cancelled_group_is_refused(client, staff, full_group):
    client.force_login(staff.coordinator_gouda)
    data = {"reason": "Trainer ziek", "confirm": "on"}
    client.post(url("cancel", full_group.pk), data)
    before = snapshot()

    response = client.post(url("cancel", full_group.pk), data)

    assert response.status_code == 200
    assert "This group has been cancelled; nothing can change any more." in text_of(response)
    assert snapshot() == before


def test_a_group_is_completed_after_its_last_session(client, staff, past_group):
    cas = past_group.seats["Cas"]
    client.force_login(staff.coordinator_gouda)

    response = client.post(
        url("complete", past_group.pk), {"reason": "Laatste les gehad"}, follow=True
    )

    refresh(past_group, cas)
    assert past_group.status == CourseGroup.Status.COMPLETED
    assert cas.status == Seat.Status.CANCELLED
    assert "The group is completed." in text_of(response)


def test_completing_before_the_last_session_is_refused(client, staff, full_group):
    client.force_login(staff.coordinator_gouda)
    before = snapshot()

    response = client.post(url("complete", full_group.pk), {"reason": "Klaar"})

    assert response.status_code == 200
    assert "The group can be completed after its last session." in text_of(response)
    assert snapshot() == before


# -- attendance ---------------------------------------------------------------------------------


def test_attendance_of_a_session_is_recorded_per_confirmed_participant(client, staff, past_group):
    anna, bram, cas = (past_group.seats[name] for name in ("Anna", "Bram", "Cas"))
    session = past_group.sessions.first()
    client.force_login(staff.coordinator_gouda)
    form_page = client.get(url("attendance", past_group.pk, session.pk)).content.decode()
    assert f'name="seat_{anna.pk}"' in form_page
    assert f'name="seat_{cas.pk}"' not in form_page, "only confirmed participants"

    response = client.post(
        url("attendance", past_group.pk, session.pk),
        {f"seat_{anna.pk}": "present", f"seat_{bram.pk}": "absent"},
        follow=True,
    )

    rows = dict(Attendance.objects.filter(session=session).values_list("seat_id", "status"))
    assert rows == {anna.pk: "present", bram.pk: "absent"}
    record = Attendance.history.filter(seat_id=anna.pk).get()
    assert record.history_user == staff.coordinator_gouda
    assert "Attendance for" in text_of(response)
    again = client.get(url("attendance", past_group.pk, session.pk)).content.decode()
    assert (
        f'name="seat_{anna.pk}" value="present" id="id_seat_{anna.pk}_0" required checked' in again
    )


def test_attendance_of_a_future_session_is_refused(client, staff, full_group):
    anna = full_group.seats["Anna"]
    session = full_group.sessions.first()
    client.force_login(staff.coordinator_gouda)
    refusal = "A session in the future cannot be marked yet"

    form_page = client.get(url("attendance", full_group.pk, session.pk))
    response = client.post(
        url("attendance", full_group.pk, session.pk), {f"seat_{anna.pk}": "present"}
    )
    everyone = client.post(
        url("attendance", full_group.pk, session.pk), {"everyone_present": "1"}, follow=True
    )

    # Before anyone ticks a box: the page says why, and offers nothing to tick or save.
    assert refusal in text_of(form_page)
    assert f'name="seat_{anna.pk}"' not in form_page.content.decode()
    assert "everyone_present" not in form_page.content.decode()
    assert response.status_code == 200
    assert refusal in text_of(response)
    assert refusal in text_of(everyone)
    assert not Attendance.objects.exists()


def test_a_session_of_another_group_is_not_found(client, staff, full_group, past_group):
    client.force_login(staff.coordinator_gouda)
    session = past_group.sessions.first()
    response = client.get(url("attendance", full_group.pk, session.pk), follow=True)
    assert response.status_code == 404


# -- the attendance list: print, CSV, XLSX --------------------------------------------------------


@pytest.fixture
def recorded(staff, past_group):
    """Anna was at the first session, Bram was not; a participant with a tricky name."""
    anna, bram = past_group.seats["Anna"], past_group.seats["Bram"]
    first = past_group.sessions.first()
    Attendance.objects.create(session=first, seat=anna, status=Attendance.Status.PRESENT)
    Attendance.objects.create(session=first, seat=bram, status=Attendance.Status.ABSENT)
    book(past_group, staff.konnected, staff.contact_konnected, '=HYPERLINK("x")<b>')
    return past_group


def test_attendance_list_prints_participants_by_sessions_with_escaped_names(
    client, staff, recorded
):
    client.force_login(staff.coordinator_gouda)
    response = client.get(url("attendance_list", recorded.pk))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and 'class="cp-print"' in html
    assert "=HYPERLINK(&quot;x&quot;)&lt;b&gt;" in html
    assert "<b>" not in html
    page = text_of(response)
    assert "Anna Promen ✓ present" in page
    assert "Bram Promen – absent" in page
    assert "Cas" not in page, "the waiting list is not on the attendance list"
    assert html.count('class="cp-print__empty"') == 3 * 5 - 2


def read_csv(response):
    """The CSV as Dutch Excel reads it: UTF-8 after a BOM, ';' between the cells."""
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body), delimiter=";"))


def xlsx_table(workbook):
    """The rows of an XLSX export from its header row on: the title block above it ends
    with an empty row."""
    rows = list(workbook.active.iter_rows())
    blank = next(number for number, row in enumerate(rows) if all(c.value is None for c in row))
    return rows[blank + 1 :]


def test_attendance_list_downloads_as_csv(client, staff, recorded):
    client.force_login(staff.coordinator_gouda)
    sessions = list(recorded.sessions.all())

    rows = read_csv(client.get(url("attendance_list", recorded.pk), {"export": "csv"}))

    assert rows[0] == ["Participant", "Organisation"] + [
        f"{s.date:%d-%m-%Y} {s.starts_at:%H:%M}" for s in sessions
    ]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Anna"][1:3] == ["Promen", "present"]
    assert by_name["Bram"][2] == "absent"
    assert by_name["Anna"][3:] == [""] * 4
    # A name that a spreadsheet would run as a formula stays text.
    assert '\'=HYPERLINK("x")<b>' in by_name


def test_attendance_list_downloads_as_xlsx(client, staff, recorded):
    client.force_login(staff.coordinator_gouda)

    response = client.get(url("attendance_list", recorded.pk), {"export": "xlsx"})

    assert response["Content-Disposition"].startswith("attachment")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    table = xlsx_table(workbook)
    rows = [[cell.value or "" for cell in row] for row in table]
    assert rows[0][:2] == ["Participant", "Organisation"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Anna"][1:3] == ["Promen", "present"]
    tricky = next(row[0] for row in table if "HYPERLINK" in row[0].value)
    assert tricky.value == '=HYPERLINK("x")<b>'
    assert tricky.data_type == "s", "kept as text, not run as a formula"


def test_history_reasons_of_actions_are_what_the_coordinator_typed(client, staff, full_group):
    """Guards the wiring: the reason field reaches the service unchanged, also with spaces."""
    fatma = full_group.seats["Fatma"]
    client.force_login(staff.coordinator_gouda)
    client.post(url("capacity", full_group.pk), {"capacity": 6, "reason": "  Extra stoel  "})
    refresh(fatma)
    assert fatma.status == Seat.Status.CONFIRMED
    assert fatma.history.latest("history_date").history_change_reason == "Extra stoel"


# -- nobody reaches another library's groups --------------------------------------------------


@pytest.fixture
def scene(staff, course):
    """A Gouda group that ran last month: one free seat, one person waiting, attendance due."""
    group = CourseGroupFactory(
        course=course,
        library=staff.gouda,
        sessions__first=TODAY() - datetime.timedelta(days=40),
    )
    _, (anna, bram, cas, dewi) = book(
        group, staff.promen, staff.contact_promen, "Anna", "Bram", "Cas", "Dewi"
    )
    _, (eva,) = book(group, staff.promen, staff.contact_promen, "Eva", waitlisted=True)
    return group, anna, eva, group.sessions.first()


def every_url(group, confirmed, waiting, session):
    """(label, url, valid POST data or None for GET-only) of every group URL."""
    return [
        ("detail", url("inspect", group.pk), None),
        ("edit", url("edit", group.pk), edit_data(group, trainer="X", reason="X")),
        ("delete", url("delete", group.pk), {}),
        ("copy", url("copy", group.pk), {"first_date": "2030-01-07"}),
        ("capacity", url("capacity", group.pk), {"capacity": 7, "reason": "X"}),
        ("cancel", url("cancel", group.pk), {"reason": "X", "confirm": "on"}),
        ("complete", url("complete", group.pk), {"reason": "X"}),
        ("promote", url("promote_seat", group.pk, waiting.pk), {"reason": "X"}),
        ("cancel seat", url("cancel_seat", group.pk, confirmed.pk), {"reason": "X"}),
        (
            "attendance",
            url("attendance", group.pk, session.pk),
            {f"seat_{confirmed.pk}": "present"},
        ),
        (
            "everyone present",
            url("attendance", group.pk, session.pk),
            {"everyone_present": "1"},
        ),
        ("print", url("attendance_list", group.pk), None),
        ("csv", url("attendance_list", group.pk) + "?export=csv", None),
        ("xlsx", url("attendance_list", group.pk) + "?export=xlsx", None),
    ]


def test_another_librarys_coordinator_gets_no_url_of_a_group_and_changes_nothing(
    client, staff, scene
):
    client.force_login(staff.coordinator_deventer)
    before = snapshot()
    for label, address, data in every_url(*scene):
        assert is_refusal(client.get(address)), f"GET {label}"
        if data is not None:
            assert is_refusal(client.post(address, data)), f"POST {label}"
        assert snapshot() == before, label
    group = scene[0]
    assert listed_group_ids(client.get(url("index"))) == set()
    assert listed_group_ids(client.get(url("index_results"))) == set()
    # Wagtail's own history and usage pages of a model are not served: the audit history is
    # booking_history:group, which knows about libraries.
    for wagtail_page in ("history", "usage"):
        address = f"{url('index')}{wagtail_page}/{group.pk}/"
        assert is_refusal(client.get(address)), wagtail_page
    assert url("inspect", group.pk) not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_other_users_get_no_url_of_a_group(client, staff, scene):
    editor = UserFactory(username="editor")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    before = snapshot()
    for user in (editor, staff.contact_promen):
        client.force_login(user)
        assert is_refusal(client.get(url("index")))
        assert is_refusal(client.get(url("add")))
        for label, address, data in every_url(*scene):
            assert is_refusal(client.get(address)), f"GET {label} as {user}"
            if data is not None:
                assert is_refusal(client.post(address, data)), f"POST {label} as {user}"
    client.logout()
    assert is_refusal(client.get(url("inspect", scene[0].pk)))
    assert snapshot() == before


def test_superuser_and_own_coordinator_open_every_page(client, staff, scene):
    for user in (staff.admin, staff.coordinator_gouda):
        client.force_login(user)
        for label, address, _data in every_url(*scene):
            response = client.get(address)
            assert response.status_code == 200, f"{label} as {user}"
        assert client.get(url("index")).status_code == 200
        assert client.get(url("add")).status_code == 200


def test_every_page_renders_in_dutch(client, people, scene):
    """The admin speaks Dutch by default; no page breaks in it."""
    speak("", people.coordinator_gouda)
    client.force_login(people.coordinator_gouda)
    pages = [url("index"), url("add"), reverse("wagtailadmin_home")]
    pages += [address for label, address, _data in every_url(*scene) if "export" not in address]
    for address in pages:
        response = client.get(address)
        assert response.status_code == 200, address
        html = response.content.decode()
        assert 'lang="nl"' in html, address
        assert "{%" not in html and "{{" not in html, address
