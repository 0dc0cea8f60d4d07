"""Certificates: who may print one and when (enough sessions present), the PDF in Dutch and
English with the typed name, the form's refusals, the preview, and that the name is never
stored anywhere."""

import datetime
import io
import logging
import re

import pytest
from django.apps import apps
from django.db import models
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from booking import policies, selectors
from booking.certificates import certificate_filename, certificate_for, certificate_pdf
from booking.errors import InvalidState, NotAllowed
from booking.models import Attendance, CourseGroup, Seat
from tests.conftest import translate
from tests.html_checker import markup_problems, nu_checker_missing, nu_errors

from .admin_helpers import speak
from .factories import BookingFactory, CourseGroupFactory, SeatFactory

pytestmark = pytest.mark.django_db

# A name with letters outside Latin-1, so the font must carry them.
NAME = "Anja Şahin-Łukasiewicz"
FIRST = datetime.date(2026, 9, 7)

P, A, E = Attendance.Status.PRESENT, Attendance.Status.ABSENT, Attendance.Status.EXCUSED


def attend(seat, marks):
    """Write attendance for the seat's group's sessions in date order (setting up a scene)."""
    sessions = seat.booking.group.sessions.order_by("date")
    for session, status in zip(sessions, marks, strict=False):
        Attendance.objects.create(session=session, seat=seat, status=status)


@pytest.fixture
def finished(people, course):
    """A completed Gouda group of five sessions from 7 September 2026. Promen's Anja was at
    all five, Bram at four (one excused), Cas at three (one excused, one absent); Dewi of
    KonnecteD was at all five; Eef's seat was cancelled after four."""
    group = CourseGroupFactory(
        course=course,
        library=people.gouda,
        status=CourseGroup.Status.COMPLETED,
        sessions__first=FIRST,
    )
    group.location.city = "Gouda"
    group.location.save()
    promen = BookingFactory(
        group=group, organisation=people.promen, booked_by=people.contact_promen
    )
    konnected = BookingFactory(
        group=group, organisation=people.konnected, booked_by=people.contact_konnected
    )
    seats = {
        "Anja": SeatFactory(booking=promen, first_name="Anja"),
        "Bram": SeatFactory(booking=promen, first_name="Bram"),
        "Cas": SeatFactory(booking=promen, first_name="Cas"),
        "Dewi": SeatFactory(booking=konnected, first_name="Dewi"),
        "Eef": SeatFactory(booking=promen, first_name="Eef"),
    }
    attend(seats["Anja"], [P, P, P, P, P])
    attend(seats["Bram"], [P, E, P, P, P])
    attend(seats["Cas"], [P, A, E, P, P])
    attend(seats["Dewi"], [P, P, P, P, P])
    attend(seats["Eef"], [P, P, P, P])
    Seat.objects.filter(pk=seats["Eef"].pk).update(status=Seat.Status.CANCELLED)
    seats["Eef"].refresh_from_db()
    group.seats = seats
    return group


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    # A4 landscape: wider than high, 297 × 210 mm in points.
    assert round(float(page.mediabox.width)) == 842
    assert round(float(page.mediabox.height)) == 595
    return " ".join(page.extract_text().split())


# -- the rule ---------------------------------------------------------------------------------


def test_coordinator_and_contact_person_may_print_for_enough_sessions(people, finished):
    for by in (people.coordinator_gouda, people.contact_promen, people.admin):
        for name in ("Anja", "Bram"):
            policies.check_can_print_certificate(finished.seats[name], by=by)


def test_not_enough_sessions_is_refused_with_a_plain_message(people, finished):
    with pytest.raises(InvalidState) as refused:
        policies.check_can_print_certificate(finished.seats["Cas"], by=people.contact_promen)
    with translation.override("en"):
        assert refused.value.message == (
            "Cas was at 3 of the 5 sessions. A certificate needs 4 sessions."
        )
    with translation.override("nl"):
        assert refused.value.message == (
            "Cas was bij 3 van de 5 lessen. Voor een certificaat zijn 4 lessen nodig."
        )


def test_excused_and_absent_do_not_count(people, finished):
    seat = finished.seats["Bram"]
    Attendance.objects.filter(seat=seat, status=P).first().delete()
    with pytest.raises(InvalidState):
        policies.check_can_print_certificate(seat, by=people.coordinator_gouda)


def test_attendance_of_another_group_does_not_count(people, finished, course):
    other = CourseGroupFactory(course=course, library=people.gouda, sessions__first=FIRST)
    seat = finished.seats["Cas"]
    for session in other.sessions.all()[:2]:
        Attendance.objects.create(session=session, seat=seat, status=P)
    assert policies.sessions_present(seat) == 3
    assert not policies.allows(policies.check_can_print_certificate, seat, by=people.admin)


def test_a_seat_without_a_name_is_refused_in_plain_words(people, finished):
    seat = finished.seats["Cas"]
    seat.first_name = ""
    with translation.override("en"), pytest.raises(InvalidState) as refused:
        policies.check_can_print_certificate(seat, by=people.coordinator_gouda)
    with translation.override("en"):
        assert refused.value.message.startswith("This participant was at 3 of the 5 sessions.")


def test_others_may_not_print(people, finished):
    anja = finished.seats["Anja"]
    for by in (people.coordinator_deventer, people.contact_konnected):
        with pytest.raises(NotAllowed):
            policies.check_can_print_certificate(anja, by=by)
    with pytest.raises(NotAllowed):
        policies.check_can_print_certificate(finished.seats["Dewi"], by=people.contact_promen)


def test_a_cancelled_seat_gets_no_certificate(people, finished):
    with pytest.raises(InvalidState):
        policies.check_can_print_certificate(finished.seats["Eef"], by=people.coordinator_gouda)


def test_the_course_sets_the_number_of_sessions(people, finished):
    finished.course.certificate_sessions = 3
    finished.course.save()
    finished.refresh_from_db()
    cas = Seat.objects.get(pk=finished.seats["Cas"].pk)
    policies.check_can_print_certificate(cas, by=people.coordinator_gouda)


# -- the selector -------------------------------------------------------------------------------


def test_certificate_status_per_confirmed_seat(people, finished):
    rows = {row.seat.first_name: row for row in selectors.certificate_status(finished)}
    assert set(rows) == {"Anja", "Bram", "Cas", "Dewi"}
    assert [(rows[n].present, rows[n].sessions, rows[n].needed) for n in ("Anja", "Cas")] == [
        (5, 5, 4),
        (3, 5, 4),
    ]
    assert {name for name, row in rows.items() if row.eligible} == {"Anja", "Bram", "Dewi"}
    promen = selectors.certificate_status(finished, organisation=people.promen)
    assert {row.seat.first_name for row in promen} == {"Anja", "Bram", "Cas"}


def test_certificate_status_takes_a_fixed_number_of_queries(
    people, finished, django_assert_max_num_queries
):
    booking = finished.seats["Anja"].booking
    for _ in range(3):
        seat = SeatFactory(booking=booking)
        attend(seat, [P, P, P, P, P])
    with django_assert_max_num_queries(2):
        rows = selectors.certificate_status(finished)
        # Asking the rule of every row costs no query: the selector read what it needs.
        allowed = [
            policies.allows(policies.check_can_print_certificate, row.seat, by=people.admin)
            for row in rows
        ]
    assert len(rows) == 7
    assert allowed == [row.eligible for row in rows]


# -- the PDF ------------------------------------------------------------------------------------


def test_the_pdf_in_dutch(finished):
    data = certificate_pdf(seat=finished.seats["Anja"], name=NAME, language="nl")
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for expected in (
        "Certificaat",
        NAME,
        "heeft meegedaan aan Klik & Tik, niveau 1",
        "bij Bibliotheek Gouda in Gouda",
        "van 7 september 2026 tot en met 5 oktober 2026",
        "Je was bij 5 van de 5 lessen.",
        "Goed gedaan!",
        "Handtekening van de bibliotheek",
    ):
        assert expected in text, expected


def test_the_pdf_in_english_uses_the_english_course_page(finished, english):
    english_course = translate(finished.course, english)
    english_course.title = "Click & Type"
    english_course.save_revision().publish()
    data = certificate_pdf(seat=finished.seats["Bram"], name=NAME, language="en")
    text = pdf_text(data)
    for expected in (
        "Certificate",
        NAME,
        "took part in Click & Type, level 1",
        "at Bibliotheek Gouda in Gouda",
        "from 7 September 2026 to 5 October 2026",
        "You were at 4 of the 5 sessions.",
        "Well done!",
        "Signature of the library",
    ):
        assert expected in text, expected
    assert "Klik & Tik" not in text


def test_a_long_name_still_fits_on_the_page(finished):
    name = "Maria " + "Van der Berg-" * 7 + "Bos"
    assert len(name) == 100
    text = pdf_text(certificate_pdf(seat=finished.seats["Anja"], name=name, language="nl"))
    # Wrapped over lines if it must, but whole.
    assert "".join(name.split()) in "".join(text.split())


def test_the_file_name_is_in_the_certificate_language(finished):
    certificate = certificate_for(seat=finished.seats["Anja"], language="nl")
    assert certificate_filename(certificate) == "certificaat-klik-tik-niveau-1.pdf"
    certificate = certificate_for(seat=finished.seats["Anja"], language="en")
    assert certificate_filename(certificate) == "certificate-klik-tik-level-1.pdf"


# -- the pages ----------------------------------------------------------------------------------


def portal_url(seat, language="nl"):
    with translation.override(language):
        return reverse("portal:seat_certificate", kwargs={"pk": seat.pk})


def admin_url(seat):
    return reverse("booking_certificates:seat", args=[seat.booking.group_id, seat.pk])


def rows_mentioning(text: str) -> list[str]:
    """Every table row, in every model (history, sessions and the task queue included), with
    `text` in a text or JSON column."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                rows = model._default_manager.filter(**{f"{field.name}__icontains": text})
            elif isinstance(field, models.JSONField):
                rows = model._default_manager.annotate(
                    as_text=Cast(field.name, models.TextField())
                ).filter(as_text__icontains=text)
            else:
                continue
            if rows.exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


@pytest.fixture
def promen_client(client, people):
    client.force_login(people.contact_promen)
    return client


@pytest.fixture
def gouda_client(client, people):
    speak("en", people.coordinator_gouda)
    client.force_login(people.coordinator_gouda)
    return client


@pytest.mark.parametrize("language", ["nl", "en"])
def test_contact_person_previews_and_downloads_the_pdf(promen_client, finished, language, caplog):
    caplog.set_level(logging.DEBUG)
    url = portal_url(finished.seats["Anja"], language)
    form = promen_client.get(url)
    assert form.status_code == 200
    assert 'name="name"' in form.text and "maxlength" in form.text
    # The viewer's language is the certificate's language unless they choose another.
    assert re.search(rf'value="{language}"[^>]*checked', form.text)
    preview = promen_client.post(url, {"name": f"  {NAME} ", "language": language})
    assert preview.status_code == 200
    assert NAME in preview.text
    assert "Klik &amp; Tik" in preview.text
    assert 'value="pdf"' in preview.text
    download = promen_client.post(url, {"name": NAME, "language": language, "step": "pdf"})
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    expected = (
        "certificaat-klik-tik-niveau-1" if language == "nl" else "certificate-klik-tik-level-1"
    )
    assert download["Content-Disposition"] == f'attachment; filename="{expected}.pdf"'
    assert "no-store" in download["Cache-Control"]
    text = pdf_text(download.content)
    assert NAME in text
    assert ("Certificaat" if language == "nl" else "Certificate") in text
    # The name went into the PDF and nowhere else.
    assert rows_mentioning("Łukasiewicz") == []
    assert "Łukasiewicz" not in caplog.text


def test_change_step_shows_the_form_again_with_the_name(promen_client, finished):
    url = portal_url(finished.seats["Anja"])
    page = promen_client.post(url, {"name": NAME, "language": "en", "step": "change"})
    assert page.status_code == 200
    assert 'value="preview"' in page.text and NAME in page.text


def test_the_booking_page_offers_certificates_to_eligible_seats_only(promen_client, finished):
    anja, bram, cas = (finished.seats[name] for name in ("Anja", "Bram", "Cas"))
    with translation.override("nl"):
        page = promen_client.get(reverse("portal:booking", kwargs={"pk": anja.booking_id})).text
    assert portal_url(anja) in page and portal_url(bram) in page
    assert portal_url(cas) not in page
    assert "Certificaat maken" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "language": "nl"}, "Typ de naam voor het certificaat."),
        ({"name": "   \u00a0 ", "language": "nl"}, "Een naam heeft minstens één letter nodig."),
        ({"name": "a" * 10_000, "language": "nl"}, "Een naam kan hoogstens 100 tekens hebben."),
        ({"name": "Anja", "language": "fr"}, "Kies een taal."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_no_pdf(promen_client, finished, data, message):
    url = portal_url(finished.seats["Anja"])
    for step in ("preview", "pdf"):
        response = promen_client.post(url, {**data, "step": step})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert message in response.text
        assert 'id="error-summary"' in response.text


def test_not_enough_sessions_shows_the_rule_and_no_pdf(promen_client, finished):
    url = portal_url(finished.seats["Cas"])
    expected = "Cas was bij 3 van de 5 lessen. Voor een certificaat zijn 4 lessen nodig."
    page = promen_client.get(url)
    assert expected in page.text and 'name="name"' not in page.text
    response = promen_client.post(url, {"name": NAME, "language": "nl", "step": "pdf"})
    assert response["Content-Type"].startswith("text/html")
    assert expected in response.text and NAME not in response.text


def test_another_organisations_seat_is_not_found(client, people, finished):
    client.force_login(people.contact_konnected)
    url = portal_url(finished.seats["Anja"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": NAME, "language": "nl", "step": "pdf"}).status_code == 404
    assert client.put(url).status_code == 404


def test_coordinators_use_the_admin_not_the_portal(client, people, finished):
    client.force_login(people.coordinator_gouda)
    assert client.get(portal_url(finished.seats["Anja"])).status_code == 403


def test_coordinator_downloads_the_pdf_in_the_admin(gouda_client, finished):
    group_page = gouda_client.get(reverse("course_groups:inspect", args=[finished.pk])).text
    anja, cas = finished.seats["Anja"], finished.seats["Cas"]
    assert admin_url(anja) in group_page and admin_url(cas) not in group_page
    assert admin_url(finished.seats["Dewi"]) in group_page
    form = gouda_client.get(admin_url(anja))
    assert form.status_code == 200 and 'name="name"' in form.text
    preview = gouda_client.post(admin_url(anja), {"name": NAME, "language": "nl"})
    assert NAME in preview.text and "heeft meegedaan aan Klik &amp; Tik, niveau 1" in preview.text
    download = gouda_client.post(admin_url(anja), {"name": NAME, "language": "nl", "step": "pdf"})
    assert download["Content-Type"] == "application/pdf"
    assert "no-store" in download["Cache-Control"]
    assert NAME in pdf_text(download.content)
    assert rows_mentioning("Łukasiewicz") == []


def test_admin_refusals(gouda_client, finished):
    url = admin_url(finished.seats["Cas"])
    page = gouda_client.get(url)
    assert "Cas was at 3 of the 5 sessions. A certificate needs 4 sessions." in page.text
    response = gouda_client.post(url, {"name": NAME, "language": "en", "step": "pdf"})
    assert response["Content-Type"].startswith("text/html")
    assert "Cas was at 3 of the 5 sessions" in response.text
    url = admin_url(finished.seats["Anja"])
    response = gouda_client.post(url, {"name": "a" * 10_000, "language": "en", "step": "pdf"})
    assert response["Content-Type"].startswith("text/html")
    assert "A name can have at most 100 characters." in response.text


def test_another_librarys_coordinator_finds_nothing(client, people, finished):
    client.force_login(people.coordinator_deventer)
    url = admin_url(finished.seats["Anja"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": NAME, "language": "nl", "step": "pdf"}).status_code == 404


def test_a_seat_of_another_group_is_not_found(gouda_client, people, finished, course):
    other = CourseGroupFactory(course=course, library=people.gouda)
    url = reverse("booking_certificates:seat", args=[other.pk, finished.seats["Anja"].pk])
    assert gouda_client.get(url).status_code == 404


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_pages_are_valid_html(promen_client, people, finished, language):
    url = portal_url(finished.seats["Anja"], language)
    pages = {
        "form": promen_client.get(url).text,
        "refused": promen_client.post(url, {"name": " ", "language": language}).text,
        "preview": promen_client.post(url, {"name": NAME, "language": language}).text,
        "not enough": promen_client.get(portal_url(finished.seats["Cas"], language)).text,
    }
    promen_client.force_login(people.coordinator_gouda)
    pages["admin form"] = promen_client.get(admin_url(finished.seats["Anja"])).text
    pages["admin preview"] = promen_client.post(
        admin_url(finished.seats["Anja"]), {"name": NAME, "language": language}
    ).text
    for name, html in pages.items():
        assert markup_problems(html) == [], name
    if not nu_checker_missing():
        assert nu_errors(pages) == {}
