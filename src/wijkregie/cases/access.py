"""Who may see and change a case (need-to-know), and who may break the glass.

- A case is visible only to its active participants: a user with an active `Participant` row
  for an organisation in which they (still) hold a regisseur, professional or analist role.
  Removing a participant or the membership takes effect on the next request (read fresh).
- Everyone else gets 404 on the case page, in the list, search, counts, exports and the API,
  exactly as for a case that does not exist; both leave an AccessEvent.
- Break the glass: a regisseur of an organisation of kind `gemeente` may read a non-confidential
  case of their municipality for `BREAK_GLASS_MINUTES` after giving a reason; every such read
  is logged with purpose `doorbraak` and the grant is listed for the privacy officer. It never
  allows writing, and it never puts the case in the viewer's list.
- Analysts (pseudonymised viewers) who participate see pseudonyms only.
- The casusregisseur moves the case through its phases and manages participants; reopening
  a closed case also needs the regisseur role in the casusregisseur's organisation.
- Screenings: visible to the writers of the nominating organisation and to regisseurs, who
  decide them.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuidlib
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from wijkregie.cases.models import (
    Action,
    BreakGlass,
    Case,
    CaseType,
    Meeting,
    MeetingAttendee,
    Participant,
    ParticipantRole,
    Screening,
)
from wijkregie.cases.models import Confidentiality as CaseConfidentiality
from wijkregie.privacy.models import AccessAction
from wijkregie.privacy.services import log_access, log_access_many
from wijkregie.tenants.access import SIGNAL_WRITER_ROLES, Viewer
from wijkregie.tenants.models import Organisation, OrganisationKind, Role

CASE_READER_ROLES = frozenset({Role.REGISSEUR, Role.PROFESSIONAL, Role.ANALIST})
BREAK_GLASS_MINUTES = 60
PURPOSE = "casusregie"
BREAK_GLASS_PURPOSE = "doorbraak"


def parse_uuid(value: object) -> uuidlib.UUID | None:
    try:
        return uuidlib.UUID(str(value))
    except ValueError:
        return None


def reader_organisation_ids(viewer: Viewer) -> list[int]:
    return sorted(
        org for org, roles in viewer.roles_by_organisation.items() if roles & CASE_READER_ROLES
    )


def _active_participation_q(viewer: Viewer) -> Q:
    return Q(
        user_id=viewer.user.pk,
        removed_at=None,
        organisation_id__in=reader_organisation_ids(viewer),
    )


def visible_cases_q(viewer: Viewer) -> Q:
    """The one filter of every case read path (list, search, counts, export, detail, API)."""
    if not reader_organisation_ids(viewer):
        return Q(pk__in=[])
    participating = Participant.objects.filter(
        _active_participation_q(viewer), case_id=OuterRef("pk")
    )
    return Q(municipality_id=viewer.municipality_id) & Q(Exists(participating))


def participation(viewer: Viewer, case: Case) -> Participant | None:
    """The viewer's strongest active participation in the case (casusregisseur first)."""
    rows = list(
        Participant.objects.filter(_active_participation_q(viewer), case_id=case.pk).order_by("id")
    )
    rank: dict[str, int] = {ParticipantRole.REGISSEUR: 0, ParticipantRole.PARTICIPANT: 1}
    rows.sort(key=lambda p: rank.get(p.role, 2))
    return rows[0] if rows else None


def break_glass_organisation(viewer: Viewer) -> Organisation | None:
    """The gemeente organisation in which the viewer is regisseur (who may break the glass)."""
    ids = sorted(
        org for org, roles in viewer.roles_by_organisation.items() if Role.REGISSEUR in roles
    )
    if not ids or viewer.pseudonymised:
        return None
    return (
        Organisation.objects.filter(
            pk__in=ids, municipality_id=viewer.municipality_id, kind=OrganisationKind.GEMEENTE
        )
        .order_by("pk")
        .first()
    )


def may_break_glass(viewer: Viewer, case: Case) -> bool:
    return (
        case.municipality_id == viewer.municipality_id
        and case.confidentiality == CaseConfidentiality.NORMAAL
        and break_glass_organisation(viewer) is not None
    )


def active_break_glass(viewer: Viewer, case: Case) -> BreakGlass | None:
    if not may_break_glass(viewer, case):
        return None
    return (
        BreakGlass.objects.filter(case_id=case.pk, user_id=viewer.user.pk, until__gt=timezone.now())
        .order_by("-at")
        .first()
    )


@dataclass(frozen=True)
class CaseAccess:
    case: Case
    participant: Participant | None
    break_glass: BreakGlass | None

    @property
    def via_break_glass(self) -> bool:
        return self.participant is None and self.break_glass is not None

    @property
    def is_casusregisseur(self) -> bool:
        return self.participant is not None and self.participant.role == ParticipantRole.REGISSEUR


def _deny(viewer: Viewer, object_id: str, purpose: str) -> None:
    log_access(
        viewer=viewer,
        action=AccessAction.READ,
        object_type="case",
        object_id=object_id,
        granted=False,
        purpose=purpose,
    )
    raise Http404


def access_case(
    viewer: Viewer, case_uuid: object, *, purpose: str = PURPOSE, write: bool = False
) -> CaseAccess:
    """The case if the viewer participates (or, for reading, broke the glass), else 404.

    Logs one AccessEvent either way; a read through break-the-glass is marked as such.
    """
    parsed = parse_uuid(case_uuid)
    if parsed is None:
        raise Http404
    case = (
        Case.objects.filter(uuid=parsed, municipality_id=viewer.municipality_id)
        .select_related("case_type")
        .first()
    )
    if case is None:
        _deny(viewer, str(parsed), purpose)
    assert case is not None
    participant = participation(viewer, case)
    glass = None if participant is not None or write else active_break_glass(viewer, case)
    if participant is None and glass is None:
        _deny(viewer, str(parsed), purpose)
    log_access(
        viewer=viewer,
        action=AccessAction.READ,
        object_type="case",
        object_id=str(case.uuid),
        granted=True,
        purpose=purpose if participant is not None else BREAK_GLASS_PURPOSE,
        organisation_id=(
            participant.organisation_id if participant is not None else glass.organisation_id  # type: ignore[union-attr]
        ),
        detail=(
            "break-the-glass"
            if participant is None
            else ("pseudonymised" if viewer.pseudonymised else participant.role)
        ),
        # A break-the-glass read awaits the privacy officer's review (/privacy/signaleringen/).
        flagged=participant is None,
    )
    return CaseAccess(case=case, participant=participant, break_glass=glass)


def may_transition(access: CaseAccess) -> bool:
    return access.is_casusregisseur


def may_reopen(viewer: Viewer, access: CaseAccess) -> bool:
    """The casusregisseur, if they are regisseur in the organisation they take part for."""
    p = access.participant
    return (
        access.is_casusregisseur
        and p is not None
        and Role.REGISSEUR in viewer.roles_by_organisation.get(p.organisation_id, frozenset())
    )


def may_manage_participants(access: CaseAccess) -> bool:
    return access.is_casusregisseur


# --- screenings ---------------------------------------------------------------------------


def writer_organisation_ids(viewer: Viewer) -> list[int]:
    return sorted(
        org for org, roles in viewer.roles_by_organisation.items() if roles & SIGNAL_WRITER_ROLES
    )


def nominating_organisations(viewer: Viewer, case_type: CaseType) -> list[Organisation]:
    """The viewer's organisations that may nominate for this type (writers only)."""
    orgs = Organisation.objects.filter(
        pk__in=writer_organisation_ids(viewer), municipality_id=viewer.municipality_id
    ).order_by("name")
    return [o for o in orgs if case_type.may_nominate(o)]


def may_decide(viewer: Viewer) -> bool:
    return viewer.has_role(Role.REGISSEUR) and not viewer.pseudonymised


def may_nominate_any(viewer: Viewer) -> bool:
    return bool(writer_organisation_ids(viewer))


def visible_screenings_q(viewer: Viewer) -> Q:
    if may_decide(viewer):
        return Q(municipality_id=viewer.municipality_id)
    own = writer_organisation_ids(viewer)
    if not own:
        return Q(pk__in=[])
    return Q(municipality_id=viewer.municipality_id, nominating_organisation_id__in=own)


def access_screening(viewer: Viewer, screening_uuid: object) -> Screening:
    parsed = parse_uuid(screening_uuid)
    if parsed is None:
        raise Http404
    screening = (
        Screening.objects.filter(visible_screenings_q(viewer), uuid=parsed)
        .select_related("case_type", "subject", "signal", "nominating_organisation")
        .first()
    )
    log_access(
        viewer=viewer,
        action=AccessAction.READ,
        object_type="screening",
        object_id=str(parsed),
        granted=screening is not None,
        purpose="screening",
        subject_pseudonym=screening.subject.pseudonym if screening and screening.subject else "",
    )
    if screening is None:
        raise Http404
    return screening


def break_glass_expiry(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) + dt.timedelta(minutes=BREAK_GLASS_MINUTES)


# --- plan of action -----------------------------------------------------------------------


def may_manage_plan(access: CaseAccess) -> bool:
    """The casusregisseur manages goals and actions (never through break-the-glass)."""
    return access.is_casusregisseur and not access.case.is_closed


def owner_participation_q(viewer: Viewer) -> Q:
    """Actions whose owner organisation the viewer takes part for in the action's case (also
    as observer): the viewer's own actions. Pseudonymised viewers have none."""
    if viewer.pseudonymised or not reader_organisation_ids(viewer):
        return Q(pk__in=[])
    mine = Participant.objects.filter(
        _active_participation_q(viewer),
        case_id=OuterRef("case_id"),
        organisation_id=OuterRef("owner_organisation_id"),
    )
    return Q(municipality_id=viewer.municipality_id) & Q(Exists(mine))


def may_update_action(viewer: Viewer, access: CaseAccess, owner_organisation_id: int) -> bool:
    """Status and progress notes: the owner organisation's participants, or the casusregisseur."""
    if viewer.pseudonymised or access.participant is None or access.case.is_closed:
        return False
    if access.is_casusregisseur:
        return True
    return Participant.objects.filter(
        _active_participation_q(viewer),
        case_id=access.case.pk,
        organisation_id=owner_organisation_id,
    ).exists()


def access_action(
    viewer: Viewer, action_uuid: object, *, purpose: str = PURPOSE, write: bool = False
) -> tuple[CaseAccess, Action]:
    """An action and the access to its case; 404 (logged) like the case for non-participants."""
    parsed = parse_uuid(action_uuid)
    if parsed is None:
        raise Http404
    action = (
        Action.objects.filter(uuid=parsed, municipality_id=viewer.municipality_id)
        .select_related("case", "owner_organisation", "owner_user", "goal__life_domain")
        .first()
    )
    if action is None:
        _deny(viewer, str(parsed), purpose)
    assert action is not None
    access = access_case(viewer, action.case.uuid, purpose=purpose, write=write)
    return access, action


# --- meetings -----------------------------------------------------------------------------


def may_chair(viewer: Viewer) -> bool:
    """Regisseurs convene and chair case meetings."""
    return may_decide(viewer)


def visible_meetings_q(viewer: Viewer) -> Q:
    """Meetings of the viewer's municipality that they chair or attend (with a reading role)."""
    if not reader_organisation_ids(viewer):
        return Q(pk__in=[])
    attending = MeetingAttendee.objects.filter(
        meeting_id=OuterRef("pk"),
        user_id=viewer.user.pk,
        organisation_id__in=reader_organisation_ids(viewer),
    )
    return Q(municipality_id=viewer.municipality_id) & (
        Q(chair_id=viewer.user.pk) | Q(Exists(attending))
    )


def access_meeting(viewer: Viewer, meeting_uuid: object) -> Meeting:
    """A meeting the viewer chairs or attends, else 404; logged either way."""
    parsed = parse_uuid(meeting_uuid)
    if parsed is None:
        raise Http404
    meeting = (
        Meeting.objects.filter(visible_meetings_q(viewer), uuid=parsed)
        .select_related("chair", "chair_organisation")
        .first()
    )
    log_access(
        viewer=viewer,
        action=AccessAction.READ,
        object_type="meeting",
        object_id=str(parsed),
        granted=meeting is not None,
        purpose="casusoverleg",
    )
    if meeting is None:
        raise Http404
    return meeting


def is_chair(viewer: Viewer, meeting: Meeting) -> bool:
    return meeting.chair_id == viewer.user.pk and not viewer.pseudonymised


def log_case_reads(viewer: Viewer, case_ids: list[str], *, detail: str) -> None:
    """One AccessEvent per case whose content a list page shows (my actions, an agenda, the
    dashboard), appended to the log's chain in one go."""
    log_access_many(
        viewer=viewer,
        action=AccessAction.READ,
        object_type="case",
        object_ids=sorted(set(case_ids)),
        purpose=PURPOSE,
        detail=detail,
    )
