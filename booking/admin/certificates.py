"""The coordinator's certificate for a participant of the group: the name and the language, a
preview, then the PDF (booking/certificates.py).

Only the coordinators of the group's library (and superusers) find the group and its seats:
anything else is a 404, by GET and POST. A seat without enough sessions gets the rule's message
and no PDF. The typed name goes to the preview and the PDF only; nothing is saved.
"""

from django.urls import include, path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy

from booking import policies
from booking.certificates import CertificateForm, certificate_for, pdf_response

from .groups import SeatActionView


class CertificateView(SeatActionView):
    template_name = "booking/certificates/admin.html"
    form_class = CertificateForm
    page_title = gettext_lazy("Make a certificate")
    header_icon = "doc-full"

    def load_objects(self, **kwargs):
        super().load_objects(**kwargs)
        self.seat.booking.group = self.group

    @cached_property
    def refusal(self) -> str | None:
        error = policies.refusal(
            policies.check_can_print_certificate, self.seat, by=self.request.user
        )
        return error.message if error else None

    def form_valid(self, form):
        if self.refusal:
            return self.form_invalid(form)
        name, language = form.cleaned_data["name"], form.cleaned_data["language"]
        step = self.request.POST.get("step")
        if step == "pdf":
            return pdf_response(seat=self.seat, name=name, language=language)
        if step == "change":
            return self.form_invalid(form)
        certificate = certificate_for(seat=self.seat, language=language)
        return self.render_to_response(
            self.get_context_data(form=form, certificate=certificate, name=name)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["refusal"] = self.refusal
        return context


URLS = [
    path(
        "course-planning/certificates/",
        include(
            (
                [
                    path(
                        "<int:pk>/<int:seat_pk>/",
                        CertificateView.as_view(),
                        name="seat",
                    )
                ],
                "booking_certificates",
            )
        ),
    )
]
