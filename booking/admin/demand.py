"""Demand-led planning: who waits for which course, and a new group for them in one step.

A panel on the admin's home page lists, for the coordinator's library, how many people wait
for each course, level and town (`selectors.unmet_demand`), and since when. Its link opens
the action "Open a new group for the waiting list": the group's planning on a new first date,
opened at once, with the people who wait longest moved into it
(`services.open_group_for_waiting_list`).

Only the coordinators of the group's library (and superusers) find the group; anyone else's
group is a 404, by GET and POST. A refusal shows on the page and nothing changes.
"""

import datetime

from django import forms
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.admin.ui.components import Component

from booking import policies, selectors, services
from booking.admin.forms import CopyGroupForm, reason_field
from booking.roles import library_of

from .groups import GroupActionView, first_session_text, group_url

NAMESPACE = "booking_demand"

# Up to this many weeks a wait reads as a number of weeks; longer, as the day it began.
WEEKS_IN_WORDS = 8


def open_group_url(group_id) -> str:
    return reverse(f"{NAMESPACE}:open_group", args=[group_id])


def waited_text(since: datetime.datetime, now: datetime.datetime | None = None) -> str:
    """How long the first person in line has waited, in words: "since today", "for 5 days",
    "for 3 weeks", or for a long wait the day it began."""
    days = (timezone.localdate(now) - timezone.localdate(since)).days
    if days < 1:
        return _("The first one has been waiting since today.")
    if days < 14:
        return ngettext(
            "The first one has been waiting for %(count)s day.",
            "The first one has been waiting for %(count)s days.",
            days,
        ) % {"count": days}
    weeks = days // 7
    if weeks <= WEEKS_IN_WORDS:
        return ngettext(
            "The first one has been waiting for %(count)s week.",
            "The first one has been waiting for %(count)s weeks.",
            weeks,
        ) % {"count": weeks}
    return _("The first one has been waiting since %(date)s.") % {
        "date": date_format(timezone.localdate(since), "DATE_FORMAT")
    }


# -- the dashboard panel ---------------------------------------------------------------------


class UnmetDemandPanel(Component):
    """People waiting in the library's groups, per course, level and town, most first."""

    name = "course_planning_unmet_demand"
    template_name = "booking/admin/demand/dashboard_panel.html"
    # Right after the coordinator's next groups (UpcomingGroupsPanel, 90).
    order = 91

    def __init__(self, user, library):
        self.user = user
        self.library = library

    def get_context_data(self, parent_context=None):
        now = timezone.now()
        may_open = self.user.has_perm("booking.add_coursegroup")
        demands = [
            {
                "label": demand.label,
                "waited": waited_text(demand.oldest_since, now),
                "url": open_group_url(demand.group_id) if may_open else "",
            }
            for demand in selectors.unmet_demand(self.library)
        ]
        return {"demands": demands}


def add_dashboard_panels(request, panels):
    """Only for coordinators: a superuser without a library of their own plans no groups, so
    the panel would only list other people's work."""
    library = library_of(request.user)
    if library is not None:
        panels.append(UnmetDemandPanel(request.user, library))


# -- the action ------------------------------------------------------------------------------


class OpenGroupForm(CopyGroupForm):
    """The new group's first date (its planning moves along), its seats and a reason."""

    capacity = forms.IntegerField(
        label=gettext_lazy("Number of seats"),
        min_value=1,
        max_value=100,
        help_text=gettext_lazy(
            "The same as in this group, unless you change it. "
            "The people who wait longest get these seats."
        ),
    )
    reason = reason_field()

    field_order = ["first_date", "capacity", "reason"]

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, group=group, **kwargs)
        self.fields["capacity"].initial = group.capacity

    def clean_first_date(self):
        first_date = self.cleaned_data["first_date"]
        # The group opens at once: people cannot be moved into sessions already past.
        if first_date < timezone.localdate():
            raise forms.ValidationError(_("Choose a day from today on."))
        return first_date

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        limit = self.group.seats_per_organisation
        if limit and capacity < limit:
            raise forms.ValidationError(
                ngettext(
                    "The group cannot be smaller than its limit of %(count)s seat per "
                    "organisation.",
                    "The group cannot be smaller than its limit of %(count)s seats per "
                    "organisation.",
                    limit,
                )
                % {"count": limit}
            )
        return capacity

    def build_copy(self):
        copy = super().build_copy()
        copy.capacity = self.cleaned_data["capacity"]
        return copy


class OpenGroupForWaitingListView(GroupActionView):
    """GET: the group, how many wait, and the form. POST: the new group opens with as many
    of them as it has seats; the page of the new group says how many moved."""

    template_name = "booking/admin/demand/open_group.html"
    form_class = OpenGroupForm
    permission_required = "add"
    page_title = gettext_lazy("Open a new group for the waiting list")
    header_icon = "group"
    submit_label = gettext_lazy("Open a new group")

    def get_queryset(self):
        return super().get_queryset().with_dates()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "group": self.group}

    @cached_property
    def waiting(self) -> int:
        return len(selectors.waitlist(self.group))

    def refusal(self) -> str:
        """Why this group has nobody to move now, or "" (the service says so again on POST)."""
        error = policies.refusal(policies.check_group_active, self.group)
        if error is not None:
            return error.message
        if not self.waiting:
            return _("Nobody is waiting for this group.")
        return ""

    def perform(self, form):
        self.new_group = form.build_copy()
        return services.open_group_for_waiting_list(
            group=self.group,
            new_group=self.new_group,
            by=self.request.user,
            reason=form.cleaned_data["reason"],
        )

    def get_success_message(self, form):
        moved = len(self.result)
        message = ngettext(
            "%(count)s person from the waiting list moved to the new group.",
            "%(count)s people from the waiting list moved to the new group.",
            moved,
        ) % {"count": moved}
        if still := len(selectors.waitlist(self.group)):
            message += " " + ngettext(
                "%(count)s person is still waiting.",
                "%(count)s people are still waiting.",
                still,
            ) % {"count": still}
        return message

    def get_success_url(self):
        return group_url("inspect", self.new_group.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        intro = ngettext(
            "%(count)s person waits for a seat in this group.",
            "%(count)s people wait for a seat in this group.",
            self.waiting,
        ) % {"count": self.waiting}
        context.update(
            refusal=self.refusal(),
            waiting=self.waiting,
            first_session=first_session_text(self.group),
            intro=intro,
        )
        return context


URLS = [
    path(
        "course-planning/demand/",
        include(
            (
                [
                    path(
                        "open-group/<int:pk>/",
                        OpenGroupForWaitingListView.as_view(),
                        name="open_group",
                    )
                ],
                NAMESPACE,
            )
        ),
    )
]
