"""The coordinators' reports: occupancy, seats per organisation, waiting lists and attendance.

The scene is made with the booking services, as in production. Each report is read as a
coordinator reads it (chart and table), exported, filtered, and checked for what another
library must not see.
"""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from wagtail.users.models import UserProfile

from booking import services
from booking.models import CourseGroup, Evaluation, Funding
from booking.services import SeatRequest

from .admin_helpers import refused
from .factories import CompanyFactory, CourseGroupFactory, CoursePageFactory, LocationFactory

pytestmark = pytest.mark.django_db

REPORTS = ("occupancy", "companies", "waiting_lists", "attendance", "evaluations", "outcomes")


def report(client, name, **params):
    return client.get(reverse(f"booking_reports:{name}"), params)


def rows_of(response):
    return list(response.context["object_list"])


def csv_rows(response):
    """The CSV as Dutch Excel reads it: UTF-8 after a BOM, ';' between the cells."""
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body), delimiter=";"))


def xlsx_rows(response):
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    # The title block above the header row ends with an empty row.
    blank = values.index(next(row for row in values if not any(row)))
    header, *rows = values[blank + 1 :]
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture
def scene(people, course, group):
    """Gouda runs Klik & Tik (5 seats, starts in two weeks, one on the waiting list) and
    Digisterker (4 seats, started three weeks ago, attendance of its first session recorded);
    Deventer runs a Klik & Tik group of its own."""
    for user in (people.coordinator_gouda, people.coordinator_deventer, people.admin):
        profile = UserProfile.get_for_user(user)
        profile.preferred_language = "en"
        profile.save()
    today = timezone.localdate()
    digisterker = CoursePageFactory(
        parent=course.get_parent(), title="Digisterker", slug="digisterker"
    )
    wijkcentrum = LocationFactory(
        organisation=people.gouda, name="Wijkcentrum Korte Akkeren", kind="neighbourhood"
    )
    started = CourseGroupFactory(
        course=digisterker,
        library=people.gouda,
        location=wijkcentrum,
        capacity=4,
        sessions=3,
        sessions__first=today - datetime.timedelta(days=21),
    )
    deventer = CourseGroupFactory(
        course=course,
        library=people.deventer,
        location=LocationFactory(organisation=people.deventer, name="Bibliotheek Deventer"),
    )

    def reserve(group, company, seats):
        contact = getattr(people, f"contact_{company.slug}")
        return services.reserve_seats(group=group, organisation=company, by=contact, seats=seats)

    reserve(group, people.promen, 3)
    reserve(group, people.konnected, 3)  # 2 confirmed, 1 on the waiting list
    promen_started = reserve(started, people.promen, 2).booking
    reserve(deventer, people.konnected, [SeatRequest(first_name="Deventernaam")] * 4)
    present = promen_started.seats.first()
    services.record_attendance(
        session=started.sessions.order_by("date").first(),
        present_seat_ids=[present.pk],
        by=people.coordinator_gouda,
    )
    people.started, people.deventer_group, people.digisterker = started, deventer, digisterker
    return people


# -- occupancy ---------------------------------------------------------------------------------


def test_occupancy_per_course_has_a_chart_and_a_table(client, scene):
    client.force_login(scene.coordinator_gouda)

    response = report(client, "occupancy")

    assert response.status_code == 200
    rows = {row.label: row for row in rows_of(response)}
    assert set(rows) == {"Klik & Tik", "Digisterker"}
    assert (rows["Klik & Tik"].capacity, rows["Klik & Tik"].confirmed) == (5, 5)
    assert rows["Klik & Tik"].percentage == 100
    assert (rows["Digisterker"].confirmed, rows["Digisterker"].percentage) == (2, 50)
    html = response.content.decode()
    assert '<svg class="booking-chart__svg"' in html
    assert 'role="img"' in html
    assert "<table" in html
    assert "100% (5/5)" in html
    assert "50% (2/4)" in html


def test_occupancy_per_location_and_per_month(client, scene):
    client.force_login(scene.coordinator_gouda)

    per_location = {
        row.label: row.percentage for row in rows_of(report(client, "occupancy", by="location"))
    }
    per_month = rows_of(report(client, "occupancy", by="month"))

    assert per_location == {
        "Bibliotheek Gouda, Gouda": 100,
        "Wijkcentrum Korte Akkeren, Gouda": 50,
    }
    started, upcoming = (
        timezone.localdate() - datetime.timedelta(days=21),
        timezone.localdate() + datetime.timedelta(days=14),
    )
    if (started.year, started.month) == (upcoming.year, upcoming.month):
        assert [(row.groups, row.confirmed) for row in per_month] == [(2, 7)]
    else:
        assert [(row.groups, row.confirmed) for row in per_month] == [(1, 2), (1, 5)]
    assert per_month[0].label.endswith(str(started.year))


def test_the_period_counts_groups_by_their_first_session(client, scene):
    client.force_login(scene.coordinator_gouda)
    today = timezone.localdate()

    upcoming = rows_of(report(client, "occupancy", period_from=today.isoformat()))
    started = rows_of(
        report(client, "occupancy", period_to=(today - datetime.timedelta(days=1)).isoformat())
    )

    assert [row.label for row in upcoming] == ["Klik & Tik"]
    assert [row.label for row in started] == ["Digisterker"]


def test_draft_and_cancelled_groups_are_not_counted(client, scene, course):
    CourseGroupFactory(
        course=course, library=scene.gouda, location=scene.started.location, draft=True
    )
    services.cancel_group(group=scene.started, by=scene.coordinator_gouda, reason="Trainer ziek")
    client.force_login(scene.coordinator_gouda)

    rows = rows_of(report(client, "occupancy", by="location"))

    assert [(row.label, row.groups) for row in rows] == [("Bibliotheek Gouda, Gouda", 1)]


# -- seats per organisation --------------------------------------------------------------------


def test_seats_per_company_count_confirmed_waitlisted_and_cancelled(client, scene):
    services.cancel_seats(
        booking=scene.started.bookings.get(),
        by=scene.coordinator_gouda,
        reason="Verhuisd",
        seat_ids=[scene.started.bookings.get().seats.last().pk],
    )
    client.force_login(scene.coordinator_gouda)

    response = report(client, "companies")

    rows = {row.name: (row.confirmed, row.waitlisted, row.cancelled) for row in rows_of(response)}
    assert rows == {"Promen": (4, 0, 1), "KonnecteD": (2, 1, 0)}
    html = response.content.decode()
    assert "booking-chart__bar--waitlisted" in html
    assert "booking-chart__bar--cancelled" in html


# -- waiting lists -----------------------------------------------------------------------------


def test_waiting_lists_show_the_group_and_how_long_people_wait(client, scene, group):
    client.force_login(scene.coordinator_gouda)

    response = report(client, "waiting_lists")

    (row,) = rows_of(response)
    assert row.group == group
    assert (row.waitlisted, row.confirmed, row.capacity) == (1, 5, 5)
    assert row.waiting_since.date() == timezone.localdate()
    assert reverse("booking_history:group", args=[group.pk]) in response.content.decode()


# -- attendance --------------------------------------------------------------------------------


def test_attendance_per_group_and_per_course(client, scene, group):
    client.force_login(scene.coordinator_gouda)

    per_group = {row.group: row for row in rows_of(report(client, "attendance"))}
    per_course = {row.label: row for row in rows_of(report(client, "attendance", by="course"))}

    started = per_group[scene.started]
    assert (started.present, started.recorded, started.sessions, started.percentage) == (
        1,
        2,
        1,
        50,
    )
    assert per_group[group].percentage is None  # nothing recorded yet
    assert per_course["Digisterker"].percentage == 50
    assert per_course["Klik & Tik"].recorded == 0


def test_attendance_chart_leaves_out_groups_without_records(client, scene):
    client.force_login(scene.coordinator_gouda)

    chart = report(client, "attendance").context["chart"]

    assert [bar.figure for bar in chart.bars] == ["50%"]


def test_evaluation_averages_beside_the_national_digisterker_average(client, scene, group):
    today = timezone.localdate()
    for score in (7, 8, 9):
        Evaluation.objects.create(group=scene.started, score=score, submitted_on=today)
    Evaluation.objects.create(group=group, score=2, submitted_on=today)
    client.force_login(scene.coordinator_gouda)

    per_course = report(client, "evaluations")
    per_group = {row.label: row for row in rows_of(report(client, "evaluations", by="group"))}

    assert [(row.label, row.answers, row.average) for row in rows_of(per_course)] == [
        ("Digisterker", 3, 8.0),
        ("Klik & Tik", 1, None),  # one evaluation: its score is nobody's business
    ]
    with translation.override("en"):  # the coordinator reads the admin in English
        label = str(group)
    assert (per_group[label].answers, per_group[label].average) == (1, None)
    chart = per_course.context["chart"]
    assert [(bar.label, bar.figure) for bar in chart.bars] == [
        ("Digisterker", "8.0"),
        ("Digisterker, national average", "8.5"),
    ]
    assert "The national Digisterker programme reports an average of 8.5." in per_course.text
    exported = csv_rows(report(client, "evaluations", export="csv"))
    assert [(row["Name"], row["Evaluations"], row["Average score"]) for row in exported] == [
        ("Digisterker", "3", "8.0"),
        ("Klik & Tik", "1", ""),  # an export leaves a hidden average empty
    ]


# -- outcomes for funders ----------------------------------------------------------------------


@pytest.fixture
def funded(scene, group):
    """Digisterker (started) is paid from WEB funds for Gouda; Klik & Tik (not started yet)
    by the municipality of Waddinxveen."""
    CourseGroup.objects.filter(pk=scene.started.pk).update(
        funding=Funding.WEB, municipality="Gouda"
    )
    CourseGroup.objects.filter(pk=group.pk).update(
        funding=Funding.MUNICIPALITY, municipality="Waddinxveen"
    )
    return scene


def test_outcomes_per_funder_have_a_chart_and_a_table(client, funded):
    client.force_login(funded.coordinator_gouda)

    response = report(client, "outcomes")

    assert response.status_code == 200
    rows = {
        row.label: (row.seats, row.started, row.completed, row.attendance_rate)
        for row in rows_of(response)
    }
    assert rows == {"WEB funds (adult education)": (2, 2, 0, 50), "Municipality": (5, 0, 0, None)}
    html = response.content.decode()
    assert '<svg class="booking-chart__svg"' in html
    assert "booking-chart__bar--started" in html
    assert "Started, not completed" in html  # the chart's key names both parts


def test_outcomes_per_municipality_and_per_partner(client, funded):
    client.force_login(funded.coordinator_gouda)

    per_place = rows_of(report(client, "outcomes", by="municipality"))
    places = {row.label: row.seats for row in per_place}
    partners = {
        row.label: (row.groups, row.seats, row.started)
        for row in rows_of(report(client, "outcomes", by="partner"))
    }

    assert places == {"Gouda": 2, "Waddinxveen": 5}
    assert partners == {"Promen": (2, 5, 2), "KonnecteD": (1, 2, 0)}


def test_outcomes_export_names_the_breakdown_and_no_participant(client, funded):
    client.force_login(funded.admin)

    exported = csv_rows(report(client, "outcomes", by="partner", export="csv"))
    workbook = report(client, "outcomes", by="municipality", export="xlsx")
    body = b"".join(workbook.streaming_content)

    assert [(row["Name"], row["Seats"], row["Started"]) for row in exported] == [
        ("KonnecteD", "6", "0"),
        ("Promen", "5", "2"),
    ]
    assert not any("Deventernaam" in str(row) for row in exported)
    sheet = load_workbook(io.BytesIO(body)).active
    assert not any("Deventernaam" in str(cell) for row in sheet.values for cell in row)
    assert any("Waddinxveen" in str(cell) for row in sheet.values for cell in row)


# -- exports -----------------------------------------------------------------------------------


def test_csv_export_of_occupancy(client, scene):
    client.force_login(scene.coordinator_gouda)

    response = report(client, "occupancy", export="csv", by="location")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="occupancy-')
    rows = csv_rows(response)
    assert [(row["Name"], row["Confirmed"], row["Occupancy (%)"]) for row in rows] == [
        ("Bibliotheek Gouda, Gouda", "5", "100"),
        ("Wijkcentrum Korte Akkeren, Gouda", "2", "50"),
    ]


def test_xlsx_export_of_seats_per_company(client, scene):
    client.force_login(scene.coordinator_gouda)

    response = report(client, "companies", export="xlsx")

    assert response.status_code == 200
    rows = xlsx_rows(response)
    assert [(row["Organisation"], row["Confirmed"], row["Waiting list"]) for row in rows] == [
        ("KonnecteD", 2, 1),
        ("Promen", 5, 0),
    ]


def test_xlsx_export_of_waiting_lists_keeps_dates_as_dates(client, scene, group):
    client.force_login(scene.coordinator_gouda)

    (row,) = xlsx_rows(report(client, "waiting_lists", export="xlsx"))

    with translation.override("en"):  # the coordinator's admin language
        assert (row["Group"], row["Waiting list"]) == (str(group), 1)
    first_session = group.sessions.order_by("date").first().date
    assert row["First session"] == first_session
    assert row["Waiting since"].date() == timezone.localdate()


def test_xlsx_export_of_attendance_keeps_empty_shares_empty(client, scene):
    client.force_login(scene.coordinator_gouda)

    rows = xlsx_rows(report(client, "attendance", export="xlsx"))

    assert sorted((row["Present (%)"] for row in rows), key=str) == [50, None]


# -- what another library sees -----------------------------------------------------------------


@pytest.mark.parametrize("name", REPORTS)
def test_another_librarys_figures_stay_out_of_every_report(client, scene, name):
    client.force_login(scene.coordinator_deventer)

    response = report(client, name)
    exported = csv_rows(report(client, name, export="csv"))

    assert response.status_code == 200
    # The evaluations report names the national Digisterker programme to compare with.
    html = response.content.decode().replace("Digisterker programme", "")
    html = html.replace("Digisterker, national average", "")
    assert "Digisterker" not in html
    assert "Promen" not in html
    assert "Gouda" not in html
    assert not any("Promen" in str(row) or "Gouda" in str(row) for row in exported)


@pytest.mark.parametrize("name", REPORTS)
def test_typed_filters_for_another_library_are_refused(client, scene, name):
    client.force_login(scene.coordinator_deventer)
    url = reverse(f"booking_reports:{name}")

    assert refused(client, url, {"library": scene.gouda.pk})
    assert refused(client, url, {"course": scene.digisterker.pk})
    assert refused(client, url, {"library": scene.gouda.pk, "export": "csv"})
    assert refused(client, url, {"course": scene.digisterker.pk, "export": "xlsx"})
    assert refused(client, reverse(f"booking_reports:{name}_results"), {"library": scene.gouda.pk})


@pytest.mark.parametrize("name", REPORTS)
def test_people_who_do_not_plan_courses_are_refused(client, scene, name, django_user_model):
    from django.contrib.auth.models import Permission

    editor = django_user_model.objects.create_user("editor", password="x")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    url = reverse(f"booking_reports:{name}")
    for user in (editor, scene.contact_promen):
        client.force_login(user)
        assert refused(client, url)
        assert refused(client, url, {"export": "csv"})


def test_superusers_see_every_library_and_can_filter_one(client, scene):
    client.force_login(scene.admin)

    everything = {row.name: row.confirmed for row in rows_of(report(client, "companies"))}
    deventer = {
        row.name: row.confirmed
        for row in rows_of(report(client, "companies", library=scene.deventer.pk))
    }

    assert everything == {"KonnecteD": 6, "Promen": 5}
    assert deventer == {"KonnecteD": 4}


# -- safety and speed --------------------------------------------------------------------------


def test_names_are_escaped_in_chart_and_table(client, scene, group):
    evil = CompanyFactory(name="<script>alert(1)</script>", slug="evil")
    contact = scene.contact_promen.__class__.objects.create_user("contact-evil")
    from booking.models import Membership

    Membership.objects.create(user=contact, organisation=evil)
    services.reserve_seats(group=group, organisation=evil, by=contact, seats=1)
    client.force_login(scene.coordinator_gouda)

    html = report(client, "companies").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("name", REPORTS)
def test_reports_need_a_fixed_number_of_queries(
    client, scene, course, name, django_assert_max_num_queries
):
    client.force_login(scene.coordinator_gouda)
    with CaptureQueriesContext(connection) as few:
        report(client, name)
    for number in range(8):
        extra = CourseGroupFactory(
            course=course,
            library=scene.gouda,
            location=LocationFactory(organisation=scene.gouda, name=f"Filiaal {number}"),
            sessions=2,
        )
        services.reserve_seats(
            group=extra, organisation=scene.promen, by=scene.contact_promen, seats=4
        )
        services.reserve_seats(
            group=extra, organisation=scene.konnected, by=scene.contact_konnected, seats=2
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = report(client, name)

    assert response.status_code == 200


def test_the_menu_shows_reports_to_coordinators(client, scene):
    client.force_login(scene.coordinator_gouda)

    html = client.get(reverse("wagtailadmin_home")).content.decode()

    assert reverse("booking_reports:occupancy") in html
