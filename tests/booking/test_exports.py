"""Every spreadsheet export of the admin: no typed text runs as a formula, and the file is in
the language of the person who downloads it.

The exports are the audit log, the list of groups, a group's attendance list and the four
reports; all of them go through core.exports.SafeSpreadsheetExportMixin. A CSV is written
while it is sent, after the view has returned, so the language is checked in the file itself.
"""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.users.models import UserProfile

from booking import services
from booking.services import SeatRequest
from core.exports import FORMULA_STARTS, as_text

from .factories import (
    CompanyFactory,
    CourseGroupFactory,
    CoursePageFactory,
    LocationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("https://example.org","klik")'
FIRST_NAMES = (LINK, "+1", "-1", "@x")


@pytest.fixture
def scene(people, course):
    """A group whose course, place, SW company, participants and reasons all start like a
    formula; it began three weeks ago and has attendance, and one person waits."""
    tricky_course = CoursePageFactory(parent=course.get_parent(), title="-Klik", slug="min-klik")
    place = LocationFactory(organisation=people.gouda, name="+Wijkhuis")
    company = CompanyFactory(name="@Werk", slug="at-werk")
    contact = UserFactory(username="contact-at-werk", organisation=company)
    group = CourseGroupFactory(
        course=tricky_course,
        library=people.gouda,
        location=place,
        sessions=3,
        sessions__first=timezone.localdate() - datetime.timedelta(days=21),
    )
    booking = services.reserve_seats(
        group=group,
        organisation=company,
        by=contact,
        seats=[SeatRequest(first_name=name) for name in FIRST_NAMES],
        reason=LINK,
    ).booking
    services.reserve_seats(
        group=group, organisation=people.promen, by=people.contact_promen, seats=2
    )
    services.record_attendance(
        session=group.sessions.order_by("date").first(),
        present_seat_ids=[booking.seats.order_by("pk").first().pk],
        by=people.coordinator_gouda,
    )
    return group


def speaking(user, language):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    return user


# (name, address, heading in English, heading in Dutch)
EXPORTS = [
    ("audit log", lambda group: reverse("booking_audit_log:index"), "Who", "Wie"),
    ("groups", lambda group: reverse("course_groups:index"), "Course", "Cursus"),
    (
        "attendance list",
        lambda group: reverse("course_groups:attendance_list", args=[group.pk]),
        "Participant",
        "Deelnemer",
    ),
    ("occupancy", lambda group: reverse("booking_reports:occupancy"), "Name", "Naam"),
    ("companies", lambda group: reverse("booking_reports:companies"), "SW company", "SW-bedrijf"),
    ("waiting lists", lambda group: reverse("booking_reports:waiting_lists"), "Group", "Groep"),
    ("attendance", lambda group: reverse("booking_reports:attendance"), "Name", "Naam"),
]
IDS = [name for name, *_rest in EXPORTS]


def download(client, address, export, **headers):
    response = client.get(address, {"export": export}, **headers)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def csv_cells(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode())))


def xlsx_cells(body: bytes):
    return list(load_workbook(io.BytesIO(body)).active.iter_rows())


@pytest.mark.parametrize(("name", "address", "english", "dutch"), EXPORTS, ids=IDS)
def test_no_csv_cell_starts_like_a_formula(client, people, scene, name, address, english, dutch):
    client.force_login(speaking(people.coordinator_gouda, "en"))

    rows = csv_cells(download(client, address(scene), "csv"))

    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    kept_as_text = [cell for cell in cells if cell.startswith("'")]
    assert kept_as_text, f"the {name} export should hold text that starts like a formula"
    assert all(cell[1:2] in FORMULA_STARTS for cell in kept_as_text)


@pytest.mark.parametrize(("name", "address", "english", "dutch"), EXPORTS, ids=IDS)
def test_xlsx_cells_keep_the_text_and_never_become_formulas(
    client, people, scene, name, address, english, dutch
):
    client.force_login(speaking(people.coordinator_gouda, "en"))

    rows = xlsx_cells(download(client, address(scene), "xlsx"))

    cells = [cell for row in rows for cell in row if isinstance(cell.value, str)]
    assert all(cell.data_type == "s" for cell in cells)
    assert any(cell.value.startswith(FORMULA_STARTS) for cell in cells), name


@pytest.mark.parametrize(("name", "address", "english", "dutch"), EXPORTS, ids=IDS)
@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_an_export_is_in_the_language_of_the_person_who_downloads_it(
    client, people, scene, name, address, english, dutch, export
):
    read = (
        csv_cells
        if export == "csv"
        else lambda body: [[cell.value for cell in row] for row in xlsx_cells(body)]
    )
    # The browser asks for the other language: only the admin's own choice counts, also
    # while a CSV is written after the view has returned.
    client.force_login(speaking(people.coordinator_gouda, "en"))
    in_english = read(download(client, address(scene), export, HTTP_ACCEPT_LANGUAGE="nl"))
    speaking(people.coordinator_gouda, "nl")
    in_dutch = read(download(client, address(scene), export, HTTP_ACCEPT_LANGUAGE="en"))

    assert english in in_english[0]
    assert dutch in in_dutch[0]


def test_attendance_marks_follow_the_language_too(client, people, scene):
    address = reverse("course_groups:attendance_list", args=[scene.pk])
    client.force_login(speaking(people.coordinator_gouda, "nl"))

    rows = csv_cells(download(client, address, "csv", HTTP_ACCEPT_LANGUAGE="en"))

    marks = {cell for row in rows[1:] for cell in row[2:] if cell}
    assert marks == {"aanwezig", "afwezig"}


@pytest.mark.parametrize("typed", [*FIRST_NAMES, "\tx", "\rx"])
def test_text_that_starts_like_a_formula_gets_an_apostrophe(typed):
    assert as_text(typed) == f"'{typed}"


@pytest.mark.parametrize("typed", ["Anja", "", "1+1", "'=already", "Ans-Marie"])
def test_other_text_is_left_alone(typed):
    assert as_text(typed) == typed
