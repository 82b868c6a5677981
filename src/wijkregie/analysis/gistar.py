"""Getis-Ord Gi* hot spots with analytic and permutation inference, Benjamini-Hochberg FDR.

Gi* uses binary weights w_ij in {0, 1} that include the cell itself (w_ii = 1). On a grid the
weights are queen contiguity: the cell and the up to eight cells around it that are in the
study area (absent cells are outside it: no neighbours, no zeros).

Formula (Getis & Ord 1992, eq. 12-14; Ord & Getis 1995, eq. 3, the form ArcGIS documents):

    L_i   = sum_j w_ij x_j                      (the local sum, x_i included)
    k_i   = sum_j w_ij                          (cells in the neighbourhood, the cell included)
    xbar  = sum_j x_j / n,  S = sqrt(sum_j x_j^2 / n - xbar^2)
    z_i   = (L_i - xbar k_i) / (S sqrt((n k_i - k_i^2) / (n - 1)))

This is algebraically the same as esda's G_Local(y, w, transform="B", star=True).Zs, which
computes G_i* = L_i / sum x with E = k_i / n and Var = k_i (n - k_i) / ((n - 1) n^2) S^2/xbar^2;
the tests check the two agree within 1e-10. The analytic p-value is two-sided under the normal
approximation, p_i = 2 (1 - Phi(|z_i|)).

References:
    Getis, A. & Ord, J.K. (1992). The analysis of spatial association by use of distance
        statistics. Geographical Analysis 24(3), 189-206.
    Ord, J.K. & Getis, A. (1995). Local spatial autocorrelation statistics: distributional
        issues and an application. Geographical Analysis 27(4), 286-306.
    Anselin, L. (1995). Local indicators of spatial association - LISA. Geographical
        Analysis 27(2), 93-115 (conditional randomisation).
    Benjamini, Y. & Hochberg, Y. (1995), see fdr.py.
    esda (PySAL), esda.getisord.G_Local and esda.crand: the reference implementation.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
from scipy import sparse, special

from wijkregie.analysis.fdr import benjamini_hochberg, benjamini_hochberg_rejections
from wijkregie.analysis.grid import queen_local_sums

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

HOT = "hot"
COLD = "cold"
NONE = "none"


class PermutationFloorWarning(UserWarning):
    """Too few permutations: the smallest attainable p-value is too large for FDR at alpha."""


@dataclass(frozen=True)
class GiStarResult:
    """Gi* per cell, in the order of the input.

    `p_value` is the p-value used for the FDR: the permutation p-value when permutations were
    run, the analytic one otherwise. `significant` is the Benjamini-Hochberg decision at
    `alpha`; `classes` is "hot" (significant, z > 0), "cold" (significant, z < 0) or "none".
    """

    z: FloatArray
    p_value: FloatArray
    p_analytic: FloatArray
    p_permutation: FloatArray | None
    significant: BoolArray
    classes: npt.NDArray[np.str_]
    local_sum: FloatArray
    cardinality: IntArray
    alpha: float
    permutations: int
    warnings: tuple[str, ...] = ()

    @cached_property
    def q_value(self) -> FloatArray:
        """Benjamini-Hochberg adjusted p-values (computed on first use: a full sort)."""
        return benjamini_hochberg(self.p_value, self.alpha)[1]

    @property
    def permutation_floor(self) -> float | None:
        """Smallest attainable permutation p-value, 1 / (R + 1)."""
        return 1.0 / (self.permutations + 1) if self.permutations else None


def gi_star_grid(
    ix: npt.ArrayLike,
    iy: npt.ArrayLike,
    values: npt.ArrayLike,
    *,
    alpha: float = 0.05,
    permutations: int = 0,
    seed: int | None = None,
) -> GiStarResult:
    """Gi* on a sparse grid of cells (ix, iy) with queen contiguity including the cell itself.

    Every listed cell is in the study area (list zeros too); absent cells are outside it.
    Vectorised (grid.queen_local_sums): for a compact grid 3 x 3 box sums of shifted slices
    of a raster, otherwise nine shifted lookups; O(n) (O(n log n) for very sparse extents).
    """
    y = _as_values(values)
    local_sum, cardinality = queen_local_sums(ix, iy, y)
    return gi_star_from_sums(
        y, local_sum, cardinality, alpha=alpha, permutations=permutations, seed=seed
    )


def gi_star_sparse(
    values: npt.ArrayLike,
    weights: sparse.sparray | sparse.spmatrix,
    *,
    alpha: float = 0.05,
    permutations: int = 0,
    seed: int | None = None,
) -> GiStarResult:
    """Gi* for any binary weights matrix (n x n, entries 0/1). The diagonal is set to 1 (the
    location itself belongs to its own neighbourhood, as for esda's star=True with binary w)."""
    y = _as_values(values)
    w = sparse.csr_array(weights, dtype=np.float64)
    if w.shape != (y.size, y.size):
        raise ValueError("weights must be n x n")
    w = w.tolil()
    w.setdiag(1.0)
    w = sparse.csr_array(w)
    if not np.isin(w.data, (0.0, 1.0)).all():
        raise ValueError("Gi* here needs binary weights")
    local_sum = np.asarray(w @ y, dtype=np.float64)
    cardinality = np.asarray(w.sum(axis=1)).astype(np.int64).ravel()
    return gi_star_from_sums(
        y, local_sum, cardinality, alpha=alpha, permutations=permutations, seed=seed
    )


def gi_star_from_sums(
    values: FloatArray,
    local_sum: FloatArray,
    cardinality: IntArray,
    *,
    alpha: float = 0.05,
    permutations: int = 0,
    seed: int | None = None,
) -> GiStarResult:
    """Gi* z, p, FDR and classes from the local sums L_i and neighbourhood sizes k_i (binary
    weights with the location itself included). See the module docstring for the formula.

    Permutation inference (permutations = R > 0): conditional randomisation (Anselin 1995):
    x_i stays, the k_i - 1 neighbour values are drawn without replacement from the other n - 1
    values. The test is two-sided about the conditional mean of the drawn sum,
    mu_i = (k_i - 1)(sum x - x_i)/(n - 1): p_i = (1 + #{r: |T_ir - mu_i| >= |T_i - mu_i|}) /
    (R + 1), with T_i = L_i - x_i the observed neighbour sum (Gi* is monotone in it for fixed
    i). As in esda's conditional randomisation engine (crand), one set of R random draws
    (seeded numpy Generator) is shared by all locations, which makes the computation a sort
    and a binary search per neighbourhood size (see conditional_permutation_counts).
    """
    y = np.asarray(values, dtype=np.float64)
    local = np.asarray(local_sum, dtype=np.float64)
    k = np.asarray(cardinality, dtype=np.int64)
    n = y.size
    if not (local.shape == k.shape == y.shape):
        raise ValueError("values, local_sum and cardinality must have the same length")
    if permutations < 0:
        raise ValueError("permutations must be >= 0")
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    z = _gi_star_z(y, local, k)
    p_analytic = 2.0 * special.ndtr(-np.abs(z))
    notes: list[str] = []
    p_perm: FloatArray | None = None
    if permutations and n > 1:
        rng = np.random.default_rng(seed)
        counts = conditional_permutation_counts(y, local - y, k - 1, permutations, rng)
        perm = np.asarray((counts + 1.0) / (permutations + 1.0), dtype=np.float64)
        perm[np.isnan(z)] = np.nan
        p_perm = perm
        message = permutation_floor_message(
            permutations, int(np.count_nonzero(~np.isnan(z))), alpha
        )
        if message:
            warnings.warn(message, PermutationFloorWarning, stacklevel=2)
            notes.append(message)
    p = p_perm if p_perm is not None else p_analytic
    significant = benjamini_hochberg_rejections(p, alpha)
    classes = np.full(n, NONE, dtype="<U4")
    classes[significant & (z > 0)] = HOT
    classes[significant & (z < 0)] = COLD
    return GiStarResult(
        z=z,
        p_value=p,
        p_analytic=p_analytic,
        p_permutation=p_perm,
        significant=significant,
        classes=classes,
        local_sum=local,
        cardinality=k,
        alpha=alpha,
        permutations=permutations,
        warnings=tuple(notes),
    )


def permutation_floor_message(permutations: int, m: int, alpha: float) -> str | None:
    """Why R permutations are too few for Benjamini-Hochberg at alpha on m tests, or None.

    The smallest permutation p-value is 1 / (R + 1). BH rejects the k smallest p-values when
    p_(k) <= k alpha / m, so with 1/(R+1) > alpha nothing can ever be significant, and with
    1/(R+1) > alpha / m a discovery needs at least ceil(m / (alpha (R + 1))) locations at the
    floor at once: the result then says more about R than about the data. Enough is
    R >= m / alpha - 1.
    """
    if permutations <= 0 or m == 0:
        return None
    floor = 1.0 / (permutations + 1)
    needed = math.ceil(m / alpha) - 1
    if floor > alpha:
        return (
            f"With {permutations} permutations the smallest p-value is {floor:.4g} > "
            f"alpha = {alpha:g}: no location can be significant. Use at least {needed} "
            f"permutations for FDR on {m} locations, or the analytic p-values."
        )
    if floor > alpha / m:
        at_floor = math.ceil(m / (alpha * (permutations + 1)))
        return (
            f"With {permutations} permutations the smallest p-value is {floor:.4g} > "
            f"alpha/m = {alpha / m:.4g} (m = {m}): FDR at alpha = {alpha:g} can only declare "
            f"significance when at least {at_floor} locations reach that floor together. "
            f"Use at least {needed} permutations, or the analytic p-values."
        )
    return None


def conditional_permutation_counts(
    values: FloatArray,
    observed: FloatArray,
    draws_per_location: IntArray,
    permutations: int,
    rng: np.random.Generator,
) -> IntArray:
    """For each location i: how many of R random sums T_ir of m_i = draws_per_location[i]
    values, drawn without replacement from all values except values[i], lie at least as far
    from their mean mu_i = m_i (sum x - x_i) / (n - 1) as observed[i] does (two-sided).

    Shared draws: per permutation r one ordered sample of M + 1 distinct positions
    (M = max m_i) is drawn from all n. For location i the first m_i positions other than i are
    used: when i is among the first m_i, it is replaced by position m_i. That is a uniform
    ordered sample from the n - 1 others, so every location gets an exact conditional
    randomisation. All locations with the same m share the prefix sum C_r(m), so counting is a
    sort of R numbers and a binary search per location; the at most R M (r, i) pairs where i
    was drawn itself are corrected one by one. Cost O(R M + n log R) instead of O(n R M).
    """
    y = np.asarray(values, dtype=np.float64)
    obs = np.asarray(observed, dtype=np.float64)
    m = np.asarray(draws_per_location, dtype=np.int64)
    n = y.size
    counts = np.zeros(n, dtype=np.int64)
    if n < 2 or permutations <= 0:
        return counts
    if (m < 0).any() or (m > n - 1).any():
        raise ValueError("draws per location must lie in 0..n-1")
    big_m = int(m.max())
    width = min(big_m + 1, n)
    draws = _distinct_draws(n, width, permutations, rng)
    prefix = np.zeros((permutations, width + 1))
    np.cumsum(y[draws], axis=1, out=prefix[:, 1:])
    total = y.sum()
    mu = m * (total - y) / (n - 1)
    spread = np.abs(obs - mu)
    tol = 1e-9 * (1.0 + np.abs(obs) + np.abs(mu))

    def extreme(value: FloatArray, who: IntArray) -> IntArray:
        return (np.abs(value - mu[who]) >= spread[who] - tol[who]).astype(np.int64)

    for size in np.unique(m):
        who = np.flatnonzero(m == size)
        sums = np.sort(prefix[:, size])
        upper = mu[who] + spread[who] - tol[who]
        lower = mu[who] - spread[who] + tol[who]
        above = permutations - np.searchsorted(sums, upper, side="left")
        below = np.searchsorted(sums, lower, side="right")
        overlap = upper <= lower  # spread within tolerance: every draw is as extreme
        counts[who] = np.where(overlap, permutations, above + below)
    # Corrections: location i drawn at position j < m_i in permutation r.
    r_idx, j_idx = np.nonzero(np.ones((permutations, width), dtype=bool))
    who = draws[r_idx, j_idx]
    hit = j_idx < m[who]
    r_idx, who = r_idx[hit], who[hit]
    if who.size:
        base = prefix[r_idx, m[who]]
        replacement = y[draws[r_idx, m[who]]]
        corrected = base - y[who] + replacement
        delta = extreme(corrected, who) - extreme(base, who)
        counts += np.bincount(who, weights=delta, minlength=n).astype(np.int64)
    return counts


def _distinct_draws(n: int, width: int, permutations: int, rng: np.random.Generator) -> IntArray:
    """R rows of `width` distinct positions from 0..n-1, each row a uniform ordered sample."""
    if width * 20 > n:
        return np.stack(
            [rng.choice(n, size=width, replace=False) for _ in range(permutations)]
        ).astype(np.int64)
    draws = rng.integers(0, n, size=(permutations, width), dtype=np.int64)
    while True:
        ordered = np.sort(draws, axis=1)
        bad = np.flatnonzero((np.diff(ordered, axis=1) == 0).any(axis=1))
        if bad.size == 0:
            return draws
        draws[bad] = rng.integers(0, n, size=(bad.size, width), dtype=np.int64)


def _gi_star_z(y: FloatArray, local: FloatArray, k: IntArray) -> FloatArray:
    n = y.size
    if n < 2:
        return np.full(n, np.nan)
    mean = y.sum() / n
    # Population standard deviation, as Getis & Ord and esda define S.
    s = math.sqrt(max(float((y * y).sum()) / n - mean * mean, 0.0))
    kf = k.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        denominator = s * np.sqrt((n * kf - kf * kf) / (n - 1))
        z = (local - mean * kf) / denominator
    z[~np.isfinite(z)] = np.nan
    return z


def _as_values(values: npt.ArrayLike) -> FloatArray:
    y = np.asarray(values, dtype=np.float64).ravel()
    if not np.isfinite(y).all():
        raise ValueError("values must be finite")
    return y
