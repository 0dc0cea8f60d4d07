from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language
from wagtail.models import Locale, Page

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """One link per language for the switcher and the hreflang alternates.

    A page links to its own translation; where none is live, to that language's home page.
    Views that are not pages (search, feeds) translate their URL.
    """
    request = context["request"]
    page = context.get("page")
    current = get_language()
    translations = {}
    if isinstance(page, Page) and page.pk:
        for translation in page.get_translations(inclusive=True).live().select_related("locale"):
            translations[translation.locale.language_code] = translation.get_url(request)
    links = []
    for code, name in settings.LANGUAGES:
        if isinstance(page, Page) and page.pk:
            url = translations.get(code) or f"/{code}/"
            translated = code in translations
        else:
            url = translate_url(request.get_full_path(), code)
            translated = True
        links.append(
            {
                "code": code,
                "name": name,
                "url": url,
                "current": code == current,
                "translated": translated,
            }
        )
    return links


@register.simple_tag(takes_context=True)
def footer_links(context):
    """The footer pages from the site settings, in the visitor's language, in one query."""
    site_settings = context["settings"]["home"]["SiteSettings"]
    keys = [block.value.translation_key for block in site_settings.footer_links if block.value]
    if not keys:
        return []
    locale = Locale.get_active()
    pages = {
        p.translation_key: p
        for p in Page.objects.live().filter(translation_key__in=keys, locale=locale)
    }
    return [pages[key] for key in keys if key in pages]


@register.filter
def absolute_url(path, request):
    return request.build_absolute_uri(path)
