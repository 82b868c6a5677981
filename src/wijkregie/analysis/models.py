"""Neighbourhood statistics: CBS "Kerncijfers wijken en buurten", one row per region and year.

CBS figures are open data for the whole country without personal data, so the table has no
tenant column (like `addresses.Address`): every municipality reads the same rows. They are the
denominators of the analysis pages (signals per 1,000 residents, per household).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionKind(models.TextChoices):
    GEMEENTE = "gemeente", _("Gemeente")
    WIJK = "wijk", _("Wijk")
    BUURT = "buurt", _("Buurt")


class AreaStatistic(models.Model):
    """Figures of one CBS region (GMxxxx, WKxxxxxx, BUxxxxxxxx) in one year.

    `values` holds every other numeric column of the export by its prefix in lower case
    (`mannen`, `gemiddeldinkomenperinwoner`, ...); missing figures are left out.
    """

    code = models.CharField(_("CBS-code"), max_length=10)
    kind = models.CharField(_("soort regio"), max_length=8, choices=RegionKind.choices)
    year = models.PositiveSmallIntegerField(_("jaar"))
    residents = models.PositiveIntegerField(_("inwoners"), null=True, blank=True)
    households = models.PositiveIntegerField(_("huishoudens"), null=True, blank=True)
    values = models.JSONField(_("overige kerncijfers"), default=dict, blank=True)

    class Meta:
        verbose_name = _("kerncijfers van een regio")
        verbose_name_plural = _("kerncijfers van regio's")
        constraints = [
            models.UniqueConstraint(fields=["code", "year"], name="area_statistic_code_year")
        ]
        indexes = [models.Index(fields=["year", "kind"], name="area_statistic_year_kind")]

    def __str__(self) -> str:
        return f"{self.code} {self.year}"
