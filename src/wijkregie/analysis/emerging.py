"""Emerging hot spots: Mann-Kendall trend test and a class per cell from Gi* per period.

Following ESRI's Emerging Hot Spot Analysis ("How Emerging Hot Spot Analysis works", ArcGIS Pro
documentation, space-time pattern mining toolbox): each cell has one Gi* z-score and one
significance decision per period (computed per period, e.g. gistar.gi_star_grid with FDR); the
Mann-Kendall test on the cell's z-scores gives the trend in the intensity of clustering.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

PATTERNS = (
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
)
NO_PATTERN = "none"
SHARE = 0.9  # "90 percent of the time-step intervals"


@dataclass(frozen=True)
class MannKendallResult:
    """Per series: S, Var(S) with tie correction, z, two-sided p and Kendall's tau-b."""

    s: FloatArray
    variance: FloatArray
    z: FloatArray
    p_value: FloatArray
    tau: FloatArray


def mann_kendall(series: npt.ArrayLike, *, continuity: bool = True) -> MannKendallResult:
    """Mann-Kendall trend test, vectorised over rows (shape (n, T), or one series (T,)).

        S      = sum_{i<j} sign(x_j - x_i)
        Var(S) = [T(T-1)(2T+5) - sum_g t_g(t_g-1)(2t_g+5)] / 18    (t_g: sizes of tie groups)
        z      = (S - sign(S)) / sqrt(Var(S))   (continuity correction; S itself without it)
        p      = 2 (1 - Phi(|z|)),   tau_b = S / sqrt(n0 (n0 - n1)),
        n0 = T(T-1)/2, n1 = sum_g t_g(t_g-1)/2

    Without the continuity correction z and p equal scipy.stats.kendalltau(t, x,
    method="asymptotic") against time t (the tests check it). A series without variance
    (all ties) gets z = 0, p = 1.

    References: Mann, H.B. (1945). Nonparametric tests against trend. Econometrica 13,
    245-259. Kendall, M.G. (1975). Rank Correlation Methods, 4th ed. Griffin. Hipel, K.W. &
    McLeod, A.I. (1994). Time Series Modelling of Water Resources and Environmental
    Systems, ch. 23 (tie correction, continuity correction).
    """
    x = np.asarray(series, dtype=np.float64)
    single = x.ndim == 1
    x = np.atleast_2d(x)
    n_rows, t = x.shape
    s = np.zeros(n_rows)
    for i in range(t - 1):
        s += np.sign(x[:, i + 1 :] - x[:, i : i + 1]).sum(axis=1)
    # Tie groups: walk the sorted rows; an element at position p (1-based) in its run adds
    # f(p) - f(p - 1) with f(t) = t(t-1)(2t+5), so a run of length t adds f(t) in total.
    ordered = np.sort(x, axis=1)
    run = np.ones(n_rows)
    tie_term = np.zeros(n_rows)
    pairs = np.zeros(n_rows)
    for i in range(1, t):
        run = np.where(ordered[:, i] == ordered[:, i - 1], run + 1, 1.0)
        tie_term += _tie_f(run) - _tie_f(run - 1)
        pairs += run - 1  # adds t(t-1)/2 per run in total
    variance = (t * (t - 1) * (2 * t + 5) - tie_term) / 18.0
    numerator = s - np.sign(s) if continuity else s
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(variance > 0, numerator / np.sqrt(variance), 0.0)
        n0 = t * (t - 1) / 2.0
        tau = np.where(n0 - pairs > 0, s / np.sqrt(n0 * (n0 - pairs)), np.nan)
    p = 2.0 * special.ndtr(-np.abs(z))
    if single:
        return MannKendallResult(s[:1], variance[:1], z[:1], p[:1], tau[:1])
    return MannKendallResult(s, variance, z, p, tau)


def _tie_f(t: FloatArray) -> FloatArray:
    return t * (t - 1) * (2 * t + 5)


@dataclass(frozen=True)
class EmergingResult:
    """Per cell: `pattern` such as "new_hot", "persistent_cold" or "none"; the trend test."""

    pattern: npt.NDArray[np.str_]
    trend: MannKendallResult


def emerging_hotspots(
    z: npt.ArrayLike,
    significant: npt.ArrayLike,
    *,
    alpha: float = 0.05,
) -> EmergingResult:
    """Class per cell from Gi* z-scores and significance per period (arrays (n_cells, T),
    periods oldest first). A bin is a hot spot when significant with z > 0, a cold spot when
    significant with z < 0. The trend is the Mann-Kendall test on the cell's z-scores,
    significant at `alpha`. Definitions (ESRI, for hot; cold mirrors them):

    - intensifying: hot in at least 90 % of the periods including the last, with a
      significant upward trend;
    - diminishing: the same with a significant downward trend;
    - persistent: the same without a significant trend;
    - historical: hot in at least 90 % of the periods, but not in the last;
    - new: hot in the last period and never before;
    - consecutive: one uninterrupted run of at least two hot periods at the end, never hot
      before that run, hot in less than 90 % of the periods;
    - oscillating: hot in the last period, cold in an earlier one, hot in less than 90 %;
    - sporadic: hot in the last period, on and off before, never cold, less than 90 %;
    - none: no pattern.

    Where ESRI's definitions overlap the first match in this order wins (so a cell that is
    hot only in the last period is "new" even if it was cold before). A cell is classified
    as a hot pattern when its last period is hot or it is historically hot; cold otherwise.
    Reference: ESRI, ArcGIS Pro tool reference, "How Emerging Hot Spot Analysis works"
    (space-time pattern mining), pattern categories.
    """
    zz = np.atleast_2d(np.asarray(z, dtype=np.float64))
    sig = np.atleast_2d(np.asarray(significant, dtype=bool))
    if zz.shape != sig.shape:
        raise ValueError("z and significant must have the same shape")
    trend = mann_kendall(np.nan_to_num(zz), continuity=True)
    up = (trend.p_value < alpha) & (trend.s > 0)
    down = (trend.p_value < alpha) & (trend.s < 0)
    hot = sig & (zz > 0)
    cold = sig & (zz < 0)
    pattern = np.full(zz.shape[0], NO_PATTERN, dtype="<U20")
    # Cold first, then hot: a cell both historically cold and hot now ends up hot.
    for label, this, other, rising, falling in (
        ("cold", cold, hot, down, up),
        ("hot", hot, cold, up, down),
    ):
        found = _classify(this, other, rising, falling)
        chosen = found != NO_PATTERN
        pattern[chosen] = np.char.add(np.char.add(found[chosen], "_"), label)
    return EmergingResult(pattern=pattern, trend=trend)


def _classify(
    this: BoolArray, other: BoolArray, stronger: BoolArray, weaker: BoolArray
) -> npt.NDArray[np.str_]:
    """Patterns for one side (this = hot bins, other = cold bins, or the reverse)."""
    n, t = this.shape
    result = np.full(n, NO_PATTERN, dtype="<U20")
    if t == 0:
        return result
    count = this.sum(axis=1)
    last = this[:, -1]
    mostly = count * 10 >= 9 * t  # at least 90 %, in integers
    # Length of the final uninterrupted run of `this`.
    final_run = np.zeros(n, dtype=np.int64)
    still = np.ones(n, dtype=bool)
    for i in range(t - 1, -1, -1):
        still &= this[:, i]
        final_run += still
    only_final_run = count == final_run
    other_before = other.any(axis=1)
    rules: list[tuple[str, BoolArray]] = [
        ("intensifying", mostly & last & stronger),
        ("diminishing", mostly & last & weaker),
        ("persistent", mostly & last),
        ("historical", mostly & ~last),
        ("new", last & (count == 1)),
        ("consecutive", last & only_final_run & (final_run >= 2)),
        ("oscillating", last & other_before),
        ("sporadic", last),
    ]
    open_ = np.ones(n, dtype=bool)
    for name, mask in rules:
        take = open_ & mask
        result[take] = name
        open_ &= ~take
    return result


def emerging_hotspots_grid(
    ix: npt.ArrayLike,
    iy: npt.ArrayLike,
    counts: npt.ArrayLike,
    *,
    alpha: float = 0.05,
) -> EmergingResult:
    """Emerging hot spots on a grid: `counts` has shape (n_cells, T), periods oldest first.
    Gi* (analytic, Benjamini-Hochberg at `alpha`) is computed per period on the same study
    area (gistar.gi_star_grid), then emerging_hotspots classifies each cell. A period in which
    all counts are equal has no Gi* (z NaN): no bin is significant then."""
    from wijkregie.analysis.gistar import gi_star_grid

    table = np.atleast_2d(np.asarray(counts, dtype=np.float64))
    periods = table.shape[1]
    z = np.full(table.shape, np.nan)
    significant = np.zeros(table.shape, dtype=bool)
    for t in range(periods):
        result = gi_star_grid(ix, iy, table[:, t], alpha=alpha)
        z[:, t] = result.z
        significant[:, t] = result.significant
    return emerging_hotspots(z, significant, alpha=alpha)
