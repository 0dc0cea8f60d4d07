from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from core.choices import Province


class Organisation(index.Indexed, models.Model):
    """A public library or a sociale werkbedrijf (SW company).

    Stories name them as partners; libraries host course groups and SW companies book seats in
    them. Proper names are not translated, so this is not a translatable model.
    """

    class Kind(models.TextChoices):
        LIBRARY = "library", _("Library")
        SW_COMPANY = "sw_company", _("SW company")
        REFERRAL_PARTNER = "referral_partner", _("Referral partner")

    name = models.CharField(
        _("name"), max_length=200, help_text=_("The name people know, e.g. Bibliotheek Gouda.")
    )
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_("Short name in web addresses, e.g. bibliotheek-gouda."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind.choices,
        help_text=_(
            "A library, an SW company, or a referral partner: another organisation that sends "
            "learners, such as UWV, a social team or a roc."
        ),
    )
    municipality = models.CharField(
        _("municipality"),
        max_length=100,
        blank=True,
        help_text=_("Municipality of the main office."),
    )
    province = models.CharField(
        _("province"),
        max_length=20,
        choices=Province.choices,
        blank=True,
        help_text=_("Province of the main office."),
    )
    website = models.URLField(_("website"), blank=True, help_text=_("Full address, with https://."))
    email = models.EmailField(
        _("e-mail address"),
        blank=True,
        help_text=_("Where partners can write about courses and bookings."),
    )
    phone = models.CharField(
        _("phone number"),
        max_length=30,
        blank=True,
        help_text=_("Shown to contact persons who need to call, e.g. after a deadline."),
    )

    history = HistoricalRecords()

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("kind"),
        FieldPanel("municipality"),
        FieldPanel("province"),
        FieldPanel("website"),
        FieldPanel("email"),
        FieldPanel("phone"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    @property
    def is_library(self):
        return self.kind == self.Kind.LIBRARY

    @property
    def sends_learners(self) -> bool:
        """SW companies and referral partners book seats for the people they send."""
        return self.kind in SENDING_KINDS


SENDING_KINDS = (Organisation.Kind.SW_COMPANY, Organisation.Kind.REFERRAL_PARTNER)


class Location(models.Model):
    """Where a course group meets: a library branch, a neighbourhood building or an SW site.

    `organisation` runs the place; its library's coordinators look after it.
    """

    class Kind(models.TextChoices):
        LIBRARY = "library", _("Library branch")
        NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood building")
        SW_COMPANY = "sw_company", _("On location at the SW company")

    name = models.CharField(
        _("name"), max_length=200, help_text=_("E.g. Bibliotheek Gouda, Agnietenstraat.")
    )
    kind = models.CharField(
        _("kind of place"),
        max_length=20,
        choices=Kind.choices,
        help_text=_("A library branch, a building in the neighbourhood or the SW company itself."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="locations",
        help_text=_("The library or SW company this place belongs to."),
    )
    street_address = models.CharField(
        _("street and number"), max_length=200, help_text=_("E.g. Agnietenstraat 5.")
    )
    postal_code = models.CharField(_("postal code"), max_length=10, help_text=_("E.g. 2801 JS."))
    city = models.CharField(_("town or city"), max_length=100, help_text=_("E.g. Gouda."))
    accessibility_notes = models.TextField(
        _("accessibility"),
        blank=True,
        max_length=1000,
        help_text=_(
            "Plain words about getting in and around: lift, steps, parking, quiet room, toilet."
        ),
    )

    history = HistoricalRecords()

    panels = [
        FieldPanel("name"),
        FieldPanel("kind"),
        FieldPanel("organisation"),
        FieldPanel("street_address"),
        FieldPanel("postal_code"),
        FieldPanel("city"),
        FieldPanel("accessibility_notes"),
    ]

    class Meta:
        ordering = ["city", "name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["library", "neighbourhood", "sw_company"]),
                name="location_kind_valid",
            )
        ]

    def __str__(self):
        return f"{self.name}, {self.city}"

    @property
    def address(self):
        return f"{self.street_address}, {self.postal_code} {self.city}"


class Membership(models.Model):
    """Links a user to the one organisation they work for.

    A user linked to a library is that library's course coordinator; a user linked to an SW
    company is its contact person. A superuser needs no membership: they see everything.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="membership",
        help_text=_("The person's account."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
        help_text=_("The library they coordinate courses for, or the SW company they book for."),
    )
    phone = models.CharField(
        _("phone number"),
        max_length=30,
        blank=True,
        help_text=_("A direct number, for colleagues at the library or the SW company."),
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=settings.LANGUAGES,
        default="nl",
        help_text=_("The language of the e-mails this person receives."),
    )
    is_trainer = models.BooleanField(
        _("trainer"),
        default=False,
        help_text=_(
            "A trainer or volunteer of the library: sees the sessions of their own groups and "
            "marks attendance, and is not a coordinator."
        ),
    )

    history = HistoricalRecords()

    panels = [
        FieldPanel("user"),
        FieldPanel("organisation"),
        FieldPanel("phone"),
        FieldPanel("language"),
        FieldPanel("is_trainer"),
    ]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return f"{self.user} – {self.organisation}"

    def clean(self):
        if self.is_trainer and self.organisation_id and not self.organisation.is_library:
            raise ValidationError({"is_trainer": _("Only a library has trainers.")})
