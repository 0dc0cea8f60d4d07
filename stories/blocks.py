"""StreamField blocks of stories only: the practice example's live figures (issue 14, item 6).

An editor chooses a partnership, a library and a partner that books seats in its groups; the
page then shows what that partnership brought, in plain words, from the bookings themselves
(booking/outcomes.py) instead of numbers typed by hand.

Small numbers could point to a person (DESIGN.md, rule 13), so a figure under
`MIN_FIGURE_SHOWN` is left out altogether: no number and no "fewer than ten" either.
The figures are worked out once a day per partnership and kept in the cache; a page that
shows them is cached as any page (up to PAGE_CACHE_SECONDS), so it shows the new day's
figures at most that long after midnight.
"""

import datetime

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from booking.models import Organisation
from booking.models.organisations import SENDING_KINDS
from booking.outcomes import partnership
from core.blocks import BodyBlock

# A published figure under this is not shown (DESIGN.md, rule 13).
MIN_FIGURE_SHOWN = 10
CACHE_PREFIX = "live-figures"
# The figures of a day: a day's key is not read after it, this only lets the cache forget it.
CACHE_SECONDS = 24 * 60 * 60


def library_choices():
    """Every library, by name (read when the editor opens the form, not at import)."""
    libraries = Organisation.objects.filter(kind=Organisation.Kind.LIBRARY).order_by("name")
    return [(str(pk), name) for pk, name in libraries.values_list("pk", "name")]


def partner_choices():
    """Every organisation that books seats: SW companies and referral partners, by name."""
    partners = Organisation.objects.filter(kind__in=SENDING_KINDS).order_by("name")
    return [(str(pk), name) for pk, name in partners.values_list("pk", "name")]


def _shown(value) -> int | None:
    return value if value is not None and value >= MIN_FIGURE_SHOWN else None


def _compute(library: Organisation, partner: Organisation) -> dict:
    row = partnership(library=library, partner=partner)
    average = row.average if row.evaluations >= MIN_FIGURE_SHOWN else None
    return {
        "started": _shown(row.started),
        "completed": _shown(row.completed),
        "certificates": _shown(row.certificates),
        # A share of a few people says something about each of them.
        "attendance_rate": row.attendance_rate
        if row.started >= MIN_FIGURE_SHOWN and row.present >= MIN_FIGURE_SHOWN
        else None,
        "average": average,
    }


def live_figures(
    library: Organisation, partner: Organisation, *, today: datetime.date | None = None
) -> dict:
    """The partnership's figures fit to publish, worked out once a day: a figure under
    MIN_FIGURE_SHOWN is None."""
    today = today or timezone.localdate()
    key = f"{CACHE_PREFIX}:{library.pk}:{partner.pk}:{today.isoformat()}"
    figures = cache.get(key)
    if figures is None:
        figures = _compute(library, partner)
        cache.set(key, figures, CACHE_SECONDS)
    return figures


class OrganisationChoiceBlock(blocks.ChoiceBlock):
    """A drop-down list of organisations, kept as the organisation's id; code (the demo's
    loader) may also hand it an Organisation."""

    def get_prep_value(self, value):
        return str(value.pk) if isinstance(value, Organisation) else value


class LiveFiguresBlock(blocks.StructBlock):
    library = OrganisationChoiceBlock(
        choices=library_choices,
        label=_("Library"),
        help_text=_("The library that runs the courses."),
    )
    partner = OrganisationChoiceBlock(
        choices=partner_choices,
        label=_("Partner"),
        help_text=_("The SW company or referral partner that books seats for its people."),
    )

    class Meta:
        icon = "table"
        label = _("Live figures")
        template = "stories/blocks/live_figures.html"
        help_text = _(
            "Shows how many people took part, finished and got a certificate, updated every "
            "day. A figure under 10 is never shown, so nobody can be recognised."
        )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        organisations = Organisation.objects.in_bulk(
            [int(pk) for pk in (value.get("library"), value.get("partner")) if pk]
        )
        library = organisations.get(int(value["library"] or 0))
        partner = organisations.get(int(value["partner"] or 0))
        context["library"], context["partner"] = library, partner
        context["figures"] = live_figures(library, partner) if library and partner else None
        return context


class PracticeExampleBodyBlock(BodyBlock):
    """The story blocks, and the partnership's live figures."""

    live_figures = LiveFiguresBlock(label=_("Live figures"))
