"""Webhooks: the organisation's own systems hear of changes to its bookings (booking/webhooks.py).

Any contact person of the organisation manages its webhooks. An endpoint or a delivery of
another organisation answers 404. The secret is shown once, on the page that answers the POST
that made it (or a new one), and never kept in a message, the session or a log.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from booking import webhooks
from booking.errors import BookingError
from booking.models import WebhookDelivery, WebhookEndpoint
from booking.models.webhooks import MAX_ENDPOINTS_PER_ORGANISATION
from booking.portal.forms import ConfirmForm
from booking.portal.webhook_forms import WebhookForm

from .base import PortalMixin

Event = webhooks.EventType
EVENT_TYPES = [
    (Event.BOOKING_CREATED, gettext_lazy("Your organisation reserved seats in a group.")),
    (Event.SEAT_CONFIRMED, gettext_lazy("Seats of a new booking are confirmed.")),
    (Event.SEAT_WAITLISTED, gettext_lazy("Seats of a new booking are on the waiting list.")),
    (Event.SEAT_PROMOTED, gettext_lazy("A seat on the waiting list is now confirmed.")),
    (Event.SEAT_MOVED, gettext_lazy("A seat moved to another group.")),
    (Event.SEAT_CANCELLED, gettext_lazy("Seats were cancelled, by you or by the library.")),
    (Event.GROUP_CANCELLED, gettext_lazy("The library cancelled a group with your seats.")),
    (Event.SESSION_CHANGED, gettext_lazy("The dates or times of lessons changed.")),
    (Event.PING, gettext_lazy("A test event you sent yourself.")),
]


class WebhookMixin(PortalMixin):
    portal_section = "webhooks"

    def get_endpoint(self) -> WebhookEndpoint:
        endpoint = webhooks.endpoints_of(self.organisation).filter(pk=self.kwargs["pk"]).first()
        if endpoint is None:
            raise Http404
        return endpoint

    def show_secret(self, endpoint, *, rotated=False):
        context = self.get_context_data(endpoint=endpoint, rotated=rotated)
        return self.response_class(
            request=self.request,
            template="booking/portal/webhook_secret.html",
            context=context,
            using=self.template_engine,
        )


class WebhooksView(WebhookMixin, TemplateView):
    """The organisation's webhooks, what they are for, and the form to add one."""

    template_name = "booking/portal/webhooks.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", WebhookForm())
        context = super().get_context_data(**kwargs)
        endpoints = list(webhooks.endpoints_of(self.organisation))
        context.update(
            endpoints=endpoints,
            can_add=len(endpoints) < MAX_ENDPOINTS_PER_ORGANISATION,
            most=MAX_ENDPOINTS_PER_ORGANISATION,
            event_types=EVENT_TYPES,
        )
        return context

    def post(self, request, *args, **kwargs):
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                endpoint = webhooks.create_endpoint(
                    organisation=self.organisation,
                    url=form.cleaned_data["url"],
                    description=form.cleaned_data["description"],
                    by=request.user,
                )
            except BookingError as error:
                form.add_error(
                    error.argument if error.argument in form.fields else None, error.message
                )
            else:
                return self.show_secret(endpoint)
        return self.render_to_response(self.get_context_data(form=form))


class WebhookView(WebhookMixin, TemplateView):
    """One webhook: its facts, what can be done with it, and the log of its last deliveries.

    POST takes `action`: "test", "off", "on" or "again" (with `delivery`).
    """

    template_name = "booking/portal/webhook.html"

    def get_context_data(self, **kwargs):
        endpoint = kwargs.pop("endpoint", None) or self.get_endpoint()
        context = super().get_context_data(**kwargs)
        context.update(
            endpoint=endpoint,
            deliveries=list(webhooks.delivery_log(endpoint)),
            log_length=webhooks.LOG_LENGTH,
            form=ConfirmForm(),
            Status=WebhookDelivery.Status,
        )
        return context

    def post(self, request, *args, **kwargs):
        endpoint = self.get_endpoint()
        action = request.POST.get("action")
        try:
            if action == "test":
                webhooks.send_test_event(endpoint=endpoint)
                messages.success(request, _("A test event is on its way. See the log below."))
            elif action in ("off", "on"):
                webhooks.set_active(endpoint=endpoint, active=action == "on")
                messages.success(
                    request,
                    _("The webhook is on. New events are sent to it.")
                    if action == "on"
                    else _("The webhook is off. No events are sent to it until you turn it on."),
                )
            elif action == "again":
                delivery = self._delivery(endpoint, request.POST.get("delivery"))
                webhooks.send_again(delivery=delivery)
                messages.success(request, _("The event is sent again. See the log below."))
            else:
                messages.error(request, _("Choose one of the buttons on this page."))
        except BookingError as error:
            messages.error(request, error.message)
        return redirect("portal:webhook", pk=endpoint.pk)

    @staticmethod
    def _delivery(endpoint, delivery_id) -> WebhookDelivery:
        if not (delivery_id or "").isdigit():
            raise Http404
        delivery = WebhookDelivery.objects.filter(endpoint=endpoint, pk=int(delivery_id)).first()
        if delivery is None:
            raise Http404
        return delivery


class RotateWebhookSecretView(WebhookMixin, TemplateView):
    """GET asks to confirm; POST makes a new secret and shows it once."""

    template_name = "booking/portal/webhook_rotate.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("endpoint", self.get_endpoint())
        return super().get_context_data(form=ConfirmForm(), **kwargs)

    def post(self, request, *args, **kwargs):
        endpoint = webhooks.rotate_secret(endpoint=self.get_endpoint())
        return self.show_secret(endpoint, rotated=True)


class DeleteWebhookView(WebhookMixin, TemplateView):
    template_name = "booking/portal/webhook_delete.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(endpoint=self.get_endpoint(), form=ConfirmForm(), **kwargs)

    def post(self, request, *args, **kwargs):
        endpoint = self.get_endpoint()
        webhooks.delete_endpoint(endpoint=endpoint)
        messages.success(
            request,
            _("The webhook for %(url)s has been deleted. No more events are sent there.")
            % {"url": endpoint.url},
        )
        return redirect("portal:webhooks")
