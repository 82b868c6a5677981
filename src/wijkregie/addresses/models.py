"""The national address register: a local copy of a BAG-style extract.

BAG is open data for the whole country, so the register has no tenant column: every
municipality looks up the same addresses. Identifiers are kept as 16-character text because
their leading zeros are significant.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Address(models.Model):
    postcode = models.CharField(_("postcode"), max_length=6)
    huisnummer = models.PositiveIntegerField(_("huisnummer"))
    huisletter = models.CharField(_("huisletter"), max_length=1, blank=True, default="")
    toevoeging = models.CharField(_("huisnummertoevoeging"), max_length=4, blank=True, default="")
    rd_x = models.FloatField()
    rd_y = models.FloatField()
    lat = models.FloatField()
    lon = models.FloatField()
    verblijfsobject_id = models.CharField(max_length=16, blank=True, default="")
    nummeraanduiding_id = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        verbose_name = _("adres")
        verbose_name_plural = _("adressen")
        constraints = [
            models.UniqueConstraint(
                fields=["postcode", "huisnummer", "huisletter", "toevoeging"],
                name="address_unique_number",
            )
        ]
        indexes = [
            models.Index(fields=["nummeraanduiding_id"], name="address_nummeraanduiding"),
        ]

    def __str__(self) -> str:
        number = f"{self.huisnummer}{self.huisletter}"
        if self.toevoeging:
            number += f"-{self.toevoeging}"
        return f"{self.postcode[:4]} {self.postcode[4:]} {number}"
