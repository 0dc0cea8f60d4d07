"""The practice example's live figures block (stories/blocks.py): a partnership's figures in
plain words, in both languages, worked out once a day, and no figure under 10."""

import datetime
import re

import pytest
from django.utils import timezone

from booking import services
from booking.models import Evaluation
from stories.blocks import library_choices, live_figures, partner_choices
from tests.booking.factories import (
    CourseGroupFactory,
    CourseIndexPageFactory,
    CoursePageFactory,
    LocationFactory,
    UserFactory,
)
from tests.conftest import translate
from tests.factories import PracticeExamplePageFactory
from tests.html_checker import markup_problems, nu_checker_missing, nu_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def partnership(site_tree):
    """Bibliotheek Gouda and Promen (from the site tree), a course, and a contact person."""
    gouda = site_tree.practice.library
    promen = site_tree.practice.sw_company
    course = CoursePageFactory(parent=CourseIndexPageFactory(parent=site_tree.home))
    contact = UserFactory(username="contact-promen", organisation=promen)
    coordinator = UserFactory(username="coordinator-gouda", organisation=gouda)
    location = LocationFactory(organisation=gouda, name="Bibliotheek Gouda")

    def run_group(seats, *, complete=False, present_at=0, evaluations=0):
        group = CourseGroupFactory(
            course=course,
            library=gouda,
            location=location,
            capacity=seats,
            sessions__first=timezone.localdate() - datetime.timedelta(weeks=5),
        )
        booking = services.reserve_seats(
            group=group, organisation=promen, by=contact, seats=seats
        ).booking
        ids = list(booking.seats.values_list("pk", flat=True))
        if present_at:
            for number, session in enumerate(group.sessions.order_by("date")):
                present = ids if number < present_at else []
                services.record_attendance(
                    session=session, present_seat_ids=present, by=coordinator
                )
        if complete:
            services.complete_group(group=group, by=coordinator)
        for _number in range(evaluations):
            Evaluation.objects.create(group=group, score=8, submitted_on=timezone.localdate())
        return group

    site_tree.gouda, site_tree.promen, site_tree.run_group = gouda, promen, run_group
    return site_tree


def page_with_figures(scene, english):
    page = PracticeExamplePageFactory(
        parent=scene.index,
        title="Cijfers van Promen",
        slug="cijfers-van-promen",
        # The test image is smaller than every rendition, which the checker would fault.
        hero_image=None,
        body=[
            ("paragraph", "<p>Zo werkt het.</p>"),
            (
                "live_figures",
                {"library": str(scene.gouda.pk), "partner": str(scene.promen.pk)},
            ),
        ],
    )
    page.save_revision().publish()
    return page, translate(page, english)


def block_of(client, page):
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    found = re.search(r'<section class="facts-box live-figures">.*?</section>', html, re.S)
    assert found, "the live figures block is missing"
    return found.group(0), html


def test_nine_participants_show_no_number(client, partnership, english):
    partnership.run_group(9, complete=True, present_at=5, evaluations=9)
    dutch, english_page = page_with_figures(partnership, english)

    nl, _html = block_of(client, dutch)
    en, _html = block_of(client, english_page)

    assert "Er zijn nog te weinig deelnemers om cijfers te laten zien." in nl
    assert "There are not enough participants yet to show figures." in en
    for block in (nl, en):
        text = re.sub(r"<[^>]+>", "", block)
        assert not re.search(r"\d", text)  # no figure at all, not even "fewer than 10"


def test_ten_or_more_participants_are_shown_in_plain_words(client, partnership, english):
    partnership.run_group(10, complete=True, present_at=4, evaluations=10)
    partnership.run_group(3)  # started, not completed, nobody marked
    dutch, english_page = page_with_figures(partnership, english)

    nl, _html = block_of(client, dutch)
    en, _html = block_of(client, english_page)

    assert "Actuele cijfers" in nl
    assert "Samen met Promen deden 13 mensen mee aan een cursus van Bibliotheek Gouda." in nl
    assert "10 van hen maakten de cursus af." in nl
    assert "10 mensen kregen een certificaat." in nl
    assert "Ze waren bij 80 procent van de lessen." in nl
    assert "Ze gaven de cursus gemiddeld een 8,0." in nl
    assert "Together with Promen, 13 people took part in a course at Bibliotheek Gouda." in en
    assert "10 of them finished the course." in en
    assert "10 people received a certificate." in en
    assert "On average they gave the course a 8.0 out of 10." in en


def test_a_figure_under_ten_is_left_out(client, partnership, english):
    partnership.run_group(9, complete=True, present_at=4, evaluations=9)
    partnership.run_group(5)
    dutch, _english_page = page_with_figures(partnership, english)

    nl, _html = block_of(client, dutch)

    assert "deden 14 mensen mee" in nl
    assert "maakten de cursus af" not in nl  # 9 completed
    assert "certificaat" not in nl  # 9 certificates
    assert "gemiddeld" not in nl  # 9 evaluations
    assert "9" not in re.sub(r"<[^>]+>", "", nl)


def test_the_figures_are_worked_out_once_a_day(partnership, django_assert_num_queries):
    partnership.run_group(10)
    today = timezone.localdate()
    live_figures(partnership.gouda, partnership.promen, today=today)
    partnership.run_group(2)

    with django_assert_num_queries(0):
        kept = live_figures(partnership.gouda, partnership.promen, today=today)
    tomorrow = live_figures(
        partnership.gouda, partnership.promen, today=today + datetime.timedelta(days=1)
    )

    assert (kept["started"], tomorrow["started"]) == (10, 12)


def test_the_editor_chooses_a_library_and_a_partner(partnership):
    libraries = dict(library_choices())
    partners = dict(partner_choices())

    assert libraries[str(partnership.gouda.pk)] == "Bibliotheek Gouda"
    assert str(partnership.promen.pk) not in libraries
    assert partners[str(partnership.promen.pk)] == "Promen"
    assert str(partnership.gouda.pk) not in partners


def test_the_page_is_valid_html_in_both_languages(client, partnership, english):
    partnership.run_group(12, complete=True, present_at=5, evaluations=10)
    dutch, english_page = page_with_figures(partnership, english)

    pages = {
        "nl": block_of(client, dutch)[1],
        "en": block_of(client, english_page)[1],
    }

    for name, html in pages.items():
        assert markup_problems(html) == [], name
    if not nu_checker_missing():
        assert nu_errors(pages) == {}
