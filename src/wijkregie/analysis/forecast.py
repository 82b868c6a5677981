"""Evaluation of a hotspot forecast: hit rate, PAI and PEI at a fixed coverage.

A forecast scores every cell of the study area (higher = more expected); the top cells that
cover a fixed share of the area are the predicted hotspots. Against the events of the
evaluation period (counts per cell):

    hit rate = n / N                 (share of the events that fall in the predicted cells)
    PAI      = (n / N) / (a / A)     (Predictive Accuracy Index; a/A the share of the area)
    PEI      = PAI / PAI*            (Predictive Efficiency Index; PAI* the best PAI any
                                      selection of the same area could reach: the a cells
                                      with the most events)

References:
    Chainey, S., Tompson, L. & Uhlig, S. (2008). The utility of hotspot mapping for
        predicting spatial patterns of crime. Security Journal 21, 4-28 (PAI).
    Hunt, J.M. (2016). Do crime hot spots move? Exploring the effects of the modifiable
        areal unit problem and modifiable temporal unit problem on crime hot spot stability.
        PhD thesis, American University, Washington DC (PEI).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class ForecastScore:
    cells_selected: int
    cells_total: int
    coverage: float  # a / A actually used (whole cells)
    events_total: int
    events_captured: int
    hit_rate: float
    pai: float
    pai_max: float
    pei: float


def evaluate_forecast(
    predicted: npt.ArrayLike,
    observed: npt.ArrayLike,
    *,
    coverage: float = 0.05,
    cell_area: npt.ArrayLike | None = None,
) -> ForecastScore:
    """Hit rate, PAI and PEI of the forecast `predicted` against event counts `observed`
    per cell, selecting the highest-scoring cells until they cover `coverage` of the area.

    Cells of equal area (default): k = round(coverage * n) cells, at least 1. With
    `cell_area`, cells are taken in order of score until the share of area would exceed
    `coverage`. Ties in the score are broken by cell order (stable, deterministic), and PAI*
    uses the same number of cells (equal areas) or the same area budget (greedy by events
    per area). Returns NaN rates when there are no events.
    """
    score = np.asarray(predicted, dtype=np.float64).ravel()
    events = np.asarray(observed, dtype=np.float64).ravel()
    if score.shape != events.shape:
        raise ValueError("predicted and observed must have the same length")
    if not 0 < coverage <= 1:
        raise ValueError("coverage must be in (0, 1]")
    if (events < 0).any():
        raise ValueError("event counts must be non-negative")
    n = score.size
    if n == 0:
        raise ValueError("no cells")
    area = np.ones(n) if cell_area is None else np.asarray(cell_area, dtype=np.float64).ravel()
    total_area = float(area.sum())
    order = np.argsort(-score, kind="stable")
    best = np.argsort(-(events / area), kind="stable")
    if cell_area is None:
        k = max(1, min(n, round(coverage * n)))
        chosen, ideal = order[:k], best[:k]
    else:
        budget = coverage * total_area
        chosen = order[: max(1, int(np.searchsorted(np.cumsum(area[order]), budget, "right")))]
        ideal = best[: max(1, int(np.searchsorted(np.cumsum(area[best]), budget, "right")))]
    share = float(area[chosen].sum()) / total_area
    total_events = float(events.sum())
    captured = float(events[chosen].sum())
    if total_events == 0:
        nan = math.nan
        return ForecastScore(chosen.size, n, share, 0, 0, nan, nan, nan, nan)
    hit_rate = captured / total_events
    pai = hit_rate / share
    best_share = float(area[ideal].sum()) / total_area
    pai_max = (float(events[ideal].sum()) / total_events) / best_share
    return ForecastScore(
        cells_selected=int(chosen.size),
        cells_total=n,
        coverage=share,
        events_total=int(total_events),
        events_captured=int(captured),
        hit_rate=hit_rate,
        pai=pai,
        pai_max=pai_max,
        pei=pai / pai_max if pai_max > 0 else math.nan,
    )
