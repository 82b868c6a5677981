"""Area profile pages: one area's profile, 2-4 areas side by side, and their CSV downloads.

Every figure comes from `profile_selectors` (the same `AreaProfile` the API and the PDF use);
the views only parse the URL, format and render. Charts are inline SVG (`web.charts`), each
with a caption, a data table and a CSV download holding exactly the table's cells.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wijkregie.analysis.profile import AreaProfile, Chart, KeyFigure
from wijkregie.analysis.profile_selectors import (
    MAX_COMPARE,
    MIN_COMPARE,
    ProfileQuery,
    access_profile_area,
    compare_profiles,
    comparison_charts,
)
from wijkregie.areas.selectors import focus_area_list, neighbourhood_list
from wijkregie.signals.selectors import SignalFilters, category_list, life_domain_list
from wijkregie.tenants.access import Viewer, require_viewer
from wijkregie.web import charts as svg

PROFILE_FILTER_KEYS = ("from", "to", "domain", "category")
KEY_FIGURES_CSV = "kerncijfers"


def _reader(request: HttpRequest) -> Viewer:
    """Profiles count signals: only for roles that read them (others get 404, as outsiders)."""
    viewer = require_viewer(request.user)
    if not viewer.reads_signals:
        raise Http404
    return viewer


def _query(request: HttpRequest) -> tuple[ProfileQuery, SignalFilters, dict[str, str]]:
    """The parsed period and filters, the raw filters for the form, and the query to keep."""
    params = {key: request.GET.get(key, "") for key in PROFILE_FILTER_KEYS}
    query = ProfileQuery.from_query(params)
    shown = SignalFilters.from_query(params)
    if query.errors:
        # Invalid input is shown with its message and not applied.
        query = ProfileQuery(filters=query.filters, errors=query.errors)
    return query, shown, {k: v for k, v in params.items() if v}


def _number(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return ""
    places = 0 if value == int(value) and decimals == 0 else decimals
    return str(number_format(value, places, force_grouping=True))


def _shown(value: float | None, suppressed: bool, threshold: int, decimals: int = 0) -> str:
    if value is None:
        return f"< {threshold}" if suppressed and threshold else "—"
    return _number(value, decimals)


def figure_row(figure: KeyFigure, threshold: int) -> dict[str, Any]:
    """A key figure as text for a table row (Dutch number format)."""
    decimals = 1 if figure.key == "per_1000" else 0
    change = ""
    if figure.change_pct is not None:
        sign = "+" if figure.change_pct > 0 else ""
        change = f"{sign}{_number(figure.change_pct, 1)} %"
    rank = ""
    if figure.rank is not None and figure.rank_of:
        rank = _("%(rank)s van %(of)s") % {"rank": figure.rank, "of": figure.rank_of}
    return {
        "key": figure.key,
        "label": figure.label,
        "unit": figure.unit,
        "value": _shown(figure.value, figure.suppressed, threshold, decimals),
        "previous": _number(figure.previous, decimals) or "—",
        "change": change or "—",
        "significant": figure.p_value is not None and figure.p_value < 0.05,
        "municipality": _number(figure.municipality, decimals) or "—",
        "rank": rank or "—",
    }


def chart_context(chart: Chart, threshold: int, *, prefix: str, csv_url: str) -> dict[str, Any]:
    return {
        "chart": chart,
        "id": f"{prefix}-{chart.key}",
        # The renderer escapes every label itself (xml.etree); see web/charts.py.
        "svg": mark_safe(svg.render_svg(chart, id_prefix=f"{prefix}-{chart.key}")),  # noqa: S308
        "header": svg.table_header(chart),
        "rows": svg.table_rows(chart, threshold),
        "csv_url": csv_url,
        "empty": not chart.x_labels,
    }


def _csv_response(filename: str, header: list[str], rows: list[list[str]]) -> HttpResponse:
    """`;`-separated UTF-8 with BOM, like the signal export (Excel in Dutch opens it)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return response


def key_figure_csv_rows(figures: tuple[KeyFigure, ...], threshold: int) -> list[list[str]]:
    rows = []
    for f in figures:
        rows.append(
            [
                f.key,
                f.label,
                svg.cell_text(f.value, f.suppressed, threshold),
                svg.cell_text(f.previous, False, threshold),
                svg.cell_text(f.change_pct, False, threshold),
                svg.cell_text(f.municipality, False, threshold),
                "" if f.rank is None else str(f.rank),
                "" if f.rank_of is None else str(f.rank_of),
            ]
        )
    return rows


KEY_FIGURE_CSV_HEADER = (
    "cijfer",
    "omschrijving",
    "waarde",
    "jaar_eerder",
    "verandering_pct",
    "gemeente",
    "positie",
    "van",
)


def _filter_context(viewer: Viewer, shown: SignalFilters, query: ProfileQuery) -> dict[str, Any]:
    return {
        "filters": shown,
        "filter_errors": dict(query.errors),
        "categories": category_list(viewer=viewer),
        "domains": life_domain_list(viewer=viewer),
    }


@login_required
def profile_index(request: HttpRequest) -> HttpResponse:
    """Every area with a profile, and the form to compare some of them."""
    viewer = _reader(request)
    context = {
        "wijken": neighbourhood_list(viewer=viewer, kind="wijk"),
        "buurten": neighbourhood_list(viewer=viewer, kind="buurt"),
        "focus_areas": focus_area_list(viewer=viewer).order_by("name"),
        "min_compare": MIN_COMPARE,
        "max_compare": MAX_COMPARE,
        "selected": set(),
    }
    return render(request, "analysis/profile_index.html", context)


def _profile(request: HttpRequest, code: str) -> tuple[Viewer, AreaProfile, dict[str, Any]]:
    viewer = _reader(request)
    access_profile_area(viewer, code)  # 404 before any parsing work
    query, shown, keep = _query(request)
    (profile,) = compare_profiles(
        viewer=viewer, areas=[code], start=query.start, end=query.end, filters=query.filters
    )
    return viewer, profile, {"query": query, "shown": shown, "keep": keep}


@login_required
def profile_detail(request: HttpRequest, code: str) -> HttpResponse:
    viewer, profile, parsed = _profile(request, code)
    keep = parsed["keep"]
    suffix = f"?{urlencode(keep)}" if keep else ""
    threshold = profile.suppression_threshold
    charts = [
        chart_context(
            chart,
            threshold,
            prefix="profile",
            csv_url=reverse("analysis:profile-csv", args=[profile.code, chart.key]) + suffix,
        )
        for chart in profile.charts
    ]
    context: dict[str, Any] = {
        "profile": profile,
        "figures": [figure_row(f, threshold) for f in profile.key_figures],
        "charts": charts,
        "key_figures_csv": reverse("analysis:profile-csv", args=[profile.code, KEY_FIGURES_CSV])
        + suffix,
        "period_last": profile.period_end - dt.timedelta(days=1),
        "compare_query": urlencode({"gebied": profile.code}),
        "report_query": urlencode({"gebied": profile.code}),
        "signal_query": urlencode({"area": profile.code}),
        "active_filters": len(keep),
        **_filter_context(viewer, parsed["shown"], parsed["query"]),
    }
    return render(request, "analysis/profile.html", context)


@login_required
def profile_csv(request: HttpRequest, code: str, chart: str) -> HttpResponse:
    _viewer, profile, _parsed = _profile(request, code)
    threshold = profile.suppression_threshold
    stem = slugify(f"gebiedsprofiel-{profile.code}-{chart}")
    if chart == KEY_FIGURES_CSV:
        return _csv_response(
            f"{stem}.csv",
            list(KEY_FIGURE_CSV_HEADER),
            key_figure_csv_rows(profile.key_figures, threshold),
        )
    found = next((c for c in profile.charts if c.key == chart), None)
    if found is None:
        raise Http404
    return _csv_response(f"{stem}.csv", svg.table_header(found), svg.table_rows(found, threshold))


COMPARE_COUNT_ERROR = gettext_lazy("Kies twee tot vier verschillende gebieden.")


def _compare(
    request: HttpRequest,
) -> tuple[Viewer, tuple[AreaProfile, ...], str, dict[str, Any]]:
    """The profiles to compare, or () with a message when the choice is not 2-4 areas.
    Unknown areas (and those of other municipalities) give 404, like the profile page."""
    viewer = _reader(request)
    codes = list(dict.fromkeys(c.strip() for c in request.GET.getlist("gebied") if c.strip()))
    for code in codes:
        access_profile_area(viewer, code)
    query, shown, keep = _query(request)
    parsed = {"query": query, "shown": shown, "keep": keep, "codes": codes}
    if not MIN_COMPARE <= len(codes) <= MAX_COMPARE:
        return viewer, (), str(COMPARE_COUNT_ERROR) if codes else "", parsed
    profiles = compare_profiles(
        viewer=viewer, areas=codes, start=query.start, end=query.end, filters=query.filters
    )
    return viewer, profiles, "", parsed


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    viewer, profiles, error, parsed = _compare(request)
    codes = parsed["codes"]
    keep = parsed["keep"]
    query = urlencode([*(("gebied", c) for c in codes), *keep.items()])
    threshold = profiles[0].suppression_threshold if profiles else 0
    figure_rows = []
    if profiles:
        for i, figure in enumerate(profiles[0].key_figures):
            cells = [figure_row(p.key_figures[i], threshold) for p in profiles]
            figure_rows.append({"label": figure.label, "unit": figure.unit, "cells": cells})
    charts = [
        chart_context(
            chart,
            threshold,
            prefix="compare",
            csv_url=reverse("analysis:compare-csv", args=[chart.key]) + f"?{query}",
        )
        for chart in comparison_charts(profiles)
    ]
    context: dict[str, Any] = {
        "profiles": profiles,
        "period_last": profiles[0].period_end - dt.timedelta(days=1) if profiles else None,
        "error": error,
        "figure_rows": figure_rows,
        "charts": charts,
        "key_figures_csv": reverse("analysis:compare-csv", args=[KEY_FIGURES_CSV]) + f"?{query}",
        "wijken": neighbourhood_list(viewer=viewer, kind="wijk"),
        "buurten": neighbourhood_list(viewer=viewer, kind="buurt"),
        "focus_areas": focus_area_list(viewer=viewer).order_by("name"),
        "selected": set(codes),
        "min_compare": MIN_COMPARE,
        "max_compare": MAX_COMPARE,
        "threshold": threshold,
        **_filter_context(viewer, parsed["shown"], parsed["query"]),
    }
    return render(request, "analysis/compare.html", context)


@login_required
def compare_csv(request: HttpRequest, chart: str) -> HttpResponse:
    _viewer, profiles, _error, _parsed = _compare(request)
    if not profiles:
        raise Http404
    threshold = profiles[0].suppression_threshold
    stem = slugify(f"vergelijking-{chart}")
    if chart == KEY_FIGURES_CSV:
        header = ["cijfer", "omschrijving", *(p.name for p in profiles)]
        rows = [
            [
                figure.key,
                figure.label,
                *(
                    svg.cell_text(p.key_figures[i].value, p.key_figures[i].suppressed, threshold)
                    for p in profiles
                ),
            ]
            for i, figure in enumerate(profiles[0].key_figures)
        ]
        return _csv_response(f"{stem}.csv", header, rows)
    found = next((c for c in comparison_charts(profiles) if c.key == chart), None)
    if found is None:
        raise Http404
    return _csv_response(f"{stem}.csv", svg.table_header(found), svg.table_rows(found, threshold))
