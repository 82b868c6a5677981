"""The upload form of the web import; Dutch messages. The file itself is checked here too:
only CSV (text) and XLSX (a zip with a workbook) pass, by content, not by name."""

from __future__ import annotations

import zipfile
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from wijkregie.intake.models import MappingProfile
from wijkregie.tenants.models import Organisation

if TYPE_CHECKING:
    from django.db.models import QuerySet

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
SNIFF_BYTES = 64 * 1024
CSV, XLSX = "csv", "xlsx"


def import_max_bytes() -> int:
    return int(getattr(settings, "IMPORT_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def sniff_format(upload: UploadedFile) -> str | None:
    """ "csv" for text, "xlsx" for an Excel workbook, None for anything else (by content)."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    if not head:
        return None
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        return XLSX if "xl/workbook.xml" in names else None
    if b"\x00" in head:
        return None  # binary (or UTF-16, which partner exports do not use)
    for encoding in ("utf-8", "cp1252"):
        try:
            # A cut in the middle of a multi-byte character is not an error.
            head.decode(encoding, errors="strict" if len(head) < SNIFF_BYTES else "ignore")
        except UnicodeDecodeError:
            continue
        text = head.decode(encoding, errors="ignore")
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
        if printable >= 0.98 * len(text):
            return CSV
    return None


class MappingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        if self.show_organisation:
            return f"{obj.name} ({obj.organisation.name})"
        return str(obj.name)

    show_organisation = False


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Bestand"),
        help_text=_("Een CSV- of Excelbestand (XLSX) met één signaal per regel."),
        error_messages={
            "required": _("Kies een bestand."),
            "empty": _("Het bestand is leeg."),
            "invalid": _("Kies een bestand."),
        },
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Namens organisatie"),
        empty_label=_("— kies een organisatie —"),
        error_messages={
            "required": _("Dit veld is verplicht."),
            "invalid_choice": _("Kies een organisatie waarvoor u signalen registreert."),
        },
    )
    mapping = MappingChoiceField(
        queryset=MappingProfile.objects.none(),
        label=_("Importprofiel"),
        help_text=_("Alleen nodig als de kolommen anders heten dan de standaardkolommen."),
        required=False,
        empty_label=_("— geen: standaardkolommen —"),
        error_messages={"invalid_choice": _("Kies een importprofiel uit de lijst.")},
    )

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation],
        mappings: QuerySet[MappingProfile],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["mapping"].queryset = mappings  # type: ignore[attr-defined]
        self.has_mappings = mappings.exists()
        self.single_organisation = len(organisations) == 1
        self.only_organisation = organisations[0] if self.single_organisation else None
        if self.single_organisation:
            # Nothing to choose: the one organisation, also when the field is not posted.
            self.fields["organisation"].initial = self.only_organisation
            self.fields["organisation"].required = False
            self.fields["organisation"].widget = forms.HiddenInput()
        else:
            mapping_field = self.fields["mapping"]
            assert isinstance(mapping_field, MappingChoiceField)
            mapping_field.show_organisation = True
        self.file_format: str | None = None

    def clean_organisation(self) -> Organisation | None:
        value: Organisation | None = self.cleaned_data.get("organisation")
        return value or self.only_organisation

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = import_max_bytes()
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                _("Het bestand is te groot: hoogstens %(limit)s."),
                code="too_large",
                params={"limit": filesizeformat(limit)},
            )
        self.file_format = sniff_format(upload)
        if self.file_format is None:
            raise forms.ValidationError(
                _(
                    "Dit bestand is geen CSV- of Excelbestand (XLSX). Sla het in het bronsysteem "
                    "of in Excel op als CSV of als Excel-werkmap (.xlsx)."
                ),
                code="format",
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        organisation, mapping = data.get("organisation"), data.get("mapping")
        if (
            organisation is not None
            and mapping is not None
            and mapping.organisation_id != organisation.pk
        ):
            self.add_error("mapping", _("Dit importprofiel hoort bij een andere organisatie."))
        return data
