"""Outcomes for funders and stories (booking/outcomes.py): seats, participants started and
completed, certificates, attendance and the evaluation average, per funder, municipality,
partner and month.

The scene is made with the booking services, as in production.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from booking import services
from booking.models import CourseGroup, Evaluation, Funding
from booking.outcomes import outcomes, partnership
from booking.services import SeatRequest

from .factories import CourseGroupFactory, LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """The labels read as the English source strings."""
    with translation.override("en"):
        yield


NAMES = ("Anja", "Bram", "Cor", "Dewi", "Eef", "Fenna", "Gijs")


@pytest.fixture
def scene(people, course):
    """Gouda ran a Klik & Tik group paid from WEB funds for Gouda (five sessions, all past,
    completed): Promen 3 seats, KonnecteD 2, three evaluations. A second group for
    Waddinxveen (Tel mee met Taal) starts in two weeks: Promen 2 seats. Deventer runs a
    group of its own for KonnecteD."""
    today = timezone.localdate()
    location = LocationFactory(organisation=people.gouda, name="Bibliotheek Gouda")
    ran = CourseGroupFactory(
        course=course,
        library=people.gouda,
        location=location,
        funding=Funding.WEB,
        municipality="Gouda",
        sessions__first=today - datetime.timedelta(weeks=5),
    )
    upcoming = CourseGroupFactory(
        course=course,
        library=people.gouda,
        location=location,
        funding=Funding.TEL_MEE_MET_TAAL,
        municipality="Waddinxveen",
    )
    deventer = CourseGroupFactory(
        course=course,
        library=people.deventer,
        location=LocationFactory(organisation=people.deventer, name="Bibliotheek Deventer"),
        funding=Funding.WEB,
        municipality="Deventer",
    )

    def reserve(group, company, names):
        contact = getattr(people, f"contact_{company.slug}")
        return services.reserve_seats(
            group=group,
            organisation=company,
            by=contact,
            seats=[SeatRequest(first_name=name) for name in names],
        ).booking

    promen = list(reserve(ran, people.promen, NAMES[:3]).seats.order_by("pk"))
    konnected = list(reserve(ran, people.konnected, NAMES[3:5]).seats.order_by("pk"))
    reserve(upcoming, people.promen, NAMES[5:7])
    reserve(deventer, people.konnected, ["Deventernaam"])
    # Anja comes four times (a certificate), Bram three times, Cor never; KonnecteD's two
    # come every time.
    present_at = {promen[0]: 4, promen[1]: 3, promen[2]: 0, konnected[0]: 5, konnected[1]: 5}
    for number, session in enumerate(ran.sessions.order_by("date")):
        services.record_attendance(
            session=session,
            present_seat_ids=[seat.pk for seat, times in present_at.items() if times > number],
            by=people.coordinator_gouda,
        )
    services.complete_group(group=ran, by=people.coordinator_gouda)
    for score in (7, 8, 9):
        Evaluation.objects.create(group=ran, score=score, submitted_on=today)
    return SimpleNamespace(**vars(people), ran=ran, upcoming=upcoming, deventer_group=deventer)


def gouda_groups(scene):
    return CourseGroup.objects.filter(library=scene.gouda)


def figures(row):
    return (
        row.groups,
        row.seats,
        row.started,
        row.completed,
        row.certificates,
        row.attendance_rate,
        row.average,
    )


def test_per_funder(scene):
    rows = {row.label: row for row in outcomes(gouda_groups(scene), by="funder")}

    assert set(rows) == {"WEB funds (adult education)", "Tel mee met Taal"}
    # 5 seats, all started and completed; Anja and KonnecteD's two earn a certificate;
    # present 4+3+0+5+5 = 17 of 25 marked.
    assert figures(rows["WEB funds (adult education)"]) == (1, 5, 5, 5, 3, 68, 8.0)
    # Not started yet: nothing marked, nobody evaluated.
    assert figures(rows["Tel mee met Taal"]) == (1, 2, 0, 0, 0, None, None)


def test_per_municipality(scene):
    rows = outcomes(CourseGroup.objects.all(), by="municipality")

    assert [(row.label, row.seats, row.completed) for row in rows] == [
        ("Deventer", 1, 0),
        ("Gouda", 5, 5),
        ("Waddinxveen", 2, 0),
    ]


def test_per_partner_counts_each_organisations_own_seats(scene):
    rows = {row.label: row for row in outcomes(gouda_groups(scene), by="partner")}

    assert set(rows) == {"Promen", "KonnecteD"}
    promen, konnected = rows["Promen"], rows["KonnecteD"]
    assert (promen.groups, promen.seats, promen.started, promen.completed) == (2, 5, 3, 3)
    assert (promen.certificates, promen.present, promen.marked) == (1, 7, 15)
    assert (konnected.seats, konnected.certificates, konnected.attendance_rate) == (2, 2, 100)
    # An evaluation is anonymous: each partner of the group sees the group's average.
    assert promen.average == konnected.average == 8.0


def test_per_period_is_the_month_of_the_first_session(scene):
    rows = outcomes(gouda_groups(scene), by="period")

    # Seven weeks apart: always two months.
    ran = (timezone.localdate() - datetime.timedelta(weeks=5)).replace(day=1)
    assert [(row.seats, row.started, row.completed) for row in rows] == [(5, 5, 5), (2, 0, 0)]
    assert rows[0].label == date_format(ran, "YEAR_MONTH_FORMAT")


def test_waitlisted_cancelled_and_draft_do_not_count(scene, course):
    services.cancel_seats(
        booking=scene.upcoming.bookings.get(),
        by=scene.coordinator_gouda,
        reason="Verhuisd",
        seat_ids=[scene.upcoming.bookings.get().seats.first().pk],
    )
    CourseGroupFactory(
        course=course,
        library=scene.gouda,
        location=scene.ran.location,
        funding=Funding.PROVINCE,
        draft=True,
    )

    rows = {row.label: row.seats for row in outcomes(gouda_groups(scene), by="funder")}

    assert rows == {"WEB funds (adult education)": 5, "Tel mee met Taal": 1}


def test_an_average_of_few_evaluations_is_not_shown(scene):
    Evaluation.objects.filter(group=scene.ran, score=9).delete()

    (row,) = outcomes(CourseGroup.objects.filter(pk=scene.ran.pk), by="funder")

    assert (row.evaluations, row.average) == (2, None)


def test_groups_without_funding_or_municipality_are_named_so(scene):
    CourseGroup.objects.filter(pk=scene.upcoming.pk).update(funding="", municipality="")

    funders = [row.label for row in outcomes(gouda_groups(scene), by="funder")]
    places = [row.label for row in outcomes(gouda_groups(scene), by="municipality")]

    assert funders == ["WEB funds (adult education)", "Funding not filled in"]
    assert places == ["Gouda", "Municipality not filled in"]


def test_the_figures_of_one_partnership(scene):
    promen = partnership(library=scene.gouda, partner=scene.promen)
    konnected_at_deventer = partnership(library=scene.deventer, partner=scene.konnected)
    nothing = partnership(library=scene.deventer, partner=scene.promen)

    assert (promen.seats, promen.started, promen.completed, promen.certificates) == (5, 3, 3, 1)
    assert (konnected_at_deventer.seats, konnected_at_deventer.completed) == (1, 0)
    assert (nothing.label, nothing.seats, nothing.groups) == ("Promen", 0, 0)


@pytest.mark.parametrize("by", ["funder", "municipality", "partner", "period"])
def test_no_first_name_in_any_row(scene, by):
    for row in outcomes(CourseGroup.objects.all(), by=by):
        text = repr(row)
        assert not any(name in text for name in (*NAMES, "Deventernaam"))


@pytest.mark.parametrize("by", ["funder", "municipality", "partner", "period"])
def test_a_fixed_number_of_queries(scene, course, by, django_assert_max_num_queries):
    for number in range(6):
        extra = CourseGroupFactory(
            course=course,
            library=scene.gouda,
            location=scene.ran.location,
            funding=Funding.MUNICIPALITY,
            municipality=f"Plaats {number}",
            sessions__first=timezone.localdate() - datetime.timedelta(days=number),
        )
        services.reserve_seats(
            group=extra, organisation=scene.promen, by=scene.contact_promen, seats=2
        )
        services.record_everyone_present(
            session=extra.sessions.order_by("date").first(), by=scene.coordinator_gouda
        )
        Evaluation.objects.create(group=extra, score=6, submitted_on=timezone.localdate())

    with django_assert_max_num_queries(4):
        rows = outcomes(CourseGroup.objects.all(), by=by)

    assert sum(row.seats for row in rows) == 8 + 12
