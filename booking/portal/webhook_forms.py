"""The portal's webhook form: the address is checked (form and where it leads) by
booking/webhooks.py, whose refusal becomes the field's error."""

from django import forms
from django.utils.translation import gettext_lazy as _

from booking import webhooks
from booking.models.webhooks import MAX_DESCRIPTION_LENGTH


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=_("Address of your system"),
        # No maximum in the page: the check names the maximum and the length typed.
        strip=True,
        widget=forms.URLInput(attrs={"autocomplete": "url", "spellcheck": "false"}),
        help_text=_("It starts with https://, for example https://hr.example.nl/leerplein."),
        error_messages={"required": _("Fill in the address of your system.")},
    )
    description = forms.CharField(
        label=_("Description (optional)"),
        required=False,
        max_length=MAX_DESCRIPTION_LENGTH,
        help_text=_("So you know later what it is for, e.g. “AFAS test environment”."),
    )

    def clean_url(self):
        try:
            return webhooks.check_url(self.cleaned_data["url"])
        except webhooks.AddressNotAllowed as error:
            raise forms.ValidationError(error.message) from error
