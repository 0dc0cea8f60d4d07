"""Signing in and out, choosing a password after a reset or an invitation, and the lockout
page. Django's auth views do the work; these add our templates, forms and never-cache."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from booking.roles import company_of, trains_for
from core.throttle import client_ip

from .forms import LoginForm, NewPasswordForm, PasswordResetRequestForm
from .lockout import clear_lockout, reset_request_allowed
from .tasks import send_reset_links
from .tokens import invitation_tokens

BACKEND = "booking.accounts.backends.UsernameOrEmailBackend"


def home_of(user) -> str:
    """Where someone goes after logging in without a `next`: contact persons to the portal,
    trainers and volunteers to their sessions, staff who work in the admin (coordinators,
    editors) to the admin."""
    if trains_for(user) is not None:
        return reverse("trainers:sessions")
    if company_of(user) is None and user.has_perm("wagtailadmin.access_admin"):
        return reverse("wagtailadmin_home")
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@method_decorator(never_cache, name="dispatch")
class LoginView(auth_views.LoginView):
    """No self-registration: the page points to the contact page for an account."""

    template_name = "booking/accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return home_of(self.request.user)


@method_decorator(never_cache, name="dispatch")
class LogoutView(auth_views.LogoutView):
    """POST only (Django answers a GET with 405), so a link or an image cannot log anyone out."""

    template_name = "booking/accounts/logged_out.html"


@method_decorator(never_cache, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """The same answer for every address, and for too many requests: the 'check your
    e-mail' page. Known and unknown addresses do the same work here (one query, one task), so
    the time of the answer does not tell whether an address has an account."""

    template_name = "booking/accounts/password_reset_form.html"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if reset_request_allowed(email, client_ip(self.request)):
            user_ids = [user.pk for user in form.get_users(email)]
            send_reset_links.enqueue(user_ids=user_ids, language=get_language())
        return HttpResponseRedirect(self.get_success_url())


@method_decorator(never_cache, name="dispatch")
class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "booking/accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a new password from the link in the e-mail (Django adds never_cache)."""

    template_name = "booking/accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever can read the mailbox is the owner: every lockout of their account ends here.
        clear_lockout(self.user.get_username())
        return response


@method_decorator(never_cache, name="dispatch")
class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "booking/accounts/password_reset_complete.html"


class InvitationView(auth_views.PasswordResetConfirmView):
    """An invited contact person chooses a password, is logged in and goes to the portal.

    The link works once and for INVITATION_VALID_DAYS; after that the page says so and
    offers the password-reset page.
    """

    template_name = "booking/accounts/invitation.html"
    form_class = NewPasswordForm
    token_generator = invitation_tokens
    post_reset_login = True
    post_reset_login_backend = BACKEND

    def get_success_url(self):
        return home_of(self.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["invitee"] = self.user if context.get("validlink") else None
        context["organisation"] = company_of(self.user) if context["invitee"] else None
        return context


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a page in the visitor's language that says what happened, for
    how long, and what to do. A lock of the account itself (many addresses) lasts the
    ceiling's window; a lock of this account from this address lasts the cool-off time."""
    account = getattr(request, "lockout_reason", "pair") == "account"
    duration = settings.LOGIN_ACCOUNT_FAILURE_WINDOW if account else settings.AXES_COOLOFF_TIME
    minutes = int(duration.total_seconds() // 60)
    response = render(
        request,
        "booking/accounts/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes, "account": account},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(minutes * 60)
    add_never_cache_headers(response)
    return response
