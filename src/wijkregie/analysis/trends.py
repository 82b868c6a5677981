"""Trends per area and life domain: a period against the same period a year earlier and
against a seasonal baseline (the same weeks in earlier years).

Counts are modelled as Poisson. Comparing two Poisson counts c (exposure e_c) and r (exposure
e_r, e.g. number of years, days or residents) uses the conditional test: given c + r, c is
Binomial(c + r, pi) with pi = e_c / (e_c + e_r) when the rates are equal (Przyborowski &
Wilenski 1940; Lehmann & Romano, Testing Statistical Hypotheses, 4.6). The rate ratio
RR = (c / e_c) / (r / e_r) has the exact interval from the Clopper-Pearson interval
(pi_lo, pi_hi) of the binomial proportion: RR = pi / (1 - pi) * e_r / e_c.

References:
    Przyborowski, J. & Wilenski, H. (1940). Homogeneity of results in testing samples from
        Poisson series. Biometrika 31, 313-323.
    Clopper, C.J. & Pearson, E.S. (1934). The use of confidence or fiducial limits
        illustrated in the case of the binomial. Biometrika 26, 404-413.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class RateComparison:
    """Per area: the current count, the expected count from the reference (scaled to the
    current exposure), the rate ratio with its exact (1 - alpha) interval, the change
    (RR - 1, e.g. 0.25 = 25 % more), the two-sided p-value and whether p < alpha."""

    current: FloatArray
    expected: FloatArray
    ratio: FloatArray
    lower: FloatArray
    upper: FloatArray
    change: FloatArray
    p_value: FloatArray
    significant: BoolArray


def rate_ratio_test(
    current: npt.ArrayLike,
    reference: npt.ArrayLike,
    *,
    exposure_current: npt.ArrayLike = 1.0,
    exposure_reference: npt.ArrayLike = 1.0,
    alpha: float = 0.05,
) -> RateComparison:
    """Conditional (exact) test of two Poisson rates, vectorised over areas.

    p = min(1, 2 min(P[X <= c], P[X >= c])), X ~ Binomial(c + r, pi0),
    pi0 = e_c / (e_c + e_r)  (the "twice the smaller tail" two-sided exact p-value).
    Areas with c + r = 0 get ratio NaN and p = 1.
    """
    c = np.asarray(current, dtype=np.float64)
    r = np.asarray(reference, dtype=np.float64)
    c, r = np.broadcast_arrays(c, r)
    if (c < 0).any() or (r < 0).any() or (c != np.round(c)).any() or (r != np.round(r)).any():
        raise ValueError("counts must be non-negative integers")
    e_c = np.broadcast_to(np.asarray(exposure_current, dtype=np.float64), c.shape)
    e_r = np.broadcast_to(np.asarray(exposure_reference, dtype=np.float64), c.shape)
    if (e_c <= 0).any() or (e_r <= 0).any():
        raise ValueError("exposures must be positive")
    total = c + r
    pi0 = e_c / (e_c + e_r)
    lower_tail = stats.binom.cdf(c, total, pi0)
    upper_tail = stats.binom.sf(c - 1, total, pi0)
    p = np.minimum(1.0, 2.0 * np.minimum(lower_tail, upper_tail))
    p = np.where(total > 0, p, 1.0)
    # Clopper-Pearson bounds of pi = c / (c + r); beta quantiles, with the edge cases 0 and 1.
    half = alpha / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        pi_lo = np.where(c > 0, stats.beta.ppf(half, c, r + 1), 0.0)
        pi_hi = np.where(r > 0, stats.beta.ppf(1 - half, c + 1, r), 1.0)
        scale = e_r / e_c
        ratio = np.where(total > 0, np.where(r > 0, c / r * scale, np.inf), np.nan)
        lower = np.where(total > 0, pi_lo / (1 - pi_lo) * scale, np.nan)
        upper = np.where(
            total > 0, np.where(pi_hi < 1, pi_hi / (1 - pi_hi) * scale, np.inf), np.nan
        )
    expected = r / scale
    return RateComparison(
        current=c.astype(np.float64),
        expected=expected,
        ratio=ratio,
        lower=lower,
        upper=upper,
        change=ratio - 1.0,
        p_value=p,
        significant=p < alpha,
    )


def year_on_year(
    current: npt.ArrayLike, year_earlier: npt.ArrayLike, *, alpha: float = 0.05
) -> RateComparison:
    """This period against the same period one year earlier (equal exposure)."""
    return rate_ratio_test(current, year_earlier, alpha=alpha)


def seasonal_baseline(
    current: npt.ArrayLike, earlier_years: npt.ArrayLike, *, alpha: float = 0.05
) -> RateComparison:
    """This period against the mean of the same period (e.g. the same weeks) in K earlier
    years: `earlier_years` has shape (n_areas, K); the baseline is their mean and the test
    compares c with their sum at exposure K (so K years weigh K times one year)."""
    history = np.atleast_2d(np.asarray(earlier_years, dtype=np.float64))
    years = history.shape[1]
    if years == 0:
        raise ValueError("a seasonal baseline needs at least one earlier year")
    return rate_ratio_test(
        current, history.sum(axis=1), exposure_reference=float(years), alpha=alpha
    )


def same_weeks_baseline(
    weekly: npt.ArrayLike, *, week: int, weeks: int, years: int, weeks_per_year: int = 52
) -> tuple[FloatArray, FloatArray]:
    """From weekly counts (n_areas, n_weeks, oldest first) take the current window
    [week - weeks + 1, week] and the same window `weeks_per_year`, 2x, ... earlier for
    `years` years. Returns (current sums (n,), earlier sums (n, years)) for
    seasonal_baseline; raises ValueError when the history is too short."""
    data = np.atleast_2d(np.asarray(weekly, dtype=np.float64))
    start = week - weeks + 1
    if start - years * weeks_per_year < 0 or week >= data.shape[1]:
        raise ValueError("not enough weeks of history for this baseline")
    current = data[:, start : week + 1].sum(axis=1)
    earlier = np.stack(
        [
            data[:, start - y * weeks_per_year : week + 1 - y * weeks_per_year].sum(axis=1)
            for y in range(1, years + 1)
        ],
        axis=1,
    )
    return current, earlier
