"""Accessible inline SVG for `analysis.profile.Chart`: line, vertical bar and horizontal bar.

Pure (no ORM, no templates): a `Chart` goes in, a string of SVG markup comes out. Built with
`xml.etree.ElementTree`, so every label is escaped. The SVG

- is an image for assistive technology (`role="img"`, `<title>` and `<desc>` referenced by
  `aria-labelledby`); the page prints the same numbers as a table next to it;
- has no `style` attributes and no scripts (the strict CSP): colours are presentation
  attributes, which the classes in `analysis/static/analysis/profile.css` may refine;
- scales with its container (`viewBox`, no fixed size), so it needs no JavaScript.

A value of None (unknown or suppressed) draws nothing: a gap in a line, no bar; a suppressed
value gets a small open marker on the axis so the gap is visibly deliberate.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from wijkregie.analysis.profile import Chart, Series

SVG_NS = "http://www.w3.org/2000/svg"
# Okabe-Ito: distinguishable with the common colour vision deficiencies, and each at least
# 3:1 against white as a line or bar (WCAG 1.4.11 non-text contrast).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#7A6A00", "#56607A", "#A6361C", "#00607A")
DASHES = ("", "6 4", "2 3", "8 3 2 3")
TEXT = "#1a1a1a"
GRID = "#d0d0d0"
AXIS = "#595959"
FONT_SIZE = 12


@dataclass(frozen=True)
class Box:
    """The plot area inside the SVG, in user units."""

    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height


def format_number(value: float) -> str:
    """Dutch notation: 1.234 and 12,5 (one decimal at most)."""
    if value == int(value):
        return f"{int(value):,}".replace(",", ".")
    text = f"{value:,.1f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def nice_ticks(maximum: float, count: int = 5) -> list[float]:
    """0 and round steps (1, 2, 2.5 or 5 times a power of ten) up to at least `maximum`."""
    if maximum <= 0 or not math.isfinite(maximum):
        return [0.0, 1.0]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if maximum >= 1 and step < 1:
        step = 1.0
    steps = math.ceil(maximum / step - 1e-9)
    return [round(i * step, 10) for i in range(steps + 1)]


def _el(parent: ET.Element, tag: str, text: str | None = None, /, **attrs: object) -> ET.Element:
    element = ET.SubElement(
        parent, tag, {k.rstrip("_").replace("_", "-"): str(v) for k, v in attrs.items()}
    )
    if text is not None:
        element.text = text
    return element


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _values(series: Sequence[Series]) -> list[float]:
    return [v for s in series for v in s.values if v is not None]


def _suppressed(series: Series, i: int) -> bool:
    return bool(series.suppressed) and i < len(series.suppressed) and series.suppressed[i]


def describe(chart: Chart) -> str:
    """One or two sentences for <desc>: what is drawn and its highest value."""
    kinds = {
        "line": _("Lijndiagram"),
        "bar": _("Staafdiagram"),
        "hbar": _("Liggend staafdiagram"),
    }
    parts = [
        _("%(kind)s van %(y)s per %(x)s, %(n)s waarden")
        % {
            "kind": kinds.get(chart.kind, chart.kind),
            "y": chart.y_label.lower(),
            "x": chart.x_label.lower(),
            "n": len(chart.x_labels),
        }
    ]
    if len(chart.series) > 1:
        parts.append(_("reeksen: %(names)s") % {"names": ", ".join(s.name for s in chart.series)})
    best: tuple[float, str, str] | None = None
    for s in chart.series:
        for label, value in zip(chart.x_labels, s.values, strict=False):
            if value is not None and (best is None or value > best[0]):
                best = (value, label, s.name)
    text = "; ".join(parts) + "."
    if best is not None:
        text += " " + _("Hoogste waarde: %(value)s (%(series)s, %(label)s).") % {
            "value": format_number(best[0]),
            "series": best[2],
            "label": best[1],
        }
    if any(any(s.suppressed) for s in chart.series):
        text += " " + _("Kleine aantallen zijn afgeschermd en niet getekend.")
    text += " " + _("De tabel bij de grafiek geeft alle getallen.")
    return text


def render_svg(chart: Chart, *, width: int = 640, height: int = 320, id_prefix: str = "") -> str:
    """The chart as an inline SVG string (no XML declaration)."""
    prefix = id_prefix or f"chart-{chart.key}"
    legend = len(chart.series) > 1
    if chart.kind == "hbar":
        longest = max((len(label) for label in chart.x_labels), default=4)
        left = min(12 + longest * FONT_SIZE * 0.55, width * 0.45)
        rows = max(len(chart.x_labels), 1)
        height = max(height, int(40 + rows * 24 * max(len(chart.series), 1)))
        box = Box(left, 30 if legend else 10, width - left - 40, 0)
        box = Box(box.left, box.top, box.width, height - box.top - 36)
    else:
        box = Box(52, 34 if legend else 14, width - 52 - 14, height - (34 if legend else 14) - 44)
    root = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "aria-labelledby": f"{prefix}-title {prefix}-desc",
            "class": f"wr-chart wr-chart--{chart.kind}",
            "focusable": "false",
            "font-family": "sans-serif",
            "font-size": str(FONT_SIZE),
        },
    )
    _el(root, "title", chart.title, id=f"{prefix}-title")
    _el(root, "desc", describe(chart), id=f"{prefix}-desc")
    if legend:
        _legend(root, chart.series, box.left, 14)
    if chart.kind == "hbar":
        _hbar(root, chart, box)
    elif chart.kind == "bar":
        _bars(root, chart, box)
    else:
        _lines(root, chart, box)
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)


def _legend(root: ET.Element, series: Sequence[Series], x: float, y: float) -> None:
    group = _el(root, "g", class_="wr-chart__legend", aria_hidden="true")
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        dash = DASHES[i % len(DASHES)] if i else ""
        attrs: dict[str, object] = {"stroke": colour, "stroke_width": 3}
        if dash:
            attrs["stroke_dasharray"] = dash
        _el(
            group,
            "line",
            x1=_fmt(x),
            y1=_fmt(y - 4),
            x2=_fmt(x + 18),
            y2=_fmt(y - 4),
            class_=f"wr-chart__swatch wr-chart__series-{i}",
            **attrs,
        )
        _el(group, "text", s.name, x=_fmt(x + 22), y=_fmt(y), fill=TEXT)
        x += 30 + len(s.name) * FONT_SIZE * 0.55


def _value_axis(root: ET.Element, box: Box, top: float, *, horizontal: bool) -> None:
    """Grid lines and tick labels of the value axis (vertical, or horizontal for hbar)."""
    group = _el(root, "g", class_="wr-chart__axis wr-chart__axis--value", aria_hidden="true")
    for tick in nice_ticks(top):
        share = tick / top if top else 0
        if horizontal:
            x = box.left + share * box.width
            _el(
                group,
                "line",
                x1=_fmt(x),
                y1=_fmt(box.top),
                x2=_fmt(x),
                y2=_fmt(box.bottom),
                stroke=GRID,
                class_="wr-chart__grid",
            )
            _el(
                group,
                "text",
                format_number(tick),
                x=_fmt(x),
                y=_fmt(box.bottom + 16),
                text_anchor="middle",
                fill=TEXT,
            )
        else:
            y = box.bottom - share * box.height
            _el(
                group,
                "line",
                x1=_fmt(box.left),
                y1=_fmt(y),
                x2=_fmt(box.right),
                y2=_fmt(y),
                stroke=GRID,
                class_="wr-chart__grid",
            )
            _el(
                group,
                "text",
                format_number(tick),
                x=_fmt(box.left - 6),
                y=_fmt(y + 4),
                text_anchor="end",
                fill=TEXT,
            )


def _category_labels(
    root: ET.Element, labels: Sequence[str], xs: Sequence[float], y: float
) -> None:
    """Labels under the x axis; with many labels only every n-th, so they do not overlap."""
    group = _el(root, "g", class_="wr-chart__axis wr-chart__axis--category", aria_hidden="true")
    if not labels:
        return
    spacing = (xs[-1] - xs[0]) / (len(xs) - 1) if len(xs) > 1 else 1e9
    widest = max(len(label) for label in labels) * FONT_SIZE * 0.6 + 6
    step = max(1, math.ceil(widest / spacing))
    for i, (label, x) in enumerate(zip(labels, xs, strict=True)):
        if i % step == 0:
            _el(group, "text", label, x=_fmt(x), y=_fmt(y), text_anchor="middle", fill=TEXT)


def _scale_top(chart: Chart) -> float:
    values = _values(chart.series)
    return nice_ticks(max(values, default=0.0))[-1]


def _axis_lines(root: ET.Element, box: Box) -> None:
    _el(
        root,
        "line",
        x1=_fmt(box.left),
        y1=_fmt(box.bottom),
        x2=_fmt(box.right),
        y2=_fmt(box.bottom),
        stroke=AXIS,
        class_="wr-chart__baseline",
    )


def _suppressed_marker(group: ET.Element, x: float, y: float) -> None:
    _el(
        group,
        "circle",
        cx=_fmt(x),
        cy=_fmt(y),
        r=3,
        fill="none",
        stroke=AXIS,
        class_="wr-chart__suppressed",
    )


def _lines(root: ET.Element, chart: Chart, box: Box) -> None:
    top = _scale_top(chart)
    _value_axis(root, box, top, horizontal=False)
    n = len(chart.x_labels)
    xs = [box.left + (box.width * (i + 0.5) / n) for i in range(n)] if n else []
    _category_labels(root, chart.x_labels, xs, box.bottom + 18)
    _axis_lines(root, box)
    for s_index, series in enumerate(chart.series):
        colour = PALETTE[s_index % len(PALETTE)]
        group = _el(root, "g", class_=f"wr-chart__series wr-chart__series-{s_index}")
        segment: list[str] = []
        segments: list[list[str]] = []
        for i, value in enumerate(series.values[:n]):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                if _suppressed(series, i):
                    _suppressed_marker(group, xs[i], box.bottom)
                continue
            y = box.bottom - (value / top) * box.height if top else box.bottom
            segment.append(f"{_fmt(xs[i])},{_fmt(y)}")
            _el(
                group,
                "circle",
                cx=_fmt(xs[i]),
                cy=_fmt(y),
                r=2.5,
                fill=colour,
                class_="wr-chart__point",
            )
        if segment:
            segments.append(segment)
        for points in segments:
            attrs: dict[str, object] = {}
            if s_index and DASHES[s_index % len(DASHES)]:
                attrs["stroke_dasharray"] = DASHES[s_index % len(DASHES)]
            _el(
                group,
                "polyline",
                points=" ".join(points),
                fill="none",
                stroke=colour,
                stroke_width=2,
                class_="wr-chart__line",
                **attrs,
            )


def _bars(root: ET.Element, chart: Chart, box: Box) -> None:
    top = _scale_top(chart)
    _value_axis(root, box, top, horizontal=False)
    n = len(chart.x_labels)
    k = max(len(chart.series), 1)
    slot = box.width / n if n else box.width
    bar = slot * 0.8 / k
    xs = [box.left + slot * (i + 0.5) for i in range(n)]
    _category_labels(root, chart.x_labels, xs, box.bottom + 18)
    for s_index, series in enumerate(chart.series):
        colour = PALETTE[s_index % len(PALETTE)]
        group = _el(root, "g", class_=f"wr-chart__series wr-chart__series-{s_index}")
        for i, value in enumerate(series.values[:n]):
            x = box.left + slot * i + slot * 0.1 + bar * s_index
            if value is None:
                if _suppressed(series, i):
                    _suppressed_marker(group, x + bar / 2, box.bottom - 4)
                continue
            h = (value / top) * box.height if top else 0
            _el(
                group,
                "rect",
                x=_fmt(x),
                y=_fmt(box.bottom - h),
                width=_fmt(bar),
                height=_fmt(h),
                fill=colour,
                class_="wr-chart__bar",
            )
    _axis_lines(root, box)


def _hbar(root: ET.Element, chart: Chart, box: Box) -> None:
    top = _scale_top(chart)
    _value_axis(root, box, top, horizontal=True)
    n = len(chart.x_labels)
    k = max(len(chart.series), 1)
    slot = box.height / n if n else box.height
    bar = slot * 0.75 / k
    labels = _el(root, "g", class_="wr-chart__axis wr-chart__axis--category", aria_hidden="true")
    for i, label in enumerate(chart.x_labels):
        y = box.top + slot * (i + 0.5)
        _el(
            labels, "text", label, x=_fmt(box.left - 6), y=_fmt(y + 4), text_anchor="end", fill=TEXT
        )
    for s_index, series in enumerate(chart.series):
        colour = PALETTE[s_index % len(PALETTE)]
        group = _el(root, "g", class_=f"wr-chart__series wr-chart__series-{s_index}")
        for i, value in enumerate(series.values[:n]):
            y = box.top + slot * i + slot * 0.125 + bar * s_index
            if value is None:
                if _suppressed(series, i):
                    _suppressed_marker(group, box.left + 4, y + bar / 2)
                continue
            w = (value / top) * box.width if top else 0
            _el(
                group,
                "rect",
                x=_fmt(box.left),
                y=_fmt(y),
                width=_fmt(w),
                height=_fmt(bar),
                fill=colour,
                class_="wr-chart__bar",
            )
            _el(
                group,
                "text",
                format_number(value),
                x=_fmt(box.left + w + 4),
                y=_fmt(y + bar / 2 + 4),
                fill=TEXT,
                class_="wr-chart__value",
            )
    _el(
        root,
        "line",
        x1=_fmt(box.left),
        y1=_fmt(box.top),
        x2=_fmt(box.left),
        y2=_fmt(box.bottom),
        stroke=AXIS,
        class_="wr-chart__baseline",
    )


def cell_text(value: float | None, suppressed: bool, threshold: int) -> str:
    """A chart value as the table and the CSV print it: `<5` when suppressed, '' unknown."""
    if value is None:
        return f"<{threshold}" if suppressed and threshold else ""
    if value == int(value):
        return str(int(value))
    return f"{value:.1f}".replace(".", ",")


def table_header(chart: Chart) -> list[str]:
    return [chart.x_label, *(s.name for s in chart.series)]


def table_rows(chart: Chart, threshold: int) -> list[list[str]]:
    """The chart's data table: one row per x label, one column per series (same text as the
    CSV download)."""
    rows = []
    for i, label in enumerate(chart.x_labels):
        row = [label]
        for series in chart.series:
            value = series.values[i] if i < len(series.values) else None
            row.append(cell_text(value, _suppressed(series, i), threshold))
        rows.append(row)
    return rows
