"""Hostile input stopped at the door: control characters in addresses, names without a letter.

PostgreSQL refuses a NUL byte in text with an error, so a NUL that reaches a query turns into a
500. Rather than guard every view, the middleware below refuses an address (path or query
string) that carries a control character before any view, cache or database sees it. Form
fields refuse NUL themselves (Django's CharField) and the API's text fields strip control
characters (booking/api/schemas.py).
"""

import re
import unicodedata
from urllib.parse import unquote_to_bytes

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.error_pages import CANNOT_READ, plain_page

# C0 control characters and DEL, except tab, line feed and carriage return, which are harmless
# in text. In an address even those have no business, but a browser never sends them there
# unencoded, and refusing them gains nothing.
CONTROL_CHARACTERS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

NO_LETTER = _("A name needs at least one letter. Leave it empty if you do not know the name.")
BAD_ADDRESS = _("This address contains characters that do not belong in a web address.")
BAD_ADDRESS_NEXT = _("Check the address, or go to the home page and search from there.")


def has_control_characters(value: str, *, encoded: bool = False) -> bool:
    """True when `value` (percent-decoded first if `encoded`) contains a control character
    other than tab or a line break."""
    raw = value.encode("latin-1", "replace")
    return bool(CONTROL_CHARACTERS.search(unquote_to_bytes(raw) if encoded else raw))


class ControlCharacterMiddleware:
    """Answers 400 to a path or query string with a control character, in the visitor's
    language, and drops cookies that carry one (a cookie is not the visitor's to fix).

    Placed first, so a cached page, a redirect or a session lookup never meets the value. For
    the API the answer carries `error_code` and `error_detail`, which the API's own middleware
    (booking/api/errors.py) turns into its JSON error shape.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The server has percent-decoded the path already; the query string is still raw.
        path = request.META.get("PATH_INFO", "")
        query = request.META.get("QUERY_STRING", "")
        if has_control_characters(path) or has_control_characters(query, encoded=True):
            return self.refuse(request)
        for name, value in list(request.COOKIES.items()):
            if has_control_characters(name + value):
                del request.COOKIES[name]
        return self.get_response(request)

    def refuse(self, request) -> HttpResponse:
        # The path itself is not trusted: only its first part chooses the language.
        response = plain_page(
            request,
            "400.html",
            status=400,
            heading=CANNOT_READ,
            message=BAD_ADDRESS,
            next_step=BAD_ADDRESS_NEXT,
        )
        response.error_code = "control_characters"
        with translation.override(response["Content-Language"]):
            response.error_detail = f"{BAD_ADDRESS} {BAD_ADDRESS_NEXT}"
        return response


def has_visible_letter(value: str) -> bool:
    return any(unicodedata.category(character).startswith("L") for character in value)


def validate_name(value: str) -> None:
    """A name (or initials) must contain at least one letter: a name of only spaces,
    punctuation or invisible characters (zero-width space, say) names nobody. Empty is left to
    the field's `required`."""
    if value and not has_visible_letter(value):
        raise ValidationError(NO_LETTER, code="no_letter")


class NameField(forms.CharField):
    """A name or initials: checked as typed, then stored without surrounding spaces.

    A plain CharField strips first, so a name of only spaces (non-breaking ones too) would
    arrive as "no name" and be saved without a word. Someone who typed something meant a name;
    telling them it has no letter is kinder than silently dropping it.
    """

    def __init__(self, **kwargs):
        kwargs["strip"] = False
        super().__init__(**kwargs)
        self.validators.append(validate_name)

    def clean(self, value):
        return super().clean(value).strip()
