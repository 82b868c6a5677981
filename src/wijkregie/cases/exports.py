"""A case as a ZGW-style JSON document (Zaken API shape), for a later hand-over to a Zaken API.

The shape follows the field names of the VNG Zaken API (ZAAK, STATUS, ROL, RESULTAAT) so that
a hand-over component can post the parts to a real zaakregistratiecomponent; it is not itself
a Zaken API (no Catalogi API exists here, so `zaaktype`, `statustype`, `roltype` and
`resultaattype` are stable URN references that the hand-over maps onto catalogue URLs, and
`bronorganisatie` - an RSIN - is filled in by the hand-over).

Privacy (ADR 0020):
- Only an active participant who is not pseudonymised may export (no break-the-glass: an
  export is a copy, not a look); everyone else gets the same 404 as for a missing case.
- Participants appear as roles of their ORGANISATION (`organisatorische_eenheid`, with the
  organisation's slug and name) and the case role; no staff names.
- Subjects appear only as pseudonymous references (`urn:wijkregie:<cbs>:betrokkene:<pseudonym>`)
  with `betrokkeneType` `natuurlijk_persoon`, for subjects of kind person only; households,
  groups and places are not natural persons and would be `zaakobjecten`, which this export
  does not fill yet. Never a BSN, name, birth date or address.
- `resultaat.doelen` (outcome per life domain) and `resultaat.overdrachtAan` are Wijkregie
  extensions of RESULTAAT (the Zaken API has no place for an evaluation); a hand-over puts
  them in `toelichting` or drops them.
- Every export is an AccessEvent with action `E` (export) on the case.

`zgw_case` is pure apart from reading the case's own rows.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone

from wijkregie.cases.access import CaseAccess, access_case, parse_uuid
from wijkregie.cases.closure import latest_evaluation
from wijkregie.cases.models import (
    Case,
    CaseSubject,
    Confidentiality,
    Participant,
    PhaseChange,
)
from wijkregie.cases.states import PHASE_LABELS
from wijkregie.privacy.models import AccessAction
from wijkregie.privacy.services import log_access
from wijkregie.subjects.models import SubjectKind
from wijkregie.tenants.access import Viewer

EXPORT_PURPOSE = "zgw-export"
OMSCHRIJVING_MAX = 80  # Zaken API: zaak.omschrijving maxLength
IDENTIFICATIE_MAX = 40  # Zaken API: zaak.identificatie maxLength

# Our confidentiality -> ZGW vertrouwelijkheidaanduiding (a case is never public).
VERTROUWELIJKHEID = {
    Confidentiality.NORMAAL: "vertrouwelijk",
    Confidentiality.VERTROUWELIJK: "zeer_geheim",
}
ZGW_VERTROUWELIJKHEID = [
    "openbaar",
    "beperkt_openbaar",
    "intern",
    "zaakvertrouwelijk",
    "vertrouwelijk",
    "confidentieel",
    "geheim",
    "zeer_geheim",
]
ZGW_BETROKKENE_TYPES = [
    "natuurlijk_persoon",
    "niet_natuurlijk_persoon",
    "vestiging",
    "organisatorische_eenheid",
    "medewerker",
]


def urn(case: Case, kind: str, value: str) -> str:
    """A stable reference within the municipality, e.g. urn:wijkregie:GM9999:zaaktype:persoon."""
    return f"urn:wijkregie:{case.municipality.cbs_code}:{kind}:{value}"


def access_case_export(viewer: Viewer, case_uuid: object, *, purpose: str) -> CaseAccess:
    """The case for an export or a printable plan: active, non-pseudonymised participants only.

    Everyone else (non-participant, break-the-glass reader, analyst, other municipality) gets
    404 like a missing case; the refusal is logged as a denied export.
    """
    parsed = parse_uuid(case_uuid)
    if parsed is None:
        raise Http404
    if viewer.pseudonymised:
        log_access(
            viewer=viewer,
            action=AccessAction.EXPORT,
            object_type="case",
            object_id=str(parsed),
            granted=False,
            purpose=purpose,
            detail="pseudonymised",
        )
        raise Http404
    # write=True: never through break-the-glass (logs the read or the refusal itself).
    return access_case(viewer, parsed, purpose=purpose, write=True)


def log_export(viewer: Viewer, access: CaseAccess, *, purpose: str, detail: str) -> None:
    assert access.participant is not None
    log_access(
        viewer=viewer,
        action=AccessAction.EXPORT,
        object_type="case",
        object_id=str(access.case.uuid),
        granted=True,
        purpose=purpose,
        organisation_id=access.participant.organisation_id,
        detail=detail,
    )


def _date(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _datetime(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def zgw_case(case: Case) -> dict[str, Any]:
    """The case in the ZGW shape: {"zaak", "statussen", "rollen", "resultaat"}."""
    case = Case.objects.select_related("case_type", "municipality").get(pk=case.pk)
    zaak_ref = urn(case, "zaak", str(case.uuid))
    history = list(PhaseChange.objects.filter(case=case).order_by("at", "id"))
    statussen = [
        {
            "zaak": zaak_ref,
            "statustype": urn(case, "statustype", f"{case.case_type.code}:{h.to_phase}"),
            "datumStatusGezet": _datetime(h.at),
            "statustoelichting": str(PHASE_LABELS.get(h.to_phase, h.to_phase)),
        }
        for h in history
    ]
    rollen: list[dict[str, Any]] = []
    seen: set[tuple[int, str]] = set()
    participants = Participant.objects.filter(case=case).select_related("organisation")
    for p in participants.order_by("added_at", "id"):
        key = (p.organisation_id, p.role)
        if key in seen:
            continue  # one role per organisation and case role (no staff names)
        seen.add(key)
        active = participants.filter(
            organisation_id=p.organisation_id, role=p.role, removed_at=None
        ).exists()
        rollen.append(
            {
                "zaak": zaak_ref,
                "betrokkene": urn(case, "organisatie", p.organisation.slug),
                "betrokkeneType": "organisatorische_eenheid",
                "roltype": urn(case, "roltype", p.role),
                "roltoelichting": str(p.get_role_display()) + ("" if active else " (beëindigd)"),
                "betrokkeneIdentificatie": {
                    "identificatie": p.organisation.slug,
                    "naam": p.organisation.name,
                },
            }
        )
    subjects = CaseSubject.objects.filter(case=case).select_related("subject").order_by("id")
    for row in subjects:
        if row.subject.kind != SubjectKind.PERSON:
            continue
        rollen.append(
            {
                "zaak": zaak_ref,
                "betrokkene": urn(case, "betrokkene", row.subject.pseudonym),
                "betrokkeneType": "natuurlijk_persoon",
                "roltype": urn(case, "roltype", "betrokkene"),
                "roltoelichting": "Betrokkene (pseudoniem)",
                "betrokkeneIdentificatie": {},
            }
        )
    resultaat: dict[str, Any] | None = None
    if case.is_closed and case.result_code:
        evaluation = latest_evaluation(case)
        resultaat = {
            "zaak": zaak_ref,
            "resultaattype": urn(case, "resultaattype", case.result_code),
            "toelichting": case.result[:1000],
        }
        if evaluation is not None:
            resultaat["doelen"] = [
                {"leefgebied": g["life_domain"], "uitkomst": g["outcome"]}
                for g in evaluation.goal_outcomes
            ]
            if evaluation.handover_organisation_id is not None:
                resultaat["overdrachtAan"] = urn(
                    case,
                    "organisatie",
                    evaluation.handover_organisation.slug,  # type: ignore[union-attr]
                )
    title = case.title
    zaak = {
        "identificatie": case.reference[:IDENTIFICATIE_MAX],
        "omschrijving": title[:OMSCHRIJVING_MAX],
        "zaaktype": urn(case, "zaaktype", case.case_type.code),
        "registratiedatum": _date(timezone.localdate(case.created_at)),
        "startdatum": _date(timezone.localdate(history[0].at if history else case.created_at)),
        "einddatum": _date(timezone.localdate(case.closed_at) if case.closed_at else None),
        "einddatumGepland": _date(case.phase_due),
        "vertrouwelijkheidaanduiding": VERTROUWELIJKHEID.get(
            Confidentiality(case.confidentiality), "vertrouwelijk"
        ),
        "archiefnominatie": "vernietigen",
        "archiefactiedatum": _date(case.retain_until),
        "uuid": str(case.uuid),
        "url": zaak_ref,
    }
    return {"zaak": zaak, "statussen": statussen, "rollen": rollen, "resultaat": resultaat}


# The shape above as a JSON schema (draft 2020-12) with the Zaken API's field names; the tests
# validate every export against it.
ZGW_CASE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Wijkregie case in ZGW Zaken API shape",
    "type": "object",
    "required": ["zaak", "statussen", "rollen", "resultaat"],
    "additionalProperties": False,
    "$defs": {
        "ref": {"type": "string", "pattern": "^urn:wijkregie:[A-Z0-9]+:[a-z]+:.+$"},
        "date": {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "nullable_date": {"anyOf": [{"$ref": "#/$defs/date"}, {"type": "null"}]},
    },
    "properties": {
        "zaak": {
            "type": "object",
            "additionalProperties": False,
            "required": [
                "identificatie",
                "omschrijving",
                "zaaktype",
                "startdatum",
                "einddatum",
                "vertrouwelijkheidaanduiding",
            ],
            "properties": {
                "identificatie": {"type": "string", "minLength": 1, "maxLength": 40},
                "omschrijving": {"type": "string", "maxLength": 80},
                "zaaktype": {"$ref": "#/$defs/ref"},
                "registratiedatum": {"$ref": "#/$defs/date"},
                "startdatum": {"$ref": "#/$defs/date"},
                "einddatum": {"$ref": "#/$defs/nullable_date"},
                "einddatumGepland": {"$ref": "#/$defs/nullable_date"},
                "vertrouwelijkheidaanduiding": {"enum": ZGW_VERTROUWELIJKHEID},
                "archiefnominatie": {"enum": ["blijvend_bewaren", "vernietigen"]},
                "archiefactiedatum": {"$ref": "#/$defs/nullable_date"},
                "uuid": {"type": "string", "format": "uuid"},
                "url": {"$ref": "#/$defs/ref"},
            },
        },
        "statussen": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["zaak", "statustype", "datumStatusGezet"],
                "properties": {
                    "zaak": {"$ref": "#/$defs/ref"},
                    "statustype": {"$ref": "#/$defs/ref"},
                    "datumStatusGezet": {"type": "string", "format": "date-time"},
                    "statustoelichting": {"type": "string", "maxLength": 1000},
                },
            },
        },
        "rollen": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["zaak", "betrokkeneType", "roltype", "roltoelichting"],
                "properties": {
                    "zaak": {"$ref": "#/$defs/ref"},
                    "betrokkene": {"$ref": "#/$defs/ref"},
                    "betrokkeneType": {"enum": ZGW_BETROKKENE_TYPES},
                    "roltype": {"$ref": "#/$defs/ref"},
                    "roltoelichting": {"type": "string", "maxLength": 1000},
                    "betrokkeneIdentificatie": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "identificatie": {"type": "string"},
                            "naam": {"type": "string"},
                        },
                    },
                },
            },
        },
        "resultaat": {
            "anyOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["zaak", "resultaattype"],
                    "properties": {
                        "zaak": {"$ref": "#/$defs/ref"},
                        "resultaattype": {"$ref": "#/$defs/ref"},
                        "toelichting": {"type": "string", "maxLength": 1000},
                        "doelen": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["leefgebied", "uitkomst"],
                                "properties": {
                                    "leefgebied": {"type": "string"},
                                    "uitkomst": {"enum": ["bereikt", "deels", "niet_bereikt"]},
                                },
                            },
                        },
                        "overdrachtAan": {"$ref": "#/$defs/ref"},
                    },
                },
            ]
        },
    },
}
