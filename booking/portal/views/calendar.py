"""The organisation's private calendar address for calendar apps, and the feed behind it."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from booking.calendar import organisation_calendar
from booking.models import CalendarFeed
from booking.portal.forms import ConfirmForm
from core.site_url import absolute_url

from .base import PortalMixin


def feed_url(feed) -> str:
    return absolute_url(reverse("portal:calendar_feed", kwargs={"token": feed.token}))


class CalendarView(PortalMixin, TemplateView):
    """Shows the address, with how to add it to a calendar app; POST makes one if there is
    none yet (a second click keeps the first address)."""

    template_name = "booking/portal/calendar.html"
    portal_section = "calendar"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        feed = CalendarFeed.objects.filter(organisation=self.organisation).first()
        context.update(
            feed=feed,
            feed_url=feed_url(feed) if feed else "",
            form=ConfirmForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        _feed, created = CalendarFeed.objects.get_or_create(
            organisation=self.organisation,
            defaults={"token": CalendarFeed.new_token(), "created_by": request.user},
        )
        if created:
            messages.success(request, _("Your calendar address is ready. Add it to your calendar."))
        return redirect("portal:calendar")


class RenewCalendarView(PortalMixin, TemplateView):
    """A new secret address: the old one stops working at once (e.g. after it was shared
    by mistake). GET asks to confirm."""

    template_name = "booking/portal/calendar_renew.html"
    portal_section = "calendar"

    def get_feed(self):
        return CalendarFeed.objects.filter(organisation=self.organisation).first()

    def get(self, request, *args, **kwargs):
        if self.get_feed() is None:
            return redirect("portal:calendar")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=ConfirmForm(), **kwargs)

    def post(self, request, *args, **kwargs):
        feed = self.get_feed()
        if feed is None:
            return redirect("portal:calendar")
        feed.token = CalendarFeed.new_token()
        feed.created_by = request.user
        feed.save(update_fields=["token", "created_by"])
        messages.success(
            request,
            _(
                "You have a new calendar address. The old address no longer works. Add the "
                "new address to your calendar app."
            ),
        )
        return redirect("portal:calendar")


class CalendarFeedView(View):
    """The calendar behind the secret address. Calendar apps cannot sign in: the token is
    the key, and an unknown token is simply not found."""

    http_method_names = ["get", "head", "options"]

    def get(self, request, token):
        feed = CalendarFeed.objects.select_related("organisation").filter(token=token).first()
        if feed is None:
            raise Http404
        response = HttpResponse(
            organisation_calendar(feed.organisation), content_type="text/calendar; charset=utf-8"
        )
        # The address is a secret: shared caches (proxies, the page cache) must not keep it.
        patch_cache_control(response, private=True)
        return response
