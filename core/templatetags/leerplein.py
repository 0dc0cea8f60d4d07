import datetime
import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import translate_url
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info
from wagtail.models import Locale, Page

from core.cache import SITE, cached_fragment, depends_on, render_fragment
from core.locale import real_pages
from core.site_url import absolute_url

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
    if isinstance(page, Page) and page.pk:
        links = cached_fragment(
            request,
            "language-links",
            [page.pk],
            lambda: _language_links(request, page),
            depends=[page],
        )
    else:
        links = _language_links(request, None)
    return [{**link, "current": link["code"] == current} for link in links]


def _language_links(request, page):
    is_page = page is not None
    translations = {}
    if is_page:
        pages = real_pages(page.get_translations(inclusive=True).live()).select_related("locale")
        for translation in pages:
            translations[translation.locale.language_code] = translation
    links = []
    for code, _name in settings.LANGUAGES:
        name = get_language_info(code)["name_local"]
        if is_page and code in translations:
            url = translations[code].get_url(request)
            full_url = translations[code].get_full_url(request)
        else:
            url = f"/{code}/" if is_page else translate_url(request.get_full_path(), code)
            full_url = absolute_url(url)
        links.append(
            {
                "code": code,
                "name": name,
                "url": url,
                "full_url": full_url,
                "translated": not is_page or code in translations,
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


@register.simple_tag(takes_context=True)
def main_menu(context):
    """Pages marked 'show in menus' directly below the home page of the visitor's language."""
    request = context["request"]

    def menu():
        pages = (
            Page.objects.live()
            .in_menu()
            .filter(depth=3, locale=Locale.get_active())
            .order_by("path")
            .only("title", "url_path", "path", "depth", "locale_id")
        )
        return [(page.title, page.get_url(request)) for page in pages]

    items = cached_fragment(request, "main-menu", [get_language()], menu, depends=[SITE])
    return [
        {"title": title, "url": url, "active": request.path.startswith(url)} for title, url in items
    ]


@register.simple_tag(takes_context=True)
def cache_depends_on(context, *items):
    """Record that the page (and the fragment around this tag) shows these pages or lists,
    so that a change to one of them refreshes it (core/cache.py)."""
    depends_on(context.get("request"), *items)
    return ""


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, parts, declared):
        self.nodelist, self.name, self.parts, self.declared = nodelist, name, parts, declared

    def render(self, context):
        request = context.get("request")
        # A preview shows a draft: never the cached live text, and never cached for others.
        if request is None or getattr(request, "is_preview", False):
            return self.nodelist.render(context)
        name = self.name.resolve(context)
        parts = [get_language(), *(part.resolve(context) for part in self.parts)]
        declared = [item.resolve(context) for item in self.declared]
        return render_fragment(
            request, name, parts, declared, lambda: self.nodelist.render(context)
        )


@register.tag("fragment")
def fragment(parser, token):
    """`{% fragment "name" vary_on... depends page "site"... %}...{% endfragment %}`

    A piece of template kept in the cache until a page or list it depends on changes: those
    named after `depends`, and those recorded while it renders (`cache_depends_on`, the menu).
    The variants differ by language and by the `vary_on` values.
    """
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("fragment needs a name")
    if "depends" in bits:
        at = bits.index("depends")
        vary, declared = bits[1:at], bits[at + 1 :]
    else:
        vary, declared = bits[1:], []
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(
        nodelist,
        parser.compile_filter(bits[0]),
        [parser.compile_filter(bit) for bit in vary],
        [parser.compile_filter(bit) for bit in declared],
    )


@register.simple_tag
def json_ld(data):
    """A JSON-LD block; escaping <, > and & keeps text from closing the script element."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        payload = payload.replace(char, escaped)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # noqa: S308


@register.simple_tag
def described_widget(field):
    """The field's widget, pointing screen readers at its help text and its errors."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    attrs = {"aria-describedby": " ".join(ids)} if ids else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter(name="absolute_url")
def absolute_url_filter(path):
    """`path` on SITE_URL, whatever host the request came in on."""
    return absolute_url(path)


@register.filter
def error_items(form) -> list[dict]:
    """What a form's error summary lists: each error, with the id of the field it is about
    ("" for errors about the whole form). A form that lays out its fields in its own way
    names them with `field_error_label(name, field)`, e.g. "Seat 2, first name"."""
    label = getattr(form, "field_error_label", lambda name, field: field.label)
    items = [{"anchor": "", "text": str(error)} for error in form.non_field_errors()]
    for bound in form.visible_fields():
        for error in bound.errors:
            text = f"{label(bound.name, bound.field)}: {error}"
            items.append({"anchor": bound.id_for_label, "text": text})
    return items


@register.filter
def html_datetime(value) -> str:
    """A date or moment as the `datetime` attribute of `<time>` wants it.

    HTML allows at most three digits of a second's fraction, and `date:'c'` writes the six of
    a database timestamp; whole seconds are all a reader needs. A moment with a time zone is
    written in the site's zone with its offset (`2026-03-04T09:30:00+01:00`).
    """
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return ""
