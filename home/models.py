from functools import partial

from django import forms
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks as wagtail_blocks
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    PageChooserPanel,
)
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from core.blocks import RICH_TEXT_FEATURES, BodyBlock
from core.locale import real_pages
from core.search import SearchContent, plain_text
from home.notifications import contact_form_submitted


class HomePage(Page):
    """The front door: what Leerplein is, stories chosen by editors, the latest stories."""

    intro = RichTextField(
        _("introduction"),
        features=RICH_TEXT_FEATURES,
        help_text=_("Two or three short sentences: what Leerplein is and for whom."),
    )
    cta_title = models.CharField(
        _("call to action: title"),
        max_length=120,
        default=_("Work together?"),
        help_text=_("Heading of the 'work together?' block."),
    )
    cta_text = models.TextField(
        _("call to action: text"),
        blank=True,
        help_text=_("Invite libraries and SW companies to get in touch. Keep it short."),
    )
    cta_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("call to action: page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Usually the contact page."),
    )
    cta_button = models.CharField(
        _("call to action: button text"),
        max_length=60,
        default=_("Put us in touch"),
        help_text=_("What the button says."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        InlinePanel(
            "featured_stories",
            label=_("Featured stories"),
            help_text=_("Stories shown first on the home page, in this order."),
            max_num=6,
        ),
        MultiFieldPanel(
            [
                FieldPanel("cta_title"),
                FieldPanel("cta_text"),
                FieldPanel("cta_page"),
                FieldPanel("cta_button"),
            ],
            heading=_("Work together?"),
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    max_count_per_parent = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Callables: the template calls them only when their cached fragment is stale, so a
        # visitor who is signed in (never served the cached page) costs no story or course
        # queries.
        context["home_stories"] = self.stories
        context["home_courses"] = self.courses
        return context

    def stories(self) -> dict:
        """The stories chosen by editors, then the latest others, as cards."""
        from stories.selectors import latest_stories, story_cards

        featured = story_cards(self.featured_story_ids(), live_only=True, locale=self.locale)
        latest = latest_stories(locale=self.locale, exclude=[s.pk for s in featured], limit=3)
        return {"featured": featured, "latest": latest}

    def courses(self) -> dict:
        """The courses with groups planned, for the home page.

        The home page is kept whole in the page cache, so it names the planned groups (which
        only change when a coordinator plans or cancels one, and that clears the cache) and
        leaves the free seats to the course pages, which are always current.
        """
        from booking.models import CourseIndexPage
        from booking.selectors import course_overview

        index = CourseIndexPage.objects.child_of(self).live().first()
        if index is None:
            return {}
        planned = [course for course in course_overview(index, seats=False) if course.groups]
        return {"course_index": index, "courses": planned}

    def featured_story_ids(self):
        """The chosen stories written in this page's language, in the editors' order.

        Featured stories are copied as they are when the page is translated, so they may
        point at the Dutch stories; each is swapped for its translation, and left out where
        there is none yet (an alias would show Dutch text as English).
        """
        chosen = [f.story for f in self.featured_stories.select_related("story")]
        translated = dict(
            real_pages(
                Page.objects.filter(
                    translation_key__in=[story.translation_key for story in chosen],
                    locale_id=self.locale_id,
                )
            ).values_list("translation_key", "pk")
        )
        return [translated[s.translation_key] for s in chosen if s.translation_key in translated]


class FeaturedStory(Orderable):
    home_page = ParentalKey(HomePage, related_name="featured_stories", on_delete=models.CASCADE)
    story = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("story"),
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Choose an interview or a practice example."),
    )

    panels = [PageChooserPanel("story", ["stories.InterviewPage", "stories.PracticeExamplePage"])]


class StandardPage(Page):
    """A plain page: about Leerplein, privacy statement, accessibility statement."""

    intro = models.TextField(
        _("introduction"), blank=True, help_text=_("One or two sentences shown below the title.")
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), help_text=_("The page text."))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["home.HomePage", "home.StandardPage"]

    class Meta:
        verbose_name = _("standard page")

    search_kind = _("Page")

    def search_content(self) -> SearchContent:
        return SearchContent(
            summary=self.search_description or self.intro, text=[plain_text(self.body)]
        )


class FormField(TranslatableMixin, AbstractFormField):
    """A field of the contact form.

    Translatable so the English page can label its fields in English; the field's key
    (clean_name) stays synchronised so submissions in both languages line up in one table.
    """

    page = ParentalKey("ContactPage", related_name="form_fields", on_delete=models.CASCADE)

    translatable_fields = [
        TranslatableField("label"),
        TranslatableField("help_text"),
        TranslatableField("choices"),
        TranslatableField("default_value"),
        SynchronizedField("clean_name"),
        SynchronizedField("field_type"),
        SynchronizedField("required"),
    ]

    class Meta(TranslatableMixin.Meta, AbstractFormField.Meta):
        pass


def _answer(value) -> str:
    """A stored answer as text; the choices of a multiple-choice field are listed."""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


class ContactPage(AbstractForm):
    """'Put us in touch': a form built in the admin; answers are kept and e-mailed.

    The recipient comes from the site settings, so editors change it without a developer.
    A honeypot field catches most spam bots without bothering people.
    """

    HONEYPOT_FIELD = "website"

    intro = RichTextField(
        _("introduction"),
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text=_("Tell visitors what happens after they send the form."),
    )
    thank_you_text = RichTextField(
        _("thank-you text"),
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text=_("Shown after sending. Say when we will answer."),
    )

    content_panels = [
        *AbstractForm.content_panels,
        FormSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("Form fields")),
        FieldPanel("thank_you_text"),
    ]
    parent_page_types = ["home.HomePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("contact page")

    search_kind = _("Page")

    def search_content(self) -> SearchContent:
        return SearchContent(summary=self.search_description or plain_text(self.intro))

    def get_form_class(self):
        form_class = super().get_form_class()
        for field in form_class.base_fields.values():
            # A drop-down that starts on its first choice would send that choice unnoticed.
            if type(field.widget) is forms.Select and field.choices and field.choices[0][0]:
                field.choices = [("", _("Choose…")), *field.choices]
        honeypot = forms.CharField(
            label=_("Leave this field empty"),
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )
        return type(form_class.__name__, (form_class,), {self.HONEYPOT_FIELD: honeypot})

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        # The honeypot is rendered apart, hidden from people; it never reaches the submission.
        form.honeypot = form[self.HONEYPOT_FIELD]
        return form

    def process_form_submission(self, form):
        if form.cleaned_data.pop(self.HONEYPOT_FIELD, ""):
            return None
        submission = super().process_form_submission(form)
        # Queued, not sent here: a failing mail server must not cost the visitor their
        # thank-you page, and the queue retries it.
        transaction.on_commit(partial(contact_form_submitted.enqueue, submission.pk))
        return submission

    def notification_email(self, submission):
        """The editors' e-mail about a stored submission, None when nobody is to get it.

        In the language of the page the visitor used.
        """
        recipient = SiteSettings.for_site(self.get_site()).contact_form_recipient
        if not recipient:
            return None
        data = submission.get_data()
        with translation.override(self.locale.language_code):
            lines = [
                f"{field.label}: {_answer(data.get(field.clean_name, ''))}"
                for field in self.get_form_fields()
            ]
            subject = gettext("New request via the contact form of Leerplein")
        return EmailMessage(
            subject,
            "\n".join(lines),
            to=[recipient],
            # Out-of-office replies stay away from the no-reply sender (RFC 3834).
            headers={"Auto-Submitted": "auto-generated"},
        )


@register_setting(icon="cog")
class SiteSettings(BaseSiteSetting):
    """Contact details and footer links that editors keep up to date themselves."""

    contact_email = models.EmailField(
        _("contact e-mail"), blank=True, help_text=_("Shown in the footer for questions.")
    )
    contact_phone = models.CharField(
        _("contact phone"), max_length=30, blank=True, help_text=_("E.g. 070 123 45 67.")
    )
    contact_hours = models.CharField(
        _("phone hours"), max_length=120, blank=True, help_text=_("E.g. Monday to Friday, 9 to 17.")
    )
    contact_form_recipient = models.EmailField(
        _("contact form recipient"),
        blank=True,
        help_text=_("Who gets an e-mail for every message sent with the contact form."),
    )
    footer_links = StreamField(
        [
            (
                "link",
                wagtail_blocks.PageChooserBlock(label=_("Page")),
            )
        ],
        blank=True,
        verbose_name=_("footer links"),
        help_text=_("Pages linked in the footer, e.g. privacy and accessibility statement."),
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("contact_email"),
                FieldRowPanel([FieldPanel("contact_phone"), FieldPanel("contact_hours")]),
                FieldPanel("contact_form_recipient"),
            ],
            heading=_("Contact"),
        ),
        FieldPanel("footer_links"),
    ]

    class Meta:
        verbose_name = _("site settings")
