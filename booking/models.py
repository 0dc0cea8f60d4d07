from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from home.choices import Province


class Organisation(index.Indexed, models.Model):
    """A public library or a sociale werkbedrijf (SW company).

    Stories name them as partners; the booking module (next issues) hangs course groups and
    bookings on them. Proper names are not translated, so this is not a translatable model.
    """

    class Kind(models.TextChoices):
        LIBRARY = "library", _("Library")
        SW_COMPANY = "sw_company", _("SW company")

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
        help_text=_("Is this a library or an SW company?"),
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

    history = HistoricalRecords()

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("kind"),
        FieldPanel("municipality"),
        FieldPanel("province"),
        FieldPanel("website"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name
