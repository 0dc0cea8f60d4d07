"""Reports ("Rapportages") for coordinators: occupancy, seats per organisation, waiting lists
and attendance.

Every organisation that books counts: SW companies, referral partners and the library itself
for its own learners. Seats held for an organisation are shown next to the free ones.

Each report shows a bar chart drawn on the server as inline SVG (no JavaScript, nothing from
elsewhere) and the same figures as a table, and exports them as CSV or XLSX. Coordinators see
their own library's groups; superusers see all. The figures come from booking/reports.py.
"""

from dataclasses import dataclass

import django_filters
from django import forms
from django.urls import path, reverse
from django.utils.formats import date_format, number_format
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.base import ViewSet

from booking import evaluations, outcomes, reports
from booking.models import CourseGroup, CoursePage, Organisation
from booking.roles import library_of
from booking.selectors import groups_visible_to
from core.exports import SafeSpreadsheetExportMixin

from .audit import PlannerMenuItem, PlannerRequiredMixin, ScopedFiltersMixin

# -- filters -----------------------------------------------------------------------------------


def _libraries(request):
    libraries = Organisation.objects.filter(kind=Organisation.Kind.LIBRARY)
    if request.user.is_superuser:
        return libraries
    library = library_of(request.user)
    return libraries.filter(pk=library.pk) if library else libraries.none()


def _courses(request):
    courses = groups_visible_to(request.user).values("course")
    return CoursePage.objects.filter(pk__in=courses).order_by("title")


class ReportFilterSet(WagtailFilterSet):
    period = django_filters.DateFromToRangeFilter(
        label=_("First session between"), widget=DateRangePickerWidget, method="filter_period"
    )
    library = django_filters.ModelChoiceFilter(label=_("Library"), queryset=_libraries)
    course = django_filters.ModelChoiceFilter(label=_("Course"), queryset=_courses)

    class Meta:
        model = CourseGroup
        fields = []

    def filter_period(self, queryset, name, value):
        start = value.start.date() if value.start else None
        stop = value.stop.date() if value.stop else None
        return reports.in_period(queryset, start, stop)


def _keep(queryset, name, value):
    return queryset


class OccupancyFilterSet(ReportFilterSet):
    by = django_filters.ChoiceFilter(
        label=_("Show per"),
        choices=[
            ("course", _("Course")),
            ("location", _("Location")),
            ("month", _("Month of the first session")),
        ],
        empty_label=None,
        widget=forms.RadioSelect,
        method=_keep,
    )


class AttendanceFilterSet(ReportFilterSet):
    by = django_filters.ChoiceFilter(
        label=_("Show per"),
        choices=[("group", _("Group")), ("course", _("Course"))],
        empty_label=None,
        widget=forms.RadioSelect,
        method=_keep,
    )


class OutcomesFilterSet(ReportFilterSet):
    by = django_filters.ChoiceFilter(
        label=_("Show per"),
        choices=[
            ("funder", _("Funder")),
            ("municipality", _("Municipality")),
            ("partner", _("Partner")),
            ("period", _("Month of the first session")),
        ],
        empty_label=None,
        widget=forms.RadioSelect,
        method=_keep,
    )


# -- charts ------------------------------------------------------------------------------------

# Where the bars go, in percent of the chart's width: names on the left, figures on the right.
BARS_START, BARS_WIDTH, FIGURES_AT = 40.0, 45.0, 87.0
ROW_HEIGHT = 28


@dataclass(frozen=True)
class Segment:
    x: str
    width: str
    kind: str


@dataclass(frozen=True)
class Bar:
    label: str
    short_label: str
    figure: str
    y: int
    segments: tuple[Segment, ...]

    @property
    def text_y(self) -> int:
        return self.y + ROW_HEIGHT // 2 + 5


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart. Each bar is one row of the table; `parts` names the stacked
    pieces of a bar (kind, label) for the key."""

    bars: list[Bar]
    parts: list[tuple[str, str]]
    track: bool

    @property
    def height(self) -> int:
        return len(self.bars) * ROW_HEIGHT

    @property
    def bars_start(self) -> str:
        return f"{BARS_START}%"

    @property
    def bars_width(self) -> str:
        return f"{BARS_WIDTH}%"

    @property
    def figures_at(self) -> str:
        return f"{FIGURES_AT}%"


def bar_chart(rows, *, label, parts, figure, maximum=None, track=False) -> Chart:
    """A chart of `rows`: `parts` is a list of (kind, label, value function) stacked in each
    bar; `figure` writes the number shown after it. Bars are scaled to `maximum` (100 for
    percentages) or to the largest bar."""
    totals = [sum(value(row) or 0 for _kind, _label, value in parts) for row in rows]
    scale = maximum or max(totals, default=0) or 1
    bars = []
    for index, row in enumerate(rows):
        offset, segments = 0.0, []
        for kind, _label, value in parts:
            width = BARS_WIDTH * (value(row) or 0) / scale
            if width:
                segments.append(Segment(f"{BARS_START + offset:.2f}%", f"{width:.2f}%", kind))
            offset += width
        name = label(row)
        bars.append(
            Bar(
                label=name,
                short_label=Truncator(name).chars(38),
                figure=figure(row),
                y=index * ROW_HEIGHT,
                segments=tuple(segments),
            )
        )
    return Chart(bars, [(kind, part_label) for kind, part_label, _value in parts], track)


def _percent(value) -> str:
    return "—" if value is None else f"{value}%"


def _group_history_url(group):
    return reverse("booking_history:group", args=[group.pk])


def _date(value) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else ""


# -- the reports -------------------------------------------------------------------------------


class BaseReportView(
    PlannerRequiredMixin, ScopedFiltersMixin, SafeSpreadsheetExportMixin, ReportView
):
    """A report over the user's groups: filters, a chart, the table and the exports."""

    template_name = "booking/admin/reports/report.html"
    results_template_name = "booking/admin/reports/report_results.html"
    header_icon = "table"
    paginate_by = None
    filterset_class = ReportFilterSet
    scoped_filters = ("library", "course")
    slug = ""
    explanation = ""

    @cached_property
    def index_url_name(self):
        return f"booking_reports:{self.slug}"

    @cached_property
    def index_results_url_name(self):
        return f"booking_reports:{self.slug}_results"

    @property
    def export_basename(self):
        return self.slug.replace("_", "-")

    def get_queryset(self):
        return reports.report_groups(self.request.user)

    # The exports have the table's columns, each with its raw value (a report may name
    # other columns of its own).
    @property
    def list_export(self):
        return [column.name for column in self.columns]

    @property
    def export_headings(self):
        return {column.name: column.label for column in self.columns}

    def get_filtered_queryset(self):
        return self.figures(self.filter_queryset(self.get_queryset()))

    def figures(self, groups):
        raise NotImplementedError

    def chart(self, rows) -> Chart:
        raise NotImplementedError

    @property
    def breakdown(self) -> str:
        if self.filters and self.filters_are_valid and "by" in self.filters.form.cleaned_data:
            return self.filters.form.cleaned_data["by"] or self.default_breakdown
        return getattr(self, "default_breakdown", "")

    def get_export_details(self):
        """The filters in force, and per what the figures are counted even when that is the
        default, which the filters leave out."""
        details = super().get_export_details()
        if self.breakdown and self.filters and "by" in self.filters.form.fields:
            field = self.filters.form.fields["by"]
            label = str(field.label)
            if label not in (detail_label for detail_label, _value in details):
                shown = dict(field.choices).get(self.breakdown, self.breakdown)
                details.insert(0, (label, str(shown)))
        return details

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["chart"] = self.chart(context["object_list"])
        context["explanation"] = self.explanation
        context["report_links"] = [
            {
                "url": reverse(f"booking_reports:{view.slug}"),
                "label": view.page_title,
                "current": view.slug == self.slug,
            }
            for view in REPORTS
        ]
        return context


class OccupancyReportView(BaseReportView):
    page_title = _("Occupancy")
    slug = "occupancy"
    explanation = _(
        "Confirmed seats compared with all seats. Draft and cancelled groups are not counted."
    )
    filterset_class = OccupancyFilterSet
    default_breakdown = "course"
    columns = [
        Column("label", label=_("Name")),
        Column("groups", label=_("Groups")),
        Column("capacity", label=_("Seats")),
        Column("confirmed", label=_("Confirmed")),
        Column("held", label=_("Held"), accessor="seats.held"),
        Column("free", label=_("Free")),
        Column("waitlisted", label=_("Waiting list")),
        Column("percentage", label=_("Occupancy"), accessor=lambda row: f"{row.percentage}%"),
    ]
    list_export = [
        "label",
        "groups",
        "capacity",
        "confirmed",
        "seats.held",
        "free",
        "waitlisted",
        "percentage",
    ]
    export_headings = {
        "label": _("Name"),
        "groups": _("Groups"),
        "capacity": _("Seats"),
        "confirmed": _("Confirmed"),
        "seats.held": _("Held"),
        "free": _("Free"),
        "waitlisted": _("Waiting list"),
        "percentage": _("Occupancy (%)"),
    }

    def figures(self, groups):
        return reports.occupancy(groups, by=self.breakdown)

    def chart(self, rows):
        return bar_chart(
            rows,
            label=lambda row: row.label,
            parts=[("confirmed", gettext("Confirmed"), lambda row: row.percentage)],
            figure=lambda row: f"{row.percentage}% ({row.confirmed}/{row.capacity})",
            maximum=100,
            track=True,
        )


class CompaniesReportView(BaseReportView):
    page_title = _("Seats per organisation")
    slug = "companies"
    explanation = _(
        "All seats booked per organisation, also the cancelled ones: SW companies, referral "
        "partners and the library for its own learners."
    )
    columns = [
        Column("name", label=_("Organisation")),
        Column("confirmed", label=_("Confirmed")),
        Column("waitlisted", label=_("Waiting list")),
        Column("cancelled", label=_("Cancelled")),
        Column("total", label=_("Total")),
    ]

    def figures(self, groups):
        return reports.seats_per_company(groups)

    def chart(self, rows):
        return bar_chart(
            rows,
            label=lambda row: row.name,
            parts=[
                ("confirmed", gettext("Confirmed"), lambda row: row.confirmed),
                ("waitlisted", gettext("Waiting list"), lambda row: row.waitlisted),
                ("cancelled", gettext("Cancelled"), lambda row: row.cancelled),
            ],
            figure=lambda row: str(row.total),
        )


class WaitingListsReportView(BaseReportView):
    page_title = _("Waiting lists")
    slug = "waiting_lists"
    explanation = _(
        "Open and closed groups with people on the waiting list. The longest list comes first."
    )
    columns = [
        TitleColumn("label", label=_("Group"), get_url=lambda row: _group_history_url(row.group)),
        Column("first_date", label=_("First session"), accessor=lambda row: _date(row.first_date)),
        Column("capacity", label=_("Seats")),
        Column("confirmed", label=_("Confirmed")),
        Column("waitlisted", label=_("Waiting list")),
        Column(
            "waiting_since",
            label=_("Waiting since"),
            accessor=lambda row: _date(row.waiting_since),
        ),
    ]

    def figures(self, groups):
        return reports.waiting_lists(groups)

    def chart(self, rows):
        return bar_chart(
            rows,
            label=lambda row: row.label,
            parts=[("waitlisted", gettext("Waiting list"), lambda row: row.waitlisted)],
            figure=lambda row: str(row.waitlisted),
        )


class AttendanceReportView(BaseReportView):
    page_title = _("Attendance")
    slug = "attendance"
    explanation = _(
        "How many participants were present, out of all who were marked present, absent or "
        "excused. Excused means the participant let you know beforehand."
    )
    filterset_class = AttendanceFilterSet
    default_breakdown = "group"
    columns = [
        Column("label", label=_("Name")),
        Column("groups", label=_("Groups")),
        Column("sessions", label=_("Sessions with attendance")),
        Column("present", label=_("Present")),
        Column("absent", label=_("Absent")),
        Column("excused", label=_("Excused")),
        Column("recorded", label=_("Marked")),
        Column("percentage", label=_("Present (%)"), accessor=lambda row: _percent(row.percentage)),
    ]

    def figures(self, groups):
        return reports.attendance(groups, by=self.breakdown)

    def chart(self, rows):
        return bar_chart(
            [row for row in rows if row.recorded],
            label=lambda row: row.label,
            parts=[("present", gettext("Present"), lambda row: row.percentage)],
            figure=lambda row: _percent(row.percentage),
            maximum=100,
            track=True,
        )


@dataclass(frozen=True)
class _Comparison:
    """The national figure the chart shows under ours."""

    label: str
    average: float
    shown: bool = True


class EvaluationReportView(BaseReportView):
    page_title = _("Evaluations")
    slug = "evaluations"
    filterset_class = AttendanceFilterSet
    default_breakdown = "course"
    columns = [
        Column("label", label=_("Name")),
        Column("answers", label=_("Evaluations")),
        Column("average", label=_("Average score"), accessor=lambda row: _score(row)),
    ]

    @property
    def explanation(self):
        return gettext(
            "The average score (1 to 10) participants gave in the anonymous evaluation at the "
            "last lesson. An average of fewer than %(minimum)s evaluations is not shown, so "
            "nobody's score can be worked out. The national Digisterker programme reports an "
            "average of %(national)s."
        ) % {
            "minimum": evaluations.MIN_ANSWERS_SHOWN,
            "national": _decimal(evaluations.NATIONAL_DIGISTERKER_AVERAGE),
        }

    def figures(self, groups):
        return evaluations.averages(groups, by=self.breakdown)

    def chart(self, rows):
        national = _Comparison(
            label=gettext("Digisterker, national average"),
            average=evaluations.NATIONAL_DIGISTERKER_AVERAGE,
        )
        return bar_chart(
            [*(row for row in rows if row.shown), national],
            label=lambda row: row.label,
            parts=[("score", gettext("Average score"), lambda row: row.average * 10)],
            figure=lambda row: _decimal(row.average),
            maximum=100,
            track=True,
        )


class OutcomesReportView(BaseReportView):
    """What the groups brought, for the funders: per funder, municipality, partner or month."""

    page_title = _("Outcomes")
    slug = "outcomes"
    explanation = _(
        "Confirmed seats; how many of them started (the first lesson has been) and completed "
        "(the group is completed); certificates (present at enough lessons); the share "
        "present out of everyone marked; and the average evaluation score. Draft and "
        "cancelled groups are not counted."
    )
    filterset_class = OutcomesFilterSet
    default_breakdown = "funder"
    columns = [
        Column("label", label=_("Name")),
        Column("groups", label=_("Groups")),
        Column("seats", label=_("Seats")),
        Column("started", label=_("Started")),
        Column("completed", label=_("Completed")),
        Column("certificates", label=_("Certificates")),
        Column(
            "attendance_rate",
            label=_("Present (%)"),
            accessor=lambda row: _percent(row.attendance_rate),
        ),
        Column("average", label=_("Average score"), accessor=lambda row: _outcome_score(row)),
    ]

    def figures(self, groups):
        return outcomes.outcomes(groups, by=self.breakdown)

    def chart(self, rows):
        # Completed out of started: the completed part of each bar, then the rest started.
        return bar_chart(
            rows,
            label=lambda row: row.label,
            parts=[
                ("completed", gettext("Completed"), lambda row: row.completed),
                (
                    "started",
                    gettext("Started, not completed"),
                    lambda row: row.started - row.completed,
                ),
            ],
            figure=lambda row: f"{row.completed}/{row.started}",
        )


class RepeatParticipationReportView(BaseReportView):
    """How many seats went to participants who came back after an earlier course, per course;
    a count, never a name."""

    page_title = _("Repeat participation")
    slug = "repeat_participation"
    explanation = _(
        "Per course: the seats taken (confirmed or on the waiting list) and how many of them "
        "went to someone who came back after an earlier course, booked as its next step. "
        "Only numbers, never names. Draft and cancelled groups are not counted."
    )
    columns = [
        Column("label", label=_("Course")),
        Column("groups", label=_("Groups")),
        Column("seats", label=_("Seats taken")),
        Column("came_back", label=_("Came back")),
        Column(
            "percentage", label=_("Came back (%)"), accessor=lambda row: _percent(row.percentage)
        ),
    ]

    def figures(self, groups):
        return reports.repeat_participation(groups)

    def chart(self, rows):
        return bar_chart(
            rows,
            label=lambda row: row.label,
            parts=[
                # The chart's existing colours; the key and the table name what they mean.
                ("confirmed", gettext("Came back"), lambda row: row.came_back),
                ("waitlisted", gettext("First time"), lambda row: row.seats - row.came_back),
            ],
            figure=lambda row: f"{row.came_back}/{row.seats}",
        )


def _outcome_score(row) -> str:
    return "—" if row.average is None else _decimal(row.average)


def _decimal(value) -> str:
    return number_format(value, decimal_pos=1)


def _score(row) -> str:
    return _decimal(row.average) if row.shown else "—"


REPORTS = (
    OccupancyReportView,
    CompaniesReportView,
    WaitingListsReportView,
    AttendanceReportView,
    EvaluationReportView,
    OutcomesReportView,
    RepeatParticipationReportView,
)


class ReportsViewSet(ViewSet):
    name = "booking_reports"
    url_prefix = "course-planning/reports"
    icon = "table"
    # Not Wagtail's own "Reports" menu (Rapporten): these are the course reports (Rapportages).
    menu_label = pgettext_lazy("course planning", "Reports")
    menu_order = 300
    menu_item_class = PlannerMenuItem

    def get_urlpatterns(self):
        patterns = []
        for view in REPORTS:
            url, name = view.slug.replace("_", "-"), view.slug
            patterns += [
                path(f"{url}/", view.as_view(), name=name),
                path(f"{url}/results/", view.as_view(results_only=True), name=f"{name}_results"),
            ]
        return patterns


VIEWSETS = [ReportsViewSet()]
URLS = []
