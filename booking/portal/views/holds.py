"""Giving back seats a coordinator holds for the organisation, so others can have them."""

from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils.translation import ngettext

from booking import services
from booking.models import SeatHold, Session
from booking.policies import check_can_release_hold, refusal
from booking.portal.forms import GiveBackHeldSeatsForm
from booking.portal.holds import held_for_you_label
from booking.selectors import course_titles

from .base import ActionView
from .bookings import where_freed_seats_went


class ReleaseHoldView(ActionView):
    """A confirmation page, then `services.release_hold`: the waiting list gets the seats
    first, then anyone can book them.

    Only holds for the user's own organisation are found; another organisation's hold is
    not found (404), whatever the method. A hold given back already says so in plain words.
    """

    template_name = "booking/portal/hold_release.html"
    portal_section = "groups"
    form_class = GiveBackHeldSeatsForm

    def get_object(self):
        hold = (
            SeatHold.objects.select_related(
                "group__course", "group__library", "group__location", "organisation"
            )
            .prefetch_related(
                Prefetch("group__sessions", queryset=Session.objects.order_by("date", "starts_at"))
            )
            .filter(pk=self.kwargs["pk"], organisation=self.organisation)
            .first()
        )
        if hold is None:
            raise Http404
        hold.label = held_for_you_label(hold)
        return hold

    def http_method_not_allowed(self, request, *args, **kwargs):
        self.get_object()
        return super().http_method_not_allowed(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        hold = self.object
        group = hold.group
        group.course_title = course_titles([group.course])[group.course_id]
        error = refusal(check_can_release_hold, hold, by=self.request.user)
        context.update(
            hold=hold,
            group=group,
            refusal=error.message if error else "",
        )
        return context

    def perform(self, form):
        promoted = services.release_hold(
            hold=self.object, by=self.request.user, reason=form.cleaned_data["reason"]
        )
        # The number given back is the one the service released under the lock, which a
        # booking made meanwhile may have made smaller than the page showed.
        count = SeatHold.objects.get(pk=self.object.pk).seats
        message = ngettext(
            "You gave back %(count)s held seat.",
            "You gave back %(count)s held seats.",
            count,
        ) % {"count": count}
        went = where_freed_seats_went(count, promoted, self.organisation)
        return f"{message} {went}", reverse("portal:find_groups")
