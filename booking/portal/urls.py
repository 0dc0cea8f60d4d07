"""The contact persons' portal on the public site: bookings, calendar and API keys.

Only words are translated (`pgettext_lazy("url", …)`); ids, tokens and file names are not,
so translators never see a path converter.
"""

from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import pgettext_lazy

from .views import (
    alerts,
    api_keys,
    bookings,
    calendar,
    certificates,
    groups,
    holds,
    intake,
    next_step,
    webhooks,
)

app_name = "portal"


def _url(*parts):
    """A route from translated words and untranslated pieces such as `<int:pk>/`."""
    return format_lazy("{}" * len(parts), *parts)


GROUPS = pgettext_lazy("url", "groups/")
BOOKINGS = pgettext_lazy("url", "bookings/")
SEATS = pgettext_lazy("url", "seats/")
CALENDAR = pgettext_lazy("url", "calendar/")
API_KEYS = pgettext_lazy("url", "api-keys/")
CANCEL = pgettext_lazy("url", "cancel/")
ALERTS = pgettext_lazy("url", "alerts/")
INTAKE = pgettext_lazy("url", "intake/")
WEBHOOKS = pgettext_lazy("url", "webhooks/")

urlpatterns = [
    path("", bookings.OverviewView.as_view(), name="overview"),
    path(GROUPS, groups.FindGroupsView.as_view(), name="find_groups"),
    path(
        _url(GROUPS, "<int:group_id>/", pgettext_lazy("url", "reserve/")),
        groups.ReserveView.as_view(),
        name="reserve",
    ),
    path(
        _url(pgettext_lazy("url", "held-seats/"), "<int:pk>/", pgettext_lazy("url", "give-back/")),
        holds.ReleaseHoldView.as_view(),
        name="hold_release",
    ),
    path(_url(BOOKINGS, "<int:pk>/"), bookings.BookingView.as_view(), name="booking"),
    path(
        _url(BOOKINGS, "<int:pk>/", CANCEL),
        bookings.CancelBookingView.as_view(),
        name="booking_cancel",
    ),
    path(
        _url(BOOKINGS, "<int:pk>/calendar.ics"),
        bookings.BookingCalendarView.as_view(),
        name="booking_calendar",
    ),
    path(
        _url(SEATS, "<int:pk>/", pgettext_lazy("url", "edit/")),
        bookings.EditSeatView.as_view(),
        name="seat_edit",
    ),
    path(_url(SEATS, "<int:pk>/", CANCEL), bookings.CancelSeatView.as_view(), name="seat_cancel"),
    path(
        _url(SEATS, "<int:pk>/", pgettext_lazy("url", "move/")),
        bookings.MoveSeatView.as_view(),
        name="seat_move",
    ),
    path(INTAKE, intake.IntakeView.as_view(), name="intake"),
    path(_url(SEATS, "<int:pk>/", INTAKE), intake.SeatIntakeView.as_view(), name="seat_intake"),
    path(
        _url(SEATS, "<int:pk>/", pgettext_lazy("url", "certificate/")),
        certificates.CertificateView.as_view(),
        name="seat_certificate",
    ),
    path(
        _url(SEATS, "<int:pk>/", pgettext_lazy("url", "next-step/")),
        next_step.BookNextStepView.as_view(),
        name="seat_next_step",
    ),
    path(CALENDAR, calendar.CalendarView.as_view(), name="calendar"),
    path(
        _url(CALENDAR, pgettext_lazy("url", "renew/")),
        calendar.RenewCalendarView.as_view(),
        name="calendar_renew",
    ),
    path(
        _url(CALENDAR, "<str:token>.ics"), calendar.CalendarFeedView.as_view(), name="calendar_feed"
    ),
    path(API_KEYS, api_keys.ApiKeysView.as_view(), name="api_keys"),
    path(
        _url(API_KEYS, "<int:pk>/", pgettext_lazy("url", "revoke/")),
        api_keys.RevokeApiKeyView.as_view(),
        name="api_key_revoke",
    ),
    path(WEBHOOKS, webhooks.WebhooksView.as_view(), name="webhooks"),
    path(_url(WEBHOOKS, "<int:pk>/"), webhooks.WebhookView.as_view(), name="webhook"),
    path(
        _url(WEBHOOKS, "<int:pk>/", pgettext_lazy("url", "new-secret/")),
        webhooks.RotateWebhookSecretView.as_view(),
        name="webhook_rotate",
    ),
    path(
        _url(WEBHOOKS, "<int:pk>/", pgettext_lazy("url", "delete/")),
        webhooks.DeleteWebhookView.as_view(),
        name="webhook_delete",
    ),
    path(ALERTS, alerts.AlertsView.as_view(), name="alerts"),
    path(
        _url(ALERTS, "<int:pk>/", pgettext_lazy("url", "stop/")),
        alerts.StopAlertView.as_view(),
        name="alert_stop",
    ),
    # No login: the link in every alert e-mail, with the subscription's secret token.
    path(
        _url(ALERTS, pgettext_lazy("url", "unsubscribe/"), "<slug:token>/"),
        alerts.UnsubscribeView.as_view(),
        name="alert_unsubscribe",
    ),
]
