"""The trainers' pages on the public site, under "lesgeven/" ("teaching/").

Only words are translated (`pgettext_lazy("url", …)`); ids and tokens are not.
"""

from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import pgettext_lazy

from . import views

app_name = "trainers"


def _url(*parts):
    """A route from translated words and untranslated pieces such as `<int:pk>/`."""
    return format_lazy("{}" * len(parts), *parts)


SESSIONS = pgettext_lazy("url", "sessions/")
CALENDAR = pgettext_lazy("url", "calendar/")

urlpatterns = [
    path("", views.MySessionsView.as_view(), name="sessions"),
    path(_url(SESSIONS, "<int:pk>/"), views.SessionView.as_view(), name="session"),
    path(
        _url(SESSIONS, "<int:pk>/", pgettext_lazy("url", "note/")),
        views.SessionNoteView.as_view(),
        name="session_note",
    ),
    path(CALENDAR, views.CalendarView.as_view(), name="calendar"),
    path(
        _url(CALENDAR, pgettext_lazy("url", "renew/")),
        views.RenewCalendarView.as_view(),
        name="calendar_renew",
    ),
    path(_url(CALENDAR, "<str:token>.ics"), views.CalendarFeedView.as_view(), name="calendar_feed"),
]
