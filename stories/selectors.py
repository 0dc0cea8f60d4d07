"""Reads of stories shared by the index, the home page, story pages and feeds.

Every function here issues a fixed number of queries, however many stories exist, so
pages built on them keep a constant query count.
"""

from django.db.models import F, Q
from django.db.models.functions import Coalesce
from wagtail.models import Locale, Page

from core.locale import real_pages

from .models import STORY_MODELS, Theme


def _matching(model_q) -> Q:
    """Pages whose specific story model matches `model_q(model)`, whatever their type.

    Story models share an abstract base, so there is no common table to filter on; one
    subquery per story model keeps this a single SQL statement.
    """
    q = Q()
    for model in STORY_MODELS:
        q |= Q(pk__in=model.objects.filter(model_q(model)).values("pk"))
    return q


def story_pages(locale: Locale):
    """Live, public stories written in one language, newest first, as a plain Page queryset.

    Untranslated stories (aliases in the synchronised tree) are left out: every list, feed and
    "read more" built on this shows a story only in the languages it was written in.
    """
    story_date = Coalesce(*[F(f"{model._meta.model_name}__date") for model in STORY_MODELS])
    return (
        real_pages(Page.objects.live().public())
        .type(*STORY_MODELS)
        .filter(locale=locale)
        .annotate(story_date=story_date)
        .order_by("-story_date", "-pk")
    )


def filter_stories(pages, *, kind=None, theme=None, province=None, organisation=None, ids=None):
    """Narrow a story queryset; every given filter must hold (they combine with AND)."""
    if kind:
        pages = pages.type(kind)
    if theme:
        pages = pages.filter(_matching(lambda model: Q(themes__slug=theme)))
    if province:
        pages = pages.filter(_matching(lambda model: Q(province=province)))
    if organisation:
        pages = pages.filter(_matching(lambda model: model.organisation_q(organisation)))
    if ids is not None:
        pages = pages.filter(pk__in=ids)
    return pages


def search_story_ids(query: str, locale: Locale) -> list[int]:
    """Ids of the stories written in `locale` that match every word of `query`."""
    ids = []
    for model in STORY_MODELS:
        # The search index can only filter on declared fields; an alias is dropped here.
        results = model.objects.live().filter(locale=locale).search(query, operator="and")
        ids.extend(page.pk for page in results if page.alias_of_id is None)
    return ids


def theme_labels(locale: Locale) -> dict[str, str]:
    """Theme names in the given language, by slug (slugs are the same in every language)."""
    return dict(Theme.objects.filter(locale=locale).values_list("slug", "name"))


def label_themes(stories, locale):
    """Give each story `theme_list`: (slug, label) pairs in the language of `locale`."""
    labels = theme_labels(locale)
    for story in stories:
        story.theme_list = [
            (theme.slug, labels.get(theme.slug, theme.name)) for theme in story.themes.all()
        ]


def story_cards(ids, *, live_only=True, locale=None):
    """The specific story pages for `ids`, in that order, ready to show as cards.

    Each story gets `theme_list`: (slug, label) pairs in the story's language.
    """
    ids = list(ids)
    if not ids:
        return []
    found = {}
    for model in STORY_MODELS:
        qs = model.objects.filter(pk__in=ids)
        if live_only:
            qs = qs.live()
        qs = qs.select_related("hero_image", "locale").prefetch_related(
            "themes", "hero_image__renditions"
        )
        found.update({page.pk: page for page in qs})
    stories = [found[pk] for pk in ids if pk in found]
    if stories:
        label_themes(stories, locale or stories[0].locale)
    return stories


def latest_stories(*, locale: Locale, exclude=(), limit=3):
    ids = story_pages(locale).exclude(pk__in=exclude).values_list("pk", flat=True)[:limit]
    return story_cards(ids)


def related_stories(page, limit=3):
    """Stories of the same language that share a theme or the province with `page`."""
    theme_slugs = [theme.slug for theme in page.themes.all()]
    model_q = Q(themes__slug__in=theme_slugs)
    if page.province:
        model_q |= Q(province=page.province)
    q = _matching(lambda model: model_q)
    ids = (
        story_pages(page.locale).exclude(pk=page.pk).filter(q).values_list("pk", flat=True)[:limit]
    )
    return story_cards(ids)
