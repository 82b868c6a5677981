"""The web import: upload, preview, start, progress (with a JSON status), result, rejects.

Only users with a writer role (regisseur, partner professional) in the job's organisation see a
job; everybody else gets the same 404 on every URL. Views stay thin: reads via selectors and
access, writes via the job lifecycle in tasks.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wijkregie.intake import reading, selectors, tasks
from wijkregie.intake.access import access_import_job, require_importer
from wijkregie.intake.forms import UploadForm, import_max_bytes
from wijkregie.intake.models import ImportJob, ImportStatus
from wijkregie.intake.services import plan_columns
from wijkregie.tenants.access import Viewer, require_viewer


def _importer(request: HttpRequest) -> Viewer:
    return require_importer(require_viewer(request.user))


def _is_preview(job: ImportJob) -> bool:
    return job.status == ImportStatus.PENDING and job.started_at is None


def _next_page(job: ImportJob) -> str:
    """Where a job in its current state is shown."""
    if _is_preview(job):
        return reverse("intake:preview", args=[job.uuid])
    if job.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return reverse("intake:result", args=[job.uuid])
    return reverse("intake:progress", args=[job.uuid])


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    viewer = _importer(request)
    form = UploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        organisations=selectors.writer_organisations(viewer=viewer),
        mappings=selectors.mapping_profile_list(viewer=viewer),
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        assert form.file_format is not None
        try:
            job = tasks.import_job_create(
                viewer=viewer,
                organisation=data["organisation"],
                upload=data["file"],
                file_format=form.file_format,
                mapping=data["mapping"],
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            for field, msgs in errors.items():
                for msg in msgs:
                    form.add_error(field if field in form.fields else None, msg)
        else:
            return redirect("intake:preview", job.uuid)
    context = {
        "form": form,
        "jobs": selectors.import_job_list(viewer=viewer),
        "standard_columns": reading.STANDARD_COLUMNS,
        "max_bytes": import_max_bytes(),
    }
    return render(request, "intake/upload.html", context)


@login_required
@require_GET
def preview(request: HttpRequest, job_uuid: str) -> HttpResponse:
    viewer = _importer(request)
    job = access_import_job(viewer, job_uuid, purpose="import-voorbeeld")
    if not _is_preview(job):
        return redirect(_next_page(job))
    error = ""
    result: reading.Preview | None = None
    try:
        result = reading.preview(selectors.job_file_path(job), n=selectors.PREVIEW_ROWS)
    except reading.ReadError as exc:
        error = str(exc)
    context: dict[str, Any] = {"job": job, "error": error, "preview": result}
    if result is not None:
        context["columns"] = selectors.header_mapping(
            detected=result.detected, column_map=job.mapping.column_map if job.mapping else {}
        )
        context["missing"] = selectors.missing_columns(context["columns"])
        try:
            # The engine's own check: required columns and a set of location columns.
            plan_columns(result.detected, job.mapping)
        except reading.ReadError as exc:
            context["column_error"] = str(exc)
    return render(request, "intake/preview.html", context)


@login_required
@require_POST
def start(request: HttpRequest, job_uuid: str) -> HttpResponse:
    viewer = _importer(request)
    job = access_import_job(viewer, job_uuid)
    job, queued = tasks.import_job_start(viewer=viewer, job=job)
    if queued:
        messages.success(request, _("De import is gestart."))
    return redirect(_next_page(job))


@login_required
@require_POST
def resume(request: HttpRequest, job_uuid: str) -> HttpResponse:
    viewer = _importer(request)
    job = access_import_job(viewer, job_uuid)
    job, queued = tasks.import_job_resume(viewer=viewer, job=job)
    if queued:
        messages.success(request, _("De import is hervat."))
    return redirect(_next_page(job))


@login_required
@require_POST
def cancel(request: HttpRequest, job_uuid: str) -> HttpResponse:
    viewer = _importer(request)
    job = access_import_job(viewer, job_uuid)
    try:
        tasks.import_job_cancel(viewer=viewer, job=job)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
        return redirect(_next_page(job))
    messages.success(request, _("De import is geannuleerd en het bestand is verwijderd."))
    return redirect("intake:upload")


def _status_payload(job: ImportJob) -> dict[str, Any]:
    return {
        "status": job.status,
        "statusLabel": str(selectors.status_text(job)),
        "processedRows": job.processed_rows,
        "totalRows": job.total_rows,
        "percent": tasks.progress_percent(job),
        "imported": job.imported,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "rejected": job.rejected,
        "finished": job.status in (ImportStatus.DONE, ImportStatus.FAILED),
        "resultUrl": reverse("intake:result", args=[job.uuid]),
    }


@login_required
@require_GET
def progress(request: HttpRequest, job_uuid: str) -> HttpResponse:
    viewer = _importer(request)
    job = access_import_job(viewer, job_uuid)
    if _is_preview(job) or job.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return redirect(_next_page(job))
    context = {
        "job": job,
        "percent": tasks.progress_percent(job),
        "status_text": selectors.status_text(job),
        "stale": tasks.is_stale(job),
    }
    return render(request, "intake/progress.html", context)


@login_required
@require_GET
def status_json(request: HttpRequest, job_uuid: str) -> JsonResponse:
    viewer = _importer(request)
    job = access_import_job(viewer, job_uuid)
    response = JsonResponse(_status_payload(job))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def result(request: HttpRequest, job_uuid: str) -> HttpResponse:
    viewer = _importer(request)
    job = access_import_job(viewer, job_uuid, purpose="import-resultaat")
    if job.status not in (ImportStatus.DONE, ImportStatus.FAILED):
        return redirect(_next_page(job))
    context = {
        "job": job,
        "rejected_rows": selectors.rejected_rows(job=job),
        "has_rejects_file": selectors.job_rejects_path(job) is not None,
        "rejects_shown": selectors.REJECTS_SHOWN,
    }
    return render(request, "intake/result.html", context)


@login_required
@require_GET
def rejects_download(request: HttpRequest, job_uuid: str) -> FileResponse:
    viewer = _importer(request)
    job = access_import_job(viewer, job_uuid, purpose="import-afgewezen-regels")
    path = selectors.job_rejects_path(job)
    if path is None:
        raise Http404
    stem = job.original_name.rsplit(".", 1)[0] or "import"
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{stem}.rejects.csv",
        content_type="text/csv; charset=utf-8",
    )
