"""intake.reading: detection and value parsing, on real bytes. No database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from wijkregie.intake.reading import (
    ReadError,
    ValueProblem,
    detect,
    iter_rows,
    normalise_header,
    parse_datetime,
    parse_decimal,
    parse_integer,
    preview,
)
from wijkregie.intake.tests.helpers import write_csv

AMS = ZoneInfo("Europe/Amsterdam")
ROWS = [["Extern ID", "Omschrijving"], ["1", "Coöperatie café"], ["2", "Twee"]]


@pytest.mark.parametrize(
    ("delimiter", "encoding", "bom", "expected_encoding"),
    [
        (";", "cp1252", False, "cp1252"),
        (",", "utf-8", True, "utf-8-sig"),
        ("\t", "utf-8", False, "utf-8"),
    ],
)
def test_detect_encoding_and_delimiter(
    tmp_path: Path, delimiter: str, encoding: str, bom: bool, expected_encoding: str
) -> None:
    path = write_csv(tmp_path / "f.csv", ROWS, delimiter=delimiter, encoding=encoding, bom=bom)
    detected = detect(path)
    assert (detected.format, detected.encoding, detected.delimiter) == (
        "csv",
        expected_encoding,
        delimiter,
    )
    assert detected.headers == ("Extern ID", "Omschrijving")
    assert detected.columns == ("extern_id", "omschrijving")
    rows = list(iter_rows(path, detected))
    assert [(r.line, r.values["omschrijving"]) for r in rows] == [
        (2, "Coöperatie café"),
        (3, "Twee"),
    ]
    assert rows[0].original == ["1", "Coöperatie café"]


def test_windows_1252_is_detected_even_when_the_first_non_ascii_byte_is_late(
    tmp_path: Path,
) -> None:
    rows = [["a", "b"], *[[str(i), "x" * 50] for i in range(30_000)], ["laatste", "één"]]
    path = write_csv(tmp_path / "late.csv", rows, encoding="cp1252")
    assert path.stat().st_size > 1_000_000
    assert detect(path).encoding == "cp1252"
    assert list(iter_rows(path))[-1].values["b"] == "één"


def test_quoted_fields_with_delimiters_and_newlines_keep_their_line_number(
    tmp_path: Path,
) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes(b'id;tekst\r\n1;"a;b\r\nc"\r\n2;"d ""e"""\r\n')
    rows = list(iter_rows(path))
    assert [(r.line, r.values["tekst"]) for r in rows] == [(2, "a;b\r\nc"), (4, 'd "e"')]


def test_xlsx_by_content_and_preview(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["\ufeffExtern_ID ", "Waargenomen_op"])
    sheet.append([7, dt.datetime(2025, 1, 2, 3, 4)])
    path = tmp_path / "geen-extensie"
    workbook.save(path)
    detected = detect(path)
    assert (detected.format, detected.encoding, detected.delimiter) == ("xlsx", None, None)
    assert detected.columns == ("extern_id", "waargenomen_op")
    shown = preview(path, n=5)
    assert shown.rows == [["7", "02-01-2025 03:04"]]
    assert next(iter_rows(path)).values["waargenomen_op"] == dt.datetime(2025, 1, 2, 3, 4)


def test_preview_shows_at_most_n_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [["a"], *[[str(i)] for i in range(50)]])
    assert [r[0] for r in preview(path, n=3).rows] == ["0", "1", "2"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Het bestand is leeg."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "Oude Excel-bestanden"),
        (b"\x00\x01\x02binary", "geen CSV- of Excel-bestand"),
        (b"\n\n  \n", "geen kopregel"),
        (b"\xef\xbb\xbfa;b\n\xff\xfe;x\n", "ongeldige tekens"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ReadError, match=message):
        detect(path)


def test_normalise_header() -> None:
    assert normalise_header("\ufeff Extern ID ") == "extern_id"
    assert normalise_header("Waargenomen-op") == "waargenomen_op"
    assert normalise_header(None) == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31-12-2025", dt.datetime(2025, 12, 31, tzinfo=AMS)),
        ("31-12-2025 23:15", dt.datetime(2025, 12, 31, 23, 15, tzinfo=AMS)),
        ("1-2-2025 7:05:09", dt.datetime(2025, 2, 1, 7, 5, 9, tzinfo=AMS)),
        ("31/12/2025", dt.datetime(2025, 12, 31, tzinfo=AMS)),
        ("2025-07-01T10:00:00", dt.datetime(2025, 7, 1, 10, tzinfo=AMS)),
        ("2025-07-01T10:00:00Z", dt.datetime(2025, 7, 1, 10, tzinfo=dt.UTC)),
        ("2025-07-01 10:00+02:00", dt.datetime(2025, 7, 1, 8, tzinfo=dt.UTC)),
        ("2025-07-01", dt.datetime(2025, 7, 1, tzinfo=AMS)),
        ("45658", dt.datetime(2025, 1, 1, tzinfo=AMS)),  # Excel serial, as text
        ("45658,5", dt.datetime(2025, 1, 1, 12, tzinfo=AMS)),
        (45658.25, dt.datetime(2025, 1, 1, 6, tzinfo=AMS)),
        (dt.datetime(2025, 1, 1, 6), dt.datetime(2025, 1, 1, 6, tzinfo=AMS)),
        (dt.date(2025, 1, 1), dt.datetime(2025, 1, 1, tzinfo=AMS)),
        ("", None),
        (None, None),
    ],
)
def test_parse_datetime(value: object, expected: dt.datetime | None) -> None:
    assert parse_datetime(value) == expected  # type: ignore[arg-type]


def test_naive_times_are_amsterdam_time_in_winter_and_summer() -> None:
    winter = parse_datetime("15-01-2025 12:00")
    summer = parse_datetime("15-07-2025 12:00")
    assert winter is not None and summer is not None
    assert winter.utcoffset() == dt.timedelta(hours=1)
    assert summer.utcoffset() == dt.timedelta(hours=2)


@pytest.mark.parametrize(
    "value", ["31-02-2025", "gisteren", "2025-13-01", "12:00", "2025", "12", True]
)
def test_parse_datetime_refuses(value: object) -> None:
    with pytest.raises(ValueProblem):
        parse_datetime(value)  # type: ignore[arg-type]


def test_parse_datetime_with_a_profile_format() -> None:
    assert parse_datetime("05/11/2025 14.30", date_format="%d/%m/%Y %H.%M") == dt.datetime(
        2025, 11, 5, 14, 30, tzinfo=AMS
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("52,1234", 52.1234),
        ("52.1234", 52.1234),
        (" 155.000,50 ", 155000.5),
        ("155,000.50", 155000.5),
        ("1.234.567", 1234567.0),
        (5.5, 5.5),
        (7, 7.0),
        ("", None),
        (None, None),
    ],
)
def test_parse_decimal(value: object, expected: float | None) -> None:
    assert parse_decimal(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["abc", "1,2,3", "nan", "inf", True])
def test_parse_decimal_refuses(value: object) -> None:
    with pytest.raises(ValueProblem):
        parse_decimal(value)  # type: ignore[arg-type]


def test_parse_integer() -> None:
    assert parse_integer(" 12 ") == 12
    assert parse_integer(12.0) == 12
    assert parse_integer("") is None
    for bad in ("12a", 12.5, "-1"):
        with pytest.raises(ValueProblem):
            parse_integer(bad)
