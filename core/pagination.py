"""Paging through filtered lists (stories, course groups) without ever answering 404."""

from django.core.paginator import EmptyPage, PageNotAnInteger
from django.utils.translation import gettext

MAX_SHOWN_LENGTH = 20


def _shown(number) -> str:
    """The page number as the notice repeats it: printable, and cut short when it is long."""
    text = "".join(char for char in str(number) if char.isprintable())
    return text if len(text) <= MAX_SHOWN_LENGTH else text[:MAX_SHOWN_LENGTH] + "…"


def page_or_first(paginator, number, notices: list) -> object:
    """The page asked for; page 1 when `number` is not one, with a notice in plain words
    appended to `notices`, so a mistyped or outdated link still shows results."""
    try:
        return paginator.page(number)
    except PageNotAnInteger:
        notices.append(gettext("“%(page)s” is not a page number.") % {"page": _shown(number)})
    except EmptyPage:
        notices.append(
            gettext("Page %(page)s does not exist. We show page 1 of %(count)s.")
            % {"page": _shown(number), "count": paginator.num_pages}
        )
    return paginator.page(1)
