"""The regisseur's dashboard (ADR 0019): cases per phase, overdue actions, stalled cases and
counts per partner - viewer-scoped like every case read.

- **Own cases** (every viewer with a case-reading role): only the cases the viewer takes part
  in (`visible_cases_q`), with their overdue actions and stalled cases listed. Pseudonymised
  participants (analysts) get counts with the small-count rule and no action texts.
- **Municipality-wide counts** (a regisseur of a gemeente organisation, the party responsible
  for the regie): cases per phase and open/overdue/stalled actions per owner organisation over
  every non-confidential case of the municipality, counts only - no reference, title or link -
  with counts from 1 below `SMALL_COUNT_THRESHOLD` suppressed, because the viewer does not take
  part in most of those cases. Confidential cases are left out (they may not even be known to
  exist outside the case).

A fixed number of queries, whatever the number of cases: the phase counts (one GROUP BY over
the cases), one GROUP BY over the actions of open cases per (case, owner organisation) from
which both scopes' partner counts and stalled cases are summed, the overdue list (two index
walks), the stalled cases shown and the escalation steps of the overdue list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, Max, OuterRef, Q
from django.utils import timezone

from wijkregie.cases import escalation
from wijkregie.cases.access import break_glass_organisation, reader_organisation_ids
from wijkregie.cases.action_states import ACTIVE
from wijkregie.cases.models import (
    Action,
    Case,
    Confidentiality,
    EscalationLadder,
    EscalationStepKind,
    Participant,
)
from wijkregie.cases.states import PHASE_LABELS, Phase
from wijkregie.tenants.access import Viewer
from wijkregie.tenants.models import Organisation

LIST_LIMIT = 50
DEFAULT_STALLED_DAYS = 30
ACTIVE_VALUES = [s.value for s in ACTIVE]
STEP_LABELS = dict(EscalationStepKind.choices)


def suppress(n: int, threshold: int) -> int | None:
    """None for 0 < n < threshold (a small count), else n."""
    return None if 0 < n < threshold else n


@dataclass
class PartnerRow:
    organisation: str
    active: int | None
    overdue: int | None
    stalled: int | None


@dataclass
class OverdueRow:
    action: Action
    days_overdue: int
    escalation: str  # label of the highest recorded step, "" if none


@dataclass
class StalledRow:
    case: Case
    last_activity: dt.datetime
    active_actions: int


@dataclass
class Overview:
    """Counts of one scope (own cases or the municipality)."""

    phases: list[tuple[str, Any, int | None]]
    partners: list[PartnerRow]
    open_cases: int | None
    overdue: int | None
    stalled_cases: int | None


@dataclass
class Dashboard:
    today: dt.date
    stalled_days: int
    own: Overview
    overdue: list[OverdueRow] = field(default_factory=list)
    stalled: list[StalledRow] = field(default_factory=list)
    municipality: Overview | None = None
    show_texts: bool = True

    @property
    def shown_case_uuids(self) -> list[str]:
        return sorted(
            {str(r.action.case.uuid) for r in self.overdue}
            | {str(r.case.uuid) for r in self.stalled}
        )


def may_see_dashboard(viewer: Viewer) -> bool:
    return bool(reader_organisation_ids(viewer))


def sees_municipality(viewer: Viewer) -> bool:
    """A regisseur of a gemeente organisation (not pseudonymised): municipality-wide counts."""
    return break_glass_organisation(viewer) is not None


def default_stalled_days(viewer: Viewer) -> int:
    row = (
        EscalationLadder.objects.filter(municipality_id=viewer.municipality_id, case_type=None)
        .values_list("stalled_days", flat=True)
        .first()
    )
    return int(row or DEFAULT_STALLED_DAYS)


def _my_case_ids(viewer: Viewer) -> Any:
    """The cases the viewer takes part in (a subquery), as `visible_cases_q` has them."""
    return Participant.objects.filter(
        user_id=viewer.user.pk,
        removed_at=None,
        organisation_id__in=reader_organisation_ids(viewer),
        municipality_id=viewer.municipality_id,
    ).values("case_id")


@dataclass
class _Tally:
    cutoff: dt.datetime
    phases: dict[str, int] = field(default_factory=dict)
    partners: dict[int, list[int]] = field(
        default_factory=dict
    )  # org -> [active, overdue, stalled]
    stalled: list[tuple[int, dt.datetime, int]] = field(default_factory=list)

    def overview(self, names: dict[int, str], threshold: int) -> Overview:
        stalled = self.stalled_cases()
        return Overview(
            phases=[
                (p.value, PHASE_LABELS[p], suppress(self.phases.get(p.value, 0), threshold))
                for p in Phase
            ],
            partners=sorted(
                (
                    PartnerRow(
                        organisation=names.get(org, "?"),
                        active=suppress(a, threshold),
                        overdue=suppress(o, threshold),
                        stalled=suppress(s, threshold),
                    )
                    for org, (a, o, s) in self.partners.items()
                    if a
                ),
                key=lambda r: r.organisation,
            ),
            open_cases=suppress(
                sum(n for phase, n in self.phases.items() if phase != Phase.AFGESLOTEN),
                threshold,
            ),
            overdue=suppress(sum(o for _a, o, _s in self.partners.values()), threshold),
            stalled_cases=suppress(len(stalled), threshold),
        )

    def stalled_cases(self) -> list[tuple[int, dt.datetime, int]]:
        """(case id, last activity, active actions), longest without progress first."""
        return sorted(self.stalled, key=lambda r: (r[1], r[0]))


def _add_partner(tally: _Tally, row: Mapping[str, Any]) -> None:
    counts = tally.partners.setdefault(row["owner_organisation_id"], [0, 0, 0])
    counts[0] += row["active"]
    counts[1] += row["overdue"]
    counts[2] += row["stalled"]


def _overdue_list(viewer: Viewer, today: dt.date) -> list[Action]:
    """The oldest overdue actions of the viewer's open cases: per active status one walk of the
    (municipality, status, due date) index that stops after LIST_LIMIT rows, then merged."""
    found: list[Action] = []
    for status in ACTIVE_VALUES:
        found += list(
            Action.objects.filter(
                municipality_id=viewer.municipality_id,
                status=status,
                due_date__lt=today,
                case_id__in=_my_case_ids(viewer),
            )
            .exclude(case__phase=Phase.AFGESLOTEN)
            .select_related("case", "owner_organisation")
            .order_by("due_date", "id")[:LIST_LIMIT]
        )
    found.sort(key=lambda a: (a.due_date, a.pk))
    return found[:LIST_LIMIT]


def dashboard(
    *, viewer: Viewer, stalled_days: int | None = None, now: dt.datetime | None = None
) -> Dashboard:
    """A fixed number of queries whatever the size: phase counts (cases), one GROUP BY over the
    actions of open cases per (case, owner), the overdue list (index walks), the stalled cases
    shown. Municipality-wide and own figures come from the same scans."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    days = stalled_days or default_stalled_days(viewer)
    cutoff = now - dt.timedelta(days=days)
    wide = sees_municipality(viewer)
    mine_q = Q(case_id__in=_my_case_ids(viewer))
    normal = Confidentiality.NORMAAL
    # Wide: every case of the municipality, split by the `mine` flag and confidentiality here.
    scope_cases = Q() if wide else Q(pk__in=_my_case_ids(viewer))
    own, everyone = _Tally(cutoff=cutoff), _Tally(cutoff=cutoff)
    case_rows = (
        Case.objects.filter(scope_cases, municipality_id=viewer.municipality_id)
        .annotate(
            mine=Exists(
                Participant.objects.filter(
                    user_id=viewer.user.pk,
                    removed_at=None,
                    organisation_id__in=reader_organisation_ids(viewer),
                    case_id=OuterRef("pk"),
                )
            )
        )
        .order_by()
        .values_list("phase", "confidentiality", "mine")
        .annotate(n=Count("id"))
    )
    for phase, confidentiality, mine, n in case_rows:
        if mine:
            own.phases[phase] = own.phases.get(phase, 0) + n
        if wide and confidentiality == normal:
            everyone.phases[phase] = everyone.phases.get(phase, 0) + n
    # Two GROUP BYs over the actions of open cases: per owner organisation (with a flag for
    # the viewer's own cases and the case's confidentiality: a handful of rows) and per case,
    # keeping only the stalled ones. For the municipality-wide view they read every open case
    # and the rows are sorted into both scopes here: an OR of "mine" and "not confidential" in
    # the WHERE clause made PostgreSQL test a hashed subplan per joined row (several times
    # slower), and a GROUP BY per (case, owner) sent some 20,000 rows to Python.
    actions = Action.objects.filter(municipality_id=viewer.municipality_id).exclude(
        case__phase=Phase.AFGESLOTEN
    )
    if not wide:
        actions = actions.filter(mine_q)
    active_q = Q(status__in=ACTIVE_VALUES)
    per_owner = (
        actions.filter(active_q)
        .order_by()
        .annotate(mine=ExpressionWrapper(mine_q, output_field=BooleanField()))
        .values("owner_organisation_id", "mine", "case__confidentiality")
        .annotate(
            active=Count("id"),
            overdue=Count("id", filter=Q(due_date__lt=today)),
            stalled=Count("id", filter=Q(updated_at__lt=cutoff)),
        )
    )
    for row in per_owner:
        if row["mine"]:
            _add_partner(own, row)
        if wide and row["case__confidentiality"] == normal:
            _add_partner(everyone, row)
    stalled_rows = list(
        actions.order_by()
        .values("case_id")
        .annotate(last=Max("updated_at"), n=Count("id", filter=active_q))
        .filter(last__lt=cutoff, n__gt=0)
        .values_list("case_id", "last", "n", "case__confidentiality")
    )
    mine_case_ids: set[int] = (
        set(_my_case_ids(viewer).values_list("case_id", flat=True)) if wide else set()
    )
    for case_id, last, n, confidentiality in stalled_rows:
        if not wide or case_id in mine_case_ids:
            own.stalled.append((case_id, last, n))
        if wide and confidentiality == normal:
            everyone.stalled.append((case_id, last, n))
    names = dict(
        Organisation.objects.filter(pk__in=set(own.partners) | set(everyone.partners)).values_list(
            "pk", "name"
        )
    )
    threshold = viewer.small_count_threshold
    result = Dashboard(
        today=today,
        stalled_days=days,
        own=own.overview(names, threshold),
        show_texts=not viewer.pseudonymised,
        municipality=(
            everyone.overview(names, int(settings.SMALL_COUNT_THRESHOLD)) if wide else None
        ),
    )
    overdue = _overdue_list(viewer, today)
    steps = escalation.escalations_for([a.pk for a in overdue])
    for a in overdue:
        current = [s for s in steps.get(a.pk, []) if s.due_date == a.due_date]
        top = max(current, key=lambda s: s.level) if current else None
        result.overdue.append(
            OverdueRow(
                action=a,
                days_overdue=(today - a.due_date).days,
                escalation=str(STEP_LABELS.get(top.step, top.step)) if top else "",
            )
        )
    shown = own.stalled_cases()[:LIST_LIMIT]
    cases = {
        c.pk: c
        for c in Case.objects.filter(pk__in=[cid for cid, _l, _n in shown]).select_related(
            "case_type"
        )
    }
    result.stalled = [
        StalledRow(case=cases[cid], last_activity=last, active_actions=n)
        for cid, last, n in shown
        if cid in cases
    ]
    return result
