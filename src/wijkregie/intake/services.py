"""Bulk import of partner system exports into signals.

The engine reads a file in batches (bounded memory), validates every row with the domain's
rules, resolves locations in bulk (vectorised coordinate transforms, one STRtree query per
batch for the buurt, one register query per batch for addresses) and writes each batch in one
transaction as an idempotent upsert keyed on (owner organisation, external id). A run that is
killed at any moment and run again therefore ends with exactly the rows of one clean run.

Per import one audit event with the counts is written; no status history rows are made.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from wijkregie.addresses.selectors import AddressKey, lookup_addresses
from wijkregie.areas.selectors import buurt_ids_at, has_buurt_boundaries
from wijkregie.intake.models import MappingProfile
from wijkregie.intake.reading import (
    STANDARD_COLUMNS,
    Cell,
    Detected,
    ReadError,
    Row,
    ValueProblem,
    detect,
    iter_rows,
    normalise_header,
    parse_datetime,
    parse_decimal,
    parse_integer,
    text_of,
)
from wijkregie.intake.rejects import RejectsWriter, default_rejects_path
from wijkregie.lib import dutch, geo
from wijkregie.privacy.services import audit
from wijkregie.signals.models import (
    DESCRIPTION_MAX,
    Category,
    HandlingCode,
    InfoReliability,
    LocationKind,
    Signal,
    SourceChannel,
    SourceReliability,
)
from wijkregie.signals.services import FUTURE_TOLERANCE
from wijkregie.signals.states import Status
from wijkregie.tenants.models import Organisation, User

EXTERNAL_ID_MAX = Signal._meta.get_field("external_id").max_length or 100
REQUIRED_COLUMNS = ("extern_id", "waargenomen_op", "categorie")
LOCATION_COLUMN_SETS = (("lat", "lon"), ("x", "y"), ("postcode", "huisnummer"))
_SOURCE_VALUES = frozenset(SourceReliability.values)
_INFO_VALUES = frozenset(InfoReliability.values)
_QUERY_CHUNK = 500

# The columns an import row determines; a repeat with the same values is "unchanged".
# Status, confidentiality and duplicate links belong to the owner's handling afterwards.
UPSERT_FIELDS = (
    "observed_at",
    "category_id",
    "life_domain_id",
    "description",
    "location_kind",
    "lat",
    "lon",
    "rd_x",
    "rd_y",
    "postcode",
    "huisnummer",
    "huisletter",
    "huisnummertoevoeging",
    "neighbourhood_id",
    "cell_x",
    "cell_y",
    "source_reliability",
    "info_reliability",
)
INSERT_FIELDS = (
    "uuid",
    "municipality_id",
    "owner_organisation_id",
    "registered_by_id",
    "source_channel",
    "external_id",
    "registered_at",
    "handling_code",
    "confidentiality",
    "status",
    "duplicate_of_id",
    "updated_at",
    *UPSERT_FIELDS,
)


@dataclass(frozen=True)
class ImportResult:
    imported: int
    updated: int
    unchanged: int
    rejected: int
    rejects_path: Path | None

    @property
    def processed(self) -> int:
        return self.imported + self.updated + self.unchanged + self.rejected

    def summary(self) -> str:
        return (
            f"imported={self.imported} updated={self.updated} "
            f"unchanged={self.unchanged} rejected={self.rejected}"
        )


@dataclass(frozen=True)
class ColumnPlan:
    """Which file column feeds which standard column."""

    source: dict[str, str]  # standard column -> normalised file column

    def get(self, row: Row, standard: str) -> Cell:
        column = self.source.get(standard)
        return row.values.get(column) if column is not None else None

    def standard_values(self, row: Row) -> dict[str, Cell]:
        """The row by standard column name; columns the file lacks are absent."""
        values = row.values
        return {standard: values.get(column) for standard, column in self.source.items()}


def plan_columns(detected: Detected, mapping: MappingProfile | None = None) -> ColumnPlan:
    """Map the file's headers onto the standard columns. Raises ReadError (Dutch)."""
    renames = {
        normalise_header(theirs): normalise_header(ours)
        for theirs, ours in (mapping.column_map if mapping else {}).items()
    }
    source: dict[str, str] = {}
    for column in detected.columns:
        standard = renames.get(column, column)
        if standard not in STANDARD_COLUMNS:
            continue
        if standard in source:
            raise ReadError(
                _("De kolom %(name)s komt meer dan eens voor in de kopregel.") % {"name": standard}
            )
        source[standard] = column
    missing = [c for c in REQUIRED_COLUMNS if c not in source]
    if missing:
        raise ReadError(
            _("Verplichte kolommen ontbreken: %(names)s. Gevonden: %(found)s.")
            % {"names": ", ".join(missing), "found": ", ".join(detected.headers)}
        )
    if not any(all(c in source for c in group) for group in LOCATION_COLUMN_SETS):
        raise ReadError(
            _("Er zijn geen locatiekolommen: geef lat en lon, x en y, of postcode en huisnummer.")
        )
    return ColumnPlan(source=source)


class CategoryIndex:
    """Active categories of one municipality by code or name (case-insensitive), after the
    mapping profile's translation of the partner's own values."""

    def __init__(self, municipality_id: int, category_map: dict[str, str] | None = None) -> None:
        self.by_key: dict[str, Category] = {}
        categories = list(Category.objects.filter(municipality_id=municipality_id, active=True))
        for category in categories:
            self.by_key.setdefault(category.name.strip().casefold(), category)
        for category in categories:
            self.by_key[category.code.casefold()] = category
        self.translate = {
            str(k).strip().casefold(): str(v).strip().casefold()
            for k, v in (category_map or {}).items()
        }

    def find(self, value: str) -> Category | None:
        key = value.strip().casefold()
        key = self.translate.get(key, key)
        return self.by_key.get(key)


@dataclass
class _Parsed:
    line: int
    original: list[Cell]
    external_id: str
    observed_at: dt.datetime | None
    category: Category | None
    description: str
    source_reliability: str
    info_reliability: str
    lat: float | None
    lon: float | None
    x: float | None
    y: float | None
    postcode: str
    huisnummer: int | None
    huisletter: str
    toevoeging: str
    errors: list[str]
    neighbourhood_id: int | None = None
    kind: str = ""


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _has_bad_characters(text: str) -> bool:
    """Control characters (NUL and the like) cannot be stored or shown; tabs and newlines can."""
    return _CONTROL_CHARACTERS.search(text) is not None


class _RowParser:
    def __init__(
        self,
        plan: ColumnPlan,
        categories: CategoryIndex,
        date_format: str,
        now: dt.datetime,
    ) -> None:
        self.plan = plan
        self.categories = categories
        self.date_format = date_format
        self.latest = now + FUTURE_TOLERANCE
        self.seen: dict[str, int] = {}

    def _number(self, values: dict[str, Cell], name: str, errors: list[str]) -> float | None:
        try:
            return parse_decimal(values.get(name))
        except ValueProblem as problem:
            errors.append(_("Kolom %(column)s: %(problem)s") % {"column": name, "problem": problem})
            return None

    def parse(self, row: Row) -> _Parsed:
        values = self.plan.standard_values(row)
        get = values.get
        errors: list[str] = []

        external_id = text_of(get("extern_id"))
        if not external_id:
            errors.append(
                _(
                    "extern_id ontbreekt: zonder eigen id kan een rij niet veilig "
                    "opnieuw worden ingelezen."
                )
            )
        elif len(external_id) > EXTERNAL_ID_MAX:
            errors.append(
                _("extern_id is te lang: maximaal %(limit)d tekens.") % {"limit": EXTERNAL_ID_MAX}
            )
        elif _has_bad_characters(external_id):
            errors.append(_("extern_id bevat ongeldige tekens."))
        else:
            first = self.seen.setdefault(external_id, row.line)
            if first != row.line:
                errors.append(
                    _("extern_id komt eerder in dit bestand voor (regel %(line)d).")
                    % {"line": first}
                )

        observed_at: dt.datetime | None = None
        try:
            observed_at = parse_datetime(get("waargenomen_op"), date_format=self.date_format)
        except ValueProblem as problem:
            errors.append(
                _("Kolom %(column)s: %(problem)s")
                % {"column": "waargenomen_op", "problem": problem}
            )
        else:
            if observed_at is None:
                errors.append(_("waargenomen_op ontbreekt."))
            elif observed_at > self.latest:
                errors.append(_("De waarneming kan niet in de toekomst liggen."))
            elif observed_at.year < 1900:
                errors.append(_("Deze datum ligt te ver in het verleden."))

        category: Category | None = None
        category_text = text_of(get("categorie"))
        if not category_text:
            errors.append(_("categorie ontbreekt."))
        else:
            category = self.categories.find(category_text)
            if category is None:
                errors.append(_("Onbekende categorie: %(value)s.") % {"value": category_text[:100]})

        description = text_of(get("omschrijving"))
        if len(description) > DESCRIPTION_MAX:
            errors.append(
                _("De omschrijving is te lang: maximaal %(limit)d tekens.")
                % {"limit": DESCRIPTION_MAX}
            )
        elif _has_bad_characters(description):
            errors.append(_("De omschrijving bevat ongeldige tekens."))

        source_reliability = text_of(get("bron_betrouwbaarheid")).upper() or "X"
        if source_reliability not in _SOURCE_VALUES:
            errors.append(_("Kies een geldige betrouwbaarheid van de bron."))
        info_reliability = text_of(get("info_betrouwbaarheid")) or "4"
        if info_reliability not in _INFO_VALUES:
            errors.append(_("Kies een geldige betrouwbaarheid van de informatie."))

        lat = self._number(values, "lat", errors)
        lon = self._number(values, "lon", errors)
        x = self._number(values, "x", errors)
        y = self._number(values, "y", errors)

        postcode_text = text_of(get("postcode"))
        letter = text_of(get("huisletter")).upper()
        addition = text_of(get("toevoeging")).upper()
        number_cell = get("huisnummer")
        number: int | None = None
        number_bad = False
        try:
            number = parse_integer(number_cell)
        except ValueProblem:
            number_bad = True
        address_given = bool(postcode_text or letter or addition or number_bad) or (
            number is not None
        )
        postcode = ""
        if address_given:
            normalised = dutch.normalise_postcode(postcode_text)
            if normalised is None:
                errors.append(_("Vul een geldige postcode in, bijvoorbeeld 1234 AB."))
            else:
                postcode = normalised
            if number is None or not 0 < number <= 99999:
                errors.append(_("Vul een huisnummer in tussen 1 en 99999."))
            if letter and not dutch.HUISLETTER_RE.match(letter):
                errors.append(_("Een huisletter is één letter."))
            if addition and not dutch.TOEVOEGING_RE.match(addition):
                errors.append(_("Een toevoeging is 1 tot 4 letters of cijfers."))

        wgs84_given = lat is not None or lon is not None
        rd_given = x is not None or y is not None
        kind = ""
        if wgs84_given:
            if lat is None or lon is None:
                errors.append(_("Geef zowel breedtegraad als lengtegraad op."))
            elif not geo.in_netherlands_wgs84(lat, lon):
                errors.append(_("Deze locatie ligt buiten Nederland."))
            kind = LocationKind.POINT
            x = y = None  # WGS84 wins, as in the forms and the API
        elif rd_given:
            if x is None or y is None:
                errors.append(_("Geef zowel de x- als de y-coördinaat (RD) op."))
            elif not geo.in_netherlands_rd(x, y):
                errors.append(_("Deze RD-coördinaten liggen buiten Nederland."))
            kind = LocationKind.POINT
        elif address_given:
            kind = LocationKind.ADDRESS
        elif not any(
            text_of(get(name)) for name in ("lat", "lon", "x", "y")
        ):  # unreadable numbers were reported above
            errors.append(
                _("Er is geen locatie: vul lat en lon, x en y, of postcode en huisnummer in.")
            )
        return _Parsed(
            line=row.line,
            original=row.original,
            external_id=external_id,
            observed_at=observed_at,
            category=category,
            description=description,
            source_reliability=source_reliability,
            info_reliability=info_reliability,
            lat=lat,
            lon=lon,
            x=x,
            y=y,
            postcode=postcode,
            huisnummer=number if postcode else None,
            huisletter=letter if postcode else "",
            toevoeging=addition if postcode else "",
            errors=errors,
            kind=kind,
        )


def _resolve_locations(municipality_id: int, items: list[_Parsed], check_buurt: bool) -> None:
    """Points for every valid row, in bulk: transforms, register lookup, buurt and NL checks."""
    valid = [i for i in items if not i.errors]
    # WGS84 -> RD
    wgs = [i for i in valid if i.lat is not None and i.lon is not None]
    if wgs:
        lons = np.array([i.lon for i in wgs], dtype=float)
        lats = np.array([i.lat for i in wgs], dtype=float)
        xs, ys = geo._to_rd().transform(lons, lats)
        for item, x, y in zip(wgs, np.asarray(xs), np.asarray(ys), strict=True):
            item.x, item.y = float(x), float(y)
    # RD -> WGS84 (and the WGS84 result must lie in NL too, as for a single signal)
    rd = [i for i in valid if i.lat is None and i.x is not None and i.y is not None]
    if rd:
        lat_arr, lon_arr = geo.rd_to_wgs84_arrays(
            np.array([i.x for i in rd], dtype=float), np.array([i.y for i in rd], dtype=float)
        )
        for item, lat, lon in zip(rd, lat_arr, lon_arr, strict=True):
            item.lat, item.lon = float(lat), float(lon)
            if not geo.in_netherlands_wgs84(item.lat, item.lon):
                item.errors.append(_("Deze RD-coördinaten liggen buiten Nederland."))
    # Address only: the register
    by_address = [i for i in valid if i.kind == LocationKind.ADDRESS]
    if by_address:
        keys: list[AddressKey] = [
            (i.postcode, i.huisnummer or 0, i.huisletter, i.toevoeging) for i in by_address
        ]
        found = lookup_addresses(keys)
        for item, key in zip(by_address, keys, strict=True):
            point = found.get(key)
            if point is None:
                item.errors.append(
                    _(
                        "Dit adres staat niet in het adresregister: vul coördinaten in "
                        "(lat en lon, of x en y)."
                    )
                )
            else:
                item.lat, item.lon, item.x, item.y = point.lat, point.lon, point.x, point.y
    # Buurt
    located = [i for i in valid if not i.errors and i.lat is not None]
    if located:
        ids = buurt_ids_at(
            municipality_id,
            np.array([i.lon for i in located], dtype=float),
            np.array([i.lat for i in located], dtype=float),
        )
        for item, pk in zip(located, ids, strict=True):
            if pk:
                item.neighbourhood_id = int(pk)
            elif check_buurt:
                item.errors.append(
                    _(
                        "Deze locatie ligt buiten de gemeente: kies een punt binnen een van de "
                        "buurten."
                    )
                )


def _upsert_values(item: _Parsed) -> tuple[Any, ...]:
    assert item.category is not None and item.observed_at is not None
    x, y = item.x, item.y
    return (
        item.observed_at,
        item.category.pk,
        item.category.life_domain_id,
        item.description,
        item.kind,
        item.lat,
        item.lon,
        round(x, 2) if x is not None else None,
        round(y, 2) if y is not None else None,
        item.postcode,
        item.huisnummer,
        item.huisletter,
        item.toevoeging,
        item.neighbourhood_id,
        math.floor(x / geo.CELL_SIZE_M) if x is not None else None,
        math.floor(y / geo.CELL_SIZE_M) if y is not None else None,
        item.source_reliability,
        item.info_reliability,
    )


class _Writer:
    """Upserts batches of signals of one owner; counts new, changed and identical rows.

    Plain SQL: the rows are compared and written in the database's own representation (on
    SQLite a datetime is the text Django itself writes), without building model instances.
    """

    ANALYZE_AFTER = 20_000

    def __init__(self, organisation: Organisation, actor: User | None) -> None:
        self.organisation = organisation
        self.actor_id = actor.pk if actor is not None else None
        quote = connection.ops.quote_name
        self.table = quote(Signal._meta.db_table)
        self.postgres = connection.vendor == "postgresql"
        self.native_uuid = connection.features.has_native_uuid_field
        self.insert_columns = ", ".join(quote(f) for f in INSERT_FIELDS)
        self.select_columns = ", ".join(quote(f) for f in ("id", "external_id", *UPSERT_FIELDS))
        self.update_sql = (
            f"UPDATE {self.table} SET "
            + ", ".join(f"{quote(f)} = %s" for f in (*UPSERT_FIELDS, "updated_at"))
            + " WHERE id = %s"
        )
        self.inserted_since_analyze = 0
        self.next_analyze = self.ANALYZE_AFTER
        with connection.cursor() as cursor:
            if self.postgres:
                # Fresh statistics, so that the planner looks signals up by the unique index.
                cursor.execute(f"ANALYZE {self.table}")
            else:
                # A larger page cache for this connection: the signal table has many indexes.
                cursor.execute("PRAGMA cache_size = -131072")  # 128 MB

    def _db_datetime(self, value: dt.datetime) -> Any:
        """As the database hands it back: aware UTC on PostgreSQL, naive UTC on SQLite.

        Always in UTC: Python never finds an aware time inside a daylight-saving change
        (Europe/Amsterdam, 02:00-03:00 on the last Sunday of March/October) equal to any time
        of another zone, so comparing local times would count such rows as changed forever.
        """
        utc = value.astimezone(dt.UTC)
        return utc if self.postgres else timezone.make_naive(utc, dt.UTC)

    def _sql_datetime(self, value: Any) -> Any:
        """For writing: on SQLite a (naive UTC) datetime as the text Django itself stores."""
        return value if self.postgres else str(value)

    def _existing(self, cursor: Any, ids: list[str]) -> dict[str, tuple[int, tuple[Any, ...]]]:
        existing: dict[str, tuple[int, tuple[Any, ...]]] = {}
        for start in range(0, len(ids), _QUERY_CHUNK):
            chunk = ids[start : start + _QUERY_CHUNK]
            # The last condition repeats the one of the partial unique index literally, so that
            # SQLite (and PostgreSQL) use that index.
            cursor.execute(
                f"SELECT {self.select_columns} FROM {self.table} "
                f"WHERE owner_organisation_id = %s AND external_id IN ({', '.join(['%s'] * len(chunk))}) "
                "AND NOT (external_id = '')",
                [self.organisation.pk, *chunk],
            )
            for pk, external_id, *values in cursor.fetchall():
                existing[external_id] = (pk, tuple(values))
        return existing

    def write(self, items: list[_Parsed]) -> tuple[int, int, int]:
        if not items:
            return 0, 0, 0
        wanted: dict[str, tuple[Any, ...]] = {}
        confidentiality: dict[str, str] = {}
        for item in items:
            values = _upsert_values(item)
            wanted[item.external_id] = (self._db_datetime(values[0]), *values[1:])
            confidentiality[item.external_id] = item.category.default_confidentiality  # type: ignore[union-attr]
        stamp = self._sql_datetime(self._db_datetime(timezone.now()))
        with transaction.atomic(), connection.cursor() as cursor:
            existing = self._existing(cursor, list(wanted))
            new_rows: list[tuple[Any, ...]] = []
            changed: list[tuple[Any, ...]] = []
            uuids = self.native_uuid
            fixed = (
                self.organisation.municipality_id,
                self.organisation.pk,
                self.actor_id,
                SourceChannel.SYSTEM_IMPORT.value,
            )
            for external_id, values in wanted.items():
                found = existing.get(external_id)
                if found is None:
                    new_uuid = uuid.uuid4()
                    new_rows.append(
                        (
                            new_uuid if uuids else new_uuid.hex,
                            *fixed,
                            external_id,
                            stamp,
                            HandlingCode.H1.value,
                            confidentiality[external_id],
                            Status.OPEN.value,
                            None,
                            stamp,
                            self._sql_datetime(values[0]),
                            *values[1:],
                        )
                    )
                elif found[1] != values:
                    changed.append((self._sql_datetime(values[0]), *values[1:], stamp, found[0]))
            if new_rows:
                self._insert(cursor, new_rows)
            if changed:
                cursor.executemany(self.update_sql, changed)
            self.inserted_since_analyze += len(new_rows)
            if self.postgres and self.inserted_since_analyze >= self.next_analyze:
                cursor.execute(f"ANALYZE {self.table}")
                self.next_analyze *= 2
        return len(new_rows), len(changed), len(wanted) - len(new_rows) - len(changed)

    def _insert(self, cursor: Any, rows: list[tuple[Any, ...]]) -> None:
        if self.postgres:
            # COPY is the fastest way into PostgreSQL; the rows are known to be new (checked in
            # this transaction), and the unique constraint still guards against a race.
            with cursor.cursor.copy(
                f"COPY {self.table} ({self.insert_columns}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(INSERT_FIELDS))
            cursor.executemany(
                f"INSERT INTO {self.table} ({self.insert_columns}) VALUES ({placeholders})", rows
            )


def _batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while batch := list(islice(rows, size)):
        yield batch


def import_signals(
    *,
    path: Path,
    organisation: Organisation,
    mapping: MappingProfile | None = None,
    actor: User | None = None,
    progress: Callable[[int], None] | None = None,
    rejects_path: Path | None = None,
    batch_size: int = 2000,
) -> ImportResult:
    """Import a partner export (CSV or XLSX) as signals owned by `organisation`.

    Raises ReadError (Dutch message) when the file as a whole cannot be read or lacks
    required columns, and ValueError when the mapping belongs to another organisation. Refused
    rows do not stop the import: they go to the rejects file (`FILE.rejects.csv` unless
    `rejects_path` is given). `progress` is called with the number of rows processed so far
    after every batch.
    """
    if mapping is not None and mapping.organisation_id != organisation.pk:
        raise ValueError("mapping profile of another organisation")
    # The rejects file is Dutch whatever the language of the moment, so that a rerun writes
    # exactly the same file.
    with translation.override(settings.LANGUAGE_CODE):
        return _import_signals(
            path=Path(path),
            organisation=organisation,
            mapping=mapping,
            actor=actor,
            progress=progress,
            rejects_path=rejects_path,
            batch_size=batch_size,
        )


def _import_signals(
    *,
    path: Path,
    organisation: Organisation,
    mapping: MappingProfile | None,
    actor: User | None,
    progress: Callable[[int], None] | None,
    rejects_path: Path | None,
    batch_size: int,
) -> ImportResult:
    detected = detect(path)
    plan = plan_columns(detected, mapping)
    municipality_id = organisation.municipality_id
    parser = _RowParser(
        plan,
        CategoryIndex(municipality_id, mapping.category_map if mapping else None),
        mapping.date_format if mapping else "",
        timezone.now(),
    )
    check_buurt = has_buurt_boundaries(municipality_id)
    writer = _Writer(organisation, actor)
    imported = updated = unchanged = processed = 0
    target = rejects_path or default_rejects_path(path)
    with RejectsWriter(target, detected) as rejects:
        for batch in _batches(iter_rows(path, detected), batch_size):
            items = [parser.parse(row) for row in batch]
            _resolve_locations(municipality_id, items, check_buurt)
            good: list[_Parsed] = []
            for item in items:
                if item.errors:
                    rejects.write(item.line, item.original, item.errors)
                else:
                    good.append(item)
            new, changed, same = writer.write(good)
            imported += new
            updated += changed
            unchanged += same
            processed += len(batch)
            if progress is not None:
                progress(processed)
        written = rejects.finish()
        rejected = rejects.count
    result = ImportResult(imported, updated, unchanged, rejected, written)
    audit(
        actor=actor,
        municipality_id=municipality_id,
        action="import",
        obj=organisation,
        changes={
            "file": path.name,
            "mapping": mapping.name if mapping else None,
            "source_channel": SourceChannel.SYSTEM_IMPORT.value,
            "imported": imported,
            "updated": updated,
            "unchanged": unchanged,
            "rejected": rejected,
        },
    )
    return result
