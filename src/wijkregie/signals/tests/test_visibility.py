"""The visibility policy as a matrix: every persona against every signal, on every read path."""

from __future__ import annotations

import pytest

from wijkregie.privacy.models import AccessEvent
from wijkregie.signals.access import access_signal
from wijkregie.signals.selectors import SignalFilters, signal_counts_by_neighbourhood, signal_list
from wijkregie.tenants.access import viewer_for
from wijkregie.testing.personas import EXPECTED_VISIBLE, SIGNAL_KEYS, World

PERSONAS = sorted(EXPECTED_VISIBLE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_matches_policy(world: World, persona: str) -> None:
    viewer = viewer_for(world.users[persona])
    assert viewer is not None
    visible = set(signal_list(viewer=viewer).values_list("uuid", flat=True))
    expected = {world.signals[key].uuid for key in EXPECTED_VISIBLE[persona]}
    assert visible == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_counts_match_list(world: World, persona: str) -> None:
    viewer = viewer_for(world.users[persona])
    assert viewer is not None
    counts = signal_counts_by_neighbourhood(viewer=viewer, filters=SignalFilters())
    expected = sum(1 for key in EXPECTED_VISIBLE[persona] if world.signals[key].neighbourhood_id)
    assert sum(counts.values()) == expected


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "signal_key",
    SIGNAL_KEYS,
)
def test_detail_matches_policy_and_logs_once(world: World, persona: str, signal_key: str) -> None:
    from django.http import Http404

    viewer = viewer_for(world.users[persona])
    assert viewer is not None
    signal = world.signals[signal_key]
    before = AccessEvent.objects.count()
    if signal_key in EXPECTED_VISIBLE[persona]:
        assert access_signal(viewer, signal.uuid).pk == signal.pk
        outcome = "granted"
    else:
        with pytest.raises(Http404):
            access_signal(viewer, signal.uuid)
        outcome = "denied"
    events = list(AccessEvent.objects.order_by("-id")[: AccessEvent.objects.count() - before])
    assert len(events) == 1
    assert events[0].outcome == outcome
    assert events[0].object_id == str(signal.uuid)
    assert events[0].user_id == world.users[persona].pk


def test_search_does_not_widen_visibility(world: World) -> None:
    viewer = viewer_for(world.users["jongerenwerker"])
    assert viewer is not None
    found = set(signal_list(viewer=viewer, filters=SignalFilters.from_query({"q": "portiek"})))
    assert found == {world.signals["jongerenwerk_own"]}


def test_analyst_text_search_is_ignored(world: World) -> None:
    viewer = viewer_for(world.users["analist"])
    assert viewer is not None
    found = signal_list(viewer=viewer, filters=SignalFilters.from_query({"q": "zzz-not-there"}))
    assert found.count() == len(EXPECTED_VISIBLE["analist"])


def test_expired_agreement_stops_sharing(world: World) -> None:
    import datetime as dt

    world.agreement.valid_until = dt.date(2021, 1, 1)
    world.agreement.save()
    viewer = viewer_for(world.users["corporatie"])
    assert viewer is not None
    assert set(signal_list(viewer=viewer)) == {world.signals["corporatie_own"]}


def test_two_agreements_do_not_combine(world: World) -> None:
    """Category from one convenant and area from another must not add up to sharing."""
    import datetime as dt

    from wijkregie.areas.models import FocusArea, SharingAgreement

    south = FocusArea.objects.create(municipality=world.gm, name="Zuid")
    south.neighbourhoods.set([world.buurten["03"]])
    housing = SharingAgreement.objects.create(
        municipality=world.gm,
        title="Convenant Wonen Zuid",
        purpose="signalering",
        legal_basis="x",
        valid_from=dt.date(2020, 1, 1),
    )
    housing.parties.set([world.orgs["politie"], world.orgs["corporatie"]])
    housing.categories.set([world.categories["woonfraude"]])
    housing.focus_areas.set([south])
    viewer = viewer_for(world.users["corporatie"])
    assert viewer is not None
    # police_outside is jeugdoverlast (a Noord-convenant category) in buurt 03 (a Zuid-convenant
    # buurt): neither agreement covers both, so the corporation must not see it.
    visible = set(signal_list(viewer=viewer))
    assert world.signals["police_outside"] not in visible
    assert visible == {world.signals["police_shared"], world.signals["corporatie_own"]}
