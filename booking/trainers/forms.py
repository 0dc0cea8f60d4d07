"""The trainers' forms. They check what people type; the rules are checked by
booking/services.py, whose refusals the views add to these forms as errors."""

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.models import Attendance
from booking.models.learning import MAX_NOTE_LENGTH


class ChoiceButtons(forms.RadioSelect):
    """Radio buttons shown as large buttons. The field points at its first choice, so the
    error summary's link reaches the question (Django's own points nowhere)."""

    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, 0 if index is None else index)


class AttendanceForm(forms.Form):
    """One question per confirmed participant: present, absent or excused. Nobody is
    marked absent by a missed tap: every participant needs a choice."""

    def __init__(self, data=None, *, seats, marks):
        super().__init__(data)
        self.seats = {}
        for seat in seats:
            name = f"seat_{seat.pk}"
            self.seats[name] = seat
            self.fields[name] = forms.ChoiceField(
                label=seat.participant_label,
                choices=Attendance.Status.choices,
                widget=ChoiceButtons(attrs={"class": "choice-buttons__input"}),
                initial=marks.get(seat.pk),
                error_messages={"required": _("Choose present, absent or excused.")},
            )

    def ids_with(self, status: str) -> list[int]:
        return [
            self.seats[name].pk
            for name, value in self.cleaned_data.items()
            if name in self.seats and value == status
        ]


class SessionNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note for the coordinator"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_NOTE_LENGTH}),
        max_length=MAX_NOTE_LENGTH,
        strip=True,
        help_text=_(
            "For example: “Anja needs a bigger screen.” Only the coordinators of the library "
            "read it."
        ),
        error_messages={
            "required": _("Write a note first."),
            "max_length": _("A note can be at most %(limit_value)d characters long."),
        },
    )
