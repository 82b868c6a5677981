"""Retention: which signals, cases and subjects are past their term, and destroying them.

`plan_purge(now=...)` decides (nothing changes); `purge(now=..., dry_run=False)` destroys what
the plan lists, leaves a `Tombstone` per destroyed signal, case and subject, and trims the
access and audit logs to their own term (ADR 0017). The clock is injected (`now`), so that a
test can freeze it.

Terms:
- signal: counted from its last change (`updated_at`). The term is the municipality's term for
  its category (or the nearest parent category with one); else the longest `retention_days` of
  the sharing agreements that list its category and have its owner as a party; else the
  municipality's default signal term; else `settings.SIGNAL_RETENTION_DAYS` (730). A signal in a
  case is kept as long as the case is kept.
- case: closed, and `retain_until` (set on closing from the case type's `retention_years`)
  has passed. Open cases are never destroyed.
- subject: has nothing left (no signal, person record, case, screening, membership or
  restriction), after the signals and cases above are gone, and is older than
  `SUBJECT_GRACE_DAYS` (a subject just created for a signal being registered stays).
- logs: rows older than the municipality's log term (`RetentionTerm` access_log/audit_log,
  else `settings.LOG_RETENTION_DAYS`, five years), oldest first as a prefix of the hash chain,
  whose new start is recorded on `ChainHead` (anchor), so `verify-logs` still passes. Nothing
  else ever deletes log rows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from wijkregie.areas.models import SharingAgreement
from wijkregie.cases.models import Case, CaseSignal, CaseSubject, Screening
from wijkregie.cases.states import Phase
from wijkregie.privacy.models import (
    AccessEvent,
    AuditEvent,
    ChainHead,
    DataSubjectRequest,
    RetentionKind,
    RetentionTerm,
    Tombstone,
)
from wijkregie.signals.models import Attachment, Category, Signal
from wijkregie.subjects.models import (
    LinkConstraint,
    LinkProposal,
    PersonRecord,
    SignalSubject,
    Subject,
    SubjectEvent,
    SubjectMember,
)
from wijkregie.tenants.models import Municipality

SUBJECT_GRACE_DAYS = 30


def signal_default_days() -> int:
    return int(getattr(settings, "SIGNAL_RETENTION_DAYS", 730))


def log_default_days() -> int:
    return int(getattr(settings, "LOG_RETENTION_DAYS", 5 * 365 + 1))


@dataclass(frozen=True)
class Term:
    days: int
    legal_basis: str


@dataclass(frozen=True)
class Doomed:
    """One object past its term (no personal data: type, uuid, a label, dates, legal basis)."""

    object_type: str
    pk: int
    uuid: str
    label: str
    created_at: dt.datetime | None
    closed_at: dt.datetime | None
    due: dt.date
    legal_basis: str


@dataclass
class LogTrim:
    table: str
    municipality_id: int
    cutoff: dt.datetime
    up_to_seq: int
    rows: int


@dataclass
class PurgePlan:
    now: dt.datetime
    cases: list[Doomed] = field(default_factory=list)
    signals: list[Doomed] = field(default_factory=list)
    subjects: list[Doomed] = field(default_factory=list)
    logs: list[LogTrim] = field(default_factory=list)
    kept_in_case: int = 0

    def lines(self) -> list[str]:
        out = []
        for item in [*self.cases, *self.signals, *self.subjects]:
            out.append(
                f"{item.object_type} {item.uuid} {item.label} termijn tot {item.due:%Y-%m-%d}: "
                f"{item.legal_basis}"
            )
        for trim in self.logs:
            out.append(
                f"{trim.table} gemeente-id {trim.municipality_id}: {trim.rows} rijen tot "
                f"volgnummer {trim.up_to_seq} (ouder dan {trim.cutoff:%Y-%m-%d})"
            )
        return out


# --- Terms -------------------------------------------------------------------------------------


class TermBook:
    """The terms of one municipality, loaded once."""

    def __init__(self, municipality_id: int) -> None:
        self.municipality_id = municipality_id
        rows = list(RetentionTerm.objects.filter(municipality_id=municipality_id))
        self.by_category = {r.category_id: r for r in rows if r.kind == RetentionKind.CATEGORY}
        self.default = next((r for r in rows if r.kind == RetentionKind.SIGNALS), None)
        self.logs = {r.kind: r for r in rows if r.kind in (RetentionKind.ACCESS_LOG, "audit_log")}
        self.parents = dict(
            Category.objects.filter(municipality_id=municipality_id).values_list("pk", "parent_id")
        )
        self.codes = dict(
            Category.objects.filter(municipality_id=municipality_id).values_list("pk", "code")
        )
        # agreements: (category ids, party ids, days, title, legal basis)
        self.agreements = []
        for agreement in SharingAgreement.objects.filter(
            municipality_id=municipality_id
        ).prefetch_related("categories", "parties"):
            self.agreements.append(
                (
                    {c.pk for c in agreement.categories.all()},
                    {p.pk for p in agreement.parties.all()},
                    agreement.retention_days,
                    agreement.title,
                    agreement.legal_basis,
                )
            )
        self._cache: dict[tuple[int, int], Term] = {}

    def signal_term(self, category_id: int, owner_id: int) -> Term:
        key = (category_id, owner_id)
        if key not in self._cache:
            self._cache[key] = self._signal_term(category_id, owner_id)
        return self._cache[key]

    def _signal_term(self, category_id: int, owner_id: int) -> Term:
        chain: list[int] = []
        current: int | None = category_id
        while current is not None and current not in chain and len(chain) < 10:
            chain.append(current)
            current = self.parents.get(current)
        for cat in chain:
            rule = self.by_category.get(cat)
            if rule is not None:
                code = self.codes.get(cat, "")
                return Term(
                    rule.days,
                    f"Bewaartermijn categorie {code} ({rule.days} dagen): {rule.legal_basis}",
                )
        best: Term | None = None
        for categories, parties, days, title, basis in self.agreements:
            if (
                owner_id in parties
                and categories & set(chain)
                and (best is None or days > best.days)
            ):
                best = Term(days, f"Bewaartermijn convenant {title} ({days} dagen): {basis}")
        if best is not None:
            return best
        if self.default is not None:
            return Term(
                self.default.days,
                f"Standaardbewaartermijn signalen ({self.default.days} dagen): "
                f"{self.default.legal_basis}",
            )
        days = signal_default_days()
        return Term(days, f"Standaardbewaartermijn signalen ({days} dagen)")

    def log_term(self, kind: str) -> Term:
        rule = self.logs.get(kind)
        if rule is not None:
            return Term(rule.days, rule.legal_basis)
        days = log_default_days()
        return Term(days, f"Standaardbewaartermijn logboeken ({days} dagen)")


# --- Planning ----------------------------------------------------------------------------------


def _case_due(case: Case) -> dt.date | None:
    if case.phase != Phase.AFGESLOTEN or case.closed_at is None:
        return None
    if case.retain_until is not None:
        return case.retain_until
    years = case.case_type.retention_years
    closed = timezone.localdate(case.closed_at)
    try:
        return closed.replace(year=closed.year + years)
    except ValueError:  # 29 February
        return closed.replace(year=closed.year + years, day=28)


def _plan_cases(municipality_id: int, today: dt.date) -> list[Doomed]:
    out = []
    closed = Case.objects.filter(
        municipality_id=municipality_id, phase=Phase.AFGESLOTEN, closed_at__isnull=False
    ).select_related("case_type")
    for case in closed:
        due = _case_due(case)
        if due is not None and due < today:
            out.append(
                Doomed(
                    "case",
                    case.pk,
                    str(case.uuid),
                    f"{case.reference} ({case.case_type.name})",
                    case.created_at,
                    case.closed_at,
                    due,
                    f"Bewaartermijn casustype {case.case_type.name} "
                    f"({case.case_type.retention_years} jaar na afsluiten) verstreken",
                )
            )
    return out


def _plan_signals(
    municipality_id: int, now: dt.datetime, gone_cases: set[int]
) -> tuple[list[Doomed], int]:
    book = TermBook(municipality_id)
    in_case = set(
        CaseSignal.objects.filter(municipality_id=municipality_id)
        .exclude(case_id__in=gone_cases)
        .values_list("signal_id", flat=True)
    )
    # The shortest possible term bounds the candidates: nothing changed since then is kept.
    days = [signal_default_days()]
    days += [r.days for r in book.by_category.values()]
    days += [a[2] for a in book.agreements]
    if book.default is not None:
        days.append(book.default.days)
    earliest = now - dt.timedelta(days=min(days))
    rows = (
        Signal.objects.filter(municipality_id=municipality_id, updated_at__lt=earliest)
        .values_list(
            "pk", "uuid", "category_id", "owner_organisation_id", "registered_at", "updated_at"
        )
        .order_by("pk")
    )
    out = []
    kept = 0
    for pk, uuid, category_id, owner_id, registered, updated in rows.iterator(chunk_size=2000):
        term = book.signal_term(category_id, owner_id)
        due = updated + dt.timedelta(days=term.days)
        if due >= now:
            continue
        if pk in in_case:
            kept += 1
            continue
        out.append(
            Doomed(
                "signal",
                pk,
                str(uuid),
                book.codes.get(category_id, ""),
                registered,
                updated,
                timezone.localdate(due),
                term.legal_basis,
            )
        )
    return out, kept


def orphan_subjects(
    municipality_id: int,
    *,
    now: dt.datetime,
    gone_signals: set[int],
    gone_cases: set[int],
    grace_days: int = SUBJECT_GRACE_DAYS,
) -> list[Subject]:
    """Subjects with nothing left once `gone_signals` and `gone_cases` are destroyed."""
    from wijkregie.privacy.models import Restriction

    mun = {"municipality_id": municipality_id}
    candidates = set(
        Subject.objects.filter(
            created_at__lt=now - dt.timedelta(days=grace_days), **mun
        ).values_list("pk", flat=True)
    )
    if not candidates:
        return []
    used: set[int] = set()
    for subject_id, signal_id in SignalSubject.objects.filter(**mun).values_list(
        "subject_id", "signal_id"
    ):
        if signal_id not in gone_signals:
            used.add(subject_id)
    for person_id, signal_id in PersonRecord.objects.filter(**mun).values_list(
        "person_id", "signal_id"
    ):
        if signal_id is None or signal_id not in gone_signals:
            used.add(person_id)
    used |= set(
        CaseSubject.objects.filter(**mun)
        .exclude(case_id__in=gone_cases)
        .values_list("subject_id", flat=True)
    )
    used |= set(
        Screening.objects.filter(subject__isnull=False, **mun).values_list("subject_id", flat=True)
    )
    used |= set(
        Restriction.objects.filter(lifted_at__isnull=True, **mun).values_list(
            "subject_id", flat=True
        )
    )
    candidates -= used
    # References between subjects: a subject that is kept keeps what it points at.
    pointers = list(
        Subject.objects.filter(**mun)
        .filter(Q(merged_into__isnull=False) | Q(dwelling__isnull=False))
        .values_list("pk", "merged_into_id", "dwelling_id")
    )
    event_refs = list(
        SubjectEvent.objects.filter(other__isnull=False, **mun).values_list(
            "subject_id", "other_id"
        )
    )
    constraint_refs = set(LinkConstraint.objects.filter(**mun).values_list("person_id", flat=True))
    memberships = list(SubjectMember.objects.filter(**mun).values_list("subject_id", "person_id"))
    candidates -= constraint_refs
    # Merged clusters go as a whole: a root stays while a kept subject is merged into it.
    changed = True
    while changed:
        changed = False
        for pk, merged_into, dwelling in pointers:
            if pk in candidates:
                if merged_into is not None and merged_into not in candidates:
                    candidates.discard(pk)
                    changed = True
                continue
            for target in (merged_into, dwelling):
                if target is not None and target in candidates:
                    candidates.discard(target)
                    changed = True
        # A member of a group or household that is kept is kept.
        for group_id, person_id in memberships:
            if group_id not in candidates and person_id in candidates:
                candidates.discard(person_id)
                changed = True
        for subject_id, other_id in event_refs:
            if subject_id not in candidates and other_id in candidates:
                candidates.discard(other_id)
                changed = True
    return list(Subject.objects.filter(pk__in=candidates).order_by("pk"))


def _doomed_subject(subject: Subject) -> Doomed:
    return Doomed(
        "subject",
        subject.pk,
        str(subject.uuid),
        f"{subject.pseudonym} ({subject.kind})",
        subject.created_at,
        None,
        timezone.localdate(subject.created_at),
        "Geen gegevens meer over de betrokkene: alle signalen en casussen zijn vernietigd",
    )


def _chain_cutoff(model: Any, head: ChainHead, cutoff: dt.datetime) -> tuple[int, int]:
    """The last sequence number of the chain's prefix older than `cutoff`, and its row count."""
    key = head.municipality_id or None
    rows = model._base_manager.filter(municipality_id=key, chain_seq__isnull=False)
    first_kept = rows.filter(at__gte=cutoff).aggregate(m=models.Min("chain_seq"))["m"]
    old = rows.filter(chain_seq__gt=head.anchor_seq)
    if first_kept is not None:
        old = old.filter(chain_seq__lt=first_kept)
    agg = old.aggregate(m=models.Max("chain_seq"), n=models.Count("id"))
    return int(agg["m"] or 0), int(agg["n"] or 0)


def _plan_logs(
    municipality_ids: Iterable[int], now: dt.datetime, *, include_global: bool
) -> list[LogTrim]:
    out = []
    wanted = set(municipality_ids)
    if include_global:
        wanted.add(0)
    for kind, model in ((RetentionKind.ACCESS_LOG, AccessEvent), ("audit_log", AuditEvent)):
        table = model._meta.db_table
        for head in ChainHead.objects.filter(table=table).order_by("municipality_id"):
            if head.municipality_id not in wanted:
                continue
            term = (
                TermBook(head.municipality_id).log_term(kind)
                if head.municipality_id
                else Term(log_default_days(), "")
            )
            cutoff = now - dt.timedelta(days=term.days)
            up_to, n = _chain_cutoff(model, head, cutoff)
            if n:
                out.append(LogTrim(table, head.municipality_id, cutoff, up_to, n))
    return out


def plan_purge(*, now: dt.datetime, municipality_id: int | None = None) -> PurgePlan:
    plan = PurgePlan(now=now)
    municipalities = (
        [municipality_id]
        if municipality_id is not None
        else list(Municipality.objects.values_list("pk", flat=True))
    )
    today = timezone.localdate(now)
    for mid in municipalities:
        cases = _plan_cases(mid, today)
        gone_cases = {c.pk for c in cases}
        signals, kept = _plan_signals(mid, now, gone_cases)
        subjects = orphan_subjects(
            mid, now=now, gone_signals={s.pk for s in signals}, gone_cases=gone_cases
        )
        plan.cases += cases
        plan.signals += signals
        plan.subjects += [_doomed_subject(s) for s in subjects]
        plan.kept_in_case += kept
    plan.logs = _plan_logs(municipalities, now, include_global=municipality_id is None)
    return plan


# --- Destroying --------------------------------------------------------------------------------


def _raw_delete(qs: models.QuerySet[Any]) -> int:
    """Delete rows of append-only histories that belong to a destroyed object."""
    return int(qs._raw_delete(qs.db))


def delete_files(names: Iterable[str]) -> None:
    """Remove stored files once the transaction that deleted their rows has committed."""
    names = [n for n in names if n]

    def remove() -> None:
        for name in names:
            with contextlib.suppress(OSError):
                default_storage.delete(name)

    transaction.on_commit(remove)


def destroy_cases(case_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Delete cases with everything that hangs off them (and their screenings).

    Django's cascade deletes the append-only histories too (phase changes, notes, minutes):
    it deletes rows with SQL, not through the models' guard."""
    ids = list(case_ids)
    derived: dict[int, dict[str, int]] = defaultdict(dict)
    if not ids:
        return derived
    screening_ids = list(
        Case.objects.filter(pk__in=ids, screening__isnull=False).values_list(
            "screening_id", flat=True
        )
    )
    for case_id, n in (
        CaseSignal.objects.filter(case_id__in=ids)
        .values("case_id")
        .annotate(n=models.Count("id"))
        .values_list("case_id", "n")
    ):
        derived[case_id]["signal_links"] = n
    for case_id, n in (
        CaseSubject.objects.filter(case_id__in=ids)
        .values("case_id")
        .annotate(n=models.Count("id"))
        .values_list("case_id", "n")
    ):
        derived[case_id]["subject_links"] = n
    uuids = [str(u) for u in Case.objects.filter(pk__in=ids).values_list("uuid", flat=True)]
    Case.objects.filter(pk__in=ids).delete()
    if screening_ids:
        Screening.objects.filter(pk__in=screening_ids).delete()
    _destroy_case_documents(uuids)
    return derived


def _destroy_case_documents(case_uuids: list[str]) -> None:
    """Generated PDFs of a destroyed case's plan (the case's uuid is their `area_code`) go
    with it, rather than waiting for `purge-documents`."""
    from wijkregie.documents import services as document_services
    from wijkregie.documents.models import GeneratedDocument

    kind = getattr(GeneratedDocument.kind.field, "choices", None) or []
    if "case_plan" not in {value for value, _label in kind} or not case_uuids:
        return
    documents = list(GeneratedDocument.objects.filter(kind="case_plan", area_code__in=case_uuids))
    paths = [p for d in documents for p in document_services._document_paths(d)]
    GeneratedDocument.objects.filter(pk__in=[d.pk for d in documents]).delete()

    def remove() -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    transaction.on_commit(remove)


def destroy_signals(signal_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Delete signals with their links, person records, photos (files too) and histories.

    The monthly tallies follow by themselves (ADR 0013: database triggers)."""
    ids = list(signal_ids)
    derived: dict[int, dict[str, int]] = defaultdict(dict)
    if not ids:
        return derived
    for signal_id, n in (
        PersonRecord.objects.filter(signal_id__in=ids)
        .values("signal_id")
        .annotate(n=models.Count("id"))
        .values_list("signal_id", "n")
    ):
        derived[signal_id]["person_records"] = n
    files = []
    for signal_id, name in Attachment.objects.filter(signal_id__in=ids).values_list(
        "signal_id", "file"
    ):
        derived[signal_id]["attachments"] = derived[signal_id].get("attachments", 0) + 1
        files.append(name)
    # Rows elsewhere that merely point at a destroyed signal lose the pointer.
    Signal.objects.filter(duplicate_of_id__in=ids).exclude(pk__in=ids).update(duplicate_of=None)
    Screening.objects.filter(signal_id__in=ids).update(signal=None)
    Signal.objects.filter(pk__in=ids).delete()
    delete_files(files)
    return derived


def destroy_subjects(subject_ids: Iterable[int]) -> None:
    """Delete subjects (with their history, group memberships and stale relink proposals).

    The caller makes sure nothing else refers to them (`orphan_subjects`, or an erasure that
    removed the references first)."""
    ids = list(subject_ids)
    if not ids:
        return
    _raw_delete(SubjectEvent.objects.filter(Q(subject_id__in=ids) | Q(other_id__in=ids)))
    SubjectMember.objects.filter(Q(subject_id__in=ids) | Q(person_id__in=ids)).delete()
    LinkProposal.objects.filter(target_id__in=ids).delete()
    Subject.objects.filter(pk__in=ids).update(merged_into=None, dwelling=None)
    Subject.objects.filter(dwelling_id__in=ids).update(dwelling=None)
    Subject.objects.filter(pk__in=ids).delete()


def tombstones(
    items: Iterable[Doomed],
    *,
    municipality_id: int,
    now: dt.datetime,
    derived: dict[int, dict[str, int]] | None = None,
    request: DataSubjectRequest | None = None,
) -> list[Tombstone]:
    derived = derived or {}
    return Tombstone.objects.bulk_create(
        Tombstone(
            municipality_id=municipality_id,
            object_type=item.object_type,
            object_uuid=item.uuid,
            label=item.label[:100],
            created_at=item.created_at,
            closed_at=item.closed_at,
            destroyed_at=now,
            legal_basis=item.legal_basis[:300],
            request=request,
            derived=derived.get(item.pk, {}),
        )
        for item in items
    )


def trim_log(trim: LogTrim) -> int:
    """Delete a log chain's old prefix and move the chain's anchor to its last deleted row."""
    model: Any = AccessEvent if trim.table == AccessEvent._meta.db_table else AuditEvent
    key = trim.municipality_id or None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL wijkregie.allow_log_purge = 'on'")
        head = (
            ChainHead.objects.select_for_update()
            .filter(table=trim.table, municipality_id=trim.municipality_id)
            .get()
        )
        last = (
            model._base_manager.filter(municipality_id=key, chain_seq=trim.up_to_seq)
            .values_list("row_hash", flat=True)
            .first()
        )
        if last is None or trim.up_to_seq <= head.anchor_seq:
            return 0
        n = _raw_delete(
            model._base_manager.filter(
                municipality_id=key, chain_seq__isnull=False, chain_seq__lte=trim.up_to_seq
            )
        )
        ChainHead.objects.filter(pk=head.pk).update(anchor_seq=trim.up_to_seq, anchor_hash=last)
    return n


@dataclass
class PurgeResult:
    plan: PurgePlan
    dry_run: bool
    log_rows: int = 0


def purge(
    *, now: dt.datetime, dry_run: bool = False, municipality_id: int | None = None
) -> PurgeResult:
    """Destroy what is past its term (see the module's docstring). Dry run: only the plan."""
    from wijkregie.privacy.services import audit

    plan = plan_purge(now=now, municipality_id=municipality_id)
    result = PurgeResult(plan=plan, dry_run=dry_run)
    if dry_run:
        return result
    by_municipality: dict[int, list[Doomed]] = defaultdict(list)
    municipality_of = {}
    if plan.cases:
        municipality_of.update(
            {
                ("case", pk): m
                for pk, m in Case.objects.filter(pk__in=[c.pk for c in plan.cases]).values_list(
                    "pk", "municipality_id"
                )
            }
        )
    if plan.signals:
        municipality_of.update(
            {
                ("signal", pk): m
                for pk, m in Signal.objects.filter(pk__in=[s.pk for s in plan.signals]).values_list(
                    "pk", "municipality_id"
                )
            }
        )
    if plan.subjects:
        municipality_of.update(
            {
                ("subject", pk): m
                for pk, m in Subject.objects.filter(
                    pk__in=[s.pk for s in plan.subjects]
                ).values_list("pk", "municipality_id")
            }
        )
    for item in [*plan.cases, *plan.signals, *plan.subjects]:
        by_municipality[municipality_of[(item.object_type, item.pk)]].append(item)
    for mid, items in by_municipality.items():
        with transaction.atomic():
            cases = [i for i in items if i.object_type == "case"]
            signals = [i for i in items if i.object_type == "signal"]
            subjects = [i for i in items if i.object_type == "subject"]
            derived = destroy_cases(c.pk for c in cases)
            derived_signals = destroy_signals(s.pk for s in signals)
            destroy_subjects(s.pk for s in subjects)
            tombstones(cases, municipality_id=mid, now=now, derived=derived)
            tombstones(signals, municipality_id=mid, now=now, derived=derived_signals)
            tombstones(subjects, municipality_id=mid, now=now)
            audit(
                actor=None,
                municipality_id=mid,
                action="retention_purge",
                object_type="privacy.tombstone",
                object_id=timezone.localdate(now).isoformat(),
                changes={"cases": len(cases), "signals": len(signals), "subjects": len(subjects)},
            )
    for trim in plan.logs:
        result.log_rows += trim_log(trim)
    return result
