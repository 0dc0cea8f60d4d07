"""The coordinator's "announce room" action on a group: e-mail the contact persons who asked
for "er is plek" alerts about it now, instead of in tomorrow's digest (booking/alerts.py).

Only the coordinators of the group's library (and superusers) find the group: anyone else's
group is a 404, by GET and POST. The page says first how many people will get the e-mail,
or why the group cannot be announced now.
"""

from django import forms
from django.urls import include, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from booking import alerts, policies

from .groups import GroupActionView


class AnnounceForm(forms.Form):
    """Nothing to fill in: pressing the button is the confirmation."""


class AnnounceRoomView(GroupActionView):
    template_name = "booking/admin/alerts/announce.html"
    form_class = AnnounceForm
    page_title = gettext_lazy("Announce room")
    header_icon = "mail"
    submit_label = gettext_lazy("Send the e-mail now")

    def perform(self, form):
        return alerts.announce_room(group=self.group, by=self.request.user)

    def get_success_message(self, form):
        if not self.result:
            return _("Nobody asked for e-mails about this group, so no e-mail was sent.")
        return ngettext(
            "%(count)s contact person gets an e-mail about the room in this group.",
            "%(count)s contact persons get an e-mail about the room in this group.",
            self.result,
        ) % {"count": self.result}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        error = policies.refusal(alerts.check_can_announce, self.group, by=self.request.user)
        subscribers = len(alerts.subscribers_of(self.group)) if error is None else 0
        if error is None and subscribers:
            intro = ngettext(
                "%(count)s contact person asked for an e-mail when this group has room. "
                "They get it now, not tomorrow. You can do this once a day.",
                "%(count)s contact persons asked for an e-mail when this group has room. "
                "They get it now, not tomorrow. You can do this once a day.",
                subscribers,
            ) % {"count": subscribers}
        else:
            intro = ""
        context.update(refusal=error.message if error else "", subscribers=subscribers, intro=intro)
        return context


URLS = [
    path(
        "course-planning/alerts/",
        include(
            (
                [path("announce/<int:pk>/", AnnounceRoomView.as_view(), name="announce_room")],
                "booking_alerts",
            )
        ),
    )
]
