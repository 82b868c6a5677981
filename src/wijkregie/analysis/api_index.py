"""GET /api/v1/analysis/index: the area index (Wijkprofiel style) of every buurt or wijk.

Formulas in `analysis.index`, inputs and privacy rules in `analysis.index_selectors`.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from wijkregie.analysis import index_selectors
from wijkregie.analysis.profile import AreaIndex
from wijkregie.api.schema import problem_responses
from wijkregie.api.views import ApiView
from wijkregie.areas.models import NeighbourhoodKind
from wijkregie.signals.api import api_viewer

YEAR_MIN, YEAR_MAX = 1990, 2100
KINDS = (NeighbourhoodKind.BUURT.value, NeighbourhoodKind.WIJK.value)


def parse_index_params(params: Any) -> tuple[int | None, str]:
    """`year` (optional, 1990-2100) and `kind` (buurt or wijk, default buurt); every problem
    at once as a ValidationError with stable codes."""
    errors: dict[str, list[ErrorDetail]] = {}
    year: int | None = None
    raw_year = (params.get("year") or "").strip()
    if raw_year:
        if raw_year.isdigit() and YEAR_MIN <= int(raw_year) <= YEAR_MAX:
            year = int(raw_year)
        else:
            errors["year"] = [
                ErrorDetail(
                    str(_("Geef het jaar als JJJJ tussen 1990 en 2100.")), code="invalid_year"
                )
            ]
    kind = (params.get("kind") or NeighbourhoodKind.BUURT).strip()
    if kind not in KINDS:
        errors["kind"] = [
            ErrorDetail(str(_("Kies buurt of wijk.")), code="invalid_kind"),
        ]
    if errors:
        raise ValidationError(errors)
    return year, kind


def _theme(theme: Any) -> dict[str, Any]:
    return {
        "key": theme.key,
        "label": theme.label,
        "objective": theme.objective,
        "subjective": theme.subjective,
        "score": theme.score,
        "band": theme.band,
    }


def index_document(
    *,
    areas: list[index_selectors.IndexArea],
    indexes: dict[str, AreaIndex],
    configured: bool,
    name: str,
    year: int,
    base_year: int | None,
    weights: tuple[float, float] | None,
    bands: list[dict[str, Any]],
    threshold: int | None,
    min_respondents: int | None,
) -> dict[str, Any]:
    return {
        "configured": configured,
        "name": name,
        "year": year,
        "base_year": base_year,
        "objective_weight": weights[0] if weights else None,
        "subjective_weight": weights[1] if weights else None,
        "bands": bands,
        "areas": [
            {
                "code": area.code,
                "name": area.name,
                "kind": area.kind,
                "score": indexes[area.code].score,
                "band": indexes[area.code].band,
                "themes": [_theme(t) for t in indexes[area.code].themes],
                "notes": list(indexes[area.code].notes),
            }
            for area in areas
            if area.code in indexes
        ],
        "meta": {"suppression_threshold": threshold, "min_respondents": min_respondents},
    }


class BandSerializer(serializers.Serializer):
    lower = serializers.FloatField(help_text="Scores from this value (inclusive) up to the next")
    label = serializers.CharField()  # type: ignore[assignment]  # shadows Field.label


class ThemeScoreSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Theme code, e.g. `veiligheid`")
    label = serializers.CharField()  # type: ignore[assignment]  # shadows Field.label
    objective = serializers.FloatField(
        allow_null=True,
        help_text="Mean of the signal indicators' scores (100 = municipality average in the "
        "base year, higher is better); null when unknown or suppressed",
    )
    subjective = serializers.FloatField(
        allow_null=True, help_text="Mean of the survey indicators' scores; null when unknown"
    )
    score = serializers.FloatField(
        allow_null=True,
        help_text="Weighted objective/subjective score; the side that is known when one is not",
    )
    band = serializers.CharField(allow_null=True)


class AreaIndexSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="CBS code (BU… or WK…)")
    name = serializers.CharField()
    kind = serializers.CharField(help_text="`buurt` or `wijk`")
    score = serializers.FloatField(allow_null=True, help_text="Weighted mean of the themes")
    band = serializers.CharField(allow_null=True)
    themes = ThemeScoreSerializer(many=True)
    notes = serializers.ListField(
        child=serializers.CharField(),
        help_text="Dutch remarks: missing sides, suppressed counts, older survey, running year",
    )


class IndexMetaSerializer(serializers.Serializer):
    suppression_threshold = serializers.IntegerField(
        allow_null=True,
        help_text="Signal counts from 1 to this minus 1 are suppressed for you; null: none are",
    )
    min_respondents = serializers.IntegerField(
        allow_null=True, help_text="Survey scores of fewer respondents are not used"
    )


class AreaIndexListSerializer(serializers.Serializer):
    configured = serializers.BooleanField(
        help_text="False when your municipality has no index; `areas` is then empty"
    )
    name = serializers.CharField()
    year = serializers.IntegerField()
    base_year = serializers.IntegerField(allow_null=True)
    objective_weight = serializers.FloatField(allow_null=True)
    subjective_weight = serializers.FloatField(allow_null=True)
    bands = BandSerializer(many=True)
    areas = AreaIndexSerializer(many=True)
    meta = IndexMetaSerializer()


class AreaIndexView(ApiView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "year",
                OpenApiTypes.INT,
                description="Calendar year (1990-2100); default the running year, whose "
                "signals are scaled to a whole year",
            ),
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                enum=list(KINDS),
                description="Areas: every `buurt` (default) or every `wijk` of your municipality",
            ),
        ],
        responses={
            (200, "application/json"): AreaIndexListSerializer,
            **problem_responses(400, 401, 404),
        },
        operation_id="analysis_index",
        summary="The area index (Wijkprofiel style) of every buurt or wijk",
        description=(
            "Themes of objective indicators (the signals visible to you per 1,000 residents "
            "per year, lower is better) and subjective indicators (resident survey scores), "
            "each normalised as 100 * (1 + s * (v - m) / m) with m the municipality average "
            "in the base year (100 = that average, higher is better, clipped to 0-200); a theme "
            "is the weighted mean of its objective and subjective side, the total the weighted "
            "mean of the themes, and each score has the band with the highest lower bound at "
            "or below it. For viewers without need-to-know, indicators with a small count "
            "(from 1 to the suppression threshold minus 1) blank their theme's objective side. "
            "Only for roles that read signals."
        ),
    )
    def get(self, request: Request) -> Response:
        viewer = api_viewer(request)
        if not viewer.reads_signals:
            raise Http404
        year, kind = parse_index_params(request.query_params)
        year = year if year is not None else index_selectors.default_index_year()
        definition = index_selectors.index_definition(viewer=viewer)
        threshold = viewer.small_count_threshold or None
        if definition is None:
            document = index_document(
                areas=[],
                indexes={},
                configured=False,
                name="",
                year=year,
                base_year=None,
                weights=None,
                bands=[],
                threshold=threshold,
                min_respondents=None,
            )
            return Response(document)
        areas = index_selectors.index_areas(viewer=viewer, kind=kind)
        indexes = index_selectors.area_index(
            viewer=viewer, codes=[a.code for a in areas], year=year
        )
        bands = index_selectors.index_bands(definition)
        document = index_document(
            areas=areas,
            indexes=indexes,
            configured=True,
            name=definition.name,
            year=year,
            base_year=int(definition.base_year),
            weights=(float(definition.objective_weight), float(definition.subjective_weight)),
            bands=[{"lower": b.lower, "label": b.label} for b in bands],
            threshold=threshold,
            min_respondents=int(definition.min_respondents),
        )
        return Response(document)
