from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.TextChoices):
    """The twelve Dutch provinces; stored by slug so URLs read the same in both languages."""

    DRENTHE = "drenthe", "Drenthe"
    FLEVOLAND = "flevoland", "Flevoland"
    FRIESLAND = "friesland", "Fryslân"
    GELDERLAND = "gelderland", "Gelderland"
    GRONINGEN = "groningen", "Groningen"
    LIMBURG = "limburg", "Limburg"
    NOORD_BRABANT = "noord-brabant", _("North Brabant")
    NOORD_HOLLAND = "noord-holland", _("North Holland")
    OVERIJSSEL = "overijssel", "Overijssel"
    UTRECHT = "utrecht", "Utrecht"
    ZEELAND = "zeeland", _("Zeeland")
    ZUID_HOLLAND = "zuid-holland", _("South Holland")
