"""The renderer on hand-made profiles: a real PDF, parsed back with pypdf."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from wijkregie.analysis.profile import AreaProfile, Chart, Series
from wijkregie.documents import pdf
from wijkregie.documents.tests.profiles import sample_profile

GENERATED = dt.datetime(2026, 11, 29, 14, 30)


def render(profile: AreaProfile, **kwargs: object) -> tuple[bytes, int]:
    out = io.BytesIO()
    pages = pdf.render_area_report(
        profile, out, municipality="Demodam", generated_at=GENERATED, **kwargs
    )
    return out.getvalue(), pages


def text_of(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_renders_a_real_pdf_with_every_section() -> None:
    data, pages = render(sample_profile())
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    reader, text = text_of(data)
    assert len(reader.pages) == pages == 5
    assert reader.metadata is not None
    assert reader.metadata.title == "Gebiedsrapportage Buurt Zonnewijde"
    # Title page: municipality, area, period, date, classification.
    first = reader.pages[0].extract_text()
    for expected in (
        "Gebiedsrapportage",
        "Buurt Zonnewijde (BU99990101)",
        "Demodam",
        "1 januari 2026 t/m 31 december 2026",
        "29 november 2026 14:30",
        "Vertrouwelijk – alleen voor intern gebruik",
        "3.456 (CBS 2025)",
    ):
        assert expected in first, expected
    # Key figures with Dutch number formatting, change, municipality and rank.
    for expected in ("1.234", "1.100", "+12,2% *", "45.678", "3 van 12", "357,1", "210,4"):
        assert expected in text, expected
    # Only the first change is significant (p = 0.012; the rate's p = 0.3 is not).
    assert text.count("+12,2% *") == 1 and text.count("+12,2%") == 2
    assert "* De verandering is waarschijnlijk geen toeval (p < 0,05" in text
    # Every chart: numbered title, caption, and its data table.
    for number, chart in enumerate(sample_profile().charts, start=1):
        assert f"Figuur {number}. {chart.title}" in text
        assert chart.caption in text
        assert f"Tabel bij figuur {number}" in text
    assert "Jeugdoverlast" in text and "okt 2026" in text
    # The index with its themes and bands, notes and sources.
    for expected in ("Gebiedsindex 2026", "86,4", "aandachtsgebied", "Vanaf score", "110,0"):
        assert expected in text, expected
    assert "Geen enquêtecijfers voor wonen in 2026." in text
    assert "Kerncijfers wijken en buurten 2025" in text
    assert "Een focusgebied telt de signalen van zijn buurten samen." in text
    # Page numbers and the classification on every page.
    for number, page in enumerate(reader.pages, start=1):
        page_text = page.extract_text()
        assert f"Pagina {number} van {pages}" in page_text
        assert "Vertrouwelijk – alleen voor intern gebruik" in page_text


def test_suppressed_values_print_as_below_the_threshold() -> None:
    _reader, text = text_of(render(sample_profile(suppressed=True))[0])
    # The key figure, the month of the line chart and the category of the bar chart:
    # the key figure table, both data tables, and the markers in the two charts.
    assert text.count("< 5") >= 5
    assert re.search(r"mrt 2026\s*\n?\s*< 5", text)
    assert re.search(r"Woonfraude\s*\n?\s*< 5", text)
    assert "staat als „< 5”" in text
    # The value that was suppressed appears nowhere: 3 in March would be the 2026 series.
    assert not re.search(r"mrt 2026\s*\n?\s*3\s*\n", text)


def test_nothing_suppressed_for_a_viewer_with_need_to_know() -> None:
    _reader, text = text_of(render(sample_profile(suppressed=False))[0])
    assert "< 5" not in text
    assert re.search(r"mrt 2026\s*\n?\s*9\s*\n?\s*12", text)
    assert "niet onderdrukt" in text


def test_threshold_follows_the_setting(settings: object) -> None:
    profile = dataclasses.replace(sample_profile(), suppression_threshold=0)
    # A suppressed flag with a profile threshold of 0 falls back to the setting.
    setattr(settings, "SMALL_COUNT_THRESHOLD", 10)  # noqa: B010 - pytest-django settings
    _reader, text = text_of(render(profile)[0])
    assert "< 10" in text and "< 5" not in text


def test_empty_profile_still_renders() -> None:
    profile = dataclasses.replace(
        sample_profile(),
        key_figures=(),
        index=None,
        notes=(),
        residents=None,
        households=None,
        stats_year=None,
        charts=(
            Chart(
                key="trend",
                title="Signalen per maand",
                caption="Geen signalen in deze periode.",
                kind="line",
                x_label="Maand",
                y_label="Signalen",
                x_labels=("jan 2026", "feb 2026"),
                series=(Series(name="Signalen", values=(None, None)),),
            ),
        ),
    )
    reader, text = text_of(render(profile)[0])
    assert len(reader.pages) >= 2
    assert "Er zijn geen kerncijfers voor dit gebied en deze periode." in text
    assert "Geen gegevens om te tekenen in deze periode." in text
    assert "Gebiedsindex" not in text


def test_many_categories_and_a_long_trend_fit_on_pages() -> None:
    months = tuple(f"m{i}" for i in range(36))
    categories = tuple(f"Categorie {i}" for i in range(30))
    profile = dataclasses.replace(
        sample_profile(),
        charts=(
            Chart(
                "trend",
                "Trend",
                "Drie jaar.",
                "line",
                "Maand",
                "Signalen",
                months,
                (Series("Signalen", tuple(float(i) for i in range(36))),),
            ),
            Chart(
                "categories",
                "Categorieën",
                "Dertig.",
                "hbar",
                "Categorie",
                "Signalen",
                categories,
                (Series("Signalen", tuple(float(i) for i in range(30))),),
            ),
        ),
    )
    data, pages = render(profile)
    reader, text = text_of(data)
    assert len(reader.pages) == pages
    assert "m35" in text and "Categorie 29" in text


def test_same_profile_same_bytes() -> None:
    """Deterministic output: a rerun after a retry writes the same file."""
    assert render(sample_profile())[0] == render(sample_profile())[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1234, "1.234"), (1234567.25, "1.234.567,2"), (0.5, "0,5"), (12.0, "12"), (-3.25, "-3,2")],
)
def test_dutch_numbers(value: float, expected: str) -> None:
    assert pdf.format_number(value) == expected


def test_change_and_missing_values() -> None:
    assert pdf.format_change(12.25) == "+12,2%"
    assert pdf.format_change(-4.0) == "-4,0%"
    assert pdf.format_change(0.0) == "0,0%"
    assert pdf.format_change(None) == "–"
    assert pdf.format_value(None, False, 5) == "–"
    assert pdf.format_value(None, True, 5) == "< 5"
    assert pdf.format_value(3, True, 5) == "< 5"


@pytest.mark.parametrize(
    ("top", "expected"),
    [(44, (50, 10)), (120, (125, 25)), (25, (25, 5)), (3, (3, 1)), (0, (1, 0.2))],
)
def test_axis_scale(top: float, expected: tuple[float, float]) -> None:
    assert pdf.nice_scale(top) == expected


@pytest.mark.parametrize(
    ("top", "expected"), [(0, (1, 1)), (3, (3, 1)), (4, (4, 1)), (12, (15, 5))]
)
def test_axis_scale_of_counts_has_whole_steps(top: float, expected: tuple[float, float]) -> None:
    assert pdf.nice_scale(top, whole=True) == expected


def test_a_line_with_a_single_known_value_is_drawn_as_a_marker() -> None:
    """One known month (the rest suppressed) cannot be a polyline; the marker stays."""
    chart = Chart(
        key="trend",
        title="Signalen per maand",
        caption="Eén bekende maand.",
        kind="line",
        x_label="Maand",
        y_label="Signalen",
        x_labels=("jan 2026", "feb 2026", "mrt 2026"),
        series=(
            Series(name="Signalen", values=(None, 7.0, None), suppressed=(True, False, True)),
            Series(name="Een jaar eerder", values=(None, None, None)),
        ),
    )
    drawing = pdf.draw_chart(chart, 5)
    assert drawing is not None
    data, _pages = render(dataclasses.replace(sample_profile(), charts=(chart,)))
    _reader, text = text_of(data)
    assert re.search(r"jan 2026\s*\n?\s*< 5\s*\n?\s*–", text)
    assert re.search(r"feb 2026\s*\n?\s*7\s*\n?\s*–", text)
