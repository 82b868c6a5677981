"""Who may see an import job: users with a writer role in the job's organisation, nobody else.

Missing and forbidden give the same 404. The job's pages show rows of a partner export
(descriptions, addresses), so every refused attempt is logged, and so is every granted read of
file content (preview, result, rejects download); the progress page and its JSON only show
counts and are not logged when granted.
"""

from __future__ import annotations

import uuid as uuidlib

from django.http import Http404

from wijkregie.intake.models import ImportJob
from wijkregie.privacy.models import AccessAction
from wijkregie.privacy.services import log_access
from wijkregie.tenants.access import Viewer


def may_import(viewer: Viewer) -> bool:
    """A regisseur or partner professional in at least one organisation."""
    return bool(viewer.writer_organisation_ids)


def require_importer(viewer: Viewer) -> Viewer:
    if not may_import(viewer):
        raise Http404
    return viewer


def access_import_job(viewer: Viewer, job_uuid: object, *, purpose: str | None = None) -> ImportJob:
    """The job if the viewer writes signals for its organisation, else 404.

    `purpose`: when given, the granted read is logged (the view shows rows of the file).
    Refused attempts are always logged, whether the job exists or not.
    """
    try:
        parsed = uuidlib.UUID(str(job_uuid))
    except ValueError as exc:
        raise Http404 from exc
    job = (
        ImportJob.objects.filter(
            uuid=parsed,
            municipality_id=viewer.municipality_id,
            organisation_id__in=viewer.writer_organisation_ids,
        )
        .select_related("organisation", "mapping", "created_by")
        .first()
    )
    if job is None:
        log_access(
            viewer=viewer,
            action=AccessAction.READ,
            object_type="importjob",
            object_id=str(parsed),
            granted=False,
            purpose=purpose or "import",
        )
        raise Http404
    if purpose is not None:
        log_access(
            viewer=viewer,
            action=AccessAction.READ,
            object_type="importjob",
            object_id=str(job.uuid),
            granted=True,
            purpose=purpose,
            organisation_id=job.organisation_id,
        )
    return job
