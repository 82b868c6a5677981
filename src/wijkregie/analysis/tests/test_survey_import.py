"""`wijkregie import-survey` and analysis.survey_services.survey_import with real files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from wijkregie.analysis.models import SurveyScore
from wijkregie.analysis.survey_services import survey_import
from wijkregie.intake.reading import ReadError
from wijkregie.privacy.models import AuditEvent
from wijkregie.testing.personas import World

GOOD = (
    "gebiedscode;jaar;vraag;score;respondenten\n"
    "BU99990101;2024;veilig_buurt;6,8;142\n"
    "BU99990102;2024;Veilig_Buurt;7.25;51\n"
    "WK999901;2024;veilig_buurt;7,0;193\n"
    "GM9999;2024;veilig_buurt;7,1;800\n"
)


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "enquete.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_survey", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def scores() -> dict[tuple[str, int, str], tuple[float, int]]:
    return {
        (s.area_code, s.year, s.question): (s.score, s.respondents)
        for s in SurveyScore.objects.all()
    }


def test_import_and_reimport_is_idempotent(world: World, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    out, err = run(path, "--municipality", "gm9999")
    assert out.strip().splitlines()[-1] == "imported=4 updated=0 rejected=0"
    assert err == ""
    assert scores() == {
        ("BU99990101", 2024, "veilig_buurt"): (6.8, 142),
        ("BU99990102", 2024, "veilig_buurt"): (7.25, 51),
        ("WK999901", 2024, "veilig_buurt"): (7.0, 193),
        ("GM9999", 2024, "veilig_buurt"): (7.1, 800),
    }
    assert {s.municipality_id for s in SurveyScore.objects.all()} == {world.gm.pk}
    out, _ = run(path, "--municipality", "GM9999")
    assert out.strip().splitlines()[-1] == "imported=0 updated=0 rejected=0"
    assert SurveyScore.objects.count() == 4
    # A changed score updates the row, it does not add one.
    changed = write(tmp_path, GOOD.replace("6,8;142", "6,9;150"), name="tweede.csv")
    out, _ = run(changed, "--municipality", "GM9999")
    assert out.strip().splitlines()[-1] == "imported=0 updated=1 rejected=0"
    assert scores()[("BU99990101", 2024, "veilig_buurt")] == (6.9, 150)
    assert AuditEvent.objects.filter(object_type="analysis.surveyscore").count() == 3


def test_bad_rows_are_reported_with_line_and_reason(world: World, tmp_path: Path) -> None:
    text = (
        "Gebiedscode;Jaar;Vraag;Score;Respondenten\n"
        "BU99990101;2024;veilig_buurt;6,8;142\n"  # 2: fine
        "BU99980101;2024;veilig_buurt;6,8;142\n"  # 3: other municipality's code
        "XX123;2024;veilig_buurt;6,8;142\n"  # 4: not a CBS code
        "BU99990102;twintig;veilig_buurt;zes;-3\n"  # 5: three problems at once
        ";2024;;;\n"  # 6: everything missing
        "BU99990101;2024;veilig_buurt;7,0;100\n"  # 7: repeats line 2
        "BU99990102;2024;veilig buurt!;7,0;100\n"  # 8: bad question code
        "BU99990102;1800;veilig_buurt;7,0;100\n"  # 9: year out of range
    )
    out, err = run(write(tmp_path, text), "--municipality", "GM9999")
    assert out.strip().splitlines()[-1] == "imported=1 updated=0 rejected=7"
    lines = err.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == [f"regel {n}" for n in range(3, 10)]
    assert "hoort niet bij gemeente GM9999" in lines[0]
    assert "Onbekende gebiedscode XX123" in lines[1]
    assert lines[2] == (
        "regel 5: Het jaar is geen heel getal.; De score is geen getal.; "
        "Het aantal respondenten is geen heel getal (0 of meer)."
    )
    for reason in ("gebiedscode ontbreekt", "vraag ontbreekt", "score ontbreekt", "respondenten"):
        assert reason in lines[3]
    assert "staan al op regel 2" in lines[4]
    assert "vraagcode" in lines[5]
    assert "tussen 1990 en 2100" in lines[6]
    assert scores() == {("BU99990101", 2024, "veilig_buurt"): (6.8, 142)}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [";", ","])
def test_encodings_and_delimiters(
    world: World, tmp_path: Path, encoding: str, delimiter: str
) -> None:
    # Windows-1252 and UTF-8 both carry the é of the question label column (ignored), and a
    # comma file needs its decimal comma quoted.
    score = '"6,5"' if delimiter == "," else "6,5"
    text = (
        delimiter.join(["gebiedscode", "vraag", "score", "respondenten", "toelichting"])
        + "\n"
        + delimiter.join(["BU99990201", "tevreden", score, "75", "Tevredenheid café"])
        + "\n"
    )
    path = write(tmp_path, text, encoding)
    out, _ = run(path, "--municipality", "GM9999", "--year", "2025")
    assert out.strip().splitlines()[-1] == "imported=1 updated=0 rejected=0"
    assert scores() == {("BU99990201", 2025, "tevreden"): (6.5, 75)}


def test_year_from_the_option_must_agree_with_the_column(world: World, tmp_path: Path) -> None:
    text = "gebiedscode;jaar;vraag;score;respondenten\nBU99990101;2024;a;1;40\nBU99990102;;a;2;40\n"
    out, err = run(write(tmp_path, text), "--municipality", "GM9999", "--year", "2025")
    assert out.strip().splitlines()[-1] == "imported=1 updated=0 rejected=1"
    assert "regel 2: Het jaar 2024 wijkt af van het opgegeven jaar 2025." in err
    assert scores() == {("BU99990102", 2025, "a"): (2.0, 40)}


def test_without_year_column_or_option_the_file_is_refused(world: World, tmp_path: Path) -> None:
    path = write(tmp_path, "gebiedscode;vraag;score;respondenten\nBU99990101;a;1;40\n")
    with pytest.raises(CommandError, match="Kolommen ontbreken: jaar"):
        run(path, "--municipality", "GM9999")
    assert SurveyScore.objects.count() == 0


def test_unknown_municipality_and_missing_file(world: World, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    with pytest.raises(CommandError, match="Onbekende gemeente: GM1234"):
        run(path, "--municipality", "GM1234")
    with pytest.raises(CommandError, match="Bestand niet gevonden"):
        run(tmp_path / "weg.csv", "--municipality", "GM9999")


def test_empty_file_is_a_read_error(world: World, tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="leeg"):
        survey_import(municipality=world.gm, path=write(tmp_path, ""))


def test_scores_stay_within_their_municipality(world: World, tmp_path: Path) -> None:
    # The same file for Elders: Demodam's codes are refused there, Elders' own code is fine.
    path = write(tmp_path, GOOD.replace("GM9999;", "GM9998;"))
    result = survey_import(municipality=world.other_gm, path=path)
    assert (result.imported, len(result.rejected)) == (1, 3)
    assert list(SurveyScore.objects.values_list("municipality_id", "area_code")) == [
        (world.other_gm.pk, "GM9998")
    ]
