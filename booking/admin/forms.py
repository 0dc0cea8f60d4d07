"""Forms and filters of the coordinators' group screens (booking/admin/groups.py).

Forms only collect and check what a coordinator typed; every change is made by
booking.services, which has the last word on the booking rules.
"""

import datetime

import django_filters
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_supported_language_variant
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput

from booking.models import CourseGroup, CoursePage, Location, Organisation, Session
from booking.roles import library_of

PLANNABLE_STATUSES = (CourseGroup.Status.DRAFT, CourseGroup.Status.OPEN, CourseGroup.Status.CLOSED)
FINISHED_STATUSES = (CourseGroup.Status.CANCELLED, CourseGroup.Status.COMPLETED)


def default_locale_courses():
    """Course pages in the site's main language: groups hang on the Dutch page, and every
    translation of it shows them (CourseGroupQuerySet.for_course)."""
    language = get_supported_language_variant(settings.LANGUAGE_CODE)
    return CoursePage.objects.filter(locale__language_code=language).order_by("title")


def reason_field(required=True, **kwargs):
    return forms.CharField(
        label=_("Reason for this change"),
        help_text=_("Say in a few words why. This is kept in the history."),
        required=required,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        **kwargs,
    )


class CourseGroupForm(WagtailAdminModelForm):
    """The create and edit form of a group and its sessions.

    A coordinator plans groups only for their own library, so that field is fixed for them;
    cancelling and completing have their own actions, so the status offers only the states a
    coordinator may choose freely. Editing asks why, for the history.
    """

    reason = reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        creating = self.instance.pk is None
        if creating:
            del self.fields["reason"]
        self.fields["course"].queryset = default_locale_courses()
        self.fields["location"].queryset = Location.objects.order_by("city", "name")
        self._fix_library(creating)
        self._limit_status()

    def _fix_library(self, creating):
        field = self.fields["library"]
        user = self.for_user
        if user is not None and user.is_superuser:
            field.queryset = Organisation.objects.filter(kind=Organisation.Kind.LIBRARY)
            return
        library = library_of(user) if user is not None else None
        # Disabled fields ignore whatever is posted, so a hand-made POST cannot move a group
        # to another library either.
        field.disabled = True
        field.queryset = Organisation.objects.filter(pk=library.pk if library else None)
        if creating and library is not None:
            self.initial["library"] = library.pk
            self.instance.library = library

    def _limit_status(self):
        field = self.fields["status"]
        if self.instance.pk and self.instance.status in FINISHED_STATUSES:
            field.disabled = True
            field.help_text = _("This group has ended. Its status cannot change any more.")
            return
        field.choices = [
            (value, label)
            for value, label in CourseGroup.Status.choices
            if value in PLANNABLE_STATUSES
        ]
        field.help_text = _(
            "Only open groups can be booked. Draft groups are not shown anywhere. "
            "To cancel or complete a group, use the buttons on the group's page."
        )


class ReasonForm(forms.Form):
    """An action that needs a reason for the history, and nothing else."""

    reason = reason_field()


class CapacityForm(ReasonForm):
    capacity = forms.IntegerField(
        label=_("Number of seats"),
        min_value=1,
        max_value=100,
        help_text=_("People on the waiting list get the new seats at once."),
    )

    field_order = ["capacity", "reason"]


class CancelGroupForm(ReasonForm):
    confirm = forms.BooleanField(
        label=_("Yes, cancel this group and all its seats"),
        required=True,
        error_messages={"required": _("Tick the box to confirm.")},
        help_text=_("Every contact person gets an e-mail. This cannot be undone."),
    )


class CopyGroupForm(forms.Form):
    first_date = forms.DateField(
        label=_("Date of the first session"),
        help_text=_(
            "All sessions move by the same number of days. The booking period and the "
            "cancellation deadline move too."
        ),
        widget=AdminDateInput,
    )

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        self.sessions = list(group.sessions.order_by("date", "starts_at"))

    def clean(self):
        cleaned = super().clean()
        if not self.sessions:
            raise forms.ValidationError(
                _("This group has no sessions yet, so it cannot be copied.")
            )
        return cleaned

    def build_copy(self) -> CourseGroup:
        """An unsaved draft copy of the group, its sessions moved to the new first date."""
        group = self.group
        shift = self.cleaned_data["first_date"] - self.sessions[0].date
        copy = CourseGroup(
            course=group.course,
            library=group.library,
            location=group.location,
            level=group.level,
            capacity=group.capacity,
            status=CourseGroup.Status.DRAFT,
            booking_opens_at=shift_moment(group.booking_opens_at, shift),
            booking_closes_at=shift_moment(group.booking_closes_at, shift),
            cancellation_deadline=shift_moment(group.cancellation_deadline, shift),
            restricted_to=group.restricted_to,
            seats_per_organisation=group.seats_per_organisation,
            trainer=group.trainer,
            notes=group.notes,
        )
        copy.sessions = [
            Session(date=session.date + shift, starts_at=session.starts_at, ends_at=session.ends_at)
            for session in self.sessions
        ]
        return copy


def shift_moment(moment: datetime.datetime, shift: datetime.timedelta) -> datetime.datetime:
    """The same clock time `shift` days later, also across a change to or from summer time."""
    local = timezone.localtime(moment).replace(tzinfo=None)
    return timezone.make_aware(local + shift)


class AttendanceForm(forms.Form):
    """One checkbox per confirmed participant of a session."""

    def __init__(self, *args, seats, present_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.seats = seats
        for seat in seats:
            self.fields[f"seat_{seat.pk}"] = forms.BooleanField(
                label=f"{seat.participant_label} ({seat.booking.organisation.name})",
                required=False,
                initial=seat.pk in present_ids,
            )

    def present_seat_ids(self) -> list[int]:
        return [seat.pk for seat in self.seats if self.cleaned_data.get(f"seat_{seat.pk}")]


class CourseGroupFilterSet(WagtailFilterSet):
    course = django_filters.ModelChoiceFilter(
        label=_("Course"), queryset=lambda request: default_locale_courses()
    )
    location = django_filters.ModelChoiceFilter(
        label=_("Location"), queryset=Location.objects.order_by("city", "name")
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CourseGroup.Status.choices)
    period = django_filters.DateFromToRangeFilter(
        label=_("First session between"), field_name="first_date", widget=DateRangePickerWidget
    )

    class Meta:
        model = CourseGroup
        fields = ["course", "location", "status", "period"]
