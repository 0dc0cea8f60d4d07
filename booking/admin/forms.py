"""Forms and filters of the coordinators' group screens (booking/admin/groups.py).

Forms only collect and check what a coordinator typed; every change is made by
booking.services, which has the last word on the booking rules.
"""

import datetime

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_supported_language_variant, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput

from booking.models import (
    Attendance,
    CourseGroup,
    CoursePage,
    Location,
    Organisation,
    Seat,
    Session,
)
from booking.models.organisations import SENDING_KINDS
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


class NativeDateInput(forms.DateInput):
    """The browser's own date field. Its calendar opens only when asked for (not on focus, as
    the admin's date picker does), so it never covers the buttons below it."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class NativeTimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


# -- locations --------------------------------------------------------------------------------


def nearby_locations(library: Organisation) -> QuerySet:
    """The places a library's coordinator plans with: the library's own, those of its partners
    (SW companies that booked seats in its groups, or had a group of their own there) and
    every place its groups have met before."""
    partners = Organisation.objects.filter(
        Q(bookings__group__library=library) | Q(restricted_groups__library=library)
    ).values("pk")
    return Location.objects.filter(
        Q(organisation=library) | Q(organisation__in=partners) | Q(course_groups__library=library)
    ).distinct()


class LocationSelect(forms.Select):
    """A drop-down list of locations: first the coordinator's own library's and partners',
    then every other location, which a script hides until the coordinator ticks "show all
    locations". Without the script every location is shown; whichever is chosen saves."""

    others_label = ""

    class Media:
        js = ["js/admin/location-choice.js"]

    def render(self, name, value, attrs=None, renderer=None):
        select = super().render(name, value, attrs, renderer)
        if not self.others_label:
            return select
        select_id = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        return select + format_html(
            '<div class="cp-location-toggle" data-cp-location-toggle="{}" '
            'data-cp-others-label="{}" hidden>'
            '<input type="checkbox" id="{}-all"> <label for="{}-all">{}</label></div>',
            select_id,
            self.others_label,
            select_id,
            select_id,
            _("Show all locations, also those of other libraries"),
        )


def location_choices(library: Organisation | None) -> tuple[list, str]:
    """The location field's choices for a coordinator of `library`, and the label of the group
    of other locations ("" when the list is not split: superusers see one list)."""
    locations = list(Location.objects.order_by("city", "name"))
    blank = [("", "---------")]
    if library is None:
        return blank + [(location.pk, str(location)) for location in locations], ""
    near = set(nearby_locations(library).values_list("pk", flat=True))
    own = [(location.pk, str(location)) for location in locations if location.pk in near]
    others = [(location.pk, str(location)) for location in locations if location.pk not in near]
    if not own or not others:
        return blank + own + others, ""
    others_label = str(_("Other locations"))
    return blank + [
        (str(_("Locations of your library and partners")), own),
        (others_label, others),
    ], others_label


# -- a series of sessions ---------------------------------------------------------------------

SERIES_MOST = 20
SERIES_EVERY = [(1, _("Every week")), (2, _("Every other week"))]
SERIES_FIELDS = ("series_first_date", "series_starts_at", "series_ends_at", "series_count")


def series_dates(first: datetime.date, *, every_weeks: int, count: int) -> list[datetime.date]:
    return [first + datetime.timedelta(weeks=every_weeks * number) for number in range(count)]


class CourseGroupForm(WagtailAdminModelForm):
    """The create and edit form of a group and its sessions.

    A coordinator plans groups only for their own library, so that field is fixed for them;
    cancelling and completing have their own actions, so the status offers only the states a
    coordinator may choose freely. Editing asks why, for the history.

    Sessions are added one by one, or as a series (a first date and time, every week or every
    other week, so many times): the series becomes sessions of the group when it is saved,
    together with everything else, or not at all.
    """

    reason = reason_field()
    series_first_date = forms.DateField(
        label=_("Date of the first session"),
        required=False,
        widget=NativeDateInput,
        help_text=_("Type the day, month and year, or pick the date in the calendar."),
    )
    series_starts_at = forms.TimeField(
        label=_("Start time"), required=False, widget=NativeTimeInput, help_text=_("E.g. 10:00.")
    )
    series_ends_at = forms.TimeField(
        label=_("End time"), required=False, widget=NativeTimeInput, help_text=_("E.g. 12:00.")
    )
    series_every = forms.TypedChoiceField(
        label=_("How often"),
        choices=SERIES_EVERY,
        coerce=int,
        initial=1,
        required=False,
        widget=forms.RadioSelect,
    )
    series_count = forms.IntegerField(
        label=_("Number of sessions"),
        required=False,
        min_value=1,
        max_value=SERIES_MOST,
        help_text=_("From 1 to 20."),
        error_messages={
            "invalid": _("Type a whole number from 1 to 20."),
            "min_value": _("Type a whole number from 1 to 20."),
            "max_value": _("Type a whole number from 1 to 20."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        creating = self.instance.pk is None
        if creating:
            del self.fields["reason"]
        self.fields["course"].queryset = default_locale_courses()
        self.fields["location"].queryset = Location.objects.order_by("city", "name")
        self._fix_library(creating)
        self._limit_status()
        self._group_locations()
        self.series = []
        if self.is_bound and "sessions" in self.formsets:
            # A series may stand in for the sessions one by one; `clean` asks for at least one
            # of either. The empty first form is still shown on a new group's page.
            self.formsets["sessions"].min_num = 0

    def _group_locations(self):
        field = self.fields["location"]
        user = self.for_user
        library = None
        if user is not None and not user.is_superuser:
            library = library_of(user)
        choices, others_label = location_choices(library)
        field.choices = choices
        field.widget.others_label = others_label

    def clean(self):
        cleaned = super().clean()
        dates = self._series(cleaned)
        planned = self._planned_dates()
        if dates:
            twice = sorted(set(dates) & (planned or set()))
            if twice:
                self.add_error(
                    "series_first_date",
                    ngettext(
                        "On %(dates)s a session of this group is already planned. Choose "
                        "another first date or fewer sessions; nothing has been added.",
                        "On %(dates)s sessions of this group are already planned. Choose "
                        "another first date or fewer sessions; nothing has been added.",
                        len(twice),
                    )
                    % {"dates": ", ".join(date_format(day, "DATE_FORMAT") for day in twice)},
                )
            else:
                starts_at, ends_at = cleaned["series_starts_at"], cleaned["series_ends_at"]
                self.series = [
                    Session(date=day, starts_at=starts_at, ends_at=ends_at) for day in dates
                ]
        elif planned is not None and not planned and not self._series_asked(cleaned):
            raise forms.ValidationError(
                _("Add at least one session: one by one, or as a series."), code="no_sessions"
            )
        return cleaned

    def _series_asked(self, cleaned) -> bool:
        return any(cleaned.get(name) not in (None, "") for name in SERIES_FIELDS) or any(
            name in self.errors for name in SERIES_FIELDS
        )

    def _series(self, cleaned) -> list[datetime.date]:
        """The dates of the series the coordinator asked for; none if they did not ask, or
        asked with a problem (each problem is an error on its field)."""
        if not self._series_asked(cleaned):
            return []
        missing = [
            name for name in SERIES_FIELDS if cleaned.get(name) is None and name not in self.errors
        ]
        for name in missing:
            self.add_error(name, _("Fill this in to add a series of sessions."))
        starts_at, ends_at = cleaned.get("series_starts_at"), cleaned.get("series_ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("series_ends_at", _("A session must end after it starts."))
        if any(name in self.errors for name in SERIES_FIELDS):
            return []
        return series_dates(
            cleaned["series_first_date"],
            every_weeks=cleaned.get("series_every") or 1,
            count=cleaned["series_count"],
        )

    def _planned_dates(self) -> set[datetime.date] | None:
        """Dates of the sessions in the form (those not ticked for removal); None when the
        sessions have errors of their own."""
        formset = self.formsets.get("sessions")
        if formset is None:
            return None
        dates = set()
        for form in formset.forms:
            if not form.is_valid():
                return None
            if form.cleaned_data.get("DELETE"):
                continue
            if form.cleaned_data.get("date"):
                dates.add(form.cleaned_data["date"])
        return dates

    def save(self, commit=True):
        group = super().save(commit=commit)
        if self.series:
            group.sessions.add(*self.series)
            if commit:
                group.save()
        return group

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


# -- holding, reserving and moving seats ------------------------------------------------------


def sending_organisations() -> QuerySet:
    """SW companies and referral partners: the organisations that send learners."""
    return Organisation.objects.filter(kind__in=SENDING_KINDS).order_by("name")


class HoldSeatsForm(ReasonForm):
    organisation = forms.ModelChoiceField(
        label=_("For which organisation"),
        queryset=Organisation.objects.none(),
        help_text=_("An SW company or a referral partner."),
        error_messages={"required": _("Choose an organisation.")},
    )
    seats = forms.IntegerField(
        label=_("Number of seats"),
        min_value=1,
        max_value=100,
        help_text=_("Only free seats can be held."),
    )
    held_until = forms.DateField(
        label=_("Held until"),
        widget=NativeDateInput,
        help_text=_(
            "After this day the seats that were not booked go to others. Choose a day "
            "before the first session."
        ),
    )

    field_order = ["organisation", "seats", "held_until", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read when the form is made, so an organisation added a moment ago is in the list.
        self.fields["organisation"].queryset = sending_organisations()


class ReleaseHoldForm(ReasonForm):
    """Giving held seats back asks for no reason, but keeps one that is given."""

    reason = reason_field(required=False)


class ReservingOrganisationField(forms.ModelChoiceField):
    """The group's own library reads as its own learners; other organisations by name."""

    def __init__(self, *args, library, **kwargs):
        super().__init__(*args, **kwargs)
        self.library = library

    def label_from_instance(self, obj):
        if obj.pk == self.library.pk:
            return _("Own learners of the library (%(library)s)") % {"library": obj.name}
        return obj.name


class ReserveSeatsForm(forms.Form):
    """Seats a coordinator books: for the library's own learners, or for an SW company or
    referral partner that asked the library to do it."""

    first_names = forms.CharField(
        label=_("First names (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One first name or initials per line, at most one per seat. Leave this empty if "
            "you do not know the names yet."
        ),
    )
    reason = reason_field(required=False)

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        library = group.library
        first = Case(
            When(pk=library.pk, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        self.fields["organisation"] = ReservingOrganisationField(
            label=_("For whom"),
            queryset=Organisation.objects.filter(Q(pk=library.pk) | Q(kind__in=SENDING_KINDS))
            .annotate(first=first)
            .order_by("first", "name"),
            library=library,
            initial=library.pk,
            empty_label=None,
            help_text=_("The library's own learners, an SW company or a referral partner."),
        )
        self.fields["seats"] = forms.IntegerField(
            label=_("Number of seats"),
            min_value=1,
            max_value=100,
            initial=1,
            help_text=_("What does not fit goes on the waiting list."),
        )
        self.order_fields(["organisation", "seats", "first_names", "reason"])

    def clean_first_names(self):
        names = [line.strip() for line in self.cleaned_data["first_names"].splitlines()]
        names = [name for name in names if name]
        longest = Seat._meta.get_field("first_name").max_length
        if any(len(name) > longest for name in names):
            raise forms.ValidationError(
                _("A first name can have at most %(count)s characters.") % {"count": longest}
            )
        return names

    def clean(self):
        cleaned = super().clean()
        names, seats = cleaned.get("first_names") or [], cleaned.get("seats")
        if seats and len(names) > seats:
            self.add_error(
                "first_names",
                ngettext(
                    "You typed %(names)s names for %(count)s seat. Give at most one name per seat.",
                    "You typed %(names)s names for %(count)s seats. Give at most one name per "
                    "seat.",
                    seats,
                )
                % {"names": len(names), "count": seats},
            )
        return cleaned


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        first = date_format(obj.first_date, "DATE_FORMAT") if obj.first_date else _("no date yet")
        free = obj.free_seats
        seats = (
            ngettext("%(count)s seat free", "%(count)s seats free", free) % {"count": free}
            if free
            else _("full")
        )
        return f"{obj} – {first} – {seats}"


def move_targets(group: CourseGroup) -> QuerySet:
    """Where a coordinator can move a seat of `group`: the library's other open and closed
    groups, of any course, the first to start on top."""
    return (
        CourseGroup.objects.filter(
            library_id=group.library_id,
            status__in=(CourseGroup.Status.OPEN, CourseGroup.Status.CLOSED),
        )
        .exclude(pk=group.pk)
        .with_occupancy()
        .with_dates()
        .select_related("course", "location")
        .order_by("first_date", "pk")
    )


class MoveSeatForm(ReasonForm):
    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_group"] = GroupChoiceField(
            label=_("To which group"),
            queryset=move_targets(group),
            help_text=_(
                "Open and closed groups of the library, of every course. If the group is "
                "full, the participant goes on its waiting list."
            ),
            error_messages={"required": _("Choose a group.")},
        )
        self.order_fields(["to_group", "reason"])


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
            funding=group.funding,
            municipality=group.municipality,
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
    """Per confirmed participant of a session: present, absent or excused."""

    def __init__(self, *args, seats, marks, **kwargs):
        super().__init__(*args, **kwargs)
        self.seats = seats
        for seat in seats:
            self.fields[f"seat_{seat.pk}"] = forms.ChoiceField(
                label=f"{seat.participant_label} ({seat.booking.organisation.name})",
                choices=Attendance.Status.choices,
                widget=forms.RadioSelect,
                initial=marks.get(seat.pk),
                error_messages={
                    "required": _("Choose present, absent or excused."),
                    "invalid_choice": _("Choose present, absent or excused."),
                },
            )

    @property
    def rows(self):
        """(seat, bound field) per participant, for a fieldset each."""
        return [(seat, self[f"seat_{seat.pk}"]) for seat in self.seats]

    def seat_ids(self, status) -> list[int]:
        return [
            seat.pk for seat in self.seats if self.cleaned_data.get(f"seat_{seat.pk}") == status
        ]


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
