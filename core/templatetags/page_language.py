"""`{% untranslated_original page as original %}`: the page an alias of an untranslated page
stands in for (core/locale.py), so templates can mark its text with the right language."""

from django import template

from core.locale import untranslated_original as _untranslated_original

register = template.Library()


@register.simple_tag
def untranslated_original(page):
    return _untranslated_original(page) if page is not None else None
