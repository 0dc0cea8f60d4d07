"""The site search and the table that lists and search read (core.models.SearchDocument).

A page takes part by defining `search_content()`, returning a `SearchContent`: its summary,
its date and its text in three weights (see SearchContent). Pages without it are not found.

Matching understands each page's language. On PostgreSQL the words are stemmed by the text
search configuration of the page's language ("digitale" and "digitaal" are one word) into a
tsvector with a GIN index; ranking runs only over the matching rows. On SQLite, the
`make run` default, the same stemming is done in Python (Snowball, the algorithm PostgreSQL
uses) into space-separated words, matched with LIKE: a scan of one narrow table, fast enough
for thousands of pages.

Dutch Snowball keeps a doubled final consonant where the singular has one ("cursussen" →
"cursuss", "cursus" → "cursus"); both sides are undoubled the same way, so they meet.

The table is kept current inside the transaction that changes a page: on save (as Wagtail's
own index is), on publish (when many-to-many fields are saved), on unpublish, on changes of
view restrictions, and by the apps for what a page shows of other models (a course page's
places). `rebuild()` (manage.py rebuild_site_search) builds it afresh; after migrate it is
built when it is empty.
"""

import datetime
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, reduce
from operator import add

import snowballstemmer
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import (
    SearchQuery,
    SearchQueryField,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connection
from django.db.models import BooleanField, Case, F, Q, TextField, Value, When
from django.db.models.expressions import Func
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils import translation
from django.utils.html import strip_tags
from wagtail.models import Locale, Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from .models import SearchDocument

logger = logging.getLogger(__name__)

# PostgreSQL text search configurations and Snowball stemmers by language code.
CONFIGS = {"nl": "dutch", "en": "english"}
# "dutch_porter" is the Dutch Snowball algorithm PostgreSQL uses (Snowball's newer "dutch"
# stems differently).
STEMMERS = {"nl": "dutch_porter", "en": "english"}
FALLBACK_CONFIG = "simple"
MAX_QUERY_WORDS = 10

# A doubled consonant at the end of a stem, in PostgreSQL's text form of a tsvector or
# tsquery (where each lexeme is quoted), and in a plain word.
_DOUBLED_IN_TEXT = r"([b-df-hj-np-tv-z])\1'"
_DOUBLED_AT_END = re.compile(r"([b-df-hj-np-tv-z])\1$")
_WORD = re.compile(r"\w+")
# Words too common to tell pages apart; PostgreSQL's configurations drop theirs.
STOP_WORDS = {
    "nl": frozenset(
        re.findall(
            r"\w+",
            "de het een en van in op te voor met is aan als bij dat die dit er door hoe je ik"
            " om of ook naar niet over tot uit wat wie zijn was we wij zij ze u",
        )
    ),
    "en": frozenset(
        re.findall(
            r"\w+",
            "the a an and of in on to for with is at as by that this it how you i or also"
            " not about from what who are was we they be",
        )
    ),
}


@dataclass
class SearchContent:
    """What a page gives the search: `summary` shows under the title in results and cards;
    `keywords` (weight B) name what the page is about (themes, places, organisations); `text`
    (weight C) is everything else a visitor might search for."""

    summary: str = ""
    date: datetime.date | None = None
    keywords: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


def plain_text(value) -> str:
    """The words in stored page data: a string with HTML, or StreamField raw data (strings
    inside dicts and lists; block types and ids are not words)."""
    value = getattr(value, "raw_data", value)  # a StreamValue
    if isinstance(value, str):
        return strip_tags(value)
    if isinstance(value, dict):
        return " ".join(plain_text(v) for k, v in value.items() if k not in ("type", "id"))
    if isinstance(value, Iterable):  # lists, and StreamField's RawDataView
        return " ".join(plain_text(v) for v in value)
    return ""


def _language(locale_code: str) -> str:
    return locale_code.split("-")[0].lower()


@cache
def _stemmer(language: str):
    return snowballstemmer.stemmer(STEMMERS.get(language, "porter"))


def stems(text: str, language: str) -> list[str]:
    """The text's words as the index keeps them: lower case, stemmed, without stop words."""
    stop = STOP_WORDS.get(language, set())
    words = [word for word in _WORD.findall(text.casefold()) if word not in stop]
    words = _stemmer(language).stemWords(words)
    if CONFIGS.get(language) == "dutch":
        words = [_DOUBLED_AT_END.sub(r"\1", word) for word in words]
    return words


def _term_text(texts: Iterable[str], language: str) -> str:
    words = dict.fromkeys(word for text in texts for word in stems(text, language))
    return f" {' '.join(words)} " if words else ""


class _Undoubled(Func):
    """A tsvector or tsquery with the doubled final consonant of every lexeme undoubled."""

    def __init__(self, expression, output_field):
        super().__init__(expression, output_field=output_field)

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        cast = "tsquery" if isinstance(self.output_field, SearchQueryField) else "tsvector"
        return (
            f"regexp_replace(({sql})::text, %s, %s, 'g')::{cast}",
            [*params, _DOUBLED_IN_TEXT, r"\1'"],
        )


class _Matches(Func):
    """vector @@ query, as a condition."""

    template = "%(expressions)s"
    arg_joiner = " @@ "
    output_field = BooleanField()


def _vector(title: str, content: SearchContent, config: str):
    parts = [("A", [title]), ("B", [content.summary, *content.keywords]), ("C", content.text)]
    vector = None
    for weight, texts in parts:
        text = " ".join(t for t in texts if t)
        if not text:
            continue
        part = SearchVector(Value(text, output_field=TextField()), config=config, weight=weight)
        vector = part if vector is None else vector + part
    if vector is None:
        return None
    return _Undoubled(vector, SearchVectorField()) if config == "dutch" else vector


def _restricted(page: Page) -> bool:
    """Whether a view restriction holds for the page: on it or on a page above it."""
    paths = [page.path[:i] for i in range(Page.steplen, len(page.path) + 1, Page.steplen)]
    return PageViewRestriction.objects.filter(page__path__in=paths).exists()


def _searchable(page: Page) -> bool:
    return (
        page.live
        and page.alias_of_id is None
        and hasattr(page.specific_class or Page, "search_content")
        and not _restricted(page)
    )


def index_page(page: Page, *, languages: dict[int, str] | None = None) -> None:
    """Bring the page's search document in line with the page: written, renewed or removed."""
    if not _searchable(page):
        SearchDocument.objects.filter(page_id=page.pk).delete()
        return
    page = page.specific
    if languages is None:
        languages = _languages()
    language = languages[page.locale_id]
    with translation.override(language):  # labels (a province, the kind) in the page's language
        content = page.search_content()
        # "cursussen" finds the courses even where their text never says "cursus".
        content.keywords.append(str(_kind_of(type(page))))
    fields = {
        "locale_id": page.locale_id,
        "content_type_id": page.content_type_id,
        "title": page.title,
        "summary": content.summary,
        "date": content.date,
        "title_terms": "",
        "key_terms": "",
        "terms": "",
        "vector": None,
    }
    if connection.vendor == "postgresql":
        fields["vector"] = _vector(page.title, content, CONFIGS.get(language, FALLBACK_CONFIG))
    else:
        keys = [content.summary, *content.keywords]
        fields["title_terms"] = _term_text([page.title], language)
        fields["key_terms"] = _term_text(keys, language)
        fields["terms"] = _term_text([page.title, *keys, *content.text], language)
    SearchDocument.objects.update_or_create(page_id=page.pk, defaults=fields)


def _languages() -> dict[int, str]:
    return {pk: _language(code) for pk, code in Locale.objects.values_list("pk", "language_code")}


def index_pages(pages: Iterable[Page]) -> None:
    languages = _languages()
    for page in pages:
        index_page(page, languages=languages)


def index_subtree(page: Page) -> None:
    """The page and everything below it, e.g. after a view restriction came or went."""
    index_pages(Page.objects.descendant_of(page, inclusive=True).specific())


def rebuild() -> int:
    """Build the whole table afresh from the live pages; returns the number of documents."""
    SearchDocument.objects.all().delete()
    pages = Page.objects.live().filter(alias_of__isnull=True).specific()
    index_pages(pages.iterator(chunk_size=200))
    return SearchDocument.objects.count()


def _query_words(query: str) -> str:
    """The query as a visitor meant it: printable characters, at most MAX_QUERY_WORDS words."""
    cleaned = "".join(char if char.isprintable() else " " for char in query)
    return " ".join(cleaned.split()[:MAX_QUERY_WORDS])


def matching(documents, query: str, language: str):
    """The documents that contain every word of `query` (in `language`, a language code),
    best match first.

    On PostgreSQL the query follows web search syntax: "a phrase", -word, or.
    """
    language = _language(language)
    query = _query_words(query)
    if connection.vendor == "postgresql":
        config = CONFIGS.get(language, FALLBACK_CONFIG)
        tsquery = SearchQuery(query, config=config, search_type="websearch")
        if config == "dutch":
            tsquery = _Undoubled(tsquery, SearchQueryField())
        return (
            documents.filter(_Matches(F("vector"), tsquery))
            .annotate(rank=SearchRank(F("vector"), tsquery, normalization=Value(1)))
            .order_by("-rank", "-date", "-page_id")
        )
    words = list(dict.fromkeys(stems(query, language)))
    if not words:
        return documents.none()
    # Like the weights on PostgreSQL: a word in the title counts most, then in the summary or
    # keywords, then anywhere.
    rank = reduce(
        add,
        [
            Case(When(title_terms__contains=f" {w} ", then=4), default=0)
            + Case(When(key_terms__contains=f" {w} ", then=2), default=0)
            for w in words
        ],
    )
    return (
        documents.filter(*[Q(terms__contains=f" {w} ") for w in words])
        .annotate(rank=rank)
        .order_by("-rank", "-date", "-page_id")
    )


def search(query: str, locale):
    """Results of the site search in one language: documents with their page's URL parts,
    ranked, ready to paginate."""
    documents = SearchDocument.objects.filter(locale=locale).select_related("page")
    documents = documents.only(
        "title",
        "summary",
        "date",
        "content_type",
        "page__url_path",
    )
    return matching(documents, query, _language(locale.language_code))


def _kind_of(model) -> str:
    return getattr(model, "search_kind", None) or model._meta.verbose_name


def kind_label(document: SearchDocument) -> str:
    """What kind of page a result is ("Interview", "Cursus"), in the active language."""
    return str(_kind_of(ContentType.objects.get_for_id(document.content_type_id).model_class()))


# Page fields that Wagtail saves on its own (drafts, locks, tree bookkeeping): a save of only
# these leaves what the public sees unchanged.
_BOOKKEEPING_FIELDS = {
    "latest_revision",
    "latest_revision_created_at",
    "draft_title",
    "has_unpublished_changes",
    "locked",
    "locked_at",
    "locked_by",
    "live_revision",
    "first_published_at",
    "last_published_at",
    "numchild",
    "path",
    "depth",
    "url_path",
}


def _page_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not isinstance(instance, Page):
        return
    if update_fields is not None and set(update_fields) <= _BOOKKEEPING_FIELDS:
        return
    index_page(instance)


def _page_published_or_unpublished(sender, instance, **kwargs):
    # Published: many-to-many fields (a story's themes) are saved after the page row.
    index_page(instance)


def _page_moved(sender, instance, parent_page_before, parent_page_after, **kwargs):
    # Addresses are not kept in the table; only a move into or out of a restricted branch
    # changes what may be found (and moving a big branch should not re-read every page).
    if _restricted(parent_page_before) or _restricted(parent_page_after):
        index_subtree(instance)


def _restriction_changed(sender, instance, **kwargs):
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:  # a restriction is also deleted with its page
        index_subtree(page)


def _build_when_empty(sender, using="default", **kwargs):
    """After migrate: a site that had pages before the search table existed gets it filled."""
    if (
        not SearchDocument.objects.using(using).exists()
        and Page.objects.using(using).live().filter(depth__gt=1).exists()
    ):
        logger.info("Building the site search table: %s documents", rebuild())


def connect_signals(app_config) -> None:
    """Keep the table in step with the pages (called once, from CoreConfig.ready)."""
    post_save.connect(_page_saved, dispatch_uid="site_search_page_saved")
    page_published.connect(_page_published_or_unpublished, dispatch_uid="site_search_published")
    page_unpublished.connect(_page_published_or_unpublished, dispatch_uid="site_search_unpublished")
    post_page_move.connect(_page_moved, dispatch_uid="site_search_moved")
    for signal in (post_save, post_delete):
        signal.connect(
            _restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"site_search_restriction_{id(signal)}",
        )
    post_migrate.connect(_build_when_empty, sender=app_config, dispatch_uid="site_search_build")
