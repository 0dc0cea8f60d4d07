"""Wagtail's own password-reset page, sent to ours.

Wagtail's page sends its mail in the request, has no rate limit and answers faster for an
unknown address. Everyone, staff too, resets a password on the public page instead.
"""

from django.urls import path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="accounts:password_reset")),
]
