"""StreamField blocks shared by standard pages and stories.

Each block renders with its own template in templates/components/blocks/.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading"), help_text=_("Keep it short: a few words."))
    level = blocks.ChoiceBlock(
        choices=[("h2", _("Heading")), ("h3", _("Subheading"))],
        default="h2",
        label=_("Level"),
        help_text=_("Use a subheading only below a heading."),
    )

    class Meta:
        icon = "title"
        template = "components/blocks/heading.html"


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageBlock(
        label=_("Image"), help_text=_("Describe what the image shows in the alt text.")
    )
    caption = blocks.CharBlock(
        required=False, label=_("Caption"), help_text=_("Shown below the image. Optional.")
    )

    class Meta:
        icon = "image"
        template = "components/blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"), help_text=_("The words, without quotation marks."))
    attribution = blocks.CharBlock(
        required=False, label=_("Who said it"), help_text=_("Name and role, e.g. Ijlal, Taalhuis.")
    )

    class Meta:
        icon = "openquote"
        template = "components/blocks/quote.html"


class QuestionAnswerBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), help_text=_("The interviewer's question."))
    answer = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES, label=_("Answer"), help_text=_("The answer, in plain words.")
    )

    class Meta:
        icon = "help"
        template = "components/blocks/question_answer.html"


class FactBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Label"), help_text=_("E.g. Participants."))
    value = blocks.CharBlock(label=_("Value"), help_text=_("E.g. 70 at the peak."))


class FactsBoxBlock(blocks.StructBlock):
    title = blocks.CharBlock(
        label=_("Title"), default=_("Facts"), help_text=_("Title of the box, e.g. In short.")
    )
    facts = blocks.ListBlock(FactBlock(), label=_("Facts"), help_text=_("One fact per row."))

    class Meta:
        icon = "list-ul"
        template = "components/blocks/facts_box.html"


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), help_text=_("What can the reader do?"))
    text = blocks.TextBlock(required=False, label=_("Text"), help_text=_("One or two sentences."))
    page = blocks.PageChooserBlock(
        required=False, label=_("Page"), help_text=_("Link to a page on this site, or ...")
    )
    url = blocks.URLBlock(
        required=False, label=_("Web address"), help_text=_("... a web address elsewhere.")
    )
    button_label = blocks.CharBlock(label=_("Button text"), help_text=_("E.g. Get in touch."))

    class Meta:
        icon = "pick"
        template = "components/blocks/call_to_action.html"


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES,
        label=_("Paragraph"),
        help_text=_("Short sentences; one idea per paragraph."),
        template="components/blocks/paragraph.html",
    )
    heading = HeadingBlock(label=_("Heading"))
    image = CaptionedImageBlock(label=_("Image"))
    quote = QuoteBlock(label=_("Quote"))
    question_answer = QuestionAnswerBlock(label=_("Question and answer"))
    facts = FactsBoxBlock(label=_("Facts box"))
    call_to_action = CallToActionBlock(label=_("Call to action"))
    embed = EmbedBlock(
        label=_("Embed"),
        help_text=_("Address of a video, e.g. on YouTube or Vimeo."),
        template="components/blocks/embed.html",
    )
