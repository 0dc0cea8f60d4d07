"""The sitemap: an index at /sitemap.xml of small sections, one per language and kind of page.

One file for the whole site had to load every page as its own model and was thrown away by
every publish. Now each section (`nl-stories`, `en-pages`, …) lists at most SECTION_SIZE
addresses a file (`?p=2` for the next ones) and reads only two columns of the pages in it —
their `url_path` and last publish date — with the same queries whatever its size. Each is kept
in the page cache (core/cache.py) until a page in it changes: publishing a story refreshes the
stories of its language and the index, and leaves the other sections alone (home/signals.py).

A section lists what the single sitemap listed: every live page that is written in its own
language (no aliases, core.locale.real_pages) and not behind a view restriction, below the
site's home page of that language, with its full address and last publish date.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple
from urllib.parse import quote

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.db.models import Case, CharField, Count, Max, Q, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import RFC3986_SUBDELIMS, http_date
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page, Site
from wagtail.models.sites import SiteRootPath

from booking.models import CoursePage
from core.cache import depends_on
from core.locale import real_pages
from core.site_url import absolute_url
from stories.models import STORY_MODELS

# Far below the protocol's 50,000: a section that is rendered again after a publish stays quick.
SECTION_SIZE = 2000

STORIES = "stories"
COURSES = "courses"
OTHER_PAGES = "pages"
# Page types of each kind (subclasses included); every other page is in OTHER_PAGES.
KIND_TYPES = {STORIES: tuple(STORY_MODELS), COURSES: (CoursePage,)}
KINDS = (OTHER_PAGES, STORIES, COURSES)


@dataclass(frozen=True)
class Section:
    language: str
    kind: str

    @property
    def name(self) -> str:
        return f"{self.language}-{self.kind}"

    @property
    def dependency(self) -> str:
        """The page-cache dependency (core/cache.py) that a change of a page in it bumps."""
        return f"sitemap:{self.name}"


SECTIONS = {
    section.name: section
    for section in (
        Section(code, kind) for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES for kind in KINDS
    )
}
SECTION_DEPENDENCIES = tuple(section.dependency for section in SECTIONS.values())


class SectionSize(NamedTuple):
    section: Section
    pages: int
    lastmod: datetime | None


def kind_of(page_type: type | None) -> str:
    return next(
        (kind for kind, types in KIND_TYPES.items() if issubclass(page_type or Page, types)),
        OTHER_PAGES,
    )


def _kind_q(kind: str) -> Q:
    if kind == OTHER_PAGES:
        return ~Page.objects.type_q(*(t for types in KIND_TYPES.values() for t in types))
    return Page.objects.type_q(*KIND_TYPES[kind])


def _home_pages(site: Site) -> dict[str, SiteRootPath]:
    """The site's home page in each language: its url_path and the site's root URL (Wagtail
    keeps these in the cache, so this reads no rows)."""
    return {
        root.language_code: root for root in Site.get_site_root_paths() if root.site_id == site.pk
    }


def _listed(homes: Iterable[SiteRootPath]):
    """Live, public pages written in their own language below these home pages."""
    below = Q()
    for home in homes:
        below |= Q(url_path__startswith=home.root_path)
    return real_pages(Page.objects.live().public()).filter(below)


def _lastmod():
    # As Wagtail's Page.get_sitemap_urls: pages from before last_published_at existed have none.
    return Coalesce("last_published_at", "latest_revision_created_at")


class SectionSitemap(Sitemap):
    """One section, `SECTION_SIZE` addresses a file; Django's sitemap view paginates it."""

    @property
    def limit(self):
        # Read when used, so that one setting decides both the files and the index's links.
        return SECTION_SIZE

    def __init__(self, section: Section, request=None):
        super().__init__(request)
        self.section = section
        self.home = _home_pages(self.get_wagtail_site()).get(section.language)

    def items(self):
        if self.home is None:
            return Page.objects.none()
        return (
            _listed([self.home])
            .filter(_kind_q(self.section.kind))
            .order_by("path")
            .values_list("url_path", _lastmod())
        )

    def _urls(self, page, protocol, domain):
        """Each page's address, as Wagtail's Page.get_full_url gives it, and its last change
        (`lastmod` for the Last-Modified header, `lastmod_date` as the file shows it)."""
        address = _addresses(self.home)
        zone = timezone.get_current_timezone()
        rows = self.paginator.page(page).object_list
        urls = [
            {
                "location": address(url_path),
                "lastmod": lastmod,
                "lastmod_date": lastmod.astimezone(zone).date().isoformat() if lastmod else "",
            }
            for url_path, lastmod in rows
        ]
        lastmods = [url["lastmod"] for url in urls]
        if lastmods and None not in lastmods:
            self.latest_lastmod = max(lastmods)
        return urls


def _addresses(home: SiteRootPath):
    """A function from a url_path below `home` to the page's full address.

    The same as Page.get_full_url (Django's reverse of `wagtail_serve` in the home page's
    language), with the reverse done once for the language prefix instead of once per page:
    the rest of the path is quoted exactly as reverse quotes it.
    """
    with translation.override(home.language_code):
        prefix = home.root_url + reverse("wagtail_serve", args=("",))
    start = len(home.root_path)
    return lambda url_path: prefix + quote(url_path[start:], safe=RFC3986_SUBDELIMS + "/~:@")


def section_sizes(site: Site) -> list[SectionSize]:
    """The number of pages and latest change of every section that lists a page, in one
    query."""
    homes = _home_pages(site)
    if not homes:
        return []
    language = [
        When(url_path__startswith=home.root_path, then=Value(code)) for code, home in homes.items()
    ]
    kind = [When(_kind_q(name), then=Value(name)) for name in KIND_TYPES]
    rows = (
        _listed(homes.values())
        .annotate(
            section_language=Case(*language, output_field=CharField()),
            section_kind=Case(*kind, default=Value(OTHER_PAGES), output_field=CharField()),
        )
        .order_by()
        .values("section_language", "section_kind")
        .annotate(pages=Count("pk"), lastmod=Max(_lastmod()))
    )
    found = {
        f"{row['section_language']}-{row['section_kind']}": (row["pages"], row["lastmod"])
        for row in rows
    }
    return [SectionSize(s, *found[name]) for name, s in SECTIONS.items() if name in found]


def _files(location: str, pages: int) -> list[str]:
    """The addresses of a section's files: the first without `?p=`, as Django's index has it."""
    files = max(1, math.ceil(pages / SECTION_SIZE))
    return [location] + [f"{location}?p={number}" for number in range(2, files + 1)]


def _language_of(url_path: str) -> str | None:
    roots = Site.get_site_root_paths()
    return next((r.language_code for r in roots if url_path.startswith(r.root_path)), None)


def dependencies_of(page: Page, *, also_under: Iterable[Page] = ()) -> set[str]:
    """The sections that list `page` or a page below it (a new slug or place changes their
    addresses too): in the language of the home page it is below, and of the home pages the
    `also_under` pages are below (where a moved page was before). An alias is in no section,
    but its slug follows the original's, and real translations may be below it."""
    kinds = set() if page.alias_of_id else {kind_of(page.specific_class)}
    if page.numchild:
        below = Page.objects.descendant_of(page).order_by().values_list("content_type", flat=True)
        kinds |= {
            kind_of(ContentType.objects.get_for_id(pk).model_class()) for pk in below.distinct()
        }
    languages = {_language_of(p.url_path) for p in (page, *also_under) if p is not None}
    names = {f"{language}-{kind}" for language in languages for kind in kinds}
    return {SECTIONS[name].dependency for name in names if name in SECTIONS}


def section_urls(root_url: str, dependencies: Iterable[str]) -> set[str]:
    """The files of the sections these dependencies name, and the index that dates them, on
    `root_url`: what a front-end cache must forget. One file more than a section has now, for
    one that just lost its last file."""
    sections = [s for s in SECTIONS.values() if s.dependency in set(dependencies)]
    if not sections:
        return set()
    default_site = Site.objects.get(is_default_site=True)
    sizes = {size.section: size.pages for size in section_sizes(default_site)}
    urls = {root_url + reverse("sitemap")}
    for section in sections:
        location = root_url + reverse("sitemap_section", kwargs={"section": section.name})
        urls.update(_files(location, sizes.get(section, 0) + SECTION_SIZE))
    return urls


@x_robots_tag
def index(request):
    """Django's sitemap index, with the files of each section that lists a page; addresses
    on SITE_URL, not on the host name the request came in with."""
    # As Wagtail's sitemap: the site the request is for, else the default site.
    site = Site.find_for_request(request) or Site.objects.get(is_default_site=True)
    sizes = section_sizes(site)
    items = []
    for size in sizes:
        location = absolute_url(reverse("sitemap_section", kwargs={"section": size.section.name}))
        items += [SitemapIndexItem(url, size.lastmod) for url in _files(location, size.pages)]
    lastmods = [size.lastmod for size in sizes]
    headers = None
    if lastmods and None not in lastmods:
        # As Django's index: crawlers may ask again with If-Modified-Since.
        headers = {"Last-Modified": http_date(max(lastmods).timestamp())}
    return TemplateResponse(
        request,
        "sitemap_index.xml",
        {"sitemaps": items},
        content_type="application/xml",
        headers=headers,
    )


def section(request, section):
    """One section of the index; cached until a page in it changes."""
    found = SECTIONS.get(section)
    if found is None:
        raise Http404("No such sitemap section")
    depends_on(request, found.dependency)
    sitemaps = {section: SectionSitemap(found, request)}
    return sitemap_view(request, sitemaps, section=section, template_name="sitemap_section.xml")
