"""History in the admin: the timeline of a group or a booking, and the audit log ("Logboek").

History is read-only for everyone (DESIGN.md rule 8): these views answer GET only, and no
admin URL edits, deletes or reverts a history record.

A group's timeline also shows what booking.history's stream of seats, bookings and sessions
does not hold: the seats held for an organisation (SeatHold's history) and the messages sent
to the group's contact persons. `TIMELINE_EXTRAS`
lists where such entries come from; the timeline merges them with the stream by date.
"""

from operator import itemgetter

import django_filters
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import include, path, reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.utils import get_user_display_name
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.base import ViewSet

from booking.history import (
    ACTION_CHOICES,
    ACTION_LABELS,
    BOOKING_SOURCES,
    Change,
    Entry,
    about_organisation,
    history_rows,
    history_user_ids,
    load_entries,
    visible_history,
)
from booking.messages import messages_for_timeline
from booking.models import Action, Booking, CourseGroup, GroupMessage, Organisation, SeatHold
from booking.models.history import SystemReason
from booking.roles import library_of
from booking.selectors import bookings_visible_to, groups_visible_to
from core.exports import SafeSpreadsheetExportMixin

from .audit import PlannerMenuItem, PlannerRequiredMixin, ScopedFiltersMixin

PER_PAGE = 50
EXPORT_BATCH = 500


# -- held seats on the timeline ----------------------------------------------------------------


def hold_text(hold) -> str:
    """E.g. "3 held for Promen until 1 March 2025"; `hold` is a SeatHold or one of its
    history records."""
    return gettext("%(count)s held for %(organisation)s until %(date)s") % {
        "count": hold.seats,
        "organisation": hold.organisation.name,
        "date": date_format(hold.held_until, "DATE_FORMAT"),
    }


def _hold_action_label(record, system_reason: SystemReason | None) -> str:
    """What happened to held seats, in the words a coordinator uses: held, given back,
    expired, booked."""
    if record.action == Action.HOLD_RELEASED:
        if system_reason == SystemReason.HOLD_EXPIRED:
            return gettext("Held seats expired")
        if system_reason == SystemReason.HOLD_BOOKED:
            return gettext("All held seats booked")
        return gettext("Held seats given back")
    if record.action == Action.EDITED and system_reason == SystemReason.SEATS_RESERVED:
        return gettext("Held seats booked")
    return str(ACTION_LABELS.get(record.action, record.action))


def _system_reason(record) -> SystemReason | None:
    text = record.history_change_reason or ""
    if not record.reason_language and text in SystemReason.values:
        return SystemReason(text)
    return None


def _hold_changes(record, previous) -> list[Change]:
    """The number of seats and the day, as they started or as they changed."""
    seats_label = str(capfirst(SeatHold._meta.get_field("seats").verbose_name))
    until_label = str(capfirst(SeatHold._meta.get_field("held_until").verbose_name))
    until = date_format(record.held_until, "SHORT_DATE_FORMAT")
    if previous is None:
        return [Change(seats_label, "—", str(record.seats)), Change(until_label, "—", until)]
    changes = []
    if previous.seats != record.seats and record.action != Action.HOLD_RELEASED:
        changes.append(Change(seats_label, str(previous.seats), str(record.seats)))
    if previous.held_until != record.held_until:
        before = date_format(previous.held_until, "SHORT_DATE_FORMAT")
        changes.append(Change(until_label, before, until))
    return changes


def hold_entries(group) -> list[Entry]:
    """Every change to the seats held in `group`, as timeline entries (one query)."""
    records = (
        SeatHold.history.filter(group_id=group.pk)
        .select_related("history_user", "organisation")
        .order_by("history_date", "history_id")
    )
    reader = translation.get_language() or settings.LANGUAGE_CODE
    subject_type = str(capfirst(SeatHold._meta.verbose_name))
    group_label = str(group)
    previous_of: dict[int, object] = {}
    entries = []
    for record in records:
        previous = previous_of.get(record.id)
        previous_of[record.id] = record
        system_reason = _system_reason(record)
        if system_reason is not None:
            reason, reason_language = str(system_reason.label), ""
        else:
            reason = record.history_change_reason or ""
            language = record.reason_language
            reason_language = language if language and language != reader else ""
        user = record.history_user
        entries.append(
            Entry(
                when=record.history_date,
                who=get_user_display_name(user) if user else gettext("system"),
                action=record.action,
                action_label=_hold_action_label(record, system_reason),
                kind="~" if previous is not None else "+",
                subject_type=subject_type,
                subject=hold_text(record),
                group_id=group.pk,
                group_label=group_label,
                group_exists=True,
                booking_id=None,
                company_label=record.organisation.name,
                reason=reason,
                reason_language=reason_language,
                changes=_hold_changes(record, previous),
            )
        )
    return entries


# Where a group's timeline finds entries besides booking.history's stream: each takes the
# group and returns its entries (booking.history.Entry), in any order.
def message_entries(group) -> list[Entry]:
    """The messages sent to the group's contact persons (booking.messages), as entries whose
    text stands where a reason would."""
    subject_type = str(capfirst(GroupMessage._meta.verbose_name))
    group_label = str(group)
    return [
        Entry(
            when=message.when,
            who=message.who or gettext("system"),
            action="message",
            action_label=gettext("Message sent"),
            kind="+",
            subject_type=subject_type,
            subject=message.subject,
            group_id=group.pk,
            group_label=group_label,
            group_exists=True,
            booking_id=None,
            company_label="",
            reason=message.text,
            reason_language="",
            changes=[],
        )
        for message in messages_for_timeline(group)
    ]


TIMELINE_EXTRAS = (hold_entries, message_entries)


# -- timelines ---------------------------------------------------------------------------------


class TimelineView(WagtailAdminTemplateMixin, TemplateView):
    """Everything that happened to one object, newest first, a page at a time."""

    template_name = "booking/admin/history/timeline.html"
    header_icon = "history"
    http_method_names = ["get", "head", "options"]

    def get_object(self):
        raise NotImplementedError

    def get_rows(self):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def get_group(self):
        return self.object

    def get_breadcrumbs_items(self):
        group = self.get_group()
        edit_url = AdminURLFinder(self.request.user).get_edit_url(group)
        return [
            *self.breadcrumbs_items,
            {"url": edit_url or "", "label": str(group)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = Paginator(self.get_rows(), PER_PAGE)
        page = paginator.get_page(self.request.GET.get("p"))
        context.update(
            object=self.object,
            page_obj=page,
            elided_page_range=paginator.get_elided_page_range(page.number),
            entries=self.get_entries(page.object_list),
        )
        return context

    def get_entries(self, rows) -> list[Entry]:
        return load_entries(rows)


class GroupTimelineView(TimelineView):
    def get_object(self):
        groups = groups_visible_to(self.request.user).select_related("course", "location")
        return get_object_or_404(groups, pk=self.kwargs["pk"])

    def get_page_title(self):
        return _("History of %(group)s") % {"group": self.object}

    def get_rows(self):
        """The stream's rows and the extra entries, newest first.

        The rows of one group are read whole to merge them by date: three small columns per
        record, and a group's history stays in the hundreds. Only the page's rows become
        entries.
        """
        rows = list(history_rows(scope=Q(group_ref=self.object.pk)))
        for extra in TIMELINE_EXTRAS:
            rows += [{"history_date": entry.when, "entry": entry} for entry in extra(self.object)]
        # A stable sort: records of the same moment keep the stream's order.
        return sorted(rows, key=itemgetter("history_date"), reverse=True)

    def get_entries(self, rows) -> list[Entry]:
        loaded = iter(load_entries(row for row in rows if "entry" not in row))
        return [row["entry"] if "entry" in row else next(loaded) for row in rows]


class BookingTimelineView(TimelineView):
    def get_object(self):
        bookings = bookings_visible_to(self.request.user).select_related(
            "organisation", "group__course", "group__location"
        )
        return get_object_or_404(bookings, pk=self.kwargs["pk"])

    def get_group(self):
        return self.object.group

    def get_page_title(self):
        return _("History of %(booking)s") % {"booking": self.object}

    def get_rows(self):
        return history_rows(scope=Q(booking_ref=self.object.pk), models_=BOOKING_SOURCES)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["group_history_url"] = reverse("booking_history:group", args=[self.object.group_id])
        return context


# -- the audit log -----------------------------------------------------------------------------


class UserChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        return get_user_display_name(obj)


class UserFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


def _users(request):
    ids = history_user_ids(visible_history(request.user))
    return (
        get_user_model().objects.filter(pk__in=ids).order_by("first_name", "last_name", "username")
    )


def _organisations(request):
    user = request.user
    if user.is_superuser:
        return Organisation.objects.all()
    library = library_of(user)
    if library is None:
        return Organisation.objects.none()
    companies = Booking.objects.filter(group__library=library).values("organisation_id")
    return Organisation.objects.filter(Q(pk=library.pk) | Q(pk__in=companies))


def _groups(request):
    return groups_visible_to(request.user).select_related("course", "location").order_by("-pk")


class AuditLogFilterSet(WagtailFilterSet):
    period = django_filters.DateFromToRangeFilter(
        field_name="history_date", label=_("Period"), widget=DateRangePickerWidget
    )
    action = django_filters.ChoiceFilter(
        field_name="what", label=_("What happened"), choices=ACTION_CHOICES, empty_label=_("All")
    )
    who = UserFilter(label=_("Who"), queryset=_users, method="filter_who")
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"), queryset=_organisations, method="filter_organisation"
    )
    group = django_filters.ModelChoiceFilter(
        label=_("Group"), queryset=_groups, method="filter_group"
    )

    class Meta:
        model = CourseGroup.history.model
        fields = []

    def filter_who(self, queryset, name, value):
        return queryset.filter(history_user=value)

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(about_organisation(value))

    def filter_group(self, queryset, name, value):
        return queryset.filter(group_ref=value.pk)


def _in_batches(rows, size=EXPORT_BATCH):
    """Entries for an export, loaded a batch at a time so a long log stays light."""
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield from load_entries(batch)
            batch = []
    yield from load_entries(batch)


class UncountedPage(Page):
    """A page that knows whether an older page follows without knowing how many there are."""

    def __init__(self, object_list, number, paginator, *, has_next: bool):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self):
        return self._has_next

    def next_page_number(self):
        if not self._has_next:
            raise EmptyPage(_("That page contains no results"))
        return self.number + 1

    def start_index(self):
        return (self.number - 1) * self.paginator.per_page + 1 if self.object_list else 0

    def end_index(self):
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0


class UncountedPaginator(Paginator):
    """Pages through a long list without counting it: a page fetches one row more than it
    shows, and that row says whether an older page exists.

    Counting the whole history for "page 1 of N" takes longer the longer the history grows;
    this takes the same time on page 1 however long it is. `count` and `num_pages` still
    work (they count) but the audit log never asks for them. A page number past the end, or
    one that is not a number, shows page 1.
    """

    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(_("That page number is not an integer")) from error
        if number < 1:
            raise EmptyPage(_("That page number is less than 1"))
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(_("That page contains no results"))
        return UncountedPage(
            rows[: self.per_page], number, self, has_next=len(rows) > self.per_page
        )

    def get_page(self, number):
        try:
            return self.page(number)
        except (PageNotAnInteger, EmptyPage):
            return self.page(1)


class AuditLogView(
    PlannerRequiredMixin, ScopedFiltersMixin, SafeSpreadsheetExportMixin, ReportView
):
    """Every change to groups, sessions, bookings, seats and attendance the user may see.

    Pages have "newer" and "older" links instead of page numbers: see UncountedPaginator.
    """

    page_title = _("Audit log")
    header_icon = "history"
    results_template_name = "booking/admin/history/audit_log_results.html"
    filterset_class = AuditLogFilterSet
    index_url_name = "booking_audit_log:index"
    index_results_url_name = "booking_audit_log:index_results"
    scoped_filters = ("who", "organisation", "group")
    paginate_by = PER_PAGE
    export_basename = "audit-log"
    list_export = [
        "when",
        "who",
        "action_label",
        "subject_type",
        "subject",
        "group_label",
        "company_label",
        "changes_text",
        "reason",
    ]
    export_headings = {
        "when": _("When"),
        "who": _("Who"),
        "action_label": _("What happened"),
        "subject_type": _("Type"),
        "subject": _("About"),
        "group_label": _("Group"),
        "company_label": _("Organisation"),
        "changes_text": _("Changes"),
        "reason": _("Why"),
    }

    def get_filtered_queryset(self):
        return history_rows(scope=visible_history(self.request.user), refine=self.filter_queryset)

    def paginate_queryset(self, queryset, page_size):
        """Wagtail's listing would count every row for "page 1 of N" and "N matches"; it is
        given no page, so it counts nothing, and the template shows `pager` instead."""
        paginator = UncountedPaginator(queryset, page_size)
        self.pager = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, None, self.pager.object_list, self.pager.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pager"] = getattr(self, "pager", None)
        return context

    def decorate_paginated_queryset(self, object_list):
        if self.is_export:
            return _in_batches(object_list)
        return load_entries(object_list)


class AuditLogViewSet(ViewSet):
    name = "booking_audit_log"
    url_prefix = "course-planning/log"
    icon = "history"
    menu_label = _("Audit log")
    menu_order = 400
    menu_item_class = PlannerMenuItem

    def get_urlpatterns(self):
        return [
            path("", AuditLogView.as_view(), name="index"),
            path("results/", AuditLogView.as_view(results_only=True), name="index_results"),
        ]


VIEWSETS = [AuditLogViewSet()]

URLS = [
    path(
        "course-planning/history/",
        include(
            (
                [
                    path("group/<int:pk>/", GroupTimelineView.as_view(), name="group"),
                    path("booking/<int:pk>/", BookingTimelineView.as_view(), name="booking"),
                ],
                "booking_history",
            )
        ),
    )
]
