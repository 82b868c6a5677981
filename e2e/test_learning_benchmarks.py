"""The benchmark comparison in the browser: a regisseur publishes Demodam's figures, an
analist of another participating municipality compares focus areas side by side; axe-core
finds no WCAG 2.1 A/AA violations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from wijkregie.analysis.models import AreaStatistic
from wijkregie.learning.models import (
    BenchmarkArea,
    BenchmarkSnapshot,
    BenchmarkValue,
    Participation,
)
from wijkregie.signals.models import Signal
from wijkregie.tenants.models import Membership, Role
from wijkregie.testing.personas import make_user

YEAR = 2025


def _signals(world: Any, n: int) -> None:
    template = world.signals["police_shared"]
    Signal.objects.bulk_create(
        Signal(
            municipality=world.gm,
            owner_organisation=world.orgs["politie"],
            source_channel=template.source_channel,
            observed_at=dt.datetime(YEAR, 5, 1 + i % 27, 12, tzinfo=dt.UTC),
            category=template.category,
            life_domain=template.life_domain,
            description="Geheime omschrijving XYZZY",
            location_kind="point",
            lat=template.lat,
            lon=template.lon,
            neighbourhood=world.buurten["01"],
        )
        for i in range(n)
    )


def test_compare_focus_areas_across_municipalities(
    world: Any, new_page: Callable[..., Any], assert_accessible: Callable[[Any], None]
) -> None:
    Participation.objects.create(municipality=world.gm)
    Participation.objects.create(municipality=world.other_gm)
    BenchmarkArea.objects.create(municipality=world.gm, focus_area=world.focus, area_type="centrum")
    for hood in world.buurten.values():
        AreaStatistic.objects.create(code=hood.code, kind="buurt", year=YEAR, residents=2000)
    _signals(world, 12)
    snapshot = BenchmarkSnapshot.objects.create(
        municipality=world.other_gm,
        period=str(YEAR),
        period_start=dt.date(YEAR, 1, 1),
        period_end=dt.date(YEAR + 1, 1, 1),
        threshold=5,
        complete=True,
    )
    BenchmarkValue.objects.create(
        snapshot=snapshot,
        area_label="Centrum Elders",
        area_type="centrum",
        definition="signalen",
        count=40,
        value=10.0,
    )
    BenchmarkValue.objects.create(
        snapshot=snapshot,
        area_label="Dorp Elders",
        area_type="dorp",
        definition="signalen",
        suppressed=True,
    )

    page = new_page(world.users["regisseur"], bypass_csp=True)
    page.goto("/leerkring/benchmarks/")
    assert_accessible(page)
    page.fill("#id_periode", str(YEAR))
    page.get_by_role("button", name="Publiceren").click()
    page.wait_for_selector("#snapshot-table")
    assert_accessible(page)

    other_gm = world.other_gm
    analist = make_user("elders-analist", other_gm, [])
    Membership.objects.create(
        municipality=other_gm,
        user=analist,
        organisation=other_gm.organisations.first(),
        role=Role.ANALIST,
    )
    page = new_page(analist, bypass_csp=True)
    page.goto("/leerkring/vergelijken/")
    page.wait_for_selector("#benchmark-table")
    assert_accessible(page)
    table = page.inner_text("#benchmark-table")
    assert "Noord" in table and "Centrum Elders" in table and "Dorp Elders" in table
    assert "afgeschermd" in table
    assert "XYZZY" not in page.content()
    page.select_option("#id_definitie", "leefgebied-veiligheid")
    page.get_by_role("button", name="Vergelijken").click()
    page.wait_for_selector("#benchmark-table")
    assert_accessible(page)
    assert "Noord" in page.inner_text("#benchmark-table")
    assert page.locator("#benchmark-chart svg").count() == 1
    with page.expect_download() as download:
        page.click("#benchmark-csv")
    assert download.value.suggested_filename.endswith(".csv")


def test_outsider_without_circle_gets_404(
    world: Any, new_page: Callable[..., Any], assert_accessible: Callable[[Any], None]
) -> None:
    Participation.objects.create(municipality=world.gm)
    page = new_page(world.users["outsider"], bypass_csp=True)
    response = page.goto("/leerkring/vergelijken/")
    assert response is not None and response.status == 404
    assert_accessible(page)
