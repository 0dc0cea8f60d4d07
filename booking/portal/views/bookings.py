"""The organisation's bookings: the overview, one booking with its history, and what a
contact person may change until the cancellation deadline."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from booking import services
from booking.calendar import booking_calendar
from booking.history import BOOKING_SOURCES, history_rows, load_entries
from booking.intake import with_stored_advice
from booking.messages import group_messages_for
from booking.models import Booking, Seat
from booking.portal.filters import BookingList
from booking.portal.forms import MoveSeatForm, ReasonForm, SeatDetailsForm
from booking.portal.holds import with_your_holds
from booking.selectors import (
    bookable_groups,
    certificate_status,
    groups_with_availability,
    portal_booking,
)

from .base import ActionView, PortalMixin
from .next_step import next_steps_for

HISTORY_PER_PAGE = 50


class OverviewView(PortalMixin, TemplateView):
    template_name = "booking/portal/overview.html"
    portal_section = "overview"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        booking_list = BookingList(self.request.GET, organisation=self.organisation)
        context.update(
            booking_list=booking_list,
            bookings=booking_list.page.object_list,
            page_obj=booking_list.page,
            notices=booking_list.notices,
        )
        return context


def _booking_or_404(view, pk) -> Booking:
    try:
        return portal_booking(view.bookings(), pk)
    except Booking.DoesNotExist as error:
        raise Http404 from error


def _visible_booking_or_404(view, pk) -> Booking:
    booking = view.bookings().filter(pk=pk).first()
    if booking is None:
        raise Http404
    return booking


class BookingView(PortalMixin, TemplateView):
    """One booking: the group, its seats, what can still change, and its history."""

    template_name = "booking/portal/booking.html"
    portal_section = "overview"

    def http_method_not_allowed(self, request, *args, **kwargs):
        # Someone else's booking is not found, whatever the method.
        _visible_booking_or_404(self, kwargs["pk"])
        return super().http_method_not_allowed(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        booking = _booking_or_404(self, self.kwargs["pk"])
        with_stored_advice(booking.seats.all())
        rows = history_rows(scope=Q(booking_ref=booking.pk), models_=BOOKING_SOURCES)
        history = Paginator(rows, HISTORY_PER_PAGE).get_page(self.request.GET.get("page"))
        history.object_list = load_entries(history.object_list, shown_to=self.organisation)
        context.update(
            booking=booking,
            group=booking.group,
            change_state=self.change_state(booking.group),
            history=history,
            group_messages=group_messages_for(booking.group),
            certificate_seats={
                row.seat.pk
                for row in certificate_status(booking.group, organisation=self.organisation)
                if row.eligible
            },
            next_steps=next_steps_for(booking, self.organisation),
        )
        return context


class BookingCalendarView(PortalMixin, View):
    """The booking's sessions as a calendar file to download."""

    def http_method_not_allowed(self, request, *args, **kwargs):
        _visible_booking_or_404(self, kwargs["pk"])
        return super().http_method_not_allowed(request, *args, **kwargs)

    def get(self, request, pk):
        booking = _visible_booking_or_404(self, pk)
        response = HttpResponse(
            booking_calendar(booking), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="leerplein-{booking.pk}.ics"'
        return response


# -- changes -----------------------------------------------------------------------------------


class BookingActionView(ActionView):
    def get_object(self):
        booking = (
            self.bookings()
            .select_related("group__course", "group__location", "group__library")
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if booking is None:
            raise Http404
        return booking

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        booking = self.object
        context.update(
            booking=booking,
            group=booking.group,
            change_state=self.change_state(booking.group),
            booking_url=reverse("portal:booking", kwargs={"pk": booking.pk}),
        )
        return context


def where_the_seats_went(cancellation, organisation) -> str:
    """After a cancellation, who has the freed seats now: colleagues from the organisation's
    own waiting list by name, others (another organisation's people) only counted."""
    return where_freed_seats_went(len(cancellation), cancellation.promoted, organisation)


def where_freed_seats_went(count: int, promoted, organisation) -> str:
    """Who has `count` freed seats now, of which `promoted` went to the waiting list."""
    colleagues = [
        seat.participant_label
        for seat in promoted
        if seat.booking.organisation_id == organisation.pk
    ]
    others = len(promoted) - len(colleagues)
    parts = []
    if colleagues:
        parts.append(
            ngettext(
                "%(names)s from your waiting list has a seat now.",
                "%(names)s from your waiting list have a seat now.",
                len(colleagues),
            )
            % {"names": get_text_list(colleagues, _("and"))}
        )
    if others:
        parts.append(
            ngettext(
                "%(count)s seat went to the next person on the waiting list.",
                "%(count)s seats went to the next people on the waiting list.",
                others,
            )
            % {"count": others}
        )
    free = count - len(promoted)
    if free > 0:
        parts.append(
            ngettext(
                "%(count)s seat is free again for others to book.",
                "%(count)s seats are free again for others to book.",
                free,
            )
            % {"count": free}
        )
    return " ".join(parts)


class CancelBookingView(BookingActionView):
    template_name = "booking/portal/booking_cancel.html"
    form_class = ReasonForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["active_seats"] = list(self.object.seats.active().order_by("pk"))
        return context

    def perform(self, form):
        cancellation = services.cancel_booking(
            booking=self.object, by=self.request.user, reason=form.cleaned_data["reason"]
        )
        message = ngettext(
            "The booking has been cancelled (%(count)s seat).",
            "The booking has been cancelled (%(count)s seats).",
            len(cancellation),
        ) % {"count": len(cancellation)}
        message = f"{message} {where_the_seats_went(cancellation, self.object.organisation)}"
        return message, reverse("portal:booking", kwargs={"pk": self.object.pk})


class SeatActionView(ActionView):
    def get_object(self):
        seat = (
            self.seats()
            .select_related(
                "booking__group__course", "booking__group__location", "booking__group__library"
            )
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if seat is None:
            raise Http404
        return seat

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        seat = self.object
        context.update(
            seat=seat,
            booking=seat.booking,
            group=seat.booking.group,
            change_state=self.change_state(seat.booking.group),
            seat_is_cancelled=seat.status == Seat.Status.CANCELLED,
            booking_url=self.booking_url(),
        )
        return context

    def booking_url(self):
        return reverse("portal:booking", kwargs={"pk": self.object.booking_id})


class EditSeatView(SeatActionView):
    template_name = "booking/portal/seat_edit.html"
    form_class = SeatDetailsForm

    def get_form(self, data=None):
        seat = self.object
        initial = {
            "first_name": seat.first_name,
            "learning_goal": seat.learning_goal,
            "support_needs": seat.support_needs,
        }
        return SeatDetailsForm(data, initial=initial)

    def perform(self, form):
        services.update_seat_details(
            seat=self.object,
            by=self.request.user,
            details=form.seat_request(),
            reason=form.cleaned_data["reason"],
        )
        return _("The details of this seat have been saved."), self.booking_url()


class CancelSeatView(SeatActionView):
    template_name = "booking/portal/seat_cancel.html"
    form_class = ReasonForm

    def perform(self, form):
        cancellation = services.cancel_seats(
            booking=self.object.booking,
            by=self.request.user,
            reason=form.cleaned_data["reason"],
            seat_ids=[self.object.pk],
        )
        message = _("The seat of %(name)s has been cancelled.") % {
            "name": self.object.participant_label
        }
        message = (
            f"{message} {where_the_seats_went(cancellation, self.object.booking.organisation)}"
        )
        return message, self.booking_url()


class MoveSeatView(SeatActionView):
    """Move one participant to another group of the same course that the organisation may
    book now."""

    template_name = "booking/portal/seat_move.html"
    form_class = MoveSeatForm

    @cached_property
    def targets(self) -> list:
        """Groups of the same course this organisation may book now, with availability."""
        group = self.object.booking.group
        groups = groups_with_availability(
            bookable_groups(self.organisation)
            .for_course(group.course)
            .exclude(pk=group.pk)
            .order_by("first_date", "pk")
        )
        # A seat moved into a group takes a seat held there for its organisation first.
        with_your_holds(groups, self.organisation)
        for target in groups:
            target.move_label = _move_label(target)
        return groups

    def get_form_kwargs(self):
        return {"groups": self.targets}

    def perform(self, form):
        new_seat = services.move_seat(
            seat=self.object,
            to_group=form.group,
            by=self.request.user,
            reason=form.cleaned_data["reason"],
        )
        if new_seat.status == Seat.Status.CONFIRMED:
            message = _("The seat has moved to the new group. The seat there is confirmed.")
        else:
            message = _(
                "The seat has moved to the new group. The group is full, so the seat is on "
                "the waiting list."
            )
        return message, reverse("portal:booking", kwargs={"pk": new_seat.booking_id})


def _move_label(group) -> str:
    """E.g. "Level 1, Bibliotheek Gouda, Gouda. Starts Monday 3 March. 2 seats left", and
    the seats held for the organisation there."""
    parts = [group.get_level_display(), f"{group.location.name}, {group.location.city}"]
    if group.first_date:
        parts.append(
            _("Starts %(date)s") % {"date": date_format(group.first_date, "l j F Y")},
        )
    parts.append(str(group.availability.label))
    if group.hold_for_you:
        parts.append(group.hold_for_you.label)
    return ". ".join(str(part) for part in parts)
