"""The intake and its level advice (issue 14, item 1): the advice rules as a table, the
refusals, what is kept on the seat, and the portal's intake pages and reserving with an intake.
"""

from types import SimpleNamespace

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import translation

from booking import intake, services
from booking.errors import InvalidRequest, NotAllowed
from booking.models import AdviceRule, Booking, IntakeQuestion, Seat
from booking.portal.intake_forms import sign
from booking.services import SeatRequest
from tests.helpers import text_of
from tests.html_checker import markup_problems, nu_checker_missing, nu_errors

from .factories import (
    CourseGroupFactory,
    CoursePageFactory,
    LocationFactory,
    SeatFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

QUESTIONS = {
    "tablet": ("Kun je een tablet aanzetten?", "Can you switch on a tablet?"),
    "mouse": ("Kun je een muis gebruiken?", "Can you use a mouse?"),
    "read": ("Kun je een korte tekst lezen?", "Can you read a short text?"),
    "email": ("Heb je een e-mailadres?", "Do you have an e-mail address?"),
    "digid": ("Heb je DigiD?", "Do you have DigiD?"),
}


def _english_copy(row, english, **fields):
    """The English translation of a snippet row, as wagtail-localize would make it."""
    copy = row.copy_for_translation(english)
    for name, value in fields.items():
        setattr(copy, name, value)
    copy.save()
    return copy


@pytest.fixture
def advice_rules(course, english):
    """The five questions of the issue and the demo's rules, in Dutch and English, and a
    Digisterker course next to the Klik & Tik `course`."""
    digisterker = CoursePageFactory(
        parent=course.get_parent(), title="Digisterker", slug="digisterker"
    )
    questions = {}
    for order, (name, (dutch, english_text)) in enumerate(QUESTIONS.items()):
        question = IntakeQuestion.objects.create(sort_order=order, question=dutch)
        _english_copy(question, english, question=english_text)
        questions[name] = question

    def rule(order, when, course_page, level, reason, english_reason):
        created = AdviceRule.objects.create(
            sort_order=order,
            when_no_to=questions[when] if when else None,
            course=course_page,
            level=level,
            reason=reason,
        )
        _english_copy(created, english, reason=english_reason)

    rule(1, "tablet", course, 1, "Je begint met de tablet aanzetten.", "You start with a tablet.")
    rule(2, "mouse", course, 1, "Je leert eerst de muis gebruiken.", "You learn the mouse first.")
    rule(3, "read", course, 1, "Je oefent rustig met korte teksten.", "You practise short texts.")
    rule(4, "email", course, 2, "Je maakt een e-mailadres.", "You make an e-mail address.")
    rule(5, "digid", course, 3, "Je vraagt DigiD aan.", "You apply for DigiD.")
    rule(6, None, digisterker, 1, "Je kunt al veel.", "You can do a lot already.")
    return SimpleNamespace(questions=questions, klik_en_tik=course, digisterker=digisterker)


def answers_with(rules, no=()):
    """Yes to every question except those named in `no`."""
    return {str(q.translation_key): name not in no for name, q in rules.questions.items()}


# -- the advice rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("no", "advised", "level"),
    [
        ((), "digisterker", 1),
        (("tablet",), "klik_en_tik", 1),
        (("mouse",), "klik_en_tik", 1),
        (("read",), "klik_en_tik", 1),
        (("email",), "klik_en_tik", 2),
        (("digid",), "klik_en_tik", 3),
        (("email", "digid"), "klik_en_tik", 2),
        (("mouse", "email", "digid"), "klik_en_tik", 1),
        (("tablet", "mouse", "read", "email", "digid"), "klik_en_tik", 1),
    ],
)
def test_the_advice_is_the_first_rule_answered_no_else_the_rule_for_all_yes(
    advice_rules, no, advised, level
):
    with translation.override("nl"):
        advice = intake.advise(answers_with(advice_rules, no))

    assert advice.course == getattr(advice_rules, advised)
    assert advice.level == level


def test_the_advice_reads_in_the_active_language(advice_rules):
    with translation.override("en"):
        advice = intake.advise(answers_with(advice_rules, ["mouse"]))
        questions = [question.question for question in intake.questions()]

    assert advice.reason == "You learn the mouse first."
    assert questions == [english for _dutch, english in QUESTIONS.values()]


def test_a_question_without_translation_is_asked_in_dutch(advice_rules):
    IntakeQuestion.objects.filter(
        locale__language_code="en", translation_key=advice_rules.questions["digid"].translation_key
    ).delete()

    with translation.override("en"):
        texts = [question.question for question in intake.questions()]

    assert texts[-1] == "Heb je DigiD?"
    assert texts[0] == "Can you switch on a tablet?"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nl", "Beantwoord de vraag “Heb je DigiD?” met ja of nee."),
        ("en", "Answer the question “Do you have DigiD?” with yes or no."),
    ],
)
def test_a_missing_answer_is_refused_naming_the_question(advice_rules, language, message):
    answers = answers_with(advice_rules)
    del answers[str(advice_rules.questions["digid"].translation_key)]

    with translation.override(language), pytest.raises(InvalidRequest) as refused:
        intake.advise(answers)
    with translation.override(language):
        assert refused.value.message == message


def test_an_answer_that_is_not_yes_or_no_is_refused(advice_rules):
    answers = answers_with(advice_rules)
    answers[str(advice_rules.questions["mouse"].translation_key)] = "ja"

    with translation.override("en"), pytest.raises(InvalidRequest, match="use a mouse"):
        intake.advise(answers)


def test_without_rules_there_is_no_advice(advice_rules):
    AdviceRule.objects.all().delete()

    assert intake.advise(answers_with(advice_rules)) is None


def test_the_record_keeps_only_answers_wants_and_advice(advice_rules):
    answers = answers_with(advice_rules, ["email"])
    with translation.override("nl"):
        advice = intake.advise(answers)
        record = intake.intake_record(answers, "  Mailen met mijn dochter  ", advice)

    assert record == {
        "answers": answers,
        "wants": "Mailen met mijn dochter",
        "advice": {
            "course": str(advice_rules.klik_en_tik.translation_key),
            "level": 2,
            "reason": "Je maakt een e-mailadres.",
        },
    }
    assert intake.is_record(record)


def test_what_they_want_to_learn_is_at_most_300_characters(advice_rules):
    with translation.override("en"), pytest.raises(InvalidRequest, match="at most 300"):
        intake.intake_record(answers_with(advice_rules), "x" * 301, None)


# -- keeping it on a seat ----------------------------------------------------------------------


@pytest.fixture
def seat(promen_booking):
    return promen_booking.seats.order_by("pk").last()


def test_record_intake_keeps_the_intake_on_the_seat_with_a_history_record(
    advice_rules, people, seat
):
    answers = answers_with(advice_rules, ["mouse"])
    before = seat.history.count()

    with translation.override("nl"):
        saved = services.record_intake(
            seat=seat, answers=answers, wants="Foto's bekijken", by=people.contact_promen
        )

    seat.refresh_from_db()
    assert set(seat.intake) == {"answers", "wants", "advice"}
    assert seat.intake["answers"] == answers
    assert seat.intake["advice"]["level"] == 1
    assert seat.intake["advice"]["course"] == str(advice_rules.klik_en_tik.translation_key)
    # The seat had no learning goal, so what they want to learn becomes it.
    assert seat.learning_goal == saved.learning_goal == "Foto's bekijken"
    assert seat.history.count() == before + 1
    assert seat.history.first().history_user == people.contact_promen


def test_record_intake_leaves_a_learning_goal_that_was_filled_in(advice_rules, people, seat):
    seat.learning_goal = "Inloggen met DigiD"
    seat.save()

    services.record_intake(
        seat=seat, answers=answers_with(advice_rules), wants="Mailen", by=people.contact_promen
    )

    seat.refresh_from_db()
    assert seat.learning_goal == "Inloggen met DigiD"
    assert seat.intake["wants"] == "Mailen"


def test_record_intake_with_a_missing_answer_changes_nothing(advice_rules, people, seat):
    answers = answers_with(advice_rules)
    del answers[str(advice_rules.questions["tablet"].translation_key)]
    before = seat.history.count()

    with pytest.raises(InvalidRequest):
        services.record_intake(seat=seat, answers=answers, wants="", by=people.contact_promen)

    seat.refresh_from_db()
    assert seat.intake == {}
    assert seat.history.count() == before


def test_another_organisation_cannot_record_an_intake(advice_rules, people, seat):
    with pytest.raises(NotAllowed):
        services.record_intake(
            seat=seat, answers=answers_with(advice_rules), wants="", by=people.contact_konnected
        )

    seat.refresh_from_db()
    assert seat.intake == {}


def test_reserving_keeps_the_intake_on_the_seat(advice_rules, people, group):
    answers = answers_with(advice_rules, ["read"])
    record = intake.intake_record(answers, "Lezen", intake.advise(answers))

    result = services.reserve_seats(
        group=group,
        organisation=people.promen,
        by=people.contact_promen,
        seats=[SeatRequest(first_name="Ali", intake=record), SeatRequest()],
    )

    first, second = result.booking.seats.order_by("pk")
    assert first.intake == record
    assert second.intake == {}


def test_reserving_refuses_an_intake_that_is_not_a_record(people, group):
    with pytest.raises(InvalidRequest):
        services.reserve_seats(
            group=group,
            organisation=people.promen,
            by=people.contact_promen,
            seats=[SeatRequest(intake={"answers": {}, "wants": "", "advice": None, "name": "X"})],
        )

    assert not Booking.objects.exists()


# -- the portal: the intake before booking -----------------------------------------------------


def intake_post(rules, no=(), wants=""):
    data = {
        f"q-{q.translation_key}": "no" if name in no else "yes"
        for name, q in rules.questions.items()
    }
    data["wants"] = wants
    return data


@pytest.fixture
def matching_group(people, course):
    location = LocationFactory(organisation=people.gouda, name="Bibliotheek Gouda")
    return CourseGroupFactory(course=course, library=people.gouda, location=location, level=1)


@pytest.mark.usefixtures("in_english")
def test_the_intake_page_asks_each_question_with_yes_and_no(promen_client, advice_rules):
    response = promen_client.get(reverse("portal:intake"))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('type="radio"') == 10
    assert html.count("<legend") == 5
    assert "Can you use a mouse?" in text_of(response)
    assert "What do you want to learn?" in text_of(response)


@pytest.mark.usefixtures("in_english")
def test_an_unanswered_question_is_shown_next_to_it_and_at_the_top(promen_client, advice_rules):
    data = intake_post(advice_rules, wants="Mailen")
    del data[f"q-{advice_rules.questions['email'].translation_key}"]

    response = promen_client.post(reverse("portal:intake"), data)

    assert response.status_code == 200
    text = text_of(response)
    assert "Please check the form" in text
    assert "Do you have an e-mail address?: Choose yes or no." in text
    assert 'aria-invalid="true"' in response.content.decode()
    # What was typed is kept.
    assert "Mailen" in text


@pytest.mark.usefixtures("in_english")
def test_the_advice_offers_the_matching_groups_with_the_intake(
    promen_client, advice_rules, matching_group, people, course
):
    CourseGroupFactory(course=course, library=people.gouda, level=2)  # another level

    response = promen_client.post(
        reverse("portal:intake"), intake_post(advice_rules, no=["mouse"], wants="Mailen")
    )

    assert response.status_code == 200
    text = text_of(response)
    assert "Our advice: Klik & Tik level 1" in text
    assert "You learn the mouse first." in text
    groups = response.context["groups"]
    assert [group.pk for group in groups] == [matching_group.pk]
    reserve = reverse("portal:reserve", kwargs={"group_id": matching_group.pk})
    assert f"{reserve}?intake=" in response.content.decode()
    assert not Seat.objects.exists()


def test_the_advice_page_in_dutch_says_niveau(promen_client, advice_rules, matching_group):
    with translation.override("nl"):
        response = promen_client.post(
            reverse("portal:intake"), intake_post(advice_rules, no=["mouse"])
        )

    assert "Ons advies: Klik & Tik niveau 1" in text_of(response)
    assert "Reserveer hier een plek" in text_of(response)


@pytest.mark.usefixtures("in_english")
def test_reserving_with_the_intake_keeps_it_on_the_first_seat(
    promen_client, advice_rules, matching_group
):
    advice_page = promen_client.post(
        reverse("portal:intake"), intake_post(advice_rules, no=["mouse"], wants="Mailen")
    )
    signed = advice_page.context["intake_value"]
    url = reverse("portal:reserve", kwargs={"group_id": matching_group.pk})

    first_step = promen_client.get(url, {"intake": signed})
    assert "Intake done. Our advice: Klik & Tik level 1." in text_of(first_step)
    second_step = promen_client.get(url, {"intake": signed, "seats": 2})
    form = second_step.context["form"]
    assert form["seat-1-learning_goal"].value() == "Mailen"
    assert not form["seat-2-learning_goal"].value()

    response = promen_client.post(
        url,
        {
            "intake": signed,
            "seats": 2,
            "submission": form["submission"].value(),
            "seat-1-first_name": "Ali",
            "seat-1-learning_goal": "Mailen",
        },
    )

    assert response.status_code == 302
    first, second = Seat.objects.order_by("pk")
    assert first.first_name == "Ali"
    assert first.intake["advice"]["level"] == 1
    assert first.intake["wants"] == "Mailen"
    assert set(first.intake) == {"answers", "wants", "advice"}
    assert second.intake == {}


@pytest.mark.usefixtures("in_english")
def test_the_link_carries_no_answer_and_works_only_in_its_own_session(
    client, promen_client, people, advice_rules, matching_group
):
    response = promen_client.post(
        reverse("portal:intake"), intake_post(advice_rules, no=["mouse"], wants="Zyxw mailen")
    )
    value = response.context["intake_value"]
    url = reverse("portal:reserve", kwargs={"group_id": matching_group.pk})
    # Server logs keep addresses: what someone wants to learn is never in one.
    assert "Zyxw" not in signing.loads(value, salt="booking.portal.intake")
    assert promen_client.get(url, {"intake": value, "seats": 1}).status_code == 200

    colleague = UserFactory(username="contact-promen-2", organisation=people.promen)
    client.force_login(colleague)

    response = client.get(url, {"intake": value, "seats": 1})
    assert response.status_code == 400
    assert "This intake link does not work" in text_of(response)


@pytest.mark.usefixtures("in_english")
def test_a_changed_intake_link_is_refused_and_nothing_is_reserved(
    promen_client, advice_rules, matching_group
):
    answers = answers_with(advice_rules)
    record = intake.intake_record(answers, "", intake.advise(answers))
    session = promen_client.session
    signed = sign(record, session)
    session.save()
    forged = signing.dumps(
        {**record, "advice": {**record["advice"], "level": 3}}, salt="another salt"
    )
    tampered = signed[:-3] + ("aaa" if not signed.endswith("aaa") else "bbb")
    url = reverse("portal:reserve", kwargs={"group_id": matching_group.pk})

    for bad in (tampered, forged, "not-signed"):
        response = promen_client.get(url, {"intake": bad, "seats": 1})
        assert response.status_code == 400
        assert "This intake link does not work" in text_of(response)
        response = promen_client.post(url, {"intake": bad, "seats": 1, "seat-1-first_name": "Ali"})
        assert response.status_code == 400

    assert not Seat.objects.exists()


# -- the portal: the intake for a seat ---------------------------------------------------------


@pytest.mark.usefixtures("in_english")
def test_the_intake_of_a_seat_is_kept_and_shown_on_the_booking(promen_client, advice_rules, seat):
    url = reverse("portal:seat_intake", kwargs={"pk": seat.pk})
    booking_url = reverse("portal:booking", kwargs={"pk": seat.booking_id})
    assert url in promen_client.get(booking_url).content.decode()

    response = promen_client.post(url, intake_post(advice_rules, no=["digid"], wants="DigiD"))

    assert response.status_code == 302
    assert response.url == booking_url
    seat.refresh_from_db()
    assert seat.intake["advice"]["level"] == 3
    booking_page = text_of(promen_client.get(booking_url))
    assert "The intake of" in booking_page
    assert "Intake advice: Klik & Tik level 3" in booking_page
    again = text_of(promen_client.get(url))
    assert "Advice of the last intake: Klik & Tik level 3" in again


@pytest.mark.usefixtures("in_english")
def test_another_organisations_seat_is_not_found(client, people, advice_rules, seat):
    client.force_login(people.contact_konnected)
    url = reverse("portal:seat_intake", kwargs={"pk": seat.pk})

    assert client.get(url).status_code == 404
    assert client.post(url, intake_post(advice_rules)).status_code == 404

    seat.refresh_from_db()
    assert seat.intake == {}


@pytest.mark.usefixtures("in_english")
def test_the_intake_pages_are_for_contact_persons_only(client, people, advice_rules, seat):
    client.force_login(people.coordinator_gouda)

    assert client.get(reverse("portal:intake")).status_code == 403
    response = client.post(
        reverse("portal:seat_intake", kwargs={"pk": seat.pk}), intake_post(advice_rules)
    )
    assert response.status_code == 403
    client.logout()
    assert client.get(reverse("portal:intake")).status_code == 302

    seat.refresh_from_db()
    assert seat.intake == {}


@pytest.mark.usefixtures("in_english")
def test_a_cancelled_seat_gets_no_intake(promen_client, people, advice_rules, promen_booking):
    seat = SeatFactory(booking=promen_booking, cancelled=True)
    url = reverse("portal:seat_intake", kwargs={"pk": seat.pk})

    assert "This seat has been cancelled." in text_of(promen_client.get(url))
    response = promen_client.post(url, intake_post(advice_rules))

    assert "This seat has been cancelled." in text_of(response)
    seat.refresh_from_db()
    assert seat.intake == {}


# -- valid HTML --------------------------------------------------------------------------------


def test_the_intake_pages_are_valid_html(promen_client, advice_rules, matching_group, seat):
    pages = {}
    for language in ("nl", "en"):
        with translation.override(language):
            intake_url = reverse("portal:intake")
            seat_url = reverse("portal:seat_intake", kwargs={"pk": seat.pk})
            reserve_url = reverse("portal:reserve", kwargs={"group_id": matching_group.pk})
            pages[intake_url] = promen_client.get(intake_url)
            pages[f"{intake_url} (errors)"] = promen_client.post(intake_url, {"wants": "x"})
            advice = promen_client.post(intake_url, intake_post(advice_rules, no=["mouse"]))
            pages[f"{intake_url} (advice)"] = advice
            signed = advice.context["intake_value"]
            pages[f"{reserve_url} (intake)"] = promen_client.get(
                reserve_url, {"intake": signed, "seats": 1}
            )
            pages[f"{reserve_url} (bad intake)"] = promen_client.get(reserve_url, {"intake": "x"})
            pages[seat_url] = promen_client.get(seat_url)
    bodies = {name: response.content.decode() for name, response in pages.items()}

    assert {name: markup_problems(body) for name, body in bodies.items()} == dict.fromkeys(
        bodies, []
    )
    missing = nu_checker_missing()
    if missing:
        pytest.skip(missing)
    assert nu_errors(bodies) == {}


# -- the admin ---------------------------------------------------------------------------------


def test_coordinators_edit_questions_and_rules_in_the_admin(client, staff, advice_rules):
    client.force_login(staff.coordinator_gouda)
    question = advice_rules.questions["mouse"]

    for model in ("intakequestion", "advicerule"):
        listing = client.get(reverse(f"wagtailsnippets_booking_{model}:list"))
        assert listing.status_code == 200
        assert client.get(reverse(f"wagtailsnippets_booking_{model}:add")).status_code == 200
    rule = AdviceRule.objects.filter(locale__language_code="nl").first()
    rule_edit = client.get(reverse("wagtailsnippets_booking_advicerule:edit", args=[rule.pk]))
    assert rule_edit.status_code == 200
    # Each question and course once: the rule's own language only.
    assert rule_edit.content.decode().count(">Kun je een muis gebruiken?<") == 1
    edit = reverse("wagtailsnippets_booking_intakequestion:edit", args=[question.pk])
    response = client.post(
        edit, {"question": "Kun je met een muis klikken?", "explanation": "", "sort_order": 1}
    )

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.question == "Kun je met een muis klikken?"


def test_contact_persons_do_not_reach_the_intake_admin(client, people, advice_rules):
    client.force_login(people.contact_promen)

    response = client.get(reverse("wagtailsnippets_booking_intakequestion:list"))

    assert response.status_code in (302, 403)


def test_the_history_says_an_intake_was_filled_in_without_its_answers():
    from booking.history import _show

    field = Seat._meta.get_field("intake")
    with translation.override("nl"):
        assert _show(field, {"answers": {"mouse": False}, "wants": "Mailen"}, {}) == "ingevuld"
        assert _show(field, {}, {}) == "—"
