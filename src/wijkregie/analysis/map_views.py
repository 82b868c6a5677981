"""The analysis map (/kaart/): layers on a map, a legend in text and the same data as tables.

The page is complete without JavaScript: filters and layers are a GET form (so they live in
the URL), the legend is an HTML list and every layer's figures are tables with CSV downloads.
map-page.js draws the layers from the API (/api/v1/analysis/...), which uses the same
selectors, so map, tables and API show the same numbers.
"""

from __future__ import annotations

import csv
import math
import uuid as uuidlib
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wijkregie.analysis import map_selectors as ms
from wijkregie.analysis.gistar import COLD, HOT
from wijkregie.analysis.selectors import HotspotCells
from wijkregie.areas.access import access_focus_area, access_neighbourhood
from wijkregie.areas.selectors import focus_area_list, neighbourhood_list
from wijkregie.signals.selectors import category_list, life_domain_list
from wijkregie.tenants.access import Viewer, require_viewer

CLASS_LABELS = {HOT: gettext_lazy("hotspot"), COLD: gettext_lazy("coldspot")}


def map_reader(user: Any, access_point: str = "web") -> Viewer:
    """Roles that read signals; everyone else (privacy officer, beheerder) gets 404."""
    viewer = require_viewer(user, access_point)
    if not viewer.reads_signals:
        raise Http404
    return viewer


def check_area(viewer: Viewer, area: str) -> None:
    """An area filter must name a focus area (uuid) or a wijk/buurt (CBS code) of the
    viewer's municipality: anything else, foreign or missing, is a 404."""
    if not area:
        return
    try:
        uuidlib.UUID(area)
    except ValueError:
        access_neighbourhood(viewer, area.upper())
    else:
        access_focus_area(viewer, area)


def _map_query(request: HttpRequest, viewer: Viewer) -> ms.MapQuery:
    query = ms.MapQuery.from_query(request.GET)
    check_area(viewer, query.filters.area)
    return query


def shown_count(count: int, suppressed: bool, threshold: int) -> str:
    """A count as a viewer may see it: "< 5" when suppressed."""
    return f"< {threshold}" if suppressed else number_format(count, force_grouping=True)


def _decimal(value: float | None, places: int) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return number_format(value, decimal_pos=places, force_grouping=True)


def _p_value(value: float) -> str:
    if not math.isfinite(value):
        return "—"
    return "< " + number_format(0.0001, decimal_pos=4) if value < 0.0001 else _decimal(value, 4)


def decision_label(query: ms.MapQuery) -> str:
    """How a cell is judged significant, as the page and the CSV name it."""
    if query.fdr_on:
        return _("FDR %(alpha)s") % {"alpha": query.alpha}
    return _("ongecorrigeerd, p < %(alpha)s per cel") % {"alpha": query.alpha}


def choropleth_legend(choropleth: ms.Choropleth) -> list[dict[str, Any]]:
    """One entry per class that can occur: (css class, text). Class 0: no signals."""
    unit = _("per 1.000 inwoners") if choropleth.measure == "rate" else _("signalen")
    places = 1 if choropleth.measure == "rate" else 0
    entries = [{"klass": "0", "text": _("geen signalen")}]
    lower: float | None = None
    for index, upper in enumerate(choropleth.breaks, start=1):
        if lower is None:
            text = _("meer dan 0 tot en met %(upper)s %(unit)s") % {
                "upper": _decimal(upper, places),
                "unit": unit,
            }
        else:
            text = _("meer dan %(lower)s tot en met %(upper)s %(unit)s") % {
                "lower": _decimal(lower, places),
                "upper": _decimal(upper, places),
                "unit": unit,
            }
        entries.append({"klass": str(index), "text": text})
        lower = upper
    if choropleth.threshold:
        entries.append(
            {
                "klass": "suppressed",
                "text": _("minder dan %(n)s signalen: aantal afgeschermd")
                % {"n": choropleth.threshold},
            }
        )
    if choropleth.measure == "rate":
        entries.append({"klass": "unknown", "text": _("geen inwonersaantal bekend")})
    return entries


def buurt_rows(choropleth: ms.Choropleth) -> list[dict[str, Any]]:
    return [
        {
            "code": b.code,
            "name": b.name,
            "count": shown_count(b.count, b.suppressed, choropleth.threshold),
            "residents": "—" if b.residents is None else number_format(b.residents, 0, True),
            "rate": _decimal(b.rate, 1),
            "klass": "" if b.klass is None else str(b.klass),
        }
        for b in choropleth.buurten
    ]


def significant_cells(cells: HotspotCells) -> list[dict[str, Any]]:
    """The hot and cold cells (what the map colours), strongest z first."""
    result = cells.result
    rows: list[dict[str, Any]] = []
    for i in range(cells.ix.size):
        klass = str(result.classes[i])
        if klass not in (HOT, COLD):
            continue
        x, y = int(cells.ix[i]), int(cells.iy[i])
        rows.append(
            {
                "id": f"E{x:04d}N{y:04d}",
                "klass": klass,
                "label": CLASS_LABELS[klass],
                "z_value": float(result.z[i]),
                "z": _decimal(float(result.z[i]), 2),
                "p": _p_value(float(result.p_value[i])),
                "count": shown_count(
                    int(cells.count[i]), bool(cells.suppressed[i]), cells.threshold
                ),
            }
        )
    rows.sort(key=lambda r: (-abs(r["z_value"]), r["id"]))
    return rows


@login_required
def map_page(request: HttpRequest) -> HttpResponse:
    viewer = map_reader(request.user)
    query = _map_query(request, viewer)
    filters = query.filters
    alpha = float(query.alpha)
    counts = ms.buurt_counts(viewer=viewer, filters=filters)
    choropleth = ms.buurt_choropleth(viewer=viewer, filters=filters, counts=counts)
    cells = ms.map_hotspots(viewer=viewer, filters=filters, alpha=alpha, fdr=query.fdr_on)
    focus = ms.focus_area_figures(viewer=viewer, filters=filters, counts=counts)
    threshold = ms.suppression_threshold(viewer)
    data_query = urlencode(query.as_query())
    suffix = f"?{data_query}" if data_query else ""
    hot = significant_cells(cells)
    context: dict[str, Any] = {
        "query": query,
        "filters": filters,
        "filter_errors": query.errors,
        "layers": [(key, ms.LAYER_LABELS[key], key in query.layers) for key in ms.LAYERS],
        "alphas": ms.ALPHAS,
        "fdr_choices": [
            (ms.FDR_ON, _("Aan: FDR (Benjamini-Hochberg)")),
            (ms.FDR_OFF, _("Uit: ongecorrigeerd, elke cel apart (p < alpha)")),
        ],
        "decision": decision_label(query),
        # Uncorrected: about alpha x cells are "significant" by chance alone.
        "chance_cells": number_format(round(alpha * int(cells.ix.size)), 0, True),
        "categories": category_list(viewer=viewer),
        "domains": life_domain_list(viewer=viewer),
        "sources": ms.source_choices(),
        "focus_areas": focus_area_list(viewer=viewer).order_by("name"),
        "buurten": neighbourhood_list(viewer=viewer),
        "choropleth": choropleth,
        "choropleth_legend": choropleth_legend(choropleth),
        "buurt_rows": buurt_rows(choropleth),
        "buurt_total": shown_count(
            choropleth.signals, ms.is_suppressed(choropleth.signals, threshold), threshold
        ),
        "hot_cells": hot,
        "hot_count": sum(1 for r in hot if r["klass"] == HOT),
        "cold_count": sum(1 for r in hot if r["klass"] == COLD),
        "study_cells": int(cells.ix.size),
        "focus_rows": [
            {
                "uuid": f.uuid,
                "name": f.name,
                "buurten": len(f.buurt_codes),
                "count": shown_count(f.count, f.suppressed, threshold),
            }
            for f in focus
        ],
        "threshold": threshold,
        "pseudonymised": viewer.pseudonymised,
        "point_zoom": ms.POINT_ZOOM,
        "data_query": data_query,
        "suffix": suffix,
        "signal_query": urlencode(
            {k: v for k, v in query.as_query().items() if k in ms.MAP_FILTER_KEYS}
        ),
        "api": {
            "clusters": reverse("api:analysis-map-clusters") + suffix,
            "hotspots": reverse("api:analysis-map-hotspots") + suffix,
            "choropleth": reverse("api:analysis-map-choropleth") + suffix,
            "focus": reverse("api:analysis-map-focus-areas") + suffix,
        },
        "active_filters": len(query.as_query()),
    }
    return render(request, "analysis/map.html", context)


def _csv_response(name: str) -> tuple[HttpResponse, Any]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with BOM correctly
    return response, csv.writer(response, delimiter=";")


def _csv_count(count: int, suppressed: bool, threshold: int) -> str:
    return f"<{threshold}" if suppressed else str(count)


@login_required
def buurten_csv(request: HttpRequest) -> HttpResponse:
    """The buurt table as CSV: aggregates only (no signal rows), so no access event."""
    viewer = map_reader(request.user)
    query = _map_query(request, viewer)
    choropleth = ms.buurt_choropleth(viewer=viewer, filters=query.filters)
    response, writer = _csv_response("buurten")
    writer.writerow(["buurtcode", "buurt", "signalen", "inwoners", "per_1000_inwoners", "klasse"])
    for b in choropleth.buurten:
        writer.writerow(
            [
                b.code,
                b.name,
                _csv_count(b.count, b.suppressed, choropleth.threshold),
                "" if b.residents is None else b.residents,
                "" if b.rate is None else f"{b.rate:.1f}",
                "" if b.klass is None else b.klass,
            ]
        )
    return response


@login_required
def hotspots_csv(request: HttpRequest) -> HttpResponse:
    """Every cell of the study area with count, Gi* z, p, decision and class; the last column
    says how the decision was made (FDR, or uncorrected p < alpha)."""
    viewer = map_reader(request.user)
    query = _map_query(request, viewer)
    cells = ms.map_hotspots(
        viewer=viewer, filters=query.filters, alpha=float(query.alpha), fdr=query.fdr_on
    )
    response, writer = _csv_response("hotspots" if query.fdr_on else "hotspots-ongecorrigeerd")
    writer.writerow(
        ["cel", "cel_x", "cel_y", "signalen", "gi_z", "p", "significant", "klasse", "toetsing"]
    )
    result = cells.result
    with translation.override("nl"):
        decision = decision_label(query)
        for i in range(cells.ix.size):
            x, y = int(cells.ix[i]), int(cells.iy[i])
            z, p = float(result.z[i]), float(result.p_value[i])
            writer.writerow(
                [
                    f"E{x:04d}N{y:04d}",
                    x,
                    y,
                    _csv_count(int(cells.count[i]), bool(cells.suppressed[i]), cells.threshold),
                    f"{z:.6f}" if math.isfinite(z) else "",
                    f"{p:.6g}" if math.isfinite(p) else "",
                    "ja" if result.significant[i] else "nee",
                    str(result.classes[i]),
                    decision,
                ]
            )
    return response


@login_required
def focus_areas_csv(request: HttpRequest) -> HttpResponse:
    viewer = map_reader(request.user)
    query = _map_query(request, viewer)
    threshold = ms.suppression_threshold(viewer)
    response, writer = _csv_response("focusgebieden")
    writer.writerow(["focusgebied", "buurtcodes", "signalen"])
    for f in ms.focus_area_figures(viewer=viewer, filters=query.filters):
        writer.writerow(
            [f.name, " ".join(f.buurt_codes), _csv_count(f.count, f.suppressed, threshold)]
        )
    return response
