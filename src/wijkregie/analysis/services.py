"""Writes of the analysis app: the import of CBS neighbourhood statistics."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from wijkregie.analysis import cbs
from wijkregie.analysis.models import AreaStatistic
from wijkregie.intake.rejects import RejectsWriter, default_rejects_path
from wijkregie.privacy.services import audit

_FIELDS = ("kind", "residents", "households", "values")


@dataclass(frozen=True)
class AreaStatsImportResult:
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


def import_area_statistics(
    *,
    path: Path,
    year: int | None = None,
    rejects_path: Path | None = None,
    batch_size: int = 2000,
) -> AreaStatsImportResult:
    """Upsert a CBS Kerncijfers export per (code, year); refused rows go to the rejects file.

    The year comes from `year` or, per row, from the column Perioden (`2024JJ00`). A rerun of
    the same file changes nothing; a changed figure updates the row. Each batch is its own
    transaction. Raises ReadError (Dutch) for an unreadable file, a missing code column or
    a missing year.
    """
    if year is not None and not 1900 <= year <= 2100:
        raise cbs.ReadError(_("Het jaar moet tussen 1900 en 2100 liggen."))
    with translation.override(settings.LANGUAGE_CODE):  # a Dutch rejects file, always
        return _import(Path(path), year, rejects_path, batch_size)


def _import(
    path: Path, year: int | None, rejects_path: Path | None, batch_size: int
) -> AreaStatsImportResult:
    plan = cbs.layout(path, year=year)
    imported = updated = unchanged = 0
    seen: dict[tuple[str, int], int] = {}
    rows = cbs.read(path, plan, year=year)
    with RejectsWriter(rejects_path or default_rejects_path(path), plan.detected) as rejects:
        while batch := list(islice(rows, batch_size)):
            items: list[cbs.AreaRow] = []
            for row, item, errors in batch:
                if item is not None and item.key in seen:
                    errors = [
                        _(
                            "Deze regio en dit jaar komen eerder in dit bestand voor (regel %(line)d)."
                        )
                        % {"line": seen[item.key]}
                    ]
                if errors or item is None:
                    rejects.write(row.line, row.original, errors)
                    continue
                seen[item.key] = item.line
                items.append(item)
            counts = _write_batch(items)
            imported += counts[0]
            updated += counts[1]
            unchanged += counts[2]
        written = rejects.finish()
        rejected = rejects.count
    audit(
        actor=None,
        municipality_id=None,
        action="import",
        object_type="analysis.areastatistic",
        object_id=path.name[:100],
        changes={
            "imported": imported,
            "updated": updated,
            "unchanged": unchanged,
            "rejected": rejected,
        },
    )
    return AreaStatsImportResult(imported, updated, unchanged, rejected, written)


def _write_batch(items: list[cbs.AreaRow]) -> tuple[int, int, int]:
    if not items:
        return 0, 0, 0
    wanted = {item.key: item for item in items}
    with transaction.atomic():
        existing: dict[tuple[str, int], AreaStatistic] = {}
        codes = sorted({code for code, _year in wanted})
        years = sorted({y for _code, y in wanted})
        for start in range(0, len(codes), 500):
            chunk = codes[start : start + 500]
            for stat in AreaStatistic.objects.filter(code__in=chunk, year__in=years):
                if (stat.code, stat.year) in wanted:
                    existing[(stat.code, stat.year)] = stat
        new: list[AreaStatistic] = []
        changed: list[AreaStatistic] = []
        for key, item in wanted.items():
            fields = (item.kind, item.residents, item.households, item.values)
            current = existing.get(key)
            if current is None:
                new.append(
                    AreaStatistic(
                        code=item.code, year=item.year, **dict(zip(_FIELDS, fields, strict=True))
                    )
                )
            elif tuple(getattr(current, f) for f in _FIELDS) != fields:
                for name, value in zip(_FIELDS, fields, strict=True):
                    setattr(current, name, value)
                changed.append(current)
        AreaStatistic.objects.bulk_create(new, batch_size=1000)
        AreaStatistic.objects.bulk_update(changed, list(_FIELDS), batch_size=500)
    return len(new), len(changed), len(wanted) - len(new) - len(changed)
