"""Neighbourhood statistics (CBS) and the configuration and survey scores of the area index.

CBS "Kerncijfers wijken en buurten", one row per region and year: CBS figures are open data
for the whole country without personal data, so the table has no
tenant column (like `addresses.Address`): every municipality reads the same rows. They are the
denominators of the analysis pages (signals per 1,000 residents, per household).

The area index (Wijkprofiel style, see `analysis.index` for the formulas) is configured per
municipality: an `IndexDefinition` with its class bands (`IndexBand`), themes (`IndexTheme`)
and indicators (`IndexIndicator`, objective: signals per 1,000 residents; subjective: a survey
question). Survey results per area are `SurveyScore` rows, imported from CSV
(`analysis.survey`). Every index table carries the tenant key.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wijkregie.signals.models import Category, LifeDomain
from wijkregie.tenants.models import Municipality


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


# ---------------------------------------------------------------------------------------------
# Area index (Wijkprofiel style)

YEAR_VALIDATORS = [MinValueValidator(1990), MaxValueValidator(2100)]
WEIGHT_VALIDATORS = [MinValueValidator(0.0), MaxValueValidator(100.0)]
DEFAULT_MIN_RESPONDENTS = 30
MIN_RESPONDENTS_FLOOR = 10


class IndexDefinition(models.Model):
    """The area index of one municipality: base year, weights and respondent threshold."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.PROTECT, related_name="area_index"
    )
    name = models.CharField(_("naam"), max_length=100, default="Wijkindex")
    base_year = models.PositiveSmallIntegerField(
        _("basisjaar"),
        validators=YEAR_VALIDATORS,
        help_text=_("100 is het gemiddelde van de gemeente in dit jaar."),
    )
    objective_weight = models.FloatField(
        _("gewicht objectief"), default=0.5, validators=WEIGHT_VALIDATORS
    )
    subjective_weight = models.FloatField(
        _("gewicht subjectief"), default=0.5, validators=WEIGHT_VALIDATORS
    )
    min_respondents = models.PositiveIntegerField(
        _("minimum aantal respondenten"),
        default=DEFAULT_MIN_RESPONDENTS,
        validators=[MinValueValidator(MIN_RESPONDENTS_FLOOR)],
        help_text=_("Enquêtecijfers van minder respondenten worden niet getoond."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("wijkindex")
        verbose_name_plural = _("wijkindexen")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (self.objective_weight or 0) + (self.subjective_weight or 0) <= 0:
            raise ValidationError(
                {"subjective_weight": _("De gewichten samen moeten groter dan 0 zijn.")}
            )


class _IndexPart(models.Model):
    """Shared check: a part of the index belongs to the municipality of its definition."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True

    def _check_tenant(self, parent: Any, field: str, errors: dict[str, Any]) -> None:
        if (
            parent is not None
            and self.municipality_id is not None
            and parent.municipality_id != self.municipality_id
        ):
            errors[field] = _("Dit hoort bij een andere gemeente.")


class IndexBand(_IndexPart):
    """A class band: index scores from `lower` (inclusive) up to the next band's lower bound."""

    definition = models.ForeignKey(
        IndexDefinition, on_delete=models.CASCADE, related_name="bands", verbose_name=_("index")
    )
    lower = models.FloatField(_("ondergrens"))
    label = models.CharField(_("omschrijving"), max_length=60)

    class Meta:
        verbose_name = _("klasse")
        verbose_name_plural = _("klassen")
        ordering = ["definition", "lower"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "lower"], name="index_band_lower")
        ]

    def __str__(self) -> str:
        return f"{self.lower:g}: {self.label}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.definition_id is not None:
            self._check_tenant(self.definition, "definition", errors)
        if errors:
            raise ValidationError(errors)


class IndexTheme(_IndexPart):
    """A theme (e.g. Veiligheid): objective and subjective indicators, weighted together."""

    definition = models.ForeignKey(
        IndexDefinition, on_delete=models.CASCADE, related_name="themes", verbose_name=_("index")
    )
    code = models.SlugField(_("code"), max_length=30)
    label = models.CharField(_("naam"), max_length=100)
    weight = models.FloatField(_("gewicht"), default=1.0, validators=WEIGHT_VALIDATORS)
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)

    class Meta:
        verbose_name = _("thema")
        verbose_name_plural = _("thema's")
        ordering = ["definition", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "code"], name="index_theme_code")
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.definition_id is not None:
            self._check_tenant(self.definition, "definition", errors)
        if errors:
            raise ValidationError(errors)


class IndicatorKind(models.TextChoices):
    OBJECTIVE = "objective", _("Objectief: signalen per 1.000 inwoners")
    SUBJECTIVE = "subjective", _("Subjectief: enquêtevraag")


class Direction(models.TextChoices):
    HIGHER_BETTER = "higher_better", _("Hoger is beter")
    LOWER_BETTER = "lower_better", _("Lager is beter")


class IndexIndicator(_IndexPart):
    """One indicator of a theme.

    Objective: the viewer's visible signals per 1,000 residents per year in the life domain
    and/or the categories (a main category includes its subcategories; neither: all signals);
    always "lower is better". Subjective: the survey score of `question`, in `direction`.
    """

    theme = models.ForeignKey(
        IndexTheme, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("thema")
    )
    code = models.SlugField(_("code"), max_length=50)
    label = models.CharField(_("naam"), max_length=100)
    kind = models.CharField(_("soort"), max_length=10, choices=IndicatorKind.choices)
    life_domain = models.ForeignKey(
        LifeDomain,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("leefgebied"),
    )
    categories = models.ManyToManyField(
        Category, blank=True, related_name="+", verbose_name=_("categorieën")
    )
    question = models.CharField(_("enquêtevraag (code)"), max_length=50, blank=True)
    direction = models.CharField(
        _("richting"), max_length=15, choices=Direction.choices, default=Direction.HIGHER_BETTER
    )
    weight = models.FloatField(_("gewicht"), default=1.0, validators=WEIGHT_VALIDATORS)
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicatoren")
        ordering = ["theme", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "code"], name="index_indicator_code")
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.theme_id is not None:
            self._check_tenant(self.theme, "theme", errors)
        if self.life_domain_id is not None and self.life_domain is not None:
            self._check_tenant(self.life_domain, "life_domain", errors)
        self.question = (self.question or "").strip()
        if self.kind == IndicatorKind.SUBJECTIVE:
            if not self.question:
                errors["question"] = _("Een subjectieve indicator heeft een enquêtevraag.")
            if self.life_domain_id is not None:
                errors["life_domain"] = _("Een subjectieve indicator telt geen signalen.")
        elif self.kind == IndicatorKind.OBJECTIVE:
            if self.question:
                errors["question"] = _("Een objectieve indicator heeft geen enquêtevraag.")
            self.direction = Direction.LOWER_BETTER  # more signals is always worse
        if errors:
            raise ValidationError(errors)


class SurveyScore(models.Model):
    """The score of one survey question in one area (GM, WK or BU code) and year."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    area_code = models.CharField(_("gebiedscode"), max_length=10)
    year = models.PositiveSmallIntegerField(_("jaar"), validators=YEAR_VALIDATORS)
    question = models.CharField(_("vraag"), max_length=50)
    score = models.FloatField(_("score"))
    respondents = models.PositiveIntegerField(_("respondenten"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("enquêtescore")
        verbose_name_plural = _("enquêtescores")
        ordering = ["year", "question", "area_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "area_code", "year", "question"],
                name="survey_score_per_area_year_question",
            )
        ]
        indexes = [
            models.Index(fields=["municipality", "question", "year"], name="survey_score_question")
        ]

    def __str__(self) -> str:
        return f"{self.area_code} {self.year} {self.question}"
