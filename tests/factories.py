"""Factories shared across the apps' tests: images, organisations, themes and the page tree."""

import datetime
import io

import factory
import wagtail_factories
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Locale

from booking.models import Organisation
from core.choices import Province
from home.models import ContactPage, FormField, HomePage, StandardPage
from stories.models import InterviewPage, PracticeExamplePage, StoryIndexPage, Theme


def image_file(name="test.png", size=(320, 180), colour=(30, 80, 140)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, "PNG")
    return ImageFile(buffer, name=name)


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_image_model()

    title = factory.Sequence(lambda n: f"Image {n}")
    file = factory.LazyFunction(image_file)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Bibliotheek {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = Organisation.Kind.LIBRARY
    municipality = "Gouda"
    province = Province.ZUID_HOLLAND

    class Params:
        sw_company = factory.Trait(kind=Organisation.Kind.SW_COMPANY, name="Promen")


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("slug", "locale")

    name = factory.Sequence(lambda n: f"Thema {n}")
    slug = factory.Sequence(lambda n: f"thema-{n}")
    locale = factory.LazyFunction(Locale.get_default)


class HomePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = HomePage

    title = "Leerplein"
    slug = "leerplein"
    intro = "<p>Bibliotheken en SW-bedrijven werken samen aan basisvaardigheden.</p>"


class StandardPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = StandardPage

    title = "Over Leerplein"
    intro = "Wie we zijn en wat we doen."
    body = [("paragraph", "<p>Leerplein brengt bibliotheken en SW-bedrijven bij elkaar.</p>")]


class ContactPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ContactPage
        skip_postgeneration_save = True

    title = "Breng ons in contact"
    slug = "contact"

    @factory.post_generation
    def fields(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook
        if not create or obj.form_fields.exists():
            return
        specs = [
            ("Organisatie", "singleline", ""),
            ("Soort organisatie", "dropdown", "Bibliotheek\nSW-bedrijf\nAnders"),
            ("Gemeente", "singleline", ""),
            ("E-mailadres", "email", ""),
            ("Bericht", "multiline", ""),
        ]
        for order, (label, field_type, choices) in enumerate(specs):
            FormField.objects.create(
                page=obj,
                sort_order=order,
                label=label,
                field_type=field_type,
                choices=choices,
                required=True,
                locale=obj.locale,
            )


class StoryIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = StoryIndexPage

    title = "Verhalen"
    slug = "verhalen"


def _set_and_publish(field):
    """A post-generation hook: set a many-to-many field of the page and publish it again."""

    def hook(obj, create, extracted, **kwargs):
        if create and extracted:
            getattr(obj, field).set(extracted)
            obj.save_revision().publish()

    return hook


class StoryFactoryMixin(factory.Factory):
    summary = factory.Faker("sentence", locale="nl_NL")
    date = factory.Sequence(lambda n: datetime.date(2021, 1, 1) + datetime.timedelta(days=n))
    hero_image = factory.SubFactory(ImageFactory)
    hero_image_alt = "Een groep mensen achter laptops in de bibliotheek"
    body = [("paragraph", "<p>De bibliotheek en het SW-bedrijf werken samen.</p>")]

    themes = factory.PostGeneration(_set_and_publish("themes"))
    partners = factory.PostGeneration(_set_and_publish("partner_organisations"))


class PracticeExamplePageFactory(StoryFactoryMixin, wagtail_factories.PageFactory):
    class Meta:
        model = PracticeExamplePage
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Praktijkvoorbeeld {n}")
    municipality = "Gouda"
    start_year = 2018
    meetings_per_week = 2
    group_size = 5
    participant_count = 70
    tips = [("tip", "Begin klein en vier successen.")]


class InterviewPageFactory(StoryFactoryMixin, wagtail_factories.PageFactory):
    class Meta:
        model = InterviewPage
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Interview {n}")
    interviewee = "Ijlal"
    interviewee_role = "coördinator Taalhuis"
