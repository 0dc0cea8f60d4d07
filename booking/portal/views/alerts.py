"""'Er is plek' alerts on the public site: the contact person's list of alerts in the portal,
the unsubscribe link from the e-mails (no login), and a public Atom feed of a course's groups
with room, for feed readers. The rules are in booking/alerts.py."""

from django import forms
from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from booking import alerts
from booking.errors import BookingError
from booking.models import CourseGroup, CoursePage, RoomAlert
from booking.models.alerts import MAX_MUNICIPALITY_LENGTH
from core.site_url import absolute_url

from .base import PortalMixin

# The field of the form each refusal of `alerts.subscribe` is about (named as in the API).
FORM_FIELDS = {
    "course_id": "course",
    "level": "level",
    "location_id": "location",
    "municipality": "municipality",
}
FEED_LENGTH = 50


class AlertForm(forms.Form):
    """What to hear about: a course, and if you like a level and a place."""

    course = forms.ChoiceField(
        label=gettext_lazy("Course"),
        error_messages={
            "required": gettext_lazy("Choose a course."),
            "invalid_choice": gettext_lazy("Choose a course from the list."),
        },
    )
    level = forms.TypedChoiceField(
        label=gettext_lazy("Level"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": gettext_lazy("Choose a level from the list.")},
    )
    location = forms.TypedChoiceField(
        label=gettext_lazy("Location"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=gettext_lazy("Choose one place, or leave this empty."),
        error_messages={"invalid_choice": gettext_lazy("Choose a location from the list.")},
    )
    municipality = forms.CharField(
        label=gettext_lazy("Municipality or town"),
        required=False,
        max_length=MAX_MUNICIPALITY_LENGTH,
        help_text=gettext_lazy(
            "For example Gouda. Leave this empty for every place. "
            "Fill in a location or a municipality, not both."
        ),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = [("", _("Choose a course")), *alerts.course_choices()]
        self.fields["level"].choices = [("", _("Every level")), *CourseGroup.Level.choices]
        self.places = {place.pk: place for place in alerts.places_for(organisation)}
        self.fields["location"].choices = [
            ("", _("Every location")),
            *((pk, f"{place.city}: {place.name}") for pk, place in self.places.items()),
        ]

    def clean(self):
        data = super().clean()
        if data.get("location") and data.get("municipality", "").strip():
            self.add_error("municipality", _("Fill in a location or a municipality, not both."))
        return data


class AlertsView(PortalMixin, TemplateView):
    """The contact person's alerts, each with a button to stop it, and a form to add one."""

    template_name = "booking/portal/alerts.html"
    portal_section = "alerts"
    SECTION_PAGES = {**PortalMixin.SECTION_PAGES, "alerts": "alerts"}

    def get_form(self, data=None):
        return AlertForm(data, organisation=self.organisation)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.get_form())
        context = super().get_context_data(**kwargs)
        own = list(alerts.alerts_of(self.request.user))
        titles = alerts.course_titles_by_key(alert.course_key for alert in own)
        with_room = list(
            alerts.groups_with_room().filter(
                course__translation_key__in={alert.course_key for alert in own}
            )
        )
        for alert in own:
            alert.text = alerts.describe(alert, titles)
            alert.groups_with_room = sum(
                alerts.matches(alert, group, self.organisation.pk) for group in with_room
            )
        context["alerts"] = own
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                alert, created = alerts.subscribe(
                    user=request.user,
                    course_key=data["course"],
                    level=data["level"],
                    location=form.places.get(data["location"]),
                    municipality=data["municipality"],
                    language=get_language(),
                )
            except BookingError as error:
                form.add_error(FORM_FIELDS.get(error.argument), error.message)
            else:
                text = alerts.describe(alert, alerts.course_titles_by_key([alert.course_key]))
                if created:
                    messages.success(
                        request,
                        _("Done. We e-mail you when there is room: %(alert)s.") % {"alert": text},
                    )
                else:
                    messages.info(
                        request, _("You already had this alert: %(alert)s.") % {"alert": text}
                    )
                return redirect("portal:alerts")
        return self.render_to_response(self.get_context_data(form=form))


class StopAlertView(PortalMixin, TemplateView):
    """Stop one of your own alerts: GET asks, POST stops it. Anyone else's is a 404."""

    template_name = "booking/portal/alerts_stop.html"
    portal_section = "alerts"

    def get_alert(self) -> RoomAlert:
        return get_object_or_404(alerts.alerts_of(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        alert = self.get_alert()
        alert.text = alerts.describe(alert, alerts.course_titles_by_key([alert.course_key]))
        return super().get_context_data(alert=alert, **kwargs)

    def post(self, request, *args, **kwargs):
        alert = self.get_alert()
        text = alerts.describe(alert, alerts.course_titles_by_key([alert.course_key]))
        alerts.unsubscribe(alert)
        messages.success(request, _("You no longer get e-mails about %(alert)s.") % {"alert": text})
        return redirect("portal:alerts")


@method_decorator(never_cache, name="dispatch")
@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(View):
    """The link in every alert e-mail, without logging in: GET shows a button, POST stops
    that one subscription. A mail program's one-click POST (RFC 8058, body
    `List-Unsubscribe=One-Click`) carries no CSRF token, hence the exemption: the secret
    token in the address is the proof. Stopping twice answers the same page; a token we do
    not know is a 404."""

    template_name = "booking/portal/alerts_unsubscribe.html"

    def get_alert(self, token) -> RoomAlert:
        return get_object_or_404(RoomAlert.objects.select_related("location"), token=token)

    def render(self, request, alert):
        alert.text = alerts.describe(alert, alerts.course_titles_by_key([alert.course_key]))
        return TemplateResponse(request, self.template_name, {"alert": alert})

    def get(self, request, token):
        return self.render(request, self.get_alert(token))

    def post(self, request, token):
        alert = alerts.unsubscribe(self.get_alert(token))
        return self.render(request, alert)


class RoomFeed(Feed):
    """A course's groups with a seat free for anyone, as an Atom feed: open, bookable now, not
    only for one organisation. Seats change all the time, so it is never kept in a cache.

    One instance serves every request, so what a request needs travels on the page and the
    groups, never on `self`.
    """

    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        patch_cache_control(response, no_cache=True, max_age=0)
        return response

    def get_object(self, request, slug):
        pages = CoursePage.objects.live().public().filter(slug=slug)
        page = pages.filter(locale__language_code=get_language()).first() or pages.first()
        if page is None:
            raise Http404
        page = page.localized
        page.page_url = page.get_full_url(request)
        page.feed_address = absolute_url(request.path)
        return page

    def title(self, page):
        return _("Room in %(course)s") % {"course": page.title}

    def subtitle(self, page):
        return _("Groups of %(course)s that have free seats now.") % {"course": page.title}

    def link(self, page):
        return page.page_url

    def feed_url(self, page):
        return page.feed_address

    def items(self, page):
        groups = list(
            alerts.groups_with_room()
            .filter(course__translation_key=page.translation_key, restricted_to__isnull=True)
            .order_by(F("first_date").asc(nulls_last=True), "pk")[:FEED_LENGTH]
        )
        for group in groups:
            group.course_title = page.title
            group.link = f"{page.page_url}#group-{group.pk}-title"
        return groups

    def item_title(self, group):
        seats = ngettext("%(count)s seat free", "%(count)s seats free", group.free_seats) % {
            "count": group.free_seats
        }
        level = group.get_level_display().lower()
        return f"{group.course_title}, {level}, {group.location.city}: {seats}"

    def item_description(self, group):
        lines = [f"{group.location.name}, {group.location.address}."]
        if group.first_date:
            lines.append(
                _("First lesson: %(date)s.") % {"date": date_format(group.first_date, "l j F Y")}
            )
        lines.append(
            _("You can reserve until %(date)s.")
            % {"date": date_format(timezone.localtime(group.booking_closes_at), "l j F Y")}
        )
        return " ".join(lines)

    def item_link(self, group):
        return group.link

    def item_pubdate(self, group):
        return group.booking_opens_at

    def item_updateddate(self, group):
        return max(filter(None, [group.booking_opens_at, group.room_at]))
