from django.core.validators import MinValueValidator
from django.db import models
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from core.blocks import RICH_TEXT_FEATURES
from core.search import SearchContent, plain_text

# The course page's groups in the address: ?place=Gouda&month=2027-03&page=2
PLACE_PARAMETER = "place"
MONTH_PARAMETER = "month"
PAGE_PARAMETER = "page"
MAX_PLACE_LENGTH = 100


class LiveAvailabilityMixin:
    """Pages that show free seats are never kept whole in the anonymous page cache.

    Seats change with every booking, far more often than pages are published; the header,
    footer and page head are still served from fragment caches.
    """

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        patch_cache_control(response, no_cache=True, max_age=0)
        return response


class CourseIndexPage(LiveAvailabilityMixin, Page):
    """The list of courses (Klik & Tik, Digisterker, ...) with their next groups."""

    intro = RichTextField(
        _("introduction"),
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text=_("A few sentences above the list of courses."),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["booking.CoursePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("course index")

    def get_context(self, request, *args, **kwargs):
        from booking.selectors import course_overview

        context = super().get_context(request, *args, **kwargs)
        context["courses"] = course_overview(self)
        return context


class CoursePage(LiveAvailabilityMixin, Page):
    """The public page of one course. Its groups hang on the Dutch page and show on every
    translation of it (they share a translation key)."""

    summary = models.TextField(
        _("summary"),
        max_length=300,
        help_text=_("One or two sentences for the list of courses and search results."),
    )
    what_you_learn = RichTextField(
        _("what you learn"),
        features=RICH_TEXT_FEATURES,
        help_text=_("What people can do after the course. Short sentences, plain words."),
    )
    for_whom = RichTextField(
        _("for whom"),
        features=RICH_TEXT_FEATURES,
        help_text=_("Who the course is meant for, and what they need to know already."),
    )
    levels = RichTextField(
        _("levels"),
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text=_("What levels 1, 2 and 3 mean for this course."),
    )
    what_to_bring = RichTextField(
        _("what to bring"),
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text=_("E.g. reading glasses, your DigiD details, your own phone or tablet."),
    )

    certificate_sessions = models.PositiveSmallIntegerField(
        _("sessions for a certificate"),
        default=4,
        validators=[MinValueValidator(1)],
        help_text=_("A participant who was at this many sessions gets a certificate."),
    )
    next_course = models.ForeignKey(
        "booking.CoursePage",
        verbose_name=_("after level 3 of this course"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "The course we advise after level 3, e.g. Digisterker after Klik & Tik. "
            "Leave empty if there is none."
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("what_you_learn"),
        FieldPanel("for_whom"),
        FieldPanel("levels"),
        FieldPanel("what_to_bring"),
        FieldPanel("certificate_sessions"),
        FieldPanel("next_course"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("what_you_learn"),
        index.SearchField("for_whom"),
    ]
    parent_page_types = ["booking.CourseIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("course page")

    search_kind = _("Course")

    def search_content(self) -> SearchContent:
        from booking.selectors import course_search_keywords

        texts = (self.what_you_learn, self.for_whom, self.levels, self.what_to_bring)
        return SearchContent(
            summary=self.summary,
            keywords=course_search_keywords(self),
            text=[plain_text(text) for text in texts],
        )

    def get_context(self, request, *args, **kwargs):
        from booking.selectors import course_page_groups

        context = super().get_context(request, *args, **kwargs)
        # Anything longer than a town's name is not one; it is echoed back, so keep it short.
        place = request.GET.get(PLACE_PARAMETER, "")[:MAX_PLACE_LENGTH]
        course_groups = course_page_groups(
            course=self,
            place=place,
            month=request.GET.get(MONTH_PARAMETER, ""),
            page=request.GET.get(PAGE_PARAMETER, "1"),
        )
        context["course_groups"] = course_groups
        context["groups"] = course_groups.groups
        return context
