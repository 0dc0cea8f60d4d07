"""Body blocks (core.blocks.BodyBlock) written in both languages.

Each function returns one (block type, value) pair for a StreamField; the texts inside are
`Text`/`Html` pairs and the page of a call to action is a `PageLink`, resolved when the page is
built. Keeping the block shapes here lets the content modules read like the pages they become.
"""

from .bilingual import Html, PageLink, Text, paragraphs

Pair = tuple[str, str]  # (Dutch, English)


def paragraph(*pairs: Pair):
    return ("paragraph", paragraphs(*pairs))


def rich_paragraph(html: Html):
    """A paragraph block from ready-made rich text, e.g. a bulleted list."""
    return ("paragraph", html)


def heading(dutch: str, english: str, level: str = "h2"):
    return ("heading", {"text": Text(dutch, english), "level": level})


def quote(dutch: str, english: str, attribution: Text):
    return ("quote", {"quote": Text(dutch, english), "attribution": attribution})


def question(asked: Pair, *answer: Pair):
    """An interview question and its answer (one paragraph per pair)."""
    return ("question_answer", {"question": Text(*asked), "answer": paragraphs(*answer)})


def facts(title: Pair, *rows: tuple[Pair, Pair]):
    """A facts box: rows of ((label nl, label en), (value nl, value en))."""
    return (
        "facts",
        {
            "title": Text(*title),
            "facts": [{"label": Text(*label), "value": Text(*value)} for label, value in rows],
        },
    )


def call_to_action(title: Pair, text: Pair, button: Pair, page: str = "contact"):
    """A call to action that links to a demo page (the contact page unless told otherwise)."""
    return (
        "call_to_action",
        {
            "title": Text(*title),
            "text": Text(*text),
            "page": PageLink(page),
            "url": "",
            "button_label": Text(*button),
        },
    )


def contact_call_to_action():
    """The closing block of every story: get in touch to start working together."""
    return call_to_action(
        ("Wil je ook samenwerken?", "Would you like to work together too?"),
        (
            "Werk je bij een bibliotheek of een sociaal werkbedrijf? "
            "Wij zoeken een partner bij jou in de buurt.",
            "Do you work at a library or an SW company? We will find a partner near you.",
        ),
        ("Breng ons in contact", "Put us in touch"),
    )
