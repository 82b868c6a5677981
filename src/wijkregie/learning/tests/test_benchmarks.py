"""Benchmarks between municipalities: shared definitions, suppression of every published number
(primary and secondary), the comparison page across municipalities (nothing below aggregate
level crosses), publishing (page and command) and who may do what."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from wijkregie.analysis.models import AreaStatistic
from wijkregie.areas.models import FocusArea
from wijkregie.learning import benchmark_definitions as bd
from wijkregie.learning.benchmark_services import compute_benchmark, publish_benchmark
from wijkregie.learning.models import (
    BenchmarkArea,
    BenchmarkGroupMapping,
    BenchmarkSnapshot,
    BenchmarkValue,
    Participation,
)
from wijkregie.privacy.models import AuditEvent
from wijkregie.signals.models import Signal
from wijkregie.signals.selectors import TALLY_ZONE
from wijkregie.testing.personas import World

READERS = {"regisseur", "analist", "beheerder"}
NO_NEED = {"wijkagent", "corporatie", "jongerenwerker", "privacy"}
YEAR = 2025
T = int(settings.SMALL_COUNT_THRESHOLD)


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def add_signals(world: World, buurt: str, category: str, n: int, month: int = 3) -> None:
    """n signals observed in YEAR (month), by the police, in that buurt and category."""
    template = world.signals["police_shared"]
    hood = world.buurten[buurt]
    cat = world.categories[category]
    rows = []
    for i in range(n):
        row = Signal(
            municipality=world.gm,
            owner_organisation=world.orgs["politie"],
            source_channel=template.source_channel,
            observed_at=dt.datetime(YEAR, month, 1 + i % 27, 12, tzinfo=TALLY_ZONE),
            category=cat,
            life_domain=cat.life_domain,
            description="Geheime omschrijving XYZZY",
            location_kind="point",
            lat=template.lat,
            lon=template.lon,
            rd_x=template.rd_x,
            rd_y=template.rd_y,
            postcode="9999ZZ",
            huisnummer=1,
            neighbourhood=hood,
            cell_x=template.cell_x,
            cell_y=template.cell_y,
        )
        rows.append(row)
    Signal.objects.bulk_create(rows)


def setup_areas(world: World) -> dict[str, FocusArea]:
    """Noord (01, 02; the personas' focus area), Een (01), Zuid (03, 04), Alles (01-04)."""
    b = world.buurten
    areas = {"Noord": world.focus}
    for name, codes in [("Een", ["01"]), ("Zuid", ["03", "04"]), ("Alles", list(b))]:
        area = FocusArea.objects.create(municipality=world.gm, name=name)
        area.neighbourhoods.set([b[c] for c in codes])
        areas[name] = area
    for name, area in areas.items():
        kind = "centrum" if name in {"Noord", "Een"} else "naoorlogs"
        BenchmarkArea.objects.create(municipality=world.gm, focus_area=area, area_type=kind)
    for hood in b.values():
        AreaStatistic.objects.create(code=hood.code, kind="buurt", year=YEAR, residents=1500)
    BenchmarkGroupMapping.objects.create(
        municipality=world.gm, category=world.categories["overlast"], group="overlast"
    )
    BenchmarkGroupMapping.objects.create(
        municipality=world.gm, category=world.categories["woonfraude"], group="woonfraude"
    )
    return areas


@pytest.fixture
def bench(world: World) -> World:
    Participation.objects.create(municipality=world.gm)
    setup_areas(world)
    return world


def test_definitions_are_shared_and_periods_parse() -> None:
    codes = [d.code for d in bd.DEFINITIONS]
    assert len(codes) == len(set(codes))
    assert "signalen" in codes and "leefgebied-veiligheid" in codes and "groep-overlast" in codes
    assert bd.parse_period("2026") == bd.Period("2026", dt.date(2026, 1, 1), dt.date(2027, 1, 1))
    q4 = bd.parse_period("2026-q4")
    assert q4 is not None and q4.end == dt.date(2027, 1, 1) and not q4.is_year
    assert bd.parse_period("2026-Q5") is None and bd.parse_period("26") is None


def test_suppress_primary_family_and_nested() -> None:
    counts = {"tot": 40, "a": 3, "b": 20, "c": 17, "other": 0, "inner": 10, "outer": 12}
    fam = [bd.Family("tot", ("a", "b", "c", "other"))]
    out = bd.suppress(counts, 5, families=fam, nested=[("inner", "outer")], hidden=["other"])
    assert "a" in out  # primary
    assert "c" in out  # secondary: otherwise a = tot - b - c
    assert "outer" in out  # outer - inner = 2
    published = {k for k in counts if k not in out and k != "other"}
    assert bd.recoverable(counts, published, fam, [("inner", "outer")], 5) == []


def _check_snapshot(computed: Any) -> int:
    """Asserts the snapshot's rules; returns how many cells were suppressed secondarily."""
    published = set()
    secondary = 0
    for row in computed.rows:
        if row.count is not None:
            assert not (0 < row.count < T), row
        if row.suppressed:
            assert row.count is None and row.value is None
    by_key = {}
    for area in FocusArea.objects.filter(municipality__cbs_code="GM9999"):
        for row in computed.rows:
            if row.area_label == area.name and row.definition != bd.INDEX:
                by_key[(area.pk, row.definition)] = row
                if not row.suppressed:
                    published.add((area.pk, row.definition))
                    assert row.count == computed.counts[(area.pk, row.definition)]
                elif computed.counts[(area.pk, row.definition)] >= T:
                    secondary += 1
    assert bd.recoverable(computed.counts, published, computed.families, computed.nested, T) == []
    return secondary


def test_no_published_number_below_threshold_in_random_worlds(bench: World) -> None:
    period = bd.parse_period(str(YEAR))
    assert period is not None
    rng = random.Random(8)
    secondary = 0
    for _round in range(12):
        Signal.objects.filter(municipality=bench.gm).delete()
        for buurt in bench.buurten:
            for category in ("overlast-jeugd", "woonfraude", "zorgmelding"):
                n = rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 14, 30])
                if n:
                    add_signals(bench, buurt, category, n, month=rng.randint(1, 12))
        computed = compute_benchmark(municipality=bench.gm, period=period)
        secondary += _check_snapshot(computed)
        snapshot = publish_benchmark(municipality=bench.gm, period=period)
        for value in BenchmarkValue.objects.filter(snapshot=snapshot):
            assert value.count is None or not (0 < value.count < T)
            if value.suppressed:
                assert value.count is None and value.value is None
    assert secondary > 0  # the worlds do exercise the secondary suppression


def test_publish_counts_all_signals_of_the_municipality(bench: World) -> None:
    add_signals(bench, "01", "overlast-jeugd", 7)
    add_signals(bench, "02", "zorgmelding", 6)  # confidential category: counted, as a number
    add_signals(bench, "03", "woonfraude", 2)
    period = bd.parse_period(str(YEAR))
    assert period is not None
    snapshot = publish_benchmark(
        municipality=bench.gm, period=period, actor=bench.users["regisseur"]
    )
    rows = {(r.area_label, r.definition): r for r in snapshot.rows.all()}
    assert rows[("Noord", "signalen")].count == 13
    assert rows[("Noord", "signalen")].value == pytest.approx(13 / 3000 * 1000, abs=0.01)
    assert rows[("Noord", "leefgebied-veiligheid")].count == 7
    assert rows[("Noord", "groep-overlast")].count == 7  # subcategory of a mapped main
    assert rows[("Een", "signalen")].count == 7
    # Zuid has 2 (primary); Alles - Noord = 2 would reveal it: Alles is suppressed too
    assert rows[("Zuid", "signalen")].suppressed and rows[("Zuid", "signalen")].count is None
    assert rows[("Alles", "signalen")].suppressed
    assert rows[("Noord", "index")].count is None
    assert snapshot.complete and snapshot.threshold == T
    assert AuditEvent.objects.filter(action="benchmark_publish").count() == 1
    # republishing replaces the period
    publish_benchmark(municipality=bench.gm, period=period)
    assert BenchmarkSnapshot.objects.filter(municipality=bench.gm).count() == 1


def test_year_and_quarters_are_not_both_published(bench: World) -> None:
    year, quarter = bd.parse_period(str(YEAR)), bd.parse_period(f"{YEAR}-Q2")
    assert year is not None and quarter is not None
    publish_benchmark(municipality=bench.gm, period=quarter)
    with pytest.raises(ValidationError):
        publish_benchmark(municipality=bench.gm, period=year)
    other = bd.parse_period(f"{YEAR - 1}")
    assert other is not None
    publish_benchmark(municipality=bench.gm, period=other)


def test_future_period_and_no_areas_are_refused(world: World) -> None:
    future = bd.parse_period("2099")
    assert future is not None
    with pytest.raises(ValidationError):
        publish_benchmark(municipality=world.gm, period=future)
    past = bd.parse_period(str(YEAR))
    assert past is not None
    with pytest.raises(ValidationError):
        publish_benchmark(municipality=world.gm, period=past)  # no BenchmarkArea


def test_command(bench: World) -> None:
    add_signals(bench, "01", "overlast-jeugd", 8)
    out = io.StringIO()
    call_command(
        "publish-benchmarks", "--municipality", "gm9999", "--period", str(YEAR), stdout=out
    )
    assert "Gepubliceerd: Demodam" in out.getvalue()
    assert BenchmarkSnapshot.objects.filter(municipality=bench.gm, period=str(YEAR)).exists()
    with pytest.raises(CommandError):
        call_command("publish-benchmarks", "--municipality", "GM0000", "--period", "2025")
    with pytest.raises(CommandError):
        call_command("publish-benchmarks", "--municipality", "GM9999", "--period", "2025-Q9")


# --- across municipalities ------------------------------------------------------------------


def _elders_publishes(world: World) -> None:
    """Elders joins the circle with one focus area and publishes a snapshot by hand."""
    Participation.objects.create(municipality=world.other_gm)
    snapshot = BenchmarkSnapshot.objects.create(
        municipality=world.other_gm,
        period=str(YEAR),
        period_start=dt.date(YEAR, 1, 1),
        period_end=dt.date(YEAR + 1, 1, 1),
        threshold=T,
        complete=True,
    )
    BenchmarkValue.objects.create(
        snapshot=snapshot,
        area_label="Centrum Elders",
        area_type="centrum",
        definition="signalen",
        count=40,
        value=12.5,
    )
    # a stray small count (e.g. a row written by an older version): suppressed on read
    BenchmarkValue.objects.create(
        snapshot=snapshot,
        area_label="Dorp Elders",
        area_type="dorp",
        definition="signalen",
        count=2,
        value=1.0,
    )


def test_outsider_comparison_contains_only_snapshot_numbers(bench: World) -> None:
    add_signals(bench, "01", "overlast-jeugd", 9)
    add_signals(bench, "03", "woonfraude", 3)
    period = bd.parse_period(str(YEAR))
    assert period is not None
    publish_benchmark(municipality=bench.gm, period=period)
    _elders_publishes(bench)
    client = client_for(bench, "outsider")
    url = f"/leerkring/vergelijken/?definitie=signalen&periode={YEAR}"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    sql = " ".join(q["sql"] for q in queries.captured_queries).lower()
    for table in ("signals_", "subjects_", "areas_", "cases_", "residents_", "analysis_"):
        assert table not in sql, table
    html = response.content.decode()
    published = {
        (r.municipality, r.area_label, r.count, r.value, r.suppressed)
        for r in response.context["rows"]
    }
    expected = {
        (v.snapshot.municipality.name, v.area_label, v.count, v.value, v.suppressed)
        for v in BenchmarkValue.objects.filter(definition="signalen", snapshot__period=str(YEAR))
        if not (v.count is not None and 0 < v.count < T)
    }
    assert {p for p in published if p[1] != "Dorp Elders"} == expected
    assert ("Elders", "Dorp Elders", None, None, True) in published
    for secret in ("XYZZY", "9999ZZ", "BU9999", "Buurt 1", "Overlast bij portiek"):
        assert secret not in html
    csv_response = client.get(url.replace("vergelijken/", "vergelijken/export.csv"))
    assert csv_response.status_code == 200
    lines = list(csv.reader(io.StringIO(csv_response.content.decode()), delimiter=";"))
    assert lines[0][0] == "Soort gebied"
    for line in lines[1:]:
        count = line[6]
        assert count.startswith("<") or count == "" or int(count) == 0 or int(count) >= T
    assert not any("XYZZY" in cell for line in lines for cell in line)


def test_non_participants_and_no_need_get_404(bench: World) -> None:
    empty = client_for(bench, "analist").get("/leerkring/vergelijken/")
    assert empty.status_code == 200 and "nog geen cijfers" in empty.content.decode()
    urls = ["/leerkring/vergelijken/", "/leerkring/vergelijken/export.csv?periode=2025"]
    for url in urls:
        assert client_for(bench, "outsider").get(url).status_code == 404  # Elders not in circle
        for persona in NO_NEED:
            assert client_for(bench, persona).get(url).status_code == 404, persona
        assert Client().get(url).status_code == 302  # to the login page
    period = bd.parse_period(str(YEAR))
    assert period is not None
    publish_benchmark(municipality=bench.gm, period=period)
    for persona in READERS:
        response = client_for(bench, persona).get(f"/leerkring/vergelijken/?periode={YEAR}")
        assert response.status_code == 200, persona
        assert response.context["rows"]
        for code in ("index", "groep-overlast", "leefgebied-wonen"):
            other = client_for(bench, persona).get(
                f"/leerkring/vergelijken/?periode={YEAR}&definitie={code}"
            )
            assert other.status_code == 200 and other.context["rows"], code
        csv_response = client_for(bench, persona).get(
            f"/leerkring/vergelijken/export.csv?periode={YEAR}&definitie=signalen"
        )
        assert csv_response.status_code == 200


def test_publish_page_permissions(bench: World) -> None:
    url = "/leerkring/benchmarks/"
    for persona in ("regisseur", "beheerder"):
        assert client_for(bench, persona).get(url).status_code == 200
    for persona in {"analist", "outsider"} | NO_NEED:
        assert client_for(bench, persona).get(url).status_code == 404, persona
    assert Client().get(url).status_code == 302
    client = client_for(bench, "regisseur")
    response = client.post(url, {"periode": "2025-Q7"})
    assert response.status_code == 400
    assert "Vul een jaar" in response.content.decode()
    response = client.post(url, {"periode": str(YEAR)})
    assert response.status_code == 302
    snapshot = BenchmarkSnapshot.objects.get(municipality=bench.gm)
    assert snapshot.published_by == bench.users["regisseur"]
    # withdraw: the outsider (even in the circle) and the analist get 404
    _elders_publishes(bench)
    withdraw = f"/leerkring/benchmarks/{snapshot.uuid}/intrekken/"
    assert client_for(bench, "outsider").post(withdraw).status_code == 404
    assert client_for(bench, "analist").post(withdraw).status_code == 404
    assert (
        client_for(bench, "beheerder").post("/leerkring/benchmarks/x/intrekken/").status_code == 404
    )
    assert client_for(bench, "beheerder").post(withdraw).status_code == 302
    assert not BenchmarkSnapshot.objects.filter(municipality=bench.gm).exists()
    assert BenchmarkSnapshot.objects.filter(municipality=bench.other_gm).exists()


def test_demo_setup_maps_categories_and_areas_and_is_removed(world: World) -> None:
    from wijkregie.learning.demo import create_demo_learning, delete_demo_learning

    create_demo_learning(municipality=world.gm)
    create_demo_learning(municipality=world.gm)  # idempotent
    groups = dict(
        BenchmarkGroupMapping.objects.filter(municipality=world.gm).values_list(
            "category__code", "group"
        )
    )
    assert groups == {
        "overlast": "overlast",
        "overlast-jeugd": "jeugdoverlast",
        "woonfraude": "woonfraude",
    }
    assert BenchmarkArea.objects.filter(focus_area=world.focus).exists()
    period = bd.parse_period(str(YEAR))
    assert period is not None
    publish_benchmark(municipality=world.gm, period=period)
    delete_demo_learning(world.gm)
    assert not BenchmarkSnapshot.objects.filter(municipality=world.gm).exists()
    assert not BenchmarkArea.objects.filter(municipality=world.gm).exists()
