"""The coordinators' screens for talking with partners: a message to the contact persons of a
group ("Bericht sturen"), and how a coordinator hears about bookings in their library's groups.

Sending goes through booking.messages, which has the last word on who may send what; a refusal
is shown on the form and nothing is kept or sent. Another library's group is a 404, by GET and
POST alike (booking.admin.groups.GroupActionView); the settings page is only for coordinators.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from booking import messages as library_messages
from booking import policies
from booking.admin.groups import GroupActionView
from booking.models import CoordinatorNotificationSetting
from booking.models.messages import MAX_BODY_LENGTH, MAX_SUBJECT_LENGTH
from booking.roles import library_of

NAMESPACE = "booking_messages"


# -- forms ----------------------------------------------------------------------------------


class GroupMessageForm(forms.Form):
    subject = forms.CharField(
        label=gettext_lazy("Subject"),
        max_length=MAX_SUBJECT_LENGTH,
        help_text=gettext_lazy("A few words, e.g. “Other room: room 2”."),
        error_messages={"required": gettext_lazy("Write a subject.")},
    )
    body = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "Write about the group, e.g. a new room or what to bring. "
            "Do not write about one participant: every contact person of the group gets this "
            "message."
        ),
        error_messages={"required": gettext_lazy("Write a message.")},
    )


class FirstChoiceRadioSelect(forms.RadioSelect):
    """Radio buttons whose field points at its first choice, so the error summary's link
    reaches the question (Django's own points nowhere)."""

    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, 0 if index is None else index)


class NotificationSettingForm(forms.Form):
    frequency = forms.ChoiceField(
        label=gettext_lazy("When do you want an e-mail about bookings?"),
        choices=CoordinatorNotificationSetting.Frequency.choices,
        widget=FirstChoiceRadioSelect,
        help_text=gettext_lazy(
            "About new bookings, places on the waiting list and cancellations in the groups of "
            "your library. You do not get an e-mail about what you did yourself."
        ),
        error_messages={"required": gettext_lazy("Choose one of the options.")},
    )


# -- a message to the group's contact persons -------------------------------------------------


def _recipient_row(booking) -> dict:
    """Who gets the message for a booking: its organisation, and the contact person who booked
    while they still work there (otherwise the organisation's own address gets it)."""
    person = booking.booked_by
    membership = getattr(person, "membership", None) if person else None
    works_there = membership is not None and membership.organisation_id == booking.organisation_id
    return {
        "organisation": booking.organisation.name,
        "name": (person.get_full_name() or person.get_username()) if works_there else "",
    }


class SendGroupMessageView(GroupActionView):
    """GET: the form, who will get the message, and the messages sent before. POST: send."""

    form_class = GroupMessageForm
    template_name = "booking/admin/messages/send.html"
    page_title = gettext_lazy("Send a message")
    header_icon = "mail"
    intro = gettext_lazy(
        "Every contact person with seats in this group gets your message by e-mail. "
        "If they reply, the answer goes to the library's e-mail address."
    )
    submit_label = gettext_lazy("Send the message")

    @cached_property
    def refusal(self):
        return policies.refusal(
            library_messages.check_can_send_message, self.group, by=self.request.user
        )

    @cached_property
    def recipients(self):
        return library_messages.message_recipients(self.group)

    def get_error_field(self, error):
        return error.argument if error.argument in ("subject", "body") else None

    def perform(self, form):
        return library_messages.send_group_message(
            group=self.group,
            by=self.request.user,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
        )

    def get_success_message(self, form):
        count = len(self.recipients)
        return ngettext(
            "Your message is sent to %(count)s contact person.",
            "Your message is sent to %(count)s contact persons.",
            count,
        ) % {"count": count}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            refusal=self.refusal.message if self.refusal else "",
            recipients=[] if self.refusal else [_recipient_row(b) for b in self.recipients],
            earlier=library_messages.messages_for_timeline(self.group),
        )
        return context


# -- how a coordinator hears about bookings ---------------------------------------------------


class NotificationSettingsView(WagtailAdminTemplateMixin, FormView):
    """One choice per coordinator: an e-mail at once, once a day, or never."""

    form_class = NotificationSettingForm
    template_name = "booking/admin/messages/settings.html"
    page_title = gettext_lazy("E-mails about bookings")
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        # Only a library's coordinators have groups to hear about.
        if library_of(request.user) is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"frequency": library_messages.frequency_of(self.request.user)}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("wagtailadmin_account"), "label": _("Account")},
            {"url": "", "label": self.get_page_title()},
        ]

    def form_valid(self, form):
        library_messages.set_frequency(self.request.user, form.cleaned_data["frequency"])
        messages.success(self.request, _("Your choice is saved."))
        return redirect(settings_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["library"] = library_of(self.request.user)
        return context


def send_url(group_id: int) -> str:
    """The "Bericht sturen" page of a group."""
    return reverse(f"{NAMESPACE}:send", args=[group_id])


def settings_url() -> str:
    return reverse(f"{NAMESPACE}:settings")


def account_menu_item(request):
    """A link on the admin's account page, for coordinators only."""
    if library_of(request.user) is None:
        return None
    return {
        "url": settings_url(),
        "label": _("E-mails about bookings"),
        "help_text": _("Choose when you hear about bookings in your library's groups."),
    }


URLS = [
    path(
        "course-planning/messages/",
        include(
            (
                [
                    path("group/<int:pk>/", SendGroupMessageView.as_view(), name="send"),
                    path("settings/", NotificationSettingsView.as_view(), name="settings"),
                ],
                NAMESPACE,
            )
        ),
    )
]
