"""Effect of an intervention on signal rates: difference-in-differences with placebo inference.

Pure numpy/scipy (no ORM, no Django): the effect-measurement page, the practice card's
"measured effect" and `wijkregie effect-study` all call `effect_study` on a `Panel`.

Data. A panel of areas (buurten or 100 m cells) x periods (months or ISO weeks): the count of
signals c[i, t] and the residents e[i, t] (the exposure; 0 = no data for that cell). Some areas
got the intervention from period `start` on (treated); the others are candidates for the
comparison group.

Estimate (DiD on log rates, i.e. a ratio of rate ratios). For a group of areas G and the
periods P before or after the start, the pooled rate is

    R(G, P) = (sum_{i in G, t in P} c[i, t] + 0.5) / sum_{i in G, t in P} e[i, t]

(0.5: a continuity correction, so an empty group stays finite). With T the treated and C the
controls,

    theta = [log R(T, post) - log R(T, pre)] - [log R(C, post) - log R(C, pre)]
    effect = exp(theta) - 1

so effect = -0.2 means 20 % fewer signals per resident than the controls' change predicts
(the counterfactual assumes the treated areas would have followed the controls' relative
change: parallel trends on the log scale).

Controls. Every untreated area with residents before and after the start is a candidate. Each
area gets its pre-period level (log R of its own pre periods) and trend (weighted least-squares
slope of log((c + 0.5) / e) on the period number, weights c + 0.5), plus the optional area
context columns (e.g. residents, share of social housing). The features are standardised over
treated and candidates; a candidate's distance is its Euclidean distance to the nearest
treated area, and the `max(MIN_CONTROLS, CONTROLS_PER_TREATED * n_treated)` nearest
candidates are the controls (all candidates when there are fewer).

Inference (placebo / permutation: Fisher's randomisation test as in Abadie et al. 2010 and
Conley & Taber 2011). The pool is the treated areas plus the controls. The intervention is
re-assigned to `n_treated` areas of the pool (every other assignment when there are at most
`placebos` of them: exact; else `placebos` random ones) and theta is computed for each placebo
group against the rest of the pool. Under no effect (and exchangeable areas) the real theta is
one more draw from that distribution. With N placebo estimates theta_b:

    p = min(1, 2 * min(1 + #{theta_b >= theta}, 1 + #{theta_b <= theta}) / (N + 1))

whose floor is 2 / (N + 1) (stated in the result as `p_floor`; 0.002 with the default 999
placebo groups). The (1 - alpha) interval inverts the same test under a constant effect tau on
the log scale: tau is in the interval when, after dividing the treated areas' post-period
counts by exp(tau), the test gives p > alpha. Its two edges are found by stepping out from
theta and bisecting, so the interval excludes 0 exactly when p(0) <= alpha (for a p that
falls monotonically away from theta, which it does in practice). p <= alpha needs
N >= 2 / alpha - 1 (39 at alpha 0.05): with fewer possible placebo groups the data cannot tell.
Measured on synthetic panels (the tests): false-positive rate about 5 % at alpha 0.05, an
interval that covers an injected -20 % in about 95 % of panels.

"Cannot tell" (`conclusion = "cannot_tell"`, with reason codes) when: fewer than
MIN_PRE_PERIODS periods before or MIN_POST_PERIODS from the start; no treated area; fewer than
39 placebo groups (too few comparable areas); fewer than MIN_GROUP_COUNT signals in the
treated areas before or after the start; or an interval wider than a factor MAX_CI_RATIO (the
upper rate ratio more than twice the lower: then any effect from a large drop to a large rise
fits the data). A pre-trend check (the same DiD with a fake start halfway through the pre
period, tested the same way) adds the warning `pre_trends_differ` when p <= alpha.

References:
    Abadie, A., Diamond, A. & Hainmueller, J. (2010). Synthetic control methods for
        comparative case studies. JASA 105, 493-505 (placebo inference).
    Conley, T.G. & Taber, C.R. (2011). Inference with "difference in differences" with a
        small number of policy changes. Rev. Econ. Stat. 93, 113-125.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

METHOD = "did-log-rate-ratio/placebo-permutation"
CONTINUITY = 0.5
MIN_PRE_PERIODS = 3
MIN_POST_PERIODS = 2
MIN_GROUP_COUNT = 10
MIN_CONTROLS = 20
CONTROLS_PER_TREATED = 4
MAX_CI_RATIO = 2.0
DEFAULT_PLACEBOS = 999

# Reason codes for "cannot tell" (the page and the command word them in Dutch).
TOO_FEW_PRE = "too_few_pre_periods"
TOO_FEW_POST = "too_few_post_periods"
NO_TREATED = "no_treated_areas"
TOO_FEW_CONTROLS = "too_few_controls"
TOO_FEW_SIGNALS = "too_few_signals"
TOO_WIDE = "interval_too_wide"
PRE_TRENDS_DIFFER = "pre_trends_differ"


# --- periods ---------------------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


class PeriodError(ValueError):
    """A period that is neither YYYY-MM nor an ISO week (YYYY-Www)."""


def parse_period(text: str) -> tuple[str, int]:
    """'2024-03' -> ('month', ordinal); '2024-W05' -> ('week', ordinal). Consecutive periods
    have consecutive ordinals."""
    value = text.strip()
    match = _MONTH.match(value)
    if match:
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise PeriodError(value)
        return "month", year * 12 + month - 1
    match = _WEEK.match(value)
    if match:
        year, week = int(match[1]), int(match[2])
        try:
            monday = dt.date.fromisocalendar(year, week, 1)
        except ValueError:
            raise PeriodError(value) from None
        return "week", monday.toordinal() // 7
    raise PeriodError(value)


def period_label(kind: str, ordinal: int) -> str:
    if kind == "month":
        return f"{ordinal // 12:04d}-{ordinal % 12 + 1:02d}"
    year, week, _ = dt.date.fromordinal(ordinal * 7 + 1).isocalendar()
    return f"{year:04d}-W{week:02d}"


# --- the panel -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    """Areas x periods. `periods` are consecutive ordinals (see parse_period); `context` is an
    optional areas x k matrix of area figures used in control selection (NaN = unknown)."""

    areas: tuple[str, ...]
    periods: tuple[int, ...]
    counts: FloatArray  # areas x periods
    exposure: FloatArray  # areas x periods (residents); 0 = no data
    treated: BoolArray  # areas
    context: FloatArray | None = None

    def __post_init__(self) -> None:
        shape = (len(self.areas), len(self.periods))
        if self.counts.shape != shape or self.exposure.shape != shape:
            raise ValueError("counts and exposure must be areas x periods")
        if self.treated.shape != (len(self.areas),):
            raise ValueError("treated must have one value per area")
        if np.any(self.counts < 0) or np.any(self.exposure < 0):
            raise ValueError("counts and exposure cannot be negative")


def panel_from_rows(
    rows: Sequence[tuple[str, int, float, float, bool]],
) -> Panel:
    """(area, period ordinal, count, residents, treated) rows -> Panel. Missing area x period
    cells get exposure 0 (no data)."""
    areas = sorted({r[0] for r in rows})
    ordinals = [r[1] for r in rows]
    first, last = min(ordinals), max(ordinals)
    periods = tuple(range(first, last + 1))
    index = {a: i for i, a in enumerate(areas)}
    counts = np.zeros((len(areas), len(periods)))
    exposure = np.zeros((len(areas), len(periods)))
    treated = np.zeros(len(areas), dtype=bool)
    for area, period, count, residents, is_treated in rows:
        i, t = index[area], period - first
        counts[i, t] += count
        exposure[i, t] = residents
        treated[i] = treated[i] or is_treated
    return Panel(tuple(areas), periods, counts, exposure, treated)


# --- the result ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    period: int
    treated_count: int
    treated_rate: float | None  # per 1,000 residents
    control_count: int
    control_rate: float | None


@dataclass(frozen=True)
class EffectResult:
    conclusion: str  # "decrease" | "increase" | "no_effect_detected" | "cannot_tell"
    reasons: tuple[str, ...]
    warnings: tuple[str, ...]
    effect: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    p_floor: float | None
    alpha: float
    n_treated: int
    n_control: int
    n_placebo: int
    exact: bool  # every placebo assignment enumerated
    pre_periods: int
    post_periods: int
    treated_areas: tuple[str, ...]
    control_areas: tuple[str, ...]
    # pooled rates per 1,000 residents per period, and the counts behind them
    treated_pre_rate: float | None = None
    treated_post_rate: float | None = None
    control_pre_rate: float | None = None
    control_post_rate: float | None = None
    treated_pre_count: int = 0
    treated_post_count: int = 0
    control_pre_count: int = 0
    control_post_count: int = 0
    trend: tuple[TrendPoint, ...] = field(default_factory=tuple)
    method: str = METHOD

    def as_dict(self) -> dict[str, object]:
        """The `effect-study` output (and the API): plain JSON values."""
        return {
            "effect": self.effect,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p_value": self.p_value,
            "n_treated": self.n_treated,
            "n_control": self.n_control,
            "method": self.method,
            "conclusion": self.conclusion,
            "reasons": list(self.reasons),
            "warnings": list(self.warnings),
            "alpha": self.alpha,
            "p_floor": self.p_floor,
            "n_placebo": self.n_placebo,
            "exact_permutation": self.exact,
            "pre_periods": self.pre_periods,
            "post_periods": self.post_periods,
            "control_areas": list(self.control_areas),
        }


# --- computation -----------------------------------------------------------------------------


def _log_rate(count: FloatArray | float, exposure: FloatArray | float) -> FloatArray:
    return np.log((np.asarray(count) + CONTINUITY) / np.asarray(exposure))


def _features(panel: Panel, pre: BoolArray) -> FloatArray:
    """Per area: pre-period log level, log-linear trend, then the context columns."""
    c, e = panel.counts[:, pre], panel.exposure[:, pre]
    level = _log_rate(c.sum(axis=1), np.maximum(e.sum(axis=1), 1e-12))
    t = np.arange(int(pre.sum()), dtype=np.float64)
    trend = np.zeros(len(panel.areas))
    for i in range(len(panel.areas)):
        ok = e[i] > 0
        if ok.sum() < 2:
            continue
        y = _log_rate(c[i, ok], e[i, ok])
        w = c[i, ok] + CONTINUITY
        x = t[ok]
        xm = np.average(x, weights=w)
        denominator = np.sum(w * (x - xm) ** 2)
        if denominator > 0:
            trend[i] = np.sum(w * (x - xm) * (y - np.average(y, weights=w))) / denominator
    columns = [level, trend]
    if panel.context is not None:
        for column in np.asarray(panel.context, dtype=np.float64).T:
            filled = np.where(np.isnan(column), np.nanmean(column), column)
            columns.append(np.nan_to_num(filled))
    return np.column_stack(columns)


def select_controls(panel: Panel, pre: BoolArray, candidates: BoolArray) -> npt.NDArray[np.int64]:
    """Indices of the candidates closest to the treated areas in standardised pre-period level,
    trend and context (see the module docstring)."""
    cand = np.flatnonzero(candidates)
    treated = np.flatnonzero(panel.treated)
    wanted = max(MIN_CONTROLS, CONTROLS_PER_TREATED * len(treated))
    if len(cand) <= wanted or len(treated) == 0:
        return cand
    features = _features(panel, pre)
    used = np.concatenate([treated, cand])
    mean = features[used].mean(axis=0)
    sd = features[used].std(axis=0)
    sd[sd == 0] = 1.0
    z = (features - mean) / sd
    distance = np.sqrt(((z[cand, None, :] - z[None, treated, :]) ** 2).sum(axis=2)).min(axis=1)
    order = np.lexsort((cand, distance))  # ties: the lower index, so the result is stable
    return np.sort(cand[order[:wanted]])


def _did(
    members: npt.NDArray[np.bool_] | FloatArray,
    pre_c: FloatArray,
    pre_e: FloatArray,
    post_c: FloatArray,
    post_e: FloatArray,
) -> FloatArray:
    """theta for each row of `members` (placebo groups x pool) against the rest of the pool."""
    m = np.asarray(members, dtype=np.float64)
    rest = 1.0 - m
    treated = _log_rate(m @ post_c, m @ post_e) - _log_rate(
        m @ pre_c, m @ pre_e
    )  # groups with exposure 0 are excluded before this point
    control = _log_rate(rest @ post_c, rest @ post_e) - _log_rate(rest @ pre_c, rest @ pre_e)
    return np.asarray(treated - control, dtype=np.float64)


def _placebo_members(
    n_pool: int, n_treated: int, placebos: int, rng: np.random.Generator
) -> tuple[npt.NDArray[np.bool_], bool]:
    """Placebo assignments of `n_treated` areas among the pool (the real treated areas come
    first in the pool): every other assignment when there are at most `placebos` of them,
    else `placebos` random ones. Returns (assignments x pool, exact)."""
    total = math.comb(n_pool, n_treated) - 1  # without the real assignment
    if total <= placebos:
        members = np.zeros((total, n_pool), dtype=bool)
        combinations = itertools.combinations(range(n_pool), n_treated)
        next(combinations)  # (0, 1, ..., n_treated - 1): the real assignment
        for row, chosen in enumerate(combinations):
            members[row, list(chosen)] = True
        return members, True
    order = rng.random((placebos, n_pool)).argsort(axis=1)[:, :n_treated]
    members = np.zeros((placebos, n_pool), dtype=bool)
    np.put_along_axis(members, order, True, axis=1)
    return members, False


def permutation_p(theta: float, placebo: FloatArray) -> float:
    """Two-sided (equal-tailed) permutation p-value; its floor is 2 / (N + 1)."""
    n = len(placebo)
    above = int(np.count_nonzero(placebo >= theta - 1e-12))
    below = int(np.count_nonzero(placebo <= theta + 1e-12))
    return min(1.0, 2.0 * min(1 + above, 1 + below) / (n + 1))


@dataclass(frozen=True)
class _Pool:
    """Pre/post totals of the pool (treated first), for the permutation test."""

    n_treated: int
    pre_c: FloatArray
    pre_e: FloatArray
    post_c: FloatArray
    post_e: FloatArray
    members: npt.NDArray[np.bool_]

    def p_value(self, tau: float) -> tuple[float, float]:
        """(p, theta) for H: the effect on the log rate is tau. The treated areas' post counts
        are divided by exp(tau), which removes that effect, and the real assignment is
        compared with the placebo assignments on the adjusted data."""
        post_c = self.post_c.copy()
        post_c[: self.n_treated] *= math.exp(-tau)
        real = np.zeros((1, len(post_c)), dtype=bool)
        real[0, : self.n_treated] = True
        theta = float(_did(real, self.pre_c, self.pre_e, post_c, self.post_e)[0])
        placebo = _did(self.members, self.pre_c, self.pre_e, post_c, self.post_e)
        return permutation_p(theta, placebo), theta

    def bound(self, theta: float, alpha: float, direction: int, step: float) -> float:
        """The edge of {tau : p(tau) > alpha} below (direction -1) or above (+1) theta:
        walk out in steps until p <= alpha, then bisect."""
        inside = theta
        outside = theta + direction * step
        for _ in range(60):
            if self.p_value(outside)[0] <= alpha:
                break
            inside, outside = outside, outside + direction * step
            step *= 2
        else:
            return outside
        for _ in range(40):
            middle = (inside + outside) / 2
            if self.p_value(middle)[0] <= alpha:
                outside = middle
            else:
                inside = middle
        return inside


def _rate(count: float, exposure: float, periods: int) -> float | None:
    """Per 1,000 residents per period (the exposure sums residents over periods)."""
    if exposure <= 0 or periods <= 0:
        return None
    return 1000.0 * count / exposure


def min_placebos(alpha: float) -> int:
    """The fewest placebo groups for which p <= alpha is possible: 2 / (N + 1) <= alpha."""
    return max(1, math.ceil(2.0 / alpha - 1 - 1e-9))


def effect_study(
    panel: Panel,
    start: int,
    *,
    alpha: float = 0.05,
    placebos: int = DEFAULT_PLACEBOS,
    seed: int = 0,
) -> EffectResult:
    """The effect of the intervention from period ordinal `start` on (see module docstring)."""
    if not 0 < alpha < 1:
        raise ValueError("alpha must lie between 0 and 1")
    periods = np.asarray(panel.periods)
    pre = periods < start
    post = ~pre
    has = panel.exposure > 0
    pre_periods = int(np.count_nonzero(pre & has.any(axis=0)))
    post_periods = int(np.count_nonzero(post & has.any(axis=0)))
    pre_c = panel.counts[:, pre].sum(axis=1)
    pre_e = panel.exposure[:, pre].sum(axis=1)
    post_c = panel.counts[:, post].sum(axis=1)
    post_e = panel.exposure[:, post].sum(axis=1)
    usable = (pre_e > 0) & (post_e > 0)
    treated_idx = np.flatnonzero(panel.treated & usable)
    candidates = ~panel.treated & usable
    reasons: list[str] = []
    if pre_periods < MIN_PRE_PERIODS:
        reasons.append(TOO_FEW_PRE)
    if post_periods < MIN_POST_PERIODS:
        reasons.append(TOO_FEW_POST)
    if len(treated_idx) == 0:
        reasons.append(NO_TREATED)
    controls = (
        select_controls(replace(panel, treated=panel.treated & usable), pre, candidates)
        if pre.any()
        else np.flatnonzero(candidates)
    )
    n_t, n_c = len(treated_idx), len(controls)
    needed = min_placebos(alpha)
    n_possible = math.comb(n_t + n_c, n_t) - 1 if n_t and n_c else 0
    if n_t and min(n_possible, placebos) < needed:
        reasons.append(TOO_FEW_CONTROLS)
    t_pre, t_post = float(pre_c[treated_idx].sum()), float(post_c[treated_idx].sum())
    c_pre, c_post = float(pre_c[controls].sum()), float(post_c[controls].sum())
    if n_t and min(t_pre, t_post) < MIN_GROUP_COUNT:
        reasons.append(TOO_FEW_SIGNALS)

    trend = tuple(
        TrendPoint(
            period=int(p),
            treated_count=int(panel.counts[treated_idx, j].sum()),
            treated_rate=_rate(
                float(panel.counts[treated_idx, j].sum()),
                float(panel.exposure[treated_idx, j].sum()),
                1,
            ),
            control_count=int(panel.counts[controls, j].sum()),
            control_rate=_rate(
                float(panel.counts[controls, j].sum()),
                float(panel.exposure[controls, j].sum()),
                1,
            ),
        )
        for j, p in enumerate(panel.periods)
    )
    base = {
        "alpha": alpha,
        "n_treated": n_t,
        "n_control": n_c,
        "pre_periods": pre_periods,
        "post_periods": post_periods,
        "treated_areas": tuple(panel.areas[i] for i in treated_idx),
        "control_areas": tuple(panel.areas[i] for i in controls),
        "treated_pre_rate": _rate(t_pre, float(pre_e[treated_idx].sum()), pre_periods),
        "treated_post_rate": _rate(t_post, float(post_e[treated_idx].sum()), post_periods),
        "control_pre_rate": _rate(c_pre, float(pre_e[controls].sum()), pre_periods),
        "control_post_rate": _rate(c_post, float(post_e[controls].sum()), post_periods),
        "treated_pre_count": int(t_pre),
        "treated_post_count": int(t_post),
        "control_pre_count": int(c_pre),
        "control_post_count": int(c_post),
        "trend": trend,
    }
    if any(reason != TOO_FEW_SIGNALS for reason in reasons):
        return EffectResult(
            conclusion="cannot_tell",
            reasons=tuple(reasons),
            warnings=(),
            effect=None,
            ci_low=None,
            ci_high=None,
            p_value=None,
            p_floor=None,
            n_placebo=0,
            exact=False,
            **base,  # type: ignore[arg-type]
        )

    rng = np.random.default_rng(seed)
    pool = np.concatenate([treated_idx, controls])
    members, exact = _placebo_members(len(pool), n_t, placebos, rng)
    test = _Pool(n_t, pre_c[pool], pre_e[pool], post_c[pool], post_e[pool], members)
    p, theta = test.p_value(0.0)
    spread = float(np.std(_did(members, test.pre_c, test.pre_e, test.post_c, test.post_e)))
    step = max(spread, 1e-3)
    low = test.bound(theta, alpha, -1, step)
    high = test.bound(theta, alpha, +1, step)
    p_floor = 2.0 / (len(members) + 1)

    warnings: list[str] = []
    pre_ordinals = periods[pre]
    if len(pre_ordinals) >= 4:
        fake = int(pre_ordinals[len(pre_ordinals) // 2])
        early, late = pre & (periods < fake), pre & (periods >= fake)
        e_c, e_e = panel.counts[:, early].sum(axis=1), panel.exposure[:, early].sum(axis=1)
        l_c, l_e = panel.counts[:, late].sum(axis=1), panel.exposure[:, late].sum(axis=1)
        if np.all(e_e[pool] > 0) and np.all(l_e[pool] > 0):
            check = _Pool(n_t, e_c[pool], e_e[pool], l_c[pool], l_e[pool], members)
            if check.p_value(0.0)[0] <= alpha:
                warnings.append(PRE_TRENDS_DIFFER)

    if high - low > math.log(MAX_CI_RATIO):
        reasons.append(TOO_WIDE)
    if reasons:
        conclusion = "cannot_tell"
    elif low > 0:
        conclusion = "increase"
    elif high < 0:
        conclusion = "decrease"
    else:
        conclusion = "no_effect_detected"
    return EffectResult(
        conclusion=conclusion,
        reasons=tuple(reasons),
        warnings=tuple(warnings),
        effect=math.expm1(theta),
        ci_low=math.expm1(low),
        ci_high=math.expm1(high),
        p_value=p,
        p_floor=p_floor,
        n_placebo=len(members),
        exact=exact,
        **base,  # type: ignore[arg-type]
    )
