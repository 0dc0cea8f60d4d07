"""What each change refreshes in the page cache (core/cache.py) and the front-end cache.

The one place that says which cached pages a change touches. Pages and fragments record the
pages they show; here the lists are named that pages of a type show, and each change bumps
exactly the dependencies it affects, after the database commit:

- a page published, unpublished, moved or deleted: the page in every language, its parent
  (the index listing it), the list its type belongs to (a story: the stories on the home
  page, index and feeds; a course: the courses on the home page), search (`pages`), the
  sitemap sections that list it or a page below it (home/sitemap.py) and the menu and footer
  (`site`) when the page is in them;
- a view restriction added, changed or removed: as if the branch behind it was published
  or unpublished (its pages, the lists, search and sitemap sections that show them);
- a theme or organisation saved or deleted: the pages that use it (Wagtail's reference index,
  plus the many-to-many fields the index does not follow, wagtail#9629) and the story lists
  (their cards and filters name themes and organisations);
- site settings: `site`. The footer they fill is on every page, so every page is refreshed;
  site settings change a few times a year;
- course groups: booking/invalidation.py, called by the booking services.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save, pre_delete
from django.urls import reverse
from django.utils import translation
from modelcluster.fields import ParentalManyToManyField
from wagtail.models import Page, PageViewRestriction, ReferenceIndex, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from booking.models import CourseIndexPage, CoursePage, Organisation
from core.cache import (
    COURSES,
    EVERY_PAGE,
    SITE,
    STORIES,
    page_key,
    refresh,
    register_dependencies,
)
from core.search import index_pages
from stories.models import STORY_MODELS, StoryIndexPage, Theme

from . import sitemap
from .models import HomePage, SiteSettings

register_dependencies(page_types=[HomePage], names=[STORIES, COURSES])
register_dependencies(page_types=[StoryIndexPage], names=[STORIES])
register_dependencies(url_names=["stories_rss", "stories_atom"], names=[STORIES])
register_dependencies(url_names=["search"], names=[EVERY_PAGE])
# The index names every section; a section records its own (home/sitemap.py), so one publish
# leaves the sections of other languages and kinds alone.
register_dependencies(url_names=["sitemap"], names=sitemap.SECTION_DEPENDENCIES)
register_dependencies(url_names=["sitemap_section"], names=())

# The list a page of this type appears in, and the pages that show that list.
LIST_OF_TYPE = {**dict.fromkeys(STORY_MODELS, STORIES), CoursePage: COURSES}
PAGES_SHOWING_LIST = {
    STORIES: (HomePage, StoryIndexPage),
    COURSES: (HomePage, CourseIndexPage),
}
FEEDS = ("stories_rss", "stories_atom")


def _purging() -> bool:
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def _page_urls(pages) -> set[str]:
    """Full URLs of these pages in every language (live translations and the pages given)."""
    keys = {page.translation_key for page in pages}
    urls = {page.get_full_url() for page in pages}
    urls |= {page.get_full_url() for page in Page.objects.live().filter(translation_key__in=keys)}
    return {url for url in urls if url}


def _list_urls(names) -> set[str]:
    if SITE in names:
        return {page.get_full_url() for page in Page.objects.live()} - {None}
    types = {page_type for name in names for page_type in PAGES_SHOWING_LIST.get(name, ())}
    urls = _page_urls(Page.objects.live().type(*types)) if types else set()
    root = Site.objects.get(is_default_site=True).root_url
    for code, _name in settings.LANGUAGES if STORIES in names else ():
        with translation.override(code):
            urls |= {root + reverse(name) for name in FEEDS}
    if EVERY_PAGE in names:
        urls.add(root + reverse("sitemap"))
    urls |= sitemap.section_urls(root, names)
    return urls


def _refresh(names, pages=()):
    """Bump `names` and purge the URLs that show them (core.cache.refresh)."""
    names = set(names)
    refresh(names, urls=_page_urls(pages) | _list_urls(names) if _purging() else ())


def _footer_keys() -> set:
    keys = set()
    for site_settings in SiteSettings.objects.all():
        keys |= {block.value.translation_key for block in site_settings.footer_links if block.value}
    return keys


def _page_names(page, *, moved_from=None) -> set[str]:
    names = {page_key(page), EVERY_PAGE}
    names |= sitemap.dependencies_of(page, also_under=[moved_from])
    page_type = page.specific_class
    if page_type in LIST_OF_TYPE:
        names.add(LIST_OF_TYPE[page_type])
    if page.depth <= 3 or page.show_in_menus or page.translation_key in _footer_keys():
        names.add(SITE)
    return names


def page_changed(sender, instance, **kwargs):
    """Published or unpublished: the page, its parent and the lists that show it."""
    parent = instance.get_parent() if instance.depth > 1 else None
    pages = [instance, parent] if parent else [instance]
    _refresh(_page_names(instance) | {page_key(page) for page in pages}, pages)


def page_moved(sender, instance, parent_page_before, parent_page_after, **kwargs):
    """Moved: the page and everything below it have new URLs; both parents list it or not."""
    moved = list(Page.objects.descendant_of(instance, inclusive=True))
    pages = [*moved, parent_page_before, parent_page_after]
    names = _page_names(instance, moved_from=parent_page_before)
    _refresh(names | {page_key(page) for page in pages}, pages)


def page_deleted(sender, instance, **kwargs):
    # Before the delete: afterwards the parent and the translations may be gone too.
    page_changed(sender, instance)


def _pages_using(objects) -> list[Page]:
    """Pages that refer to one of `objects` (of one model): the reference index, and the
    ParentalManyToManyFields it does not index."""
    model = type(objects[0])
    page_type = ContentType.objects.get_for_model(Page)
    ids = set(
        ReferenceIndex.get_references_to_in_bulk(objects)
        .filter(base_content_type=page_type)
        .values_list("object_id", flat=True)
    )
    for page_model in STORY_MODELS:
        for field in page_model._meta.get_fields():
            if isinstance(field, ParentalManyToManyField) and field.related_model is model:
                ids |= {
                    str(pk)
                    for pk in page_model.objects.filter(
                        **{f"{field.name}__in": objects}
                    ).values_list("pk", flat=True)
                }
    return list(Page.objects.filter(pk__in=[int(pk) for pk in ids]))


def snippet_changed(sender, instance, **kwargs):
    """A theme or organisation: the pages that use it and the story lists (cards, filters)."""
    # Themes with the same slug are one theme in several languages: stories link the Dutch
    # one and show the name in the page's language.
    objects = list(Theme.objects.filter(slug=instance.slug)) if sender is Theme else [instance]
    pages = _pages_using(objects or [instance])
    _refresh({STORIES} | {page_key(page) for page in pages}, pages)
    if kwargs.get("signal") is post_save:  # their search keywords name it (core/search.py)
        index_pages(pages)


def settings_changed(sender, instance, **kwargs):
    _refresh({SITE})


def restriction_changed(sender, instance, **kwargs):
    """A page made private or public again, with everything below it: as if the whole branch
    was published or unpublished. The cached copies of its pages, the lists and search that
    show them and their sitemap sections all go stale, so a page made private is never
    served to anyone from the cache again."""
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is None:  # the restriction went with its page
        return
    branch = list(Page.objects.descendant_of(page, inclusive=True))
    lists = {LIST_OF_TYPE.get(each.specific_class) for each in branch} - {None}
    names = _page_names(page) | lists | {page_key(each) for each in branch}
    _refresh(names, branch)


page_published.connect(page_changed, dispatch_uid="page_cache_published")
page_unpublished.connect(page_changed, dispatch_uid="page_cache_unpublished")
post_page_move.connect(page_moved, dispatch_uid="page_cache_moved")
pre_delete.connect(page_deleted, sender=Page, dispatch_uid="page_cache_deleted")
for model in (Theme, Organisation):
    post_save.connect(snippet_changed, sender=model, dispatch_uid=f"page_cache_save_{model}")
    pre_delete.connect(snippet_changed, sender=model, dispatch_uid=f"page_cache_del_{model}")
post_save.connect(settings_changed, sender=SiteSettings, dispatch_uid="page_cache_settings")
post_delete.connect(settings_changed, sender=SiteSettings, dispatch_uid="page_cache_settings_del")
for signal in (post_save, post_delete):
    signal.connect(
        restriction_changed, sender=PageViewRestriction, dispatch_uid=f"page_cache_pvr_{signal}"
    )
