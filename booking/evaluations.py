"""The anonymous evaluation of a group, filled in at its last session (issue 14, item 4).

A coordinator or a trainer of the group opens the evaluation on a tablet (or shows its address
for phones); each participant answers a few questions with big buttons and a score from 1 to
10, and hands the tablet on. Nothing links an answer to a seat or a person: the address is
the group's, nobody logs in, and only the day is kept (models.Evaluation).

- `evaluation_address(group)`: the signed path of the group's evaluation form.
- `group_of_token(token)`: the group a signed token names, or None.
- `submit_evaluation(...)`: keep one evaluation; refused outside the days it is open or once
  as many people answered as the group had confirmed seats.
- `averages(groups)`: the average score per course and per group, for the reports, beside
  the national Digisterker programme's average.
"""

import datetime
from dataclasses import dataclass

from django.core import signing
from django.db import transaction
from django.db.models import Avg, Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.errors import InvalidRequest, InvalidState
from booking.models import CourseGroup, Evaluation, Seat
from booking.policies import NOT_RUNNING

SALT = "leerplein.evaluation"
# The form opens on the day of the last session and stays open this long for those who fill
# it in at home.
OPEN_DAYS_AFTER_LAST_SESSION = 14
# The national Digisterker programme reports this average score; the reports show ours beside it.
NATIONAL_DIGISTERKER_AVERAGE = 8.5
# An average of fewer answers than this is not shown: with one or two, people could work out
# who gave which score.
MIN_ANSWERS_SHOWN = 3

# The questions besides the score; each answer is one of a few fixed words, never free text.
QUESTIONS = {
    "enjoyed": ("yes", "somewhat", "no"),
    "learned": ("a_lot", "a_bit", "little"),
    "go_on": ("yes", "maybe", "no"),
}


def evaluation_token(group: CourseGroup) -> str:
    # The same address every time, so it can be written on the board or printed.
    return signing.Signer(salt=SALT).sign_object(group.pk)


def evaluation_address(group: CourseGroup) -> str:
    return reverse("evaluation:form", args=[evaluation_token(group)])


def group_of_token(token: str) -> CourseGroup | None:
    try:
        group_id = signing.Signer(salt=SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(group_id, int):
        return None
    return (
        CourseGroup.objects.with_dates()
        .select_related("course", "library", "location")
        .filter(pk=group_id)
        .first()
    )


def check_can_evaluate(group: CourseGroup, *, today: datetime.date | None = None) -> None:
    """The evaluation is open from the day of the group's last session, for two weeks."""
    today = today or timezone.localdate()
    last = getattr(group, "last_date", None)
    if last is None:
        last = CourseGroup.objects.with_dates().values_list("last_date", flat=True).get(pk=group.pk)
    if group.status in NOT_RUNNING or last is None:
        raise InvalidState(_("This group has no evaluation."))
    if today < last:
        raise InvalidState(
            _("The evaluation opens on the day of the last lesson."),
        )
    if today > last + datetime.timedelta(days=OPEN_DAYS_AFTER_LAST_SESSION):
        raise InvalidState(_("The evaluation of this group is closed. Thank you!"))


def _clean_answers(score, answers) -> tuple[int, dict[str, str]]:
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 10:
        raise InvalidRequest(_("Choose a score from 1 to 10."), argument="score")
    kept = {}
    for question, choices in QUESTIONS.items():
        answer = (answers or {}).get(question)
        if answer in (None, ""):
            continue  # every question but the score may be skipped
        if answer not in choices:
            raise InvalidRequest(_("Choose one of the answers."), argument=question)
        kept[question] = answer
    return score, kept


def submit_evaluation(
    *, group: CourseGroup, score, answers: dict, today: datetime.date | None = None
) -> Evaluation:
    """Keep one participant's evaluation of `group`.

    Refused outside the days the evaluation is open, and once as many evaluations came in as
    the group has confirmed seats (a tablet passed round once more, or someone pressing
    again, cannot outweigh the group). Keeps the day only, never the time.
    """
    today = today or timezone.localdate()
    score, kept = _clean_answers(score, answers)
    with transaction.atomic():
        # Two tablets sending at once must not both take the last place.
        group = CourseGroup.objects.select_for_update().get(pk=group.pk)
        check_can_evaluate(group, today=today)
        confirmed = Seat.objects.filter(booking__group=group).confirmed().count()
        if Evaluation.objects.filter(group=group).count() >= confirmed:
            raise InvalidState(_("Everyone in this group has filled in the evaluation. Thank you!"))
        return Evaluation.objects.create(group=group, score=score, answers=kept, submitted_on=today)


@dataclass
class AverageScore:
    label: str
    answers: int
    average: float | None  # None when too few answered to show it

    @property
    def shown(self) -> bool:
        return self.average is not None


def _average(label, answers, average) -> AverageScore:
    if answers < MIN_ANSWERS_SHOWN or average is None:
        return AverageScore(label=label, answers=answers, average=None)
    return AverageScore(label=label, answers=answers, average=round(float(average), 1))


def averages(groups, *, by: str = "course") -> list[AverageScore]:
    """The average score of `groups` per course (by="course") or per group (by="group"), in
    two queries; an average of fewer than MIN_ANSWERS_SHOWN answers is left out."""
    evaluations = Evaluation.objects.filter(group__in=groups).order_by()
    if by == "course":
        # Labelled like the other reports: by the course page the groups hang on.
        rows = (
            evaluations.values("group__course__title")
            .annotate(answers=Count("pk"), average=Avg("score"))
            .order_by("group__course__title")
        )
        return [
            _average(row["group__course__title"], row["answers"], row["average"]) for row in rows
        ]
    rows = {
        row["group"]: row
        for row in evaluations.values("group").annotate(answers=Count("pk"), average=Avg("score"))
    }
    shown = CourseGroup.objects.filter(pk__in=rows).select_related("course", "location")
    return [
        _average(str(group), rows[group.pk]["answers"], rows[group.pk]["average"])
        for group in shown.order_by("pk")
    ]
