"""Seats a coordinator holds for the contact person's own organisation, as the portal shows
them: "3 plaatsen voor je vastgehouden tot 1 maart".

Everyone else sees held seats as taken (`selectors.availability`). The organisation they are
held for can book them as usual, so for it they count as free: `with_your_holds` gives each
group the availability as that organisation sees it.
"""

from collections.abc import Iterable
from dataclasses import replace

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import ngettext

from booking.models import CourseGroup, SeatHold


def with_your_holds(groups: Iterable[CourseGroup], organisation, *, today=None) -> None:
    """Sets `.hold_for_you` (the organisation's active hold with its `.label`, or None) on
    each group and counts its seats as free in `.availability`.

    One query for a whole page of groups, and none when no group has held seats. A hold whose
    day has passed is left out: its seats go to others as soon as the group is touched.
    """
    groups = list(groups)
    for group in groups:
        group.hold_for_you = None
    held = [group.pk for group in groups if group.seats_held]
    if not held:
        return
    today = today or timezone.localdate()
    holds = {
        hold.group_id: hold
        for hold in SeatHold.objects.active().filter(
            organisation=organisation, group_id__in=held, held_until__gte=today
        )
    }
    for group in groups:
        hold = holds.get(group.pk)
        if hold is None:
            continue
        hold.label = held_for_you_label(hold)
        group.hold_for_you = hold
        seen = group.availability
        group.availability = replace(seen, held=max(seen.held - hold.seats, 0))


def held_for_you_label(hold: SeatHold) -> str:
    """E.g. "3 seats held for you until 1 March"."""
    return ngettext(
        "%(count)s seat held for you until %(date)s",
        "%(count)s seats held for you until %(date)s",
        hold.seats,
    ) % {"count": hold.seats, "date": date_format(hold.held_until, "j F")}
