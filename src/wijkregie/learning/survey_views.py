"""Upload of resident-survey scores by the functioneel beheerder (the CSV or XLSX of
`wijkregie import-survey`, through the same service `analysis.survey_services.survey_import`).
The scores feed the subjective part of the area index and the public neighbourhood pages."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from wijkregie.analysis.survey_services import COLUMNS, survey_import
from wijkregie.intake.reading import ReadError
from wijkregie.tenants.access import require_beheerder
from wijkregie.tenants.models import Municipality

MAX_SURVEY_BYTES = 5 * 1024 * 1024
SUFFIXES = (".csv", ".txt", ".xlsx")


class SurveyUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Bestand met enquêtescores (CSV of XLSX)"),
        help_text=_("Kolommen: gebiedscode;jaar;vraag;score;respondenten"),
    )
    year = forms.IntegerField(
        label=_("Jaar (als de kolom jaar ontbreekt)"),
        required=False,
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_SURVEY_BYTES:
            raise forms.ValidationError(_("Het bestand is te groot (hoogstens 5 MB)."))
        if Path(upload.name or "").suffix.lower() not in SUFFIXES:
            raise forms.ValidationError(_("Kies een CSV- of XLSX-bestand."))
        return upload


@login_required
@require_http_methods(["GET", "POST"])
def survey_upload(request: HttpRequest) -> HttpResponse:
    viewer = require_beheerder(request.user)
    form = SurveyUploadForm(request.POST or None, request.FILES or None)
    rejected: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        municipality = Municipality.objects.get(pk=viewer.municipality_id)
        suffix = Path(upload.name).suffix.lower()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"enquete{suffix}"
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                result = survey_import(
                    actor=request.user,
                    municipality=municipality,
                    path=path,
                    year=form.cleaned_data["year"],
                )
            except ReadError as exc:
                form.add_error("file", str(exc))
                result = None
        if result is not None:
            rejected = [str(r) for r in result.rejected[:50]]
            messages.success(
                request,
                gettext(
                    "Enquête ingelezen: %(i)d nieuw, %(u)d bijgewerkt, %(n)d ongewijzigd, "
                    "%(r)d regels geweigerd."
                )
                % {
                    "i": result.imported,
                    "u": result.updated,
                    "n": result.unchanged,
                    "r": len(result.rejected),
                },
            )
            if not rejected:
                return redirect("learning:survey-upload")
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return render(
        request,
        "learning/survey_upload.html",
        {"form": form, "rejected": rejected, "columns": ";".join(COLUMNS)},
        status=status,
    )
