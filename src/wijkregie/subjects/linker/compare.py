"""Per-field comparison levels, vetoes and scores for arrays of pairs.

Everything is vectorised over pairs; string similarity (typo, double-name part, first-name
variants) is computed once per distinct pair of normalised values, in Python, and mapped back.
Level numbers index ``model.LEVELS``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wijkregie.subjects.linker.model import FIELDS, LEVELS, VETOES, LinkModel
from wijkregie.subjects.linker.normalise import Features

# Level numbers (see model.LEVELS).
MISSING = 0
BSN_EQUAL, BSN_DIFFERENT = 1, 2
FN_EQUAL, FN_FIRST, FN_TYPO, FN_INITIALS, FN_DIFFERENT = 1, 2, 3, 4, 5
SN_EQUAL, SN_PART, SN_TYPO, SN_DIFFERENT = 1, 2, 3, 4
DOB_EQUAL, DOB_SWAP, DOB_NEAR, DOB_DIFFERENT = 1, 2, 3, 4
AD_EQUAL, AD_HOUSE, AD_STREET, AD_DIFFERENT = 1, 2, 3, 4

VETO_NONE, VETO_BSN, VETO_DOB, VETO_FN = 0, 1, 2, 3
assert VETOES[VETO_FN] == "voornaam-verschilt"


def within_edits(a: str, b: str, limit: int) -> bool:
    """Optimal string alignment distance (Damerau-Levenshtein, adjacent swaps) <= limit."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > limit:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    # Trim the common prefix and suffix: typos are local.
    start = 0
    while start < la and a[start] == b[start]:
        start += 1
    end_a, end_b = la, lb
    while end_a > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    a, b = a[start:end_a], b[start:end_b]
    la, lb = len(a), len(b)
    if la == 0:
        return lb <= limit
    previous2: list[int] = []
    previous = list(range(lb + 1))
    for i in range(1, la + 1):
        current = [i] + [0] * lb
        best = i
        ca = a[i - 1]
        for j in range(1, lb + 1):
            cost = 0 if ca == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return False
        previous2, previous = previous, current
    return previous[lb] <= limit


def _typo_limit(a: str, b: str) -> int:
    return 2 if min(len(a), len(b)) >= 8 else 1


def surname_level(a: str, b: str) -> int:
    """Level of two different normalised surname cores (both present)."""
    parts_a, parts_b = set(a.split("-")), set(b.split("-"))
    if (len(parts_a) > 1 or len(parts_b) > 1) and parts_a & parts_b:
        return SN_PART
    if within_edits(a.replace("-", ""), b.replace("-", ""), _typo_limit(a, b)):
        return SN_TYPO
    return SN_DIFFERENT


def _pairwise_levels(
    codes_a: np.ndarray, codes_b: np.ndarray, level_of: object, cache: dict[int, int]
) -> np.ndarray:
    """Apply level_of(code_a, code_b) once per distinct unordered pair of codes."""
    if codes_a.size == 0:
        return np.zeros(0, np.int8)
    low, high = np.minimum(codes_a, codes_b), np.maximum(codes_a, codes_b)
    width = np.int64(int(high.max()) + 1)
    keys = low * width + high
    uniq, inverse = np.unique(keys, return_inverse=True)
    out = np.empty(uniq.size, dtype=np.int8)
    fn = level_of
    for k, key in enumerate(uniq.tolist()):
        value = cache.get(key)
        if value is None:
            value = fn(key // int(width), key % int(width))  # type: ignore[operator]
            cache[key] = value
        out[k] = value
    return out[inverse]


def _bag_distance(bags: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """L1 distance of the letter bags of codes a and b (a lower bound of 2 x edit distance)."""
    out = np.empty(a.size, dtype=np.int64)
    step = 200_000
    for start in range(0, a.size, step):
        x, y = bags[a[start : start + step]], bags[b[start : start + step]]
        out[start : start + step] = np.abs(x - y).sum(axis=1)
    return out


@dataclass
class PairComparison:
    """Levels (pairs x fields), veto code, thin flag and score per pair."""

    left: np.ndarray
    right: np.ndarray
    levels: np.ndarray  # int8, shape (n_pairs, len(FIELDS))
    veto: np.ndarray  # int8 VETO_*
    thin: np.ndarray  # bool: either record is thin
    score: np.ndarray  # float64 log2 posterior odds
    linked: np.ndarray  # bool

    @property
    def bsn_equal(self) -> np.ndarray:
        return self.levels[:, 0] == BSN_EQUAL


def compare_levels(
    f: Features, left: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(levels, veto) for pairs (left[k], right[k])."""
    n = left.size
    levels = np.zeros((n, len(FIELDS)), dtype=np.int8)

    # BSN token.
    a, b = f.bsn[left], f.bsn[right]
    both = (a > 0) & (b > 0)
    levels[:, 0] = np.where(both, np.where(a == b, BSN_EQUAL, BSN_DIFFERENT), MISSING)

    # Given names.
    a, b = f.fn[left], f.fn[right]
    both = (a > 0) & (b > 0)
    fn_level = np.zeros(n, dtype=np.int8)
    fa, fb = f.fn_first[left], f.fn_first[right]
    equal = both & (a == b)
    fn_level[equal] = np.where(fa[equal] > 0, FN_EQUAL, FN_INITIALS)
    differ = both & (a != b)
    full = differ & (fa > 0) & (fb > 0)
    sa, sb = f.fn_second[left], f.fn_second[right]
    first_same = full & ((fa == fb) | ((sb > 0) & (fa == sb)) | ((sa > 0) & (sa == fb)))
    fn_level[first_same] = FN_FIRST
    rest = full & ~first_same
    fn_level[rest] = FN_DIFFERENT
    maybe = np.flatnonzero(rest)
    if maybe.size:
        close = _bag_distance(f.first_bags, fa[maybe], fb[maybe]) <= 4
        maybe = maybe[close]
        firsts = f.fn_first_values
        fn_level[maybe] = _pairwise_levels(
            fa[maybe],
            fb[maybe],
            lambda x, y: (
                FN_TYPO
                if within_edits(firsts[x], firsts[y], _typo_limit(firsts[x], firsts[y]))
                else FN_DIFFERENT
            ),
            {},
        )
    partial = np.flatnonzero(differ & ~full)
    if partial.size:
        inits = f.fn_init_values
        fn_level[partial] = _pairwise_levels(
            f.fn_inits[left[partial]],
            f.fn_inits[right[partial]],
            lambda x, y: (
                FN_INITIALS
                if inits[x].startswith(inits[y]) or inits[y].startswith(inits[x])
                else FN_DIFFERENT
            ),
            {},
        )
    levels[:, 1] = fn_level

    # Surname.
    a, b = f.sur_core[left], f.sur_core[right]
    both = (a > 0) & (b > 0)
    sn_level = np.zeros(n, dtype=np.int8)
    equal = both & ((a == b) | (f.sur_full[left] == f.sur_full[right]))
    sn_level[equal] = SN_EQUAL
    todo = np.flatnonzero(both & ~equal)
    sn_level[todo] = SN_DIFFERENT
    if todo.size:
        close = (_bag_distance(f.sur_bags, a[todo], b[todo]) <= 4) | f.sur_hyphen[a[todo]]
        close |= f.sur_hyphen[b[todo]]
        todo = todo[close]
        names = f.sur_values
        sn_level[todo] = _pairwise_levels(
            a[todo], b[todo], lambda x, y: surname_level(names[x], names[y]), {}
        )
    levels[:, 2] = sn_level

    # Birth date.
    a, b = f.dob[left], f.dob[right]
    both = (a > 0) & (b > 0)
    ya, ma, da = a // 10000, (a // 100) % 100, a % 100
    yb, mb, db = b // 10000, (b // 100) % 100, b % 100
    differing = (ya != yb).astype(np.int8) + (ma != mb) + (da != db)
    year_digits = sum(((ya // 10**k) % 10 != (yb // 10**k) % 10).astype(np.int8) for k in range(4))
    near = (differing == 1) & ((ya == yb) | (year_digits == 1))
    swap = (ya == yb) & (ma == db) & (da == mb)
    dob_level = np.select(
        [~both, a == b, swap, near], [MISSING, DOB_EQUAL, DOB_SWAP, DOB_NEAR], DOB_DIFFERENT
    )
    levels[:, 3] = dob_level

    # Address.
    has_a = (f.addr_pc[left] > 0) | (f.addr_st[left] > 0) | (f.pc[left] > 0) | (f.st[left] > 0)
    has_b = (f.addr_pc[right] > 0) | (f.addr_st[right] > 0) | (f.pc[right] > 0) | (f.st[right] > 0)

    def same(arr: np.ndarray) -> np.ndarray:
        x, y = arr[left], arr[right]
        return (x > 0) & (x == y)

    levels[:, 4] = np.select(
        [
            ~(has_a & has_b),
            same(f.addr_full),
            same(f.addr_pc) | same(f.addr_st),
            same(f.pc) | same(f.st),
        ],
        [MISSING, AD_EQUAL, AD_HOUSE, AD_STREET],
        AD_DIFFERENT,
    )

    veto = np.select(
        [
            levels[:, 0] == BSN_DIFFERENT,
            levels[:, 3] == DOB_DIFFERENT,
            levels[:, 1] == FN_DIFFERENT,
        ],
        [VETO_BSN, VETO_DOB, VETO_FN],
        VETO_NONE,
    ).astype(np.int8)
    return levels, veto


class Scorer:
    """Weights of a model, ready for arrays of pairs of one Features table."""

    def __init__(self, model: LinkModel, f: Features) -> None:
        self.model = model
        self.weights = model.weight_table()
        self.table = np.zeros((len(FIELDS), max(len(v) for v in LEVELS.values())))
        for k, name in enumerate(FIELDS):
            row = self.weights[name]
            self.table[k, : len(row)] = row
        tf_sur, tf_fn = model.tf.get("achternaam", {}), model.tf.get("voornamen", {})
        floor_sur = model.tf_floor.get("achternaam", 2e-5)
        floor_fn = model.tf_floor.get("voornamen", 2e-4)
        self.u_sur = np.asarray([tf_sur.get(v, floor_sur) for v in f.sur_values], dtype=np.float64)
        self.u_fn = np.asarray(
            [tf_fn.get(v, floor_fn) for v in f.fn_first_values], dtype=np.float64
        )
        self.m_sur = max(model.m["achternaam"][SN_EQUAL], 1e-9)
        self.m_fn = max(model.m["voornamen"][FN_EQUAL], 1e-9)
        self.f = f

    def field_weights(self, levels: np.ndarray, left: np.ndarray) -> np.ndarray:
        """Weight per pair and field (pairs x fields), with term-frequency exact-name weights."""
        cols = np.arange(len(FIELDS))
        weights = self.table[cols[None, :], levels.astype(np.int64)]
        exact_sn = levels[:, 2] == SN_EQUAL
        if exact_sn.any():
            u = self.u_sur[self.f.sur_core[left[exact_sn]]]
            weights[exact_sn, 2] = np.log2(self.m_sur / np.maximum(u, 1e-9))
        exact_fn = (levels[:, 1] == FN_EQUAL) & (self.f.fn_first[left] > 0)
        if exact_fn.any():
            u = self.u_fn[self.f.fn_first[left[exact_fn]]]
            weights[exact_fn, 1] = np.log2(self.m_fn / np.maximum(u, 1e-9))
        # Missing fields and vetoed levels carry no weight of their own.
        weights[levels == MISSING] = 0.0
        return weights

    def decide(
        self, levels: np.ndarray, veto: np.ndarray, left: np.ndarray, right: np.ndarray
    ) -> PairComparison:
        weights = self.field_weights(levels, left)
        score = self.model.prior_log2 + weights.sum(axis=1)
        thin = self.f.thin
        pair_thin = thin[left] | thin[right]
        linked = (
            (veto == VETO_NONE)
            & ~pair_thin
            & ((levels[:, 0] == BSN_EQUAL) | (score >= self.model.threshold))
        )
        return PairComparison(left, right, levels, veto, pair_thin, score, linked)

    def compare(self, left: np.ndarray, right: np.ndarray) -> PairComparison:
        levels, veto = compare_levels(self.f, left, right)
        return self.decide(levels, veto, left, right)
