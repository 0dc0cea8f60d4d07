"""Signing in, signing out, password reset and invitations for contact persons."""

from django.urls import include, path
from django.utils.translation import pgettext_lazy

from . import views

app_name = "accounts"

urlpatterns = [
    path(pgettext_lazy("url", "login/"), views.LoginView.as_view(), name="login"),
    path(pgettext_lazy("url", "logout/"), views.LogoutView.as_view(), name="logout"),
    path(
        pgettext_lazy("url", "password/"),
        include(
            [
                path("", views.PasswordResetView.as_view(), name="password_reset"),
                path(
                    pgettext_lazy("url", "sent/"),
                    views.PasswordResetDoneView.as_view(),
                    name="password_reset_done",
                ),
                path(
                    "<uidb64>/<token>/",
                    views.PasswordResetConfirmView.as_view(),
                    name="password_reset_confirm",
                ),
                path(
                    pgettext_lazy("url", "changed/"),
                    views.PasswordResetCompleteView.as_view(),
                    name="password_reset_complete",
                ),
            ]
        ),
    ),
    path(
        pgettext_lazy("url", "invitation/"),
        include([path("<uidb64>/<token>/", views.InvitationView.as_view(), name="invitation")]),
    ),
]
