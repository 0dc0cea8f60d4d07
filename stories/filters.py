"""The stories index's filters: kind, theme, province, organisation, search and page.

Filters live in the query string so a filtered list can be bookmarked and shared. A value we
do not know is dropped with a notice in plain words, never an error page.
"""

from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from booking.models import Organisation
from core.choices import Province
from core.pagination import page_or_first

from . import selectors
from .models import InterviewPage, PracticeExamplePage

STORIES_PER_PAGE = 12
KINDS = {"interview": InterviewPage, "praktijkvoorbeeld": PracticeExamplePage}


class StoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search in stories"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)

    def __init__(self, data, *, locale):
        super().__init__(data)
        every = [("", _("All"))]
        self.fields["kind"].choices = [
            *every,
            ("interview", _("Interviews")),
            ("praktijkvoorbeeld", _("Practice examples")),
        ]
        self.fields["theme"].choices = [
            *every,
            *selectors.theme_labels(locale).items(),
        ]
        self.fields["province"].choices = [*every, *Province.choices]
        self.fields["organisation"].choices = [
            *every,
            *Organisation.objects.values_list("slug", "name"),
        ]


class StoryFilter:
    """Applies the filter form to the index's stories and paginates the result."""

    def __init__(self, data, *, index_page):
        self.index_page = index_page
        self.data = data

    # Everything below is read lazily: the index's template keeps the rendered list in a
    # fragment cache (per filter combination), and a fragment that is current costs no query.
    @cached_property
    def form(self):
        form = StoryFilterForm(self.data, locale=self.index_page.locale)
        form.is_valid()
        return form

    @cached_property
    def notices(self):
        return [
            gettext("We do not know the %(filter)s “%(value)s”, so we left it out.")
            % {"filter": self.form.fields[name].label.lower(), "value": self.data.get(name, "")}
            for name in self.form.errors
        ]

    @property
    def cache_key(self) -> str:
        """The query string in a fixed order: one fragment per list a visitor can ask for."""
        return urlencode(sorted((key, self.data.get(key)) for key in self.data))

    @cached_property
    def filters(self):
        """The valid, non-empty filters, as they appear in the URL."""
        return {k: v for k, v in self.form.cleaned_data.items() if v}

    @property
    def is_filtered(self):
        return bool(self.filters)

    @cached_property
    def page(self):
        cleaned = self.filters
        locale = self.index_page.locale
        documents = selectors.filter_stories(
            selectors.story_pages(locale, index_page=self.index_page),
            kind=KINDS.get(cleaned.get("kind")),
            theme=cleaned.get("theme"),
            province=cleaned.get("province"),
            organisation=cleaned.get("organisation"),
            query=cleaned.get("q"),
            locale=locale,
        )
        paginator = Paginator(documents.values_list("page_id", flat=True), STORIES_PER_PAGE)
        number = self.data.get("page", "1")
        page = page_or_first(paginator, number, self.notices)
        page.object_list = selectors.story_cards(page.object_list, locale=self.index_page.locale)
        return page

    def query_string(self, **changes):
        """The current filters with some changed; used by pagination and 'remove' links."""
        params = {k: v for k, v in {**self.filters, **changes}.items() if v}
        return "?" + urlencode(params) if params else "?"

    @property
    def query_prefix(self):
        """The filters as a query string ready for a page number to be appended."""
        query = self.query_string()
        return query if query == "?" else query + "&"

    @cached_property
    def active_filters(self):
        """(label, value label, link without this filter) for each filter in use."""
        active = []
        for name, value in self.filters.items():
            field = self.form.fields[name]
            shown = dict(field.choices).get(value, value) if name != "q" else value
            active.append((field.label, shown, self.query_string(**{name: None})))
        return active
