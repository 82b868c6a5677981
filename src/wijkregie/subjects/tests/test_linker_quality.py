"""The linker on generated Dutch records with known truth: quality, hard cases, determinism."""

from __future__ import annotations

import random

import numpy as np
import pytest

from wijkregie.privacy.pseudonyms import pseudonymise_bsn
from wijkregie.subjects.linker.api import LinkResult, PersonRecord, link_all
from wijkregie.testing.persons import GeneratedSet, generate, pairwise_scores

KEY = b"quality-test-key"


def records_of(data: GeneratedSet) -> list[PersonRecord]:
    return [PersonRecord(r[0], r[1], pseudonymise_bsn(r[2], KEY), *r[3:]) for r in data.rows]


@pytest.fixture(scope="module")
def linked() -> tuple[GeneratedSet, LinkResult, np.ndarray]:
    data = generate(4000, seed=3)
    result = link_all(records_of(data))
    mapping = result.as_dict()
    predicted = np.asarray([mapping[row[0]] for row in data.rows])
    return data, result, predicted


def test_generator_is_deterministic_and_has_the_edge_cases() -> None:
    a, b = generate(2000, seed=9), generate(2000, seed=9)
    assert a.rows == b.rows and (a.truth == b.truth).all()
    assert generate(2000, seed=10).rows != a.rows
    assert len(a.rows) == 2000
    persons = np.unique(a.truth).size
    assert persons == 1400  # 30 % duplicates
    big = generate(20000, seed=9)
    for kind in ("twins", "junior_senior", "partners"):
        assert big.hard_cases[kind], kind
    texts = [",".join(row) for row in big.rows]
    assert any(", van" in row[5] for row in big.rows)  # inverted surname
    assert any("." in row[3] for row in big.rows)  # initials
    assert any(row[2] == "" for row in big.rows) and any(row[6] == "" for row in big.rows)
    assert any(" maart " in t or " mei " in t for t in texts)  # Dutch month names


def test_pairwise_quality_on_a_generated_set(
    linked: tuple[GeneratedSet, LinkResult, np.ndarray],
) -> None:
    data, _, predicted = linked
    scores = pairwise_scores(data.truth, predicted)
    assert scores["precision"] >= 0.97, scores
    assert scores["recall"] >= 0.85, scores
    assert scores["f1"] >= 0.92, scores
    # A plain "everyone alone" answer would have recall 0: the linker did real work.
    assert scores["correct_pairs"] > 0.85 * scores["true_pairs"]


def test_hard_cases_stay_apart(linked: tuple[GeneratedSet, LinkResult, np.ndarray]) -> None:
    data, _, predicted = linked
    clusters_of: dict[int, set[str]] = {}
    for truth, pid in zip(data.truth.tolist(), predicted.tolist(), strict=True):
        clusters_of.setdefault(truth, set()).add(pid)
    checked = 0
    for kind in ("twins", "junior_senior", "partners"):
        for a, b in data.hard_cases[kind]:
            if a in clusters_of and b in clusters_of:
                shared = clusters_of[a] & clusters_of[b]
                assert not shared, (kind, a, b)
                checked += 1
    assert checked > 50


def test_every_cluster_is_veto_free_and_small(
    linked: tuple[GeneratedSet, LinkResult, np.ndarray],
) -> None:
    _, result, _ = linked
    sizes = np.bincount(result.labels)
    assert sizes.max() <= 30
    assert result.stats["clusters"] == sizes.size
    rules = {link.explanation.rule for link in result.links()}
    assert rules <= {"bsn", "score"} and rules


def test_same_records_in_any_order_give_the_same_person_ids() -> None:
    data = generate(1500, seed=4)
    records = records_of(data)
    first = link_all(records).as_dict()
    shuffled = list(records)
    random.Random(99).shuffle(shuffled)
    assert link_all(shuffled).as_dict() == first
    assert link_all(list(reversed(records))).as_dict() == first
    assert set(first) == {r.record_id for r in records}


def test_duplicate_record_ids_are_refused() -> None:
    record = PersonRecord("same", achternaam="Bakker")
    with pytest.raises(ValueError):
        link_all([record, record])
