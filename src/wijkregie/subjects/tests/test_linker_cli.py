"""`wijkregie link-persons` end to end on real CSV files (no database involved)."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from wijkregie.testing.persons import HEADER, generate, pairwise_scores


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("link_persons", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def read_output(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_links_a_generated_file_every_record_exactly_once(tmp_path: Path) -> None:
    data = generate(1500, seed=21)
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    data.write_csv(source)
    out, err = run("--in", str(source), "--out", str(target))
    rows = read_output(target)
    assert rows[0] == ["record_id", "person_id"]
    body = rows[1:]
    assert [r[0] for r in body] == [r[0] for r in data.rows]  # input order, each once
    assert len({r[0] for r in body}) == 1500
    assert "gelezen=1500 records=1500 afgekeurd=0" in out
    assert err == ""
    predicted = [r[1] for r in body]
    scores = pairwise_scores(data.truth, predicted)
    assert scores["precision"] >= 0.97 and scores["recall"] >= 0.8, scores
    # No clear BSN anywhere in the output.
    text = target.read_text(encoding="utf-8")
    assert not any(row[2] and row[2] in text for row in data.rows)


def test_same_file_in_another_order_gives_the_same_ids(tmp_path: Path) -> None:
    data = generate(800, seed=22)
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    data.write_csv(first)
    data.write_csv(second, order_seed=5)
    run("--in", str(first), "--out", str(tmp_path / "a.out"))
    run("--in", str(second), "--out", str(tmp_path / "b.out"))
    a = dict(read_output(tmp_path / "a.out")[1:])
    b = dict(read_output(tmp_path / "b.out")[1:])
    assert a == b and len(a) == 800


def test_bom_header_order_extra_columns_and_empty_fields(tmp_path: Path) -> None:
    source = tmp_path / "bom.csv"
    header = ["extra", *reversed(HEADER)]
    rows = [
        ["x", "Wijkerveen", "1234AB", "", "12", "Lindelaan", "17-05-1980", "Veen", "van der",
         "Jan", "", "gemeente", "r1"],
        ["y", "Wijkerveen", "1234 ab", "", "12", "Lindelaan", "1980-05-17", "Vanderveen", "",
         "J.", "", "politie", "r2"],
        ["z", "", "", "", "", "", "", "", "", "", "", "", "r3"],
    ]  # fmt: skip
    with source.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    run("--in", str(source), "--out", str(tmp_path / "out.csv"))
    result = dict(read_output(tmp_path / "out.csv")[1:])
    assert set(result) == {"r1", "r2", "r3"}
    assert result["r1"] == result["r2"] != result["r3"]


def test_bad_rows_are_reported_with_line_numbers_in_dutch(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    good = ["a1", "gemeente", "", "Kees", "", "Bakker", "1970-01-01", "", "", "", "", ""]
    lines = [
        ",".join(HEADER),
        ",".join(good),
        ",".join(["", *good[1:]]),  # line 3: no record id
        ",".join(good),  # line 4: duplicate of line 2
        "a2,gemeente,too,few",  # line 5: wrong number of fields
        ",".join(["a3", *good[1:]]),
        "",
    ]
    source.write_text("\n".join(lines), encoding="utf-8")
    target = tmp_path / "out.csv"
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="3 regel"):
        call_command(
            "link_persons", "--in", str(source), "--out", str(target), stdout=out, stderr=err
        )
    messages = err.getvalue()
    assert "regel 3: record_id ontbreekt" in messages
    assert "regel 4: record_id 'a1' staat ook op regel 2" in messages
    assert "regel 5: 4 velden, verwacht 12" in messages
    # The valid records are still written, each once.
    assert [r[0] for r in read_output(target)[1:]] == ["a1", "a3"]


def test_missing_columns_and_missing_file(tmp_path: Path) -> None:
    source = tmp_path / "cols.csv"
    source.write_text("record_id,achternaam\nr1,Bakker\n", encoding="utf-8")
    with pytest.raises(CommandError, match="mist de kolom"):
        run("--in", str(source), "--out", str(tmp_path / "o.csv"))
    with pytest.raises(CommandError, match="niet gevonden"):
        run("--in", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o.csv"))
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match="leeg"):
        run("--in", str(empty), "--out", str(tmp_path / "o.csv"))
    latin = tmp_path / "latin.csv"
    latin.write_bytes((",".join(HEADER) + "\nr1,,,Zoë,,,,,,,,\n").encode("latin-1"))
    with pytest.raises(CommandError, match="UTF-8"):
        run("--in", str(latin), "--out", str(tmp_path / "o.csv"))


def test_explain_file_lists_each_link_with_rule_and_weights(tmp_path: Path) -> None:
    data = generate(600, seed=23)
    source = tmp_path / "in.csv"
    data.write_csv(source)
    links = tmp_path / "links.csv"
    run("--in", str(source), "--out", str(tmp_path / "out.csv"), "--explain", str(links))
    rows = read_output(links)
    assert rows[0] == ["record_a", "record_b", "regel", "score", "drempel", "velden"]
    assert len(rows) > 50
    assert {r[2] for r in rows[1:]} <= {"bsn", "score"}
    assert all("geboortedatum=" in r[5] and "adres=" in r[5] for r in rows[1:])
    ids = dict(read_output(tmp_path / "out.csv")[1:])
    assert all(ids[r[0]] == ids[r[1]] for r in rows[1:])


def test_the_same_command_runs_without_django(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """csvfile.main is the command without the web application (a faster start)."""
    from wijkregie.subjects.linker import csvfile

    data = generate(500, seed=24)
    source = tmp_path / "in.csv"
    data.write_csv(source)
    assert csvfile.main(["--in", str(source), "--out", str(tmp_path / "plain.csv")]) == 0
    run("--in", str(source), "--out", str(tmp_path / "django.csv"))
    assert read_output(tmp_path / "plain.csv") == read_output(tmp_path / "django.csv")
    assert "gelezen=500" in capsys.readouterr().out
    assert csvfile.main(["--in", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "x")]) == 1
    assert "Bestand niet gevonden" in capsys.readouterr().err


def test_the_console_script_links_without_starting_django(tmp_path: Path) -> None:
    """`wijkregie link-persons` takes the Django-free path: it works even with settings that
    could not be loaded, and writes the same file as the management command."""
    import os
    import subprocess
    import sys

    data = generate(300, seed=31)
    source = tmp_path / "in.csv"
    data.write_csv(source)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "no.such.settings"}
    command = [sys.executable, "-m", "wijkregie.cli", "link-persons"]
    done = subprocess.run(  # noqa: S603 - our own console script with fixed arguments
        [*command, "--in", str(source), "--out", str(tmp_path / "script.csv")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "gelezen=300" in done.stdout
    run("--in", str(source), "--out", str(tmp_path / "django.csv"))
    assert read_output(tmp_path / "script.csv") == read_output(tmp_path / "django.csv")
