"""The portal's lists, filtered and paginated through the query string: finding a group
(course, level, place and month) and the organisation's bookings (current or past).

Like the stories' filters, a value we do not know is left out with a notice in plain words,
never an error page, so an old bookmark or a typing error still shows groups.
"""

from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from booking.models import CourseGroup, CoursePage
from booking.selectors import (
    bookable_groups,
    group_options,
    groups_with_availability,
    parse_month,
    portal_booking_counts,
    portal_bookings,
    portal_details,
    translated_course_titles,
)
from core.pagination import page_or_first

from .holds import with_your_holds

GROUPS_PER_PAGE = 20


class GroupFilterForm(forms.Form):
    course = forms.ChoiceField(label=_("Course"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False)
    place = forms.ChoiceField(label=_("Place"), required=False)
    month = forms.ChoiceField(label=_("Starts in"), required=False)

    def __init__(self, data, *, courses, places, months):
        super().__init__(data)
        every = [("", _("All"))]
        self.fields["course"].choices = [*every, *courses]
        self.fields["level"].choices = [*every, *CourseGroup.Level.choices]
        self.fields["place"].choices = [*every, *((place, place) for place in places)]
        months = sorted(set(months) | self._asked_month(data))
        self.fields["month"].choices = [
            *every,
            *((f"{month:%Y-%m}", date_format(month, "YEAR_MONTH_FORMAT")) for month in months),
        ]

    @staticmethod
    def _asked_month(data) -> set:
        """A month without groups is still a month: it stays chosen and simply finds none."""
        month = parse_month(data.get("month", ""))
        return {month} if month else set()


class GroupFilter:
    """The groups an SW company or referral partner may book, filtered and paginated, with
    notices for filter values we do not know.

    A group that is full for others but has seats held for the organisation is listed as a
    group with room: those seats are its to book.
    """

    def __init__(self, data, *, organisation):
        self.data = data
        self.organisation = organisation
        self.groups = bookable_groups(organisation)
        options = group_options(self.groups)
        self.course_keys = {pk: key for pk, key, _title in options.courses}
        self.form = GroupFilterForm(
            self._with_course_of_any_language(data),
            courses=self._course_choices(options.courses),
            places=options.places,
            months=options.months,
        )
        self.form.is_valid()
        self.notices = [self._notice(name) for name in self.form.errors]

    def _course_choices(self, courses):
        titles = translated_course_titles(self.course_keys.values())
        choices = {str(pk): titles.get(key, title) for pk, key, title in courses}
        return sorted(choices.items(), key=lambda choice: choice[1].lower())

    def _with_course_of_any_language(self, data):
        """Course pages link here with their own id; groups hang on the Dutch page. An id of
        a translation is read as the id of the page the groups hang on."""
        value = data.get("course", "")
        if not value.isdigit() or int(value) in self.course_keys:
            return data
        key = CoursePage.objects.filter(pk=int(value)).values_list("translation_key", flat=True)
        wanted = next(iter(key), None)
        for pk, translation_key in self.course_keys.items():
            if translation_key == wanted:
                data = data.copy()
                data["course"] = str(pk)
                break
        return data

    def _notice(self, name):
        value = self.data.get(name, "")
        if name == "month":
            return gettext("“%(value)s” is not a month. Write it like this: %(example)s.") % {
                "value": value,
                "example": timezone.localdate().strftime("%Y-%m"),
            }
        if name == "course" and value.isdigit():
            return gettext(
                "There is no group of this course you can book at the moment. We show the "
                "groups of all courses."
            )
        return gettext("We do not know the %(filter)s “%(value)s”, so we left it out.") % {
            "filter": str(self.form.fields[name].label).lower(),
            "value": value,
        }

    @cached_property
    def filters(self) -> dict:
        """The valid, non-empty filters, as they appear in the URL."""
        return {name: value for name, value in self.form.cleaned_data.items() if value}

    def filtered(self):
        groups = self.groups
        filters = self.filters
        if "course" in filters:
            groups = groups.filter(course_id=int(filters["course"]))
        if "level" in filters:
            groups = groups.filter(level=int(filters["level"]))
        if "place" in filters:
            groups = groups.filter(location__city=filters["place"])
        if "month" in filters:
            month = parse_month(filters["month"])
            groups = groups.filter(
                Q(first_date__year=month.year) & Q(first_date__month=month.month)
            )
        return groups.order_by("first_date", "pk")

    @cached_property
    def page(self):
        paginator = Paginator(self.filtered().values_list("pk", flat=True), GROUPS_PER_PAGE)
        number = self.data.get("page", "1")
        page = page_or_first(paginator, number, self.notices)
        ids = list(page.object_list)
        groups = {
            group.pk: group
            for group in groups_with_availability(CourseGroup.objects.filter(pk__in=ids))
        }
        page.object_list = [groups[pk] for pk in ids if pk in groups]
        with_your_holds(page.object_list, self.organisation)
        return page

    @property
    def is_filtered(self) -> bool:
        return bool(self.filters)

    @property
    def query_prefix(self) -> str:
        """The filters as a query string ready for a page number to be appended."""
        return "?" + urlencode(self.filters) + "&" if self.filters else "?"


BOOKINGS_PER_PAGE = 20


class BookingList:
    """One page of an SW company's bookings: the current ones, soonest first, or with
    `?show=past` the past and cancelled ones, most recent first.

    A page number we do not know shows page 1 with a notice, like the group finder.
    """

    def __init__(self, data, *, organisation):
        self.showing_past = data.get("show") == "past"
        self.counts = portal_booking_counts(organisation)
        self.notices = []
        paginator = Paginator(
            portal_bookings(organisation, past=self.showing_past), BOOKINGS_PER_PAGE
        )
        # Both numbers are counted already, for the tabs: the paginator need not count again.
        paginator.count = self.counts["past" if self.showing_past else "current"]
        self.page = page_or_first(paginator, data.get("page", "1"), self.notices)
        self.page.object_list = portal_details(self.page.object_list)

    @property
    def query_prefix(self) -> str:
        """The tab as a query string ready for a page number to be appended."""
        return "?show=past&" if self.showing_past else "?"
