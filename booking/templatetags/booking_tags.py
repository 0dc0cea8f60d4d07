"""Template helpers for the public course pages and the contact persons' portal."""

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


def _shows_other_language():
    return get_language() != settings.LANGUAGE_CODE


@register.filter
def dutch(value):
    """Names and notes are entered in Dutch only; on a page in another language, screen
    readers need `lang` to pronounce them, so the text is wrapped in a span that says so."""
    if not _shows_other_language():
        return conditional_escape(value)
    return format_html('<span lang="{}">{}</span>', settings.LANGUAGE_CODE, value)


@register.simple_tag
def dutch_lang():
    """The `lang` attribute for an element holding Dutch-only text, where it is needed."""
    if not _shows_other_language():
        return ""
    return mark_safe(f' lang="{settings.LANGUAGE_CODE}"')  # noqa: S308 - a setting, no input


@register.simple_tag
def booking_window(group):
    """Where a group's reservation period stands now: "open", "later" or "over"."""
    now = timezone.now()
    if group.is_booking_window_open(now):
        return "open"
    return "later" if now < group.booking_opens_at else "over"


@register.filter
def tel_href(phone):
    """A `tel:` link for a phone number as people write it, e.g. "0182 123 456"."""
    digits = "".join(char for char in str(phone) if char.isdigit() or char == "+")
    return f"tel:{digits}"


@register.simple_tag
def portal_groups_url(course=None):
    """The portal's "find a group" page, showing the groups of `course` (a course page in
    any language). The same link for everyone: visitors who are not signed in are asked to
    sign in first and then come back here."""
    url = reverse("portal:find_groups")
    if course is None or not getattr(course, "pk", None):
        return url
    return f"{url}?{urlencode({'course': course.pk})}"
