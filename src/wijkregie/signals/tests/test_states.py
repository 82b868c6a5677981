"""The signal status machine, tested as a full transition table."""

from __future__ import annotations

import itertools

import pytest

from wijkregie.signals.states import FINAL, TRANSITIONS, Status, is_allowed, next_statuses

# from, to -> (allowed without reopen right, allowed with reopen right)
EXPECTED = {
    ("open", "in_behandeling"): (True, True),
    ("open", "geannuleerd"): (True, True),
    ("in_behandeling", "doorgezet"): (True, True),
    ("in_behandeling", "afgehandeld"): (True, True),
    ("in_behandeling", "geannuleerd"): (True, True),
    ("doorgezet", "open"): (False, True),
    ("afgehandeld", "open"): (False, True),
    ("geannuleerd", "open"): (False, True),
}


@pytest.mark.parametrize(
    ("current", "target"), list(itertools.product([s.value for s in Status], repeat=2))
)
def test_transition_table(current: str, target: str) -> None:
    plain, with_right = EXPECTED.get((current, target), (False, False))
    assert is_allowed(current, target, may_reopen=False) is plain
    assert is_allowed(current, target, may_reopen=True) is with_right


def test_unknown_statuses_are_refused() -> None:
    assert not is_allowed("open", "weg", may_reopen=True)
    assert not is_allowed("weg", "open", may_reopen=True)


def test_final_states_only_reopen() -> None:
    for state in FINAL:
        assert next_statuses(state, may_reopen=False) == []
        assert next_statuses(state, may_reopen=True) == [Status.OPEN]
    assert set(TRANSITIONS) == set(EXPECTED)
