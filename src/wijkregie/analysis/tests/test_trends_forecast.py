from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from wijkregie.analysis.forecast import evaluate_forecast
from wijkregie.analysis.trends import (
    rate_ratio_test,
    same_weeks_baseline,
    seasonal_baseline,
    year_on_year,
)


def test_rate_ratio_test_equals_the_exact_binomial_test():
    current = np.array([30, 12, 0, 7, 50])
    earlier = np.array([15, 12, 4, 0, 41])
    result = year_on_year(current, earlier)
    for c, r, p, lo, hi in zip(
        current, earlier, result.p_value, result.lower, result.upper, strict=True
    ):
        reference = stats.binomtest(int(c), int(c + r), 0.5)
        # scipy's two-sided p sums the outcomes no more likely than c; ours doubles the
        # smaller tail. For p0 = 1/2 (symmetric) the two coincide.
        assert p == pytest.approx(reference.pvalue, rel=1e-9)
        ci = reference.proportion_ci(confidence_level=0.95, method="exact")
        assert lo == pytest.approx(ci.low / (1 - ci.low), rel=1e-9)
        if ci.high < 1:
            assert hi == pytest.approx(ci.high / (1 - ci.high), rel=1e-9)
        else:
            assert hi == np.inf
    assert result.ratio[0] == 2.0 and result.change[0] == pytest.approx(1.0)
    assert result.significant.tolist() == [True, False, False, True, False]
    assert result.ratio[3] == np.inf


def test_seasonal_baseline_uses_the_mean_of_earlier_years():
    current = np.array([40, 10])
    earlier = np.array([[20, 22, 18], [10, 11, 9]])
    result = seasonal_baseline(current, earlier)
    assert result.expected.tolist() == [20.0, 10.0]
    assert result.ratio.tolist() == [2.0, 1.0]
    # c ~ Binomial(c + sum earlier, 1/4) under no change.
    reference = stats.binom.sf(39, 100, 0.25) * 2
    assert result.p_value[0] == pytest.approx(min(1, reference), rel=1e-9)
    assert result.significant.tolist() == [True, False]


def test_same_weeks_baseline_windows():
    weekly = np.arange(3 * 52 + 10, dtype=float)[None, :].repeat(2, axis=0)
    current, earlier = same_weeks_baseline(weekly, week=3 * 52 + 5, weeks=4, years=3)
    assert current[0] == sum(range(3 * 52 + 2, 3 * 52 + 6))
    assert earlier[0].tolist() == [current[0] - 4 * 52 * y for y in (1, 2, 3)]
    with pytest.raises(ValueError):
        same_weeks_baseline(weekly, week=60, weeks=4, years=3)


def test_rate_ratio_rejects_bad_counts():
    with pytest.raises(ValueError):
        rate_ratio_test([-1], [2])
    with pytest.raises(ValueError):
        rate_ratio_test([1.5], [2])


def test_hit_rate_pai_pei_by_hand():
    # 10 cells, coverage 20 % -> the 2 highest scores: cells 0 and 1.
    predicted = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
    observed = [5, 1, 0, 10, 2, 0, 0, 2, 0, 0]  # 20 events; best 2 cells hold 15
    score = evaluate_forecast(predicted, observed, coverage=0.2)
    assert score.cells_selected == 2 and score.events_captured == 6
    assert score.hit_rate == pytest.approx(6 / 20)
    assert score.pai == pytest.approx((6 / 20) / 0.2)
    assert score.pai_max == pytest.approx((15 / 20) / 0.2)
    assert score.pei == pytest.approx(6 / 15)


def test_perfect_forecast_has_pei_one_and_unequal_areas():
    observed = np.array([0, 3, 0, 8, 1])
    score = evaluate_forecast(observed, observed, coverage=0.4)
    assert score.pei == pytest.approx(1.0)
    areas = evaluate_forecast([5, 4, 3, 2, 1], observed, coverage=0.5, cell_area=[1, 1, 2, 2, 4])
    assert areas.coverage == pytest.approx(0.4)  # cells 0-2 (area 4 of 10); cell 3 would pass 5
    assert np.isnan(evaluate_forecast([1, 2], [0, 0]).pai)
