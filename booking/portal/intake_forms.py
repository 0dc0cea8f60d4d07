"""The intake in the portal: one yes/no question per fieldset and what someone wants to learn,
and the signed reference that carries a finished intake (kept in the session) into the
reserve flow.

The questions come from booking/intake.py; the advice is made there too, never here.
"""

import secrets

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from booking import intake

YES, NO = "yes", "no"
# An intake carried from the advice to reserving is good for a working day: long enough to
# talk it over, short enough that an old link is done again.
SIGNED_MAX_AGE = 24 * 60 * 60
SALT = "booking.portal.intake"
SESSION_KEY = "portal_intakes"
KEPT_IN_SESSION = 5


def answer_field(question) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=question.question,
        help_text=question.explanation,
        choices=[(YES, _("Yes")), (NO, _("No"))],
        coerce=lambda value: value == YES,
        widget=forms.RadioSelect(attrs={"class": "intake-answer"}),
        error_messages={"required": _("Choose yes or no.")},
    )


class IntakeForm(forms.Form):
    """A radio group Yes/No per intake question, in order, then "What do you want to learn?"."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = {f"q-{question.translation_key}": question for question in questions}
        for name, question in self.questions.items():
            self.fields[name] = answer_field(question)
        self.fields["wants"] = forms.CharField(
            label=_("What do you want to learn?"),
            help_text=_("For example: log in with DigiD, or send an e-mail. You may skip this."),
            required=False,
            max_length=intake.MAX_WANTS_LENGTH,
            widget=forms.Textarea(attrs={"rows": 3, "maxlength": intake.MAX_WANTS_LENGTH}),
        )

    @property
    def answer_fields(self) -> list:
        return [self[name] for name in self.questions]

    def answers(self) -> dict[str, bool]:
        """The answers by question key, as booking/intake.py wants them."""
        return {
            str(question.translation_key): self.cleaned_data[name]
            for name, question in self.questions.items()
        }


def sign(record: dict, session) -> str:
    """A value for a link or a hidden field that carries the intake `record` into reserving.

    The record stays in the session: an address ends up in server logs and browser history,
    and what someone wants to learn must not. The value is a signed reference to it, so only
    we can make one, and only in the session it was made in does it lead anywhere.
    """
    reference = secrets.token_urlsafe(12)
    kept = session.get(SESSION_KEY, {})
    kept[reference] = record
    # Only the newest few: a job coach doing intakes one after the other needs no more.
    session[SESSION_KEY] = dict(list(kept.items())[-KEPT_IN_SESSION:])
    return signing.dumps(reference, salt=SALT)


def unsign(value: str, session) -> dict:
    """The record a signed value leads to. Raises signing.BadSignature for a value we did not
    make, that was changed or is too old, or whose record this session does not hold."""
    reference = signing.loads(value, salt=SALT, max_age=SIGNED_MAX_AGE)
    record = session.get(SESSION_KEY, {}).get(reference) if isinstance(reference, str) else None
    if not intake.is_record(record):
        raise signing.BadSignature("Not an intake record of this session.")
    return record
