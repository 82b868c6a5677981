"""Domain validation in signals/services.py: every rule, all violations at once, stable codes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from wijkregie.privacy.models import AuditEvent
from wijkregie.signals import services
from wijkregie.signals.models import Signal
from wijkregie.signals.services import LocationInput
from wijkregie.tenants.access import Viewer, viewer_for
from wijkregie.testing.personas import World


def viewer(world: World, persona: str) -> Viewer:
    result = viewer_for(world.users[persona])
    assert result is not None
    return result


def codes(errors: services.Errors) -> dict[str, str]:
    return {name: str(error.code) for name, error in errors.items()}


def test_location_reports_every_part_at_once(world: World) -> None:
    resolved, errors = services.check_location(
        world.gm.pk,
        LocationInput(
            lat=60.0,
            lon=5.0,
            postcode="12",
            huisnummer=0,
            huisletter="7",
            huisnummertoevoeging="toolong",
            neighbourhood_code="BU00000000",
        ),
    )
    assert resolved is None
    assert codes(errors) == {
        "location": "outside_nl",
        "postcode": "invalid",
        "huisnummer": "invalid",
        "huisletter": "invalid",
        "huisnummertoevoeging": "invalid",
        "neighbourhood": "unknown",
    }


def test_location_is_required(world: World) -> None:
    _, errors = services.check_location(world.gm.pk, LocationInput())
    assert codes(errors) == {"location": "required"}


def test_address_needs_a_buurt_even_when_invalid(world: World) -> None:
    _, errors = services.check_location(world.gm.pk, LocationInput(postcode="xx", huisnummer=1))
    assert codes(errors) == {"postcode": "invalid", "neighbourhood": "required"}


def test_unparsed_parts_are_skipped_but_the_rest_is_checked(world: World) -> None:
    resolved, errors = services.check_location(
        world.gm.pk,
        LocationInput(lon=5.0, postcode="12", huisnummer=3),
        unparsed=frozenset({"lat"}),
    )
    assert resolved is None
    # No "give both lat and lon" (lat was given, just unreadable) and no buurt demanded (the
    # point may supply it once lat is fixed); the postcode is checked all the same.
    assert codes(errors) == {"postcode": "invalid"}
    _, nothing = services.check_location(
        world.gm.pk, LocationInput(), unparsed=frozenset({"neighbourhood_code"})
    )
    assert nothing == {}


def test_location_resolves_point_address_and_area(world: World) -> None:
    hood = world.buurten["03"]
    assert hood.rd_min_x is not None and hood.rd_min_y is not None
    point = services.resolve_location(
        world.gm.pk, LocationInput(x=hood.rd_min_x + 10, y=hood.rd_min_y + 10)
    )
    assert (point.kind, point.neighbourhood) == ("point", hood)
    address = services.resolve_location(
        world.gm.pk,
        LocationInput(
            postcode="1234ab",
            huisnummer=7,
            huisletter="b",
            huisnummertoevoeging="2h",
            neighbourhood_code="bu99990101",
        ),
    )
    assert (address.kind, address.postcode, address.huisletter) == ("address", "1234AB", "B")
    assert address.huisnummertoevoeging == "2H"
    assert address.neighbourhood == world.buurten["01"]
    area = services.resolve_location(world.gm.pk, LocationInput(neighbourhood_code="BU99990102"))
    assert (area.kind, area.point, area.neighbourhood) == ("area", None, world.buurten["02"])


def test_buurt_of_another_municipality_is_unknown(world: World) -> None:
    _, errors = services.check_location(
        world.other_gm.pk, LocationInput(neighbourhood_code="BU99990101")
    )
    assert codes(errors) == {"neighbourhood": "unknown"}


def test_signal_create_raises_all_errors_and_saves_nothing(world: World) -> None:
    signals, audits = Signal.objects.count(), AuditEvent.objects.count()
    world.categories["woonfraude"].active = False
    world.categories["woonfraude"].save()
    with pytest.raises(ValidationError) as caught:
        services.signal_create(
            viewer=viewer(world, "wijkagent"),
            owner_organisation=world.orgs["corporatie"],
            category=world.categories["woonfraude"],
            observed_at=timezone.now() + dt.timedelta(hours=1),
            description="x" * 2001,
            location=LocationInput(),
            source_channel="fax",
            handling_code="H9",
            confidentiality="geheim",
        )
    assert {name: [e.code for e in errs] for name, errs in caught.value.error_dict.items()} == {
        "owner_organisation": ["forbidden"],
        "category": ["unknown"],
        "observed_at": ["future"],
        "description": ["max_length"],
        "source_channel": ["invalid_choice"],
        "handling_code": ["invalid_choice"],
        "confidentiality": ["invalid_choice"],
        "location": ["required"],
    }
    # The web form reads message_dict: Dutch texts per field.
    assert caught.value.message_dict["observed_at"] == [
        "De waarneming kan niet in de toekomst liggen."
    ]
    assert Signal.objects.count() == signals
    assert AuditEvent.objects.count() == audits


def test_signal_create_refuses_naive_datetimes(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        services.signal_create(
            viewer=viewer(world, "wijkagent"),
            owner_organisation=world.orgs["politie"],
            category=world.categories["overlast-jeugd"],
            observed_at=dt.datetime(2026, 1, 1, 12, 0),
            description="",
            location=LocationInput(neighbourhood_code="BU99990101"),
        )
    assert list(caught.value.error_dict) == ["observed_at"]


def test_owner_and_category_lookups(world: World) -> None:
    regisseur = viewer(world, "regisseur")
    assert services.owner_for(regisseur, None) == (world.orgs["gemeente"], {})
    assert services.owner_for(regisseur, "gemeente") == (world.orgs["gemeente"], {})
    owner, errors = services.owner_for(regisseur, "politie")
    assert owner is None
    assert codes(errors) == {"owner_organisation": "forbidden"}
    owner, errors = services.owner_for(viewer(world, "analist"), None)
    assert owner is None
    assert codes(errors) == {"owner_organisation": "required"}
    category, errors = services.category_for(regisseur, "overlast-jeugd")
    assert category == world.categories["overlast-jeugd"]
    assert errors == {}
    category, errors = services.category_for(viewer(world, "outsider"), "overlast-jeugd")
    assert category is None
    assert codes(errors) == {"category": "unknown"}


@pytest.mark.parametrize(
    ("persona", "current", "target", "note", "expected"),
    [
        ("wijkagent", "open", "in_behandeling", "", {}),
        ("wijkagent", "open", "afgehandeld", "", {"status": "invalid_transition"}),
        ("wijkagent", "open", "klaar", "", {"status": "invalid_choice"}),
        (
            "wijkagent",
            "afgehandeld",
            "open",
            "",
            {"status": "reopen_forbidden", "note": "required"},
        ),
        ("wijkagent", "afgehandeld", "open", "Reden", {"status": "reopen_forbidden"}),
        ("corporatie", "open", "in_behandeling", "", {"status": "not_owner"}),
        ("analist", "open", "in_behandeling", "", {"status": "not_owner"}),
        ("outsider", "open", "in_behandeling", "", {"status": "not_owner"}),
        ("wijkagent", "open", "in_behandeling", "x" * 501, {"note": "max_length"}),
    ],
)
def test_check_status_change(
    world: World, persona: str, current: str, target: str, note: str, expected: dict[str, str]
) -> None:
    signal = world.signals["police_shared"]
    signal.status = current
    errors = services.check_status_change(
        viewer=viewer(world, persona), signal=signal, to_status=target, note=note
    )
    assert codes(errors) == expected


def test_signal_change_status_raises_all_and_changes_nothing(world: World) -> None:
    signal = world.signals["police_shared"]
    Signal.objects.filter(pk=signal.pk).update(status="afgehandeld")
    with pytest.raises(ValidationError) as caught:
        services.signal_change_status(
            viewer=viewer(world, "wijkagent"), signal=signal, to_status="open"
        )
    assert set(caught.value.error_dict) == {"status", "note"}
    signal.refresh_from_db()
    assert signal.status == "afgehandeld"
    assert not signal.status_changes.exists()


def test_point_outside_every_buurt_is_refused(world: World) -> None:
    from wijkregie.testing.personas import ORIGIN_X, ORIGIN_Y

    # 5 km west of Demodam's buurten: inside the Netherlands, outside the municipality.
    _, errors = services.check_location(
        world.gm.pk, LocationInput(x=ORIGIN_X - 5000, y=ORIGIN_Y + 500)
    )
    assert codes(errors) == {"location": "outside_municipality"}
    resolved, errors = services.check_location(
        world.gm.pk, LocationInput(x=ORIGIN_X + 500, y=ORIGIN_Y + 500)
    )
    assert errors == {}
    assert resolved is not None and resolved.neighbourhood == world.buurten["01"]


def test_point_is_accepted_where_no_boundaries_are_loaded(world: World) -> None:
    from wijkregie.testing.personas import ORIGIN_X, ORIGIN_Y

    # The second municipality has no buurt polygons: a point cannot be checked, so it is kept.
    resolved, errors = services.check_location(
        world.other_gm.pk, LocationInput(x=ORIGIN_X - 5000, y=ORIGIN_Y + 500)
    )
    assert errors == {}
    assert resolved is not None and resolved.neighbourhood is None
