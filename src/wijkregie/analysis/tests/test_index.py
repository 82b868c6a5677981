"""analysis.index: the Wijkprofiel-style arithmetic, against values computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from wijkregie.analysis import index as calc
from wijkregie.analysis.profile import Band

NAN = float("nan")


def test_normalise_higher_is_better() -> None:
    # m = 8: 8 -> 100, 10 -> 125, 6 -> 75, 20 -> 250 capped at 200, NaN stays NaN
    scores = calc.normalise(np.array([8.0, 10.0, 6.0, 20.0, NAN]), 8.0, higher_is_better=True)
    assert scores[:4].tolist() == [100.0, 125.0, 75.0, 200.0]
    assert np.isnan(scores[4])


def test_normalise_higher_is_worse() -> None:
    # m = 4 signals per 1,000: 4 -> 100, 5 -> 75, 2 -> 150, 0 -> 200, 12 -> -100 capped at 0
    scores = calc.normalise(np.array([4.0, 5.0, 2.0, 0.0, 12.0]), 4.0, higher_is_better=False)
    assert scores.tolist() == [100.0, 75.0, 150.0, 200.0, 0.0]


@pytest.mark.parametrize("reference", [0.0, -1.0, NAN])
def test_normalise_without_a_reference_is_unknown(reference: float) -> None:
    assert np.isnan(calc.normalise(np.array([1.0, 2.0]), reference, higher_is_better=True)).all()


def test_rate_per_1000_and_a_running_year() -> None:
    rates = calc.rate_per_1000(np.array([3, 0, 5, 1]), np.array([1500, 800, 0, NAN]))
    assert rates[:2].tolist() == [2.0, 0.0]
    assert np.isnan(rates[2]) and np.isnan(rates[3])
    # Half a year observed: 3 signals in 1,500 residents -> 2 per 1,000 in half a year -> 4.
    assert calc.rate_per_1000(np.array([3]), np.array([1500]), 0.5).tolist() == [4.0]


def test_weighted_mean_skips_unknown_values_and_zero_weights() -> None:
    scores = np.array([[80.0, 120.0, NAN], [NAN, NAN, NAN], [90.0, 60.0, 30.0]])
    weights = np.array([1.0, 3.0, 0.0])
    result = calc.weighted_mean(scores, weights)
    # (80 + 3*120) / 4 = 110; nothing known -> NaN; (90 + 3*60) / 4 = 67.5 (weight 0 ignored)
    assert result[0] == 110.0 and np.isnan(result[1]) and result[2] == 67.5


def test_survey_mean_is_respondent_weighted() -> None:
    # (6*100 + 9*50) / 150 = 7.0; a row without respondents does not count
    scores, respondents = np.array([6.0, 9.0, 1.0]), np.array([100, 50, 0])
    assert calc.weighted_survey_mean(scores, respondents) == 7.0
    assert np.isnan(calc.weighted_survey_mean(np.array([5.0]), np.array([0])))


def test_band_is_the_highest_lower_bound_at_or_below_the_score() -> None:
    bands = (Band(90, "rond"), Band(0, "ver onder"), Band(70, "onder"), Band(110, "boven"))
    assert calc.band_for(89.9, bands) == "onder"
    assert calc.band_for(90.0, bands) == "rond"
    assert calc.band_for(0.0, bands) == "ver onder"
    assert calc.band_for(250.0, bands) == "boven"
    assert calc.band_for(-1.0, bands) is None
    assert calc.band_for(None, bands) is None
    assert calc.band_for(NAN, bands) is None


def _spec(objective_weight: float = 0.5, subjective_weight: float = 0.5) -> calc.IndexSpec:
    # Theme 0: two objective indicators (signals) and one survey question (higher better);
    # theme 1: one survey question where lower is better, weight 3 in the total.
    return calc.IndexSpec(
        theme_weights=(1.0, 3.0),
        indicators=(
            calc.IndicatorSpec(theme=0, objective=True, higher_is_better=False),
            calc.IndicatorSpec(theme=0, objective=True, higher_is_better=False),
            calc.IndicatorSpec(theme=0, objective=False, higher_is_better=True),
            calc.IndicatorSpec(theme=1, objective=False, higher_is_better=False),
        ),
        objective_weight=objective_weight,
        subjective_weight=subjective_weight,
    )


REFERENCES = np.array([10.0, 2.0, 7.0, 30.0])


def test_index_scores_by_hand() -> None:
    values = np.array(
        [
            # 12 vs 10 -> 80; 1 vs 2 -> 150; 7.7 vs 7 -> 110; 24 vs 30 (lower better) -> 120
            [12.0, 1.0, 7.7, 24.0],
            # 10 -> 100; 3 -> 50; no survey; 33 -> 90
            [10.0, 3.0, NAN, 33.0],
        ]
    )
    scores = calc.index_scores(_spec(), values, REFERENCES)
    assert scores.indicator[0].tolist() == [80.0, 150.0, 110.0, 120.0]
    assert scores.indicator[1, [0, 1, 3]].tolist() == [100.0, 50.0, 90.0]
    assert np.isnan(scores.indicator[1, 2])
    # area 0, theme 0: objective (80 + 150) / 2 = 115, subjective 110 -> (115 + 110) / 2 = 112.5
    assert scores.objective[0].tolist()[0] == 115.0
    assert scores.subjective[0].tolist() == [110.0, 120.0]
    assert scores.theme[0].tolist() == [112.5, 120.0]
    # total: (1 * 112.5 + 3 * 120) / 4 = 118.125 -> 118.1
    assert scores.total[0] == 118.1
    # area 1, theme 0: objective 75, no subjective -> the theme is the objective side
    assert scores.objective[1, 0] == 75.0 and np.isnan(scores.subjective[1, 0])
    assert scores.theme[1].tolist() == [75.0, 90.0]
    assert scores.total[1] == 86.2  # (75 + 3 * 90) / 4 = 86.25, rounded half to even in binary
    # A theme without objective indicators has no objective side at all.
    assert np.isnan(scores.objective[:, 1]).all()


def test_configured_weights() -> None:
    values = np.array([[12.0, 1.0, 7.7, 24.0]])
    scores = calc.index_scores(_spec(0.25, 0.75), values, REFERENCES)
    # 0.25 * 115 + 0.75 * 110 = 111.25 -> 111.2
    assert scores.theme[0, 0] == pytest.approx(111.25, abs=0.051)
    only_survey = calc.index_scores(_spec(0.0, 1.0), values, REFERENCES)
    assert only_survey.theme[0, 0] == 110.0
    assert only_survey.objective[0, 0] == 115.0  # still reported


def test_a_suppressed_indicator_blanks_its_side_of_the_theme() -> None:
    values = np.array([[12.0, 1.0, 7.7, 24.0]])
    hidden = np.array([[False, True, False, False]])
    scores = calc.index_scores(_spec(), values, REFERENCES, hidden)
    # Not the mean of the remaining indicator (80): that would reveal the hidden one.
    assert np.isnan(scores.objective[0, 0]) and scores.objective_suppressed[0, 0]
    assert not scores.subjective_suppressed[0].any()
    assert scores.theme[0, 0] == 110.0
    assert np.isnan(scores.indicator[0, 1])


def test_nothing_known_gives_nan_everywhere() -> None:
    scores = calc.index_scores(_spec(), np.full((1, 4), NAN), REFERENCES)
    assert np.isnan(scores.theme).all() and np.isnan(scores.total).all()


def test_mismatched_shapes_are_refused() -> None:
    with pytest.raises(ValueError):
        calc.index_scores(_spec(), np.zeros((2, 3)), REFERENCES)


def test_default_bands_are_the_wijkprofiel_classes() -> None:
    assert [b.lower for b in calc.DEFAULT_BANDS] == [0, 70, 90, 110, 130]
    assert calc.band_for(100.0, calc.DEFAULT_BANDS) == "rond gemiddeld"
    assert calc.band_for(69.9, calc.DEFAULT_BANDS) == "ver onder gemiddeld"


def test_an_index_without_themes_is_unknown_not_an_error() -> None:
    spec = calc.IndexSpec(
        theme_weights=(), indicators=(), objective_weight=0.5, subjective_weight=0.5
    )
    scores = calc.index_scores(spec, np.zeros((3, 0)), np.zeros(0))
    assert scores.theme.shape == (3, 0)
    assert np.isnan(scores.total).all()
