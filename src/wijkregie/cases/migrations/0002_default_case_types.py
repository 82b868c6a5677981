"""Give every existing municipality the default case types (new ones get them through
`cases.services.ensure_default_case_types`, e.g. from the demo)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from wijkregie.cases.defaults import DEFAULT_CASE_TYPES


def create_defaults(apps: Any, schema_editor: Any) -> None:
    Municipality = apps.get_model("tenants", "Municipality")
    CaseType = apps.get_model("cases", "CaseType")
    for municipality in Municipality.objects.all():
        for values in DEFAULT_CASE_TYPES:
            CaseType.objects.get_or_create(
                municipality=municipality, code=values["code"], defaults=dict(values)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("tenants", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
