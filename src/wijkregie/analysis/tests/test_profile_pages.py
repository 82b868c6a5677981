"""The profile and comparison pages and their CSV downloads, for every persona."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from wijkregie.analysis.tests.test_profile_selectors import (
    START,
    count,
    history,  # noqa: F401 - fixture
    seen,
)
from wijkregie.testing.personas import EXPECTED_VISIBLE, World

PERSONAS = sorted(EXPECTED_VISIBLE)
READERS = {"regisseur", "analist", "wijkagent", "corporatie", "jongerenwerker", "outsider"}
PERIOD = {"from": START.isoformat(), "to": "2025-06-30"}
BUURT = "BU99990101"


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


class Tables(HTMLParser):
    """Every <table> of a page as rows of cell texts, keyed by its data-chart (or id)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._key: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self._key = a.get("data-chart") or a.get("id") or f"t{len(self.tables)}"
            self.tables[self._key] = []
        elif tag == "tr" and self._key is not None:
            self._row = []
        elif tag in {"td", "th"} and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._key is not None and self._row is not None:
            self.tables[self._key].append(self._row)
            self._row = None
        elif tag == "table":
            self._key = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_profile_page_per_persona(history: World, persona: str) -> None:  # noqa: F811
    client = client_for(history, persona)
    urls = [
        f"/gebieden/profiel/{BUURT}/",
        f"/gebieden/profiel/{history.focus.uuid}/",
        "/gebieden/profiel/WK999901/",
        f"/gebieden/profiel/{BUURT}/trend.csv",
        "/gebieden/profiel/",
        f"/gebieden/vergelijken/?gebied={BUURT}&gebied=WK999902",
    ]
    responses = [client.get(url) for url in urls]
    if persona not in READERS or persona == "outsider":
        # The outsider's own municipality has no such areas; the others read no signals.
        expected = [404] * len(urls)
        if persona == "outsider":
            expected[4] = 200  # the outsider has an index page of their own areas
        assert [r.status_code for r in responses] == expected
        if persona == "outsider":
            assert BUURT not in responses[4].content.decode()
            assert "Buurt 1" not in responses[4].content.decode()
        return
    assert [r.status_code for r in responses] == [200] * len(urls)
    page = client.get(f"/gebieden/profiel/{BUURT}/", PERIOD).content.decode()
    figures = {row[0]: row for row in tables(page)["key-figures"][1:]}
    n = count(seen(persona, {"01"}))
    shown = figures["Signalen"][1]
    if persona == "analist" and 0 < n < 5:
        assert shown == "< 5"
    else:
        assert shown == str(n)
    assert figures["Signalen"][4] == str(count(seen(persona)))


def test_outsider_sees_the_same_404_for_missing_and_foreign(history: World) -> None:  # noqa: F811
    client = client_for(history, "outsider")
    foreign = client.get(f"/gebieden/profiel/{BUURT}/")
    missing = client.get("/gebieden/profiel/BU12345678/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content


def test_profile_page_shows_figures_charts_tables_and_links(history: World) -> None:  # noqa: F811
    client = client_for(history, "regisseur")
    response = client.get(f"/gebieden/profiel/{BUURT}/", PERIOD)
    html = response.content.decode()
    assert "Gebiedsprofiel Buurt 1" in html
    assert html.count('role="img"') == 5
    for key in ("trend", "domains", "categories", "hour", "weekday"):
        assert f'data-chart="{key}"' in html
        assert f"/gebieden/profiel/{BUURT}/{key}.csv?from=2025-01-01&amp;to=2025-06-30" in html
    assert "<figcaption" in html and html.count("<caption") >= 6
    assert f"/rapportages/nieuw/?gebied={BUURT}" in html
    assert f"/gebieden/vergelijken/?gebied={BUURT}" in html
    assert "Geen index beschikbaar" in html or "Gebiedsindex" in html
    assert "style=" not in html and "<script>" not in html
    assert not re.search(r"\son[a-z]+=", html)
    figures = {row[0]: row for row in tables(html)["key-figures"][1:]}
    assert figures["Signalen"][1:3] == ["12", "4"]
    assert figures["Signalen"][3].startswith("+200")
    assert figures["Signalen"][5] == "1 van 4"


@pytest.mark.parametrize("persona", ["regisseur", "analist"])
def test_csv_equals_the_table_on_the_page(history: World, persona: str) -> None:  # noqa: F811
    client = client_for(history, persona)
    html = client.get(f"/gebieden/profiel/{BUURT}/", PERIOD).content.decode()
    page_tables = tables(html)
    for key in ("trend", "domains", "categories", "hour", "weekday"):
        response = client.get(f"/gebieden/profiel/{BUURT}/{key}.csv", PERIOD)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in response["Content-Disposition"]
        rows = csv_rows(response.content)
        table = page_tables[key]
        assert rows[0] == table[0]
        # The page prints an unknown value as a dash; the CSV leaves it empty.
        assert [[c or "—" for c in row] for row in rows[1:]] == table[1:], key
    trend = csv_rows(client.get(f"/gebieden/profiel/{BUURT}/trend.csv", PERIOD).content)
    if persona == "analist":
        assert trend[2][2] == "<5"  # February 2024: 4 signals
        assert trend[3][1] == "<5"  # March 2025: 2 signals
    else:
        assert trend[2][2] == "4"
        assert trend[3][1] == "2"
    figures = csv_rows(client.get(f"/gebieden/profiel/{BUURT}/kerncijfers.csv", PERIOD).content)
    assert figures[0][:3] == ["cijfer", "omschrijving", "waarde"]
    by_key = {row[0]: row for row in figures[1:]}
    assert by_key["signals"][2] == "12"
    assert by_key["domain:wonen"][2] == ("<5" if persona == "analist" else "2")


def test_unknown_chart_csv_is_404(history: World) -> None:  # noqa: F811
    client = client_for(history, "regisseur")
    assert client.get(f"/gebieden/profiel/{BUURT}/nonsense.csv").status_code == 404


def test_invalid_period_is_reported_and_not_applied(history: World) -> None:  # noqa: F811
    client = client_for(history, "regisseur")
    response = client.get(f"/gebieden/profiel/{BUURT}/", {"from": "2019-01-01", "to": "2025-01-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kies een periode van hoogstens drie jaar." in html
    assert 'aria-invalid="true"' in html


def test_compare_page_puts_areas_side_by_side(history: World) -> None:  # noqa: F811
    client = client_for(history, "regisseur")
    params = {"gebied": [BUURT, str(history.focus.uuid)], **PERIOD}
    response = client.get("/gebieden/vergelijken/", params)
    assert response.status_code == 200
    html = response.content.decode()
    page_tables = tables(html)
    header = page_tables["key-figures"][0]
    assert header[1:] == ["Buurt 1", "Noord", "Gemeente"]
    figures = {row[0]: row for row in page_tables["key-figures"][1:]}
    assert figures["Signalen"][1].startswith("12")
    assert figures["Signalen"][2].startswith(str(count(seen("regisseur", {"01", "02"}))))
    for key in ("trend", "categories", "hour", "weekday"):
        table = page_tables[key]
        assert table[0][1:] == ["Buurt 1", "Noord"]
        rows = csv_rows(client.get(f"/gebieden/vergelijken/{key}.csv", params).content)
        assert [[c or "—" for c in row] for row in rows] == table
    figures_csv = csv_rows(client.get("/gebieden/vergelijken/kerncijfers.csv", params).content)
    assert figures_csv[0] == ["cijfer", "omschrijving", "Buurt 1", "Noord"]
    assert figures_csv[1][:3] == ["signals", "Signalen", "12"]


@pytest.mark.parametrize("codes", [[], [BUURT], [BUURT, BUURT], ["a", "b", "c", "d", "e"]])
def test_compare_needs_two_to_four_areas(history: World, codes: list[str]) -> None:  # noqa: F811
    client = client_for(history, "regisseur")
    if len(set(codes)) > 4:
        codes = [BUURT, "BU99990102", "BU99990201", "BU99990202", "WK999901"]
    response = client.get("/gebieden/vergelijken/", {"gebied": codes})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="gebied"' in html  # the picker
    assert ("Kies twee tot vier verschillende gebieden." in html) == bool(codes)
    assert 'role="img"' not in html
    assert client.get("/gebieden/vergelijken/trend.csv", {"gebied": codes}).status_code == 404


def test_compare_with_a_foreign_area_is_404(history: World) -> None:  # noqa: F811
    client = client_for(history, "regisseur")
    response = client.get("/gebieden/vergelijken/", {"gebied": [BUURT, "BU99980101"]})
    assert response.status_code == 404


def test_navigation_and_area_pages_link_to_the_profiles(history: World) -> None:  # noqa: F811
    client = client_for(history, "regisseur")
    assert "/gebieden/profiel/" in client.get("/").content.decode()
    assert "/gebieden/profiel/" in client.get("/gebieden/").content.decode()
    detail = client.get(f"/gebieden/{history.focus.uuid}/").content.decode()
    assert f"/gebieden/profiel/{history.focus.uuid}/" in detail
    index = client.get("/gebieden/profiel/").content.decode()
    for code in (BUURT, "WK999901", str(history.focus.uuid)):
        assert f"/gebieden/profiel/{code}/" in index
    privacy = client_for(history, "privacy")
    assert "/gebieden/profiel/" not in privacy.get("/").content.decode()


def test_period_defaults_to_the_last_twelve_months(history: World) -> None:  # noqa: F811
    client = client_for(history, "regisseur")
    html = client.get(f"/gebieden/profiel/{BUURT}/").content.decode()
    trend = tables(html)["trend"]
    assert len(trend) == 13  # header + 12 months
