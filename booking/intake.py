"""The intake: a few can-you questions a job coach goes through with a colleague, and the
course and level they advise (issue 14).

Coordinators write the questions and the advice rules in the admin, in Dutch and English
(both are translatable snippets). A question is known everywhere by its translation key, so
answers given in English and rules written in Dutch meet. What is kept of an intake, on the
seat, is only what `intake_record` returns: the yes/no answers, what the person wants to
learn and the advice. It is erased with the seat's other details (rule 9).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from booking.errors import InvalidRequest
from booking.models import AdviceRule, CoursePage, IntakeQuestion

MAX_WANTS_LENGTH = 300


@dataclass(frozen=True)
class Advice:
    """The course and level the intake advises, and why in one sentence. `course` is the
    course page in the active language (or the page itself when it has no translation)."""

    course: CoursePage
    level: int
    reason: str


def _active_and_default_locales() -> tuple[Locale, Locale]:
    return Locale.get_active(), Locale.get_default()


def _in_active_language(rows: Iterable[Model]) -> list[Model]:
    """One row per translation key: the active language's, else the default language's.

    Rows of other languages only count when neither has the key.
    """
    active, default = _active_and_default_locales()
    preference = {active.pk: 0, default.pk: 1}
    chosen = {}
    for row in rows:
        rank = preference.get(row.locale_id, 2)
        current = chosen.get(row.translation_key)
        if current is None or rank < preference.get(current.locale_id, 2):
            chosen[row.translation_key] = row
    return sorted(chosen.values(), key=lambda row: (row.sort_order, row.pk))


def questions() -> list[IntakeQuestion]:
    """The intake's questions in the active language (falling back to the default
    language's text for a question without a translation), from low to high."""
    return _in_active_language(IntakeQuestion.objects.all())


def _key(question: IntakeQuestion) -> str:
    return str(question.translation_key)


def check_answers(answers: Mapping[str, bool], asked: list[IntakeQuestion]) -> dict[str, bool]:
    """The answers to `asked`, by question key; refuses when one is missing or not yes/no."""
    checked = {}
    for question in asked:
        answer = answers.get(_key(question))
        if not isinstance(answer, bool):
            raise InvalidRequest(
                _("Answer the question “%(question)s” with yes or no."),
                argument="answers",
                question=question.question,
            )
        checked[_key(question)] = answer
    return checked


def advise(answers: Mapping[str, bool]) -> Advice | None:
    """The advice for these answers (question key -> yes/no), or None when no rules exist.

    Rules are tried in their order: the first whose question was answered "no" wins; when
    none matches, the rule without a question (the advice for "yes" to everything) applies.
    Every question must be answered: a missing answer is refused with the question's text.
    """
    answers = check_answers(answers, questions())
    rules = _in_active_language(AdviceRule.objects.select_related("when_no_to", "course"))
    chosen = next(
        (
            rule
            for rule in rules
            if rule.when_no_to_id is not None and answers.get(_key(rule.when_no_to)) is False
        ),
        None,
    )
    if chosen is None:
        chosen = next((rule for rule in rules if rule.when_no_to_id is None), None)
    if chosen is None:
        return None
    return Advice(course=chosen.course.localized.specific, level=chosen.level, reason=chosen.reason)


def clean_wants(wants: str) -> str:
    wants = (wants or "").strip()
    if len(wants) > MAX_WANTS_LENGTH:
        raise InvalidRequest(
            _("Write what they want to learn in at most %(count)s characters."),
            argument="wants",
            count=MAX_WANTS_LENGTH,
        )
    return wants


def intake_record(answers: Mapping[str, bool], wants: str, advice: Advice | None) -> dict:
    """What is kept of an intake on the seat, and nothing more: the yes/no answers by
    question key, what the person wants to learn, and the advice (course by translation key,
    level and the reason in the language it was given)."""
    return {
        "answers": {str(key): bool(value) for key, value in answers.items()},
        "wants": clean_wants(wants),
        "advice": (
            {
                "course": str(advice.course.translation_key),
                "level": advice.level,
                "reason": advice.reason,
            }
            if advice
            else None
        ),
    }


def is_record(value) -> bool:
    """Whether `value` has the shape `intake_record` gives (for a record read back from a
    signed link: signed by us, but checked before it goes near a seat)."""
    if not isinstance(value, dict) or set(value) != {"answers", "wants", "advice"}:
        return False
    answers, wants, advice = value["answers"], value["wants"], value["advice"]
    if not isinstance(answers, dict) or not all(
        isinstance(key, str) and isinstance(answer, bool) for key, answer in answers.items()
    ):
        return False
    if not isinstance(wants, str) or len(wants) > MAX_WANTS_LENGTH:
        return False
    if advice is None:
        return True
    return (
        isinstance(advice, dict)
        and set(advice) == {"course", "level", "reason"}
        and isinstance(advice["course"], str)
        and advice["level"] in (1, 2, 3)
        and isinstance(advice["reason"], str)
    )


@dataclass(frozen=True)
class StoredAdvice:
    """The advice kept on a seat, for a page: the course's title in the reader's language."""

    course_title: str
    level: int
    reason: str


def stored_advice(intake: Mapping) -> StoredAdvice | None:
    """The advice of a seat's intake, or None when the seat has none (or it was erased)."""
    holder = _Holder(intake)
    with_stored_advice([holder])
    return holder.advice


@dataclass
class _Holder:
    intake: Mapping
    advice: StoredAdvice | None = None


def with_stored_advice(seats: Iterable) -> None:
    """Sets `.advice` (a StoredAdvice, or None) on each seat, with one query for the course
    titles of a whole booking."""
    seats = list(seats)
    keys = {seat.intake["advice"]["course"] for seat in seats if (seat.intake or {}).get("advice")}
    for seat in seats:
        seat.advice = None
    if not keys:
        return
    active, default = _active_and_default_locales()
    titles = {}
    rows = CoursePage.objects.filter(translation_key__in=keys, locale__in=[active, default])
    for key, locale_id, title in rows.values_list("translation_key", "locale_id", "title"):
        if locale_id == active.pk or str(key) not in titles:
            titles[str(key)] = title
    for seat in seats:
        advice = (seat.intake or {}).get("advice")
        if advice:
            seat.advice = StoredAdvice(
                course_title=titles.get(advice["course"], ""),
                level=advice["level"],
                reason=advice["reason"],
            )
