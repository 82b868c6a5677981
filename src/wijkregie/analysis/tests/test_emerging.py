from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from wijkregie.analysis.emerging import emerging_hotspots, mann_kendall


def test_mann_kendall_by_hand():
    # x = 1, 3, 2, 5, 5: pairs (i<j) signs: 1,1,1,1 | -1,1,1 | 1,1 | 0  -> S = 7.
    x = [1, 3, 2, 5, 5]
    result = mann_kendall(x)
    assert result.s[0] == 7
    # One tie group of size 2: Var = [5*4*15 - 2*1*9] / 18 = (300 - 18) / 18.
    assert result.variance[0] == pytest.approx(282 / 18)
    assert result.z[0] == pytest.approx((7 - 1) / np.sqrt(282 / 18))
    assert result.p_value[0] == pytest.approx(2 * stats.norm.sf(6 / np.sqrt(282 / 18)))


def test_mann_kendall_equals_kendall_tau_against_time_with_ties():
    rng = np.random.default_rng(0)
    series = rng.poisson(3, size=(50, 24)).astype(float) + np.linspace(0, 2, 24).round()
    result = mann_kendall(series, continuity=False)
    t = np.arange(24)
    for row, s, z, p, tau in zip(
        series, result.s, result.z, result.p_value, result.tau, strict=True
    ):
        reference = stats.kendalltau(t, row, method="asymptotic")
        assert tau == pytest.approx(reference.statistic, abs=1e-12)
        assert p == pytest.approx(reference.pvalue, rel=1e-9, abs=1e-15)
        assert np.sign(z) == np.sign(s)


def test_constant_series_has_no_trend():
    result = mann_kendall([[2, 2, 2, 2]])
    assert result.s[0] == 0 and result.z[0] == 0 and result.p_value[0] == 1


def classify(rows):
    """rows: strings over periods, '+' hot, '-' cold, '.' nothing; z follows the marks,
    with an upward ramp for 'u', a downward one for 'd'."""
    z, sig = [], []
    for marks, slope in rows:
        t = len(marks)
        base = np.array([3.0 if m == "+" else -3.0 if m == "-" else 0.5 for m in marks])
        if slope == "u":
            base = base + np.linspace(0, 6, t)
        if slope == "d":
            base = base + np.linspace(6, 0, t)
        z.append(base)
        sig.append([m != "." for m in marks])
    return emerging_hotspots(np.array(z), np.array(sig)).pattern.tolist()


def test_emerging_hot_spot_classes():
    cases = {
        "new_hot": (".........+", ""),
        "consecutive_hot": (".......+++", ""),
        "intensifying_hot": ("++++++++++", "u"),
        "diminishing_hot": ("++++++++++", "d"),
        "persistent_hot": ("++++++++++", ""),
        "historical_hot": ("+++++++++.", ""),
        "sporadic_hot": ("+..+..+.++", ""),
        "oscillating_hot": ("-..+..-..+", ""),
        "new_cold": (".........-", ""),
        "persistent_cold": ("----------", ""),
        "none": ("..........", ""),
    }
    assert classify(list(cases.values())) == list(cases.keys())


def test_ninety_percent_rule_uses_whole_periods():
    # 9 of 10 hot including the last: persistent; 8 of 10: not (sporadic here).
    assert classify([("+.++++++++", ""), ("+..+++++++", "")]) == ["persistent_hot", "sporadic_hot"]


def test_emerging_hotspots_on_a_grid_find_a_growing_and_a_new_cluster():
    from wijkregie.analysis.emerging import emerging_hotspots_grid

    rng = np.random.default_rng(12)
    a, b = np.meshgrid(np.arange(30), np.arange(30), indexing="ij")
    ix, iy = a.ravel(), b.ravel()
    periods = 12
    counts = rng.poisson(1.0, size=(ix.size, periods)).astype(float)
    growing = (ix < 4) & (iy < 4)
    counts[growing] += np.arange(periods) * 2 + 6  # hot throughout, more and more
    new = (ix > 24) & (iy > 24)
    counts[new, -1] += 15  # hot only in the last period
    result = emerging_hotspots_grid(ix, iy, counts)
    assert set(result.pattern[growing & (ix > 0) & (iy > 0) & (ix < 3) & (iy < 3)]) == {
        "intensifying_hot"
    }
    assert "new_hot" in set(result.pattern[new].tolist())
    assert (result.pattern[(ix > 10) & (ix < 20) & (iy > 10) & (iy < 20)] == "none").mean() > 0.9
