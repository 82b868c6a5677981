"""The web import's job lifecycle: store an upload, cancel it, start it, run it in the background.

The engine (`services.import_signals`) does the work and is idempotent; this module keeps the
ImportJob row in step with it. A job runs on the django-tasks database backend (`wijkregie
db_worker`); tests use the immediate backend.

State of a job:
    pending, started_at empty   uploaded, waiting for the user on the preview page
    pending, started_at set     started by the user, waiting for a worker
    running                     a worker claimed it (exactly one: see `_claim`); it writes a
                                heartbeat with every progress update
    running, heartbeat stale    the worker died (killed, restarted machine): the user may
                                resume it, and the idempotent engine ends with the rows of one
                                clean run (`import_job_resume`)
    done / failed               finished; a cancelled upload is failed with a Dutch error
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid as uuidlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from wijkregie.intake import reading
from wijkregie.intake.models import ImportJob, ImportStatus, MappingProfile
from wijkregie.intake.selectors import job_file_path, media_path
from wijkregie.intake.services import import_signals
from wijkregie.privacy.services import audit
from wijkregie.tenants.access import Viewer
from wijkregie.tenants.models import Organisation

logger = logging.getLogger(__name__)

IMPORT_DIR = "imports"
PROGRESS_EVERY_SECONDS = 0.5
CANCELLED = _("Geannuleerd door de gebruiker; het bestand is verwijderd.")
UNEXPECTED = _(
    "De import is onverwacht gestopt. De signalen die al verwerkt zijn blijven bewaard; "
    "start de import opnieuw met hetzelfde bestand (dubbele signalen ontstaan niet) of neem "
    "contact op met de functioneel beheerder."
)


def _dutch(message: Any) -> str:
    """Stored messages are Dutch, like the data; the screens show them as they are."""
    with translation.override("nl"):
        return str(message)


def _store(upload: UploadedFile, name: str) -> Path:
    path = media_path(f"{IMPORT_DIR}/{name}")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with path.open("xb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    path.chmod(0o600)
    return path


def import_job_create(
    *,
    viewer: Viewer,
    organisation: Organisation,
    upload: UploadedFile,
    file_format: str,
    mapping: MappingProfile | None = None,
) -> ImportJob:
    """Store the upload under MEDIA_ROOT/imports/ with a random name and create a pending job.

    The file is read once (format, encoding, delimiter, headers); when that fails the file is
    removed again and nothing is saved.
    """
    if organisation.pk not in viewer.writer_organisation_ids:
        raise ValidationError(
            {"organisation": _("Kies een organisatie waarvoor u signalen registreert.")}
        )
    if mapping is not None and mapping.organisation_id != organisation.pk:
        raise ValidationError({"mapping": _("Dit importprofiel hoort bij een andere organisatie.")})
    job_uuid = uuidlib.uuid4()
    relative = f"{IMPORT_DIR}/{job_uuid}.{file_format}"
    path = _store(upload, relative.split("/", 1)[1])
    try:
        reading.detect(path)
        with transaction.atomic():
            job = ImportJob(
                uuid=job_uuid,
                municipality_id=viewer.municipality_id,
                organisation=organisation,
                created_by=viewer.user,
                mapping=mapping,
                original_name=Path(upload.name or "").name[:255] or f"import.{file_format}",
                stored_path=relative,
                status=ImportStatus.PENDING,
            )
            job.full_clean()
            job.save()
            audit(
                actor=viewer.user,
                municipality_id=viewer.municipality_id,
                action="intake.upload",
                obj=job,
                changes={
                    "organisation": organisation.slug,
                    "mapping": mapping.name if mapping else "",
                    "original_name": job.original_name,
                    "bytes": upload.size,
                    "format": file_format,
                },
            )
    except reading.ReadError as exc:
        path.unlink(missing_ok=True)
        raise ValidationError({"file": [str(exc)]}) from exc
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return job


@transaction.atomic
def import_job_cancel(*, viewer: Viewer, job: ImportJob) -> ImportJob:
    """Remove the stored file of a job that was not started; the job stays, as failed."""
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.status != ImportStatus.PENDING or locked.started_at is not None:
        raise ValidationError(_("Deze import is al gestart en kan niet meer worden geannuleerd."))
    job_file_path(locked).unlink(missing_ok=True)
    locked.status = ImportStatus.FAILED
    locked.error = _dutch(CANCELLED)
    locked.finished_at = timezone.now()
    locked.save(update_fields=["status", "error", "finished_at"])
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="intake.cancel",
        obj=locked,
    )
    return locked


@transaction.atomic
def import_job_start(*, viewer: Viewer, job: ImportJob) -> tuple[ImportJob, bool]:
    """Queue the job once. Returns (job, queued): a second start of the same job does nothing."""
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.status != ImportStatus.PENDING or locked.started_at is not None:
        return locked, False
    locked.started_at = timezone.now()
    locked.save(update_fields=["started_at"])
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="intake.start",
        obj=locked,
        changes={"original_name": locked.original_name},
    )
    job_uuid = str(locked.uuid)
    transaction.on_commit(lambda: run_import_job.enqueue(job_uuid))
    return locked, True


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "IMPORT_STALE_SECONDS", 300)))


def is_stale(job: ImportJob, now: dt.datetime | None = None) -> bool:
    """A running job whose worker has not reported for longer than IMPORT_STALE_SECONDS."""
    if job.status != ImportStatus.RUNNING:
        return False
    last = job.heartbeat_at or job.started_at
    return last is None or (now or timezone.now()) - last > stale_after()


@transaction.atomic
def import_job_resume(*, viewer: Viewer, job: ImportJob) -> tuple[ImportJob, bool]:
    """Queue a job again whose worker died. Returns (job, queued); a live job is left alone.

    Rows already written stay; the rerun counts them as unchanged and adds the rest, so the
    end result equals one clean run.
    """
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not is_stale(locked):
        return locked, False
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action="intake.resume",
        obj=locked,
        changes={"original_name": locked.original_name, "processed_rows": locked.processed_rows},
    )
    job_uuid = str(locked.uuid)
    transaction.on_commit(lambda: run_import_job.enqueue(job_uuid))
    return locked, True


def _claim(job_uuid: str) -> ImportJob | None:
    """Move a queued job (or one whose worker died) to running. Only one worker wins; a
    retried or doubled task finds the job running or finished and does nothing."""
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(of=("self",))
            .select_related("organisation", "mapping", "created_by")
            .filter(uuid=job_uuid)
            .first()
        )
        if job is None or not (job.status == ImportStatus.PENDING or is_stale(job)):
            return None
        job.status = ImportStatus.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.processed_rows = 0
        job.save(update_fields=["status", "started_at", "heartbeat_at", "processed_rows"])
    # Counted outside the claim: on SQLite the lock would hold every writer back meanwhile.
    total = _count_rows(job)
    if total is not None:
        ImportJob.objects.filter(pk=job.pk).update(total_rows=total)
        job.total_rows = total
    return job


def _count_rows(job: ImportJob) -> int | None:
    try:
        return reading.count_rows(job_file_path(job))
    except Exception:  # a count is only for the progress bar
        logger.warning("could not count the rows of import %s", job.uuid, exc_info=True)
        return None


class _Progress:
    """Write processed_rows to the job at most every half second (and at the end)."""

    def __init__(self, job_pk: int) -> None:
        self.job_pk = job_pk
        self.last = 0.0

    def __call__(self, processed: int) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY_SECONDS:
            return
        self.last = now
        ImportJob.objects.filter(pk=self.job_pk).update(
            processed_rows=processed, heartbeat_at=timezone.now()
        )


def _fail(job: ImportJob, message: str) -> ImportJob:
    job.status = ImportStatus.FAILED
    job.error = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    return job


def import_job_run(*, job_uuid: str) -> ImportJob | None:
    """Run a queued job to the end. Failures end as a failed job with a Dutch message."""
    job = _claim(job_uuid)
    if job is None:
        return None
    rejects = f"{job.stored_path}.rejects.csv"
    try:
        result = import_signals(
            path=job_file_path(job),
            organisation=job.organisation,
            mapping=job.mapping,
            actor=job.created_by,
            progress=_Progress(job.pk),
            rejects_path=media_path(rejects),
        )
    except (reading.ReadError, ValidationError) as exc:
        # The file as a whole cannot be imported; the engine says why, in Dutch.
        logger.warning("import %s refused: %s", job.uuid, exc)
        return _fail(job, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    except Exception:
        logger.exception("import %s failed", job.uuid)
        return _fail(job, _dutch(UNEXPECTED))
    processed = result.imported + result.updated + result.unchanged + result.rejected
    job.status = ImportStatus.DONE
    job.imported, job.updated = result.imported, result.updated
    job.unchanged, job.rejected = result.unchanged, result.rejected
    job.processed_rows = processed
    job.total_rows = processed
    job.rejects_path = rejects if result.rejects_path is not None else ""
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "imported",
            "updated",
            "unchanged",
            "rejected",
            "processed_rows",
            "total_rows",
            "rejects_path",
            "finished_at",
        ]
    )
    return job


@task()
def run_import_job(job_uuid: str) -> None:
    # The rejects file and stored messages are Dutch data, whatever language started the job.
    with translation.override("nl"):
        import_job_run(job_uuid=job_uuid)


def progress_percent(job: ImportJob) -> int | None:
    if job.status == ImportStatus.DONE:
        return 100
    if not job.total_rows:
        return None
    return min(100, int(100 * job.processed_rows / job.total_rows))


__all__ = [
    "import_job_cancel",
    "import_job_create",
    "import_job_resume",
    "import_job_run",
    "import_job_start",
    "is_stale",
    "progress_percent",
    "run_import_job",
]
