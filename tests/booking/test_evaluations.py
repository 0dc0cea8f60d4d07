"""The anonymous evaluation at the last lesson: who can open it, when participants can fill it
in, what is kept (nothing that leads back to a person), and the averages in the reports."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from booking import evaluations, services
from booking.errors import InvalidRequest, InvalidState
from booking.models import CourseGroup, Evaluation, TrainerAssignment
from tests.html_checker import markup_problems, nu_checker_missing, nu_errors

from .factories import CourseGroupFactory, LocationFactory, trainer_of

TODAY = timezone.localdate()


@pytest.fixture
def ended(people, course):
    """A group of 5 seats whose fifth and last lesson is today, with 4 confirmed seats."""
    location = LocationFactory(organisation=people.gouda, name="Bibliotheek Gouda")
    group = CourseGroupFactory(
        course=course,
        library=people.gouda,
        location=location,
        sessions__first=TODAY - datetime.timedelta(weeks=4),
        booking_opens_at=timezone.now() - datetime.timedelta(days=60),
        booking_closes_at=timezone.now() - datetime.timedelta(days=30),
        cancellation_deadline=timezone.now() - datetime.timedelta(days=29),
    )
    services.reserve_seats(
        group=group,
        organisation=people.promen,
        by=people.contact_promen,
        seats=4,
        now=group.booking_opens_at + datetime.timedelta(hours=1),
    )
    return group


def form_url(group, language="nl"):
    with translation.override(language):
        return evaluations.evaluation_address(group)


def answer(client, group, score="8", language="nl", **answers):
    return client.post(
        form_url(group, language), {"score": score, **answers}, HTTP_ACCEPT_LANGUAGE=language
    )


# -- what is kept -----------------------------------------------------------------------------


def test_an_evaluation_keeps_the_score_the_answers_and_the_day_only(client, ended):
    response = answer(client, ended, score="9", enjoyed="yes", learned="a_lot", go_on="maybe")

    assert response.status_code == 302
    (kept,) = Evaluation.objects.all()
    assert (kept.group, kept.score, kept.submitted_on) == (ended, 9, TODAY)
    assert kept.answers == {"enjoyed": "yes", "learned": "a_lot", "go_on": "maybe"}
    thanks = client.get(response["Location"])
    assert "Bedankt! Je antwoorden zijn verstuurd." in thanks.text
    assert "Volgende persoon" in thanks.text


def test_nothing_in_an_evaluation_leads_to_a_seat_a_person_or_a_moment():
    relations = {
        field.name: field.related_model
        for field in Evaluation._meta.get_fields()
        if field.is_relation
    }
    assert relations == {"group": CourseGroup}
    kinds = {field.get_internal_type() for field in Evaluation._meta.concrete_fields}
    assert "DateTimeField" not in kinds
    assert not hasattr(Evaluation, "history")


def test_only_the_score_is_needed(client, ended):
    answer(client, ended, score="6")

    assert Evaluation.objects.get().answers == {}


@pytest.mark.parametrize("score", ["", "0", "11", "acht", "7.5"])
def test_a_missing_or_wrong_score_is_refused_plainly(client, ended, score):
    response = answer(client, ended, score=score)

    assert response.status_code == 200
    assert "Kies een cijfer van 1 tot 10." in response.text
    assert not Evaluation.objects.exists()


def test_an_answer_that_is_not_one_of_the_choices_is_refused(client, ended):
    response = answer(client, ended, enjoyed="<script>")

    assert response.status_code == 200
    assert not Evaluation.objects.exists()
    with pytest.raises(InvalidRequest):
        evaluations.submit_evaluation(group=ended, score=8, answers={"learned": "everything"})


# -- when ---------------------------------------------------------------------------------------


def test_before_the_last_lesson_the_form_is_not_open_yet(client, people, course):
    group = CourseGroupFactory(course=course, library=people.gouda)

    response = answer(client, group)

    assert "De evaluatie gaat open op de dag van de laatste les." in response.text
    assert not Evaluation.objects.exists()


def test_two_weeks_after_the_last_lesson_the_form_is_closed(ended):
    later = TODAY + datetime.timedelta(days=evaluations.OPEN_DAYS_AFTER_LAST_SESSION + 1)

    with pytest.raises(InvalidState):
        evaluations.submit_evaluation(group=ended, score=8, answers={}, today=later)
    evaluations.submit_evaluation(
        group=ended, score=8, answers={}, today=later - datetime.timedelta(days=1)
    )


def test_a_cancelled_group_has_no_evaluation(client, ended):
    CourseGroup.objects.filter(pk=ended.pk).update(status=CourseGroup.Status.CANCELLED)

    response = answer(client, ended)

    assert "Deze groep heeft geen evaluatie." in response.text
    assert not Evaluation.objects.exists()


def test_no_more_evaluations_than_the_group_had_participants(client, ended):
    for _ in range(4):
        answer(client, ended)

    response = answer(client, ended)

    assert "Iedereen in deze groep heeft de evaluatie ingevuld. Bedankt!" in response.text
    assert Evaluation.objects.count() == 4


def test_a_made_up_or_changed_address_is_not_found(client, ended):
    token = evaluations.evaluation_token(ended)

    assert client.get(form_url(ended).replace(token, token[:-2] + "xy")).status_code == 404
    assert client.post(form_url(ended).replace(token, "123"), {"score": "8"}).status_code == 404
    assert not Evaluation.objects.exists()


# -- who opens it ------------------------------------------------------------------------------


def open_url(group):
    with translation.override("nl"):
        return reverse("evaluation:open", args=[group.pk])


def test_the_coordinator_and_the_groups_trainer_open_it(client, people, ended):
    trainer = trainer_of(people.gouda, username="trainer-gouda")
    TrainerAssignment.objects.create(group=ended, trainer=trainer)
    for user in (people.coordinator_gouda, trainer):
        client.force_login(user)
        response = client.get(open_url(ended))
        assert response.status_code == 200
        assert evaluations.evaluation_token(ended) in response.text
        assert "0 deelnemers hebben hem tot nu toe ingevuld." in response.text


@pytest.mark.parametrize("who", ["coordinator_deventer", "contact_promen", "other_trainer"])
def test_nobody_else_opens_it(client, people, ended, who):
    if who == "other_trainer":
        user = trainer_of(people.gouda, username="trainer-elsewhere")
    else:
        user = getattr(people, who)
    client.force_login(user)

    assert client.get(open_url(ended)).status_code == 404
    assert client.post(open_url(ended)).status_code in (404, 405)


def test_someone_not_logged_in_is_asked_to_log_in(client, ended):
    response = client.get(open_url(ended))

    assert response.status_code == 302
    assert "login" in response["Location"] or "inloggen" in response["Location"]


# -- the reports ------------------------------------------------------------------------------


def test_averages_per_course_and_group_leave_out_small_numbers(people, course, ended):
    for score in (7, 8, 9):
        evaluations.submit_evaluation(group=ended, score=score, answers={})
    few = CourseGroupFactory(course=course, library=people.gouda, sessions__first=TODAY)
    Evaluation.objects.create(group=few, score=3, submitted_on=TODAY)

    groups = CourseGroup.objects.all()
    courses = evaluations.averages(groups, by="course")
    per_group = evaluations.averages(groups, by="group")

    assert [(row.answers, row.average) for row in courses] == [(4, 6.8)]
    assert {row.label: (row.answers, row.average) for row in per_group} == {
        str(ended): (3, 8.0),
        str(few): (1, None),
    }


# -- the pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_pages_are_valid_html_in_both_languages(client, people, ended, language):
    form = client.get(form_url(ended, language), HTTP_ACCEPT_LANGUAGE=language).text
    refused = answer(client, ended, score="", language=language).text
    client.force_login(people.coordinator_gouda)
    opened = client.get(open_url(ended)).text
    pages = {"form": form, "refused": refused, "open": opened}

    for name, html in pages.items():
        assert markup_problems(html) == [], name
    if not nu_checker_missing():
        assert nu_errors(pages) == {}
