"""The demo's case data (cases/demo.py): every phase, several organisations, overdue
actions, two meetings with decisions, a closed case with its evaluation; the same for the
same seed, and gone with a reset."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from wijkregie.cases.models import (
    Action,
    Case,
    CaseEvaluation,
    CaseType,
    Meeting,
    MeetingDecision,
    Participant,
)
from wijkregie.cases.plan_selectors import overdue_actions_q
from wijkregie.cases.states import Phase
from wijkregie.demo import catalogue as cat
from wijkregie.demo.services import ensure_demo
from wijkregie.signals.models import Signal
from wijkregie.tenants.models import Municipality

pytestmark = pytest.mark.django_db

END = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def fingerprint() -> list[Any]:
    rows = []
    for case in Case.objects.order_by("id").select_related("case_type", "screening__signal"):
        rows.append(
            (
                case.case_type.code,
                case.title,
                case.phase,
                case.confidentiality,
                str(case.screening.signal.uuid),  # type: ignore[union-attr]
                sorted(
                    Participant.objects.filter(case=case).values_list(
                        "user__username", "organisation__slug", "role"
                    )
                ),
                sorted(
                    Action.objects.filter(case=case).values_list(
                        "description", "owner_organisation__slug", "due_date", "status"
                    )
                ),
            )
        )
    return rows


def test_demo_cases_cover_every_phase_and_are_the_same_for_the_same_seed() -> None:
    ensure_demo(seed=4, n_signals=300, end=END)
    gm = Municipality.objects.get(cbs_code=cat.CBS_CODE)
    cases = Case.objects.filter(municipality=gm)
    assert {c.phase for c in cases} == {p.value for p in Phase}
    assert len({c.case_type_id for c in cases}) == CaseType.objects.filter(municipality=gm).count()
    assert cases.filter(confidentiality="vertrouwelijk").count() == 1
    organisations = set(
        Participant.objects.filter(case__municipality=gm).values_list(
            "organisation__slug", flat=True
        )
    )
    assert len(organisations) >= 6
    overdue = Action.objects.filter(overdue_actions_q(), case__municipality=gm)
    assert overdue.count() >= 3
    assert all(a.due_date < timezone.localdate() for a in overdue)
    meetings = Meeting.objects.filter(municipality=gm)
    assert meetings.count() == 2
    for meeting in meetings:
        assert meeting.items.exists(), meeting.title
        assert MeetingDecision.objects.filter(meeting=meeting).exists(), meeting.title
    assert meetings.filter(minutes_approved_at__isnull=False).count() == 1
    # A decision of the coming meeting added an action to the group case's plan.
    assert Action.objects.filter(origin_decision__isnull=False).count() == 1
    closed = cases.get(phase="afgesloten")
    evaluation = CaseEvaluation.objects.get(case=closed)
    assert [g["outcome"] for g in evaluation.goal_outcomes] == ["bereikt", "deels"]
    assert evaluation.handover_organisation.slug == "welzijn"  # type: ignore[union-attr]
    assert closed.retain_until is not None
    # Same seed, reset: the same cases from the same signals.
    before = fingerprint()
    ensure_demo(seed=4, n_signals=300, end=END, reset=True)
    assert Case.objects.count() == len(before)
    assert fingerprint() == before
    assert Signal.objects.filter(municipality__cbs_code=cat.CBS_CODE).count() == 300
