"""History in the admin: the timelines of a group and a booking, and the audit log.

Histories are made by real service calls, as in production; the tests read them the way a
coordinator does, and check that nobody reads another library's history or changes any.
"""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.users.models import UserProfile

from booking import services
from booking.history import Change
from booking.models import (
    Attendance,
    Booking,
    CourseGroup,
    Location,
    Membership,
    Organisation,
    Seat,
    Session,
)
from booking.services import SeatRequest
from tests.helpers import text_of

from .admin_helpers import refused
from .factories import CourseGroupFactory, LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(people):
    """Named people whose admin speaks English, so the tests can read the labels."""
    names = {
        "coordinator_gouda": ("Ineke", "Visser"),
        "coordinator_deventer": ("Daan", "Smit"),
        "contact_promen": ("Petra", "Jansen"),
        "contact_konnected": ("Karim", "Bakker"),
        "admin": ("Ada", "Admin"),
    }
    for attribute, (first, last) in names.items():
        user = getattr(people, attribute)
        user.first_name, user.last_name = first, last
        user.save()
        profile = UserProfile.get_for_user(user)
        profile.preferred_language = "en"
        profile.save()
    return people


@pytest.fixture
def story(group, staff):
    """Promen books two seats (one named), KonnecteD one; Gouda adds two seats."""
    services.reserve_seats(
        group=group,
        organisation=staff.promen,
        by=staff.contact_promen,
        seats=[SeatRequest(first_name="Anja", learning_goal="Inloggen met DigiD"), SeatRequest()],
    )
    konnected = services.reserve_seats(
        group=group, organisation=staff.konnected, by=staff.contact_konnected, seats=1
    ).booking
    services.change_capacity(
        group=group, capacity=7, by=staff.coordinator_gouda, reason="Extra trainer"
    )
    return konnected


def deventer_group(staff, course, **kwargs):
    location = LocationFactory(organisation=staff.deventer, name="Bibliotheek Deventer")
    return CourseGroupFactory(course=course, library=staff.deventer, location=location, **kwargs)


def group_history(client, group, **params):
    return client.get(reverse("booking_history:group", args=[group.pk]), params)


# -- timelines ---------------------------------------------------------------------------------


def test_group_timeline_says_when_who_what_and_why_field_by_field(client, group, staff, story):
    client.force_login(staff.coordinator_gouda)

    response = group_history(client, group)

    assert response.status_code == 200
    newest = response.context["entries"][0]
    assert newest.action_label == "Capacity changed"
    assert newest.who == "Ineke Visser"
    assert newest.reason == "Extra trainer"
    assert newest.changes == [Change(field="Number of seats", old="5", new="7")]
    html = response.content.decode()
    assert "Capacity changed" in html
    assert "Extra trainer" in html
    assert "Ineke Visser" in html


def test_group_timeline_lists_the_bookings_and_seats_with_their_starting_values(
    client, group, staff, story
):
    client.force_login(staff.coordinator_gouda)

    entries = group_history(client, group).context["entries"]

    anja = next(e for e in entries if e.subject.endswith("Anja"))
    assert anja.action_label == "Seat confirmed"
    assert anja.who == "Petra Jansen"
    assert anja.company_label == "Promen"
    assert Change("Status", "—", "Confirmed") in anja.changes
    assert Change("Learning goal", "—", "Inloggen met DigiD") in anja.changes
    kinds = {entry.subject_type for entry in entries}
    assert {"Course group", "Session", "Booking", "Seat"} <= kinds
    # newest first
    assert [e.when for e in entries] == sorted((e.when for e in entries), reverse=True)


def test_a_cancelled_seat_shows_old_and_new_status_and_the_reason(client, group, staff, story):
    seat = story.seats.get()
    services.cancel_seats(
        booking=story, by=staff.coordinator_gouda, reason="Ziek gemeld", seat_ids=[seat.pk]
    )
    client.force_login(staff.coordinator_gouda)

    response = group_history(client, group)

    newest = response.context["entries"][0]
    assert newest.action_label == "Cancelled"
    assert newest.who == "Ineke Visser"
    assert newest.changes == [Change("Status", "Confirmed", "Cancelled")]
    assert "Ziek gemeld" in response.content.decode()


def test_attendance_shows_in_the_group_timeline(client, staff, course):
    started = CourseGroupFactory(
        course=course,
        library=staff.gouda,
        location=LocationFactory(organisation=staff.gouda),
        sessions=2,
        sessions__first=timezone.localdate() - datetime.timedelta(days=7),
    )
    booking = services.reserve_seats(
        group=started,
        organisation=staff.promen,
        by=staff.contact_promen,
        seats=[SeatRequest(first_name="Anja"), SeatRequest(first_name="Bram")],
    ).booking
    anja, bram = booking.seats.order_by("first_name")
    session = started.sessions.order_by("date").first()
    services.record_attendance(
        session=session, present_seat_ids=[anja.pk], by=staff.coordinator_gouda
    )
    services.record_attendance(
        session=session,
        present_seat_ids=[anja.pk, bram.pk],
        by=staff.coordinator_gouda,
        reason="Bram kwam later",
    )
    client.force_login(staff.coordinator_gouda)

    entries = group_history(client, started).context["entries"]

    late, *earlier = [e for e in entries if e.action_label == "Attendance recorded"]
    assert late.subject.startswith("Bram at ")
    assert late.changes == [Change("Attendance", "Absent", "Present")]
    assert late.reason == "Bram kwam later"
    assert sorted(e.subject.split(" at ")[0] for e in earlier) == ["Anja", "Bram"]


def test_changes_made_by_the_system_say_system(client, group, staff, story):
    # The scheduled clean-up runs without a user.
    services.remove_participant_details(
        ended_before=timezone.localdate() + datetime.timedelta(days=90)
    )
    client.force_login(staff.coordinator_gouda)

    entries = group_history(client, group).context["entries"]

    removed = entries[0]
    assert removed.action_label == "Participant details removed"
    assert removed.who == "system"
    # The earlier records were cleaned too, so not even the old value shows.
    assert removed.changes == []
    assert "Anja" not in group_history(client, group).content.decode()


def test_booking_timeline_shows_the_booking_and_its_seats_only(client, group, staff, story):
    client.force_login(staff.coordinator_gouda)
    promen = Booking.objects.get(organisation=staff.promen)

    response = client.get(reverse("booking_history:booking", args=[promen.pk]))

    assert response.status_code == 200
    entries = response.context["entries"]
    assert {e.subject_type for e in entries} == {"Booking", "Seat"}
    assert all(e.company_label == "Promen" for e in entries)
    assert len(entries) == 3  # the booking and its two seats
    assert reverse("booking_history:group", args=[group.pk]) in response.content.decode()


def test_superusers_read_every_timeline(client, group, staff, story):
    client.force_login(staff.admin)

    assert group_history(client, group).status_code == 200
    assert client.get(reverse("booking_history:booking", args=[story.pk])).status_code == 200


def test_another_librarys_timelines_are_not_found(client, group, staff, story):
    client.force_login(staff.coordinator_deventer)

    assert refused(client, reverse("booking_history:group", args=[group.pk]))
    assert refused(client, reverse("booking_history:booking", args=[story.pk]))
    assert refused(client, reverse("booking_history:group", args=[999999]))


def test_sw_contact_persons_and_editors_get_no_timeline(
    client, group, staff, story, django_user_model
):
    from django.contrib.auth.models import Permission

    editor = django_user_model.objects.create_user("editor", password="x")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    for user in (editor, staff.contact_konnected):
        client.force_login(user)
        assert refused(client, reverse("booking_history:group", args=[group.pk]))
        assert refused(client, reverse("booking_history:booking", args=[story.pk]))


def test_timeline_is_paginated_with_a_fixed_number_of_queries(
    client, group, staff, django_assert_max_num_queries
):
    for _ in range(3):
        services.reserve_seats(
            group=group, organisation=staff.promen, by=staff.contact_promen, seats=2
        )
    client.force_login(staff.coordinator_gouda)
    with CaptureQueriesContext(connection) as few:
        group_history(client, group)
    for _ in range(30):
        services.reserve_seats(
            group=group, organisation=staff.konnected, by=staff.contact_konnected, seats=2
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = group_history(client, group)

    assert len(response.context["entries"]) == 50
    second = group_history(client, group, p=2)
    assert second.context["entries"][0].when <= response.context["entries"][-1].when


def test_history_names_are_escaped(client, group, staff):
    services.reserve_seats(
        group=group,
        organisation=staff.promen,
        by=staff.contact_promen,
        seats=[SeatRequest(first_name="<script>x</script>")],
        reason="<b>dringend</b>",
    )
    client.force_login(staff.coordinator_gouda)

    html = group_history(client, group).content.decode()

    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<b>dringend</b>" not in html


# -- read-only ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_history_cannot_be_changed_through_its_pages(client, group, staff, story, method):
    client.force_login(staff.admin)
    before = CourseGroup.history.count() + Seat.history.count() + Booking.history.count()

    for url in (
        reverse("booking_history:group", args=[group.pk]),
        reverse("booking_history:booking", args=[story.pk]),
        reverse("booking_audit_log:index"),
    ):
        response = getattr(client, method)(url, {"history_change_reason": "weg"})
        assert response.status_code == 405

    assert CourseGroup.history.count() + Seat.history.count() + Booking.history.count() == before


def _admin_views(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _admin_views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_no_admin_url_edits_a_history_record():
    audited = (CourseGroup, Session, Booking, Seat, Attendance, Organisation, Location, Membership)
    historical = {model.history.model for model in audited}
    offenders = []
    for route, callback in _admin_views(get_resolver().url_patterns):
        view_class = getattr(callback, "view_class", None)
        initkwargs = getattr(callback, "view_initkwargs", {})
        model = initkwargs.get("model") or getattr(view_class, "model", None)
        if model in historical:
            offenders.append(route)
        if "course-planning/history" in route or "course-planning/log" in route:
            assert view_class is not None
            answers = {m for m in view_class.http_method_names if hasattr(view_class, m)}
            assert answers <= {"get", "options"}, route
    assert offenders == []


# -- the audit log -----------------------------------------------------------------------------


def audit_log(client, **params):
    return client.get(reverse("booking_audit_log:index"), params)


@pytest.fixture
def two_libraries(group, staff, course, story):
    """Gouda's story above, and a Deventer group where KonnecteD books and Deventer edits."""
    other = deventer_group(staff, course)
    services.reserve_seats(
        group=other,
        organisation=staff.konnected,
        by=staff.contact_konnected,
        seats=[SeatRequest(first_name="Deventernaam")],
    )
    services.change_capacity(
        group=other, capacity=6, by=staff.coordinator_deventer, reason="Deventer reden"
    )
    return other


def test_coordinators_see_only_their_own_librarys_records(client, group, staff, two_libraries):
    client.force_login(staff.coordinator_deventer)

    response = audit_log(client)

    assert response.status_code == 200
    entries = response.context["object_list"]
    assert entries
    assert {e.group_id for e in entries} == {two_libraries.pk}
    html = response.content.decode()
    assert "Deventer reden" in html
    assert "Extra trainer" not in html
    assert "Anja" not in html


def test_superusers_see_every_librarys_records(client, group, staff, two_libraries):
    client.force_login(staff.admin)

    entries = audit_log(client).context["object_list"]

    assert {e.group_id for e in entries} == {group.pk, two_libraries.pk}


def test_the_log_filters_by_action_user_organisation_group_and_period(
    client, group, staff, two_libraries
):
    client.force_login(staff.admin)

    by_action = audit_log(client, action="capacity_changed").context["object_list"]
    assert {e.reason for e in by_action} == {"Extra trainer", "Deventer reden"}

    by_user = audit_log(client, who=staff.contact_promen.pk).context["object_list"]
    assert by_user and {e.who for e in by_user} == {"Petra Jansen"}

    by_company = audit_log(client, organisation=staff.konnected.pk).context["object_list"]
    assert by_company and {e.company_label for e in by_company} == {"KonnecteD"}

    by_library = audit_log(client, organisation=staff.gouda.pk).context["object_list"]
    assert by_library and {e.group_id for e in by_library} == {group.pk}

    by_group = audit_log(client, group=two_libraries.pk).context["object_list"]
    assert by_group and {e.group_id for e in by_group} == {two_libraries.pk}

    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    assert audit_log(client, period_from=today.isoformat()).context["object_list"]
    assert not audit_log(client, period_from=tomorrow.isoformat()).context["object_list"]
    assert not audit_log(
        client, period_to=(today - datetime.timedelta(days=1)).isoformat()
    ).context["object_list"]


def test_deleted_records_can_be_found_as_deleted(client, staff, course):
    doomed = deventer_group(staff, course, sessions=2, draft=True)
    services.delete_group(group=doomed, by=staff.coordinator_deventer, reason="Dubbel gepland")
    client.force_login(staff.coordinator_deventer)

    entries = audit_log(client, action="deleted").context["object_list"]

    assert {e.subject_type for e in entries} == {"Course group", "Session"}
    assert all(not e.group_exists for e in entries)
    deleted_group = next(e for e in entries if e.subject_type == "Course group")
    assert deleted_group.action_label == "Deleted"
    assert deleted_group.reason == "Dubbel gepland"
    assert deleted_group.who == "Daan Smit"


def test_typed_filters_for_another_library_are_refused(client, group, staff, two_libraries):
    client.force_login(staff.coordinator_deventer)

    url = reverse("booking_audit_log:index")
    assert refused(client, url, {"group": group.pk})
    assert refused(client, url, {"organisation": staff.gouda.pk})
    assert refused(client, url, {"who": staff.coordinator_gouda.pk})
    assert refused(client, url, {"group": group.pk, "export": "csv"})
    assert refused(client, url, {"group": group.pk, "export": "xlsx"})
    assert refused(client, reverse("booking_audit_log:index_results"), {"group": group.pk})


def test_a_wrong_date_shows_nothing_rather_than_everything(client, group, staff, two_libraries):
    client.force_login(staff.coordinator_deventer)

    response = audit_log(client, period_from="2027-13-45")

    assert response.status_code == 200
    assert list(response.context["object_list"]) == []


def test_sw_contact_persons_and_editors_are_refused(client, staff, django_user_model):
    from django.contrib.auth.models import Permission

    editor = django_user_model.objects.create_user("editor", password="x")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    url = reverse("booking_audit_log:index")
    for user in (editor, staff.contact_promen):
        client.force_login(user)
        assert refused(client, url)
        assert refused(client, url, {"export": "csv"})
        assert refused(client, url, {"export": "xlsx"})


def test_csv_export_holds_the_filtered_rows(client, group, staff, two_libraries):
    client.force_login(staff.coordinator_gouda)

    response = audit_log(client, export="csv", action="capacity_changed")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    # As Dutch Excel reads it: UTF-8 after a BOM, ';' between the cells.
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body), delimiter=";"))
    assert len(rows) == 1
    assert rows[0]["What happened"] == "Capacity changed"
    assert rows[0]["Who"] == "Ineke Visser"
    assert rows[0]["Why"] == "Extra trainer"
    assert rows[0]["Changes"] == "Number of seats: 5 → 7"


def test_xlsx_export_holds_every_visible_row(client, group, staff, two_libraries):
    client.force_login(staff.coordinator_deventer)

    response = audit_log(client, export="xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    # The title block above the header row ends with an empty row.
    blank = values.index(next(row for row in values if not any(row)))
    header, *rows = values[blank + 1 :]
    assert header[:3] == ("When", "Who", "What happened")
    reasons = {row[header.index("Why")] for row in rows}
    assert "Deventer reden" in reasons
    assert "Extra trainer" not in reasons
    assert len(rows) == len(audit_log(client).context["object_list"])


def test_exports_cannot_smuggle_a_formula(client, group, staff):
    services.reserve_seats(
        group=group, organisation=staff.promen, by=staff.contact_promen, seats=1, reason="=1+1"
    )
    client.force_login(staff.coordinator_gouda)

    response = audit_log(client, export="csv")

    body = b"".join(response.streaming_content).decode()
    assert "'=1+1" in body


def test_the_log_needs_a_fixed_number_of_queries_per_page(
    client, group, staff, two_libraries, django_assert_max_num_queries
):
    client.force_login(staff.admin)
    with CaptureQueriesContext(connection) as few:
        audit_log(client)
    for _ in range(15):
        services.reserve_seats(
            group=group, organisation=staff.promen, by=staff.contact_promen, seats=1
        )
        services.reserve_seats(
            group=two_libraries, organisation=staff.konnected, by=staff.contact_konnected, seats=1
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = audit_log(client)

    assert len(response.context["object_list"]) == 50
    assert response.context["paginator"].count > 50


def copies_of_the_groups_history(group, count):
    """`count` more records of the group, a minute apart: a long history without the services'
    cost. (The scene, not the thing under test.)"""
    record = group.history.earliest()
    model = type(record)
    fields = [f.attname for f in model._meta.concrete_fields if f.attname != "history_id"]
    copies = []
    for minute in range(1, count + 1):
        copy = model(**{name: getattr(record, name) for name in fields})
        copy.history_date = record.history_date - datetime.timedelta(minutes=minute)
        copy.history_change_reason = f"Record {minute}"
        copies.append(copy)
    model.objects.bulk_create(copies)


def test_the_log_needs_the_same_queries_for_5_and_500_entries_and_counts_nothing(
    client, staff, course, django_assert_num_queries
):
    group = CourseGroupFactory(course=course, library=staff.gouda, sessions=0)
    client.force_login(staff.coordinator_gouda)
    copies_of_the_groups_history(group, 4)
    audit_log(client)  # fills the caches of the first request (content types, the site)
    with CaptureQueriesContext(connection) as few:
        small = audit_log(client)
    assert len(small.context["object_list"]) == 5
    copies_of_the_groups_history(group, 495)

    with django_assert_num_queries(len(few.captured_queries)) as many:
        large = audit_log(client)

    assert len(large.context["object_list"]) == 50
    assert not [q["sql"] for q in many.captured_queries if "COUNT(" in q["sql"].upper()]


def test_the_log_pages_to_older_and_newer_entries(client, group, staff):
    copies_of_the_groups_history(group, 120)
    client.force_login(staff.coordinator_gouda)

    first = audit_log(client)
    second = audit_log(client, p=2)
    last = audit_log(client, p=3)

    html = first.content.decode()
    assert 'href="/admin/course-planning/log/?p=2"' in html
    assert "Older entries" in html
    assert "Newer entries" not in html
    assert second.context["object_list"][0].when < first.context["object_list"][-1].when
    assert "Newer entries" in text_of(second)
    assert "Older entries" in text_of(second)
    assert 0 < len(last.context["object_list"]) <= 50
    assert "Older entries" not in text_of(last)
    assert audit_log(client, p=99).context["object_list"] == first.context["object_list"]


def test_the_log_pager_speaks_dutch(client, group, staff):
    copies_of_the_groups_history(group, 60)
    profile = UserProfile.get_for_user(staff.coordinator_gouda)
    profile.preferred_language = "nl"
    profile.save()
    client.force_login(staff.coordinator_gouda)

    page = text_of(audit_log(client))

    assert "Oudere wijzigingen" in page
    assert "Pagina 1" in page


def test_the_log_escapes_names(client, group, staff):
    services.reserve_seats(
        group=group,
        organisation=staff.promen,
        by=staff.contact_promen,
        seats=[SeatRequest(first_name="<script>alert(1)</script>")],
    )
    client.force_login(staff.coordinator_gouda)

    html = audit_log(client).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_menu_shows_the_log_to_coordinators_only(client, staff, django_user_model):
    from django.contrib.auth.models import Permission

    editor = django_user_model.objects.create_user("editor", password="x")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    log = reverse("booking_audit_log:index")

    client.force_login(staff.coordinator_gouda)
    assert log in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(editor)
    assert log not in client.get(reverse("wagtailadmin_home")).content.decode()
