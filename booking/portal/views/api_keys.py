"""Personal API keys (Wagtail's `APIToken`): make one, see when each was last used, switch
one off. The key itself is shown once, on the page that answers the POST, and never kept
anywhere else (not in a message, the session or a log)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from wagtail.models import APIToken

from booking.portal.forms import ApiKeyForm, ConfirmForm

from .base import PortalMixin

API_DOCS_URL = "/api/v1/docs"


class ApiKeysView(PortalMixin, TemplateView):
    template_name = "booking/portal/api_keys.html"
    portal_section = "api_keys"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ApiKeyForm())
        context = super().get_context_data(**kwargs)
        context.update(
            tokens=APIToken.objects.filter(user=self.request.user).order_by("-created", "-pk"),
            api_docs_url=API_DOCS_URL,
        )
        return context

    def post(self, request, *args, **kwargs):
        form = ApiKeyForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        token, key = APIToken.create_token(user=request.user, name=form.cleaned_data["name"])
        context = self.get_context_data(created_token=token, key=key)
        return self.response_class(
            request=request,
            template="booking/portal/api_key_created.html",
            context=context,
            using=self.template_engine,
        )


class RevokeApiKeyView(PortalMixin, TemplateView):
    template_name = "booking/portal/api_key_revoke.html"
    portal_section = "api_keys"

    def get_token(self):
        token = APIToken.objects.filter(user=self.request.user, pk=self.kwargs["pk"]).first()
        if token is None:
            raise Http404
        return token

    def get_context_data(self, **kwargs):
        return super().get_context_data(token=self.get_token(), form=ConfirmForm(), **kwargs)

    def post(self, request, *args, **kwargs):
        token = self.get_token()
        if token.revoked_at is None:
            token.revoke()
            messages.success(
                request,
                _(
                    "The key “%(name)s” no longer works. Programs that use it cannot get in "
                    "any more."
                )
                % {"name": token.name},
            )
        return redirect("portal:api_keys")
