"""The learning circle (leerkring): practice cards, effect measurements stored on them, and
the records of the circle's meetings.

The circle is cross-municipality. A card belongs to its municipality; only published cards are
visible to the other participating municipalities (`Participation`). Drafts stay within the
owner. Cards carry aggregate figures only: no signals, persons or addresses.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wijkregie.areas.models import FocusArea, Neighbourhood
from wijkregie.cases.models import Case
from wijkregie.tenants.models import Municipality

TEXT_MAX = 4000


class Participation(models.Model):
    """A municipality that takes part in the learning circle."""

    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.PROTECT,
        related_name="learning_participation",
        verbose_name=_("gemeente"),
    )
    active = models.BooleanField(_("neemt deel"), default=True)
    joined_on = models.DateField(_("deelname sinds"), default=timezone.localdate)

    class Meta:
        verbose_name = _("deelname aan de leerkring")
        verbose_name_plural = _("deelnames aan de leerkring")

    def __str__(self) -> str:
        return str(self.municipality)


class CardStatus(models.TextChoices):
    DRAFT = "concept", _("Concept")
    IN_REVIEW = "ter_beoordeling", _("Ter beoordeling")
    PUBLISHED = "gepubliceerd", _("Gepubliceerd")


class CardOrigin(models.TextChoices):
    LOCAL = "lokaal", _("Eigen kaart")
    IMPORTED = "geimporteerd", _("Geïmporteerd")


class AreaType(models.TextChoices):
    CENTRUM = "centrum", _("Binnenstad of centrum")
    VOOROORLOGS = "vooroorlogs", _("Vooroorlogse wijk")
    NAOORLOGS = "naoorlogs", _("Naoorlogse wijk")
    NIEUWBOUW = "nieuwbouw", _("Nieuwbouwwijk")
    DORP = "dorp", _("Dorp of kern")
    BEDRIJVEN = "bedrijven", _("Bedrijventerrein")
    GEMENGD = "gemengd", _("Gemengd")


class PracticeCard(models.Model):
    """One intervention described for other municipalities to learn from."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("gemeente")
    )
    origin = models.CharField(
        _("herkomst"), max_length=20, choices=CardOrigin.choices, default=CardOrigin.LOCAL
    )
    # The municipality that wrote the card (itself for local cards; the exporter for imports).
    source_name = models.CharField(_("gemeente van de praktijk"), max_length=100)
    source_code = models.CharField(_("CBS-code van de praktijk"), max_length=6, blank=True)
    title = models.CharField(_("titel"), max_length=200)
    problem = models.TextField(_("aangepakt probleem"), max_length=TEXT_MAX)
    approach = models.TextField(_("aanpak"), max_length=TEXT_MAX)
    life_domains = models.JSONField(_("leefgebieden"), default=list, blank=True)
    partners = models.TextField(_("partners"), max_length=1000, blank=True)
    effort = models.TextField(_("inzet"), max_length=1000, blank=True)
    cost_eur = models.PositiveIntegerField(_("kosten (euro)"), null=True, blank=True)
    area_type = models.CharField(_("soort gebied"), max_length=20, choices=AreaType.choices)
    area_figures = models.JSONField(_("CBS-kerncijfers van het gebied"), default=dict, blank=True)
    period_start = models.DateField(_("begin"), null=True, blank=True)
    period_end = models.DateField(_("einde"), null=True, blank=True)
    measured_effect = models.JSONField(_("gemeten effect"), null=True, blank=True)
    lessons = models.TextField(_("geleerde lessen"), max_length=TEXT_MAX, blank=True)
    contact_organisation = models.CharField(_("contactorganisatie"), max_length=200)
    focus_areas = models.ManyToManyField(
        FocusArea, blank=True, related_name="+", verbose_name=_("focusgebieden")
    )
    cases = models.ManyToManyField(Case, blank=True, related_name="+", verbose_name=_("casussen"))
    status = models.CharField(
        _("status"), max_length=20, choices=CardStatus.choices, default=CardStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("toelichting beoordeling"), max_length=1000, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("praktijkkaart")
        verbose_name_plural = _("praktijkkaarten")
        ordering = ["-published_at", "-updated_at", "-id"]
        indexes = [
            models.Index(fields=["status", "municipality"], name="card_status_tenant"),
        ]

    def __str__(self) -> str:
        return self.title


class Meeting(models.Model):
    """A meeting of the learning circle, recorded by one municipality and shown to all
    participants."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("vastgelegd door")
    )
    circle = models.CharField(_("leerkring"), max_length=200)
    number = models.PositiveSmallIntegerField(_("bijeenkomst nummer"), null=True, blank=True)
    date = models.DateField(_("datum"))
    theme = models.CharField(_("thema"), max_length=300)
    plenary = models.TextField(_("plenair programma"), max_length=TEXT_MAX, blank=True)
    participants = models.JSONField(_("deelnemende gemeenten"), default=list, blank=True)
    questions = models.TextField(_("vragen"), max_length=TEXT_MAX, blank=True)
    agreements = models.TextField(_("afspraken"), max_length=TEXT_MAX, blank=True)
    takeaways = models.TextField(_("opbrengst"), max_length=TEXT_MAX, blank=True)
    cards = models.ManyToManyField(
        PracticeCard, blank=True, related_name="meetings", verbose_name=_("praktijkkaarten")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("bijeenkomst leerkring")
        verbose_name_plural = _("bijeenkomsten leerkring")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.circle} — {self.date:%d-%m-%Y}"


class SessionKind(models.TextChoices):
    PLENARY = "plenair", _("Plenair")
    SUB = "subsessie", _("Subsessie")


class MeetingSession(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="sessions")
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    kind = models.CharField(_("soort"), max_length=20, choices=SessionKind.choices)
    title = models.CharField(_("titel"), max_length=300)
    facilitators = models.CharField(_("begeleiding"), max_length=500, blank=True)
    summary = models.TextField(_("samenvatting"), max_length=TEXT_MAX, blank=True)
    takeaways = models.TextField(_("opbrengst"), max_length=TEXT_MAX, blank=True)

    class Meta:
        verbose_name = _("sessie")
        verbose_name_plural = _("sessies")
        ordering = ["meeting", "order", "id"]

    def __str__(self) -> str:
        return self.title


# --- benchmarks between municipalities (slice 2; ADR 0016, "Benchmarks") --------------------


class BenchmarkGroupMapping(models.Model):
    """A municipality's category counted in one shared category group of the benchmark
    definitions (`learning.benchmark_definitions.CATEGORY_GROUPS`). A main category includes
    its subcategories unless a subcategory has a mapping of its own."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("gemeente")
    )
    category = models.ForeignKey(
        "signals.Category", on_delete=models.CASCADE, related_name="+", verbose_name=_("categorie")
    )
    group = models.CharField(_("gedeelde categoriegroep"), max_length=30)

    class Meta:
        verbose_name = _("koppeling aan een benchmarkgroep")
        verbose_name_plural = _("koppelingen aan benchmarkgroepen")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "category"], name="benchmark_group_per_category"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.group}"


class BenchmarkArea(models.Model):
    """A focus area that the municipality publishes benchmark figures for, with its type."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("gemeente")
    )
    focus_area = models.OneToOneField(
        FocusArea, on_delete=models.CASCADE, related_name="+", verbose_name=_("focusgebied")
    )
    area_type = models.CharField(_("soort gebied"), max_length=20, choices=AreaType.choices)

    class Meta:
        verbose_name = _("focusgebied in de benchmark")
        verbose_name_plural = _("focusgebieden in de benchmark")

    def __str__(self) -> str:
        return str(self.focus_area)


class BenchmarkSnapshot(models.Model):
    """The published aggregate figures of one municipality for one period (numbers only)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("gemeente")
    )
    period = models.CharField(_("periode"), max_length=7)  # "2026" or "2026-Q3"
    period_start = models.DateField(_("begin"))
    period_end = models.DateField(_("einde"))  # exclusive
    complete = models.BooleanField(_("periode afgelopen"), default=False)
    threshold = models.PositiveSmallIntegerField(_("drempel kleine aantallen"))
    published_at = models.DateTimeField(_("gepubliceerd op"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("gepubliceerde benchmark")
        verbose_name_plural = _("gepubliceerde benchmarks")
        ordering = ["-period_start", "municipality_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "period"], name="benchmark_snapshot_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.period}"


class BenchmarkValue(models.Model):
    """One published number: an aggregate of a focus area, never anything below it."""

    snapshot = models.ForeignKey(BenchmarkSnapshot, on_delete=models.CASCADE, related_name="rows")
    area_label = models.CharField(_("gebied"), max_length=100)
    area_type = models.CharField(_("soort gebied"), max_length=20, choices=AreaType.choices)
    definition = models.CharField(_("definitie"), max_length=50)
    count = models.PositiveIntegerField(_("aantal"), null=True, blank=True)
    value = models.FloatField(_("waarde"), null=True, blank=True)  # per 1,000 residents or score
    suppressed = models.BooleanField(_("afgeschermd"), default=False)

    class Meta:
        verbose_name = _("benchmarkcijfer")
        verbose_name_plural = _("benchmarkcijfers")
        ordering = ["snapshot", "definition", "area_type", "area_label", "id"]
        indexes = [models.Index(fields=["definition", "snapshot"], name="benchmark_value_def")]

    def __str__(self) -> str:
        return f"{self.area_label} {self.definition}"


# --- public neighbourhood actions (wijkacties) ---------------------------------------------


ACTION_TEXT_MAX = 2000


class ActionStatus(models.TextChoices):
    PLANNED = "gepland", _("Gepland")
    ONGOING = "lopend", _("Loopt nu")
    DONE = "afgerond", _("Afgerond")


class PublicAction(models.Model):
    """What the municipality and its partners do in some buurten, told to residents on the
    public neighbourhood page (/wijk/<GM>/<BU>/) once published. It holds no personal data
    (texts are checked on save) and the public page never shows who wrote or published it.

    The action counts for its own buurten and, when a focus area is set, for the buurten of
    that focus area as they are at the time the page is shown."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("gemeente")
    )
    neighbourhoods = models.ManyToManyField(
        Neighbourhood, blank=True, related_name="+", verbose_name=_("buurten")
    )
    focus_area = models.ForeignKey(
        FocusArea,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("focusgebied"),
    )
    title = models.CharField(_("titel"), max_length=200)
    description = models.TextField(_("omschrijving"), max_length=ACTION_TEXT_MAX)
    organisations = models.CharField(_("uitgevoerd door"), max_length=300, blank=True)
    start_date = models.DateField(_("begindatum"))
    end_date = models.DateField(_("einddatum"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    published = models.BooleanField(_("gepubliceerd"), default=False)
    published_at = models.DateTimeField(_("gepubliceerd op"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("wijkactie")
        verbose_name_plural = _("wijkacties")
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["municipality", "published"], name="action_tenant_published"),
        ]

    def __str__(self) -> str:
        return self.title
