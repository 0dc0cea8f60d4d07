from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from booking.evaluations import QUESTIONS

SCORES = [(str(score), str(score)) for score in range(1, 11)]
# Words first, a face beside them for those who read with difficulty (drawn here rather than
# an emoji, which not every tablet has a font for; hidden from screen readers, which read the
# words).
_FACE = (
    '<svg class="picture-choice__picture" viewBox="0 0 32 32" width="32" height="32" '
    'aria-hidden="true" focusable="false"><circle cx="16" cy="16" r="14" fill="#ffd54f" '
    'stroke="#5d4037" stroke-width="2"/><circle cx="11" cy="13" r="2" fill="#5d4037"/>'
    '<circle cx="21" cy="13" r="2" fill="#5d4037"/><path d="{mouth}" fill="none" '
    'stroke="#5d4037" stroke-width="2" stroke-linecap="round"/></svg>'
)
HAPPY = _FACE.format(mouth="M10 19 Q16 25 22 19")
NEUTRAL = _FACE.format(mouth="M10 21 L22 21")
SAD = _FACE.format(mouth="M10 23 Q16 17 22 23")
ANSWERS = {
    "enjoyed": {"yes": (HAPPY, _("Yes")), "somewhat": (NEUTRAL, _("A bit")), "no": (SAD, _("No"))},
    "learned": {
        "a_lot": (HAPPY, _("A lot")),
        "a_bit": (NEUTRAL, _("A bit")),
        "little": (SAD, _("Not much")),
    },
    "go_on": {"yes": (HAPPY, _("Yes")), "maybe": (NEUTRAL, _("Maybe")), "no": (SAD, _("No"))},
}


def _with_picture(picture, words):
    return format_html("{} {}", mark_safe(picture), words)  # noqa: S308 - our own fixed markup


QUESTION_LABELS = {
    "enjoyed": _("Did you like the course?"),
    "learned": _("Did you learn a lot?"),
    "go_on": _("Do you want to learn more?"),
}


class EvaluationForm(forms.Form):
    """The questions of the evaluation: the score is needed, the others may be skipped."""

    score = forms.ChoiceField(
        label=_("What score do you give the course?"),
        help_text=_("1 is very bad, 10 is very good."),
        choices=SCORES,
        widget=forms.RadioSelect(attrs={"class": "score-choice"}),
        error_messages={
            "required": _("Choose a score from 1 to 10."),
            "invalid_choice": _("Choose a score from 1 to 10."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question, answers in QUESTIONS.items():
            self.fields[question] = forms.ChoiceField(
                label=QUESTION_LABELS[question],
                choices=[(answer, _with_picture(*ANSWERS[question][answer])) for answer in answers],
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Choose one of the answers.")},
            )

    def answers(self) -> dict:
        return {question: self.cleaned_data.get(question) for question in QUESTIONS}
