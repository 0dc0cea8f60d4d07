"""The coordinators' screens for course groups: list, plan, copy, the group's page with its
bookings, actions on groups and seats, attendance, and a panel on the admin's home page.

Two rules hold in every view here. A user only ever finds the groups of their own library
(`selectors.groups_visible_to`; superusers see all), so another library's group is a 404,
whatever the URL or method. And nothing changes a booking row except booking.services: a rule
that says no comes back as a `BookingError`, whose message is shown on the form, and nothing
has changed.
"""

from django import forms
from django.contrib.admin.utils import quote
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import ButtonsColumnMixin, Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from booking import alerts, evaluations, policies, selectors, services
from booking import messages as library_mail
from booking.admin.exports import attendance_sheet, mark_text, session_heading
from booking.admin.forms import (
    AttendanceForm,
    CancelGroupForm,
    CapacityForm,
    CopyGroupForm,
    CourseGroupFilterSet,
    CourseGroupForm,
    HoldSeatsForm,
    LocationSelect,
    MoveSeatForm,
    NativeDateInput,
    NativeTimeInput,
    ReasonForm,
    ReleaseHoldForm,
    ReserveSeatsForm,
)
from booking.admin.history import hold_text
from booking.errors import (
    BookingError,
    CapacityBelowConfirmed,
    InvalidRequest,
    NotAllowed,
    OrganisationLimitReached,
)
from booking.models import Attendance, CourseGroup, Seat, SeatHold, Session, SessionNote
from booking.roles import coordinates, library_of
from core.exports import SafeSpreadsheetExportMixin

NAMESPACE = "course_groups"


def group_url(name, *args):
    return reverse(f"{NAMESPACE}:{name}", args=[quote(arg) for arg in args])


# -- permissions ---------------------------------------------------------------------------


class CourseGroupPermissionPolicy(ModelPermissionPolicy):
    """The model permissions say what a user may do with groups; the library they coordinate
    says to which groups (superusers: all).

    Deleting needs only the change permission: `services.delete_group` never removes a group
    anyone booked, and a coordinator who planned a group by mistake must be able to take it away.
    """

    @staticmethod
    def _action(action):
        return "change" if action == "delete" else action

    def user_has_permission(self, user, action):
        return super().user_has_permission(user, self._action(action))

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission({self._action(action) for action in actions})

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and coordinates(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        if self.user_has_any_permission(user, actions):
            return selectors.groups_visible_to(user)
        return CourseGroup.objects.none()


# Registered on import (booking/wagtail_hooks.py imports this module), before any view asks
# Wagtail's registry for the policy of course groups.
register_permission_policy(CourseGroup, CourseGroupPermissionPolicy(CourseGroup))


class VisibleGroupsMixin:
    """Looks groups up among those the user manages, so any other group is a 404."""

    def get_queryset(self):
        return selectors.groups_visible_to(self.request.user).select_related(
            "course", "location", "library", "restricted_to"
        )


# -- wording -------------------------------------------------------------------------------


def occupancy_text(availability: selectors.Availability) -> str:
    values = {
        "confirmed": availability.confirmed,
        "capacity": availability.capacity,
        "waitlisted": availability.waitlisted,
        "held": availability.held,
    }
    # Held seats are neither taken nor free: say how many, so the numbers add up.
    if availability.held and availability.waitlisted:
        return (
            _(
                "%(confirmed)s of %(capacity)s taken, %(held)s held, %(waitlisted)s on the "
                "waiting list"
            )
            % values
        )
    if availability.held:
        return _("%(confirmed)s of %(capacity)s taken, %(held)s held") % values
    if availability.waitlisted:
        return _("%(confirmed)s of %(capacity)s taken, %(waitlisted)s on the waiting list") % values
    return _("%(confirmed)s of %(capacity)s taken") % values


def may_reserve(group, user) -> bool:
    """Whether the coordinator can book seats in the group now (open, in its booking period).

    Asked for the organisation the group is for, or else the library's own learners; another
    organisation may still have room when the library has reached its own limit.
    """
    organisation = group.restricted_to or group.library
    error = policies.refusal(
        policies.check_can_book, group, organisation=organisation, by=user, count=1
    )
    return error is None or isinstance(error, OrganisationLimitReached)


def first_session_text(group) -> str:
    if not group.first_date:
        return _("no sessions yet")
    return date_format(group.first_date, "DATE_FORMAT")


def attendance_counts(group) -> dict[int, dict[str, int]]:
    """Per session of the group: how many participants were marked present, absent, excused."""
    counts: dict[int, dict[str, int]] = {}
    rows = (
        Attendance.objects.filter(session__group=group)
        .values_list("session_id", "status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for session_id, status, count in rows:
        counts.setdefault(session_id, {})[status] = count
    return counts


def attendance_text(counts: dict[str, int]) -> str:
    """E.g. "3 present, 1 absent, 1 excused"; empty when nothing was marked."""
    if not counts:
        return ""
    return _("%(present)s present, %(absent)s absent, %(excused)s excused") % {
        status: counts.get(status, 0) for status in Attendance.Status.values
    }


def system_text(text, **params) -> str:
    """A history reason the admin writes for the coordinator, in the admin's language (the
    history keeps that language with it)."""
    return str(text) % params


# -- list -----------------------------------------------------------------------------------


class OccupancyColumn(Column):
    """A bar of confirmed seats against the capacity, with the numbers in words next to it."""

    cell_template_name = "booking/admin/groups/occupancy_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        availability = selectors.availability(instance)
        context["availability"] = availability
        context["text"] = occupancy_text(availability)
        return context


class GroupTitleColumn(ButtonsColumnMixin, TitleColumn):
    def __init__(self, *args, view, **kwargs):
        super().__init__(*args, **kwargs)
        self.view = view

    def get_buttons(self, instance, parent_context):
        return self.view.get_list_buttons(instance)


class GroupIndexView(SafeSpreadsheetExportMixin, generic.IndexView):
    page_title = gettext_lazy("Groups")

    def get_base_queryset(self):
        return (
            selectors.groups_visible_to(self.request.user)
            .with_occupancy()
            .with_dates()
            .select_related("course", "location", "library")
        )

    @cached_property
    def columns(self):
        columns = [
            GroupTitleColumn(
                "course",
                label=_("Course"),
                accessor="course.title",
                sort_key="course__title",
                get_url=lambda group: group_url("inspect", group.pk),
                view=self,
            ),
            Column("level", label=_("Level"), accessor="get_level_display", sort_key="level"),
            Column("location", label=_("Location"), accessor="location.name"),
            Column(
                "first_date",
                label=_("First session"),
                accessor=first_session_text,
                sort_key="first_date",
            ),
            Column("status", label=_("Status"), accessor="get_status_display", sort_key="status"),
            OccupancyColumn("occupancy", label=_("Seats")),
        ]
        if self.request.user.is_superuser:
            columns.insert(3, Column("library", label=_("Library"), accessor="library.name"))
        return columns

    def get_list_more_buttons(self, instance):
        buttons = [
            MenuItem(_("Open"), url=group_url("inspect", instance.pk), icon_name="view", priority=5)
        ]
        if edit_url := self.get_edit_url(instance):
            buttons.append(MenuItem(_("Edit"), url=edit_url, icon_name="edit", priority=10))
        if self.user_has_permission("add"):
            buttons.append(
                MenuItem(
                    _("Copy to a new period"),
                    url=group_url("copy", instance.pk),
                    icon_name="copy",
                    priority=20,
                )
            )
        buttons.append(
            MenuItem(
                _("Attendance list"),
                url=group_url("attendance_list", instance.pk),
                icon_name="list-ul",
                priority=30,
            )
        )
        return buttons


# -- create, edit, delete ---------------------------------------------------------------------


class SaveThroughServiceMixin:
    """Saves the form's group and sessions with `services.save_group`, never on its own.

    A refusal becomes an error on the form; the page shows again with everything the user
    typed, and nothing has been saved.
    """

    def save_instance(self):
        group = self.form.save(commit=False)
        reason = self.form.cleaned_data.get("reason", "")
        return services.save_group(group=group, by=self.request.user, reason=reason)

    def form_valid(self, form):
        self.form = form
        try:
            self.object = self.save_instance()
        except BookingError as error:
            field = "capacity" if isinstance(error, CapacityBelowConfirmed) else None
            form.add_error(field, error.message)
            self.produced_error_message = error.message
            return self.form_invalid(form)
        response = self.save_action()
        return self.run_after_hook() or response

    def get_success_url(self):
        return group_url("inspect", self.object.pk)


class GroupCreateView(SaveThroughServiceMixin, generic.CreateView):
    def get_success_message(self, instance):
        return _("The group is saved. Open it for booking when everything is ready.")


class GroupEditView(SaveThroughServiceMixin, VisibleGroupsMixin, generic.EditView):
    def get_success_message(self):
        return _("Your changes are saved.")

    def form_invalid(self, form):
        # The form may have changed the group in memory; the page title shows the saved one.
        self.object = self.get_object()
        return super().form_invalid(form)


class GroupDeleteView(VisibleGroupsMixin, generic.DeleteView):
    def form_valid(self, form):
        try:
            services.delete_group(group=self.object, by=self.request.user)
        except BookingError as error:
            messages.error(self.request, error.message)
            return redirect(group_url("inspect", self.object.pk))
        messages.success(self.request, _("The group is deleted."))
        return self.run_after_hook() or redirect(self.get_success_url())


# -- the group's page -----------------------------------------------------------------------


class GroupDetailView(VisibleGroupsMixin, generic.InspectView):
    """Facts, sessions and every seat of one group, with the actions a coordinator needs."""

    template_name = "booking/admin/groups/detail.html"
    page_title = gettext_lazy("Group")

    def get_object(self, queryset=None):
        return get_object_or_404(self.get_queryset().with_occupancy().with_dates(), pk=self.pk)

    def get_fields(self):
        return []

    def get_page_subtitle(self):
        return str(self.object)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": group_url("index"), "label": _("Groups")},
            {"url": "", "label": str(self.object)},
        ]

    @cached_property
    def is_active(self):
        return policies.allows(policies.check_group_active, self.object)

    @cached_property
    def header_buttons(self):
        buttons = []
        if self.user_has_permission("change"):
            buttons.append(
                HeaderButton(_("Edit"), url=group_url("edit", self.object.pk), icon_name="edit")
            )
        return buttons

    @cached_property
    def header_more_buttons(self):
        pk = self.object.pk
        buttons = [
            Button(
                _("History"),
                url=reverse("booking_history:group", args=[pk]),
                icon_name="history",
                priority=10,
            ),
            Button(
                _("Attendance list"),
                url=group_url("attendance_list", pk),
                icon_name="list-ul",
                priority=20,
            ),
        ]
        if self.user_has_permission("add"):
            buttons.append(
                Button(
                    _("Copy to a new period"),
                    url=group_url("copy", pk),
                    icon_name="copy",
                    priority=30,
                )
            )
        if self.user_has_permission("delete") and not self.seats:
            buttons.append(
                Button(_("Delete"), url=group_url("delete", pk), icon_name="bin", priority=90)
            )
        return buttons

    @cached_property
    def seats(self):
        return list(
            selectors.seats_visible_to(self.request.user)
            .filter(booking__group=self.object)
            .select_related("booking__organisation")
            .order_by("booking__created_at", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        group = self.object
        user = self.request.user
        sessions = list(group.sessions.all())
        marked = attendance_counts(group)
        for session in sessions:
            may_record = policies.allows(
                policies.check_can_record_attendance, group, session_date=session.date, by=user
            )
            session.attendance_url = (
                group_url("attendance", group.pk, session.pk) if may_record else None
            )
            session.attendance_text = attendance_text(marked.get(session.pk, {}))
            # A running group's session to come: say when it can be marked.
            session.attendance_later = (
                not may_record and self.is_active and group.status not in policies.NOT_RUNNING
            )
        confirmed = [seat for seat in self.seats if seat.status == Seat.Status.CONFIRMED]
        cancelled = [seat for seat in self.seats if seat.status == Seat.Status.CANCELLED]
        waiting = selectors.waitlist(group)
        for seat in [*confirmed, *waiting, *cancelled]:
            seat.booking_history_url = reverse("booking_history:booking", args=[seat.booking_id])
        availability = selectors.availability(group)
        can_change = self.user_has_permission("change")
        holds = list(group.holds.active().select_related("organisation", "created_by"))
        for hold in holds:
            hold.text = hold_text(hold)
            hold.release_url = group_url("release_hold", group.pk, hold.pk)
        context.update(
            group=group,
            availability=availability,
            occupancy=occupancy_text(availability),
            holds=holds,
            can_hold=self.is_active and can_change and availability.free > 0,
            can_reserve=can_change and may_reserve(group, user),
            hold_url=group_url("hold", group.pk),
            reserve_url=group_url("reserve", group.pk),
            # Actions of their own modules, offered where their rule allows them now.
            can_announce=can_change and policies.allows(alerts.check_can_announce, group, by=user),
            announce_url=reverse("booking_alerts:announce_room", kwargs={"pk": group.pk}),
            can_message=can_change
            and policies.allows(library_mail.check_can_send_message, group, by=user),
            message_url=reverse("booking_messages:send", args=[group.pk]),
            can_open_group=self.is_active and can_change and bool(waiting),
            open_group_url=reverse("booking_demand:open_group", args=[group.pk]),
            # The evaluation at the last lesson (booking/evaluation/), once it is open.
            can_evaluate=policies.allows(evaluations.check_can_evaluate, group),
            evaluation_url=reverse("evaluation:open", args=[group.pk]),
            sessions=sessions,
            confirmed=confirmed,
            waiting=waiting,
            cancelled=cancelled,
            contacts=selectors.booking_contacts(self.seats),
            is_active=self.is_active,
            can_change=can_change,
            history_url=reverse("booking_history:group", args=[group.pk]),
            attendance_list_url=group_url("attendance_list", group.pk),
            capacity_url=group_url("capacity", group.pk),
            cancel_url=group_url("cancel", group.pk),
            complete_url=group_url("complete", group.pk),
            # The button only shows when the service would complete the group.
            can_complete=policies.allows(policies.check_can_complete, group, by=user),
            # Seats whose attendance earns a certificate (booking/admin/certificates.py).
            certificate_seats={
                row.seat.pk for row in selectors.certificate_status(group) if row.eligible
            },
            # Who teaches the group and what they noted (booking/admin/trainers.py).
            trainer_assignments=list(group.trainer_assignments.select_related("trainer")),
            session_notes=SessionNote.objects.filter(session__group=group)
            .select_related("session", "author")
            .order_by("-created_at", "-pk"),
        )
        return context


# -- actions --------------------------------------------------------------------------------


class GroupObjectMixin(VisibleGroupsMixin):
    """Loads the group (and in subclasses, the seat or session) after the permission check;
    what the user cannot see is a 404, for GET and POST alike."""

    def dispatch(self, request, *args, **kwargs):
        self.group = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        self.load_objects(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load_objects(self, **kwargs):
        pass


class GroupActionView(
    PermissionCheckedMixin, GroupObjectMixin, generic.WagtailAdminTemplateMixin, FormView
):
    """A page with a short form that asks for a reason, then one call to a service.

    GET shows the form; POST calls `perform()`. A refusal (`BookingError`) shows its message as
    a form error and nothing has changed; a success goes back to the group's page with a
    message.
    """

    model = CourseGroup
    permission_required = "change"
    template_name = "booking/admin/groups/action.html"
    form_class = ReasonForm
    header_icon = "group"
    intro = ""
    submit_label = gettext_lazy("Save")
    submit_classname = "button"

    def perform(self, form):
        raise NotImplementedError

    def get_success_message(self, form):
        raise NotImplementedError

    def get_error_field(self, error):
        return None

    def form_valid(self, form):
        try:
            self.result = self.perform(form)
        except BookingError as error:
            form.add_error(self.get_error_field(error), error.message)
            return self.form_invalid(form)
        messages.success(self.request, self.get_success_message(form))
        return redirect(self.get_success_url())

    def get_success_url(self):
        return group_url("inspect", self.group.pk)

    def get_page_subtitle(self):
        return str(self.group)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": group_url("index"), "label": _("Groups")},
            {"url": group_url("inspect", self.group.pk), "label": str(self.group)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            group=self.group,
            intro=self.intro,
            submit_label=self.submit_label,
            submit_classname=self.submit_classname,
            back_url=group_url("inspect", self.group.pk),
            action_url=self.request.path,
        )
        return context


class ChangeCapacityView(GroupActionView):
    form_class = CapacityForm
    page_title = gettext_lazy("Change the number of seats")
    intro = gettext_lazy(
        "More seats: people on the waiting list get them at once, first come first served. "
        "Fewer seats: only if that many seats are not confirmed yet."
    )

    def get_initial(self):
        return {"capacity": self.group.capacity}

    def get_error_field(self, error):
        return "capacity" if isinstance(error, CapacityBelowConfirmed | InvalidRequest) else None

    def perform(self, form):
        return services.change_capacity(
            group=self.group,
            capacity=form.cleaned_data["capacity"],
            by=self.request.user,
            reason=form.cleaned_data["reason"],
        )

    def get_success_message(self, form):
        capacity = form.cleaned_data["capacity"]
        message = ngettext(
            "The group has %(count)s seat now.", "The group has %(count)s seats now.", capacity
        ) % {"count": capacity}
        if promoted := len(self.result):
            message += " " + ngettext(
                "%(count)s person from the waiting list got a seat.",
                "%(count)s people from the waiting list got a seat.",
                promoted,
            ) % {"count": promoted}
        return message


class CancelGroupView(GroupActionView):
    form_class = CancelGroupForm
    page_title = gettext_lazy("Cancel the group")
    intro = gettext_lazy(
        "All seats in this group are cancelled, also those on the waiting list. "
        "Every contact person gets an e-mail."
    )
    submit_label = gettext_lazy("Cancel the group")
    submit_classname = "button no"

    def perform(self, form):
        return services.cancel_group(
            group=self.group, by=self.request.user, reason=form.cleaned_data["reason"]
        )

    def get_success_message(self, form):
        return _("The group is cancelled. The contact persons get an e-mail.")


class CompleteGroupView(GroupActionView):
    page_title = gettext_lazy("Complete the group")
    intro = gettext_lazy(
        "Do this after the last session. People still on the waiting list lose their place, "
        "and their contact persons get an e-mail."
    )
    submit_label = gettext_lazy("Complete the group")

    def perform(self, form):
        return services.complete_group(
            group=self.group, by=self.request.user, reason=form.cleaned_data["reason"]
        )

    def get_success_message(self, form):
        return _("The group is completed.")


class SeatActionView(GroupActionView):
    """An action on one seat of the group; a seat of another group is a 404."""

    def load_objects(self, **kwargs):
        self.seat = get_object_or_404(
            selectors.seats_visible_to(self.request.user)
            .filter(booking__group=self.group)
            .select_related("booking__organisation"),
            pk=kwargs["seat_pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["seat"] = self.seat
        return context


class PromoteSeatView(SeatActionView):
    page_title = gettext_lazy("Give a seat from the waiting list")
    intro = gettext_lazy(
        "This person gets a free seat now, also when others are higher on the waiting list. "
        "Their contact person gets an e-mail."
    )
    submit_label = gettext_lazy("Give the seat")

    def perform(self, form):
        return services.promote_seat(
            seat=self.seat, by=self.request.user, reason=form.cleaned_data["reason"]
        )

    def get_success_message(self, form):
        return _("%(name)s has a seat now.") % {"name": self.seat.participant_label}


class CancelSeatView(SeatActionView):
    page_title = gettext_lazy("Cancel a seat")
    intro = gettext_lazy(
        "The seat is cancelled and its contact person gets an e-mail. If someone is on the "
        "waiting list, the first person gets the free seat."
    )
    submit_label = gettext_lazy("Cancel the seat")
    submit_classname = "button no"

    def perform(self, form):
        return services.cancel_seats(
            booking=self.seat.booking,
            seat_ids=[self.seat.pk],
            by=self.request.user,
            reason=form.cleaned_data["reason"],
        )

    def get_success_message(self, form):
        return _("The seat of %(name)s is cancelled.") % {"name": self.seat.participant_label}


class HoldSeatsView(GroupActionView):
    """Keep free seats for one SW company or referral partner until a day before the start."""

    form_class = HoldSeatsForm
    page_title = gettext_lazy("Hold seats")
    intro = gettext_lazy(
        "The seats stay free for this organisation until the day you choose. Others cannot "
        "take them. The organisation books them in the portal as usual. After that day the "
        "seats that were not booked go to the waiting list, or become free for everyone."
    )
    submit_label = gettext_lazy("Hold the seats")

    def get_error_field(self, error):
        if error.argument in ("seats", "held_until"):
            return error.argument
        # Only the organisation can be wrong here: the view already made sure of the user.
        return "organisation" if isinstance(error, NotAllowed) else None

    def perform(self, form):
        data = form.cleaned_data
        return services.hold_seats(
            group=self.group,
            organisation=data["organisation"],
            seats=data["seats"],
            held_until=data["held_until"],
            by=self.request.user,
            reason=data["reason"],
        )

    def get_success_message(self, form):
        return _("The seats are held: %(hold)s.") % {"hold": hold_text(self.result)}


class ReleaseHoldView(GroupActionView):
    """Give held seats back before their day: the waiting list gets them first."""

    form_class = ReleaseHoldForm
    page_title = gettext_lazy("Give back held seats")
    intro = gettext_lazy(
        "The seats are no longer kept for this organisation. People on the waiting list get "
        "them first, in order. Then they are free for everyone."
    )
    submit_label = gettext_lazy("Give back the seats")

    def load_objects(self, **kwargs):
        # Any hold of this group: one given back already gets the service's own answer.
        self.hold = get_object_or_404(
            SeatHold.objects.filter(group=self.group).select_related("organisation"),
            pk=kwargs["hold_pk"],
        )
        self.hold.text = hold_text(self.hold)

    def perform(self, form):
        return services.release_hold(
            hold=self.hold, by=self.request.user, reason=form.cleaned_data["reason"]
        )

    def get_success_message(self, form):
        message = _("The held seats of %(organisation)s are given back.") % {
            "organisation": self.hold.organisation.name
        }
        if promoted := len(self.result):
            message += " " + ngettext(
                "%(count)s person from the waiting list got a seat.",
                "%(count)s people from the waiting list got a seat.",
                promoted,
            ) % {"count": promoted}
        return message

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["hold"] = self.hold
        return context


class ReserveSeatsView(GroupActionView):
    """The coordinator books seats: for the library's own learners, or for a partner."""

    form_class = ReserveSeatsForm
    page_title = gettext_lazy("Reserve seats")
    intro = gettext_lazy(
        "Reserve seats for the library's own learners, or for an SW company or referral "
        "partner. The same rules apply as in the portal. Seats held for the organisation "
        "are used first."
    )
    submit_label = gettext_lazy("Reserve")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "group": self.group}

    def get_error_field(self, error):
        if error.argument == "seats":
            return "seats"
        return "organisation" if isinstance(error, NotAllowed) else None

    def perform(self, form):
        data = form.cleaned_data
        names = data["first_names"]
        requests = [services.SeatRequest(first_name=name) for name in names]
        requests += [services.SeatRequest() for _i in range(data["seats"] - len(names))]
        return services.reserve_seats(
            group=self.group,
            organisation=data["organisation"],
            by=self.request.user,
            seats=requests,
            reason=data["reason"],
        )

    def get_success_message(self, form):
        organisation = form.cleaned_data["organisation"]
        if organisation.pk == self.group.library_id:
            whom = _("the library's own learners")
        else:
            whom = organisation.name
        return _("Reserved for %(whom)s: %(summary)s.") % {
            "whom": whom,
            "summary": self.result.summary,
        }


class MoveSeatView(SeatActionView):
    """Move a seat to another group of the library, of any course, with a reason."""

    page_title = gettext_lazy("Move a seat")
    intro = gettext_lazy(
        "The participant moves to the group you choose. If that group has a free seat, the "
        "seat is confirmed there; if not, the participant goes on its waiting list. A seat "
        "they leave here goes to the first person on this group's waiting list."
    )
    form_class = MoveSeatForm
    submit_label = gettext_lazy("Move the seat")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "group": self.group}

    def perform(self, form):
        return services.move_seat(
            seat=self.seat,
            to_group=form.cleaned_data["to_group"],
            by=self.request.user,
            reason=form.cleaned_data["reason"],
        )

    def get_success_message(self, form):
        if self.result.status == Seat.Status.CONFIRMED:
            text = _("%(name)s has a seat in %(group)s now.")
        else:
            text = _("%(name)s is on the waiting list of %(group)s now.")
        return text % {
            "name": self.seat.participant_label,
            "group": form.cleaned_data["to_group"],
        }


class CopyGroupView(GroupActionView):
    form_class = CopyGroupForm
    permission_required = "add"
    page_title = gettext_lazy("Copy to a new period")
    intro = gettext_lazy(
        "You get a new draft group with the same course, place, seats and times. "
        "Nobody can book it until you open it."
    )
    submit_label = gettext_lazy("Make the copy")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "group": self.group}

    def perform(self, form):
        reason = system_text(gettext_lazy("Copied from group %(number)s"), number=self.group.pk)
        return services.save_group(group=form.build_copy(), by=self.request.user, reason=reason)

    def get_success_message(self, form):
        return _("The copy is saved as a draft. Check it, then open it for booking.")

    def get_success_url(self):
        return group_url("edit", self.result.pk)


class AttendanceView(GroupActionView):
    """Who was at one session: present, absent or excused per confirmed participant, and a
    button that marks everyone present at once.

    The page asks the service's own rule first, so for a session in the future it says so
    before anyone ticks a box, and offers nothing to save.
    """

    form_class = AttendanceForm
    template_name = "booking/admin/groups/attendance.html"
    page_title = gettext_lazy("Attendance")
    submit_label = gettext_lazy("Save attendance")
    intro = gettext_lazy(
        "Choose for each participant: present, absent or excused. Excused means the "
        "participant let you know beforehand that they could not come. You can mark "
        "attendance from the day of the session."
    )

    def load_objects(self, **kwargs):
        self.session = get_object_or_404(Session, pk=kwargs["session_pk"], group=self.group)

    @cached_property
    def refusal(self):
        return policies.refusal(
            policies.check_can_record_attendance,
            self.group,
            session_date=self.session.date,
            by=self.request.user,
        )

    @cached_property
    def seats(self):
        return list(
            Seat.objects.confirmed()
            .filter(booking__group=self.group)
            .select_related("booking__organisation")
            .order_by("booking__organisation__name", "first_name", "pk")
        )

    def get_form_kwargs(self):
        marks = dict(
            Attendance.objects.filter(session=self.session).values_list("seat_id", "status")
        )
        return {**super().get_form_kwargs(), "seats": self.seats, "marks": marks}

    def get_page_subtitle(self):
        return f"{self.group} – {self.session}"

    def post(self, request, *args, **kwargs):
        if "everyone_present" in request.POST:
            return self.mark_everyone_present()
        return super().post(request, *args, **kwargs)

    def mark_everyone_present(self):
        try:
            count, _changed = services.record_everyone_present(
                session=self.session, by=self.request.user
            )
        except BookingError as error:
            messages.error(self.request, error.message)
            return redirect(self.request.path)
        messages.success(
            self.request,
            ngettext(
                "%(count)s participant is marked present for %(session)s.",
                "All %(count)s participants are marked present for %(session)s.",
                count,
            )
            % {"count": count, "session": self.session},
        )
        return redirect(self.get_success_url())

    def perform(self, form):
        status = Attendance.Status
        return services.record_attendance(
            session=self.session,
            present_seat_ids=form.seat_ids(status.PRESENT),
            excused_seat_ids=form.seat_ids(status.EXCUSED),
            by=self.request.user,
        )

    def get_success_message(self, form):
        return _("Attendance for %(session)s is saved.") % {"session": self.session}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            session=self.session,
            refusal=self.refusal.message if self.refusal else "",
            participants=len(self.seats),
        )
        return context


class AttendanceListView(
    PermissionCheckedMixin, GroupObjectMixin, SafeSpreadsheetExportMixin, TemplateView
):
    """The attendance list to print (a plain page), or to download with ?export=csv|xlsx."""

    model = CourseGroup
    permission_required = "view"
    template_name = "booking/admin/groups/attendance_list.html"

    @cached_property
    def sheet(self):
        return attendance_sheet(self.group)

    @cached_property
    def headings(self):
        headings = {"participant": _("Participant"), "organisation": _("Organisation")}
        for session in self.sheet.sessions:
            headings[f"session_{session.pk}"] = session_heading(session)
        return headings

    @property
    def list_export(self):
        return list(self.headings)

    def get_heading(self, queryset, field):
        return str(self.headings[field])

    def to_row_dict(self, row):
        values = {"participant": row.participant, "organisation": row.organisation}
        for session, mark in zip(self.sheet.sessions, row.marks, strict=True):
            values[f"session_{session.pk}"] = mark_text(mark)
        return values

    def get_filename(self):
        # The CSV has no title block (core.exports), so its name says which group it is.
        course = slugify(self.group.course.title)
        return f"{slugify(_('attendance list'))}-{course}-{self.group.pk}"

    def get_export_title(self):
        return _("Attendance list")

    def get_export_details(self):
        group, sessions = self.group, self.sheet.sessions
        dates = ""
        if sessions:
            first, last = (date_format(s.date, "DATE_FORMAT") for s in (sessions[0], sessions[-1]))
            dates = first if first == last else f"{first} – {last}"
        return [
            (_("Course"), group.course.title),
            (_("Level"), group.get_level_display()),
            (_("Library"), group.library.name),
            (_("Location"), f"{group.location.name}, {group.location.address}"),
            (_("Dates"), dates),
            (_("Trainer"), group.trainer),
            (_("Group"), str(group.pk)),
            *super().get_export_details(),
        ]

    def get(self, request, *args, **kwargs):
        if self.is_export:
            return self.as_spreadsheet(self.sheet.rows, request.GET["export"])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            group=self.group,
            sheet=self.sheet,
            back_url=group_url("inspect", self.group.pk),
            csv_url=self.csv_export_url,
            xlsx_url=self.xlsx_export_url,
        )
        return context


# -- the viewset ------------------------------------------------------------------------------


def _select(panel_field, **kwargs):
    """A plain drop-down list rather than a chooser pop-up: lists here are short."""
    return FieldPanel(panel_field, widget=forms.Select, **kwargs)


class CourseGroupViewSet(ModelViewSet):
    model = CourseGroup
    name = NAMESPACE
    url_prefix = "course-planning/groups"
    icon = "group"
    menu_label = gettext_lazy("Groups")
    menu_order = 100
    add_to_reference_index = False
    inspect_view_enabled = True

    index_view_class = GroupIndexView
    add_view_class = GroupCreateView
    edit_view_class = GroupEditView
    delete_view_class = GroupDeleteView
    inspect_view_class = GroupDetailView
    copy_view_class = CopyGroupView

    filterset_class = CourseGroupFilterSet
    ordering = "-first_date"
    list_per_page = 20
    list_export = [
        "pk",
        "course.title",
        "get_level_display",
        "location",
        "first_date",
        "get_status_display",
        "capacity",
        "confirmed_seats",
        "seats_held",
        "waitlisted_seats",
    ]
    export_headings = {
        "pk": gettext_lazy("Group"),
        "course.title": gettext_lazy("Course"),
        "get_level_display": gettext_lazy("Level"),
        "location": gettext_lazy("Location"),
        "first_date": gettext_lazy("First session"),
        "get_status_display": gettext_lazy("Status"),
        "capacity": gettext_lazy("Seats"),
        "confirmed_seats": gettext_lazy("Confirmed"),
        "seats_held": gettext_lazy("Held"),
        "waitlisted_seats": gettext_lazy("On the waiting list"),
    }
    export_filename = "groups"

    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    _select("course"),
                    FieldPanel("level"),
                    _select("library"),
                    FieldPanel("location", widget=LocationSelect),
                    FieldPanel("trainer"),
                ],
                heading=gettext_lazy("Course and place"),
            ),
            MultiFieldPanel(
                [_select("funding"), FieldPanel("municipality")],
                heading=gettext_lazy("For the reports to funders"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("capacity"),
                    FieldPanel("seats_per_organisation"),
                    _select("restricted_to"),
                    FieldPanel("status"),
                ],
                heading=gettext_lazy("Seats and status"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("booking_opens_at"),
                    FieldPanel("booking_closes_at"),
                    FieldPanel("cancellation_deadline"),
                ],
                heading=gettext_lazy("Booking period"),
            ),
            InlinePanel(
                "sessions",
                min_num=1,
                heading=gettext_lazy("Sessions"),
                # Wagtail's button reads "Add <label>": lower case, like a word in a sentence.
                label=gettext_lazy("session"),
                panels=[
                    FieldPanel(
                        "date",
                        widget=NativeDateInput,
                        help_text=gettext_lazy(
                            "Type the day, month and year, or pick the date in the calendar."
                        ),
                    ),
                    FieldPanel("starts_at", widget=NativeTimeInput),
                    FieldPanel("ends_at", widget=NativeTimeInput),
                ],
            ),
            MultiFieldPanel(
                [
                    FieldPanel("series_first_date"),
                    FieldPanel("series_starts_at"),
                    FieldPanel("series_ends_at"),
                    FieldPanel("series_every"),
                    FieldPanel("series_count"),
                ],
                heading=gettext_lazy("Add a series of sessions"),
                help_text=gettext_lazy(
                    "Several sessions at once, e.g. every Tuesday for 5 weeks. They are added "
                    "to the sessions above when you save."
                ),
            ),
            FieldPanel("notes"),
            FieldPanel("reason"),
        ],
        base_form_class=CourseGroupForm,
    )

    def get_common_view_kwargs(self, **kwargs):
        # The audit history of a group is booking_history:group; Wagtail's own history and
        # usage views know nothing of it (and do not look at the user's library).
        return super().get_common_view_kwargs(history_url_name=None, usage_url_name=None, **kwargs)

    def get_copy_view_kwargs(self, **kwargs):
        return kwargs

    def get_urlpatterns(self):
        unused = {"history", "history_results", "usage"}
        patterns = [p for p in super().get_urlpatterns() if p.name not in unused]
        view = self.construct_view
        return [
            *patterns,
            path("capacity/<int:pk>/", view(ChangeCapacityView), name="capacity"),
            path("cancel/<int:pk>/", view(CancelGroupView), name="cancel"),
            path("complete/<int:pk>/", view(CompleteGroupView), name="complete"),
            path("promote/<int:pk>/<int:seat_pk>/", view(PromoteSeatView), name="promote_seat"),
            path("cancel-seat/<int:pk>/<int:seat_pk>/", view(CancelSeatView), name="cancel_seat"),
            path("move-seat/<int:pk>/<int:seat_pk>/", view(MoveSeatView), name="move_seat"),
            path("hold/<int:pk>/", view(HoldSeatsView), name="hold"),
            path(
                "release-hold/<int:pk>/<int:hold_pk>/", view(ReleaseHoldView), name="release_hold"
            ),
            path("reserve/<int:pk>/", view(ReserveSeatsView), name="reserve"),
            path("attendance/<int:pk>/<int:session_pk>/", view(AttendanceView), name="attendance"),
            path("attendance-list/<int:pk>/", view(AttendanceListView), name="attendance_list"),
        ]


VIEWSETS = [CourseGroupViewSet()]
URLS = []


# -- dashboard --------------------------------------------------------------------------------


class UpcomingGroupsPanel(Component):
    """The coordinator's next groups on the admin's home page: free seats and waiting lists."""

    name = "course_planning_upcoming_groups"
    template_name = "booking/admin/groups/dashboard_panel.html"
    order = 90

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        groups = selectors.upcoming_groups_for_dashboard(self.user)
        for group in groups:
            group.url = group_url("inspect", group.pk)
            group.first_session_text = first_session_text(group)
        return {"groups": groups, "index_url": group_url("index")}


def add_dashboard_panels(request, panels):
    user = request.user
    if user.is_superuser or library_of(user) is not None:
        panels.append(UpcomingGroupsPanel(user))
