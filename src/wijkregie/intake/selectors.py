"""Reads for the web import, always scoped to the viewer."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from wijkregie.intake.models import ImportJob, ImportStatus, MappingProfile
from wijkregie.intake.reading import (
    STANDARD_COLUMNS,
    Detected,
    ReadError,
    detect,
    normalise_header,
)
from wijkregie.tenants.access import Viewer
from wijkregie.tenants.models import Organisation

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

RECENT_JOBS = 20
REJECTS_SHOWN = 20
PREVIEW_ROWS = 10


def writer_organisations(*, viewer: Viewer) -> QuerySet[Organisation]:
    """The organisations the viewer may import signals for."""
    return Organisation.objects.filter(
        municipality_id=viewer.municipality_id, pk__in=viewer.writer_organisation_ids
    ).order_by("name")


def mapping_profile_list(*, viewer: Viewer) -> QuerySet[MappingProfile]:
    """Saved mapping profiles of the viewer's writer organisations."""
    return (
        MappingProfile.objects.filter(
            municipality_id=viewer.municipality_id,
            organisation_id__in=viewer.writer_organisation_ids,
        )
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


def import_job_list(*, viewer: Viewer, limit: int = RECENT_JOBS) -> list[ImportJob]:
    """Recent imports of the viewer's writer organisations, newest first."""
    return list(
        ImportJob.objects.filter(
            municipality_id=viewer.municipality_id,
            organisation_id__in=viewer.writer_organisation_ids,
        )
        .select_related("organisation", "created_by")
        .order_by("-created_at", "-id")[:limit]
    )


def media_path(relative: str) -> Path:
    """An absolute path under MEDIA_ROOT; refuses anything that would leave it."""
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValueError(relative)
    return path


def job_file_path(job: ImportJob) -> Path:
    return media_path(job.stored_path)


def job_rejects_path(job: ImportJob) -> Path | None:
    if not job.rejects_path:
        return None
    path = media_path(job.rejects_path)
    return path if path.is_file() else None


@dataclass(frozen=True)
class RejectedRow:
    line: str
    reason: str
    values: list[str]


def _column(header: list[str], *names: str) -> int | None:
    lowered = [h.strip().lower().lstrip("\ufeff") for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def rejected_rows(*, job: ImportJob, limit: int = REJECTS_SHOWN) -> list[RejectedRow]:
    """The first rejected rows of a finished job: line number, Dutch reason, original values.

    The rejects file has the columns `regel`, the file's own headers, and `reden`.
    """
    path = job_rejects_path(job)
    if path is None:
        return []
    try:
        detected = detect(path)
    except ReadError:
        return []
    rows: list[RejectedRow] = []
    line_col = _column(list(detected.headers), "regel")
    reason_col = _column(list(detected.headers), "reden")
    with path.open(encoding=detected.encoding or "utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=detected.delimiter or ";")
        next(reader, None)
        for record in reader:
            if len(rows) >= limit:
                break
            line = record[line_col] if line_col is not None and line_col < len(record) else ""
            reason = (
                record[reason_col] if reason_col is not None and reason_col < len(record) else ""
            )
            values = [v for i, v in enumerate(record) if i not in (line_col, reason_col)]
            rows.append(RejectedRow(line=line, reason=reason, values=values))
    return rows


@dataclass(frozen=True)
class HeaderMapping:
    header: str  # as in the file
    column: str  # the standard column it feeds, "" when unknown
    by_profile: bool  # mapped by the chosen import profile (not by its own name)


def header_mapping(*, detected: Detected, column_map: dict[str, str]) -> list[HeaderMapping]:
    """Which standard column each header of the file feeds (pure: no queries)."""
    # The same rule as the engine's plan_columns: a profile rename first, else the name itself.
    renames = {normalise_header(k): normalise_header(v) for k, v in column_map.items()}
    result = []
    for header, normalised in zip(detected.headers, detected.columns, strict=True):
        standard = renames.get(normalised, normalised)
        column = standard if standard in STANDARD_COLUMNS else ""
        result.append(HeaderMapping(header, column, bool(column) and normalised in renames))
    return result


def missing_columns(mapping: list[HeaderMapping]) -> list[str]:
    """Standard columns that no header of the file feeds, in the standard order."""
    present = {m.column for m in mapping}
    return [c for c in STANDARD_COLUMNS if c not in present]


def status_text(job: ImportJob) -> StrOrPromise:
    """The status of a job in words, for the progress page and its live region."""
    if job.status == ImportStatus.PENDING:
        if job.started_at is None:
            return _("Wacht op uw bevestiging.")
        return _("In de wachtrij: de import begint zodra de verwerker vrij is.")
    if job.status == ImportStatus.RUNNING:
        processed = number_format(job.processed_rows, force_grouping=True)
        if job.total_rows:
            total = number_format(job.total_rows, force_grouping=True)
            return _("Bezig: %(processed)s van %(total)s regels verwerkt.") % {
                "processed": processed,
                "total": total,
            }
        return _("Bezig: %(processed)s regels verwerkt.") % {"processed": processed}
    if job.status == ImportStatus.DONE:
        return _("Klaar.")
    return _("Mislukt.")
