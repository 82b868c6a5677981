"""The address register: import of a BAG-style extract, lookups, and its use for signals."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from wijkregie.addresses.models import Address
from wijkregie.addresses.selectors import lookup_address, lookup_addresses
from wijkregie.intake.tests.helpers import BUURT_POINTS_RD, read_rejects, write_csv
from wijkregie.lib import geo
from wijkregie.signals import services
from wijkregie.signals.services import LocationInput
from wijkregie.testing.personas import World

HEADER = [
    "postcode",
    "huisnummer",
    "huisletter",
    "toevoeging",
    "x",
    "y",
    "verblijfsobject_id",
    "nummeraanduiding_id",
]
X1, Y1 = BUURT_POINTS_RD["01"]
X2, Y2 = BUURT_POINTS_RD["02"]


def bag_file(tmp_path: Path, name: str = "bag.csv") -> Path:
    return write_csv(
        tmp_path / name,
        [
            HEADER,
            ["1234 ab", "12", "", "", f"{X1}", f"{Y1}", "0307010000123456", "0307200000654321"],
            [
                "1234AB",
                "12",
                "a",
                "",
                f"{X2}".replace(".", ","),
                f"{Y2}",
                "0307010000123457",
                "0307200000654322",
            ],
            [
                "1234AB",
                "12",
                "",
                "2h",
                f"{X1 + 10}",
                f"{Y1}",
                "0307010000123458",
                "0307200000654323",
            ],
            ["1234AB", "14", "", "", "155580", "463560", "307010000123459", "307200000654324"],
            ["12AB", "1", "", "", "155000", "463000", "", ""],  # line 6: bad postcode
            ["1234AB", "0", "", "", "155000", "463000", "", ""],  # line 7: bad number
            ["1234AB", "3", "", "", "900000", "463000", "", ""],  # line 8: outside NL
            ["1234AB", "4", "", "", "155000", "463000", "A123", ""],  # line 9: bad id
            ["1234AB", "12", "", "", "155000", "463000", "", ""],  # line 10: duplicate of line 2
        ],
    )


def run(path: Path) -> str:
    out = io.StringIO()
    call_command("import-addresses", str(path), stdout=out, stderr=io.StringIO())
    return out.getvalue().strip().splitlines()[-1]


@pytest.mark.django_db
def test_import_addresses_keeps_leading_zeros_and_is_idempotent(tmp_path: Path) -> None:
    path = bag_file(tmp_path)
    assert run(path) == "imported=4 updated=0 unchanged=0 rejected=5"
    bare = Address.objects.get(postcode="1234AB", huisnummer=12, huisletter="", toevoeging="")
    assert bare.verblijfsobject_id == "0307010000123456"
    assert bare.nummeraanduiding_id == "0307200000654321"
    assert (bare.rd_x, bare.rd_y) == (X1, Y1)
    lat, lon = geo.rd_to_wgs84(X1, Y1)
    assert bare.lat == pytest.approx(lat, abs=1e-7) and bare.lon == pytest.approx(lon, abs=1e-7)
    # Leading zeros dropped by a spreadsheet are put back: BAG ids are 16 digits.
    assert Address.objects.get(huisnummer=14).verblijfsobject_id == "0307010000123459"
    assert Address.objects.get(huisletter="A").rd_x == X2  # decimal comma read

    reasons = {int(r[0]): r[-1] for r in read_rejects(tmp_path / "bag.csv.rejects.csv")[1:]}
    assert reasons == {
        6: "Ongeldige postcode.",
        7: "Het huisnummer ontbreekt of ligt niet tussen 1 en 99999.",
        8: "Deze RD-coördinaten liggen buiten Nederland.",
        9: "verblijfsobject_id is geen BAG-id van 16 cijfers.",
        10: "Dit adres komt eerder in dit bestand voor (regel 2).",
    }

    assert run(path) == "imported=0 updated=0 unchanged=4 rejected=5"
    path.write_text(
        path.read_text(encoding="utf-8").replace("155580", "155590"), encoding="utf-8", newline=""
    )
    assert run(path) == "imported=0 updated=1 unchanged=3 rejected=5"
    assert Address.objects.get(huisnummer=14).rd_x == 155590


@pytest.mark.django_db
def test_lookup_is_case_and_space_insensitive_and_exact_on_letter(tmp_path: Path) -> None:
    run(bag_file(tmp_path))
    point = lookup_address(" 1234 ab ", 12)
    assert point is not None
    assert (point.x, point.y, point.verblijfsobject_id) == (X1, Y1, "0307010000123456")
    letter = lookup_address("1234ab", 12, "a")
    assert letter is not None and letter.x == X2
    addition = lookup_address("1234AB", 12, "", "2H")
    assert addition is not None and addition.x == X1 + 10
    assert lookup_address("1234AB", 12, "b") is None
    assert lookup_address("1234AB", 13) is None
    assert lookup_address("nonsense", 12) is None
    found = lookup_addresses(
        [("1234AB", 12, "", ""), ("1234AB", 14, "", ""), ("9999ZZ", 1, "", "")]
    )
    assert set(found) == {("1234AB", 12, "", ""), ("1234AB", 14, "", "")}


def test_unreadable_address_file_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [["straat", "plaats"], ["a", "b"]])
    with pytest.raises(CommandError, match="Verplichte kolommen ontbreken: postcode, huisnummer"):
        run(path)


def test_check_location_resolves_an_address_through_the_register(
    world: World, tmp_path: Path
) -> None:
    run(bag_file(tmp_path))
    resolved, errors = services.check_location(
        world.gm.pk, LocationInput(postcode="1234 ab", huisnummer=12, huisletter="a")
    )
    assert errors == {}
    assert resolved is not None
    assert resolved.kind == "address"
    assert (resolved.postcode, resolved.huisnummer, resolved.huisletter) == ("1234AB", 12, "A")
    assert resolved.point is not None and resolved.point.x == X2
    assert resolved.neighbourhood == world.buurten["02"]
    assert resolved.point.cell == (1565, 4635)


def test_an_unknown_address_without_buurt_is_refused(world: World, tmp_path: Path) -> None:
    run(bag_file(tmp_path))
    resolved, errors = services.check_location(
        world.gm.pk, LocationInput(postcode="1234AB", huisnummer=99)
    )
    assert resolved is None
    assert errors["postcode"].code == "unknown_address"
    assert errors["postcode"].messages == [
        "Dit adres staat niet in het adresregister: kies de buurt of een punt op de kaart."
    ]
    # with a buurt the address needs no register
    resolved, errors = services.check_location(
        world.gm.pk,
        LocationInput(postcode="1234AB", huisnummer=99, neighbourhood_code="BU99990102"),
    )
    assert errors == {} and resolved is not None
    assert (resolved.kind, resolved.point, resolved.neighbourhood) == (
        "address",
        None,
        world.buurten["02"],
    )


def test_signal_create_stores_the_point_of_a_registered_address(
    world: World, tmp_path: Path
) -> None:
    import datetime as dt

    from django.utils import timezone

    from wijkregie.tenants.access import viewer_for

    run(bag_file(tmp_path))
    viewer = viewer_for(world.users["wijkagent"])
    assert viewer is not None
    signal = services.signal_create(
        viewer=viewer,
        owner_organisation=world.orgs["politie"],
        category=world.categories["overlast-jeugd"],
        observed_at=timezone.now() - dt.timedelta(hours=1),
        description="Bij de voordeur",
        location=LocationInput(postcode="1234AB", huisnummer=12),
    )
    assert signal.location_kind == "address"
    assert (signal.rd_x, signal.rd_y) == (X1, Y1)
    assert (signal.cell_x, signal.cell_y) == (1555, 4635)
    assert signal.neighbourhood == world.buurten["01"]
    assert signal.lat is not None


def test_import_signals_by_postcode_and_huisnummer(world: World, tmp_path: Path) -> None:
    run(bag_file(tmp_path))
    path = write_csv(
        tmp_path / "adressen.csv",
        [
            [
                "extern_id",
                "waargenomen_op",
                "categorie",
                "postcode",
                "huisnummer",
                "huisletter",
                "toevoeging",
            ],
            ["A-1", "01-09-2025", "overlast", "1234 ab", "12", "", ""],
            ["A-2", "01-09-2025", "overlast", "1234AB", "12", "A", ""],
            ["A-3", "01-09-2025", "overlast", "1234AB", "12", "", "2h"],
            ["A-4", "01-09-2025", "overlast", "1234AB", "13", "", ""],
            ["A-5", "01-09-2025", "overlast", "1234AB", "12", "B", ""],
        ],
    )
    out = io.StringIO()
    call_command(
        "import-signals",
        str(path),
        "--organisation",
        "gemeente",
        "--municipality",
        "GM9999",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert out.getvalue().strip().splitlines()[-1] == "imported=3 updated=0 unchanged=0 rejected=2"
    from wijkregie.signals.models import Signal

    signals = {s.external_id: s for s in Signal.objects.exclude(external_id="")}
    assert signals["A-1"].location_kind == "address"
    assert (signals["A-1"].postcode, signals["A-1"].huisnummer) == ("1234AB", 12)
    assert (signals["A-1"].rd_x, signals["A-1"].neighbourhood) == (X1, world.buurten["01"])
    assert (signals["A-2"].huisletter, signals["A-2"].neighbourhood) == ("A", world.buurten["02"])
    assert signals["A-3"].huisnummertoevoeging == "2H"
    reasons = {r[1]: r[-1] for r in read_rejects(tmp_path / "adressen.csv.rejects.csv")[1:]}
    message = (
        "Dit adres staat niet in het adresregister: vul coördinaten in (lat en lon, of x en y)."
    )
    assert reasons == {"A-4": message, "A-5": message}
