"""The intake in the portal: a job coach asks a colleague a few can-you questions, on a phone,
and gets a course and level with the groups that match.

Before booking (`IntakeView`), the intake is kept nowhere: the advice page carries it, signed,
into the reserve flow, which keeps it on the first seat. While booking (`SeatIntakeView`), it
is kept on an existing seat of the organisation through `services.record_intake`.
"""

from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from booking import intake, services
from booking.errors import BookingError
from booking.policies import check_can_record_intake, refusal
from booking.portal.holds import with_your_holds
from booking.portal.intake_forms import IntakeForm, sign
from booking.selectors import bookable_groups, groups_with_availability

from .base import PortalMixin
from .bookings import SeatActionView

MATCHING_GROUPS_SHOWN = 10


def advice_title(advice) -> str:
    """E.g. "Klik & Tik niveau 1": the course in the reader's language and the level."""
    return _("%(course)s level %(level)s") % {
        "course": getattr(advice, "course_title", None) or advice.course.title,
        "level": advice.level,
    }


def matching_groups(organisation, advice) -> list:
    """The groups of the advised course and level the organisation can book now, soonest
    first (groups hang on the Dutch course page, so they are matched on its translation key)."""
    groups = groups_with_availability(
        bookable_groups(organisation)
        .filter(course__translation_key=advice.course.translation_key, level=advice.level)
        .order_by("first_date", "pk")[:MATCHING_GROUPS_SHOWN]
    )
    with_your_holds(groups, organisation)
    return groups


class IntakeView(PortalMixin, TemplateView):
    """GET: the questions. POST: the advice, with the matching groups and, on each, a link to
    reserve that carries the intake. Nothing is stored until a seat is reserved."""

    template_name = "booking/portal/intake/intake.html"
    portal_section = "groups"

    def get_form(self, data=None) -> IntakeForm:
        return IntakeForm(data, questions=intake.questions())

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                advice = intake.advise(form.answers())
                record = intake.intake_record(form.answers(), form.cleaned_data["wants"], advice)
            except BookingError as error:
                form.add_error(None, error.message)
            else:
                return self.advice_page(advice, record)
        return self.render_to_response(self.get_context_data(form=form))

    def advice_page(self, advice, record):
        signed = sign(record, self.request.session)
        context = self.get_context_data(
            advice=advice,
            advice_title=advice_title(advice) if advice else "",
            groups=matching_groups(self.organisation, advice) if advice else [],
            intake_value=signed,
        )
        return TemplateResponse(self.request, "booking/portal/intake/advice.html", context)


class SeatIntakeView(SeatActionView):
    """The intake for one seat of the organisation's own booking, kept on the seat. Another
    organisation's seat is not found, by GET and by POST."""

    template_name = "booking/portal/intake/seat_intake.html"

    def get_form(self, data=None) -> IntakeForm:
        return IntakeForm(data, questions=intake.questions())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        seat = self.object
        error = refusal(
            check_can_record_intake,
            seat.booking.group,
            organisation=seat.booking.organisation,
            by=self.request.user,
        )
        advice = intake.stored_advice(seat.intake)
        context.update(
            intake_refusal=error.message if error else "",
            stored_advice=advice,
            stored_advice_title=advice_title(advice) if advice else "",
        )
        return context

    def perform(self, form):
        seat = services.record_intake(
            seat=self.object,
            answers=form.answers(),
            wants=form.cleaned_data["wants"],
            by=self.request.user,
        )
        advice = intake.stored_advice(seat.intake)
        message = _("The intake of %(name)s has been saved.") % {"name": seat.participant_label}
        if advice:
            message = " ".join(
                [message, _("Our advice: %(advice)s.") % {"advice": advice_title(advice)}]
            )
        return message, self.booking_url()


def intake_not_readable(view) -> TemplateResponse:
    """A carried intake that we did not sign, that was changed or is too old: refused, and the
    job coach is asked to do the intake again (nothing is reserved)."""
    context = {
        "organisation": view.organisation,
        "portal_section": view.portal_section,
        "portal_current": "true",
    }
    return TemplateResponse(
        view.request, "booking/portal/intake/not_readable.html", context, status=400
    )
