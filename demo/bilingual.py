"""Content written once in Dutch and English, side by side.

demo.data reads every text of the content files into a `Text` (plain) or `Html` (rich text)
holding both languages. The Dutch page is built from the Dutch halves; the English halves
become wagtail-localize string translations for the very strings wagtail-localize extracts from
the Dutch page, so the English pages are real translations that editors can keep working on in
the translation editor.

Other objects are referred to by markers (`PageLink`, `OrganisationRef`, `ThemeRef`, images)
that the loader resolves once the objects exist (images are references too).
"""

from dataclasses import dataclass
from typing import Any

from wagtail_localize.strings import StringValue, extract_strings


@dataclass(frozen=True)
class Text:
    """Plain text in both languages: a title, a summary, the value of a CharBlock."""

    nl: str
    en: str


@dataclass(frozen=True)
class Html:
    """Rich text in both languages. Both must have the same blocks (paragraphs, list items)."""

    nl: str
    en: str


class Reference:
    """Marks a value that stands for another object; the loader resolves it."""


@dataclass(frozen=True)
class PageLink(Reference):
    """A page of the demo site, by its key (e.g. "contact"); English pages get its translation."""

    key: str


@dataclass(frozen=True)
class OrganisationRef(Reference):
    slug: str


@dataclass(frozen=True)
class ThemeRef(Reference):
    slug: str


def in_dutch(value: Any, resolve) -> Any:
    """`value` with every Text/Html replaced by its Dutch half and every marker resolved."""
    if isinstance(value, Text | Html):
        return value.nl
    if isinstance(value, Reference):
        return resolve(value)
    if isinstance(value, dict):
        return {key: in_dutch(item, resolve) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(in_dutch(item, resolve) for item in value)
    return value


def references(value: Any):
    """Every reference inside `value`, depth first."""
    if isinstance(value, Reference):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from references(item)


def english_strings(value: Any) -> dict[str, str]:
    """Dutch string -> English string, in the form wagtail-localize stores them.

    Plain text is stored escaped; rich text is cut into one string per block (paragraph, list
    item) with inline tags kept. Both halves go through the same functions wagtail-localize uses,
    so the Dutch keys match the `String` rows it extracts from the Dutch page. A Dutch string
    given two different English versions is an error in the content, reported at once.
    """
    found: dict[str, str] = {}
    for dutch, english in _string_pairs(value):
        if found.setdefault(dutch, english) != english:
            raise ValueError(f"Two English versions for one Dutch text: {dutch[:60]!r}")
    return found


def _string_pairs(value: Any):
    if isinstance(value, Text):
        yield StringValue.from_plaintext(value.nl).data, StringValue.from_plaintext(value.en).data
    elif isinstance(value, Html):
        _template, dutch = extract_strings(value.nl)
        _template, english = extract_strings(value.en)
        if len(dutch) != len(english):
            raise ValueError(f"Dutch and English rich text differ in shape: {value.nl[:60]!r}")
        for (nl_string, _attrs), (en_string, _en_attrs) in zip(dutch, english, strict=True):
            yield nl_string.data, en_string.data
    elif isinstance(value, dict):
        for item in value.values():
            yield from _string_pairs(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _string_pairs(item)
