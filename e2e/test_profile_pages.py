"""Browser tests of the area profile and comparison pages: axe-core finds no WCAG 2.1 A/AA
violations, every chart has a caption, its table holds the chart's numbers, the CSV link
downloads the same table, and everything is reachable with the keyboard."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

BUURT = "BU99990101"
CHART_KEYS = ("trend", "domains", "categories", "hour", "weekday")


def profile_path(world: Any) -> str:
    return f"/gebieden/profiel/{BUURT}/"


def compare_path(world: Any) -> str:
    return f"/gebieden/vergelijken/?gebied={BUURT}&gebied={world.focus.uuid}"


@pytest.fixture(autouse=True)
def loaded_urlconf() -> None:
    """Import the URLconf (and with it every view module and numpy/scipy) before the browser
    asks: on a busy machine the first request would otherwise outlast the page timeout."""
    from django.urls import reverse

    reverse("analysis:profile-index")


PAGES = {
    "profile": ("regisseur", profile_path),
    "profile, pseudonymised": ("analist", profile_path),
    "focus area profile": ("regisseur", lambda w: f"/gebieden/profiel/{w.focus.uuid}/"),
    "profile, bad period": ("regisseur", lambda w: f"{profile_path(w)}?from=gisteren"),
    "profile index": ("regisseur", lambda w: "/gebieden/profiel/"),
    "compare": ("regisseur", compare_path),
    "compare, one area": ("regisseur", lambda w: f"/gebieden/vergelijken/?gebied={BUURT}"),
}


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("language", ["nl", "en"])
def test_profile_pages_have_no_axe_violations(
    name: str, language: str, world: Any, new_page: Any, assert_accessible: Any
) -> None:
    persona, path = PAGES[name]
    page = new_page(world.users[persona], bypass_csp=True)
    response = page.goto(path(world))
    assert response is not None and response.status == 200
    if language == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "en"
    # Open every data table, so that axe checks them too.
    for summary in page.locator("details > summary").all():
        summary.click()
    assert_accessible(page)


def chart_table(page: Any, figure: Any) -> list[list[str]]:
    rows = []
    for row in figure.locator("table tr").all():
        rows.append([c.strip() for c in row.locator("th, td").all_inner_texts()])
    return rows


def test_charts_have_captions_and_tables_with_the_same_numbers(world: Any, new_page: Any) -> None:
    page = new_page(world.users["regisseur"])
    page.goto(profile_path(world))
    figures = page.locator("figure.wr-chart-figure")
    assert figures.count() == len(CHART_KEYS)
    for key in CHART_KEYS:
        figure = page.locator(f"figure#profile-{key}")
        svg = figure.locator("svg[role=img]")
        assert svg.count() == 1
        title_id, desc_id = (svg.get_attribute("aria-labelledby") or "").split()
        assert figure.locator(f"#{title_id}").text_content()
        assert "tabel" in (figure.locator(f"#{desc_id}").text_content() or "").lower()
        assert figure.locator("figcaption h3").inner_text()
        assert figure.locator("figcaption p").inner_text()
        # The table alternative: hidden in <details> until opened, then readable.
        table = figure.locator("table")
        assert not table.is_visible()
        figure.locator("summary").click()
        assert table.is_visible()
        assert table.locator("caption").inner_text()
        rows = chart_table(page, figure)
        # The number of bars/points per series equals the non-empty cells of the table.
        if key in {"hour", "weekday"}:
            drawn = svg.locator("rect.wr-chart__bar").count()
            assert drawn == len(rows) - 1
            heights = [
                float(r.get_attribute("height") or 0)
                for r in svg.locator("rect.wr-chart__bar").all()
            ]
            values = [float(row[1].replace(",", ".")) for row in rows[1:]]
            top = max(values)
            if top:
                ratio = max(heights) / top
                for h, v in zip(heights, values, strict=True):
                    assert h == pytest.approx(v * ratio, abs=0.2)
    # Yesterday's signal of the gemeente (buurt 04) is not in buurt 01; the police signal in
    # Noord is: 1 signal in this month's row of the trend table.
    trend = chart_table(page, page.locator("figure#profile-trend"))
    assert sum(int(row[1]) for row in trend[1:]) == 1


def test_csv_link_downloads_the_table(world: Any, new_page: Any) -> None:
    page = new_page(world.users["regisseur"], accept_downloads=True)
    page.goto(profile_path(world))
    figure = page.locator("figure#profile-weekday")
    figure.locator("summary").click()
    table = chart_table(page, figure)
    with page.expect_download() as info:
        figure.get_by_role("link", name="CSV").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    text = open(download.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [[c or "—" for c in row] for row in rows] == table


def test_keyboard_reaches_tables_and_downloads(world: Any, new_page: Any) -> None:
    page = new_page(world.users["regisseur"])
    page.goto(profile_path(world))
    reached: list[str] = []
    for _ in range(120):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate(
                "() => { const e = document.activeElement;"
                " return e.tagName + ':' + (e.getAttribute('href') || e.textContent || '').trim(); }"
            )
        )
        if any("weekday.csv" in r for r in reached):
            break
    assert any(r.startswith("SUMMARY:") for r in reached)
    assert any("trend.csv" in r for r in reached)
    assert any("weekday.csv" in r for r in reached)
    # A summary opens its table with the keyboard.
    page.locator("figure#profile-hour summary").focus()
    page.keyboard.press("Enter")
    assert page.locator("figure#profile-hour table").is_visible()


def test_compare_page_shows_both_areas(world: Any, new_page: Any) -> None:
    page = new_page(world.users["regisseur"])
    page.goto(compare_path(world))
    header = page.locator("#key-figures thead th").all_inner_texts()
    assert [h.strip() for h in header] == ["Cijfer", "Buurt 1", "Noord", "Gemeente"]
    legend = page.locator("figure#compare-trend svg .wr-chart__legend text").all_text_contents()
    assert legend == ["Buurt 1", "Noord"]
    # The picker keeps the choice, and comparing again works from the keyboard.
    assert page.locator(f"#pick-{BUURT}").is_checked()
    page.locator(f"#pick-{world.focus.uuid}").uncheck()
    page.locator("#pick-WK999901").check()
    page.get_by_role("button", name="Vergelijken").press("Enter")
    page.wait_for_url("**/gebieden/vergelijken/?**")
    header = page.locator("#key-figures thead th").all_inner_texts()
    assert [h.strip() for h in header] == ["Cijfer", "Wijk 1", "Buurt 1", "Gemeente"]
