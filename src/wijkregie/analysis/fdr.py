"""Benjamini-Hochberg false discovery rate."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def benjamini_hochberg(
    p_values: npt.ArrayLike, alpha: float = 0.05
) -> tuple[BoolArray, FloatArray]:
    """Benjamini-Hochberg step-up procedure.

    With the m p-values sorted, p_(1) <= ... <= p_(m), reject H_(1..k) for the largest k with
    p_(k) <= k alpha / m. The adjusted values (q-values) are
    q_(i) = min_{j >= i} min(1, m p_(j) / j), and a test is rejected exactly when q <= alpha.
    NaN p-values are not tested (not rejected, q NaN) and do not count in m.

    Reference: Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate: a
    practical and powerful approach to multiple testing. J. R. Stat. Soc. B 57(1), 289-300.

    Returns (rejected, q_values), both in the input order.
    """
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    p = np.asarray(p_values, dtype=np.float64)
    rejected = np.zeros(p.shape, dtype=bool)
    q = np.full(p.shape, np.nan)
    tested = np.flatnonzero(~np.isnan(p.ravel()))
    m = tested.size
    if m == 0:
        return rejected, q
    values = p[tested] if m < p.size else p.ravel()
    # Tied p-values get the same q whatever their order, so any sort will do.
    order = np.argsort(values)
    ranked = values[order]
    adjusted = ranked * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(adjusted[::-1])[::-1]
    adjusted = np.minimum(adjusted, 1.0)
    q_tested = np.empty(m)
    q_tested[order] = adjusted
    q.ravel()[tested] = q_tested
    rejected.ravel()[tested] = q_tested <= alpha
    return rejected, q


def benjamini_hochberg_rejections(p_values: npt.ArrayLike, alpha: float = 0.05) -> BoolArray:
    """The rejections of benjamini_hochberg without the q-values, sorting only the
    candidates p <= alpha: a p-value above alpha can never satisfy p_(k) <= k alpha / m
    (k <= m), so k* is found among the candidates. Same decisions, O(m + c log c) for c
    candidates instead of O(m log m)."""
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    p = np.asarray(p_values, dtype=np.float64)
    flat = p.ravel()
    rejected = np.zeros(flat.shape, dtype=bool)
    m = int(np.count_nonzero(~np.isnan(flat)))
    candidates = np.flatnonzero(flat <= alpha)  # NaN compares False
    if candidates.size == 0:
        return rejected.reshape(p.shape)
    order = np.argsort(flat[candidates])
    ranked = flat[candidates][order]
    passing = np.flatnonzero(ranked <= np.arange(1, ranked.size + 1) * alpha / m)
    if passing.size:
        rejected[candidates[order[: passing[-1] + 1]]] = True
    return rejected.reshape(p.shape)
