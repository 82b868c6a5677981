"""Writes to the address register: the import of a BAG-style extract."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from wijkregie.addresses.models import Address
from wijkregie.intake.reading import (
    ReadError,
    Row,
    ValueProblem,
    detect,
    iter_rows,
    parse_decimal,
    parse_integer,
    text_of,
)
from wijkregie.intake.rejects import RejectsWriter, default_rejects_path
from wijkregie.lib import dutch, geo
from wijkregie.privacy.services import audit

ADDRESS_COLUMNS = (
    "postcode",
    "huisnummer",
    "huisletter",
    "toevoeging",
    "x",
    "y",
    "verblijfsobject_id",
    "nummeraanduiding_id",
)
BAG_ID_RE = re.compile(r"^\d{1,16}$")
_FIELDS = ("rd_x", "rd_y", "lat", "lon", "verblijfsobject_id", "nummeraanduiding_id")


@dataclass(frozen=True)
class AddressImportResult:
    imported: int
    updated: int
    unchanged: int
    rejected: int
    rejects_path: Path | None

    def summary(self) -> str:
        return (
            f"imported={self.imported} updated={self.updated} "
            f"unchanged={self.unchanged} rejected={self.rejected}"
        )


@dataclass
class _Parsed:
    line: int
    key: tuple[str, int, str, str]
    x: float
    y: float
    vbo: str
    num: str


def _bag_id(value: str, errors: list[str], label: str) -> str:
    """BAG ids are 16 digits; a spreadsheet may have dropped the leading zeros: put them back."""
    if not value:
        return ""
    if not BAG_ID_RE.match(value):
        errors.append(_("%(label)s is geen BAG-id van 16 cijfers.") % {"label": label})
        return ""
    return value.zfill(16)


def _parse(row: Row) -> tuple[_Parsed | None, list[str]]:
    values = row.values
    errors: list[str] = []
    postcode = dutch.normalise_postcode(text_of(values.get("postcode")))
    if postcode is None:
        errors.append(_("Ongeldige postcode."))
    number: int | None = None
    with contextlib.suppress(ValueProblem):
        number = parse_integer(values.get("huisnummer"))
    if number is None or not 0 < number <= 99999:
        errors.append(_("Het huisnummer ontbreekt of ligt niet tussen 1 en 99999."))
    letter = text_of(values.get("huisletter")).upper()
    if letter and not dutch.HUISLETTER_RE.match(letter):
        errors.append(_("Een huisletter is één letter."))
    addition = text_of(values.get("toevoeging")).upper()
    if addition and not dutch.TOEVOEGING_RE.match(addition):
        errors.append(_("Een toevoeging is 1 tot 4 letters of cijfers."))
    x = y = None
    try:
        x = parse_decimal(values.get("x"))
        y = parse_decimal(values.get("y"))
    except ValueProblem:
        pass
    if x is None or y is None:
        errors.append(_("De x- of y-coördinaat ontbreekt of is geen getal."))
    elif not geo.in_netherlands_rd(x, y):
        errors.append(_("Deze RD-coördinaten liggen buiten Nederland."))
    vbo = _bag_id(text_of(values.get("verblijfsobject_id")), errors, "verblijfsobject_id")
    num = _bag_id(text_of(values.get("nummeraanduiding_id")), errors, "nummeraanduiding_id")
    if errors or postcode is None or number is None or x is None or y is None:
        return None, errors
    return _Parsed(row.line, (postcode, number, letter, addition), x, y, vbo, num), []


def import_addresses(
    *,
    path: Path,
    rejects_path: Path | None = None,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> AddressImportResult:
    """Upsert a BAG-style CSV/XLSX into the register; refused rows go to the rejects file.

    Idempotent: a second run of the same file changes nothing. Each batch is its own
    transaction, so a killed run can simply be run again. Raises ReadError for an unreadable
    file or missing columns.
    """
    with translation.override(settings.LANGUAGE_CODE):  # a Dutch rejects file, always
        return _import_addresses(Path(path), rejects_path, batch_size, progress)


def _import_addresses(
    path: Path,
    rejects_path: Path | None,
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> AddressImportResult:
    detected = detect(path)
    missing = [c for c in ("postcode", "huisnummer", "x", "y") if c not in detected.columns]
    if missing:
        raise ReadError(
            _("Verplichte kolommen ontbreken: %(names)s.") % {"names": ", ".join(missing)}
        )
    imported = updated = unchanged = processed = 0
    rows = iter_rows(path, detected)
    with RejectsWriter(rejects_path or default_rejects_path(path), detected) as rejects:
        while batch := list(islice(rows, batch_size)):
            parsed: dict[tuple[str, int, str, str], _Parsed] = {}
            for row in batch:
                item, errors = _parse(row)
                if item is not None and item.key in parsed:
                    errors = [
                        _("Dit adres komt eerder in dit bestand voor (regel %(line)d).")
                        % {"line": parsed[item.key].line}
                    ]
                if errors or item is None:
                    rejects.write(row.line, row.original, errors)
                    continue
                parsed[item.key] = item
            counts = _write_batch(list(parsed.values()))
            imported += counts[0]
            updated += counts[1]
            unchanged += counts[2]
            processed += len(batch)
            if progress is not None:
                progress(processed)
        written = rejects.finish()
        rejected = rejects.count
    result = AddressImportResult(imported, updated, unchanged, rejected, written)
    audit(
        actor=None,
        municipality_id=None,
        action="import",
        object_type="addresses.address",
        object_id=path.name[:100],
        changes={
            "imported": imported,
            "updated": updated,
            "unchanged": unchanged,
            "rejected": rejected,
        },
    )
    return result


def _write_batch(items: list[_Parsed]) -> tuple[int, int, int]:
    if not items:
        return 0, 0, 0
    xs = np.array([i.x for i in items], dtype=float)
    ys = np.array([i.y for i in items], dtype=float)
    lats, lons = geo.rd_to_wgs84_arrays(xs, ys)
    values = {
        item.key: (
            round(item.x, 3),
            round(item.y, 3),
            round(float(lat), 7),
            round(float(lon), 7),
            item.vbo,
            item.num,
        )
        for item, lat, lon in zip(items, lats, lons, strict=True)
    }
    with transaction.atomic():
        existing: dict[tuple[str, int, str, str], Address] = {}
        postcodes = sorted({k[0] for k in values})
        for start in range(0, len(postcodes), 500):
            for row in Address.objects.filter(postcode__in=postcodes[start : start + 500]):
                key = (row.postcode, row.huisnummer, row.huisletter, row.toevoeging)
                if key in values:
                    existing[key] = row
        new: list[Address] = []
        changed: list[Address] = []
        for key, fields in values.items():
            current = existing.get(key)
            if current is None:
                new.append(
                    Address(
                        postcode=key[0],
                        huisnummer=key[1],
                        huisletter=key[2],
                        toevoeging=key[3],
                        **dict(zip(_FIELDS, fields, strict=True)),
                    )
                )
            elif tuple(getattr(current, f) for f in _FIELDS) != fields:
                for name, value in zip(_FIELDS, fields, strict=True):
                    setattr(current, name, value)
                changed.append(current)
        Address.objects.bulk_create(new, batch_size=1000)
        Address.objects.bulk_update(changed, list(_FIELDS), batch_size=500)
    return len(new), len(changed), len(values) - len(new) - len(changed)
