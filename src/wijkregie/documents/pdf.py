"""The printable area report: an `AreaProfile` as a PDF, charts drawn on the server.

Pure (no ORM): it reads the profile that `analysis.profile_selectors.area_profile` filled for
one viewer and writes PDF bytes to a binary file. The page, the API and this report print the
same numbers; a suppressed value (`suppressed=True`) prints as "< 5" (the threshold of the
profile, else settings.SMALL_COUNT_THRESHOLD), an unknown value as a dash.

reportlab (pure Python wheel, no system libraries) lays out the pages (platypus) and draws the
charts as vector graphics (reportlab.graphics), so every chart is sharp on paper and needs no
browser. Each chart is followed by its caption and its data table, so the numbers can be read
without the picture (and by a screen reader, which cannot read the drawing).

The output is deterministic for the same profile and time stamp (`invariant`): a re-render
after a retry gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from wijkregie.analysis.profile import AreaIndex, AreaProfile, Chart, KeyFigure

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 2 * cm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN
CHART_HEIGHT = 7 * cm
# Okabe-Ito: distinguishable with the common colour-vision deficiencies and in grey print.
PALETTE = (
    colors.HexColor("#0072B2"),
    colors.HexColor("#E69F00"),
    colors.HexColor("#009E73"),
    colors.HexColor("#CC79A7"),
    colors.HexColor("#56B4E9"),
    colors.HexColor("#D55E00"),
    colors.HexColor("#000000"),
)
MARKERS = ("FilledCircle", "FilledSquare", "FilledTriangle", "FilledDiamond")
GRID_GREY = colors.HexColor("#d0d0d0")
TEXT_GREY = colors.HexColor("#4a4a4a")
HEADER_FILL = colors.HexColor("#e8eef6")
MAX_AXIS_LABELS = 14
SIGNIFICANCE = 0.05
DASH = "–"  # in the standard fonts' WinAnsi encoding

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def classification() -> str:
    return _("Vertrouwelijk – alleen voor intern gebruik")


# --- numbers and dates, Dutch style -----------------------------------------------------------


def format_number(value: float, decimals: int | None = None) -> str:
    """12345.6 -> "12.345,6"; whole numbers without decimals unless asked."""
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_value(
    value: float | None, suppressed: bool, threshold: int, decimals: int | None = None
) -> str:
    if suppressed:
        return f"< {threshold}"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    return format_number(value, decimals)


def format_change(pct: float | None) -> str:
    if pct is None or math.isnan(pct):
        return DASH
    sign = "+" if pct > 0 else ("-" if pct < 0 else "")
    return f"{sign}{format_number(abs(pct), 1)}%"


def format_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def period_text(start: dt.date, end_exclusive: dt.date) -> str:
    last = end_exclusive - dt.timedelta(days=1)
    return _("%(start)s t/m %(end)s") % {"start": format_date(start), "end": format_date(last)}


# --- page furniture ---------------------------------------------------------------------------


def _numbered_canvas(running_title: str, page_count: list[int]) -> type[Canvas]:
    """A canvas that writes "Pagina X van Y" and the classification on every page: the page
    count is known only at the end, so the pages are kept and drawn in `save`."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved_pages)
            page_count.append(total)
            for state in self._saved_pages:
                self.__dict__.update(state)
                self._furniture(total)
                super().showPage()
            super().save()

        def _furniture(self, total: int) -> None:
            self.saveState()
            self.setFont("Helvetica", 8)
            self.setFillColor(TEXT_GREY)
            self.setStrokeColor(GRID_GREY)
            self.line(MARGIN, 1.5 * cm, PAGE_WIDTH - MARGIN, 1.5 * cm)
            self.drawString(MARGIN, 1.1 * cm, classification())
            self.drawRightString(
                PAGE_WIDTH - MARGIN,
                1.1 * cm,
                _("Pagina %(page)s van %(total)s") % {"page": self._pageNumber, "total": total},
            )
            if self._pageNumber > 1:
                self.line(
                    MARGIN, PAGE_HEIGHT - 1.5 * cm, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 1.5 * cm
                )
                self.drawString(MARGIN, PAGE_HEIGHT - 1.3 * cm, running_title)
            self.restoreState()

    return NumberedCanvas


@dataclass(frozen=True)
class _Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    label: ParagraphStyle


def _styles() -> _Styles:
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "wr-body", parent=base["BodyText"], fontName="Helvetica", fontSize=10, leading=14
    )
    return _Styles(
        title=ParagraphStyle(
            "wr-title",
            parent=base["Title"],
            fontName="Helvetica-Bold",
            fontSize=26,
            leading=32,
            alignment=TA_LEFT,
        ),
        subtitle=ParagraphStyle("wr-subtitle", parent=body, fontSize=16, leading=22, spaceAfter=6),
        h1=ParagraphStyle(
            "wr-h1",
            parent=base["Heading1"],
            fontName="Helvetica-Bold",
            fontSize=16,
            leading=20,
            spaceBefore=6,
            spaceAfter=8,
        ),
        h2=ParagraphStyle(
            "wr-h2",
            parent=base["Heading2"],
            fontName="Helvetica-Bold",
            fontSize=12,
            leading=16,
            spaceBefore=10,
            spaceAfter=4,
        ),
        body=body,
        small=ParagraphStyle(
            "wr-small", parent=body, fontSize=8.5, leading=11, textColor=TEXT_GREY
        ),
        cell=ParagraphStyle("wr-cell", parent=body, fontSize=8.5, leading=10.5),
        cell_bold=ParagraphStyle(
            "wr-cell-bold", parent=body, fontName="Helvetica-Bold", fontSize=8.5, leading=10.5
        ),
        label=ParagraphStyle(
            "wr-label",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=10,
            leading=14,
            textColor=TEXT_GREY,
        ),
    )


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: everything escaped (a "< 5" must not open a tag)."""
    return Paragraph(escape(text), style)


def _table(rows: list[list[Any]], widths: Sequence[float], numeric_from: int = 1) -> Table:
    table = Table(rows, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, GRID_GREY),
                ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


# --- sections ---------------------------------------------------------------------------------


def _kind_label(kind: str) -> str:
    return {"buurt": _("Buurt"), "wijk": _("Wijk"), "focusgebied": _("Focusgebied")}.get(kind, kind)


def _title_page(
    profile: AreaProfile, municipality: str, generated_at: dt.datetime, s: _Styles
) -> list[Any]:
    code = "" if profile.kind == "focusgebied" else f" ({profile.code})"
    facts = [
        [_("Gemeente"), municipality],
        [_("Gebied"), f"{_kind_label(profile.kind)} {profile.name}{code}"],
        [_("Periode"), period_text(profile.period_start, profile.period_end)],
        [_("Gemaakt op"), format_date(generated_at.date()) + generated_at.strftime(" %H:%M")],
    ]
    if profile.residents is not None:
        facts.append(
            [
                _("Inwoners"),
                format_number(profile.residents)
                + (f" (CBS {profile.stats_year})" if profile.stats_year else ""),
            ]
        )
    if profile.households is not None:
        facts.append([_("Huishoudens"), format_number(profile.households)])
    facts_table = Table(
        [[_p(label, s.label), _p(value, s.body)] for label, value in facts],
        colWidths=[4 * cm, FRAME_WIDTH - 4 * cm],
        hAlign="LEFT",
    )
    facts_table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, -1), 0)])
    )
    marking = Table([[_p(classification(), s.h2)]], colWidths=[FRAME_WIDTH], hAlign="LEFT")
    marking.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.5, colors.black),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return [
        Spacer(1, 4 * cm),
        _p(_("Gebiedsrapportage"), s.title),
        Spacer(1, 0.3 * cm),
        _p(f"{profile.name}", s.subtitle),
        _p(period_text(profile.period_start, profile.period_end), s.subtitle),
        Spacer(1, 1.5 * cm),
        facts_table,
        Spacer(1, 2 * cm),
        marking,
        Spacer(1, 0.4 * cm),
        _p(
            _(
                "Deze rapportage is gemaakt voor het bestuurlijk overleg. Ze bevat geen "
                "persoonsgegevens, maar wel cijfers over een klein gebied: deel haar niet "
                "buiten de organisaties van het overleg."
            ),
            s.small,
        ),
        PageBreak(),
    ]


def _rank(figure: KeyFigure) -> str:
    if figure.rank is None:
        return DASH
    if figure.rank_of is None:
        return str(figure.rank)
    return _("%(rank)s van %(of)s") % {"rank": figure.rank, "of": figure.rank_of}


def _key_figures(profile: AreaProfile, threshold: int, s: _Styles) -> list[Any]:
    out: list[Any] = [_p(_("Kerncijfers"), s.h1)]
    if not profile.key_figures:
        return [*out, _p(_("Er zijn geen kerncijfers voor dit gebied en deze periode."), s.body)]
    header = [
        _("Kengetal"),
        _("Waarde"),
        _("Een jaar eerder"),
        _("Verandering"),
        _("Gemeente"),
        _("Positie"),
    ]
    rows: list[list[Any]] = [[_p(h, s.cell_bold) for h in header]]
    for f in profile.key_figures:
        label = escape(f.label) + (
            f'<br/><font size="7.5" color="#4a4a4a">{escape(f.unit)}</font>' if f.unit else ""
        )
        rows.append(
            [
                Paragraph(label, s.cell),
                format_value(f.value, f.suppressed, threshold),
                # The previous value of a suppressed figure could be small too: the selector
                # leaves it None when it must not be shown.
                format_value(f.previous, False, threshold),
                DASH if f.suppressed else format_change(f.change_pct) + _significance(f),
                format_value(f.municipality, False, threshold),
                _rank(f),
            ]
        )
    widths = [5.6 * cm, 2.2 * cm, 2.5 * cm, 2.3 * cm, 2.4 * cm, 2.0 * cm]
    out.append(_table(rows, widths))
    out.append(Spacer(1, 0.2 * cm))
    out.append(
        _p(
            _(
                "Verandering: ten opzichte van dezelfde periode een jaar eerder. Gemeente: "
                "hetzelfde kengetal voor de hele gemeente. Positie: 1 is het hoogste van de "
                "gebieden van dezelfde soort."
            ),
            s.small,
        )
    )
    if any(_significance(f) for f in profile.key_figures):
        out.append(
            _p(
                _(
                    "* De verandering is waarschijnlijk geen toeval (p < 0,05; toets op het "
                    "verschil tussen twee Poisson-aantallen)."
                ),
                s.small,
            )
        )
    return out


def _significance(figure: KeyFigure) -> str:
    """A star after a change whose p-value is below 0.05 (never for suppressed figures)."""
    if figure.suppressed or figure.p_value is None or figure.change_pct is None:
        return ""
    return " *" if figure.p_value < SIGNIFICANCE else ""


def _axis_labels(labels: Sequence[str]) -> list[str]:
    """At most MAX_AXIS_LABELS labels on an axis; the table under the chart has them all."""
    if len(labels) <= MAX_AXIS_LABELS:
        return list(labels)
    step = math.ceil(len(labels) / MAX_AXIS_LABELS)
    return [label if i % step == 0 else "" for i, label in enumerate(labels)]


def _chart_values(chart: Chart) -> list[list[float | None]]:
    """Suppressed and unknown values are gaps in the drawing; the table says which."""
    data = []
    for series in chart.series:
        flags = series.suppressed or (False,) * len(series.values)
        data.append(
            [
                None if (v is None or flag) else float(v)
                for v, flag in zip(series.values, flags, strict=False)
            ]
        )
    return data


def nice_scale(value: float, ticks: int = 5, *, whole: bool = False) -> tuple[float, float]:
    """(top, step) of a value axis from 0: a round step (1, 2, 2.5 or 5 times a power of ten)
    and the first multiple of it at or above `value`. `whole`: counts, so steps of at least 1."""
    if value <= 0:
        return (1.0, 1.0) if whole else (1.0, 0.2)
    raw = value / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    steps = [m * magnitude for m in (1, 2, 2.5, 5, 10)]
    if whole:
        steps = [max(1.0, x) for x in steps if x >= 1 and float(x).is_integer()] or [1.0]
    step = next((x for x in steps if raw <= x), steps[-1])
    return math.ceil(value / step - 1e-9) * step, step


def _suppressed_positions(chart: Chart) -> list[int]:
    return sorted(
        {i for series in chart.series for i, flag in enumerate(series.suppressed) if flag}
    )


def draw_chart(chart: Chart, threshold: int | None = None) -> Drawing | None:
    """The chart as a reportlab drawing; None when there is nothing to draw.

    A suppressed value is not drawn; its place is marked "< threshold" on the axis side."""
    data = _chart_values(chart)
    present = [v for row in data for v in row if v is not None]
    if not present or not chart.x_labels:
        return None
    top, step = nice_scale(max(present), whole=all(float(v).is_integer() for v in present))
    bottom = min(0.0, math.floor(min(present) / step) * step)
    legend_height = 0.8 * cm if len(chart.series) > 1 else 0
    is_hbar = chart.kind == "hbar"
    height = (
        max(CHART_HEIGHT, 0.55 * cm * len(chart.x_labels) + 1.5 * cm) if is_hbar else CHART_HEIGHT
    )
    drawing = Drawing(FRAME_WIDTH, height + legend_height)
    left = 4.5 * cm if is_hbar else 1.5 * cm
    plot: Any
    if chart.kind == "line":
        plot = HorizontalLineChart()
        # Lines only through series with two known values or more (a polyline of one point
        # is an error); the markers show the rest.
        plot.joinedLines = 0
        for i, row in enumerate(data):
            if sum(v is not None for v in row) >= 2:
                plot.lines[i].lineStyle = "joinedLine"
            plot.lines[i].strokeColor = PALETTE[i % len(PALETTE)]
            plot.lines[i].strokeWidth = 1.8
            # A marker on every known value: a suppressed month shows as a missing marker.
            plot.lines[i].symbol = makeMarker(MARKERS[i % len(MARKERS)], size=4)
            plot.lines[i].symbol.fillColor = PALETTE[i % len(PALETTE)]
            plot.lines[i].symbol.strokeColor = PALETTE[i % len(PALETTE)]
        plot.categoryAxis.labels.boxAnchor = "n"
    elif is_hbar:
        plot = HorizontalBarChart()
        plot.categoryAxis.labels.boxAnchor = "e"
        plot.categoryAxis.labels.dx = -4
        plot.categoryAxis.reverseDirection = 1  # first category on top, as in the table
    else:
        plot = VerticalBarChart()
        plot.categoryAxis.labels.boxAnchor = "n"
    if chart.kind != "line":
        for i in range(len(data)):
            plot.bars[i].fillColor = PALETTE[i % len(PALETTE)]
            plot.bars[i].strokeColor = None
        plot.barSpacing = 1
        plot.groupSpacing = 4
    plot.x = left
    plot.y = 1.3 * cm
    plot.width = FRAME_WIDTH - left - 0.5 * cm
    plot.height = height - 1.8 * cm
    plot.data = [tuple(row) for row in data]
    labels = list(chart.x_labels) if is_hbar else _axis_labels(chart.x_labels)
    plot.categoryAxis.categoryNames = [label[:40] for label in labels]
    plot.categoryAxis.labels.fontName = "Helvetica"
    plot.categoryAxis.labels.fontSize = 7.5
    if not is_hbar and len(chart.x_labels) > 8:
        plot.categoryAxis.labels.angle = 30
        plot.categoryAxis.labels.boxAnchor = "ne"
    plot.valueAxis.valueMin = bottom
    plot.valueAxis.valueMax = top
    plot.valueAxis.valueStep = step
    plot.valueAxis.labels.fontName = "Helvetica"
    plot.valueAxis.labels.fontSize = 7.5
    plot.valueAxis.labelTextFormat = lambda v: format_number(v, 0 if float(v).is_integer() else 1)
    plot.valueAxis.visibleGrid = 1
    plot.valueAxis.gridStrokeColor = GRID_GREY
    plot.valueAxis.gridStrokeWidth = 0.4
    drawing.add(plot)
    n = len(chart.x_labels)
    for i in _suppressed_positions(chart) if threshold else []:
        if i >= n:
            continue
        if is_hbar:
            x, y = plot.x + 3, plot.y + plot.height * (1 - (i + 0.5) / n) - 3
        elif chart.kind == "line":
            x, y = plot.x + plot.width * (i + 0.5) / n - 8, plot.y + 3
        else:
            x, y = plot.x + plot.width * (i + 0.5) / n - 8, plot.y + 3
        drawing.add(
            String(x, y, f"< {threshold}", fontName="Helvetica", fontSize=7.5, fillColor=TEXT_GREY)
        )
    axis_title = String(
        plot.x if not is_hbar else left,
        height - 0.3 * cm,
        chart.y_label,
        fontName="Helvetica",
        fontSize=8,
        fillColor=TEXT_GREY,
    )
    drawing.add(axis_title)
    if len(chart.series) > 1:
        legend = Legend()
        legend.x = left
        legend.y = height + legend_height - 0.2 * cm
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.fontName = "Helvetica"
        legend.fontSize = 8
        legend.deltax = 0
        legend.dxTextSpace = 4
        legend.colorNamePairs = [
            (PALETTE[i % len(PALETTE)], s.name) for i, s in enumerate(chart.series)
        ]
        drawing.add(legend)
    return drawing


def chart_table_rows(chart: Chart, threshold: int) -> list[list[str]]:
    """The chart's data as rows of text: header, then one row per x label."""
    names = [s.name or chart.y_label for s in chart.series]
    rows = [[chart.x_label, *names]]
    for i, label in enumerate(chart.x_labels):
        row = [label]
        for series in chart.series:
            value = series.values[i] if i < len(series.values) else None
            flag = bool(series.suppressed[i]) if i < len(series.suppressed) else False
            row.append(format_value(value, flag, threshold))
        rows.append(row)
    return rows


def _chart_section(chart: Chart, number: int, threshold: int, s: _Styles) -> list[Any]:
    heading = _p(_("Figuur %(number)s. %(title)s") % {"number": number, "title": chart.title}, s.h2)
    drawing = draw_chart(chart, threshold)
    caption = _p(chart.caption, s.small)
    picture: list[Any] = (
        [drawing]
        if drawing is not None
        else [_p(_("Geen gegevens om te tekenen in deze periode."), s.body)]
    )
    rows = chart_table_rows(chart, threshold)
    first_width = 5.0 * cm
    other = (FRAME_WIDTH - first_width) / max(1, len(rows[0]) - 1)
    table_rows: list[list[Any]] = [
        [_p(h, s.cell_bold) for h in rows[0]],
        *([_p(r[0], s.cell), *r[1:]] for r in rows[1:]),
    ]
    table = _table(table_rows, [first_width, *([min(other, 3.5 * cm)] * (len(rows[0]) - 1))])
    table_title = _p(_("Tabel bij figuur %(number)s") % {"number": number}, s.label)
    return [
        CondPageBreak(CHART_HEIGHT + 4 * cm),
        KeepTogether([heading, *picture, Spacer(1, 0.15 * cm), caption]),
        Spacer(1, 0.25 * cm),
        table_title,
        table,
        Spacer(1, 0.5 * cm),
    ]


def _score(value: float | None) -> str:
    return DASH if value is None else format_number(value, 1)


def _index_section(index: AreaIndex, s: _Styles) -> list[Any]:
    out: list[Any] = [
        CondPageBreak(8 * cm),
        _p(_("Gebiedsindex %(year)s") % {"year": index.year}, s.h1),
        _p(
            _(
                "Index: 100 is het gemiddelde van de gemeente in %(base)s. Score %(score)s, "
                "klasse: %(band)s. Weging: objectief %(objective)s%%, subjectief %(subjective)s%%."
            )
            % {
                "base": index.base_year,
                "score": _score(index.score),
                "band": index.band or DASH,
                "objective": format_number(index.objective_weight * 100, 0),
                "subjective": format_number(index.subjective_weight * 100, 0),
            },
            s.body,
        ),
        Spacer(1, 0.2 * cm),
    ]
    if index.themes:
        rows: list[list[Any]] = [
            [
                _p(h, s.cell_bold)
                for h in (_("Thema"), _("Objectief"), _("Subjectief"), _("Score"), _("Klasse"))
            ]
        ]
        for theme in index.themes:
            rows.append(
                [
                    _p(theme.label, s.cell),
                    _score(theme.objective),
                    _score(theme.subjective),
                    _score(theme.score),
                    _p(theme.band or DASH, s.cell),
                ]
            )
        out.append(_table(rows, [5.5 * cm, 2.6 * cm, 2.6 * cm, 2.4 * cm, 3.9 * cm]))
    if index.bands:
        out.append(_p(_("Klassen"), s.h2))
        ordered = sorted(index.bands, key=lambda b: b.lower)
        band_rows: list[list[Any]] = [
            [_p(_("Vanaf score"), s.cell_bold), _p(_("Klasse"), s.cell_bold)]
        ]
        for band in ordered:
            band_rows.append([format_number(band.lower, 1), _p(band.label, s.cell)])
        out.append(_table(band_rows, [3 * cm, 8 * cm], numeric_from=0))
    for note in index.notes:
        out.append(_p(note, s.small))
    return out


def _notes(
    profile: AreaProfile, threshold: int, generated_at: dt.datetime, s: _Styles
) -> list[Any]:
    out: list[Any] = [CondPageBreak(6 * cm), _p(_("Toelichting en bronnen"), s.h1)]
    if profile.suppression_threshold > 0:
        out.append(
            _p(
                _(
                    "Kleine aantallen zijn onderdrukt: een aantal van 1 tot %(threshold)s staat "
                    "als „< %(threshold)s”, en het ontbreekt in de grafieken. Zo is niet af te "
                    "leiden over welke personen of adressen een cijfer gaat. Een streepje (–) "
                    "betekent onbekend."
                )
                % {"threshold": threshold},
                s.body,
            )
        )
    else:
        out.append(
            _p(
                _(
                    "Voor de aanvrager zijn kleine aantallen niet onderdrukt, omdat die ze "
                    "beroepshalve mag zien. Deel deze rapportage daarom alleen met wie dat ook "
                    "mag. Een streepje (–) betekent onbekend."
                ),
                s.body,
            )
        )
    out.append(Spacer(1, 0.2 * cm))
    out.append(_p(_("Bronnen"), s.h2))
    out.append(
        _p(
            _(
                "Signalen: de signalen in Wijkregie die de aanvrager op %(date)s mocht zien, "
                "naar datum van waarneming."
            )
            % {"date": format_date(generated_at.date())},
            s.body,
        )
    )
    if profile.stats_year:
        out.append(
            _p(
                _("Inwoners en huishoudens: CBS, Kerncijfers wijken en buurten %(year)s.")
                % {"year": profile.stats_year},
                s.body,
            )
        )
    for note in profile.notes:
        out.append(_p(note, s.body))
    return out


def render_area_report(
    profile: AreaProfile,
    out: BinaryIO,
    *,
    municipality: str,
    generated_at: dt.datetime,
    threshold: int | None = None,
) -> int:
    """Write the report of `profile` as PDF to `out` (a binary file opened for writing) and
    return its number of pages.

    `generated_at`: shown on the title page and in the sources (local time of the caller).
    `threshold`: the "< n" printed for suppressed values; default the profile's own threshold,
    else settings.SMALL_COUNT_THRESHOLD.
    """
    limit = threshold or profile.suppression_threshold or int(settings.SMALL_COUNT_THRESHOLD)
    s = _styles()
    title = _("Gebiedsrapportage %(area)s") % {"area": profile.name}
    story: list[Any] = _title_page(profile, municipality, generated_at, s)
    story += _key_figures(profile, limit, s)
    story.append(Spacer(1, 0.5 * cm))
    if profile.charts:
        story.append(_p(_("Grafieken"), s.h1))
    for number, chart in enumerate(profile.charts, start=1):
        story += _chart_section(chart, number, limit, s)
    if profile.index is not None:
        story += _index_section(profile.index, s)
    story += _notes(profile, limit, generated_at, s)
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author="Wijkregie",
        subject=classification(),
        creator="Wijkregie",
        lang="nl",
        displayDocTitle=1,
        invariant=1,
    )
    page_count: list[int] = []
    running = f"{title} · {period_text(profile.period_start, profile.period_end)}"
    doc.build(story, canvasmaker=_numbered_canvas(running, page_count))
    return page_count[-1]
