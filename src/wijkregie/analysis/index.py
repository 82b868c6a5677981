"""The area index in the style of the Rotterdam Wijkprofiel. Pure numpy: no ORM, no Django.

Reference: Gemeente Rotterdam, Wijkprofiel, "Vragen" and "Uitleg"
(https://wijkprofiel.rotterdam.nl/nl/2024/uitleg): themes in the domains Veiligheid, Sociaal and
Fysiek, each with an objective score (registrations) and a subjective score (the survey),
100 = the Rotterdam average of the base year 2014, below 100 less favourable; a theme score is
the mean of its indicator scores, and an index the (unweighted) mean of the objective and the
subjective scores; classes <70, 70-90, 90-110, 110-130, >=130.

Here, for indicator i with value v (an area's figure in the index year) and reference m_i (the
municipality average in the base year):

    score_i = 100 * (1 + s_i * (v - m_i) / m_i),  clipped to [0, 200]

with s_i = +1 when a higher value is better (configured for survey questions) and s_i = -1
when it is worse (always for signal rates: signals per 1,000 residents). So 100 is the
municipality average of the base year, 110 is "10 % better than that average" whatever the
unit, 0 is twice as bad (or worse), 200 twice as good (or better). A reference m_i <= 0 or
unknown makes the indicator unknown (no average to compare with).

Per theme t and side (objective, subjective):

    side_t = sum_i w_i * score_i / sum_i w_i     over the known indicators of that side

(indicator weights w_i, default 1, so the plain mean as in the Wijkprofiel). An unknown
indicator is left out; a *suppressed* indicator (a small count hidden from the viewer)
blanks the whole side, because the side score with and without it would reveal it.

    theme_t = (W_o * objective_t + W_s * subjective_t) / (W_o + W_s)

with the configured weights W_o, W_s (Wijkprofiel: 0.5/0.5); when one side is unknown the
theme score is the other side (the caller notes it). The total is the weighted mean of the
known theme scores with the theme weights (default 1: the mean of the themes). Scores are
rounded to one decimal before the band is chosen, so the band printed next to a score always
agrees with it: the band is the one with the highest lower bound <= score (None below all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wijkregie.analysis.profile import Band

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

AVERAGE = 100.0
SCORE_MIN = 0.0
SCORE_MAX = 200.0
DECIMALS = 1

# The Wijkprofiel's classes (and colours): < 70, 70-90, 90-110, 110-130, >= 130.
DEFAULT_BANDS: tuple[Band, ...] = (
    Band(0.0, "ver onder gemiddeld"),
    Band(70.0, "onder gemiddeld"),
    Band(90.0, "rond gemiddeld"),
    Band(110.0, "boven gemiddeld"),
    Band(130.0, "ver boven gemiddeld"),
)


@dataclass(frozen=True)
class IndicatorSpec:
    theme: int  # position of the theme in IndexSpec.themes
    objective: bool
    higher_is_better: bool
    weight: float = 1.0


@dataclass(frozen=True)
class IndexSpec:
    theme_weights: tuple[float, ...]
    indicators: tuple[IndicatorSpec, ...]
    objective_weight: float
    subjective_weight: float
    bands: tuple[Band, ...] = DEFAULT_BANDS


@dataclass(frozen=True)
class IndexScores:
    """Per area (rows) and theme (columns); NaN means unknown or suppressed."""

    indicator: FloatArray  # areas x indicators, the normalised indicator scores
    objective: FloatArray  # areas x themes
    subjective: FloatArray  # areas x themes
    objective_suppressed: BoolArray  # areas x themes: blanked because of a suppressed value
    subjective_suppressed: BoolArray
    theme: FloatArray  # areas x themes
    total: FloatArray  # areas


def normalise(values: FloatArray, reference: float, *, higher_is_better: bool) -> FloatArray:
    """100 * (1 + s (v - m) / m), clipped to [0, 200]; NaN where v is NaN or m <= 0/NaN."""
    values = np.asarray(values, dtype=np.float64)
    if not np.isfinite(reference) or reference <= 0:
        return np.full(values.shape, np.nan)
    sign = 1.0 if higher_is_better else -1.0
    with np.errstate(invalid="ignore"):
        scores = AVERAGE * (1.0 + sign * (values - reference) / reference)
        return np.clip(scores, SCORE_MIN, SCORE_MAX)


def weighted_mean(scores: FloatArray, weights: FloatArray) -> FloatArray:
    """Row-wise sum(w * x) / sum(w) over the finite x with w > 0; NaN when there are none."""
    scores = np.asarray(scores, dtype=np.float64)
    weights = np.broadcast_to(np.asarray(weights, dtype=np.float64), scores.shape)
    known = np.isfinite(scores) & (weights > 0)
    w = np.where(known, weights, 0.0)
    total = w.sum(axis=-1)
    summed = np.where(known, scores, 0.0) * w
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, summed.sum(axis=-1) / np.where(total > 0, total, 1.0), np.nan)


def band_for(score: float | None, bands: Sequence[Band]) -> str | None:
    """The label of the band with the highest lower bound <= score; None below all or unknown."""
    if score is None or not np.isfinite(score):
        return None
    best: Band | None = None
    for band in bands:
        if band.lower <= score and (best is None or band.lower > best.lower):
            best = band
    return best.label if best is not None else None


def _round(values: FloatArray) -> FloatArray:
    rounded: FloatArray = np.round(np.asarray(values, dtype=np.float64), DECIMALS).astype(
        np.float64
    )
    return rounded


def index_scores(
    spec: IndexSpec,
    values: FloatArray,
    references: FloatArray,
    suppressed: BoolArray | None = None,
) -> IndexScores:
    """Normalise `values` (areas x indicators, NaN = unknown) against `references` (one per
    indicator) and combine them into theme and total scores (see the module docstring).

    `suppressed` (areas x indicators) marks values hidden from the viewer: the side of the
    theme they belong to is blanked for that area.
    """
    values = np.atleast_2d(np.asarray(values, dtype=np.float64))
    n_areas, n_indicators = values.shape
    if n_indicators != len(spec.indicators) or len(references) != n_indicators:
        raise ValueError("values, references and indicators do not match")
    hidden = (
        np.zeros(values.shape, dtype=bool)
        if suppressed is None
        else np.asarray(suppressed, dtype=bool).reshape(values.shape)
    )
    scores = np.full(values.shape, np.nan)
    for i, indicator in enumerate(spec.indicators):
        scores[:, i] = normalise(
            values[:, i], float(references[i]), higher_is_better=indicator.higher_is_better
        )
    scores[hidden] = np.nan
    n_themes = len(spec.theme_weights)
    sides: dict[bool, tuple[FloatArray, BoolArray]] = {}
    for is_objective in (True, False):
        side = np.full((n_areas, n_themes), np.nan)
        blanked = np.zeros((n_areas, n_themes), dtype=bool)
        for t in range(n_themes):
            columns = [
                i
                for i, ind in enumerate(spec.indicators)
                if ind.theme == t and ind.objective == is_objective
            ]
            if not columns:
                continue
            weights = np.array([spec.indicators[i].weight for i in columns])
            side[:, t] = weighted_mean(scores[:, columns], weights)
            blanked[:, t] = hidden[:, columns].any(axis=1)
        side[blanked] = np.nan
        sides[is_objective] = (_round(side), blanked)
    objective, objective_blanked = sides[True]
    subjective, subjective_blanked = sides[False]
    pair = np.stack([objective, subjective], axis=-1)
    theme = _round(weighted_mean(pair, np.array([spec.objective_weight, spec.subjective_weight])))
    total = _round(weighted_mean(theme, np.array(spec.theme_weights, dtype=np.float64)))
    return IndexScores(
        indicator=_round(scores),
        objective=objective,
        subjective=subjective,
        objective_suppressed=objective_blanked,
        subjective_suppressed=subjective_blanked,
        theme=theme,
        total=total,
    )


def rate_per_1000(
    counts: FloatArray, residents: FloatArray, year_fraction: float = 1.0
) -> FloatArray:
    """Signals per 1,000 residents per year: 1000 * n / residents / year_fraction.

    `year_fraction` (0 < f <= 1) is the part of the year observed so far, so that a running
    year is comparable with a whole one. NaN where residents are unknown or 0.
    """
    counts = np.asarray(counts, dtype=np.float64)
    residents = np.asarray(residents, dtype=np.float64)
    fraction = min(max(float(year_fraction), 1e-9), 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(residents > 0, 1000.0 * counts / residents / fraction, np.nan)


def weighted_survey_mean(scores: FloatArray, respondents: FloatArray) -> float:
    """Respondent-weighted mean score (the score of areas taken together); NaN if none."""
    scores = np.asarray(scores, dtype=np.float64)
    weights = np.asarray(respondents, dtype=np.float64)
    known = np.isfinite(scores) & (weights > 0)
    if not known.any():
        return float("nan")
    return float((scores[known] * weights[known]).sum() / weights[known].sum())
