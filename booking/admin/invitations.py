"""'Invite a contact person' in the Cursusplanning menu: coordinators and superusers make an
account for someone at an SW company or a referral partner, who gets an e-mail to choose a
password."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from booking.accounts.invitations import invite_contact_person
from booking.models import Organisation
from booking.models.organisations import SENDING_KINDS
from core.input import NameField

from .audit import PlannerMenuItem, PlannerRequiredMixin


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("The invitation goes to this address. It is also how they log in."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    first_name = NameField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.filter(kind__in=SENDING_KINDS),
        help_text=_("The SW company or referral partner they reserve seats for."),
    )
    language = forms.ChoiceField(
        label=_("Language of the e-mails"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
    )


class InviteContactPersonView(PlannerRequiredMixin, WagtailAdminTemplateMixin, FormView):
    """The form; a refusal (address in use, not an organisation that sends learners) shows on
    the form and changes nothing."""

    template_name = "booking/accounts/admin/invite.html"
    form_class = InvitationForm
    page_title = _("Invite a contact person")
    header_icon = "mail"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            action_url=reverse("booking_invitations:invite"),
            valid_days=settings.INVITATION_VALID_DAYS,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            invitation = invite_contact_person(**form.cleaned_data, invited_by=self.request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        user = invitation.user
        if invitation.delivered:
            messages.success(
                self.request,
                gettext("We have sent the invitation to %(email)s. The link works until %(date)s.")
                % {
                    "email": user.email,
                    "date": date_format(invitation.valid_until, "DATETIME_FORMAT"),
                },
            )
        else:
            messages.warning(
                self.request,
                gettext(
                    "The account for %(email)s is ready, but the e-mail could not be sent yet. "
                    "We will try again later."
                )
                % {"email": user.email},
            )
        return redirect("booking_invitations:invite")

    def form_invalid(self, form):
        messages.error(self.request, gettext("The invitation was not sent. Please check the form."))
        return super().form_invalid(form)


class InvitationViewSet(ViewSet):
    name = "booking_invitations"
    url_prefix = "course-planning/invite"
    icon = "mail"
    menu_label = _("Invite a contact person")
    menu_order = 230
    menu_item_class = PlannerMenuItem

    def get_urlpatterns(self):
        return [path("", InviteContactPersonView.as_view(), name="invite")]


VIEWSETS = [InvitationViewSet()]
