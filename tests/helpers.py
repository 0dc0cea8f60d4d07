"""Small helpers the test packages share."""

import html
import re


def text_of(response) -> str:
    """A page's text as a reader gets it: scripts, SVG and tags removed, entities decoded,
    white space collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style|svg|template)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
