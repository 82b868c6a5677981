"""The analysis map /kaart/: accessible, layers switch, tables equal the map, keyboard, CSP."""

from __future__ import annotations

import re
from typing import Any

import pytest

from wijkregie.testing.personas import make_signal

pytestmark = pytest.mark.e2e

READY = "#analysis-map[data-state=ready]"

MAP_CHOROPLETH = """() => Object.fromEntries([...document.querySelectorAll(
    "#analysis-map path[data-code]")].map(p => [p.dataset.code, p.dataset.count]))"""
MAP_HOTSPOTS = """() => Object.fromEntries([...document.querySelectorAll(
    "#analysis-map path[data-cell]")].map(p => [p.dataset.cell, [p.dataset.class, p.dataset.count]]))"""
TABLE_BUURTEN = """() => Object.fromEntries([...document.querySelectorAll("#buurt-table tbody tr")]
    .map(r => [r.dataset.code, r.querySelector("[data-col=count]").innerText.trim()]))"""
TABLE_HOTSPOTS = """() => Object.fromEntries([...document.querySelectorAll(
    "#hotspot-table tbody tr[data-cell]")].map(r => [r.dataset.cell,
    [r.dataset.class, r.querySelector("[data-col=count]").innerText.trim()]]))"""
CLUSTER_TOTAL = """() => [...document.querySelectorAll("#analysis-map .map-cluster")]
    .reduce((s, m) => s + Number(m.dataset.count), 0)"""


def open_map(page: Any) -> Any:
    """The first request of a run imports the whole URL conf (scipy among it): on a busy
    machine that takes longer than the default 10 s."""
    return page.goto("/kaart/", timeout=60_000)


def with_hotspot(world: Any) -> None:
    """Twelve signals in one cell of buurt 02: a significant hot spot."""
    for _ in range(12):
        make_signal(world, owner="gemeente", category="woonfraude", buurt="02")


def as_table_count(value: str) -> str:
    return "< 5" if value == "suppressed" else value


@pytest.mark.parametrize("persona", ["regisseur", "analist"])
def test_map_page_has_no_axe_violations(
    persona: str, world: Any, new_page: Any, assert_accessible: Any
) -> None:
    with_hotspot(world)
    page = new_page(world.users[persona], bypass_csp=True)
    response = open_map(page)
    assert response is not None and response.status == 200
    page.wait_for_selector(f"{READY} path[data-cell]", state="attached")
    assert_accessible(page)


def test_english_map_page_has_no_axe_violations(
    world: Any, new_page: Any, assert_accessible: Any
) -> None:
    page = new_page(world.users["regisseur"], bypass_csp=True)
    open_map(page)
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang=en]")
    page.wait_for_selector(READY, state="attached")
    assert_accessible(page)


@pytest.mark.parametrize("persona", ["wijkagent", "analist"])
def test_tables_show_the_numbers_of_the_map(persona: str, world: Any, new_page: Any) -> None:
    with_hotspot(world)
    page = new_page(world.users[persona])
    open_map(page)
    page.wait_for_selector(f"{READY} path[data-cell]", state="attached")
    choropleth = page.evaluate(MAP_CHOROPLETH)
    table = page.evaluate(TABLE_BUURTEN)
    assert len(choropleth) == 4
    assert {code: as_table_count(n) for code, n in choropleth.items()} == table
    hotspots = page.evaluate(MAP_HOTSPOTS)
    assert hotspots and hotspots["E1562N4632"][0] == "hot"
    assert {cell: [c, as_table_count(n)] for cell, (c, n) in hotspots.items()} == page.evaluate(
        TABLE_HOTSPOTS
    )
    # The clusters on the map add up to the signals in the buurten (the whole municipality
    # is in view after fitting; every personas signal lies in a buurt).
    total = page.locator("#buurt-table tfoot td").first.inner_text()
    if persona == "wijkagent":
        assert page.evaluate(CLUSTER_TOTAL) == int(total) == 3
    else:
        assert total == "14"
        assert page.locator("#analysis-map .map-cluster--suppressed").count() >= 1


def test_layers_switch_and_the_url_follows(world: Any, new_page: Any) -> None:
    with_hotspot(world)
    page = new_page(world.users["regisseur"])
    open_map(page)
    page.wait_for_selector(f"{READY} path[data-cell]", state="attached")
    assert page.locator("#analysis-map path[data-cell]").count() >= 1
    page.uncheck("#layer-hotspots")
    assert page.locator("#analysis-map path[data-cell]").count() == 0
    assert page.get_attribute("#analysis-map", "data-layer-hotspots") == "off"
    assert "layers=hotspots" not in page.url and "layers=signals" in page.url
    page.uncheck("#layer-signals")
    assert page.locator("#analysis-map .map-cluster").count() == 0
    page.check("#layer-hotspots")
    assert page.locator("#analysis-map path[data-cell]").count() >= 1
    # The URL now holds the layers: a reload (or a shared link) shows the same map.
    page.reload()
    page.wait_for_selector(READY, state="attached")
    assert page.is_checked("#layer-hotspots") and not page.is_checked("#layer-signals")
    assert page.locator("#analysis-map .map-cluster").count() == 0
    assert page.locator("#analysis-map path[data-cell]").count() >= 1


def test_filters_go_in_the_url_and_reach_the_map(world: Any, new_page: Any) -> None:
    page = new_page(world.users["wijkagent"])
    open_map(page)
    page.wait_for_selector(READY, state="attached")
    page.select_option("#f-area", "BU99990201")
    page.get_by_role("button", name="Filter toepassen").click()
    page.wait_for_url(re.compile(r"area=BU99990201"))
    page.wait_for_selector(READY, state="attached")
    assert page.evaluate(MAP_CHOROPLETH) == {
        "BU99990101": "0",
        "BU99990102": "0",
        "BU99990201": "1",
        "BU99990202": "0",
    }
    assert page.evaluate(CLUSTER_TOTAL) == 1


def test_the_map_page_works_with_the_keyboard(world: Any, new_page: Any) -> None:
    page = new_page(world.users["regisseur"])
    open_map(page)
    page.wait_for_selector(READY, state="attached")
    page.focus("#layer-focus-areas")
    page.keyboard.press("Space")
    assert not page.is_checked("#layer-focus-areas")
    assert page.locator("#analysis-map path[data-uuid]").count() == 0
    page.keyboard.press("Space")
    assert page.locator("#analysis-map path[data-uuid]").count() == 1
    # Tab onward reaches the map itself; + zooms in and the clusters are asked again.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "analysis-map":
            break
    assert page.evaluate("document.activeElement.id") == "analysis-map"
    hotspot_requests: list[str] = []
    page.on(
        "request",
        lambda request: (
            hotspot_requests.append(request.url) if "/map/hotspots" in request.url else None
        ),
    )
    with page.expect_response(re.compile(r"/api/v1/analysis/map/clusters\?.*zoom=")) as info:
        page.keyboard.press("Equal")
    assert info.value.status == 200
    # Gi* does not depend on the view: zooming and panning ask for clusters, not hot spots.
    with page.expect_response(re.compile(r"/api/v1/analysis/map/clusters\?.*bbox=")):
        page.keyboard.press("ArrowRight")
    assert hotspot_requests == []
    assert "zoom=" in info.value.url and "bbox=" in info.value.url
    # The tables stay in the tab order (scrollable regions are focusable).
    assert page.get_attribute("#buurt-table >> xpath=..", "tabindex") == "0"


def test_no_csp_violations_on_the_map_page(world: Any, new_page: Any) -> None:
    with_hotspot(world)
    page = new_page(world.users["regisseur"])  # the real CSP
    page.add_init_script(
        """document.addEventListener("securitypolicyviolation", (e) => {
            window.__cspViolations = (window.__cspViolations || []).concat(
                [e.violatedDirective + " " + (e.blockedURI || "inline")]);
        });"""
    )
    messages: list[str] = []
    page.on("console", lambda msg: messages.append(msg.text))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    open_map(page)
    page.wait_for_selector(f"{READY} path[data-cell]", state="attached")
    page.uncheck("#layer-neighbourhoods")
    page.check("#layer-neighbourhoods")
    assert page.evaluate("window.__cspViolations || []") == []
    assert not [m for m in messages if "Content Security Policy" in m]
    origin = re.match(r"https?://[^/]+", page.url)
    assert origin is not None
    assert all(url.startswith(origin.group(0)) for url in requests), requests


def test_fdr_off_is_labelled_and_has_no_axe_violations(
    world: Any, new_page: Any, assert_accessible: Any
) -> None:
    """A strong hot spot and a weak one: with the FDR only the strong one colours; switched
    off (uncorrected p < alpha) the weak one too, the page says so, and the map asks the
    server once for the hot and cold cells of the whole study area."""
    for _ in range(5):
        make_signal(world, owner="gemeente", category="woonfraude", buurt="02")
    for _ in range(2):
        make_signal(world, owner="gemeente", category="woonfraude", buurt="03")
    page = new_page(world.users["regisseur"], bypass_csp=True)
    open_map(page)
    page.wait_for_selector(f"{READY} path[data-cell]", state="attached")
    with_fdr = page.evaluate(MAP_HOTSPOTS)
    assert "E1562N4632" in with_fdr and "E1572N4632" not in with_fdr
    page.select_option("#f-fdr", "off")
    with page.expect_response(re.compile(r"/api/v1/analysis/map/hotspots\?.*fdr=off")) as info:
        page.get_by_role("button", name="Filter toepassen").click()
    assert info.value.status == 200 and "bbox=" not in info.value.url
    data = info.value.json()
    assert data["meta"]["correction"] == "none" and data["meta"]["classifiedOnly"] is True
    assert all(f["properties"]["class"] != "none" for f in data["features"])
    page.wait_for_selector(f"{READY} path[data-cell='E1572N4632']", state="attached")
    assert "fdr=off" in page.url
    assert page.locator("#fdr-off-warning").is_visible()
    assert "ongecorrigeerd" in page.locator("#hotspot-caption").inner_text()
    without_fdr = page.evaluate(MAP_HOTSPOTS)
    assert set(with_fdr) < set(without_fdr)
    assert {cell: [c, as_table_count(n)] for cell, (c, n) in without_fdr.items()} == page.evaluate(
        TABLE_HOTSPOTS
    )
    assert_accessible(page)
