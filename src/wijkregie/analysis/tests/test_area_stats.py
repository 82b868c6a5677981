"""`wijkregie import-area-stats`: real StatLine-style files, real database."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from wijkregie.analysis import cbs
from wijkregie.analysis.models import AreaStatistic
from wijkregie.analysis.selectors import area_statistics, latest_year
from wijkregie.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db

# 2023: numbering as in the 2023 table, with a Perioden column; Windows-1252, CRLF.
HEADER_2023 = (
    '"ID";"WijkenEnBuurten";"Gemeentenaam_1";"SoortRegio_2";"Codering_3";'
    '"AantalInwoners_5";"Mannen_6";"Vrouwen_7";"HuishoudensTotaal_28";'
    '"GemiddeldeHuishoudensgrootte_32";"Bevolkingsdichtheid_33";'
    '"GemiddeldInkomenPerInwoner_72";"Perioden"'
)
ROWS_2023 = [
    '"0";"Súdwest-Fryslân";"Súdwest-Fryslân    ";"Gemeente  ";"GM1900    ";'
    '"91690";"45870";"45820";"40340";"2,2";"215";"29,6";"2023JJ00"',
    '"1";"Wijk 00 Sneek";"Súdwest-Fryslân    ";"Wijk      ";"WK190000  ";'
    '"34315";"16950";"17365";"17210";"1,9";"1344";".";"2023JJ00"',
    '"2";"Binnenstad";"Súdwest-Fryslân    ";"Buurt     ";"BU19000000";'
    '"3820";"1890";"1930";"2580";"1,5";"5012";"x";"2023JJ00"',
    '"3";"Tsjerkebuurt";"Súdwest-Fryslân    ";"Buurt     ";"BU19000001";'
    '".";".";".";".";".";".";".";"2023JJ00"',
]
# 2024: other suffixes, other column order, no Perioden (the year comes from --year).
HEADER_2024 = (
    '"ID";"WijkenEnBuurten";"Gemeentenaam_1";"SoortRegio_2";"Codering_3";'
    '"IndelingswijzigingWijkenEnBuurten_4";"AantalInwoners_6";"Mannen_7";"Vrouwen_8";'
    '"Bevolkingsdichtheid_35";"HuishoudensTotaal_30";"GemiddeldeHuishoudensgrootte_34";'
    '"GemiddeldInkomenPerInwoner_80"'
)
ROWS_2024 = [
    '"0";"Súdwest-Fryslân";"Súdwest-Fryslân    ";"Gemeente  ";"GM1900    ";"1";'
    '"92011";"46020";"45991";"216";"40702";"2,2";"31,2"',
    '"1";"Binnenstad";"Súdwest-Fryslân    ";"Buurt     ";"BU19000000  ";"1";'
    '"3851";"1901";"1950";"5051";"2601";"1,5";"."',
]


def write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode("cp1252"))
    return path


def run(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("import-area-stats", *args, stdout=out, stderr=err)
    return out.getvalue().strip().splitlines()[-1]


def test_the_file_is_really_windows_1252(tmp_path):
    path = write(tmp_path / "kerncijfers.csv", HEADER_2023, ROWS_2023)
    data = path.read_bytes()
    assert "Súdwest-Fryslân".encode("cp1252") in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_import_two_years_with_different_numbering(tmp_path):
    first = write(tmp_path / "kwb-2023.csv", HEADER_2023, ROWS_2023)
    assert run(str(first)) == "imported=4 updated=0 unchanged=0 rejected=0"
    second = write(tmp_path / "kwb-2024.csv", HEADER_2024, ROWS_2024)
    assert run(str(second), "--year", "2024") == "imported=2 updated=0 unchanged=0 rejected=0"
    assert not Path(f"{first}.rejects.csv").exists()

    gm = AreaStatistic.objects.get(code="GM1900", year=2023)
    assert (gm.kind, gm.residents, gm.households) == ("gemeente", 91690, 40340)
    assert gm.values == {
        "mannen": 45870,
        "vrouwen": 45820,
        "gemiddeldehuishoudensgrootte": 2.2,
        "bevolkingsdichtheid": 215,
        "gemiddeldinkomenperinwoner": 29.6,
    }
    wk = AreaStatistic.objects.get(code="WK190000", year=2023)
    assert wk.kind == "wijk"
    assert "gemiddeldinkomenperinwoner" not in wk.values  # "." = unknown
    secret = AreaStatistic.objects.get(code="BU19000000", year=2023)
    assert secret.kind == "buurt"
    assert "gemiddeldinkomenperinwoner" not in secret.values  # "x" = secret
    empty = AreaStatistic.objects.get(code="BU19000001", year=2023)
    assert (empty.residents, empty.households, empty.values) == (None, None, {})

    later = AreaStatistic.objects.get(code="BU19000000", year=2024)
    assert (later.residents, later.households) == (3851, 2601)
    assert later.values["bevolkingsdichtheid"] == 5051
    assert "indelingswijzigingwijkenenbuurten" not in later.values  # a code, not a figure
    assert AreaStatistic.objects.count() == 6
    assert AuditEvent.objects.filter(object_type="analysis.areastatistic").count() == 2


def test_rerun_is_unchanged_and_a_changed_figure_updates(tmp_path):
    path = write(tmp_path / "kwb.csv", HEADER_2023, ROWS_2023)
    run(str(path))
    assert run(str(path)) == "imported=0 updated=0 unchanged=4 rejected=0"
    changed = [ROWS_2023[0].replace('"91690"', '"91700"'), *ROWS_2023[1:]]
    write(path, HEADER_2023, changed)
    assert run(str(path)) == "imported=0 updated=1 unchanged=3 rejected=0"
    assert AreaStatistic.objects.get(code="GM1900", year=2023).residents == 91700
    assert AreaStatistic.objects.count() == 4


def test_broken_rows_go_to_the_rejects_file(tmp_path):
    rows = [
        *ROWS_2023,
        '"4";"Nederland";"";"Land      ";"NL00      ";"17942942";".";".";".";".";".";".";"2023JJ00"',
        '"5";"Kleine buurt";"Súdwest-Fryslân    ";"Buurt     ";"BU19000002";'
        '"12a";"6";"6";"5";"2,4";"80";".";"2023JJ00"',
        '"6";"Dubbel";"Súdwest-Fryslân    ";"Buurt     ";"BU19000000";'
        '"3820";"1890";"1930";"2580";"1,5";"5012";"x";"2023JJ00"',
    ]
    path = write(tmp_path / "kwb.csv", HEADER_2023, rows)
    assert run(str(path)) == "imported=4 updated=0 unchanged=0 rejected=3"
    with Path(f"{path}.rejects.csv").open(encoding="utf-8-sig", newline="") as handle:
        rejects = list(csv.reader(handle, delimiter=";"))
    assert rejects[0][0] == "regel" and rejects[0][-1] == "reden"
    assert rejects[0][1:-1] == next(csv.reader([HEADER_2023], delimiter=";"))
    lines = {r[0]: r for r in rejects[1:]}
    assert set(lines) == {"6", "7", "8"}
    assert lines["6"][5] == "NL00      "  # the original cell, padding included
    assert "Ongeldige regiocode" in lines["6"][-1]
    assert lines["7"][-1] == "aantalinwoners is geen getal."
    assert lines["7"][2] == "Kleine buurt"
    assert "eerder in dit bestand" in lines["8"][-1] and "regel 4" in lines["8"][-1]
    assert not AreaStatistic.objects.filter(code="BU19000002").exists()


def test_without_a_year_the_command_stops_with_a_dutch_error(tmp_path):
    path = write(tmp_path / "kwb-2024.csv", HEADER_2024, ROWS_2024)
    with pytest.raises(CommandError, match="Het jaar ontbreekt: geef --year JJJJ op"):
        call_command("import-area-stats", str(path))
    assert AreaStatistic.objects.count() == 0


def test_without_a_year_the_process_exits_non_zero(tmp_path):
    path = write(tmp_path / "kwb-2024.csv", HEADER_2024, ROWS_2024)
    wijkregie = Path(sys.executable).with_name("wijkregie")
    done = subprocess.run(  # noqa: S603
        [str(wijkregie), "import-area-stats", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "Het jaar ontbreekt" in done.stderr


def test_utf8_comma_separated_export_is_read_too(tmp_path):
    path = tmp_path / "kwb.csv"
    path.write_bytes(
        "\ufeffWijkenEnBuurten,Codering_3,AantalInwoners_5,HuishoudensTotaal_28\n"
        "Súdwest-Fryslân,GM1900,91690,40340\n".encode()
    )
    assert run(str(path), "--year", "2022") == "imported=1 updated=0 unchanged=0 rejected=0"
    assert AreaStatistic.objects.get(code="GM1900", year=2022).residents == 91690


def test_selectors(tmp_path):
    assert latest_year() is None
    run(str(write(tmp_path / "a.csv", HEADER_2023, ROWS_2023)))
    run(str(write(tmp_path / "b.csv", HEADER_2024, ROWS_2024)), "--year", "2024")
    assert latest_year() == 2024
    assert latest_year("wijk") == 2023
    stats = area_statistics(["GM1900", "bu19000000 ", "WK999999"], 2023)
    assert set(stats) == {"GM1900", "BU19000000"}
    assert stats["GM1900"].residents == 91690
    assert stats["BU19000000"].households == 2580
    assert stats["BU19000000"].values["gemiddeldehuishoudensgrootte"] == 1.5
    assert area_statistics([], 2023) == {}


def test_prefix_matching_and_values():
    assert cbs.column_prefix("AantalInwoners_5") == "aantalinwoners"
    assert cbs.column_prefix("\ufeffWijkenEnBuurten") == "wijkenenbuurten"
    assert cbs.region_code("BU03630001  ") == ("BU03630001", "buurt")
    assert cbs.region_code(" gm0363") == ("GM0363", "gemeente")
    assert cbs.period_year("2024JJ00") == 2024
    assert cbs.figure(".") is None and cbs.figure("x") is None and cbs.figure(" ") is None
    assert cbs.figure("-") is None
    assert cbs.figure("2,25") == 2.25 and cbs.figure("1344") == 1344
    with pytest.raises(cbs.ValueProblem):
        cbs.region_code("NL00")
    with pytest.raises(cbs.ValueProblem):
        cbs.figure("12a")
