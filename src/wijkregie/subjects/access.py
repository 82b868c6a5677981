"""Who may see a subject, and who may see the personal details of a person.

A subject is visible to a viewer who reads signals and either sees at least one signal linked
to the subject's cluster (the subject with everything merged into it, and what it was merged
into) or belongs to an organisation that supplied a person record of it. Missing and
forbidden give the same 404, and both leave an AccessEvent.

Personal details (names, birth dates) of a person record are for need-to-know only:
- the record's owner organisation (its regisseur or professionals), and
- the regisseur of the area: a regisseur who is project leader of a focus area holding the
  buurt of a signal about the subject that they may see.
Analysts (`viewer.pseudonymised`) and everyone else see the pseudonym only. Every reveal is
logged per record with its purpose.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.http import Http404

from wijkregie.areas.models import FocusArea
from wijkregie.privacy.models import AccessAction
from wijkregie.privacy.services import log_access
from wijkregie.signals.access import reader_organisation_ids, visible_signals_q
from wijkregie.signals.models import Signal
from wijkregie.subjects.models import (
    LinkProposal,
    PersonRecord,
    SignalSubject,
    Subject,
    SubjectKind,
    SubjectMember,
)
from wijkregie.tenants.access import SIGNAL_WRITER_ROLES, Viewer
from wijkregie.tenants.models import Role

PURPOSES = ("signaalbehandeling", "screening", "casusregie")


def parse_uuid(value: object) -> uuidlib.UUID | None:
    try:
        return uuidlib.UUID(str(value))
    except ValueError:
        return None


def root_of(subject: Subject) -> Subject:
    """The subject a (chain of) merge(s) ends in, as stored now (not as held in memory)."""
    parents = dict(
        Subject.objects.filter(municipality_id=subject.municipality_id)
        .exclude(merged_into=None)
        .values_list("pk", "merged_into_id")
    )
    pk, hops = subject.pk, 0
    while pk in parents and hops < 100:  # a cycle cannot come from the services
        pk, hops = parents[pk], hops + 1
    if pk == subject.pk:
        return subject
    return Subject.objects.get(pk=pk)


def cluster_ids(subject: Subject) -> list[int]:
    """The subject and every subject merged into it, directly or through others."""
    ids = [subject.pk]
    frontier = [subject.pk]
    while frontier:
        children = list(
            Subject.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True)
        )
        frontier = [pk for pk in children if pk not in ids]
        ids.extend(frontier)
    return ids


def _visible_in_cluster(viewer: Viewer, ids: Iterable[int]) -> bool:
    ids = list(ids)
    linked = SignalSubject.objects.filter(subject_id__in=ids).values("signal_id")
    if Signal.objects.filter(visible_signals_q(viewer), pk__in=linked).exists():
        return True
    own = reader_organisation_ids(viewer)
    return (
        bool(own)
        and PersonRecord.objects.filter(
            person_id__in=ids, owner_organisation_id__in=sorted(own)
        ).exists()
    )


def may_see_subject(viewer: Viewer, subject: Subject) -> bool:
    """Visible through a signal or an own record; a household also through a member one may
    see (it comes from that person's address), and a dwelling through its household."""
    if subject.municipality_id != viewer.municipality_id or not viewer.reads_signals:
        return False
    root = root_of(subject)
    ids = cluster_ids(root)
    if _visible_in_cluster(viewer, ids):
        return True
    if root.kind == SubjectKind.HOUSEHOLD:
        members = SubjectMember.objects.filter(subject_id__in=ids).values_list(
            "person_id", flat=True
        )
        return any(
            _visible_in_cluster(viewer, cluster_ids(root_of(person)))
            for person in Subject.objects.filter(pk__in=list(members))
        )
    if root.kind == SubjectKind.ADDRESS:
        return any(
            may_see_subject(viewer, household)
            for household in Subject.objects.filter(kind=SubjectKind.HOUSEHOLD, dwelling_id__in=ids)
        )
    return False


def access_subject(
    viewer: Viewer, subject_uuid: object, *, purpose: str = "signaalbehandeling"
) -> Subject:
    """The subject if the viewer may see it, else 404. Logs one AccessEvent either way."""
    parsed = parse_uuid(subject_uuid)
    if parsed is None:
        raise Http404
    subject = Subject.objects.filter(uuid=parsed, municipality_id=viewer.municipality_id).first()
    if subject is None or not may_see_subject(viewer, subject):
        log_access(
            viewer=viewer,
            action=AccessAction.READ,
            object_type="subject",
            object_id=str(parsed),
            granted=False,
            purpose=purpose,
        )
        raise Http404
    log_access(
        viewer=viewer,
        action=AccessAction.READ,
        object_type="subject",
        object_id=str(subject.uuid),
        granted=True,
        purpose=purpose,
        subject_pseudonym=subject.pseudonym,
        detail="pseudonymised" if viewer.pseudonymised else "",
    )
    return subject


def writer_in(viewer: Viewer, organisation_id: int) -> bool:
    return bool(
        viewer.roles_by_organisation.get(organisation_id, frozenset()) & SIGNAL_WRITER_ROLES
    )


def may_attach(viewer: Viewer, signal: Signal) -> bool:
    """Linking subjects to a signal is handling it: the owner organisation's writers."""
    return signal.municipality_id == viewer.municipality_id and writer_in(
        viewer, signal.owner_organisation_id
    )


def may_know_record(viewer: Viewer, record: PersonRecord) -> bool:
    """A record of one's own organisations, or one supplied with a signal one may see (as
    listed on the subject page); other records are not even mentioned."""
    if record.municipality_id != viewer.municipality_id:
        return False
    if record.owner_organisation_id in reader_organisation_ids(viewer):
        return True
    return (
        record.signal_id is not None
        and Signal.objects.filter(visible_signals_q(viewer), pk=record.signal_id).exists()
    )


def may_review_links(viewer: Viewer) -> bool:
    """The proposals of a full relink are the regisseur's (with need-to-know, not analysts)."""
    return viewer.has_role(Role.REGISSEUR) and not viewer.pseudonymised


def may_see_proposal(viewer: Viewer, proposal: LinkProposal) -> bool:
    """A relink proposal is shown only to a regisseur who may see every subject and record it
    names: that the linker relates two persons is itself information about both."""
    if not may_review_links(viewer) or proposal.municipality_id != viewer.municipality_id:
        return False
    ids = [*proposal.persons, *([proposal.target_id] if proposal.target_id else [])]
    subjects = Subject.objects.in_bulk(ids)
    if len(subjects) != len(set(ids)) or not all(
        may_see_subject(viewer, s) for s in subjects.values()
    ):
        return False
    return all(
        may_know_record(viewer, r) for r in PersonRecord.objects.filter(pk__in=proposal.records)
    )


def access_proposal(viewer: Viewer, proposal_uuid: object) -> LinkProposal:
    """The proposal if the viewer may decide on it, else 404 (logged either way)."""
    parsed = parse_uuid(proposal_uuid)
    if parsed is None:
        raise Http404
    proposal = LinkProposal.objects.filter(
        uuid=parsed, municipality_id=viewer.municipality_id
    ).first()
    granted = proposal is not None and may_see_proposal(viewer, proposal)
    log_access(
        viewer=viewer,
        action=AccessAction.READ,
        object_type="link_proposal",
        object_id=str(parsed),
        granted=granted,
        purpose="casusregie",
    )
    if not granted:
        raise Http404
    assert proposal is not None
    return proposal


def may_merge(viewer: Viewer) -> bool:
    """Staff with an operational role merge and unmerge (always with a reason)."""
    return viewer.writes_signals


def is_area_regisseur(viewer: Viewer, ids: Iterable[int]) -> bool:
    """A regisseur leading a focus area with the buurt of a visible signal about the cluster."""
    if not viewer.has_role(Role.REGISSEUR) or viewer.pseudonymised:
        return False
    linked = SignalSubject.objects.filter(subject_id__in=list(ids)).values("signal_id")
    hoods = (
        Signal.objects.filter(visible_signals_q(viewer), pk__in=linked)
        .exclude(neighbourhood=None)
        .values("neighbourhood_id")
    )
    return FocusArea.objects.filter(
        municipality_id=viewer.municipality_id,
        project_leader=viewer.user,
        neighbourhoods__in=hoods,
    ).exists()


@dataclass(frozen=True)
class DetailScope:
    """Whose person records the viewer may see in full."""

    all_records: bool
    organisation_ids: frozenset[int]

    @property
    def any(self) -> bool:
        return self.all_records or bool(self.organisation_ids)

    def covers(self, record: PersonRecord) -> bool:
        return self.all_records or record.owner_organisation_id in self.organisation_ids


NO_DETAILS = DetailScope(False, frozenset())


def personal_detail_scope(viewer: Viewer, subject: Subject) -> DetailScope:
    if viewer.pseudonymised or subject.municipality_id != viewer.municipality_id:
        return NO_DETAILS
    ids = cluster_ids(root_of(subject))
    if is_area_regisseur(viewer, ids):
        return DetailScope(True, frozenset())
    return DetailScope(
        False,
        frozenset(org for org in viewer.organisation_ids if writer_in(viewer, org)),
    )


def may_see_place_details(viewer: Viewer) -> bool:
    """An address (as on the signal itself) and a group's label: not for analysts."""
    return not viewer.pseudonymised


def reveal_records(
    viewer: Viewer, subject: Subject, records: Iterable[PersonRecord], *, purpose: str
) -> list[PersonRecord]:
    """The records whose names and birth date the viewer may see; each showing is logged."""
    scope = personal_detail_scope(viewer, subject)
    shown = [r for r in records if scope.covers(r)]
    for record in shown:
        log_access(
            viewer=viewer,
            action=AccessAction.READ,
            object_type="person_record",
            object_id=str(record.uuid),
            granted=True,
            purpose=purpose,
            subject_pseudonym=subject.pseudonym,
            organisation_id=(
                record.owner_organisation_id
                if record.owner_organisation_id in viewer.organisation_ids
                else None
            ),
            detail="names, birth date",
        )
    return shown


def may_screen(viewer: Viewer) -> bool:
    """The screening queue is the regisseur's."""
    return viewer.has_role(Role.REGISSEUR)


__all__ = [
    "PURPOSES",
    "DetailScope",
    "access_proposal",
    "access_subject",
    "cluster_ids",
    "may_attach",
    "may_know_record",
    "may_merge",
    "may_review_links",
    "may_screen",
    "may_see_place_details",
    "may_see_proposal",
    "may_see_subject",
    "personal_detail_scope",
    "reveal_records",
    "root_of",
]
