"""The default case types every municipality starts with (pure data, no ORM).

Used by `services.ensure_default_case_types` and by the data migration, so that existing and
new municipalities get the same set; the beheerder adapts them in the beheer admin.
"""

from __future__ import annotations

from typing import Any

from wijkregie.cases.states import OPEN_PHASES

ALL_PHASES = [p.value for p in OPEN_PHASES]

# Criteria a screening is held against (codes; labels live in models.Criterion).
MULTI_DOMAIN = "meerdere_leefgebieden"
MULTI_ORGANISATION = "meerdere_organisaties"
IMPACT = "impact_omgeving"
REGULAR_CARE_FAILED = "regulier_onvoldoende"
HIGH_IMPACT_CRIME = "high_impact_crime"

DEFAULT_CASE_TYPES: list[dict[str, Any]] = [
    {
        "code": "persoon",
        "name": "Persoonsgerichte aanpak",
        "subject_kind": "person",
        "phases": ALL_PHASES,
        "phase_due_days": {
            "aanmelding": 14,
            "analyse": 28,
            "plan": 28,
            "uitvoering": 180,
            "monitoring": 180,
        },
        "nominating_kinds": [],
        "criteria": [MULTI_DOMAIN, MULTI_ORGANISATION],
        "retention_years": 5,
    },
    {
        "code": "huishouden",
        "name": "Multiprobleemhuishouden",
        "subject_kind": "household",
        "phases": ALL_PHASES,
        "phase_due_days": {
            "aanmelding": 14,
            "analyse": 28,
            "plan": 28,
            "uitvoering": 180,
            "monitoring": 180,
        },
        "nominating_kinds": [],
        "criteria": [MULTI_DOMAIN, MULTI_ORGANISATION, REGULAR_CARE_FAILED],
        "retention_years": 5,
    },
    {
        "code": "top-x",
        "name": "Top X-aanpak",
        "subject_kind": "person",
        "phases": ALL_PHASES,
        "phase_due_days": {
            "aanmelding": 7,
            "analyse": 21,
            "plan": 21,
            "uitvoering": 365,
            "monitoring": 365,
        },
        "nominating_kinds": ["gemeente", "politie"],
        "criteria": [MULTI_ORGANISATION, IMPACT, HIGH_IMPACT_CRIME],
        "retention_years": 5,
    },
    {
        "code": "groep",
        "name": "Groepsaanpak",
        "subject_kind": "group",
        "phases": ALL_PHASES,
        "phase_due_days": {
            "aanmelding": 14,
            "analyse": 28,
            "plan": 28,
            "uitvoering": 180,
            "monitoring": 90,
        },
        "nominating_kinds": [],
        "criteria": [MULTI_ORGANISATION, IMPACT],
        "retention_years": 5,
    },
    {
        "code": "hotspot",
        "name": "Locatie- of hotspotaanpak",
        "subject_kind": "location",
        "phases": ["aanmelding", "analyse", "uitvoering", "monitoring"],
        "phase_due_days": {"aanmelding": 14, "analyse": 28, "uitvoering": 90, "monitoring": 90},
        "nominating_kinds": [],
        "criteria": [IMPACT, MULTI_ORGANISATION],
        "retention_years": 2,
    },
    {
        "code": "gebiedsthema",
        "name": "Gebiedsthema",
        "subject_kind": "area_theme",
        "phases": ["aanmelding", "analyse", "plan", "uitvoering"],
        "phase_due_days": {"aanmelding": 14, "analyse": 56, "plan": 28, "uitvoering": 365},
        "nominating_kinds": ["gemeente"],
        "criteria": [IMPACT],
        "retention_years": 2,
    },
]
