import math
from functools import partial, reduce
from operator import or_

from django import forms
from django.db import models
from django.db.models import Q, prefetch_related_objects
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Locale, Page, TranslatableMixin
from wagtail.search import index
from wagtail.snippets.models import register_snippet
from wagtail_localize.fields import SynchronizedField, TranslatableField

from core.blocks import RICH_TEXT_FEATURES, BodyBlock
from core.choices import Province
from core.locale import untranslated_original
from core.search import SearchContent, plain_text
from core.site_url import absolute_url

from .blocks import PracticeExampleBodyBlock

WORDS_PER_MINUTE = 180  # a calm pace: many of our readers read with some effort


@register_snippet
class Theme(TranslatableMixin, models.Model):
    """A subject a story is about: taal, digitale vaardigheden, rekenen, NT1, ...

    The slug is the same in every language, so a filtered URL means the same in /nl/ and /en/.
    """

    name = models.CharField(_("name"), max_length=80, help_text=_("E.g. Digital skills."))
    slug = models.SlugField(
        _("slug"), max_length=80, help_text=_("Used in web addresses; the same in every language.")
    )

    panels = [FieldPanel("name"), FieldPanel("slug")]
    translatable_fields = [TranslatableField("name"), SynchronizedField("slug")]

    class Meta(TranslatableMixin.Meta):
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="theme_slug_unique_per_locale")
        ]

    def __str__(self):
        return self.name


def default_locale():
    return {"locale": Locale.get_default()}


class StoryPage(Page):
    """What interviews and practice examples share: summary, hero image, themes, body."""

    summary = models.TextField(
        _("summary"),
        max_length=300,
        help_text=_("One or two sentences for lists, search results and social media."),
    )
    date = models.DateField(
        _("date"), help_text=_("The date the story is about or was written; shown to readers.")
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Large image at the top. Landscape, at least 1200 pixels wide."),
    )
    hero_image_alt = models.CharField(
        _("hero image: alt text"),
        max_length=200,
        blank=True,
        help_text=_("Describe what the image shows for people who cannot see it."),
    )
    themes = ParentalManyToManyField(
        Theme,
        blank=True,
        # Slugs are the same in every language: pages link the themes of the default language
        # and show each theme's name in the page's own language.
        limit_choices_to=default_locale,
        related_name="+",
        verbose_name=_("themes"),
        help_text=_("One or more."),
    )
    province = models.CharField(
        _("province"),
        max_length=20,
        choices=Province.choices,
        blank=True,
        help_text=_("Where the story takes place."),
    )
    partner_organisations = ParentalManyToManyField(
        "booking.Organisation",
        blank=True,
        related_name="+",
        verbose_name=_("partner organisations"),
        help_text=_("Libraries and SW companies that work together in this story."),
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), help_text=_("The story itself."))

    story_panels = [
        FieldPanel("summary"),
        FieldPanel("date"),
        MultiFieldPanel(
            [FieldPanel("hero_image"), FieldPanel("hero_image_alt")], heading=_("Hero image")
        ),
        MultiFieldPanel(
            [
                FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
                FieldPanel("province"),
                FieldPanel("partner_organisations"),
            ],
            heading=_("Find this story"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("locale_id"),
    ]
    parent_page_types = ["stories.StoryIndexPage"]
    subpage_types = []

    class Meta:
        abstract = True

    # Fields naming an organisation; the index's organisation filter looks in all of them.
    organisation_fields = ("partner_organisations",)
    # Fields that the site search reads as text, and those that name a place (keywords).
    search_text_fields = ("body",)
    search_place_fields = ()

    @classmethod
    def organisation_q(cls, slug: str) -> Q:
        return reduce(or_, (Q(**{f"{field}__slug": slug}) for field in cls.organisation_fields))

    @cached_property
    def reading_minutes(self):
        # Counted from the stored block values: rendering the body twice would double the
        # cost of the page.
        words = len(plain_text(self.body.raw_data).split()) + len(self.summary.split())
        return max(1, math.ceil(words / WORDS_PER_MINUTE))

    @property
    def kind_label(self):
        return self._meta.verbose_name

    def search_content(self) -> SearchContent:
        """Summary and date for cards; themes (in the story's language), province and
        organisations as keywords; the body and the model's own fields as text."""
        slugs = [theme.slug for theme in self.themes.all()]
        names = dict(Theme.objects.filter(slug__in=slugs).values_list("slug", "name"))
        names.update(
            Theme.objects.filter(slug__in=slugs, locale=self.locale).values_list("slug", "name")
        )
        keywords = [
            *names.values(),
            self.get_province_display(),
            *(getattr(self, name) for name in self.search_place_fields),
            *(organisation.name for organisation in self.organisations()),
        ]
        return SearchContent(
            summary=self.summary,
            date=self.date,
            keywords=[word for word in keywords if word],
            text=[plain_text(getattr(self, name)) for name in self.search_text_fields],
        )

    def get_context(self, request, *args, **kwargs):
        from .selectors import related_stories

        context = super().get_context(request, *args, **kwargs)
        # Callables: the template calls them only when their cached fragment is stale.
        context["related_stories"] = partial(related_stories, self)
        context["structured_data"] = partial(self.structured_data, request)
        context["themes"] = self.localized_themes
        return context

    def localized_themes(self):
        """(slug, label) of this story's themes, labelled in the story's language."""
        from .selectors import label_themes

        if not hasattr(self, "theme_list"):
            prefetch_related_objects([self], "themes")
            label_themes([self], self.locale)
        return self.theme_list

    def structured_data(self, request):
        """schema.org Article for search engines (rendered as JSON-LD)."""
        modified = self.last_published_at or self.latest_revision_created_at
        data = {
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": self.title,
            "description": self.summary,
            "datePublished": self.date.isoformat(),
            "dateModified": (modified.date() if modified else self.date).isoformat(),
            # An alias of an untranslated story shows the original's text.
            "inLanguage": (untranslated_original(self) or self).locale.language_code,
            "url": self.get_full_url(request),
            "mainEntityOfPage": self.get_full_url(request),
            "publisher": {"@type": "Organization", "name": "Leerplein"},
            "keywords": [label for _slug, label in self.localized_themes()],
        }
        if self.hero_image:
            rendition = self.hero_image.get_rendition("fill-1200x630|format-jpeg")
            data["image"] = absolute_url(rendition.url)
        return data


class InterviewPage(StoryPage):
    """A conversation with someone from a library or SW company."""

    interviewee = models.CharField(
        _("interviewee"), max_length=120, help_text=_("Name of the person interviewed.")
    )
    interviewee_role = models.CharField(
        _("role"), max_length=120, blank=True, help_text=_("E.g. coordinator of the Taalhuis.")
    )
    interviewee_organisation = models.ForeignKey(
        "booking.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Where the interviewee works."),
    )
    portrait = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("portrait"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Photo of the interviewee, with their permission."),
    )
    portrait_alt = models.CharField(
        _("portrait: alt text"),
        max_length=200,
        blank=True,
        help_text=_("E.g. Portrait of Ijlal, smiling, in the library."),
    )

    content_panels = [
        *Page.content_panels,
        *StoryPage.story_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("interviewee"), FieldPanel("interviewee_role")]),
                FieldPanel("interviewee_organisation"),
                FieldRowPanel([FieldPanel("portrait"), FieldPanel("portrait_alt")]),
            ],
            heading=_("Who we spoke to"),
        ),
        FieldPanel("body"),
    ]
    search_fields = [*StoryPage.search_fields, index.SearchField("interviewee")]
    organisation_fields = ("partner_organisations", "interviewee_organisation")
    search_text_fields = ("body", "interviewee", "interviewee_role")

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")

    def organisations(self):
        return [o for o in [self.interviewee_organisation, *self.partner_organisations.all()] if o]


class PracticeExamplePage(StoryPage):
    """How one library and one SW company work together, with the facts to copy it."""

    # The story blocks, and the partnership's live figures (stories/blocks.py).
    body = StreamField(
        PracticeExampleBodyBlock(), verbose_name=_("body"), help_text=_("The story itself.")
    )

    library = models.ForeignKey(
        "booking.Organisation",
        verbose_name=_("library"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"kind": "library"},
        help_text=_("The library in this partnership."),
    )
    sw_company = models.ForeignKey(
        "booking.Organisation",
        verbose_name=_("SW company"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"kind": "sw_company"},
        help_text=_("The SW company in this partnership."),
    )
    municipality = models.CharField(
        _("municipality"), max_length=100, blank=True, help_text=_("E.g. Gouda.")
    )
    start_year = models.PositiveSmallIntegerField(
        _("start year"), null=True, blank=True, help_text=_("The year the partnership started.")
    )
    target_groups = models.TextField(
        _("target groups"),
        blank=True,
        help_text=_("For whom? E.g. employees who want to read and write better."),
    )
    meetings_per_week = models.PositiveSmallIntegerField(
        _("meetings a week"), null=True, blank=True, help_text=_("How often the group meets.")
    )
    course_length = models.CharField(
        _("length"),
        max_length=100,
        blank=True,
        help_text=_("E.g. five meetings, or one school year."),
    )
    group_size = models.PositiveSmallIntegerField(
        _("group size"), null=True, blank=True, help_text=_("Participants per group.")
    )
    funding = models.TextField(
        _("funding"), blank=True, help_text=_("Who pays? E.g. WEB funds through the municipality.")
    )
    roles = RichTextField(
        _("who does what"),
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text=_("The tasks of the library, the SW company, teachers and volunteers."),
    )
    participant_count = models.PositiveIntegerField(
        _("number of participants"),
        null=True,
        blank=True,
        help_text=_("How many people took part so far."),
    )
    results = models.TextField(
        _("results"), blank=True, help_text=_("What did it bring? Numbers and experiences.")
    )
    tips = StreamField(
        [("tip", blocks.TextBlock(label=_("Tip")))],
        blank=True,
        verbose_name=_("tips"),
        help_text=_("Advice for others who want to start. One tip per block."),
    )

    content_panels = [
        *Page.content_panels,
        *StoryPage.story_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("library"), FieldPanel("sw_company")]),
                FieldRowPanel([FieldPanel("municipality"), FieldPanel("start_year")]),
                FieldPanel("target_groups"),
                FieldRowPanel(
                    [
                        FieldPanel("meetings_per_week"),
                        FieldPanel("course_length"),
                        FieldPanel("group_size"),
                    ]
                ),
                FieldPanel("funding"),
                FieldPanel("roles"),
                FieldRowPanel([FieldPanel("participant_count"), FieldPanel("results")]),
            ],
            heading=_("Facts"),
        ),
        FieldPanel("body"),
        FieldPanel("tips"),
    ]
    search_fields = [
        *StoryPage.search_fields,
        index.SearchField("municipality"),
        index.SearchField("target_groups"),
        index.SearchField("results"),
    ]
    organisation_fields = ("partner_organisations", "library", "sw_company")
    search_place_fields = ("municipality",)
    search_text_fields = (
        "body",
        "target_groups",
        "funding",
        "roles",
        "results",
        "tips",
    )

    class Meta:
        verbose_name = _("practice example")
        verbose_name_plural = _("practice examples")

    def organisations(self):
        seen = [o for o in [self.library, self.sw_company, *self.partner_organisations.all()] if o]
        return list(dict.fromkeys(seen))


STORY_MODELS = (InterviewPage, PracticeExamplePage)


class StoryIndexPage(Page):
    """The list of stories, with filters, search, pagination and feeds."""

    intro = RichTextField(
        _("introduction"),
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text=_("A few sentences above the list of stories."),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["stories.InterviewPage", "stories.PracticeExamplePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("story index")

    def get_context(self, request, *args, **kwargs):
        from .filters import StoryFilter

        context = super().get_context(request, *args, **kwargs)
        context["story_filter"] = StoryFilter(request.GET, index_page=self)
        return context
