"""Reads of stories shared by the index, the home page, story pages and feeds.

Every function here issues a fixed number of queries, however many stories exist, so
pages built on them keep a constant query count.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from wagtail.models import Locale

from core.models import SearchDocument
from core.search import matching

from .models import STORY_MODELS, Theme


def _matching(model_q) -> Q:
    """Documents of stories whose specific model matches `model_q(model)`, whatever their type.

    Story models share an abstract base, so there is no common table to filter on; one
    subquery per story model keeps this a single SQL statement.
    """
    q = Q()
    for model in STORY_MODELS:
        q |= Q(page_id__in=model.objects.filter(model_q(model)).values("pk"))
    return q


def _content_type_ids(*models) -> list[int]:
    # Django keeps content types in memory once read: no query after the first.
    return [ct.pk for ct in ContentType.objects.get_for_models(*models).values()]


def story_pages(locale: Locale, *, index_page=None):
    """Live, public stories written in one language, newest first: their search documents
    (core.models.SearchDocument), which hold the date in an indexed column.

    Untranslated stories (aliases in the synchronised tree), drafts and private stories have
    no document: every list, feed and "read more" built on this shows a story only in the
    languages it was written in, to everyone who may see it. `index_page` narrows to the
    stories under one index.
    """
    documents = SearchDocument.objects.filter(
        locale=locale, content_type_id__in=_content_type_ids(*STORY_MODELS)
    )
    if index_page is not None:
        documents = documents.filter(
            page__path__startswith=index_page.path, page__depth=index_page.depth + 1
        )
    return documents.order_by("-date", "-page_id")


def filter_stories(
    documents, *, kind=None, theme=None, province=None, organisation=None, query=None, locale=None
):
    """Narrow the stories of `story_pages`; every given filter must hold (they combine with
    AND). `query` keeps the stories that contain every word (read in the language of
    `locale`), in the order they had."""
    if kind:
        documents = documents.filter(content_type_id__in=_content_type_ids(kind))
    if theme:
        documents = documents.filter(_matching(lambda model: Q(themes__slug=theme)))
    if province:
        documents = documents.filter(_matching(lambda model: Q(province=province)))
    if organisation:
        documents = documents.filter(_matching(lambda model: model.organisation_q(organisation)))
    if query:
        ordering = documents.query.order_by
        documents = matching(documents, query, locale.language_code).order_by(*ordering)
    return documents


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
        # A card shows no body: the StreamFields stay in the database.
        qs = (
            qs.defer_streamfields()
            .select_related("hero_image", "locale")
            .prefetch_related("themes", "hero_image__renditions")
        )
        found.update({page.pk: page for page in qs})
    stories = [found[pk] for pk in ids if pk in found]
    if stories:
        label_themes(stories, locale or stories[0].locale)
    return stories


def latest_stories(*, locale: Locale, exclude=(), limit=3):
    ids = story_pages(locale).exclude(page_id__in=exclude).values_list("page_id", flat=True)
    return story_cards(ids[:limit])


def related_stories(page, limit=3):
    """Stories of the same language that share a theme or the province with `page`."""
    theme_slugs = [theme.slug for theme in page.themes.all()]
    model_q = Q(themes__slug__in=theme_slugs)
    if page.province:
        model_q |= Q(province=page.province)
    q = _matching(lambda model: model_q)
    ids = story_pages(page.locale).exclude(page_id=page.pk).filter(q)
    return story_cards(ids.values_list("page_id", flat=True)[:limit])
