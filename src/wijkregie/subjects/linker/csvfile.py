"""Linking a standalone CSV file of person records: the work behind `wijkregie link-persons`.

No Django here (the management command and :func:`main` are thin wrappers), so the command can
also run without loading the web application: ``python -m wijkregie.subjects.linker.csvfile
--in F --out F`` does the same as ``wijkregie link-persons --in F --out F``.

Input: UTF-8 (a BOM is fine), comma-separated, a header with at least the columns below (extra
columns are ignored); any field but record_id may be empty. BSNs are pseudonymised on reading
with a random key that lives only for this run (HMAC-SHA-256); a clear BSN never reaches the
linker, the output or a message. Rows are read in chunks and kept as integer codes.

Output: ``record_id,person_id`` for every valid record exactly once, in input order. Bad rows
(no record_id, a record_id seen before, a wrong number of fields) are reported with their line
numbers in Dutch and left out.
"""

from __future__ import annotations

import argparse
import csv
import secrets
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count, islice
from operator import itemgetter
from pathlib import Path

import numpy as np

from wijkregie.privacy.pseudonyms import pseudonymise_many
from wijkregie.subjects.linker.api import LinkResult
from wijkregie.subjects.linker.engine import link_table
from wijkregie.subjects.linker.normalise import RecordTable

COLUMNS = (
    "record_id",
    "bron",
    "bsn",
    "voornamen",
    "tussenvoegsel",
    "achternaam",
    "geboortedatum",
    "straat",
    "huisnummer",
    "toevoeging",
    "postcode",
    "woonplaats",
)
# CSV column -> linker field.
FIELD_OF = {
    "bron": "source",
    "bsn": "bsn_token",
    "voornamen": "voornamen",
    "tussenvoegsel": "tussenvoegsel",
    "achternaam": "achternaam",
    "geboortedatum": "geboortedatum",
    "straat": "straat",
    "huisnummer": "huisnummer",
    "toevoeging": "toevoeging",
    "postcode": "postcode",
    "woonplaats": "woonplaats",
}
MAX_REPORTED = 20
CHUNK_ROWS = 50_000  # rows held as text at once; the rest is kept as integer codes


class InputError(Exception):
    pass


class _Column:
    """Codes of one column into its distinct raw values, filled a chunk at a time."""

    __slots__ = ("index", "parts")

    def __init__(self) -> None:
        # A missing value gets the next code: the whole lookup runs in C.
        self.index: defaultdict[str, int] = defaultdict(count().__next__)
        self.parts: list[np.ndarray] = []

    def extend(self, values: list[str]) -> None:
        self.parts.append(
            np.fromiter(map(self.index.__getitem__, values), dtype=np.int64, count=len(values))
        )

    def codes(self) -> np.ndarray:
        return np.concatenate(self.parts) if self.parts else np.zeros(0, np.int64)

    def values(self) -> list[str]:
        return [value.strip() for value in self.index]


def read_table(path: Path) -> tuple[RecordTable, list[str], int]:
    """(table with pseudonymised BSNs, messages about bad rows, rows read)."""
    key = secrets.token_bytes(32)  # this run only; never written anywhere
    record_ids: list[str] = []
    seen: dict[str, int] = {}
    problems: list[str] = []
    rows = 0
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise InputError("Het bestand is leeg: de kopregel ontbreekt.") from None
        except UnicodeDecodeError:
            raise InputError("Het bestand is geen geldige UTF-8 (in de kopregel).") from None
        names = [h.strip().lower() for h in header]
        missing = [c for c in COLUMNS if c not in names]
        if missing:
            raise InputError(
                "De kopregel mist de kolom(men) "
                + ", ".join(missing)
                + ". Verwacht: "
                + ",".join(COLUMNS)
                + "."
            )
        position = [names.index(c) for c in COLUMNS]
        columns = [_Column() for _ in COLUMNS[1:]]
        width = len(names)
        id_at = position[0]

        def take(chunk: list[list[str]]) -> None:
            for column, at in zip(columns, position[1:], strict=True):
                column.extend(list(map(itemgetter(at), chunk)))

        def one_by_one(chunk: list[list[str]], lines: list[int]) -> list[list[str]]:
            """The slow path, for a chunk with a bad row: check each row, keep the good ones."""
            good: list[list[str]] = []
            for row, line in zip(chunk, lines, strict=True):
                if len(row) != width:
                    if not any(cell.strip() for cell in row):
                        continue  # an empty line
                    problems.append(
                        f"regel {line}: {len(row)} velden, verwacht {width}; regel overgeslagen"
                    )
                    continue
                record_id = row[id_at].strip()
                if not record_id:
                    problems.append(f"regel {line}: record_id ontbreekt; regel overgeslagen")
                    continue
                first = seen.setdefault(record_id, line)
                if first != line:
                    problems.append(
                        f"regel {line}: record_id '{record_id}' staat ook op regel {first}; "
                        "regel overgeslagen"
                    )
                    continue
                record_ids.append(record_id)
                good.append(row)
            return good

        try:
            while True:
                start = reader.line_num
                chunk = list(islice(reader, CHUNK_ROWS))
                if not chunk:
                    break
                if reader.line_num - start == len(chunk):
                    lines = list(range(start + 1, reader.line_num + 1))
                else:  # quoted fields with line breaks: count them
                    lines, line = [], start
                    for row in chunk:
                        line += 1
                        lines.append(line)
                        line += sum(cell.count("\n") for cell in row)
                ids = list(
                    map(str.strip, (row[id_at] if len(row) > id_at else "" for row in chunk))
                )
                fresh = dict.fromkeys(ids)
                clean = (
                    all(len(row) == width for row in chunk)
                    and "" not in fresh
                    and len(fresh) == len(ids)
                    and seen.keys().isdisjoint(fresh)
                )
                if clean:  # the fast path: every row fine
                    seen.update(zip(ids, lines, strict=True))
                    record_ids.extend(ids)
                    rows += len(chunk)
                    take(chunk)
                    continue
                good = one_by_one(chunk, lines)
                rows += sum(1 for row in chunk if any(cell.strip() for cell in row))
                if good:
                    take(good)
        except UnicodeDecodeError:
            raise InputError(
                f"Het bestand is geen geldige UTF-8 (na regel {reader.line_num})."
            ) from None
        except csv.Error as exc:
            raise InputError(f"regel {reader.line_num}: onleesbare CSV ({exc}).") from None
    seen.clear()
    raw: dict[str, tuple[np.ndarray, list[str]]] = {}
    for name, column in zip(COLUMNS[1:], columns, strict=True):
        values = column.values()
        if name == "bsn":
            values = pseudonymise_many(values, key)  # the clear BSNs are not kept
        raw[FIELD_OF[name]] = (column.codes(), values)
        column.index.clear()
    return RecordTable(record_ids, raw), problems, rows


@dataclass
class FileResult:
    summary: str  # one line of counts for stdout
    problems: list[str]  # Dutch messages about bad rows, with line numbers


def link_file(source: Path, target: Path, explain: Path | None = None) -> FileResult:
    """Read, link, write. Raises InputError (Dutch message) for a file it cannot read."""
    started = time.perf_counter()
    if not source.is_file():
        raise InputError(f"Bestand niet gevonden: {source}")
    table, problems, rows = read_table(source)
    result = link_table(table)
    person_ids = result.person_ids
    # Output in input order: canonical position k holds input row table.order[k].
    position = np.empty(table.n, dtype=np.int64)
    position[table.order] = np.arange(table.n)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(("record_id", "person_id"))
        ids = result.record_ids
        writer.writerows((ids[k], person_ids[k]) for k in position.tolist())
    if explain is not None:
        write_links(explain, result)
    sizes = np.bincount(result.labels) if table.n else np.zeros(0, np.int64)
    stats = result.stats
    summary = (
        f"gelezen={rows} records={table.n} afgekeurd={len(problems)} "
        f"personen={int(sizes.size)} gekoppeld={int(sizes[sizes > 1].sum())} "
        f"in_clusters={int((sizes > 1).sum())} koppelingen={stats.get('links_kept', 0)} "
        f"kandidaatparen={stats.get('candidate_pairs', 0)} "
        f"veto={stats.get('vetoed_pairs', 0)} dun={stats.get('thin_records', 0)} "
        f"bewaakt={stats.get('guarded_components', 0)} "
        f"seconden={time.perf_counter() - started:.2f}"
    )
    return FileResult(summary, problems)


def write_links(path: Path, result: LinkResult) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(("record_a", "record_b", "regel", "score", "drempel", "velden"))
        for link in result.links():
            e = link.explanation
            fields = "; ".join(f"{f.field}={f.level} ({f.weight:+.1f})" for f in e.fields)
            writer.writerow(
                (
                    link.record_a,
                    link.record_b,
                    e.rule,
                    f"{e.score:.2f}",
                    f"{e.threshold:.2f}",
                    fields,
                )
            )


def report(result: FileResult, target: Path, write_error: Callable[[str], object]) -> str:
    """Write the problems; return the closing error message ('' when every row was fine)."""
    for message in result.problems[:MAX_REPORTED]:
        write_error(message)
    if len(result.problems) > MAX_REPORTED:
        write_error(f"... en nog {len(result.problems) - MAX_REPORTED} afgekeurde regels")
    if not result.problems:
        return ""
    return (
        f"{len(result.problems)} regel(s) afgekeurd en overgeslagen; de overige records staan "
        f"in {target}."
    )


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wijkregie link-persons", description=HELP)
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--in", dest="input", type=Path, required=True, help="invoer (CSV)")
    parser.add_argument("--out", dest="output", type=Path, required=True, help="uitvoer (CSV)")
    parser.add_argument(
        "--explain",
        type=Path,
        default=None,
        help="schrijf ook elke koppeling met regel, score en velden naar dit CSV-bestand",
    )


HELP = (
    "Koppel de persoonsrecords van een los CSV-bestand en schrijf record_id,person_id voor elk "
    "record (BSN's worden bij het inlezen gepseudonimiseerd met een sleutel die alleen tijdens "
    "deze run bestaat)."
)


def main(argv: list[str] | None = None) -> int:
    """The command without Django: exit status 0, or 1 with a Dutch message on stderr."""
    options = parser().parse_args(argv)
    try:
        result = link_file(options.input, options.output, options.explain)
    except InputError as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 1
    closing = report(result, options.output, lambda m: print(m, file=sys.stderr))
    print(result.summary)
    if closing:
        print(f"Fout: {closing}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
