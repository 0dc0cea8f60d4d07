"""Template helpers that know the site's own pages (contact page), for any app's templates."""

from django import template
from django.utils.translation import get_language
from wagtail.models import Locale

from core.cache import SITE, cached_fragment
from home.models import ContactPage

register = template.Library()


@register.simple_tag(takes_context=True)
def contact_page_url(context):
    """The address of the 'put us in touch' page in the visitor's language ("" if none)."""
    request = context["request"]

    def find():
        page = ContactPage.objects.live().public().filter(locale=Locale.get_active()).first()
        return page.get_url(request) if page else ""

    return cached_fragment(request, "contact-page-url", [get_language()], find, depends=[SITE])
