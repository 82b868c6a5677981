"""The demo's area index: configured, with residents and survey scores, deterministic."""

from __future__ import annotations

import datetime as dt

from wijkregie.analysis.index_selectors import area_index, index_areas
from wijkregie.analysis.models import AreaStatistic, IndexDefinition, SurveyScore
from wijkregie.demo import catalogue as cat
from wijkregie.demo.services import delete_demo, ensure_demo
from wijkregie.tenants.access import viewer_for
from wijkregie.tenants.models import Municipality, User

END = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def _survey_rows() -> list[tuple[str, int, str, float, int]]:
    return list(
        SurveyScore.objects.order_by("area_code", "year", "question").values_list(
            "area_code", "year", "question", "score", "respondents"
        )
    )


def test_demo_has_an_index_with_scores_for_every_buurt(db: None) -> None:
    ensure_demo(seed=2, n_signals=2_000, end=END)
    gm = Municipality.objects.get(cbs_code=cat.CBS_CODE)
    definition = IndexDefinition.objects.get(municipality=gm)
    assert definition.base_year == 2026
    assert [t.code for t in definition.themes.order_by("order")] == [
        "veiligheid",
        "fysiek",
        "sociaal",
    ]
    assert not IndexDefinition.objects.filter(municipality__cbs_code=cat.OTHER_CBS_CODE).exists()
    assert AreaStatistic.objects.filter(code__startswith="BU9999", year=2026).count() == 40
    viewer = viewer_for(User.objects.get(username="regisseur"))
    assert viewer is not None
    buurten = index_areas(viewer=viewer, kind="buurt")
    result = area_index(viewer=viewer, codes=[b.code for b in buurten], year=2026)
    assert len(result) == 40
    scored = [index for index in result.values() if index.score is not None]
    assert len(scored) == 40
    assert all(index.band is not None for index in scored)
    assert all(len(index.themes) == 3 for index in scored)
    # Some buurten have fewer than 30 respondents: their survey side is missing, and said.
    assert any(any("respondenten" in n for n in index.notes) for index in scored)
    # The scores spread around 100 (the municipality's average of the base year).
    totals = sorted(index.score for index in scored if index.score is not None)
    assert totals[0] < 100 < totals[-1]


def test_the_demo_index_is_deterministic_and_survives_a_reset(db: None) -> None:
    ensure_demo(seed=4, n_signals=300, end=END)
    first = _survey_rows()
    assert first
    ensure_demo(seed=4, n_signals=300, end=END, reset=True)
    assert _survey_rows() == first
    assert IndexDefinition.objects.count() == 1
    delete_demo()
    assert not SurveyScore.objects.exists() and not IndexDefinition.objects.exists()
    assert not AreaStatistic.objects.filter(code__startswith="BU9999").exists()
