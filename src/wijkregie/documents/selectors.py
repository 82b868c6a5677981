"""Reads for the document pages, always scoped to the viewer (their own documents only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from wijkregie.areas.models import NeighbourhoodKind
from wijkregie.areas.selectors import focus_area_list, neighbourhood_list
from wijkregie.documents import tasks
from wijkregie.documents.models import DocumentStatus, GeneratedDocument
from wijkregie.tenants.access import Viewer

RECENT_DOCUMENTS = 50


def document_list(*, viewer: Viewer) -> QuerySet[GeneratedDocument]:
    """The viewer's own documents in their municipality, newest first."""
    return GeneratedDocument.objects.filter(
        municipality_id=viewer.municipality_id, requested_by_id=viewer.user.pk
    ).order_by("-created_at", "-id")[:RECENT_DOCUMENTS]


def area_choices(*, viewer: Viewer) -> list[tuple[str, list[tuple[str, str]]]]:
    """The areas a report can be about, grouped: focus areas (uuid), wijken and buurten (code)."""
    groups = [
        (
            _("Focusgebieden"),
            [(str(a.uuid), a.name) for a in focus_area_list(viewer=viewer).order_by("name")],
        ),
        (
            _("Wijken"),
            [
                (n.code, f"{n.name} ({n.code})")
                for n in neighbourhood_list(viewer=viewer, kind=NeighbourhoodKind.WIJK)
            ],
        ),
        (
            _("Buurten"),
            [
                (n.code, f"{n.name} ({n.code})")
                for n in neighbourhood_list(viewer=viewer, kind=NeighbourhoodKind.BUURT)
            ],
        ),
    ]
    return [(label, items) for label, items in groups if items]


@dataclass(frozen=True)
class DocumentRow:
    """One line of the list page."""

    document: GeneratedDocument
    start: dt.date | None
    last_day: dt.date | None  # inclusive, as people read a period
    stale: bool

    @property
    def done(self) -> bool:
        return self.document.status == DocumentStatus.DONE

    @property
    def may_retry(self) -> bool:
        return self.document.status == DocumentStatus.FAILED or self.stale


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def document_rows(*, viewer: Viewer) -> list[DocumentRow]:
    rows = []
    for document in document_list(viewer=viewer):
        end = _date(document.parameters.get("end"))
        rows.append(
            DocumentRow(
                document=document,
                start=_date(document.parameters.get("start")),
                last_day=end - dt.timedelta(days=1) if end else None,
                stale=tasks.is_stale(document),
            )
        )
    return rows
