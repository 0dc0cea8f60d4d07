"""The next step after a completed course: the advice per participant on the booking page,
and booking it with one button (`services.book_next_step`)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from booking import services
from booking.errors import BookingError
from booking.models import Booking, CourseGroup, Seat
from booking.next_step import SeatNextStep, next_steps
from booking.portal.holds import with_your_holds

from .base import PortalMixin

# The id of the "Keep learning" section on the booking page, to come back to after a refusal.
SECTION_ID = "next-step"


def next_steps_for(booking: Booking, organisation) -> list[SeatNextStep]:
    """The advice for the seats of `booking` (empty until its group is completed), each open
    group with the seats held there for `organisation` counted as free."""
    rows = [
        row for row in next_steps(booking.group, organisation) if row.seat.booking_id == booking.pk
    ]
    with_your_holds({group for row in rows for group in row.groups}, organisation)
    return rows


class BookNextStepView(PortalMixin, View):
    """POST only: reserve one seat for a participant of a completed group in a group of the
    advised course and level, then show the booking it made.

    Another organisation's seat is not found (404), whatever the method, and nothing
    changes; a refusal (booked already, the wrong group, the group closed meanwhile) comes
    back on the booking page in plain words.
    """

    def get_seat(self) -> Seat:
        seat = self.seats().filter(pk=self.kwargs["pk"]).first()
        if seat is None:
            raise Http404
        return seat

    def section_url(self, seat: Seat) -> str:
        return reverse("portal:booking", kwargs={"pk": seat.booking_id}) + f"#{SECTION_ID}"

    def get(self, request, *args, **kwargs):
        # Nothing to show on its own: the advice is on the booking page.
        return redirect(self.section_url(self.get_seat()))

    def http_method_not_allowed(self, request, *args, **kwargs):
        self.get_seat()
        return super().http_method_not_allowed(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        seat = self.get_seat()
        group_id = request.POST.get("group", "")
        to_group = (
            CourseGroup.objects.filter(pk=int(group_id)).first() if group_id.isdigit() else None
        )
        if to_group is None:
            messages.error(request, _("Choose one of the groups shown."))
            return redirect(self.section_url(seat))
        try:
            result = services.book_next_step(seat=seat, to_group=to_group, by=request.user)
        except BookingError as error:
            messages.error(request, error.message)
            return redirect(self.section_url(seat))
        messages.success(request, _booked_message(seat, result))
        return redirect(reverse("portal:booking", kwargs={"pk": result.booking.pk}))


def _booked_message(seat: Seat, result: services.ReservationResult) -> str:
    name = seat.participant_label
    if result.confirmed:
        return _("A seat has been reserved for %(name)s. The seat is confirmed.") % {"name": name}
    (waiting,) = result.waitlisted
    return _(
        "The group is full, so %(name)s is on the waiting list (place %(place)s). "
        "We send you an e-mail when a seat comes free."
    ) % {"name": name, "place": result.waitlist_positions[waiting.pk]}
