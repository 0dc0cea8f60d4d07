"""Attendance: present, absent or excused per participant and session, "everyone was there"
for one session, the rule that a session in the future cannot be marked, and what the group's
page, the attendance list (print, CSV, XLSX) and the attendance report make of it."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from booking import policies, services
from booking.errors import InvalidRequest, InvalidState, NotAllowed
from booking.models import Action, Attendance, Seat
from booking.reports import attendance as attendance_report
from tests.helpers import text_of

from .admin_helpers import group_url, speak
from .factories import BookingFactory, CourseGroupFactory, SeatFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


url = group_url


@pytest.fixture
def ran(staff, course):
    """A Gouda group whose first three sessions were in the last weeks and whose last two are
    still to come; Anna, Bram and Cas have a seat, Dewi waits."""
    group = CourseGroupFactory(
        course=course, library=staff.gouda, sessions__first=TODAY() - datetime.timedelta(weeks=2)
    )
    booking = BookingFactory(group=group, organisation=staff.promen, booked_by=staff.contact_promen)
    seats = {
        name: SeatFactory(booking=booking, first_name=name, status=Seat.Status.CONFIRMED)
        for name in ("Anna", "Bram", "Cas")
    }
    seats["Dewi"] = SeatFactory(
        booking=booking,
        first_name="Dewi",
        status=Seat.Status.WAITLISTED,
        waitlisted_at=timezone.now(),
    )
    group.seats = seats
    group.past = list(group.sessions.filter(date__lte=TODAY()).order_by("date"))
    group.future = list(group.sessions.filter(date__gt=TODAY()).order_by("date"))
    assert len(group.past) == 3 and len(group.future) == 2
    return group


def marks(session):
    names = Attendance.objects.filter(session=session).values_list("seat__first_name", "status")
    return dict(names)


# -- the service and its rule ----------------------------------------------------------------


def test_each_participant_is_present_excused_or_absent_with_history(staff, ran):
    anna, bram, cas = (ran.seats[name] for name in ("Anna", "Bram", "Cas"))
    session = ran.past[0]

    services.record_attendance(
        session=session,
        present_seat_ids=[anna.pk],
        excused_seat_ids=[bram.pk],
        by=staff.coordinator_gouda,
        reason="Bram belde af",
    )

    assert marks(session) == {"Anna": "present", "Bram": "excused", "Cas": "absent"}
    record = Attendance.history.get(seat_id=bram.pk)
    assert (record.status, record.action, record.history_change_reason) == (
        "excused",
        Action.ATTENDANCE,
        "Bram belde af",
    )
    assert record.history_user == staff.coordinator_gouda
    assert Attendance.objects.get(seat=anna, session=session).present


def test_a_participant_cannot_be_present_and_excused_at_once(staff, ran):
    anna = ran.seats["Anna"]
    with pytest.raises(InvalidRequest):
        services.record_attendance(
            session=ran.past[0],
            present_seat_ids=[anna.pk],
            excused_seat_ids=[anna.pk],
            by=staff.coordinator_gouda,
        )
    with pytest.raises(InvalidRequest):
        services.record_attendance(
            session=ran.past[0],
            present_seat_ids=[],
            excused_seat_ids=[ran.seats["Dewi"].pk],
            by=staff.coordinator_gouda,
        )
    assert not Attendance.objects.exists()


def test_a_session_in_the_future_is_refused_by_the_service_and_the_policy_alike(staff, ran):
    session = ran.future[0]
    with translation.override("en"):
        asked = policies.refusal(
            policies.check_can_record_attendance,
            ran,
            session_date=session.date,
            by=staff.coordinator_gouda,
        )

    with pytest.raises(InvalidState) as refused:
        services.record_everyone_present(session=session, by=staff.coordinator_gouda)
    with pytest.raises(InvalidState):
        services.record_attendance(session=session, present_seat_ids=[], by=staff.coordinator_gouda)

    with translation.override("en"):
        assert refused.value.message == asked.message
        assert "A session in the future cannot be marked yet" in asked.message
        assert str(session.date.year) in asked.message, "the message names the session's date"
    with translation.override("nl"):
        assert "Een les in de toekomst kun je nog niet afvinken" in refused.value.message
    assert not Attendance.objects.exists()


def test_everyone_present_marks_one_session_and_only_changes_what_changed(staff, ran):
    first, second = ran.past[:2]
    services.record_attendance(
        session=first,
        present_seat_ids=[ran.seats["Anna"].pk],
        excused_seat_ids=[ran.seats["Bram"].pk],
        by=staff.coordinator_gouda,
    )

    count, changed = services.record_everyone_present(session=first, by=staff.coordinator_gouda)
    again, unchanged = services.record_everyone_present(session=first, by=staff.coordinator_gouda)

    assert marks(first) == {"Anna": "present", "Bram": "present", "Cas": "present"}
    assert count == again == 3
    assert {row.seat.first_name for row in changed} == {"Bram", "Cas"}
    assert unchanged == []
    assert marks(second) == {}, "the other sessions stay as they were"
    assert "Dewi" not in marks(first), "the waiting list has no attendance"


def test_another_librarys_coordinator_cannot_mark_attendance(staff, ran):
    with pytest.raises(NotAllowed):
        services.record_everyone_present(session=ran.past[0], by=staff.coordinator_deventer)
    assert not Attendance.objects.exists()


# -- the admin form ----------------------------------------------------------------------------


def test_the_form_offers_three_choices_and_saves_excused(client, staff, ran):
    anna, bram, cas = (ran.seats[name] for name in ("Anna", "Bram", "Cas"))
    session = ran.past[1]
    address = url("attendance", ran.pk, session.pk)
    client.force_login(staff.coordinator_gouda)

    page = client.get(address)
    html = page.content.decode()
    for value in ("present", "absent", "excused"):
        assert f'name="seat_{anna.pk}" value="{value}"' in html
    assert "Everyone was there" in text_of(page)
    assert "You can mark attendance from the day of the session." in text_of(page)

    response = client.post(
        address,
        {f"seat_{anna.pk}": "present", f"seat_{bram.pk}": "excused", f"seat_{cas.pk}": "absent"},
        follow=True,
    )

    assert marks(session) == {"Anna": "present", "Bram": "excused", "Cas": "absent"}
    assert "Attendance for" in text_of(response)
    html = client.get(address).content.decode()
    checked = f'name="seat_{bram.pk}" value="excused" id="id_seat_{bram.pk}_2" required checked'
    assert checked in html


def test_a_participant_without_a_choice_is_named_and_nothing_is_saved(client, staff, ran):
    anna, bram = ran.seats["Anna"], ran.seats["Bram"]
    session = ran.past[0]
    client.force_login(staff.coordinator_gouda)

    response = client.post(
        url("attendance", ran.pk, session.pk),
        {f"seat_{anna.pk}": "present", f"seat_{bram.pk}": "late"},
    )

    assert response.status_code == 200
    page = text_of(response)
    assert "Please check the form." in page
    assert "Bram (Promen): Choose present, absent or excused." in page
    assert "Cas (Promen): Choose present, absent or excused." in page
    html = response.content.decode()
    kept = f'name="seat_{anna.pk}" value="present" id="id_seat_{anna.pk}_0" required checked'
    assert kept in html, "what was chosen stays chosen"
    assert not Attendance.objects.exists()


def test_everyone_present_button_confirms_what_it_did(client, staff, ran):
    session = ran.past[2]
    client.force_login(staff.coordinator_gouda)

    response = client.post(
        url("attendance", ran.pk, session.pk), {"everyone_present": "1"}, follow=True
    )

    assert response.redirect_chain[-1][0] == url("inspect", ran.pk)
    assert f"All 3 participants are marked present for {session}." in text_of(response)
    assert marks(session) == {"Anna": "present", "Bram": "present", "Cas": "present"}
    assert not Attendance.objects.exclude(session=session).exists()


def test_everyone_present_in_dutch(client, people, ran):
    speak("nl", people.coordinator_gouda)
    session = ran.past[0]
    client.force_login(people.coordinator_gouda)

    form = text_of(client.get(url("attendance", ran.pk, session.pk)))
    response = client.post(
        url("attendance", ran.pk, session.pk), {"everyone_present": "1"}, follow=True
    )

    assert "Iedereen was er" in form
    assert "Afgemeld" in form
    assert "Alle 3 deelnemers staan nu op aanwezig" in text_of(response)


def test_the_groups_page_counts_marks_and_says_when_a_session_can_be_marked(client, staff, ran):
    anna, bram = ran.seats["Anna"], ran.seats["Bram"]
    services.record_attendance(
        session=ran.past[0],
        present_seat_ids=[anna.pk],
        excused_seat_ids=[bram.pk],
        by=staff.coordinator_gouda,
    )
    client.force_login(staff.coordinator_gouda)

    response = client.get(url("inspect", ran.pk))

    page = text_of(response)
    assert "1 present, 1 absent, 1 excused" in page
    assert page.count("From the day of the session") == len(ran.future)
    html = response.content.decode()
    for session in ran.future:
        assert url("attendance", ran.pk, session.pk) not in html


# -- lists, exports, reports ------------------------------------------------------------------


@pytest.fixture
def recorded(staff, ran):
    services.record_attendance(
        session=ran.past[0],
        present_seat_ids=[ran.seats["Anna"].pk],
        excused_seat_ids=[ran.seats["Bram"].pk],
        by=staff.coordinator_gouda,
    )
    services.record_everyone_present(session=ran.past[1], by=staff.coordinator_gouda)
    return ran


def test_the_attendance_list_prints_excused_with_a_legend(client, staff, recorded):
    client.force_login(staff.coordinator_gouda)
    page = text_of(client.get(url("attendance_list", recorded.pk)))
    assert "Bram Promen E excused ✓ present" in page
    assert "Cas Promen – absent ✓ present" in page
    assert "✓ present · – absent · E excused" in page


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body), delimiter=";"))


def test_csv_and_xlsx_name_excused_in_the_readers_language(client, people, recorded):
    client.force_login(people.coordinator_gouda)
    address = url("attendance_list", recorded.pk)
    for language, words in (
        ("en", ["present", "absent", "excused"]),
        ("nl", ["aanwezig", "afwezig", "afgemeld"]),
    ):
        speak(language, people.coordinator_gouda)
        rows = {row[0]: row for row in read_csv(client.get(address, {"export": "csv"}))}
        assert [rows[name][2] for name in ("Anna", "Cas", "Bram")] == words, language
        response = client.get(address, {"export": "xlsx"})
        workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        cells = {cell.value for row in workbook.active.iter_rows() for cell in row}
        assert set(words) <= cells, language


def test_the_report_counts_present_absent_and_excused(client, staff, recorded):
    from booking.reports import report_groups

    (row,) = attendance_report(report_groups(staff.coordinator_gouda))
    assert (row.present, row.absent, row.excused, row.recorded, row.sessions) == (4, 1, 1, 6, 2)
    assert row.percentage == 67, "present out of everyone marked, excused included"

    (per_course,) = attendance_report(report_groups(staff.coordinator_gouda), by="course")
    assert (per_course.present, per_course.absent, per_course.excused) == (4, 1, 1)

    client.force_login(staff.coordinator_gouda)
    response = client.get(reverse("booking_reports:attendance"), {"export": "csv"})
    header, line = read_csv(response)[:2]
    values = dict(zip(header, line, strict=True))
    assert (values["Present"], values["Absent"], values["Excused"], values["Marked"]) == (
        "4",
        "1",
        "1",
        "6",
    )
