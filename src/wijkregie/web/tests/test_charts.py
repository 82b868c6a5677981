"""The SVG chart renderer (web/charts.py): parsed back with xml.etree, geometry and labels."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from wijkregie.analysis.profile import Chart, Series
from wijkregie.web import charts

NS = {"svg": charts.SVG_NS}


def svg_root(markup: str) -> ET.Element:
    """Parse our own renderer's output (trusted: made in this process from test data)."""
    return ET.fromstring(markup)  # noqa: S314


def parse(chart: Chart, **kwargs: object) -> ET.Element:
    return svg_root(charts.render_svg(chart, **kwargs))  # type: ignore[arg-type]


def find_all(root: ET.Element, tag: str) -> list[ET.Element]:
    return root.findall(f".//svg:{tag}", NS)


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in find_all(root, "text")]


def bar_chart(values: tuple[float | None, ...], suppressed: tuple[bool, ...] = ()) -> Chart:
    return Chart(
        key="weekday",
        title="Signalen per dag",
        caption="c",
        kind="bar",
        x_label="Dag",
        y_label="Signalen",
        x_labels=tuple("abcdefg"[: len(values)]),
        series=(Series("Signalen", values, suppressed),),
    )


def test_the_svg_is_an_accessible_image_without_style_or_script() -> None:
    chart = bar_chart((1.0, 2.0, 3.0))
    markup = charts.render_svg(chart, id_prefix="p-weekday")
    root = svg_root(markup)
    assert root.tag == f"{{{charts.SVG_NS}}}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "p-weekday-title p-weekday-desc"
    title = root.find("svg:title", NS)
    desc = root.find("svg:desc", NS)
    assert (
        title is not None
        and title.text == "Signalen per dag"
        and title.get("id") == "p-weekday-title"
    )
    assert desc is not None and desc.get("id") == "p-weekday-desc"
    assert "Hoogste waarde: 3 (Signalen, c)" in (desc.text or "")
    assert root.get("viewBox") == "0 0 640 320"
    for element in root.iter():
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)
        assert not element.tag.endswith("script")
    assert "<script" not in markup and "style=" not in markup


def test_bar_heights_are_proportional_to_the_values() -> None:
    root = parse(bar_chart((1.0, 2.0, 4.0, 0.0)))
    bars = find_all(root, "rect")
    assert len(bars) == 4
    heights = [float(b.get("height", "")) for b in bars]
    assert heights[3] == 0
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.15)
    assert heights[2] == pytest.approx(4 * heights[0], abs=0.15)
    # Bars stand on one baseline, left to right in the order of the labels.
    bottoms = {round(float(b.get("y", "")) + float(b.get("height", "")), 0) for b in bars}
    assert len(bottoms) == 1
    xs = [float(b.get("x", "")) for b in bars]
    assert xs == sorted(xs)
    # The value axis ends at a round number at or above the maximum: 0, 1, 2, 3, 4.
    assert [t for t in texts(root) if t.isdigit()][:5] == ["0", "1", "2", "3", "4"]
    # Category labels are drawn under the axis.
    assert {"a", "b", "c", "d"} <= set(texts(root))


def test_suppressed_and_unknown_values_draw_no_bar() -> None:
    root = parse(bar_chart((5.0, None, None), (False, True, False)))
    assert len(find_all(root, "rect")) == 1
    markers = [
        c for c in find_all(root, "circle") if "wr-chart__suppressed" in (c.get("class") or "")
    ]
    assert len(markers) == 1  # only the suppressed one; the unknown one stays empty
    desc = root.find("svg:desc", NS)
    assert desc is not None and "afgeschermd" in (desc.text or "")


def test_a_line_breaks_at_missing_values_and_each_series_has_a_legend_entry() -> None:
    chart = Chart(
        key="trend",
        title="Per maand",
        caption="c",
        kind="line",
        x_label="Maand",
        y_label="Signalen",
        x_labels=("jan", "feb", "mrt", "apr"),
        series=(
            Series("Dit jaar", (10.0, 20.0, None, 40.0)),
            Series("Jaar eerder", (5.0, 5.0, 5.0, 5.0)),
        ),
    )
    root = parse(chart)
    lines = find_all(root, "polyline")
    assert len(lines) == 3  # two pieces for the first series, one for the second
    first = [tuple(map(float, p.split(","))) for p in (lines[0].get("points") or "").split()]
    assert len(first) == 2
    (x0, y0), (x1, y1) = first
    assert x1 > x0 and y1 < y0  # 20 is drawn higher than 10
    second = [tuple(map(float, p.split(","))) for p in (lines[2].get("points") or "").split()]
    assert len({y for _, y in second}) == 1  # a flat line
    assert lines[2].get("stroke-dasharray")  # the comparison series is dashed
    assert lines[0].get("stroke") != lines[2].get("stroke")
    legend = root.find(".//svg:g[@class='wr-chart__legend']", NS)
    assert legend is not None and legend.get("aria-hidden") == "true"
    assert [t.text for t in legend.findall("svg:text", NS)] == ["Dit jaar", "Jaar eerder"]
    # After the gap the line goes on with the 40, drawn above the 10 and the 20.
    ((_, y3),) = [tuple(map(float, p.split(","))) for p in (lines[1].get("points") or "").split()]
    assert y3 < y1 < y0


def test_horizontal_bars_carry_their_labels_and_values() -> None:
    chart = Chart(
        key="categories",
        title="Per categorie",
        caption="c",
        kind="hbar",
        x_label="Categorie",
        y_label="Signalen",
        x_labels=("Overlast › Jeugdoverlast", "Woonfraude <&>"),
        series=(Series("Signalen", (1234.0, 617.0)),),
    )
    markup = charts.render_svg(chart)
    assert "Woonfraude &lt;&amp;&gt;" in markup  # escaped by the serializer
    root = svg_root(markup)
    bars = find_all(root, "rect")
    widths = [float(b.get("width", "")) for b in bars]
    assert widths[0] == pytest.approx(2 * widths[1], abs=0.15)
    assert {float(b.get("x", "")) for b in bars} == {float(bars[0].get("x", ""))}
    all_text = texts(root)
    assert "Overlast › Jeugdoverlast" in all_text and "Woonfraude <&>" in all_text
    assert "1.234" in all_text and "617" in all_text  # value labels in Dutch notation


def test_many_labels_are_thinned_so_they_do_not_overlap() -> None:
    labels = tuple(f"maand {i:02d}" for i in range(36))
    chart = Chart(
        "trend",
        "T",
        "c",
        "line",
        "Maand",
        "Signalen",
        labels,
        (Series("S", tuple(1.0 for _ in labels)),),
    )
    root = parse(chart)
    shown = [t for t in texts(root) if t.startswith("maand")]
    assert 2 <= len(shown) < 36
    assert shown[0] == "maand 00"


def test_an_empty_chart_still_renders() -> None:
    chart = Chart("categories", "C", "c", "hbar", "Categorie", "Signalen", (), (Series("S", ()),))
    root = parse(chart)
    assert root.get("role") == "img" and not find_all(root, "rect")


@pytest.mark.parametrize(
    ("maximum", "expected"),
    [
        (0, [0.0, 1.0]),
        (4, [0, 1, 2, 3, 4]),
        (7, [0, 2, 4, 6, 8]),
        (0.3, [0, 0.1, 0.2, 0.3]),
        (1234, [0, 250, 500, 750, 1000, 1250]),
    ],
)
def test_nice_ticks(maximum: float, expected: list[float]) -> None:
    assert charts.nice_ticks(maximum) == pytest.approx(expected)


def test_table_rows_and_cells() -> None:
    chart = Chart(
        "trend",
        "T",
        "c",
        "line",
        "Maand",
        "Signalen",
        ("jan", "feb"),
        (Series("A", (3.0, None), (False, True)), Series("B", (2.5, None))),
    )
    assert charts.table_header(chart) == ["Maand", "A", "B"]
    assert charts.table_rows(chart, 5) == [["jan", "3", "2,5"], ["feb", "<5", ""]]
    assert charts.format_number(1234567.0) == "1.234.567"
    assert charts.format_number(1234.5) == "1.234,5"
