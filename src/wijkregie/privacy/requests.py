"""Requests of data subjects (AVG art. 15-18, 21), handled by the privacy officer (ADR 0017).

- `find_subject`: the person (by BSN or pseudonym) or address (by postcode and number).
- `register_request`, `decide`: the register; every decision with its reasoning (audit row).
- `inzage_export`: everything about one person or address, without other people's data; each
  export is an access event (action export).
- `rectify_record`: correct a person record's names or birth date.
- `restrict` / `lift_restriction`: art. 18 (and a granted objection, art. 21).
- `erase`: art. 17: the person (or address) leaves every list, search, map and count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from wijkregie.cases.models import Case, CaseSignal, CaseSubject, Screening
from wijkregie.privacy import retention
from wijkregie.privacy.models import (
    AccessAction,
    AccessEvent,
    DataSubjectRequest,
    ErasureMode,
    RequestKind,
    RequestStatus,
    Restriction,
)
from wijkregie.privacy.services import audit, log_access
from wijkregie.signals.models import Attachment, Signal, SignalStatusChange
from wijkregie.subjects.access import cluster_ids, root_of
from wijkregie.subjects.models import (
    LinkConstraint,
    LinkProposal,
    PersonRecord,
    SignalSubject,
    Subject,
    SubjectEvent,
    SubjectKind,
    SubjectMember,
)
from wijkregie.tenants.access import Viewer
from wijkregie.tenants.models import Organisation

PURPOSE = "verzoek-betrokkene"
# Fields of a signal that identify or describe people: erased when a signal is kept anonymised.
SIGNAL_PERSONAL_FIELDS = {
    "description": "",
    "postcode": "",
    "huisnummer": None,
    "huisletter": "",
    "huisnummertoevoeging": "",
    "lat": None,
    "lon": None,
    "rd_x": None,
    "rd_y": None,
    "external_id": "",
}


# --- Finding the subject -----------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectQuery:
    pseudonym: str = ""
    bsn: str = ""
    postcode: str = ""
    huisnummer: int | None = None
    huisletter: str = ""
    huisnummertoevoeging: str = ""


def find_subject(*, viewer: Viewer, query: SubjectQuery) -> Subject | None:
    """The person or address the request is about (the root of its merge cluster), or None."""
    from wijkregie.subjects.services import AddressInput, bsn_token, normalise_address

    subjects = Subject.objects.filter(municipality_id=viewer.municipality_id)
    found: Subject | None = None
    if query.pseudonym:
        found = subjects.filter(pseudonym=query.pseudonym.strip().upper()).first()
    elif query.bsn:
        token = bsn_token(viewer.municipality_id, query.bsn)
        if token:
            found = subjects.filter(kind=SubjectKind.PERSON, bsn_token=token).first()
            if found is None:
                record = PersonRecord.objects.filter(
                    municipality_id=viewer.municipality_id, bsn_token=token
                ).first()
                found = record.person if record is not None else None
    elif query.postcode:
        address, errors = normalise_address(
            AddressInput(
                query.postcode, query.huisnummer, query.huisletter, query.huisnummertoevoeging
            )
        )
        if address is not None and not errors:
            found = subjects.filter(kind=SubjectKind.ADDRESS, address_key=address.key).first()
    return root_of(found) if found is not None else None


# --- The register ------------------------------------------------------------------------------


def _next_reference(municipality_id: int, year: int) -> str:
    prefix = f"AVG-{year}-"
    last = (
        DataSubjectRequest.objects.filter(
            municipality_id=municipality_id, reference__startswith=prefix
        )
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def register_request(
    *,
    viewer: Viewer,
    kind: str,
    subject: Subject,
    received_on: dt.date,
    requester_reference: str = "",
) -> DataSubjectRequest:
    with transaction.atomic():
        request = DataSubjectRequest.objects.create(
            municipality_id=viewer.municipality_id,
            reference=_next_reference(viewer.municipality_id, received_on.year),
            kind=kind,
            subject=subject,
            subject_kind=subject.kind,
            subject_pseudonym=subject.pseudonym,
            requester_reference=requester_reference,
            received_on=received_on,
            created_by=viewer.user,
        )
        audit(
            actor=viewer.user,
            municipality_id=viewer.municipality_id,
            action="dsr_register",
            obj=request,
            changes={"kind": [None, kind], "subject": [None, subject.pseudonym]},
        )
    return request


def decide(
    *,
    viewer: Viewer,
    request: DataSubjectRequest,
    status: str,
    reason: str,
    erasure_mode: str = "",
) -> DataSubjectRequest:
    """Record the officer's decision and its reasoning (the reasoning is not in the audit log:
    it may name people; the audit row says that it was decided, by whom and how)."""
    if request.kind != RequestKind.ERASURE:
        erasure_mode = ""
    elif status in (RequestStatus.GRANTED, RequestStatus.PARTLY) and not erasure_mode:
        erasure_mode = ErasureMode.ANONYMISE
    with transaction.atomic():
        old = request.status
        request.status = status
        request.decision_reason = reason
        request.erasure_mode = erasure_mode
        request.decided_by = viewer.user
        request.decided_at = timezone.now()
        request.save()
        audit(
            actor=viewer.user,
            municipality_id=viewer.municipality_id,
            action="dsr_decide",
            obj=request,
            changes={"status": [old, status], "erasure_mode": [None, erasure_mode or None]},
        )
    return request


def _carried_out(viewer: Viewer, request: DataSubjectRequest, changes: dict[str, Any]) -> None:
    request.carried_out_at = timezone.now()
    request.save(update_fields=["carried_out_at"])
    audit(
        actor=viewer.user,
        municipality_id=viewer.municipality_id,
        action=f"dsr_{request.kind}",
        obj=request,
        changes=changes,
    )


# --- Inzage (art. 15) --------------------------------------------------------------------------


def _address(obj: Any) -> str:
    if not getattr(obj, "postcode", ""):
        return ""
    number = f"{obj.huisnummer or ''}{obj.huisletter}"
    if obj.huisnummertoevoeging:
        number += f"-{obj.huisnummertoevoeging}"
    return f"{obj.postcode[:4]} {obj.postcode[4:]} {number}".strip()


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return str(value.isoformat())


def subject_ids_of(subject: Subject) -> list[int]:
    return cluster_ids(root_of(subject))


def inzage_export(*, viewer: Viewer, request: DataSubjectRequest) -> dict[str, Any]:
    """Everything about the request's person or address, and who read it when; logged.

    Other people's data stay out: only the person's own records, the signals linked to the
    person (not their other subjects), cases only by number and type, groups and households
    only by pseudonym. Free text of signals is included as it is about the person; the officer
    checks it for third parties before handing it over (art. 15(4))."""
    subject = request.subject
    if subject is None:
        raise Subject.DoesNotExist
    ids = subject_ids_of(subject)
    cluster = list(Subject.objects.filter(pk__in=ids).order_by("pk"))
    organisations = dict(
        Organisation.objects.filter(municipality_id=viewer.municipality_id).values_list(
            "pk", "name"
        )
    )
    records = list(
        PersonRecord.objects.filter(person_id__in=ids)
        .select_related("signal")
        .order_by("created_at", "pk")
    )
    links = list(
        SignalSubject.objects.filter(subject_id__in=ids)
        .select_related("signal__category", "signal__life_domain", "signal__neighbourhood")
        .order_by("signal__observed_at", "pk")
    )
    signals: list[dict[str, Any]] = []
    seen: set[int] = set()
    for link in links:
        if link.signal_id in seen:
            continue
        seen.add(link.signal_id)
        s = link.signal
        signals.append(
            {
                "id": str(s.uuid),
                "organisatie": organisations.get(s.owner_organisation_id, ""),
                "categorie": s.category.name,
                "leefgebied": s.life_domain.name,
                "waargenomen": _iso(s.observed_at),
                "geregistreerd": _iso(s.registered_at),
                "status": s.status,
                "rol": link.role,
                "gekoppeld_op": _iso(link.added_at),
                "omschrijving": s.description,
                "adres": _address(s),
                "buurt": s.neighbourhood.name if s.neighbourhood else "",
            }
        )
    memberships = [
        {"pseudoniem": m.subject.pseudonym, "soort": m.subject.kind, "sinds": _iso(m.added_at)}
        for m in SubjectMember.objects.filter(person_id__in=ids).select_related("subject")
    ]
    households = []
    if subject.kind == SubjectKind.ADDRESS:
        households = [
            {"pseudoniem": h.pseudonym, "soort": h.kind}
            for h in Subject.objects.filter(dwelling_id__in=ids, kind=SubjectKind.HOUSEHOLD)
        ]
    case_ids = set(CaseSubject.objects.filter(subject_id__in=ids).values_list("case_id", flat=True))
    case_ids |= set(CaseSignal.objects.filter(signal_id__in=seen).values_list("case_id", flat=True))
    cases = [
        {
            "casusnummer": c.reference,
            "casustype": c.case_type.name,
            "fase": c.phase,
            "aangemaakt": _iso(c.created_at),
            "afgesloten": _iso(c.closed_at),
            "bewaren_tot": _iso(c.retain_until),
        }
        for c in Case.objects.filter(pk__in=case_ids).select_related("case_type").order_by("pk")
    ]
    object_ids = [str(s.uuid) for s in cluster] + [str(r.uuid) for r in records]
    object_ids += [sig["id"] for sig in signals]
    reads = AccessEvent.objects.filter(municipality_id=viewer.municipality_id).filter(
        Q(subject_pseudonym__in=[s.pseudonym for s in cluster]) | Q(object_id__in=object_ids)
    )
    # Who: the organisation on whose behalf it was read, not the employee (CJEU C-579/21).
    access = [
        {
            "tijdstip": _iso(e.at),
            "organisatie": organisations.get(e.organisation_id or 0, ""),
            "handeling": e.get_action_display(),
            "gegeven": e.object_type,
            "doel": e.purpose,
            "uitkomst": e.outcome,
        }
        for e in reads.order_by("at", "id")
    ]
    restrictions = [
        {"sinds": _iso(r.started_at), "opgeheven": _iso(r.lifted_at)}
        for r in Restriction.objects.filter(subject_id__in=ids).order_by("started_at")
    ]
    data = {
        "verzoek": {
            "kenmerk": request.reference,
            "soort": request.kind,
            "ontvangen": _iso(request.received_on),
        },
        "gemaakt_op": _iso(timezone.now()),
        "betrokkene": {"pseudoniem": root_of(subject).pseudonym, "soort": subject.kind},
        "adres": _address(root_of(subject)) if subject.kind == SubjectKind.ADDRESS else "",
        "persoonsregistraties": [
            {
                "id": str(r.uuid),
                "organisatie": organisations.get(r.owner_organisation_id, ""),
                "voornamen": r.given_names,
                "tussenvoegsel": r.surname_prefix,
                "achternaam": r.surname,
                "geboortedatum": _iso(r.birth_date),
                "adres": _address(r),
                "signaal": str(r.signal.uuid) if r.signal is not None else None,
                "geregistreerd": _iso(r.created_at),
            }
            for r in records
        ],
        "signalen": signals,
        "groepen_en_huishoudens": memberships + households,
        "casussen": cases,
        "geschiedenis": [
            {"gebeurtenis": e.kind, "tijdstip": _iso(e.at)}
            for e in SubjectEvent.objects.filter(subject_id__in=ids).order_by("at", "id")
        ],
        "beperkingen": restrictions,
        "inzagen": access,
    }
    log_access(
        viewer=viewer,
        action=AccessAction.EXPORT,
        object_type="inzage-export",
        object_id=str(request.uuid),
        granted=True,
        purpose=PURPOSE,
        subject_pseudonym=root_of(subject).pseudonym,
        detail=(
            f"{request.reference} registraties={len(records)} signalen={len(signals)} "
            f"casussen={len(cases)} inzagen={len(access)}"
        ),
    )
    return data


# --- Rectification (art. 16) -------------------------------------------------------------------

RECTIFIABLE = ("given_names", "surname_prefix", "surname", "birth_date")


def rectify_record(
    *, viewer: Viewer, request: DataSubjectRequest, record: PersonRecord, values: dict[str, Any]
) -> PersonRecord:
    """Correct a person record of the request's person (names, birth date); the audit row
    names the changed fields only. The linker's keys are rebuilt."""
    from wijkregie.subjects.services import _store_keys

    if request.subject is None or record.person_id not in subject_ids_of(request.subject):
        raise PersonRecord.DoesNotExist
    changed = [f for f in RECTIFIABLE if f in values and getattr(record, f) != values[f]]
    with transaction.atomic():
        for name in changed:
            setattr(record, name, values[name])
        if changed:
            record.save(update_fields=changed)
            record.blocking_keys.all().delete()
            _store_keys(record)
        _carried_out(viewer, request, {"record": [None, str(record.uuid)], "fields": changed})
    return record


# --- Restriction (art. 18) and objection (art. 21) ---------------------------------------------


def restrict(*, viewer: Viewer, request: DataSubjectRequest, reason: str) -> list[Restriction]:
    if request.subject is None:
        raise Subject.DoesNotExist
    ids = subject_ids_of(request.subject)
    with transaction.atomic():
        already = set(
            Restriction.objects.filter(subject_id__in=ids, lifted_at__isnull=True).values_list(
                "subject_id", flat=True
            )
        )
        made = [
            Restriction.objects.create(
                municipality_id=viewer.municipality_id,
                subject_id=pk,
                request=request,
                reason=reason[:500],
                started_by=viewer.user,
            )
            for pk in ids
            if pk not in already
        ]
        _carried_out(viewer, request, {"restricted": [None, len(made)]})
    return made


def lift_restriction(*, viewer: Viewer, request: DataSubjectRequest) -> int:
    with transaction.atomic():
        n = Restriction.objects.filter(
            request=request, lifted_at__isnull=True, municipality_id=viewer.municipality_id
        ).update(lifted_at=timezone.now(), lifted_by=viewer.user)
        audit(
            actor=viewer.user,
            municipality_id=viewer.municipality_id,
            action="dsr_lift",
            obj=request,
            changes={"lifted": [None, n]},
        )
    return n


# --- Erasure (art. 17) -------------------------------------------------------------------------


@dataclass
class ErasureResult:
    subjects: int = 0
    person_records: int = 0
    signals_deleted: int = 0
    signals_anonymised: int = 0


def anonymise_signals(signal_ids: Iterable[int]) -> int:
    """Erase what in signals identifies or describes people: text, address, exact point,
    external id, photos (files too), notes of status changes, a resident's e-mail. The signal
    stays as an anonymous count in its neighbourhood and 100 m cell (no point on the map)."""
    from wijkregie.residents.models import ResidentReport

    ids = list(signal_ids)
    files = list(Attachment.objects.filter(signal_id__in=ids).values_list("file", flat=True))
    Attachment.objects.filter(signal_id__in=ids).delete()
    retention.delete_files(files)
    # The status history is append-only; its free-text notes go, the changes stay.
    models.QuerySet.update(SignalStatusChange.objects.filter(signal_id__in=ids), note="")
    ResidentReport.objects.filter(signal_id__in=ids).update(email="")
    return Signal.objects.filter(pk__in=ids).update(
        **SIGNAL_PERSONAL_FIELDS, updated_at=timezone.now()
    )


def erase(*, viewer: Viewer, request: DataSubjectRequest) -> ErasureResult:
    """Remove the person (or address) from Wijkregie, as the decision says.

    Both modes: the person's records, links, memberships, case links and the subject itself
    are deleted (tombstones remain). Signals about the person: `delete` removes those that
    concern no other subject and are in no case; every other signal about the person (and in
    `anonymise` mode all of them) loses its text, address and exact point."""
    subject = request.subject
    if subject is None:
        raise Subject.DoesNotExist
    result = ErasureResult()
    now = timezone.now()
    basis = f"AVG art. 17 (recht op vergetelheid), verzoek {request.reference}"
    with transaction.atomic():
        ids = subject_ids_of(subject)
        cluster = list(Subject.objects.filter(pk__in=ids))
        # A household at an erased address loses its dwelling; persons in it stay.
        signal_ids = set(
            SignalSubject.objects.filter(subject_id__in=ids).values_list("signal_id", flat=True)
        )
        signal_ids |= set(
            PersonRecord.objects.filter(person_id__in=ids, signal__isnull=False).values_list(
                "signal_id", flat=True
            )
        )
        to_delete: set[int] = set()
        if request.erasure_mode == ErasureMode.DELETE:
            shared = set(
                SignalSubject.objects.filter(signal_id__in=signal_ids)
                .exclude(subject_id__in=ids)
                .values_list("signal_id", flat=True)
            )
            shared |= set(
                PersonRecord.objects.filter(signal_id__in=signal_ids)
                .exclude(person_id__in=ids)
                .values_list("signal_id", flat=True)
            )
            shared |= set(
                CaseSignal.objects.filter(signal_id__in=signal_ids).values_list(
                    "signal_id", flat=True
                )
            )
            to_delete = signal_ids - shared
        doomed_signals = [
            retention.Doomed(
                "signal",
                pk,
                str(uuid),
                code,
                registered,
                updated,
                timezone.localdate(now),
                basis,
            )
            for pk, uuid, code, registered, updated in Signal.objects.filter(
                pk__in=to_delete
            ).values_list("pk", "uuid", "category__code", "registered_at", "updated_at")
        ]
        result.person_records = PersonRecord.objects.filter(person_id__in=ids).count()
        PersonRecord.objects.filter(person_id__in=ids).delete()
        SignalSubject.objects.filter(subject_id__in=ids).delete()
        CaseSubject.objects.filter(subject_id__in=ids).delete()
        Screening.objects.filter(subject_id__in=ids).update(subject=None)
        LinkConstraint.objects.filter(person_id__in=ids).delete()
        LinkProposal.objects.filter(target_id__in=ids).delete()
        # Other subjects' histories keep the event, without the pointer to the erased one.
        models.QuerySet.update(
            SubjectEvent.objects.filter(other_id__in=ids).exclude(subject_id__in=ids),
            other=None,
        )
        Subject.objects.filter(dwelling_id__in=ids).exclude(pk__in=ids).update(dwelling=None)
        derived = retention.destroy_signals(to_delete)
        result.signals_deleted = len(to_delete)
        result.signals_anonymised = anonymise_signals(signal_ids - to_delete)
        retention.destroy_subjects(ids)
        result.subjects = len(ids)
        retention.tombstones(
            doomed_signals,
            municipality_id=viewer.municipality_id,
            now=now,
            derived=derived,
            request=request,
        )
        retention.tombstones(
            [
                retention.Doomed(
                    "subject",
                    s.pk,
                    str(s.uuid),
                    f"{s.pseudonym} ({s.kind})",
                    s.created_at,
                    None,
                    timezone.localdate(now),
                    basis,
                )
                for s in cluster
            ],
            municipality_id=viewer.municipality_id,
            now=now,
            request=request,
        )
        request.subject = None
        _carried_out(
            viewer,
            request,
            {
                "subjects": [None, result.subjects],
                "person_records": [None, result.person_records],
                "signals_deleted": [None, result.signals_deleted],
                "signals_anonymised": [None, result.signals_anonymised],
            },
        )
        request.save(update_fields=["subject"])
    return result
