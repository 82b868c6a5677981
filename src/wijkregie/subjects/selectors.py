"""Viewer-scoped reads for subjects: the subject page, a signal's subjects, the screening queue.

Every read starts from the signals the viewer may see (`visible_signals_q`); a subject's
timeline shows only those. Names and birth dates are never read here for display: the views
ask `access.reveal_records`, which logs each showing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from wijkregie.areas.models import SharingAgreement, SharingPurpose
from wijkregie.privacy import restrictions
from wijkregie.signals.access import reader_organisation_ids, visible_signals_q
from wijkregie.signals.models import Confidentiality, Signal
from wijkregie.subjects.access import (
    cluster_ids,
    may_know_record,
    may_review_links,
    may_screen,
    may_see_proposal,
    may_see_subject,
    root_of,
)
from wijkregie.subjects.models import (
    LinkExplanation,
    LinkProposal,
    LinkRun,
    PersonRecord,
    ScreeningSettings,
    SignalSubject,
    Subject,
    SubjectEvent,
    SubjectEventKind,
    SubjectKind,
    SubjectMember,
)
from wijkregie.tenants.access import Viewer

# The purpose a sharing agreement must name for its signals to count in the screening queue.
SCREENING_PURPOSE = SharingPurpose.SIGNALERING


@dataclass
class TimelineItem:
    signal: Signal
    role: str
    via: str  # pseudonym of the merged subject the link was made to, or ""


@dataclass
class SubjectPage:
    subject: Subject  # the root of the cluster
    requested: Subject  # what the URL named (may have been merged into the root)
    timeline: list[TimelineItem]
    merged: list[Subject]  # merged into the root, directly
    records: list[PersonRecord]
    explanations: dict[int, LinkExplanation]
    members: list[Subject]
    member_of: list[Subject]
    events: list[SubjectEvent]
    domains: list[tuple[str, int]] = field(default_factory=list)
    visible_others: set[int] = field(default_factory=set)  # event counterparts one may see
    organisations: list[tuple[str, int]] = field(default_factory=list)


def subject_page(*, viewer: Viewer, subject: Subject) -> SubjectPage:
    root = root_of(subject)
    ids = cluster_ids(root)
    pseudonyms = dict(Subject.objects.filter(pk__in=ids).values_list("pk", "pseudonym"))
    links = list(
        SignalSubject.objects.filter(subject_id__in=ids).values_list(
            "signal_id", "role", "subject_id"
        )
    )
    visible = {
        s.pk: s
        for s in Signal.objects.filter(
            visible_signals_q(viewer), pk__in=[link[0] for link in links]
        ).select_related("category", "life_domain", "owner_organisation", "neighbourhood")
    }
    timeline: list[TimelineItem] = []
    seen: set[int] = set()
    for signal_id, role, subject_id in links:
        if signal_id in visible and signal_id not in seen:
            seen.add(signal_id)
            timeline.append(
                TimelineItem(
                    signal=visible[signal_id],
                    role=role,
                    via="" if subject_id == root.pk else pseudonyms[subject_id],
                )
            )
    timeline.sort(key=lambda item: (item.signal.observed_at, item.signal.pk), reverse=True)
    domains: dict[str, int] = defaultdict(int)
    organisations: dict[str, int] = defaultdict(int)
    for item in timeline:
        domains[item.signal.life_domain.name] += 1
        organisations[item.signal.owner_organisation.name] += 1
    # Only records the viewer may know of: their own organisations', and those supplied with a
    # signal they may see. That another organisation registered the person is itself
    # information (cross-domain), so other records are not listed at all.
    own = reader_organisation_ids(viewer)
    records = [
        r
        for r in PersonRecord.objects.filter(person_id__in=ids)
        .select_related("owner_organisation", "signal")
        .order_by("created_at", "id")
        if r.owner_organisation_id in own or r.signal_id in visible
    ]
    explanations = {e.record_id: e for e in LinkExplanation.objects.filter(record__in=records)}
    # Only members and groups the viewer may see: membership is information in itself.
    members = [
        m
        for m in Subject.objects.filter(
            pk__in=SubjectMember.objects.filter(subject_id__in=ids).values("person_id")
        ).order_by("pseudonym")
        if may_see_subject(viewer, m)
    ]
    member_of = [
        g
        for g in Subject.objects.filter(
            pk__in=SubjectMember.objects.filter(person_id__in=ids).values("subject_id")
        ).order_by("pseudonym")
        if may_see_subject(viewer, g)
    ]
    events = list(
        SubjectEvent.objects.filter(subject_id__in=ids)
        .select_related("other", "subject")
        .order_by("at", "id")
    )
    # A link event names a record: only for the records listed above. A split names one
    # that may have left this person: shown if the viewer may know of that record.
    shown_records = {str(r.uuid) for r in records}
    moved = {
        SubjectEventKind.RECORD_SPLIT,
        SubjectEventKind.RECORD_RECEIVED,
    }
    moved_uuids = {e.data.get("record") for e in events if e.kind in moved}
    known_moved = {
        str(r.uuid)
        for r in PersonRecord.objects.filter(uuid__in=[u for u in moved_uuids if u])
        if may_know_record(viewer, r)
    }
    events = [
        e
        for e in events
        if (e.kind != SubjectEventKind.LINKED or e.data.get("record") in shown_records)
        and (e.kind not in moved or e.data.get("record") in known_moved)
    ]
    others = {e.other_id: e.other for e in events if e.other_id is not None}
    visible_others = {
        pk
        for pk, other in others.items()
        if other is not None and (pk in ids or may_see_subject(viewer, other))
    }
    return SubjectPage(
        visible_others=visible_others,
        subject=root,
        requested=subject,
        timeline=timeline,
        merged=list(Subject.objects.filter(merged_into=root).order_by("pseudonym")),
        records=records,
        explanations=explanations,
        members=members,
        member_of=member_of,
        events=events,
        domains=sorted(domains.items()),
        organisations=sorted(organisations.items()),
    )


@dataclass(frozen=True)
class SignalSubjectRow:
    subject: Subject  # root
    role: str
    role_label: str


def signal_subjects(*, viewer: Viewer, signal: Signal) -> list[SignalSubjectRow]:
    """The subjects of a signal the viewer has already been given (access_signal passed)."""
    rows = []
    for link in (
        SignalSubject.objects.filter(signal=signal, municipality_id=viewer.municipality_id)
        .select_related("subject")
        .order_by("added_at", "id")
    ):
        rows.append(
            SignalSubjectRow(
                subject=root_of(link.subject), role=link.role, role_label=link.get_role_display()
            )
        )
    return rows


def subject_by_pseudonym(*, viewer: Viewer, pseudonym: str) -> Subject | None:
    """A subject of the viewer's municipality by its pseudonym (for the merge form); the
    caller still checks that the viewer may see it."""
    return Subject.objects.filter(
        municipality_id=viewer.municipality_id, pseudonym=pseudonym.strip().upper()
    ).first()


def record_of(*, viewer: Viewer, subject: Subject, record_uuid: object) -> PersonRecord | None:
    """A record of the subject's cluster that the viewer may know of (for the split form)."""
    from wijkregie.subjects.access import parse_uuid

    parsed = parse_uuid(record_uuid)
    if parsed is None:
        return None
    record = (
        PersonRecord.objects.filter(
            uuid=parsed,
            municipality_id=viewer.municipality_id,
            person_id__in=cluster_ids(root_of(subject)),
        )
        .select_related("person")
        .first()
    )
    return record if record is not None and may_know_record(viewer, record) else None


def subject_by_uuid(*, viewer: Viewer, subject_uuid: object) -> Subject | None:
    from wijkregie.subjects.access import parse_uuid

    parsed = parse_uuid(subject_uuid)
    if parsed is None:
        return None
    return Subject.objects.filter(municipality_id=viewer.municipality_id, uuid=parsed).first()


# --- screening ---------------------------------------------------------------------------


def screening_settings(municipality_id: int) -> ScreeningSettings:
    found = ScreeningSettings.objects.filter(municipality_id=municipality_id).first()
    return found or ScreeningSettings(municipality_id=municipality_id)


def screening_signals_q(viewer: Viewer) -> Q:
    """Signals that may count in the viewer's screening queue: their own organisations', and
    others' shared under an active agreement that names the screening purpose (parties ×
    categories × focus-area buurten; never confidential ones)."""
    own = reader_organisation_ids(viewer)
    if not own:
        return Q(pk__in=[])
    allowed = Q(owner_organisation_id__in=sorted(own))
    today = timezone.localdate()
    agreements = (
        SharingAgreement.objects.filter(
            municipality_id=viewer.municipality_id,
            purpose=SCREENING_PURPOSE,
            parties__in=sorted(own),
            valid_from__lte=today,
        )
        .filter(Q(valid_until=None) | Q(valid_until__gte=today))
        .distinct()
        .prefetch_related("parties", "categories", "focus_areas__neighbourhoods")
    )
    for agreement in agreements:
        owners = {o.pk for o in agreement.parties.all()} - own
        categories = [c.pk for c in agreement.categories.all()]
        hoods = {n.pk for fa in agreement.focus_areas.all() for n in fa.neighbourhoods.all()}
        if owners and categories and hoods:
            allowed |= Q(
                owner_organisation_id__in=sorted(owners),
                category_id__in=sorted(categories),
                neighbourhood_id__in=sorted(hoods),
                confidentiality=Confidentiality.NORMAAL,
            )
    return Q(municipality_id=viewer.municipality_id) & allowed


@dataclass
class ScreeningEntry:
    subject: Subject
    domains: list[tuple[str, int]]
    organisations: list[tuple[str, int]]
    signal_count: int
    last_observed: dt.datetime

    @property
    def domain_count(self) -> int:
        return len(self.domains)

    @property
    def organisation_count(self) -> int:
        return len(self.organisations)


def _months_ago(months: int) -> dt.datetime:
    now = timezone.now()
    return now - dt.timedelta(days=round(months * 365.25 / 12))


def screening_queue(*, viewer: Viewer) -> list[ScreeningEntry]:
    """Subjects with signals in at least N life domains from at least M organisations within
    W months, counting only signals allowed for screening. Empty for non-regisseurs."""
    if not may_screen(viewer):
        return []
    config = screening_settings(viewer.municipality_id)
    since = _months_ago(config.window_months)
    rows = list(
        SignalSubject.objects.filter(
            municipality_id=viewer.municipality_id,
            signal__in=Signal.objects.filter(screening_signals_q(viewer), observed_at__gte=since),
        ).values_list(
            "subject_id",
            "signal_id",
            "signal__life_domain__name",
            "signal__owner_organisation__name",
            "signal__observed_at",
        )
    )
    if not rows:
        return []
    parents = dict(
        Subject.objects.filter(municipality_id=viewer.municipality_id)
        .exclude(merged_into=None)
        .values_list("pk", "merged_into_id")
    )

    def root_id(pk: int) -> int:
        hops = 0
        while pk in parents and hops < 100:
            pk = parents[pk]
            hops += 1
        return pk

    signals: dict[int, dict[int, tuple[str, str, dt.datetime]]] = defaultdict(dict)
    for subject_id, signal_id, domain, organisation, observed in rows:
        signals[root_id(subject_id)][signal_id] = (domain, organisation, observed)
    # Subjects whose processing is restricted (AVG art. 18) are never queued (ADR 0017).
    for pk in restrictions.restricted_ids(viewer.municipality_id):
        signals.pop(pk, None)
    entries = []
    roots = Subject.objects.in_bulk(list(signals))
    for pk, found in signals.items():
        domains: dict[str, int] = defaultdict(int)
        organisations: dict[str, int] = defaultdict(int)
        for domain, organisation, _observed in found.values():
            domains[domain] += 1
            organisations[organisation] += 1
        if len(domains) >= config.min_domains and len(organisations) >= config.min_organisations:
            entries.append(
                ScreeningEntry(
                    subject=roots[pk],
                    domains=sorted(domains.items()),
                    organisations=sorted(organisations.items()),
                    signal_count=len(found),
                    last_observed=max(observed for _d, _o, observed in found.values()),
                )
            )
    entries.sort(
        key=lambda e: (-e.domain_count, -e.organisation_count, -e.signal_count, e.subject.pseudonym)
    )
    return entries


def screening_entry(*, viewer: Viewer, subject: Subject) -> ScreeningEntry | None:
    root = root_of(subject)
    return next((e for e in screening_queue(viewer=viewer) if e.subject.pk == root.pk), None)


def screening_openings(*, viewer: Viewer, subject: Subject) -> list[SubjectEvent]:
    return list(
        SubjectEvent.objects.filter(
            subject_id__in=cluster_ids(root_of(subject)), kind="screening_opened"
        ).order_by("at", "id")
    )


# --- relink proposals --------------------------------------------------------------------


@dataclass
class ProposalRow:
    proposal: LinkProposal
    persons: list[Subject]
    target: Subject | None
    records: list[PersonRecord]


@dataclass
class RelinkReview:
    run: LinkRun | None
    rows: list[ProposalRow]
    hidden: int  # proposals naming a subject or record the viewer may not see


def relink_review(*, viewer: Viewer) -> RelinkReview:
    """The proposals of the municipality's latest finished relink that the viewer may see."""
    if not may_review_links(viewer):
        return RelinkReview(run=None, rows=[], hidden=0)
    run = (
        LinkRun.objects.filter(
            municipality_id=viewer.municipality_id, finished_at__isnull=False, error=""
        )
        .order_by("-finished_at", "-id")
        .first()
    )
    if run is None:
        return RelinkReview(run=None, rows=[], hidden=0)
    proposals = list(run.proposals.select_related("target", "decided_by").order_by("id"))
    subjects = Subject.objects.in_bulk({pk for p in proposals for pk in p.persons})
    records = PersonRecord.objects.select_related("owner_organisation").in_bulk(
        {pk for p in proposals for pk in p.records}
    )
    rows, hidden = [], 0
    for proposal in proposals:
        if not may_see_proposal(viewer, proposal):
            hidden += 1
            continue
        rows.append(
            ProposalRow(
                proposal=proposal,
                persons=[subjects[pk] for pk in proposal.persons if pk in subjects],
                target=proposal.target,
                records=[records[pk] for pk in proposal.records if pk in records],
            )
        )
    return RelinkReview(run=run, rows=rows, hidden=hidden)


__all__ = ["SubjectKind"]
