"""The portal's forms. They check what people type; the booking rules are checked by
booking/services.py, whose refusals the views add to these forms as errors."""

import uuid

from django import forms
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from booking.idempotency import InvalidIdempotencyKey, check_key
from booking.models import Seat
from booking.policies import SeatAllowance
from booking.services import SeatRequest
from core.input import NameField

REASON_MAX_LENGTH = 300
API_KEY_NAME_MAX_LENGTH = 100
DETAIL_FIELDS = ("first_name", "learning_goal", "support_needs")


def new_submission_key() -> str:
    return uuid.uuid4().hex


KEPT_WITH_THE_BOOKING = _("You may leave this empty. It is kept in the history of the booking.")


def reason_field(help_text=KEPT_WITH_THE_BOOKING):
    return forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
    )


def detail_field(name: str) -> forms.Field:
    """A participant field as the seat model defines it: label, help text, maximum length."""
    if name == "first_name":
        return Seat._meta.get_field(name).formfield(form_class=NameField)
    field = Seat._meta.get_field(name).formfield()
    field.widget = forms.Textarea(attrs={"rows": 2, "maxlength": field.max_length})
    return field


def seat_count_field(allowance: SeatAllowance, free: int) -> forms.IntegerField:
    """The number of seats, at most what the organisation may ask for: the help text says
    how many that is and why, and what happens to seats beyond the free ones."""
    limit = limit_text(allowance)
    return forms.IntegerField(
        label=_("How many seats do you want to reserve?"),
        min_value=1,
        max_value=allowance.most,
        help_text=f"{limit} {free_text(free, most=allowance.most)}",
        error_messages={
            "required": _("Fill in a number of seats."),
            "invalid": _("Fill in a whole number, for example 2."),
            "min_value": _("Reserve at least 1 seat."),
            "max_value": limit,
        },
    )


def limit_text(allowance: SeatAllowance) -> str:
    """E.g. "You can reserve 1 seat now. Your organisation can have at most 1 seat in this
    group, ...": the maximum in the words the booking rule refuses more with."""
    reason = allowance.reason.message
    if not allowance.by_organisation:
        return reason
    most = allowance.most
    now = ngettext(
        "You can reserve %(count)s seat now.", "You can reserve %(count)s seats now.", most
    ) % {"count": most}
    return f"{now} {reason}"


def free_text(free: int, *, most: int) -> str:
    """Free seats are no maximum: what does not fit goes on the waiting list (rule 2)."""
    if not free:
        return gettext("There are no free seats now. The seats you ask for go on the waiting list.")
    text = ngettext("There is %(count)s seat free.", "There are %(count)s seats free.", free)
    if free >= most:
        return text % {"count": free}
    more = gettext("If you ask for more, the others go on the waiting list.")
    return f"{text % {'count': free}} {more}"


class SeatCountForm(forms.Form):
    """The first step of reserving: how many seats, 1 up to what the organisation may ask for
    in this group now (`booking.policies.SeatAllowance`)."""

    def __init__(self, *args, allowance: SeatAllowance, free: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seats"] = seat_count_field(allowance, free)

    def field_error_label(self, name, field):
        return _("Number of seats")


class ReserveForm(forms.Form):
    """One fieldset per seat: first name or initials, learning goal and support needs, all
    optional. The number of seats comes from the first step (`SeatCountForm`).

    `submission` is a one-time key written into each new form: a second click, or a browser
    sending the form again, brings the same key, and the view books it once
    (`booking.idempotency.reserve_once`).
    """

    # No max_length: a hidden field's error would be one nobody can see or fix.
    submission = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, count: int, intake: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.count = count
        # An intake done before booking (booking/portal/views/intake.py) is about one person:
        # it goes with the first seat, whose learning goal starts as what they want to learn.
        self.intake = intake or {}
        if not self.is_bound:
            self.initial.setdefault("submission", new_submission_key())
            if self.intake.get("wants"):
                self.initial.setdefault("seat-1-learning_goal", self.intake["wants"])
        for number in range(1, count + 1):
            for name in DETAIL_FIELDS:
                self.fields[f"seat-{number}-{name}"] = detail_field(name)

    def field_error_label(self, name, field):
        """How the error summary names a field (components/error_summary.html)."""
        if name.startswith("seat-"):
            number = name.split("-")[1]
            return pgettext("seat in a form", "Seat %(number)s, %(field)s") % {
                "number": number,
                "field": str(field.label).lower(),
            }
        return field.label

    @property
    def seat_fieldsets(self) -> list[tuple[int, list]]:
        """(seat number, its bound fields) for each seat, to render as fieldsets."""
        return [
            (number, [self[f"seat-{number}-{name}"] for name in DETAIL_FIELDS])
            for number in range(1, self.count + 1)
        ]

    def clean_submission(self) -> str:
        # Not one of ours (the page was changed by hand): booked without the guard.
        key = self.cleaned_data["submission"]
        try:
            return check_key(key) if key else ""
        except InvalidIdempotencyKey:
            return ""

    def with_new_submission_key(self) -> "ReserveForm":
        """The same form, as typed, with a fresh key: for sending it again on purpose."""
        data = self.data.copy()
        data["submission"] = new_submission_key()
        form = ReserveForm(data, count=self.count, intake=self.intake)
        form.is_valid()
        return form

    def seat_requests(self) -> list[SeatRequest]:
        data = self.cleaned_data
        return [
            SeatRequest(
                **{name: data[f"seat-{number}-{name}"] for name in DETAIL_FIELDS},
                intake=self.intake if number == 1 else {},
            )
            for number in range(1, self.count + 1)
        ]


class SeatDetailsForm(forms.Form):
    first_name = detail_field("first_name")
    learning_goal = detail_field("learning_goal")
    support_needs = detail_field("support_needs")
    reason = reason_field()

    def seat_request(self) -> SeatRequest:
        return SeatRequest(**{name: self.cleaned_data[name] for name in DETAIL_FIELDS})


class ReasonForm(forms.Form):
    """A confirmation step: the button says what happens; a reason may be given."""

    reason = reason_field()


class GiveBackHeldSeatsForm(forms.Form):
    """Confirms giving back held seats. The reason is kept in the hold's history, which the
    library reads on the group's page; no booking of the organisation has it."""

    reason = reason_field(
        help_text=_("You may leave this empty. The library sees it in the history of the group.")
    )


class MoveSeatForm(forms.Form):
    to_group = forms.TypedChoiceField(
        label=_("Which group should this person go to?"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a group."),
            "invalid_choice": _("You cannot move a seat to this group. Choose another one."),
        },
    )
    reason = reason_field()

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = {group.pk: group for group in groups}
        self.fields["to_group"].choices = [
            (group.pk, group.move_label) for group in self.groups.values()
        ]

    @property
    def group(self):
        return self.groups[self.cleaned_data["to_group"]]


class ConfirmForm(forms.Form):
    """A form with nothing to fill in: pressing its button is the confirmation."""


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the key"),
        max_length=API_KEY_NAME_MAX_LENGTH,
        help_text=_("So you know later where you use it, e.g. “HR system”."),
        error_messages={"required": _("Give the key a name.")},
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the key a name."))
        return name
