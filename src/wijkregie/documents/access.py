"""Who may see a generated document: the user who requested it, in the same municipality.

Nobody else (not a colleague, not the regisseur, not another municipality): a report holds the
figures as its requester was allowed to see them, which for a need-to-know viewer includes
small counts. Missing and forbidden give the same 404; refused attempts are logged, and so is
every granted download (`purpose`).

Requesting a document needs a signal-reading role (regisseur, analist, partner professional):
the figures are counts of visible signals, and a viewer without that role sees none.
"""

from __future__ import annotations

import uuid as uuidlib

from django.http import Http404

from wijkregie.documents.models import DocumentKind, GeneratedDocument
from wijkregie.privacy.models import AccessAction
from wijkregie.privacy.services import log_access
from wijkregie.tenants.access import Viewer

OBJECT_TYPE = "generateddocument"


def may_request_documents(viewer: Viewer) -> bool:
    return viewer.reads_signals


def require_document_viewer(viewer: Viewer) -> Viewer:
    """Viewers without a signal-reading role get 404 on every document page."""
    if not may_request_documents(viewer):
        raise Http404
    return viewer


def access_document(
    viewer: Viewer,
    document_uuid: object,
    *,
    purpose: str | None = None,
    action: str = AccessAction.READ,
) -> GeneratedDocument:
    """The viewer's own document, else 404 (missing, another user's, another municipality's).

    `purpose`: when given, the granted read is logged (a download). Refusals are always logged.
    """
    try:
        parsed = uuidlib.UUID(str(document_uuid))
    except ValueError as exc:
        raise Http404 from exc
    document = (
        GeneratedDocument.objects.filter(
            uuid=parsed, municipality_id=viewer.municipality_id, requested_by_id=viewer.user.pk
        ).first()
        # A requester who has since lost the role loses their reports too.
        if may_request_documents(viewer)
        else None
    )
    if document is not None and document.kind == DocumentKind.CASE_PLAN:
        # A case's plan: only while the requester still takes part in the case (ADR 0020).
        from wijkregie.cases.plan_pdf import still_participates

        if not still_participates(viewer, document):
            document = None
    if document is None:
        log_access(
            viewer=viewer,
            action=action,
            object_type=OBJECT_TYPE,
            object_id=str(parsed),
            granted=False,
            purpose=purpose or "rapportage",
        )
        raise Http404
    if purpose is not None:
        log_access(
            viewer=viewer,
            action=action,
            object_type=OBJECT_TYPE,
            object_id=str(document.uuid),
            granted=True,
            purpose=purpose,
            detail=f"{document.kind} {document.area_code}",
        )
    return document
