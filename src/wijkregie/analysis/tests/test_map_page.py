"""The map page /kaart/ and its CSV downloads, for every persona."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from wijkregie.analysis.models import AreaStatistic
from wijkregie.testing.personas import EXPECTED_VISIBLE, World, make_signal

PERSONAS = sorted(EXPECTED_VISIBLE)
READERS = {"regisseur", "analist", "wijkagent", "corporatie", "jongerenwerker", "outsider"}
CSVS = ("/kaart/buurten.csv", "/kaart/hotspots.csv", "/kaart/focusgebieden.csv")
BUURTEN = ("BU99990101", "BU99990102", "BU99990201", "BU99990202")


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def page(client: Client, query: str = "") -> str:
    response = client.get(f"/kaart/{'?' + query if query else ''}")
    assert response.status_code == 200
    return response.content.decode()


def table(html: str, table_id: str) -> str:
    match = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    assert match, table_id
    return match.group(0)


def column(html: str, table_id: str, key: str, col: str) -> dict[str, str]:
    """data-<key> of each body row -> text of its cell with data-col=<col>."""
    rows = re.findall(
        rf'<tr[^>]*data-{key}="([^"]+)".*?data-col="{col}">([^<]*)<', table(html, table_id), re.S
    )
    return {k: unescape(v).strip() for k, v in rows}


def read_csv(client: Client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_gets_the_map(world: World, persona: str) -> None:
    client = client_for(world, persona)
    responses = [client.get("/kaart/"), *(client.get(url) for url in CSVS)]
    if persona not in READERS:
        assert {r.status_code for r in responses} == {404}
        assert "/kaart/" not in client.get("/").content.decode()  # no link in the menu
        return
    assert {r.status_code for r in responses} == {200}
    html = responses[0].content.decode()
    assert 'href="/kaart/" aria-current="page"' in html
    for key, signal in world.signals.items():
        # The map lists figures, never signals.
        assert str(signal.uuid) not in html, key
    if persona == "outsider":
        for text in ("Noord", "BU9999", "Buurt 1", "Jeugdoverlast"):
            assert text not in html
        for url in CSVS:
            assert "BU9999" not in client.get(url).content.decode()
            assert "Noord" not in client.get(url).content.decode()
    else:
        assert set(column(html, "buurt-table", "code", "count")) == set(BUURTEN)


def test_login_required(world: World) -> None:
    response = Client().get("/kaart/")
    assert response.status_code == 302 and "/inloggen/" in response["Location"]


@pytest.mark.parametrize("persona", ["regisseur", "wijkagent", "corporatie", "jongerenwerker"])
def test_buurt_and_focus_tables_count_the_visible_signals(world: World, persona: str) -> None:
    html = page(client_for(world, persona))
    expected = dict.fromkeys(BUURTEN, 0)
    for key in EXPECTED_VISIBLE[persona]:
        expected[world.signals[key].neighbourhood.code] += 1  # type: ignore[union-attr]
    assert column(html, "buurt-table", "code", "count") == {k: str(v) for k, v in expected.items()}
    noord = expected["BU99990101"] + expected["BU99990102"]
    assert column(html, "focus-table", "uuid", "count") == {str(world.focus.uuid): str(noord)}
    # Need-to-know: each buurt links to its signals with the same filters.
    assert 'href="/signalen/?area=BU99990101"' in table(html, "buurt-table")


def test_analyst_sees_suppressed_counts_and_no_links_to_signals(world: World) -> None:
    for _ in range(5):
        make_signal(world, owner="gemeente", category="woonfraude", buurt="02")
    html = page(client_for(world, "analist"))
    counts = column(html, "buurt-table", "code", "count")
    assert counts == {
        "BU99990101": "< 5",
        "BU99990102": "5",
        "BU99990201": "0",
        "BU99990202": "< 5",
    }
    assert column(html, "focus-table", "uuid", "count") == {str(world.focus.uuid): "6"}
    assert "/signalen/" not in table(html, "buurt-table")
    assert "/signalen/" not in table(html, "hotspot-table")
    assert 'data-links="0"' in html
    assert "Aantallen onder de 5 worden afgeschermd" in html
    assert "minder dan 5 signalen: aantal afgeschermd" in html  # legend
    rows = read_csv(client_for(world, "analist"), "/kaart/buurten.csv")
    assert rows[0] == ["buurtcode", "buurt", "signalen", "inwoners", "per_1000_inwoners", "klasse"]
    assert {r[0]: r[2] for r in rows[1:]} == {
        "BU99990101": "<5",
        "BU99990102": "5",
        "BU99990201": "0",
        "BU99990202": "<5",
    }
    regisseur = page(client_for(world, "regisseur"))
    assert column(regisseur, "buurt-table", "code", "count")["BU99990101"] == "1"
    assert "afgeschermd" not in regisseur


def test_threshold_comes_from_the_settings(world: World, settings: object) -> None:
    settings.SMALL_COUNT_THRESHOLD = 2  # type: ignore[attr-defined]
    html = page(client_for(world, "analist"))
    assert column(html, "buurt-table", "code", "count")["BU99990101"] == "< 2"


def test_hot_cells_table_and_csv(world: World) -> None:
    for _ in range(12):
        make_signal(world, owner="gemeente", category="woonfraude", buurt="02")
    client = client_for(world, "regisseur")
    html = page(client)
    hot = column(html, "hotspot-table", "cell", "count")
    assert hot["E1562N4632"] == "12"
    classes = dict(re.findall(r'data-cell="([^"]+)" data-class="([^"]+)"', html))
    assert classes["E1562N4632"] == "hot"
    rows = read_csv(client, "/kaart/hotspots.csv")
    assert rows[0] == [
        "cel",
        "cel_x",
        "cel_y",
        "signalen",
        "gi_z",
        "p",
        "significant",
        "klasse",
        "toetsing",
    ]
    assert len(rows) == 1 + 400  # every cell of the four buurten
    by_cell = {r[0]: r for r in rows[1:]}
    assert by_cell["E1562N4632"][3] == "12" and by_cell["E1562N4632"][7] == "hot"
    assert {r[8] for r in rows[1:]} == {"FDR 0.05"}
    # The table holds exactly the significant cells of the CSV.
    significant = {r[0] for r in rows[1:] if r[6] == "ja"}
    assert set(classes) == significant


def test_rates_and_legend_with_cbs_figures(world: World) -> None:
    for code, residents in (("BU99990101", 2000), ("BU99990202", 500)):
        AreaStatistic.objects.create(code=code, kind="buurt", year=2024, residents=residents)
    html = page(client_for(world, "regisseur"))
    rates = column(html, "buurt-table", "code", "rate")
    assert rates == {"BU99990101": "0,5", "BU99990102": "—", "BU99990201": "—", "BU99990202": "2,0"}
    assert "Buurten: signalen per 1.000 inwoners (CBS 2024)" in html
    legend = re.search(r'<ul[^>]*id="choropleth-legend".*?</ul>', html, re.S)
    assert legend is not None
    items = [
        unescape(re.sub(r"<[^>]+>", "", li)).strip()
        for li in re.findall(r"<li.*?</li>", legend.group(0), re.S)
    ]
    assert items == [
        "geen signalen",
        "meer dan 0 tot en met 0,5 per 1.000 inwoners",
        "meer dan 0,5 tot en met 2,0 per 1.000 inwoners",
        "geen inwonersaantal bekend",
    ]
    classes = column(html, "buurt-table", "code", "class")
    assert classes == {"BU99990101": "1", "BU99990102": "—", "BU99990201": "—", "BU99990202": "2"}


def test_filters_and_layers_round_trip_through_the_url(world: World) -> None:
    query = (
        "from=2020-01-01&to=2030-12-31&domain=veiligheid&category=overlast-jeugd&source=partner"
        f"&area={world.focus.uuid}&alpha=0.01&layers=&layers=hotspots&layers=focus-areas"
    )
    html = page(client_for(world, "wijkagent"), query)
    assert 'id="f-from" name="from" value="2020-01-01"' in html
    assert 'id="f-to" name="to" value="2030-12-31"' in html
    assert '<option value="veiligheid" selected>' in html
    assert '<option value="overlast-jeugd" selected>' in html
    assert '<option value="partner" selected>' in html
    assert f'<option value="{world.focus.uuid}" selected>' in html
    assert '<option value="0.01" selected>' in html
    checked = set(re.findall(r'id="layer-([a-z-]+)" name="layers" value="[a-z-]+" checked', html))
    assert checked == {"hotspots", "focus-areas"}
    # The map's data URLs carry the same filters.
    url = unescape(re.search(r'data-choropleth-url="([^"]+)"', html).group(1))  # type: ignore[union-attr]
    assert urlsplit(url).path == "/api/v1/analysis/map/choropleth"
    assert parse_qs(urlsplit(url).query) == {
        "from": ["2020-01-01"],
        "to": ["2030-12-31"],
        "domain": ["veiligheid"],
        "category": ["overlast-jeugd"],
        "source": ["partner"],
        "area": [str(world.focus.uuid)],
        "alpha": ["0.01"],
    }
    # Filtered to Noord: police signals in 01 and 02 count, the one in 03 does not.
    counts = column(html, "buurt-table", "code", "count")
    assert counts == {"BU99990101": "1", "BU99990102": "1", "BU99990201": "0", "BU99990202": "0"}
    assert "FDR 0.01" in html


def test_bad_filters_are_shown_in_dutch(world: World) -> None:
    html = page(client_for(world, "regisseur"), "from=gisteren&alpha=0.5&layers=kaas")
    assert "Gebruik een datum als JJJJ-MM-DD." in html
    assert "Kies een foutmarge (FDR) van 0.01, 0.05 of 0.1." in html
    assert "Onbekende kaartlaag." in html


def test_foreign_or_unknown_areas_are_404(world: World) -> None:
    outsider = client_for(world, "outsider")
    for url in ("/kaart/", *CSVS):
        assert outsider.get(url, {"area": str(world.focus.uuid)}).status_code == 404
        assert outsider.get(url, {"area": "BU99990101"}).status_code == 404
    regisseur = client_for(world, "regisseur")
    missing = "00000000-0000-4000-8000-000000000000"
    assert regisseur.get("/kaart/", {"area": missing}).status_code == 404
    assert regisseur.get("/kaart/", {"area": "BU99980101"}).status_code == 404
    assert regisseur.get("/kaart/", {"area": "WK999901"}).status_code == 200


def test_csv_downloads_follow_the_filters(world: World) -> None:
    client = client_for(world, "wijkagent")
    rows = read_csv(client, "/kaart/buurten.csv?area=BU99990201")
    assert {r[0]: r[2] for r in rows[1:]} == {
        "BU99990101": "0",
        "BU99990102": "0",
        "BU99990201": "1",
        "BU99990202": "0",
    }
    focus = read_csv(client, "/kaart/focusgebieden.csv")
    assert focus == [
        ["focusgebied", "buurtcodes", "signalen"],
        ["Noord", "BU99990101 BU99990102", "2"],
    ]


def test_the_page_reads_the_signal_table_twice(world: World) -> None:
    """Buurt and focus area figures share one GROUP BY; the cells are the other."""
    client = client_for(world, "regisseur")
    with CaptureQueriesContext(connection) as queries:
        page(client)
    on_signals = [q["sql"] for q in queries.captured_queries if '"signals_signal"' in q["sql"]]
    assert len(on_signals) == 2, on_signals
    assert all("GROUP BY" in sql for sql in on_signals)


def spread_signals(world: World) -> None:
    """A strong hot spot (5 in one cell of buurt 02) and a weak one (2 in a cell of 03): the
    weak one passes p < 0.05 on its own but not the FDR over 400 cells."""
    for _ in range(5):
        make_signal(world, owner="gemeente", category="woonfraude", buurt="02")
    for _ in range(2):
        make_signal(world, owner="gemeente", category="woonfraude", buurt="03")


def test_fdr_off_is_a_labelled_choice_in_form_table_csv_and_url(world: World) -> None:
    spread_signals(world)
    client = client_for(world, "regisseur")
    on_html = page(client)
    assert '<option value="on" selected>' in on_html and 'id="fdr-off-warning"' not in on_html
    on_cells = dict(re.findall(r'data-cell="([^"]+)" data-class="([^"]+)"', on_html))
    off_html = page(client, "fdr=off&alpha=0.05")
    assert '<option value="off" selected>' in off_html
    assert "Uit: ongecorrigeerd, elke cel apart (p &lt; alpha)" in off_html
    # Labelled as uncorrected in the legend, the caption and a warning with the chance count.
    assert "ongecorrigeerd: p &lt; 0.05 per cel" in off_html
    assert "Getis-Ord Gi*, ongecorrigeerd, p &lt; 0.05 per cel" in off_html
    assert 'id="fdr-off-warning"' in off_html and "ongeveer 20 cellen" in off_html
    off_cells = dict(re.findall(r'data-cell="([^"]+)" data-class="([^"]+)"', off_html))
    # Without the correction at least every FDR cell, and here more.
    assert set(on_cells) < set(off_cells)
    assert all(off_cells[c] == k for c, k in on_cells.items())
    # The map's data URL carries the choice; the map asks the trimmed hot spot endpoint.
    url = unescape(re.search(r'data-hotspots-url="([^"]+)"', off_html).group(1))  # type: ignore[union-attr]
    assert urlsplit(url).path == "/api/v1/analysis/map/hotspots"
    assert parse_qs(urlsplit(url).query) == {"fdr": ["off"]}
    csv_href = unescape(re.search(r'href="(/kaart/hotspots.csv[^"]*)"', off_html).group(1))  # type: ignore[union-attr]
    rows = read_csv(client, csv_href)
    assert {r[8] for r in rows[1:]} == {"ongecorrigeerd, p < 0.05 per cel"}
    for r in rows[1:]:
        assert (r[6] == "ja") == (r[5] != "" and float(r[5]) < 0.05), r
    assert {r[0] for r in rows[1:] if r[6] == "ja"} == set(off_cells)
    on_rows = read_csv(client, "/kaart/hotspots.csv")
    assert {r[0] for r in on_rows[1:] if r[6] == "ja"} == set(on_cells)


def test_fdr_off_for_the_analyst_keeps_suppression(world: World) -> None:
    spread_signals(world)
    html = page(client_for(world, "analist"), "fdr=off")
    counts = column(html, "hotspot-table", "cell", "count")
    assert counts and "< 5" in counts.values() and "2" not in counts.values()
    assert "5" in counts.values()


def test_a_bad_fdr_choice_is_shown_in_dutch(world: World) -> None:
    html = page(client_for(world, "regisseur"), "fdr=misschien")
    assert "Kies voor de correctie voor meervoudig toetsen aan of uit." in html
    assert '<option value="on" selected>' in html


def test_fdr_off_pages_are_404_for_outsiders_and_roles_without_signals(world: World) -> None:
    for persona in ("privacy", "beheerder"):
        client = client_for(world, persona)
        assert client.get("/kaart/", {"fdr": "off"}).status_code == 404
        assert client.get("/kaart/hotspots.csv", {"fdr": "off"}).status_code == 404
    outsider = client_for(world, "outsider")
    for url in ("/kaart/", "/kaart/hotspots.csv"):
        assert outsider.get(url, {"fdr": "off", "area": "BU99990101"}).status_code == 404
    html = page(outsider, "fdr=off")
    assert "E1562N4632" not in html
