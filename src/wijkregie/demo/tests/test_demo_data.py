"""The `demo-data` command against the database: counts, coverage, idempotency, reset."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import numpy as np
import pytest
import shapely
from django.core.management import call_command
from django.db.models import Count

from wijkregie.addresses.models import Address
from wijkregie.areas.models import FocusArea, Neighbourhood, SharingAgreement
from wijkregie.areas.selectors import buurt_ids_at
from wijkregie.demo import catalogue as cat
from wijkregie.demo import generator
from wijkregie.demo.services import DEMO_PASSWORD, ensure_demo, other_signal_count
from wijkregie.privacy.models import AuditEvent
from wijkregie.signals.models import (
    Category,
    InfoReliability,
    LifeDomain,
    Signal,
    SignalStatusChange,
    SourceChannel,
    SourceReliability,
)
from wijkregie.signals.selectors import signal_list
from wijkregie.signals.services import LocationInput, resolve_location
from wijkregie.tenants.access import viewer_for
from wijkregie.tenants.models import ApiToken, Municipality, Organisation, User

N = 2_000
END = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def run(*args: str) -> str:
    out = StringIO()
    call_command("demo-data", *args, stdout=out)
    return out.getvalue()


def demodam() -> Municipality:
    return Municipality.objects.get(cbs_code=cat.CBS_CODE)


def test_command_creates_the_municipality(db: None) -> None:
    output = run("--seed", "3", "--signals", str(N))
    gm = demodam()
    signals = Signal.objects.filter(municipality=gm)
    assert signals.count() == N
    other = Municipality.objects.get(cbs_code=cat.OTHER_CBS_CODE)
    assert Signal.objects.filter(municipality=other).count() == other_signal_count(N)

    # Reference data.
    assert Organisation.objects.filter(municipality=gm).count() == 8
    assert Neighbourhood.objects.filter(municipality=gm, kind="buurt").count() == 40
    assert Neighbourhood.objects.filter(municipality=gm, kind="wijk").count() == 8
    assert LifeDomain.objects.filter(municipality=gm).count() == 6
    assert Category.objects.filter(municipality=gm, parent__isnull=True).count() == len(
        cat.MAIN_CATEGORIES
    )
    assert Category.objects.filter(municipality=gm, is_public=True).exists()
    assert (
        FocusArea.objects.filter(municipality=gm, project_leader__username="regisseur").count() == 3
    )
    assert SharingAgreement.objects.filter(municipality=gm).count() == len(cat.AGREEMENTS)
    schuldhulp = Organisation.objects.get(municipality=gm, slug="schuldhulp")
    assert not SharingAgreement.objects.filter(parties=schuldhulp).exists()
    assert User.objects.filter(municipality=gm).count() == len(cat.USERS) - 1
    assert User.objects.get(username="outsider").municipality == other
    assert User.objects.get(username="regisseur").check_password(DEMO_PASSWORD)
    assert ApiToken.objects.filter(user__username="wijkagent").count() == 1

    # Every source channel and every reliability grade, A1 .. X4.
    assert set(signals.values_list("source_channel", flat=True).distinct()) == set(
        SourceChannel.values
    )
    grades = set(signals.values_list("source_reliability", "info_reliability").distinct())
    assert grades == {(s, i) for s in SourceReliability.values for i in InfoReliability.values}

    # Every signal in a Demodam buurt; point signals inside the city outline.
    assert not signals.filter(neighbourhood__isnull=True).exists()
    assert not signals.exclude(neighbourhood__municipality=gm).exists()
    assert not signals.exclude(neighbourhood__kind="buurt").exists()
    outline = generator.build_geography(3).outline
    points = list(signals.filter(rd_x__isnull=False).values_list("rd_x", "rd_y"))
    assert len(points) > N / 2
    xs, ys = zip(*points, strict=True)
    assert shapely.contains_xy(outline, xs, ys).all()
    assert signals.filter(location_kind="address", lat__isnull=True).exclude(postcode="").exists()
    assert signals.filter(location_kind="area", postcode="", lat__isnull=True).exists()

    # Consistency: life domain follows the category; history for every non-open status.
    assert not signals.exclude(life_domain=models_f("category__life_domain")).exists()
    handled = signals.exclude(status="open").annotate(n=Count("status_changes"))
    assert not handled.filter(n=0).exists()
    assert SignalStatusChange.objects.filter(municipality_id=gm.pk).count() > N / 2

    # One audit row for the generation; logins and the token are printed.
    event = AuditEvent.objects.get(action="demo-data")
    assert event.municipality_id == gm.pk
    assert event.changes == {"signals": N, "seed": 3}
    assert event.user is None
    for spec in cat.USERS:
        assert spec.username in output
    assert DEMO_PASSWORD in output
    assert "http://127.0.0.1:8000" in output
    assert "http://127.0.0.1:8000/melden/" in output  # the resident form needs no login
    assert "wr_" in output


def models_f(name: str) -> object:
    from django.db.models import F

    return F(name)


def test_second_run_reuses_and_does_not_duplicate(db: None) -> None:
    run("--seed", "1", "--signals", "500")
    output = run("--seed", "1", "--signals", "500")
    assert Municipality.objects.filter(cbs_code=cat.CBS_CODE).count() == 1
    assert Signal.objects.filter(municipality=demodam()).count() == 500
    assert User.objects.filter(username="regisseur").count() == 1
    assert ApiToken.objects.count() == 1
    assert AuditEvent.objects.filter(action="demo-data").count() == 1
    assert "bestaat al" in output
    assert "regisseur" in output and DEMO_PASSWORD in output
    assert "wr_" not in output
    assert "create-token" in output


def test_reset_regenerates_the_same_rows_for_the_same_seed(db: None) -> None:
    ensure_demo(seed=5, n_signals=300, end=END)
    before = set(Signal.objects.values_list("uuid", flat=True))
    focus_before = set(FocusArea.objects.values_list("uuid", flat=True))
    result = ensure_demo(seed=5, n_signals=300, end=END, reset=True)
    assert result.created
    after = set(Signal.objects.values_list("uuid", flat=True))
    assert after == before
    assert set(FocusArea.objects.values_list("uuid", flat=True)) == focus_before
    # Log rows are append-only: the first run's audit rows survive the reset.
    assert AuditEvent.objects.filter(action="demo-data").count() == 2
    assert Municipality.objects.filter(cbs_code=cat.CBS_CODE).count() == 1


def test_personas_see_what_the_policy_allows(db: None) -> None:
    ensure_demo(seed=2, n_signals=N, end=END)
    gm = demodam()
    visible = {}
    for username in ("regisseur", "wijkagent", "schuldhulp", "privacy", "outsider"):
        viewer = viewer_for(User.objects.get(username=username))
        assert viewer is not None
        visible[username] = signal_list(viewer=viewer)
    # The regisseur sees more than the municipality's own signals: convenants share.
    own = visible["regisseur"].filter(owner_organisation__slug="gemeente").count()
    assert visible["regisseur"].count() > own > 0
    # Schuldhulpverlening has no convenant: only its own signals.
    assert set(visible["schuldhulp"].values_list("owner_organisation__slug", flat=True)) == {
        "schuldhulp"
    }
    assert visible["privacy"].count() == 0
    assert not visible["outsider"].filter(municipality=gm).exists()
    elders_own = Signal.objects.filter(
        municipality__cbs_code=cat.OTHER_CBS_CODE, owner_organisation__slug="gemeente"
    )
    assert visible["outsider"].count() == elders_own.count() > 0


@pytest.mark.parametrize("value", ["-1", "abc"])
def test_rejects_a_bad_number(db: None, value: str) -> None:
    from django.core.management.base import CommandError

    with pytest.raises((CommandError, SystemExit)):
        run("--signals", value)


def test_demo_has_an_address_register_that_locates_addresses(db: None) -> None:
    ensure_demo(seed=4, n_signals=50, end=END)
    gm = demodam()
    demo_addresses = Address.objects.filter(verblijfsobject_id__startswith="999901")
    assert demo_addresses.count() > 10_000
    address = demo_addresses.order_by("id")[500]
    assert len(address.verblijfsobject_id) == 16 and len(address.nummeraanduiding_id) == 16
    # Every register address lies inside a buurt of the demo municipality.
    lons = [a.lon for a in demo_addresses[:2000]]
    lats = [a.lat for a in demo_addresses[:2000]]
    assert all(buurt_ids_at(gm.pk, np.array(lons), np.array(lats)) > 0)
    # postcode + huisnummer alone now places a signal: point, buurt and cell from the register
    resolved = resolve_location(
        gm.pk, LocationInput(postcode=address.postcode, huisnummer=address.huisnummer)
    )
    assert resolved.kind == "address"
    assert resolved.point is not None and resolved.neighbourhood is not None
    assert round(resolved.point.x, 2) == address.rd_x
    # a reset removes exactly the demo's own addresses and makes the same ones again
    foreign = Address.objects.create(
        postcode="1012AB", huisnummer=1, rd_x=121_000, rd_y=487_000, lat=52.37, lon=4.89
    )
    count = demo_addresses.count()
    ensure_demo(seed=4, n_signals=50, end=END, reset=True)
    assert demo_addresses.count() == count
    assert Address.objects.filter(pk=foreign.pk).exists()
