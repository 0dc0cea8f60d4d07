"""Finding a group with free seats, and reserving seats in it."""

from dataclasses import asdict

from django.contrib import messages
from django.core.signing import BadSignature
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from booking import intake, services
from booking.errors import BookingError
from booking.idempotency import IdempotencyKeyReused, reserve_once
from booking.models import CourseGroup, Session
from booking.policies import check_can_book, refusal, seat_allowance
from booking.portal.filters import GroupFilter
from booking.portal.forms import ReserveForm, SeatCountForm
from booking.portal.holds import with_your_holds
from booking.portal.intake_forms import unsign
from booking.selectors import availability, course_titles

from .base import PortalMixin
from .intake import intake_not_readable

SENT_TWICE = _("You sent the form twice. Your seats were reserved once; this is your reservation.")
ALREADY_BOOKED = _(
    "You already reserved these seats with this form. To reserve more seats as well, "
    "check the details below and send the form again."
)


class FindGroupsView(PortalMixin, TemplateView):
    template_name = "booking/portal/find_groups.html"
    portal_section = "groups"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        group_filter = GroupFilter(self.request.GET, organisation=self.organisation)
        page = group_filter.page
        context.update(
            group_filter=group_filter,
            form=group_filter.form,
            page_obj=page,
            groups=page.object_list,
            notices=group_filter.notices,
        )
        return context


class ReserveView(PortalMixin, TemplateView):
    """Two steps without JavaScript: choose the number of seats (a GET form, `?seats=3`),
    then fill in the seats, each in its own fieldset, and reserve (POST).

    Whether the organisation may book the group is checked up front to explain why not;
    `reserve_seats` checks it again, under the group's lock, when it counts.
    """

    template_name = "booking/portal/reserve.html"
    portal_section = "groups"

    def get_group(self):
        group = (
            CourseGroup.objects.exclude(status=CourseGroup.Status.DRAFT)
            .select_related("course", "location", "library", "restricted_to")
            .prefetch_related(
                Prefetch("sessions", queryset=Session.objects.order_by("date", "starts_at"))
            )
            .filter(pk=self.kwargs["group_id"])
            .first()
        )
        if group is not None:
            group.availability = availability(group)
            group.course_title = course_titles([group.course])[group.course_id]
            with_your_holds([group], self.organisation)
        return group

    def refusal(self, group) -> str:
        """Why the organisation cannot book this group now ("" if it can)."""
        error = refusal(
            check_can_book, group, organisation=self.organisation, by=self.request.user, count=1
        )
        return error.message if error else ""

    def count_form(self, group, data=None) -> SeatCountForm:
        """The first step, which refuses more seats than the organisation may ask for. Seats
        held for the organisation are free for it (`with_your_holds`)."""
        return SeatCountForm(
            data,
            allowance=seat_allowance(group, self.organisation),
            free=group.availability.free,
        )

    def carried_intake(self, data) -> dict | None:
        """The intake the advice page sent along (`?intake=`, signed), or None without one.
        Raises BadSignature for a value we did not sign, or that was changed."""
        value = data.get("intake", "")
        self.intake_value = value
        return unsign(value, self.request.session) if value else None

    def render_page(self, group, *, count_form=None, form=None, status=200):
        context = self.get_context_data(
            group=group,
            refusal=self.refusal(group),
            count_form=count_form,
            form=form,
            intake_value=self.intake_value if self.intake else "",
            intake_advice=intake.stored_advice(self.intake) if self.intake else None,
        )
        return self.render_to_response(context, status=status)

    def not_found(self):
        context = {
            "organisation": self.organisation,
            "portal_section": self.portal_section,
            "portal_current": "true",
        }
        return TemplateResponse(
            self.request, "booking/portal/group_not_found.html", context, status=404
        )

    def get(self, request, *args, **kwargs):
        group = self.get_group()
        if group is None:
            return self.not_found()
        try:
            self.intake = self.carried_intake(request.GET)
        except BadSignature:
            return intake_not_readable(self)
        if "seats" not in request.GET:
            return self.render_page(group, count_form=self.count_form(group))
        count_form = self.count_form(group, request.GET)
        if not count_form.is_valid():
            return self.render_page(group, count_form=count_form)
        count = count_form.cleaned_data["seats"]
        form = ReserveForm(count=count, intake=self.intake)
        return self.render_page(group, count_form=count_form, form=form)

    def post(self, request, *args, **kwargs):
        group = self.get_group()
        if group is None:
            return self.not_found()
        try:
            self.intake = self.carried_intake(request.POST)
        except BadSignature:
            return intake_not_readable(self)
        count_form = self.count_form(group, request.POST)
        if not count_form.is_valid():
            return self.render_page(group, count_form=count_form)
        form = ReserveForm(request.POST, count=count_form.cleaned_data["seats"], intake=self.intake)
        if form.is_valid():
            try:
                booking_id = self.reserve(group, form)
            except IdempotencyKeyReused:
                # The same form sent again after it was changed (the browser's back button):
                # the first one was booked; this one is kept as typed, to send on purpose.
                form = form.with_new_submission_key()
                form.add_error(None, ALREADY_BOOKED)
            except BookingError as error:
                form.add_error(None, error.message)
            else:
                return redirect(reverse("portal:booking", kwargs={"pk": booking_id}))
        return self.render_page(group, count_form=count_form, form=form)

    def reserve(self, group, form) -> int:
        """Reserves the form's seats once per form and says the outcome in a message; returns
        the booking's id (the first one's, when the same form comes a second time)."""
        seats = form.seat_requests()
        made = []

        def reserve():
            made.append(
                services.reserve_seats(
                    group=group, organisation=self.organisation, by=self.request.user, seats=seats
                )
            )
            return made[-1]

        key = form.cleaned_data["submission"]
        if key:
            answer = reserve_once(
                organisation=self.organisation,
                by=self.request.user,
                key=f"portal:{key}",
                request_data={"group": group.pk, "seats": [asdict(seat) for seat in seats]},
                reserve=reserve,
                answer=lambda result: {"booking": result.booking.pk},
            )
            booking_id, replayed = answer.body["booking"], answer.replayed
        else:
            booking_id, replayed = reserve().booking.pk, False
        messages.add_message(
            self.request,
            messages.INFO if replayed else messages.SUCCESS,
            SENT_TWICE if replayed else made[-1].summary,
        )
        return booking_id
