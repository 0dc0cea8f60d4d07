"""Reads the demo site's content files (demo/content/, described in its README.md).

Each page is one YAML file with both languages side by side. What a value means follows from
the model field or StreamField block it fills: a `{nl: ..., en: ...}` pair is text, rich text
is a paragraph pair or a list of them (or `bullets:`), a block list is `- <block type>: value`,
a link to an organisation or theme is its slug, a link to a page its key (the file's name).
Everything is checked before anything is saved; a mistake raises ContentError naming the file.
"""

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django import forms
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from wagtail import blocks
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Page

from booking.models import Organisation
from stories.blocks import OrganisationChoiceBlock
from stories.models import Theme

from .bilingual import Html, OrganisationRef, PageLink, Text, ThemeRef
from .images import MOTIFS, PALETTES, Avatar, Illustration

CONTENT_DIR = Path(__file__).resolve().parent / "content"
PAGE_FOLDERS = ("pages", "courses", "stories")
LANGUAGES = {"nl", "en"}
IMAGE_KINDS = {"illustration": Illustration, "avatar": Avatar}
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when it is there: faster


class ContentError(Exception):
    """A content file that cannot be loaded; the message names the file and the place in it."""


@dataclass(frozen=True)
class PageSpec:
    """One demo page: its model, its parent (by key) and its fields in both languages.

    `key` is the file's name without .yaml; pages link to each other by key. Values are
    `Text`/`Html` pairs and references, which the loader turns into the Dutch page and its
    English translation.
    """

    key: str
    model: type
    parent: str | None
    fields: dict[str, Any]

    @property
    def slug(self) -> str:
        return self.fields["slug"].nl


@dataclass(frozen=True)
class OrganisationSpec:
    slug: str
    name: str
    kind: str
    municipality: str
    province: str
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class LocationSpec:
    """A place where groups meet; found again by its organisation (slug) and name."""

    name: str
    kind: str
    organisation: str
    street_address: str
    postal_code: str
    city: str
    accessibility_notes: str


@dataclass(frozen=True)
class DemoContent:
    """Everything in demo/content/, checked. `pages` is in the order the loader makes them."""

    pages: dict[str, PageSpec]
    themes: dict[str, Text]
    organisations: list[OrganisationSpec]
    locations: list[LocationSpec]
    home_button: str  # key of the page the home page's button leads to
    featured_stories: list[str]
    footer_links: list[str]
    site_settings: dict[str, str] = field(default_factory=dict)

    def children(self, key: str) -> list[PageSpec]:
        return [spec for spec in self.pages.values() if spec.parent == key]


@cache
def demo_content() -> DemoContent:
    """The demo's content, read once per process."""
    return load_content(CONTENT_DIR)


def load_content(root: Path) -> DemoContent:
    """Read and check every content file below `root`."""
    site = _read(root / "site.yaml")
    for name in ("pages", "home_button", "featured_stories", "footer_links"):
        _check(name in site, root / "site.yaml", name, "missing")
    themes = {
        slug: _pair(name, f"{root / 'themes.yaml'}: {slug}")
        for slug, name in _read(root / "themes.yaml").items()
    }
    organisations = [
        _spec(OrganisationSpec, {"slug": slug, **values}, root / "organisations.yaml")
        for slug, values in _read(root / "organisations.yaml").items()
    ]
    known = {spec.slug for spec in organisations}
    locations = [
        _spec(LocationSpec, values, root / "locations.yaml")
        for values in _read(root / "locations.yaml")
    ]
    for location in locations:
        _check(
            location.organisation in known,
            root / "locations.yaml",
            location.name,
            f"unknown organisation {location.organisation!r}",
        )
    files = _page_files(root, site["pages"])
    reader = _PageReader(set(themes), known, set(files))
    pages = {}
    for key, path in files.items():
        spec = reader.page(key, path)
        # The first page is the home page; every other page comes after its parent.
        parent_ok = spec.parent in pages if pages else spec.parent is None
        _check(parent_ok, path, "parent", "must be a page listed before it in site.yaml")
        pages[key] = spec
    for name in ("home_button", "featured_stories", "footer_links"):
        for key in _as_list(site[name]):
            _check(key in pages, root / "site.yaml", name, f"no page {key!r}")
    return DemoContent(
        pages=pages,
        themes=themes,
        organisations=organisations,
        locations=locations,
        home_button=site["home_button"],
        featured_stories=site["featured_stories"],
        footer_links=site["footer_links"],
        site_settings=site.get("site_settings", {}),
    )


def _read(path: Path):
    try:
        with path.open(encoding="utf-8") as file:
            return yaml.load(file, Loader=Loader)  # noqa: S506 - a safe loader
    except (OSError, yaml.YAMLError) as error:
        raise ContentError(f"{path}: {error}") from error


def _check(condition, path, where, problem):
    if not condition:
        raise ContentError(f"{path}: {where}: {problem}")


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _spec(cls, values, path):
    try:
        return cls(**values)
    except TypeError as error:
        raise ContentError(f"{path}: {error}") from error


def _page_files(root, order):
    """Key -> file of every page, in the order site.yaml lists them."""
    found = {}
    for folder in PAGE_FOLDERS:
        for path in sorted((root / folder).glob("*.yaml")):
            _check(path.stem not in found, path, "file name", "another folder has this name too")
            _check(path.stem in order, path, "file name", "not listed under pages in site.yaml")
            found[path.stem] = path
    for key in order:
        _check(key in found, root / "site.yaml", "pages", f"no file for page {key!r}")
    return {key: found[key] for key in order}


def _pair(value, where) -> Text:
    """A {nl, en} pair of plain text."""
    keys = set(value) if isinstance(value, dict) else set()
    if keys - LANGUAGES:
        raise ContentError(f"{where}: only nl and en, not {', '.join(sorted(keys - LANGUAGES))}")
    if keys != LANGUAGES:
        missing = ", ".join(sorted(LANGUAGES - keys))
        raise ContentError(f"{where}: needs text in nl and en (missing: {missing})")
    for language in ("nl", "en"):
        if not isinstance(value[language], str):
            raise ContentError(f"{where}: the {language} text is not text; put it in quotes")
    return Text(value["nl"], value["en"])


def _is_pair(value) -> bool:
    return isinstance(value, dict) and bool(set(value) & LANGUAGES)


class _PageReader:
    """Turns one page file into a PageSpec, following the model's fields and blocks."""

    def __init__(self, themes, organisations, pages):
        self.themes, self.organisations, self.pages = themes, organisations, pages
        self.path = None

    def page(self, key, path) -> PageSpec:
        self.path = path
        data = dict(_read(path))
        try:
            model = apps.get_model(data.pop("type"))
        except (KeyError, LookupError, ValueError) as error:
            raise ContentError(
                f"{path}: type: needs a page model, e.g. home.StandardPage"
            ) from error
        _check(issubclass(model, Page), path, "type", f"{model.__name__} is not a page")
        parent = data.pop("parent", None)
        _check(parent is None or parent in self.pages, path, "parent", f"no page {parent!r}")
        for name in ("title", "slug"):
            _check(name in data, path, name, "missing")
        fields = {name: self.field(model, name, value) for name, value in data.items()}
        return PageSpec(key=key, model=model, parent=parent, fields=fields)

    def where(self, place):
        return f"{self.path}: {place}"

    def field(self, model, name, value):
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            raise ContentError(self.where(f"{name}: {model.__name__} has no such field")) from None
        if isinstance(model_field, RichTextField):
            return self.rich(value, name)
        if isinstance(model_field, StreamField):
            return self.block(model_field.stream_block, value, name)
        if model_field.one_to_many:  # e.g. a form's fields: a list of plain values and texts
            return [
                {key: self.plain(item, f"{name}[{i}].{key}") for key, item in row.items()}
                for i, row in enumerate(value)
            ]
        if model_field.is_relation:
            target = model_field.related_model
            if model_field.many_to_many:
                return [
                    self.reference(target, item, f"{name}[{i}]") for i, item in enumerate(value)
                ]
            return self.reference(target, value, name)
        return self.plain(value, name)

    def plain(self, value, place):
        return _pair(value, self.where(place)) if _is_pair(value) else value

    def rich(self, value, place) -> Html:
        """Rich text: a paragraph pair, `bullets:` (a list of pairs), or a list of these."""
        parts = [self.rich_part(item, f"{place}[{i}]") for i, item in enumerate(_as_list(value))]
        return Html("".join(nl for nl, _en in parts), "".join(en for _nl, en in parts))

    def rich_part(self, value, place):
        if isinstance(value, dict) and set(value) == {"bullets"}:
            items = [_pair(item, self.where(f"{place}.bullets")) for item in value["bullets"]]
            return (
                "<ul>" + "".join(f"<li>{item.nl}</li>" for item in items) + "</ul>",
                "<ul>" + "".join(f"<li>{item.en}</li>" for item in items) + "</ul>",
            )
        text = _pair(value, self.where(place))
        return f"<p>{text.nl}</p>", f"<p>{text.en}</p>"

    def block(self, block, value, place):
        if isinstance(block, blocks.StreamBlock):
            return [self.stream_item(block, item, f"{place}[{i}]") for i, item in enumerate(value)]
        if isinstance(block, ImageChooserBlock):
            return self.image(value, place)
        if isinstance(block, blocks.StructBlock):
            return self.struct(block, value, place)
        if isinstance(block, blocks.ListBlock):
            return [
                self.block(block.child_block, item, f"{place}[{i}]") for i, item in enumerate(value)
            ]
        if isinstance(block, blocks.RichTextBlock):
            return self.rich(value, place)
        if isinstance(block, blocks.PageChooserBlock):
            return self.reference(Page, value, place)
        if isinstance(block, OrganisationChoiceBlock):
            return self.reference(Organisation, value, place)
        return self.plain(value, place)

    def stream_item(self, block, item, place):
        _check(
            isinstance(item, dict) and len(item) == 1,
            self.path,
            place,
            "write a block as `- <block type>: <value>`",
        )
        [(block_type, value)] = item.items()
        if block_type not in block.child_blocks:
            known = ", ".join(block.child_blocks)
            raise ContentError(
                self.where(f"{place}: unknown block type {block_type!r} (known: {known})")
            )
        return (
            block_type,
            self.block(block.child_blocks[block_type], value, f"{place}.{block_type}"),
        )

    def struct(self, block, value, place):
        """A struct block's fields; a pair alone fills its first field (a heading's text).

        A field left out gets its default, or "" like an empty field in the admin.
        """
        children = block.child_blocks
        if _is_pair(value):
            value = {next(iter(children)): value}
        _check(isinstance(value, dict), self.path, place, "needs the block's fields")
        unknown = set(value) - set(children)
        _check(not unknown, self.path, place, f"unknown field(s) {', '.join(sorted(unknown))}")
        result = {}
        for name, child in children.items():
            if name in value:
                result[name] = self.block(child, value[name], f"{place}.{name}")
            else:
                default = child.get_default()
                is_text = isinstance(getattr(child, "field", None), forms.CharField)
                result[name] = "" if default is None and is_text else default
        return result

    def reference(self, target, value, place):
        if issubclass(target, Page):
            _check(value in self.pages, self.path, place, f"no page {value!r}")
            return PageLink(value)
        if target is Organisation:
            _check(value in self.organisations, self.path, place, f"unknown organisation {value!r}")
            return OrganisationRef(value)
        if target is Theme:
            _check(value in self.themes, self.path, place, f"unknown theme {value!r}")
            return ThemeRef(value)
        if target is get_image_model():
            return self.image(value, place)
        raise ContentError(self.where(f"{place}: cannot refer to a {target.__name__}"))

    def image(self, value, place):
        """`illustration: {...}` or `avatar: {...}`: a picture drawn by demo/images.py."""
        _check(
            isinstance(value, dict) and len(value) == 1 and set(value) <= set(IMAGE_KINDS),
            self.path,
            place,
            "needs `illustration:` or `avatar:`",
        )
        [(kind, values)] = value.items()
        image = _spec(IMAGE_KINDS[kind], values, self.path)
        _check(image.palette in PALETTES, self.path, place, f"unknown palette {image.palette!r}")
        if isinstance(image, Illustration):
            _check(image.motif in MOTIFS, self.path, place, f"unknown motif {image.motif!r}")
        return image
