"""English versions of demo pages and snippets, made the way editors make them: with
wagtail-localize.

For each Dutch object we create its TranslationSource and Translation, store an English
StringTranslation for every string wagtail-localize extracted, and let `save_target` write the
English object. The result is an ordinary wagtail-localize translation: editors see it in the
translation editor, and "Sync translated pages" keeps working after they change the Dutch page.
"""

import json

from django.db import transaction
from wagtail.models import Page
from wagtail_localize.models import (
    OverridableSegment,
    SegmentOverride,
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)

# Field paths (as wagtail-localize names them) that hold a link to another page. wagtail-localize
# copies such links unchanged; we point the English version at the English page instead.
PAGE_LINK_FIELD_PATHS = {"cta_page", "body.call_to_action.page"}


class MissingTranslationsError(Exception):
    """The content has no English text for some Dutch strings; names the first few."""

    def __init__(self, instance, strings):
        sample = "; ".join(repr(text[:50]) for text in strings[:3])
        super().__init__(f"No English text for {len(strings)} string(s) of {instance}: {sample}")


def existing_translation(instance, locale):
    """The real (not alias) translation of `instance` into `locale`, or None."""
    queryset = instance.get_translations().filter(locale=locale)
    if isinstance(instance, Page):
        queryset = queryset.filter(alias_of__isnull=True)
    return queryset.first()


def translate_snippet(instance, english: dict[str, str], locale):
    """Translate a snippet (e.g. a Theme) unless a translation exists. Returns (object, created)."""
    found = existing_translation(instance, locale)
    if found:
        return found, False
    translation = _prepare(instance, english, locale)
    translation.save_target(publish=True)
    return translation.get_target_instance(), True


def translate_page(page, english: dict[str, str], locale, *, publish=True):
    """Translate and publish a page unless a live, real translation exists.

    With `publish=False` the translation is kept as a draft; a later call publishes it. That is
    how the home page is done: its children need the English home page to exist, and its link
    to the contact page can only point at the English contact page once that exists.
    Returns (English page, created or updated).
    """
    found = existing_translation(page, locale)
    if found and found.live:
        return found.specific, False
    translation = _prepare(page, english, locale)
    _link_translated_pages(translation.source, locale)
    translation.save_target(publish=False)
    target = translation.get_target_instance().specific
    if publish:
        target.get_latest_revision().publish()
    return target, True


@transaction.atomic
def _prepare(instance, english, locale):
    """Source, translation record and the English strings for every extracted Dutch string."""
    source, _created = TranslationSource.update_or_create_from_instance(instance)
    translation, _created = Translation.objects.get_or_create(source=source, target_locale=locale)
    segments = StringSegment.objects.filter(source=source).select_related("string", "context")
    missing = [s.string.data for s in segments if s.string.data not in english]
    if missing:
        raise MissingTranslationsError(instance, missing)
    for segment in segments:
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=locale,
            context=segment.context,
            defaults={
                "data": english[segment.string.data],
                "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                "has_error": False,
                "field_error": "",
            },
        )
    return translation


def _link_translated_pages(source, locale):
    """Override page links in the source so the translation links to translated pages."""
    segments = OverridableSegment.objects.filter(source=source).select_related("context")
    for segment in segments:
        if segment.context.field_path not in PAGE_LINK_FIELD_PATHS:
            continue
        linked = Page.objects.filter(pk=segment.data).first()
        translated = linked and existing_translation(linked, locale)
        if translated:
            SegmentOverride.objects.update_or_create(
                locale=locale,
                context=segment.context,
                defaults={"data_json": json.dumps(translated.pk)},
            )
