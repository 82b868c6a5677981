"""import-signals with real files: encodings, delimiters, XLSX, broken rows, reruns, mappings."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from wijkregie.intake.models import MappingProfile
from wijkregie.intake.services import import_signals
from wijkregie.intake.tests.helpers import (
    BUURT_POINTS_RD,
    dutch_number,
    read_rejects,
    wgs84_of,
    write_csv,
)
from wijkregie.privacy.models import AuditEvent
from wijkregie.signals.models import Signal, SignalStatusChange
from wijkregie.testing.personas import World

AMS = ZoneInfo("Europe/Amsterdam")
HEADER = ["extern_id", "waargenomen_op", "categorie", "omschrijving", "lat", "lon", "x", "y"]


def run(path: Path, *args: str) -> str:
    out = io.StringIO()
    err = io.StringIO()
    call_command("import-signals", str(path), *args, stdout=out, stderr=err)
    return out.getvalue().strip().splitlines()[-1]


def imported(world: World, slug: str = "politie") -> dict[str, Signal]:
    rows = Signal.objects.filter(owner_organisation=world.orgs[slug]).exclude(external_id="")
    return {s.external_id: s for s in rows}


def test_semicolon_windows_1252_with_dutch_dates_and_decimal_commas(
    world: World, tmp_path: Path
) -> None:
    lat, lon = wgs84_of("01")
    x, y = BUURT_POINTS_RD["03"]
    path = write_csv(
        tmp_path / "politie.csv",
        [
            ["Extern_ID", " Waargenomen_op ", "CATEGORIE", "Omschrijving", "lat", "lon", "x", "y"],
            [
                "P-1",
                "31-12-2025",
                "overlast-jeugd",
                "Café bij de brug, ruzie",
                *map(dutch_number, (lat, lon)),
                "",
                "",
            ],
            [
                "P-2",
                "31-12-2025 23:15",
                "Woonfraude",
                "Geëmigreerde eigenaar",
                "",
                "",
                dutch_number(x, 2),
                dutch_number(y, 2),
            ],
        ],
        encoding="cp1252",
    )
    assert "é".encode("cp1252") in path.read_bytes()  # really Windows-1252, not UTF-8

    assert run(path, "--organisation", "politie") == "imported=2 updated=0 unchanged=0 rejected=0"

    signals = imported(world)
    first, second = signals["P-1"], signals["P-2"]
    assert first.description == "Café bij de brug, ruzie"
    assert second.description == "Geëmigreerde eigenaar"
    assert first.observed_at == dt.datetime(2025, 12, 31, 0, 0, tzinfo=AMS)
    assert second.observed_at == dt.datetime(2025, 12, 31, 23, 15, tzinfo=AMS)
    assert (first.category.code, second.category.code) == ("overlast-jeugd", "woonfraude")
    assert first.life_domain == world.domains["veiligheid"]
    assert first.lat == pytest.approx(lat, abs=1e-6) and first.lon == pytest.approx(lon, abs=1e-6)
    assert first.rd_x == pytest.approx(155_550, abs=0.5)
    assert (first.neighbourhood, first.cell_x, first.cell_y) == (world.buurten["01"], 1555, 4635)
    assert (second.rd_x, second.rd_y) == (157_550.0, 463_550.0)
    assert second.neighbourhood == world.buurten["03"]
    assert {s.location_kind for s in signals.values()} == {"point"}
    assert {s.source_channel for s in signals.values()} == {"system_import"}
    assert {s.municipality_id for s in signals.values()} == {world.gm.pk}
    assert {s.status for s in signals.values()} == {"open"}
    assert not (tmp_path / "politie.csv.rejects.csv").exists()


def test_xlsx_with_serial_date_and_datetime_cell(world: World, tmp_path: Path) -> None:
    lat, lon = wgs84_of("02")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["extern_id", "waargenomen_op", "categorie", "omschrijving", "lat", "lon"])
    serial = (dt.date(2025, 6, 1) - dt.date(1899, 12, 30)).days + 0.75  # 1 June 2025 18:00
    sheet.append([1001, serial, "Jeugdoverlast", "Serieel", lat, lon])
    sheet.append(["X-2", dt.datetime(2025, 6, 2, 8, 30), "zorgmelding", "Datumcel", lat, lon])
    # Saved under a .csv name: the format is recognised by content, not by extension.
    path = tmp_path / "export.csv"
    workbook.save(path)

    assert run(path, "--organisation", "politie") == "imported=2 updated=0 unchanged=0 rejected=0"
    signals = imported(world)
    assert signals["1001"].observed_at == dt.datetime(2025, 6, 1, 18, 0, tzinfo=AMS)
    assert signals["1001"].category.code == "overlast-jeugd"  # by name, case-insensitive
    assert signals["X-2"].observed_at == dt.datetime(2025, 6, 2, 8, 30, tzinfo=AMS)
    assert signals["X-2"].confidentiality == "vertrouwelijk"  # the category's default
    assert signals["X-2"].neighbourhood == world.buurten["02"]


def test_utf8_bom_comma_csv_with_iso_dates(world: World, tmp_path: Path) -> None:
    lat, lon = wgs84_of("04")
    path = write_csv(
        tmp_path / "bom.csv",
        [
            HEADER,
            ["B-1", "2025-03-30T01:30:00", "overlast", "Zonder offset", f"{lat}", f"{lon}", "", ""],
            [
                "B-2",
                "2025-03-30T12:00:00+00:00",
                "overlast",
                "Met offset",
                f"{lat}",
                f"{lon}",
                "",
                "",
            ],
            [
                "B-3",
                "2025-03-30",
                "overlast",
                "Alleen datum, ünïcode ✓",
                f"{lat}",
                f"{lon}",
                "",
                "",
            ],
        ],
        delimiter=",",
        bom=True,
    )
    assert run(path, "--organisation", "politie") == "imported=3 updated=0 unchanged=0 rejected=0"
    signals = imported(world)
    assert signals["B-1"].observed_at == dt.datetime(2025, 3, 30, 0, 30, tzinfo=dt.UTC)
    assert signals["B-2"].observed_at == dt.datetime(2025, 3, 30, 12, 0, tzinfo=dt.UTC)
    assert signals["B-3"].observed_at == dt.datetime(2025, 3, 30, tzinfo=AMS)
    assert signals["B-3"].description == "Alleen datum, ünïcode ✓"


def test_tab_separated(world: World, tmp_path: Path) -> None:
    x, y = BUURT_POINTS_RD["02"]
    path = write_csv(
        tmp_path / "tabs.txt",
        [
            [
                "extern_id",
                "waargenomen_op",
                "categorie",
                "omschrijving",
                "x",
                "y",
                "bron_betrouwbaarheid",
                "info_betrouwbaarheid",
            ],
            [
                "T-1",
                "01-02-2025 07:05",
                "woonfraude",
                "Met; puntkomma, en komma",
                str(x),
                str(y),
                "b",
                "2",
            ],
        ],
        delimiter="\t",
    )
    assert (
        run(path, "--organisation", "corporatie") == "imported=1 updated=0 unchanged=0 rejected=0"
    )
    signal = imported(world, "corporatie")["T-1"]
    assert signal.description == "Met; puntkomma, en komma"
    assert (signal.source_reliability, signal.info_reliability) == ("B", "2")
    assert signal.neighbourhood == world.buurten["02"]


def broken_file(tmp_path: Path) -> Path:
    lat, lon = wgs84_of("01")
    point = [dutch_number(lat), dutch_number(lon)]
    future = timezone.localtime(timezone.now() + dt.timedelta(days=3)).strftime("%d-%m-%Y %H:%M")
    return write_csv(
        tmp_path / "kapot.csv",
        [
            [
                "extern_id",
                "waargenomen_op",
                "categorie",
                "omschrijving",
                "postcode",
                "huisnummer",
                "lat",
                "lon",
            ],
            ["K-1", "01-10-2025", "overlast", "Goed", "", "", *point],  # line 2
            ["K-2", "01-10-2025", "overlast", "Geen locatie", "", "", "", ""],  # line 3
            ["K-3", "01-10-2025", "overlast", "Foute postcode", "12AB34", "5", "", ""],  # line 4
            ["K-4", future, "overlast", "Toekomst", "", "", *point],  # line 5
            ["K-5", "01-10-2025", "vuurwerk", "Onbekend", "", "", *point],  # line 6
            [
                "K-6",
                "01-10-2025",
                "overlast",
                "<script>alert('x')</script> bij de ingang",
                "",
                "",
                *point,
            ],  # line 7
            ["K-1", "02-10-2025", "overlast", "Dubbel", "", "", *point],  # line 8
            ["", "01-10-2025", "overlast", "Zonder id", "", "", *point],  # line 9
            ["K-9", "32-13-2025", "", "Twee fouten", "", "", "52,1", ""],  # line 10
            ["K-10", "01-10-2025", "overlast", "Buiten NL", "", "", "48,85", "2,35"],  # line 11
            [
                "K-11",
                "01-10-2025",
                "overlast",
                "Buiten de gemeente",
                "",
                "",
                "52,0",
                "5,0",
            ],  # line 12
            [],  # an empty line is skipped, not refused
            ["K-12", "01-10-2025", "overlast", "Goed na lege regel", "", "", *point],  # line 14
        ],
    )


def test_broken_rows_are_refused_with_their_line_and_reasons(world: World, tmp_path: Path) -> None:
    path = broken_file(tmp_path)
    assert run(path, "--organisation", "politie") == "imported=3 updated=0 unchanged=0 rejected=9"

    signals = imported(world)
    assert sorted(signals) == ["K-1", "K-12", "K-6"]
    # Script in text is not a domain error: stored as plain text, escaped wherever it is shown.
    assert signals["K-6"].description == "<script>alert('x')</script> bij de ingang"
    assert signals["K-1"].description == "Goed"  # the first of the duplicates wins

    rows = read_rejects(tmp_path / "kapot.csv.rejects.csv")
    assert rows[0] == [
        "regel",
        "extern_id",
        "waargenomen_op",
        "categorie",
        "omschrijving",
        "postcode",
        "huisnummer",
        "lat",
        "lon",
        "reden",
    ]
    reasons = {int(row[0]): row[-1] for row in rows[1:]}
    assert reasons == {
        3: "Er is geen locatie: vul lat en lon, x en y, of postcode en huisnummer in.",
        4: "Vul een geldige postcode in, bijvoorbeeld 1234 AB.",
        5: "De waarneming kan niet in de toekomst liggen.",
        6: "Onbekende categorie: vuurwerk.",
        8: "extern_id komt eerder in dit bestand voor (regel 2).",
        9: "extern_id ontbreekt: zonder eigen id kan een rij niet veilig opnieuw worden ingelezen.",
        10: "Kolom waargenomen_op: Deze datum bestaat niet.; categorie ontbreekt.; "
        "Geef zowel breedtegraad als lengtegraad op.",
        11: "Deze locatie ligt buiten Nederland.",
        12: "Deze locatie ligt buiten de gemeente: kies een punt binnen een van de buurten.",
    }
    # the original cells are kept as they were in the file
    assert rows[2][1:-1] == [
        "K-3",
        "01-10-2025",
        "overlast",
        "Foute postcode",
        "12AB34",
        "5",
        "",
        "",
    ]


def test_rerun_is_unchanged_and_a_changed_row_is_updated(world: World, tmp_path: Path) -> None:
    path = broken_file(tmp_path)
    run(path, "--organisation", "politie")
    before = {k: (s.pk, s.uuid, s.registered_at) for k, s in imported(world).items()}
    (tmp_path / "kapot.csv.rejects.csv").unlink()

    assert run(path, "--organisation", "politie") == "imported=0 updated=0 unchanged=3 rejected=9"
    assert len(read_rejects(tmp_path / "kapot.csv.rejects.csv")) == 10  # rewritten completely
    assert {k: (s.pk, s.uuid, s.registered_at) for k, s in imported(world).items()} == before

    text = path.read_text(encoding="utf-8").replace("Goed na lege regel", "Gewijzigd")
    path.write_text(text, encoding="utf-8", newline="")
    assert run(path, "--organisation", "politie") == "imported=0 updated=1 unchanged=2 rejected=9"
    assert imported(world)["K-12"].description == "Gewijzigd"
    assert {k: (s.pk, s.uuid, s.registered_at) for k, s in imported(world).items()} == before


def test_one_audit_event_per_import_and_no_status_history(world: World, tmp_path: Path) -> None:
    changes_before = SignalStatusChange.objects.count()
    audits_before = AuditEvent.objects.count()
    result = import_signals(path=broken_file(tmp_path), organisation=world.orgs["politie"])
    assert (result.imported, result.rejected) == (3, 9)
    assert SignalStatusChange.objects.count() == changes_before
    assert AuditEvent.objects.count() == audits_before + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == "import"
    assert event.municipality_id == world.gm.pk
    assert event.changes["imported"] == 3 and event.changes["rejected"] == 9


def test_a_small_batch_size_gives_the_same_result(world: World, tmp_path: Path) -> None:
    path = broken_file(tmp_path)
    result = import_signals(path=path, organisation=world.orgs["politie"], batch_size=2)
    assert (result.imported, result.updated, result.unchanged, result.rejected) == (3, 0, 0, 9)
    rows = read_rejects(tmp_path / "kapot.csv.rejects.csv")
    assert [row[0] for row in rows[1:]] == ["3", "4", "5", "6", "8", "9", "10", "11", "12"]


def test_mapping_profile_maps_headers_and_category_values(world: World, tmp_path: Path) -> None:
    mapping = MappingProfile.objects.create(
        municipality=world.gm,
        organisation=world.orgs["corporatie"],
        name="Woonsysteem",
        column_map={
            "Zaaknummer": "extern_id",
            "Datum melding": "waargenomen_op",
            "Soort": "categorie",
            "Toelichting": "omschrijving",
            "RD X": "x",
            "RD Y": "y",
        },
        category_map={"Onrechtmatige bewoning": "woonfraude", "Burenruzie": "overlast"},
        date_format="%d/%m/%Y %H.%M",
    )
    x, y = BUURT_POINTS_RD["01"]
    path = write_csv(
        tmp_path / "woon.csv",
        [
            ["Zaaknummer", "Datum melding", "Soort", "Toelichting", "RD X", "RD Y", "Behandelaar"],
            [
                "Z-001",
                "05/11/2025 14.30",
                "onrechtmatige bewoning",
                "Via profiel",
                dutch_number(x, 1),
                dutch_number(y, 1),
                "Jan",
            ],
            [
                "Z-002",
                "06-11-2025",
                "Burenruzie",
                "Gewone datum",
                dutch_number(x, 1),
                dutch_number(y, 1),
                "Piet",
            ],
            [
                "Z-003",
                "06-11-2025",
                "Lekkage",
                "Onbekend",
                dutch_number(x, 1),
                dutch_number(y, 1),
                "Piet",
            ],
        ],
    )
    line = run(path, "--organisation", "corporatie", "--mapping", "Woonsysteem")
    assert line == "imported=2 updated=0 unchanged=0 rejected=1"
    signals = imported(world, "corporatie")
    assert signals["Z-001"].category.code == "woonfraude"
    assert signals["Z-001"].observed_at == dt.datetime(2025, 11, 5, 14, 30, tzinfo=AMS)
    assert signals["Z-002"].category.code == "overlast"
    assert read_rejects(tmp_path / "woon.csv.rejects.csv")[1][-1] == "Onbekende categorie: Lekkage."
    assert mapping.jobs.count() == 0

    with pytest.raises(CommandError, match="Importprofiel 'Woonsysteem' bestaat niet voor politie"):
        run(path, "--organisation", "politie", "--mapping", "Woonsysteem")
    without = write_csv(tmp_path / "zonder.csv", [["Zaaknummer", "Soort"], ["1", "x"]])
    with pytest.raises(
        CommandError, match="Verplichte kolommen ontbreken: extern_id, waargenomen_op"
    ):
        run(without, "--organisation", "corporatie")


def test_unreadable_files_and_unknown_organisations_fail_with_a_dutch_message(
    world: World, tmp_path: Path
) -> None:
    good = write_csv(tmp_path / "goed.csv", [HEADER])
    with pytest.raises(CommandError, match="Onbekende organisatie 'brandweer'"):
        run(good, "--organisation", "brandweer")
    with pytest.raises(CommandError, match="Bestand niet gevonden"):
        run(tmp_path / "weg.csv", "--organisation", "politie")
    xls = tmp_path / "oud.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(CommandError, match=r"Oude Excel-bestanden \(.xls\)"):
        run(xls, "--organisation", "politie")
    broken_zip = tmp_path / "kapot.xlsx"
    broken_zip.write_bytes(b"PK\x03\x04 niet echt een zip")
    with pytest.raises(CommandError, match="Dit Excel-bestand kan niet worden gelezen"):
        run(broken_zip, "--organisation", "politie")
    empty = tmp_path / "leeg.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="Het bestand is leeg"):
        run(empty, "--organisation", "politie")
    # only a header: processed, nothing to do
    assert run(good, "--organisation", "politie") == "imported=0 updated=0 unchanged=0 rejected=0"


def test_outsider_municipality_cannot_be_imported_into_by_mistake(
    world: World, tmp_path: Path
) -> None:
    lat, lon = wgs84_of("01")
    path = write_csv(
        tmp_path / "g.csv",
        [HEADER, ["G-1", "01-10-2025", "overlast", "x", str(lat), str(lon), "", ""]],
    )
    # "gemeente" exists in Demodam (GM9999) and in Elders (GM9998): the slug alone is ambiguous.
    with pytest.raises(CommandError, match="komt in meer gemeenten voor"):
        run(path, "--organisation", "gemeente")
    # "politie" exists only in Demodam: naming another municipality finds nothing.
    with pytest.raises(CommandError, match="Onbekende organisatie 'politie' in gemeente GM9998"):
        run(path, "--organisation", "politie", "--municipality", "GM9998")
    assert not Signal.objects.filter(external_id="G-1").exists()

    # Into Elders: its own categories and territory, never Demodam's.
    assert run(path, "--organisation", "gemeente", "--municipality", "gm9998") == (
        "imported=1 updated=0 unchanged=0 rejected=0"
    )
    signal = Signal.objects.get(external_id="G-1")
    assert signal.municipality == world.other_gm
    assert signal.category.municipality == world.other_gm
    assert signal.neighbourhood is None  # Elders has no buurt boundaries
    # A Demodam-only category is unknown in Elders.
    other = write_csv(
        tmp_path / "h.csv",
        [HEADER, ["G-2", "01-10-2025", "woonfraude", "x", str(lat), str(lon), "", ""]],
    )
    assert run(other, "--organisation", "gemeente", "--municipality", "GM9998") == (
        "imported=0 updated=0 unchanged=0 rejected=1"
    )


def test_a_mapping_of_another_organisation_is_refused(world: World, tmp_path: Path) -> None:
    mapping = MappingProfile.objects.create(
        municipality=world.gm, organisation=world.orgs["corporatie"], name="P"
    )
    path = write_csv(tmp_path / "x.csv", [HEADER])
    with pytest.raises(ValueError, match="another organisation"):
        import_signals(path=path, organisation=world.orgs["politie"], mapping=mapping)


def test_xlsx_rejects_and_progress(world: World, tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["extern_id", "waargenomen_op", "categorie", "x", "y"])
    x, y = BUURT_POINTS_RD["04"]
    for i in range(5):
        sheet.append([f"X{i}", dt.datetime(2025, 5, 1 + i, 12, 0), "overlast", x, y])
    sheet.append(["X9", "gisteren", "overlast", x, y])  # line 7
    path = tmp_path / "werkmap.xlsx"
    workbook.save(path)
    seen: list[int] = []
    result = import_signals(
        path=path, organisation=world.orgs["politie"], batch_size=2, progress=seen.append
    )
    assert (result.imported, result.rejected) == (5, 1)
    assert seen == [2, 4, 6]
    assert result.rejects_path == tmp_path / "werkmap.xlsx.rejects.csv"
    rows = read_rejects(result.rejects_path)
    assert rows[0] == ["regel", "extern_id", "waargenomen_op", "categorie", "x", "y", "reden"]
    assert rows[1] == [
        "7",
        "X9",
        "gisteren",
        "overlast",
        "158550",
        "463550",
        "Kolom waargenomen_op: Onbekende datumnotatie: gebruik bijvoorbeeld 31-12-2025 23:15.",
    ]


def test_rejects_are_dutch_whatever_the_active_language(world: World, tmp_path: Path) -> None:
    from django.utils import translation

    with translation.override("en"):
        import_signals(path=broken_file(tmp_path), organisation=world.orgs["politie"])
    reasons = [row[-1] for row in read_rejects(tmp_path / "kapot.csv.rejects.csv")[1:]]
    assert "De waarneming kan niet in de toekomst liggen." in reasons


def test_times_in_the_daylight_saving_changes_are_unchanged_on_a_rerun(
    world: World, tmp_path: Path
) -> None:
    # 02:30 on 29 March 2026 does not exist in Europe/Amsterdam, and 02:30 on 25 October 2026
    # happens twice: Python never finds such aware times equal to a time in UTC.
    lat, lon = wgs84_of("01")
    path = write_csv(
        tmp_path / "zomertijd.csv",
        [
            ["extern_id", "waargenomen_op", "categorie", "lat", "lon"],
            ["Z-1", "29-03-2026 02:30", "overlast-jeugd", dutch_number(lat), dutch_number(lon)],
            ["Z-2", "25-10-2026 02:30", "overlast-jeugd", dutch_number(lat), dutch_number(lon)],
            ["Z-3", "25-10-2026 12:00", "overlast-jeugd", dutch_number(lat), dutch_number(lon)],
        ],
    )
    assert run(path, "--organisation", "politie") == "imported=3 updated=0 unchanged=0 rejected=0"
    assert run(path, "--organisation", "politie") == "imported=0 updated=0 unchanged=3 rejected=0"
