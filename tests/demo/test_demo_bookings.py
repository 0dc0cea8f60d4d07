"""The demo's courses, groups and bookings (`manage.py load_demo`).

The demo is loaded once for this module inside a transaction that is rolled back at the end;
each test runs in a savepoint inside it, so what one test changes the next never sees.
"""

import datetime
import io
import itertools
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.http import HttpRequest
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from wagtail.models import Page
from wagtail_localize.models import Translation

from booking import services
from booking.errors import NotAllowed, OrganisationLimitReached
from booking.models import (
    Action,
    Attendance,
    Booking,
    CourseGroup,
    CourseIndexPage,
    CoursePage,
    Location,
    Membership,
    Organisation,
    Seat,
    Session,
)
from booking.selectors import availability, groups_visible_to
from demo.data import demo_content
from demo.groups import GROUPS

pytestmark = pytest.mark.django_db

LOCATIONS = demo_content().locations
PASSWORD = "leerplein-demo"
COORDINATORS = {
    "coordinator-gouda": "bibliotheek-gouda",
    "coordinator-deventer": "bibliotheek-deventer",
    "coordinator-cuijk": "biblioplus",
}
CONTACTS = {"contact-promen": "promen", "contact-konnected": "konnected", "contact-ibn": "ibn"}
MORNING = (datetime.time(10), datetime.time(12))
AFTERNOON = (datetime.time(13, 30), datetime.time(15, 30))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """load_demo's output; the database holds the demo until the module is done."""
    output = io.StringIO()
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("demo-media"))
    with django_db_blocker.unblock(), media, transaction.atomic():
        call_command("load_demo", stdout=output)
        yield output.getvalue()
        transaction.set_rollback(True)


def user(username):
    return get_user_model().objects.get(username=username)


def counts():
    """How many of everything the booking demo makes, history included."""
    models = [CourseGroup, Session, Booking, Seat, Attendance, Location, Membership]
    numbers = {model.__name__: model.objects.count() for model in models}
    numbers |= {f"{m.__name__} history": m.history.count() for m in models}
    numbers["pages"] = Page.objects.count()
    numbers["users"] = get_user_model().objects.count()
    return numbers


def statuses(seats):
    return {seat.status for seat in seats}


# -- pages ----------------------------------------------------------------------------------


def test_course_pages_exist_in_dutch_and_english(demo, client):
    expected = {
        ("nl", "/nl/cursussen/"): ("Cursussen", CourseIndexPage),
        ("nl", "/nl/cursussen/klik-en-tik/"): ("Klik & Tik", CoursePage),
        ("nl", "/nl/cursussen/digisterker/"): ("Digisterker", CoursePage),
        ("en", "/en/courses/"): ("Courses", CourseIndexPage),
        ("en", "/en/courses/klik-en-tik/"): ("Klik & Tik", CoursePage),
        ("en", "/en/courses/digisterker/"): ("Digisterker", CoursePage),
    }
    pages = Page.objects.type(CourseIndexPage, CoursePage).live().specific()
    found = {(page.locale.language_code, page.url): (page.title, type(page)) for page in pages}
    assert found == expected
    for (_language, url), (title, _model) in expected.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert escape(title) in response.content.decode()


def test_english_course_pages_are_translations_editors_can_keep_working_on(demo):
    for dutch in CoursePage.objects.filter(locale__language_code="nl"):
        english = dutch.get_translations().get(locale__language_code="en").specific
        assert english.alias_of_id is None
        assert english.summary and english.summary != dutch.summary
        assert english.what_you_learn != dutch.what_you_learn
        assert Translation.objects.filter(
            source__object_id=dutch.translation_key, target_locale__language_code="en"
        ).exists()
    digisterker = CoursePage.objects.get(slug="digisterker", locale__language_code="en")
    assert "DigiD" in digisterker.what_to_bring


def test_courses_are_in_the_menu_before_contact(demo):
    for language in ("nl", "en"):
        home = Page.objects.get(depth=2, locale__language_code=language)
        menu = [page.specific_class for page in home.get_children().in_menu().specific()]
        assert CourseIndexPage in menu
        assert menu.index(CourseIndexPage) == len(menu) - 2, "courses, then contact last"


# -- organisations, places, accounts --------------------------------------------------------


def test_libraries_companies_and_places_of_every_kind(demo):
    libraries = set(Organisation.objects.filter(kind="library").values_list("slug", flat=True))
    companies = set(Organisation.objects.filter(kind="sw_company").values_list("slug", flat=True))
    assert {"bibliotheek-gouda", "bibliotheek-deventer", "biblioplus"} <= libraries
    assert {"promen", "konnected", "ibn"} <= companies
    gouda = Organisation.objects.get(slug="bibliotheek-gouda")
    assert gouda.phone and gouda.email, "contact persons are told whom to call after a deadline"
    assert {location.kind for location in Location.objects.all()} == set(Location.Kind.values)
    assert Location.objects.count() == len(LOCATIONS)
    assert not Location.objects.filter(accessibility_notes="").exists()


def test_coordinators_log_in_to_the_admin_and_see_only_their_library(demo, client):
    seen = set()
    for username, library in COORDINATORS.items():
        coordinator = user(username)
        assert coordinator.membership.organisation.slug == library
        assert client.login(request=HttpRequest(), username=username, password=PASSWORD)
        assert client.get("/admin/").status_code == 200
        client.logout()
        visible = set(groups_visible_to(coordinator))
        assert visible, f"{username} has groups to look after"
        assert visible == set(CourseGroup.objects.filter(library__slug=library))
        seen |= visible
    assert seen == set(CourseGroup.objects.all())


def test_contact_persons_book_for_their_company_but_have_no_admin(demo, client):
    for username, company in CONTACTS.items():
        contact = user(username)
        assert contact.membership.organisation.slug == company
        assert client.login(request=HttpRequest(), username=username, password=PASSWORD)
        assert client.get("/admin/").status_code == 302
        client.logout()
        assert not groups_visible_to(contact).exists()
        assert Booking.objects.filter(booked_by=contact, organisation__slug=company).exists()
        assert not Booking.objects.filter(booked_by=contact).exclude(organisation__slug=company)


def test_load_demo_lists_the_new_accounts_with_their_role(demo):
    for username in [*COORDINATORS, *CONTACTS]:
        line = next(line for line in demo.splitlines() if line.strip().startswith(username))
        assert "coordinator" in line or "contact person" in line


# -- groups ---------------------------------------------------------------------------------


def test_groups_in_every_status_at_three_libraries(demo):
    groups = CourseGroup.objects.select_related("library", "location")
    assert groups.count() == len(GROUPS)
    assert {group.status for group in groups} == set(CourseGroup.Status.values)
    assert {group.level for group in groups} == {1, 2, 3}
    assert {group.library.slug for group in groups} == set(COORDINATORS.values())
    assert {group.location.kind for group in groups} == set(Location.Kind.values)
    courses = {group.course.slug for group in groups}
    assert courses == {"klik-en-tik", "digisterker"}
    assert all(group.course.locale.language_code == "nl" for group in groups)


def test_every_group_has_five_weekly_sessions_in_the_coming_three_months(demo):
    today = timezone.localdate()
    for group in CourseGroup.objects.prefetch_related("sessions"):
        sessions = list(group.sessions.all())
        assert len(sessions) == 5
        dates = [session.date for session in sessions]
        assert all(b - a == datetime.timedelta(weeks=1) for a, b in itertools.pairwise(dates))
        assert {(s.starts_at, s.ends_at) for s in sessions} in ({MORNING}, {AFTERNOON})
        assert all(day.weekday() < 5 for day in dates), "no lessons at the weekend"
        if group.status == CourseGroup.Status.COMPLETED:
            assert dates[-1] < today
        else:
            assert today <= dates[0] and dates[-1] <= today + datetime.timedelta(days=92)


def test_open_groups_can_be_booked_now(demo):
    open_groups = CourseGroup.objects.filter(status=CourseGroup.Status.OPEN)
    assert open_groups.count() >= 5
    assert all(group.is_bookable() for group in open_groups)
    assert all(group.cancellation_deadline > timezone.now() for group in open_groups)


def test_full_groups_with_a_waiting_list_and_groups_with_free_seats(demo):
    groups = CourseGroup.objects.filter(status=CourseGroup.Status.OPEN).with_occupancy()
    states = [availability(group) for group in groups]
    assert any(state.is_full and state.waitlisted for state in states)
    assert any(state.free for state in states)
    for group in CourseGroup.objects.with_occupancy():
        assert group.confirmed_seats <= group.capacity


def test_one_group_is_only_for_promen_on_its_own_site(demo):
    group = CourseGroup.objects.get(restricted_to__slug="promen")
    assert group.location.kind == Location.Kind.SW_COMPANY
    assert group.location.organisation.slug == "promen"
    assert group.is_bookable()
    assert {b.organisation.slug for b in group.bookings.all()} == {"promen"}
    konnected = Organisation.objects.get(slug="konnected")
    with pytest.raises(NotAllowed):
        services.reserve_seats(
            group=group, organisation=konnected, by=user("contact-konnected"), seats=1
        )


def test_one_group_limits_the_seats_per_company(demo):
    group = CourseGroup.objects.get(
        library__slug="bibliotheek-deventer", seats_per_organisation__isnull=False
    )
    assert availability(group).free, "there is room, but not for KonnecteD"
    with pytest.raises(OrganisationLimitReached):
        services.reserve_seats(
            group=group,
            organisation=Organisation.objects.get(slug="konnected"),
            by=user("contact-konnected"),
            seats=1,
        )


def test_the_draft_group_is_not_on_the_course_page(demo, client):
    draft = CourseGroup.objects.get(status=CourseGroup.Status.DRAFT)
    assert not draft.bookings.exists()
    upcoming = client.get("/nl/cursussen/digisterker/").context["groups"]
    assert draft not in upcoming
    assert upcoming, "the page shows the other Digisterker groups"


def test_the_past_group_is_completed_with_attendance(demo):
    group = CourseGroup.objects.get(status=CourseGroup.Status.COMPLETED)
    confirmed = Seat.objects.confirmed().filter(booking__group=group)
    assert confirmed.count() == group.capacity
    rows = Attendance.objects.filter(session__group=group)
    assert rows.count() == 5 * group.capacity, "every participant, every session"
    assert set(rows.values_list("status", flat=True)) == set(Attendance.Status.values), (
        "a realistic mix: present, absent and excused"
    )
    assert rows.filter(status=Attendance.Status.PRESENT).count() > rows.count() / 2
    assert not Seat.objects.waitlisted().filter(booking__group=group).exists(), (
        "nobody is left waiting for a course that is over"
    )


def test_the_completed_group_shows_in_the_attendance_list_exports_and_report(demo, client):
    group = CourseGroup.objects.get(status=CourseGroup.Status.COMPLETED)
    coordinator = user("coordinator-deventer")
    client.force_login(coordinator)
    address = reverse("course_groups:attendance_list", args=[group.pk])

    printed = client.get(address).content.decode()
    exported = b"".join(client.get(address, {"export": "csv"}).streaming_content).decode(
        "utf-8-sig"
    )
    report = client.get(reverse("booking_reports:attendance"), {"export": "csv"})
    figures = b"".join(report.streaming_content).decode("utf-8-sig")

    for mark in ("aanwezig", "afwezig", "afgemeld"):
        assert mark in printed and mark in exported, mark
    (row,) = [line for line in figures.splitlines() if f"(groep {group.pk})" in line]
    assert row.endswith(";20;2;3;25;80"), "present, absent, excused, marked, share (%)"


# -- bookings and their history -------------------------------------------------------------


def test_seats_in_every_state_with_participant_details(demo):
    seats = Seat.objects.all()
    assert statuses(seats) == set(Seat.Status.values)
    assert seats.exclude(learning_goal="").exists()
    assert seats.filter(learning_goal__icontains="DigiD").exists()
    assert seats.exclude(support_needs="").exists()
    assert seats.filter(first_name="").exists(), "a booking whose names follow later"
    assert all(len(seat.first_name) <= 10 for seat in seats), "first names or initials only"


def test_cancellations_by_the_company_by_the_library_and_of_a_group(demo):
    cancelled = Seat.history.filter(action=Action.CANCELLED).select_related("history_user")
    by_contact = [h for h in cancelled if h.history_user.username in CONTACTS]
    by_library = [h for h in cancelled if h.history_user.username in COORDINATORS]
    assert by_contact and by_library
    assert all(h.history_change_reason for h in by_library)
    cancelled_group = CourseGroup.objects.get(status=CourseGroup.Status.CANCELLED)
    seats = Seat.objects.filter(booking__group=cancelled_group)
    assert seats.exists() and statuses(seats) == {Seat.Status.CANCELLED}
    assert (
        Seat.history.filter(action=Action.GROUP_CANCELLED, id__in=seats.values("pk")).count()
        == seats.count()
    )


def test_seats_were_promoted_from_the_waiting_list(demo):
    promoted = Seat.history.filter(action=Action.PROMOTED)
    assert promoted.count() >= 2, "after a cancellation and after more seats were added"
    for record in promoted:
        seat = Seat.objects.get(pk=record.id)
        assert seat.status == Seat.Status.CONFIRMED
        assert seat.history.filter(action=Action.WAITLISTED).exists()
    assert CourseGroup.history.filter(action=Action.CAPACITY_CHANGED).exists()


@pytest.mark.parametrize("model", [CourseGroup, Session, Booking, Seat, Attendance])
def test_every_change_has_a_user_and_a_reason_in_the_history(demo, model):
    history = model.history.all()
    assert history.exists()
    assert not history.filter(history_user__isnull=True).exists()
    assert not history.filter(history_change_reason__isnull=True).exists()
    assert not history.filter(history_change_reason="").exists()
    assert not history.filter(action="").exists()


def test_coordinators_plan_and_contact_persons_book(demo):
    for record in CourseGroup.history.filter(action=Action.CREATED).select_related(
        "history_user__membership__organisation"
    ):
        assert record.history_user.membership.organisation_id == record.library_id
    for record in Booking.history.filter(action=Action.CREATED).select_related("history_user"):
        assert (
            CONTACTS[record.history_user.username]
            == Organisation.objects.get(pk=record.organisation_id).slug
        )


# -- running it again -----------------------------------------------------------------------


def test_a_second_run_adds_nothing(demo):
    before = counts()
    output = io.StringIO()
    call_command("load_demo", stdout=output)
    assert counts() == before
    report = output.getvalue()
    assert re.search(rf"Course groups: 0 new, {len(GROUPS)} already there", report)
    assert re.search(rf"Bookings: 0 new, {before['Booking']} already there", report)
    assert "Locations: 0 new" in report


def test_a_second_run_keeps_what_coordinators_changed(demo):
    group = CourseGroup.objects.filter(status=CourseGroup.Status.OPEN).first()
    coordinator = user(next(u for u, lib in COORDINATORS.items() if lib == group.library.slug))
    group.trainer = "Nieuwe docent"
    services.save_group(group=group, by=coordinator, reason="Andere docent")
    services.cancel_group(
        group=CourseGroup.objects.get(status=CourseGroup.Status.CLOSED),
        by=user("coordinator-gouda"),
        reason="Lokaal niet beschikbaar",
    )
    before = counts()
    call_command("load_demo", stdout=io.StringIO())
    assert counts() == before
    group.refresh_from_db()
    assert group.trainer == "Nieuwe docent"
    assert CourseGroup.objects.filter(status=CourseGroup.Status.CLOSED).count() == 0
