"""The phase machine as a transition table, written out by hand."""

from __future__ import annotations

import pytest

from wijkregie.cases.states import (
    DEFAULT_TRANSITIONS,
    Kind,
    Phase,
    next_phases,
    rule_for,
    transitions_for,
    valid_phases,
)

A, N, P, U, M, C = (
    Phase.AANMELDING,
    Phase.ANALYSE,
    Phase.PLAN,
    Phase.UITVOERING,
    Phase.MONITORING,
    Phase.AFGESLOTEN,
)
F, B, X, R = Kind.FORWARD, Kind.BACK, Kind.CLOSE, Kind.REOPEN

# from -> to -> kind; every pair not listed is refused.
EXPECTED = {
    (A, N): F, (A, C): X,
    (N, A): B, (N, P): F, (N, C): X,
    (P, N): B, (P, U): F, (P, C): X,
    (U, P): B, (U, M): F, (U, C): X,
    (M, U): B, (M, C): X,
    (C, N): R,
}  # fmt: skip


def test_default_table_is_exactly_the_expected_table() -> None:
    assert {key: rule.kind for key, rule in DEFAULT_TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize("current", list(Phase))
@pytest.mark.parametrize("target", list(Phase))
def test_every_pair(current: Phase, target: Phase) -> None:
    rule = rule_for([p.value for p in Phase if p != C], current, target)
    if (current, target) in EXPECTED:
        assert rule is not None and rule.kind == EXPECTED[(current, target)]
        assert rule.needs_result == (EXPECTED[(current, target)] == X)
        assert rule.needs_reopen_right == (EXPECTED[(current, target)] == R)
        assert rule.needs_reason == (EXPECTED[(current, target)] in (B, R))
    else:
        assert rule is None


def test_a_type_without_plan_and_analyse_skips_them_and_reopens_to_its_second_phase() -> None:
    table = {k: r.kind for k, r in transitions_for(["aanmelding", "uitvoering"]).items()}
    assert table == {(A, U): F, (U, A): B, (A, C): X, (U, C): X, (C, U): R}


def test_closed_case_offers_reopen_only_with_the_right() -> None:
    phases = [p.value for p in Phase if p != C]
    assert next_phases(phases, "afgesloten", may_reopen=False) == []
    assert next_phases(phases, "afgesloten", may_reopen=True) == [N]
    assert next_phases(phases, "plan", may_reopen=False) == [N, U, C]


@pytest.mark.parametrize(
    ("phases", "ok"),
    [
        (["aanmelding"], True),
        (["aanmelding", "plan", "monitoring"], True),
        ([], False),
        (["analyse"], False),
        (["aanmelding", "plan", "analyse"], False),
        (["aanmelding", "aanmelding"], False),
        (["aanmelding", "afgesloten"], False),
        (["aanmelding", "onbekend"], False),
    ],
)
def test_valid_phases(phases: list[str], ok: bool) -> None:
    assert valid_phases(phases) is ok


def test_unknown_phase_has_no_rule() -> None:
    assert rule_for(["aanmelding"], "aanmelding", "weg") is None
