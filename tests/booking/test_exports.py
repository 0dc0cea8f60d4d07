"""Every spreadsheet export of the admin: no typed text runs as a formula, the file is in the
language of the person who downloads it, a CSV opens as columns in Dutch Excel, and an XLSX
has a named sheet with a title block that says what the export is.

The exports are the audit log, the list of groups, a group's attendance list and the four
reports; all of them go through core.exports.SafeSpreadsheetExportMixin. A CSV is written
while it is sent, after the view has returned, so the language is checked in the file itself.
"""

import codecs
import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from openpyxl import load_workbook
from wagtail.users.models import UserProfile

from booking import services
from booking.models import Seat
from booking.services import SeatRequest
from core.exports import FORMULA_STARTS, as_text, sheet_name

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
        trainer="=Trainer Tom",
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
    (
        "companies",
        lambda group: reverse("booking_reports:companies"),
        "Organisation",
        "Organisatie",
    ),
    ("waiting lists", lambda group: reverse("booking_reports:waiting_lists"), "Group", "Groep"),
    ("attendance", lambda group: reverse("booking_reports:attendance"), "Name", "Naam"),
]
IDS = [name for name, *_rest in EXPORTS]


def download(client, address, export, **headers):
    response = client.get(address, {"export": export}, **headers)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def csv_cells(body: bytes) -> list[list[str]]:
    """The CSV as Dutch Excel reads it: UTF-8 announced by a BOM, ';' between the cells."""
    assert body.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def xlsx_cells(body: bytes):
    """Every row of the sheet, the title block included."""
    return list(load_workbook(io.BytesIO(body)).active.iter_rows())


def xlsx_parts(body: bytes):
    """(sheet name, title block, header row, data rows) of an XLSX export, as values. An empty
    row ends the title block; the header row follows it."""
    sheet = load_workbook(io.BytesIO(body)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    blank = next(number for number, row in enumerate(rows) if not any(row))
    title_block = [[value for value in row if value is not None] for row in rows[:blank]]
    return sheet.title, title_block, rows[blank + 1], rows[blank + 2 :]


def details_of(title_block) -> dict:
    return dict(row for row in title_block[1:])


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
    def read(body):
        if export == "csv":
            return csv_cells(body)
        _name, _title_block, header, rows = xlsx_parts(body)
        return [header, *rows]

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


# -- what Dutch Excel opens, and what the file says it is -------------------------------------

# The sheet (and the title above the header row) of each export, in Dutch.
SHEETS = {
    "audit log": "Logboek",
    "groups": "Groepen",
    "attendance list": "Aanwezigheidslijst",
    "occupancy": "Bezetting",
    "companies": "Plaatsen per organisatie",
    "waiting lists": "Wachtlijsten",
    "attendance": "Aanwezigheid",
}


@pytest.mark.parametrize(("name", "address", "english", "dutch"), EXPORTS, ids=IDS)
def test_a_csv_opens_as_columns_in_dutch_excel(
    client, people, scene, name, address, english, dutch
):
    client.force_login(speaking(people.coordinator_gouda, "nl"))

    response = client.get(address(scene), {"export": "csv"})
    header, *rows = csv_cells(b"".join(response.streaming_content))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    # The header row comes first, each heading in a column of its own, and every row has
    # as many cells as the header.
    assert dutch in header
    assert len(header) > 2
    assert rows, name
    assert all(len(row) == len(header) for row in rows)


def test_a_cell_with_the_separator_in_it_stays_one_cell(client, people, scene):
    services.reserve_seats(
        group=scene,
        organisation=people.promen,
        by=people.contact_promen,
        seats=1,
        reason="Graag; het liefst snel",
    )
    client.force_login(speaking(people.coordinator_gouda, "nl"))

    header, *rows = csv_cells(download(client, reverse("booking_audit_log:index"), "csv"))

    reasons = [row[header.index("Waarom")] for row in rows]
    assert "Graag; het liefst snel" in reasons
    assert all(len(row) == len(header) for row in rows)


@pytest.mark.parametrize(("name", "address", "english", "dutch"), EXPORTS, ids=IDS)
def test_an_xlsx_has_a_named_sheet_and_a_title_block(
    client, people, scene, name, address, english, dutch
):
    client.force_login(speaking(people.coordinator_gouda, "nl"))

    sheet, title_block, header, rows = xlsx_parts(download(client, address(scene), "xlsx"))

    assert sheet == SHEETS[name]
    assert title_block[0] == [SHEETS[name]]
    with translation.override("nl"):
        today = date_format(timezone.localdate(), "DATE_FORMAT")
    assert details_of(title_block)["Gedownload"].startswith(today)
    assert dutch in header
    assert rows, name


def test_the_attendance_list_names_the_group_place_dates_and_trainer(client, people, scene):
    client.force_login(speaking(people.coordinator_gouda, "nl"))
    address = reverse("course_groups:attendance_list", args=[scene.pk])

    body = download(client, address, "xlsx")
    sheet, title_block, header, rows = xlsx_parts(body)

    first, *_middle, last = scene.sessions.order_by("date")
    with translation.override("nl"):
        dates = (
            f"{date_format(first.date, 'DATE_FORMAT')} – {date_format(last.date, 'DATE_FORMAT')}"
        )
    details = details_of(title_block)
    assert details["Cursus"] == "-Klik"
    assert details["Niveau"] == "Niveau 1"
    assert details["Bibliotheek"] == people.gouda.name
    assert details["Locatie"] == f"+Wijkhuis, {scene.location.address}"
    assert details["Datums"] == dates
    assert details["Trainer"] == "=Trainer Tom"
    assert details["Groep"] == str(scene.pk)
    # What someone typed stays text in the title block too.
    trainer = next(row[1] for row in xlsx_cells(body) if row[0].value == "Trainer")
    assert trainer.data_type == "s"
    # The header row and the participants follow the title block.
    assert sheet == "Aanwezigheidslijst"
    assert header[:2] == ["Deelnemer", "Organisatie"]
    confirmed = Seat.objects.confirmed().filter(booking__group=scene)
    assert sorted(row[0] for row in rows) == sorted(seat.participant_label for seat in confirmed)


def test_the_csv_of_an_attendance_list_is_named_after_the_course(client, people, scene):
    client.force_login(speaking(people.coordinator_gouda, "nl"))
    address = reverse("course_groups:attendance_list", args=[scene.pk])

    response = client.get(address, {"export": "csv"})

    assert f'filename="aanwezigheidslijst-klik-{scene.pk}.csv"' in response["Content-Disposition"]


def test_a_report_names_its_breakdown_and_period(client, people, scene):
    client.force_login(speaking(people.coordinator_gouda, "en"))
    start = timezone.localdate() - datetime.timedelta(days=60)
    stop = timezone.localdate()
    params = {
        "export": "xlsx",
        "period_from": f"{start:%Y-%m-%d}",
        "period_to": f"{stop:%Y-%m-%d}",
    }

    response = client.get(reverse("booking_reports:occupancy"), params)
    _sheet, title_block, _header, rows = xlsx_parts(b"".join(response.streaming_content))

    details = details_of(title_block)
    # Per what is counted, also when it is the default the filters leave unsaid.
    assert details["Show per"] == "Course"
    with translation.override("en"):
        assert details["First session between"] == f"{date_format(start)} - {date_format(stop)}"
    assert rows


def test_a_chosen_breakdown_is_named_once(client, people, scene):
    client.force_login(speaking(people.coordinator_gouda, "en"))

    response = client.get(
        reverse("booking_reports:occupancy"), {"export": "xlsx", "by": "location"}
    )
    _sheet, title_block, _header, _rows = xlsx_parts(b"".join(response.streaming_content))

    labels = [row[0] for row in title_block[1:]]
    assert labels.count("Show per") == 1
    assert details_of(title_block)["Show per"] == "Location"


def test_the_audit_log_names_its_filters(client, people, scene):
    client.force_login(speaking(people.coordinator_gouda, "en"))

    response = client.get(reverse("booking_audit_log:index"), {"export": "xlsx", "group": scene.pk})
    _sheet, title_block, header, rows = xlsx_parts(b"".join(response.streaming_content))

    assert title_block[0] == ["Audit log"]
    with translation.override("en"):
        assert details_of(title_block)["Group"] == str(scene)
    assert header[:2] == ["When", "Who"]
    assert rows


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Bezetting", "Bezetting"),
        ("Plaatsen: [SW]/*?\\bedrijf", "Plaatsen SW bedrijf"),
        ("'Aanwezigheid'", "Aanwezigheid"),
        ("Een titel die veel langer is dan eenendertig tekens", "Een titel die veel langer is da"),
        ("[]", "Export"),
    ],
)
def test_a_sheet_name_is_one_excel_accepts(title, name):
    assert sheet_name(title) == name
    assert len(sheet_name(title)) <= 31
