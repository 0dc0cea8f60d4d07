"""A contact person makes a certificate for a participant of their own organisation: the name
and the language, a preview, then the PDF (booking/certificates.py). Another organisation's
seat is not found, by GET and POST; a seat without enough sessions gets the rule's message and
no PDF. The typed name is only passed on to the preview and the PDF, never saved."""

from django.http import Http404
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from booking import policies
from booking.certificates import CertificateForm, certificate_for, pdf_response

from .base import PortalMixin


class CertificateView(PortalMixin, TemplateView):
    template_name = "booking/certificates/portal.html"
    portal_section = "overview"

    def dispatch(self, request, *args, **kwargs):
        self.seat = None
        return super().dispatch(request, *args, **kwargs)

    def get_seat(self):
        seat = (
            self.seats()
            .select_related(
                "booking__organisation",
                "booking__group__course",
                "booking__group__location",
                "booking__group__library",
            )
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if seat is None:
            raise Http404
        return seat

    def http_method_not_allowed(self, request, *args, **kwargs):
        # Someone else's seat is not found, whatever the method.
        self.get_seat()
        return super().http_method_not_allowed(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        self.seat = self.get_seat()
        return self.render_to_response(self.get_context_data(form=CertificateForm()))

    def post(self, request, *args, **kwargs):
        self.seat = self.get_seat()
        form = CertificateForm(request.POST)
        context = {"form": form}
        if self.refusal is None and form.is_valid():
            name, language = form.cleaned_data["name"], form.cleaned_data["language"]
            step = request.POST.get("step")
            if step == "pdf":
                return pdf_response(seat=self.seat, name=name, language=language)
            if step != "change":
                context.update(
                    certificate=certificate_for(seat=self.seat, language=language), name=name
                )
        return self.render_to_response(self.get_context_data(**context))

    @cached_property
    def refusal(self) -> str | None:
        error = policies.refusal(
            policies.check_can_print_certificate, self.seat, by=self.request.user
        )
        return error.message if error else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            seat=self.seat,
            group=self.seat.booking.group,
            booking_url=reverse("portal:booking", kwargs={"pk": self.seat.booking_id}),
            refusal=self.refusal,
        )
        return context
