"""The linker pipeline behind api.py: estimate, link a table, match one record, explain."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from wijkregie.subjects.linker.blocking import candidate_pairs
from wijkregie.subjects.linker.cluster import cluster
from wijkregie.subjects.linker.compare import (
    BSN_EQUAL,
    DOB_EQUAL,
    FN_EQUAL,
    SN_EQUAL,
    VETO_NONE,
    Scorer,
    compare_levels,
)
from wijkregie.subjects.linker.model import FIELDS, LEVELS, VETOES, LinkModel
from wijkregie.subjects.linker.normalise import Features, RecordTable

if TYPE_CHECKING:
    from wijkregie.subjects.linker.api import Explanation, LinkResult, Match, PersonRecord

CHUNK = 1_000_000  # pairs compared at once (bounds memory)
RANDOM_PAIRS = 200_000
SEED = 20261129
PSEUDO_COUNT = 20.0  # weight of the defaults when blending estimated m (in pairs)
MIN_BSN_PAIRS = 50
MIN_RECORDS = 500
TF_MIN_COUNT = 10
TF_MAX_VALUES = 5000


def compare_chunked(
    f: Features, left: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    if left.size <= CHUNK:
        return compare_levels(f, left, right)
    levels, vetoes = [], []
    for start in range(0, left.size, CHUNK):
        lv, vt = compare_levels(f, left[start : start + CHUNK], right[start : start + CHUNK])
        levels.append(lv)
        vetoes.append(vt)
    return np.concatenate(levels), np.concatenate(vetoes)


def _level_shares(levels: np.ndarray, n_levels: int) -> tuple[np.ndarray, int]:
    counts = np.bincount(levels.astype(np.int64), minlength=n_levels)[:n_levels].astype(float)
    counts[0] = 0.0
    return counts, int(counts.sum())


def _collision(codes: np.ndarray) -> float:
    """P(two random records with the value have the same value): sum of squared shares."""
    present = codes[codes > 0]
    if present.size < 2:
        return 0.0
    _, counts_int = np.unique(present, return_counts=True)
    counts = counts_int.astype(float)
    total = counts.sum()
    return float(((counts * (counts - 1)).sum()) / (total * (total - 1)))


def _term_frequencies(codes: np.ndarray, values: list[str]) -> tuple[dict[str, float], float]:
    present = codes[codes > 0]
    if present.size == 0:
        return {}, 2e-4
    counts = np.bincount(present, minlength=len(values))
    total = float(present.size)
    common = np.flatnonzero(counts >= TF_MIN_COUNT)
    common = common[np.argsort(-counts[common], kind="stable")][:TF_MAX_VALUES]
    table = {values[int(c)]: float(counts[c]) / total for c in common.tolist()}
    rest_count = total - float(counts[common].sum())
    rest_values = int((counts > 0).sum()) - common.size
    floor = rest_count / total / rest_values if rest_values > 0 and rest_count > 0 else 1.0 / total
    return table, floor


def estimate(f: Features, left: np.ndarray, right: np.ndarray, levels: np.ndarray) -> LinkModel:
    """m from BSN-equal candidate pairs, u from random pairs and value collisions."""
    model = LinkModel.default()
    n = f.n
    if n < MIN_RECORDS:
        # Too few records to say anything: the defaults, with a prior for this size.
        model.prior_log2 = math.log2(0.25 * max(n, 2) / max(n * (n - 1) / 2, 1.0))
        model.estimated_from = {"records": n, "defaults": 1}
        return model
    bsn_pairs = levels[:, 0] == BSN_EQUAL
    n_bsn_pairs = int(bsn_pairs.sum())

    # m: non-BSN fields from BSN-equal pairs, blended with the defaults.
    for k, name in enumerate(FIELDS):
        n_levels = len(LEVELS[name])
        default = np.asarray(model.m[name], dtype=float)
        if name == "bsn":
            strong = (
                (levels[:, 1] == FN_EQUAL)
                & (levels[:, 2] == SN_EQUAL)
                & (levels[:, 3] == DOB_EQUAL)
                & (levels[:, 0] > 0)
            )
            counts, total = _level_shares(levels[strong, 0], n_levels)
        else:
            counts, total = _level_shares(levels[bsn_pairs, k], n_levels)
        blended = (counts + PSEUDO_COUNT * default) / (total + PSEUDO_COUNT * default[1:].sum())
        blended[0] = 0.0
        model.m[name] = [float(x) for x in blended]

    # u: random pairs (fixed seed on the canonical order: deterministic).
    n_random = 0
    if n >= 2:
        rng = np.random.default_rng(SEED)
        size = int(min(RANDOM_PAIRS, max(2000, 20 * n)))
        a = rng.integers(0, n, size)
        b = rng.integers(0, n, size)
        keep = a != b
        a, b = a[keep], b[keep]
        n_random = int(a.size)
        random_levels, _ = compare_chunked(f, a, b)
        for k, name in enumerate(FIELDS):
            n_levels = len(LEVELS[name])
            counts, total = _level_shares(random_levels[:, k], n_levels)
            if total < 100:
                continue
            shares = (counts + 0.5) / (total + 0.5 * (n_levels - 1))
            shares[0] = 0.0
            model.u[name] = [float(x) for x in shares]
    # Exact agreement: the collision probability of the values themselves.
    for name, codes, level in (
        ("bsn", f.bsn, BSN_EQUAL),
        ("geboortedatum", f.dob, DOB_EQUAL),
        ("adres", f.addr_full, 1),
    ):
        collision = _collision(codes)
        if collision > 0:
            model.u[name][level] = collision
    model.tf["achternaam"], model.tf_floor["achternaam"] = _term_frequencies(
        f.sur_core, f.sur_values
    )
    model.tf["voornamen"], model.tf_floor["voornamen"] = _term_frequencies(
        f.fn_first, f.fn_first_values
    )

    # Prior: matching pairs in the whole set, from the BSN-equal pairs.
    total_pairs = n * (n - 1) / 2 if n > 1 else 1.0
    with_bsn = float((f.bsn > 0).mean()) if n else 0.0
    if n_bsn_pairs >= MIN_BSN_PAIRS and with_bsn > 0:
        expected = n_bsn_pairs / (with_bsn**2) / max(model.m["bsn"][BSN_EQUAL], 0.5)
    else:
        expected = 0.25 * max(n, 1)
    model.prior_log2 = math.log2(max(expected, 1.0) / max(total_pairs, 1.0))
    model.estimated_from = {
        "records": n,
        "candidate_pairs": int(left.size),
        "bsn_equal_pairs": n_bsn_pairs,
        "random_pairs": n_random,
    }
    return model


def estimate_from_table(table: RecordTable) -> LinkModel:
    f = table.features()
    model = LinkModel.default()
    left, right = candidate_pairs(f, model.max_block_size)
    levels, _ = compare_chunked(f, left, right)
    return estimate(f, left, right, levels)


def explanation(scorer: Scorer, a: int, b: int) -> Explanation:
    from wijkregie.subjects.linker.api import Explanation, FieldWeight

    left = np.asarray([min(a, b)], dtype=np.int64)
    right = np.asarray([max(a, b)], dtype=np.int64)
    levels, veto = compare_levels(scorer.f, left, right)
    result = scorer.decide(levels, veto, left, right)
    weights = scorer.field_weights(levels, left)[0]
    fields = tuple(
        FieldWeight(name, LEVELS[name][int(levels[0, k])], float(weights[k]))
        for k, name in enumerate(FIELDS)
    )
    score = float(result.score[0])
    veto_code = int(veto[0])
    if veto_code != VETO_NONE:
        rule = "veto"
    elif bool(result.thin[0]):
        rule = "dun"
    elif int(levels[0, 0]) == BSN_EQUAL:
        rule = "bsn"
    elif score >= scorer.model.threshold:
        rule = "score"
    else:
        rule = "onder-drempel"
    return Explanation(rule, score, scorer.model.threshold, fields, VETOES[veto_code])


def _strength(levels: np.ndarray, score: np.ndarray) -> np.ndarray:
    return np.where(levels[:, 0] == BSN_EQUAL, 1e6, 0.0) + score


def link_table(table: RecordTable, model: LinkModel | None = None) -> LinkResult:
    from wijkregie.subjects.linker.api import LinkResult

    f = table.features()
    block_size = model.max_block_size if model is not None else LinkModel.default().max_block_size
    left, right = candidate_pairs(f, block_size)
    levels, veto = compare_chunked(f, left, right)
    if model is None:
        model = estimate(f, left, right, levels)
    scorer = Scorer(model, f)
    decided = scorer.decide(levels, veto, left, right)
    linked = np.flatnonzero(decided.linked)
    e_left, e_right = left[linked], right[linked]
    strength = _strength(levels[linked], decided.score[linked])

    def vetoed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        _, v = compare_levels(f, lo, hi)
        return v != VETO_NONE

    evidence = (f.bsn > 0).astype(np.int64) + (f.dob > 0) + (f.fn_first > 0)
    labels, kept, stats = cluster(
        f.n, e_left, e_right, strength, vetoed, model.max_cluster_size, evidence
    )
    stats.update(
        {
            "records": f.n,
            "candidate_pairs": int(left.size),
            "linked_pairs": int(linked.size),
            "vetoed_pairs": int((veto != VETO_NONE).sum()),
            "thin_records": int(f.thin.sum()),
            "links_kept": int(kept.size),
        }
    )
    return LinkResult(
        table.record_ids,
        labels,
        (e_left[kept], e_right[kept]),
        lambda a, b: explanation(scorer, a, b),
        stats,
    )


def match_table(
    record: PersonRecord, candidates: Sequence[PersonRecord], model: LinkModel | None
) -> list[Match]:
    from wijkregie.subjects.linker.api import Match

    model = model or LinkModel.default()
    others = [c for c in candidates if c.record_id != record.record_id]
    if not others:
        return []
    table = RecordTable.from_records([record, *others])
    f = table.features()
    index = {rid: i for i, rid in enumerate(table.record_ids)}
    me = index[record.record_id]
    scorer = Scorer(model, f)
    matches = []
    for candidate in others:
        j = index[candidate.record_id]
        explained = explanation(scorer, me, j)
        probability = 1.0 / (1.0 + 2.0 ** (-max(min(explained.score, 1000.0), -1000.0)))
        linked = explained.rule in ("bsn", "score")
        matches.append(
            Match(
                candidate.record_id, explained.score, probability, linked, explained.veto, explained
            )
        )
    matches.sort(key=lambda m: (not m.linked, -m.score, m.candidate_id))
    return matches
