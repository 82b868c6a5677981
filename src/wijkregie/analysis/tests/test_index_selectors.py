"""analysis.index_selectors.area_index on the persona world; expected values by hand in
index_fixtures (module docstring)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from wijkregie.analysis.index_selectors import area_index
from wijkregie.analysis.models import IndexDefinition, SurveyScore
from wijkregie.analysis.profile import AreaIndex, ThemeScore
from wijkregie.analysis.tests.index_fixtures import BU, WK1, WK2, YEAR, build_index_world
from wijkregie.signals.models import Signal
from wijkregie.tenants.access import Viewer, viewer_for
from wijkregie.testing.personas import World, make_signal


def viewer(world: World, persona: str) -> Viewer:
    v = viewer_for(world.users[persona])
    assert v is not None
    return v


def theme(index: AreaIndex, key: str) -> ThemeScore:
    (found,) = [t for t in index.themes if t.key == key]
    return found


@pytest.fixture
def index_world(world: World) -> World:
    build_index_world(world)
    return world


def test_no_configuration_gives_an_empty_result(world: World) -> None:
    assert area_index(viewer=viewer(world, "regisseur"), codes=list(BU.values())) == {}


def test_buurt_scores_for_the_regisseur(index_world: World) -> None:
    result = area_index(viewer=viewer(index_world, "regisseur"), codes=list(BU.values()), year=YEAR)
    assert set(result) == set(BU.values())
    b1, b2, b3, b4 = (result[BU[k]] for k in ("01", "02", "03", "04"))
    assert (theme(b1, "veiligheid").objective, theme(b1, "veiligheid").subjective) == (75.0, 90.0)
    assert theme(b1, "veiligheid").score == 82.5
    assert theme(b1, "veiligheid").band == "onder gemiddeld"
    assert (theme(b1, "wonen").objective, theme(b1, "wonen").subjective) == (100.0, 125.0)
    assert theme(b1, "wonen").score == 112.5
    assert b1.score == 97.5 and b1.band == "rond gemiddeld"
    # 90 is the lower bound of "rond gemiddeld": inclusive.
    assert theme(b2, "veiligheid").score == 92.5 and theme(b2, "wonen").score == 87.5
    assert b2.score == 90.0 and b2.band == "rond gemiddeld"
    # BU03: no signals (200, the cap) and too few respondents for veilig_buurt.
    assert theme(b3, "veiligheid").objective == 200.0
    assert theme(b3, "veiligheid").subjective is None
    assert theme(b3, "veiligheid").score == 200.0
    assert theme(b3, "wonen").score == 125.0
    assert b3.score == 162.5 and b3.band == "ver boven gemiddeld"
    assert any("minder dan 30 respondenten" in n for n in b3.notes)
    assert any("Veiligheid: geen subjectieve score" in n for n in b3.notes)
    assert b4.score == pytest.approx(76.25, abs=0.051) and b4.band == "onder gemiddeld"
    assert b1.year == YEAR and b1.base_year == YEAR
    assert (b1.objective_weight, b1.subjective_weight) == (0.5, 0.5)
    assert [band.lower for band in b1.bands] == [0, 70, 90, 110, 130]


def test_wijk_and_focus_area_aggregate_their_buurten(index_world: World) -> None:
    focus = str(index_world.focus.uuid)
    result = area_index(
        viewer=viewer(index_world, "regisseur"), codes=[WK1, focus, WK2.lower()], year=YEAR
    )
    assert set(result) == {WK1, focus, WK2}
    wijk = result[WK1]
    # overlast 3 / 3000 = 1.0 -> 75; woonfraude 6 / 3000 = 2.0 -> 100
    assert theme(wijk, "veiligheid").objective == 75.0
    assert theme(wijk, "wonen").objective == 100.0
    # survey: respondent-weighted buurten: (6.3*100 + 7.7*50) / 150 = 6.7667 -> 96.7
    assert theme(wijk, "veiligheid").subjective == 96.7
    assert theme(wijk, "wonen").subjective == 100.0  # (15*100 + 25*100) / 200 = 20
    # Noord holds the same buurten: the same index.
    assert result[focus].themes == wijk.themes and result[focus].score == wijk.score


def test_unknown_and_foreign_codes_are_absent(index_world: World) -> None:
    result = area_index(
        viewer=viewer(index_world, "regisseur"),
        codes=["BU00000000", "BU99980101", "nonsense", "", str(index_world.focus.uuid)[:-1] + "0"],
        year=YEAR,
    )
    assert result == {}


def test_the_outsider_gets_nothing_of_demodam(index_world: World) -> None:
    outsider = viewer(index_world, "outsider")
    assert area_index(viewer=outsider, codes=[*BU.values(), WK1], year=YEAR) == {}
    # Even with an index of its own, Demodam's areas stay absent.
    IndexDefinition.objects.create(municipality=index_world.other_gm, base_year=YEAR)
    codes = [*BU.values(), WK1, str(index_world.focus.uuid)]
    assert area_index(viewer=outsider, codes=codes, year=YEAR) == {}


def test_only_visible_signals_count(index_world: World) -> None:
    # The youth worker sees only their own overlast signal in BU01: reference 1 / 5000.
    result = area_index(
        viewer=viewer(index_world, "jongerenwerker"), codes=[BU["01"], BU["02"]], year=YEAR
    )
    assert theme(result[BU["01"]], "veiligheid").objective == 0.0  # 1.0 vs 0.2: capped at 0
    assert theme(result[BU["02"]], "veiligheid").objective == 200.0
    # No woonfraude visible at all: no reference, so no objective score for Wonen.
    assert theme(result[BU["01"]], "wonen").objective is None
    assert theme(result[BU["01"]], "wonen").subjective == 125.0
    # The police officer sees the police signals (BU01, BU02 confidential, BU03) and, through
    # the convenant, the municipality's two overlast signals in BU02 (Noord): 5 / 5000 = 1.0.
    police = area_index(
        viewer=viewer(index_world, "wijkagent"), codes=[BU["02"], BU["03"]], year=YEAR
    )
    assert theme(police[BU["03"]], "veiligheid").objective == 100.0  # 1 / 1000 = 1.0
    assert theme(police[BU["02"]], "veiligheid").objective == 50.0  # 3 / 2000 = 1.5


def test_analyst_gets_small_counts_suppressed(index_world: World) -> None:
    result = area_index(viewer=viewer(index_world, "analist"), codes=list(BU.values()), year=YEAR)
    b1 = result[BU["01"]]
    # Every buurt count is below 5: the objective sides are blanked, the survey remains.
    assert [(t.objective, t.subjective, t.score) for t in b1.themes] == [
        (None, 90.0, 90.0),
        (None, 125.0, 125.0),
    ]
    assert b1.score == 107.5
    assert any("kleine aantallen afgeschermd" in n for n in b1.notes)
    # With 5 woonfraude signals in BU04 its count is shown again (8 in total, 15 overall).
    for _ in range(5):
        make_signal(index_world, owner="gemeente", category="woonfraude", buurt="04")
    Signal.objects.filter(municipality=index_world.gm).update(
        observed_at=timezone.make_aware(dt.datetime(YEAR, 3, 1))
    )
    again = area_index(viewer=viewer(index_world, "analist"), codes=[BU["04"]], year=YEAR)
    # 8 / 1000 = 8.0 vs 15 / 5000 = 3.0 -> 100 * (1 - 5/3) < 0 -> 0
    assert theme(again[BU["04"]], "wonen").objective == 0.0
    regisseur = area_index(viewer=viewer(index_world, "regisseur"), codes=[BU["01"]], year=YEAR)
    assert theme(regisseur[BU["01"]], "veiligheid").objective == 75.0


def test_viewers_without_signal_access_get_the_survey_only(index_world: World) -> None:
    result = area_index(viewer=viewer(index_world, "privacy"), codes=[BU["01"]], year=YEAR)
    b1 = result[BU["01"]]
    assert [(t.objective, t.subjective) for t in b1.themes] == [(None, 90.0), (None, 125.0)]
    assert any("geen signalen" in n for n in b1.notes)


def test_an_older_survey_is_used_and_said(index_world: World) -> None:
    from wijkregie.analysis.tests.index_fixtures import add_residents

    add_residents(YEAR + 1)
    Signal.objects.filter(municipality=index_world.gm).update(
        observed_at=timezone.make_aware(dt.datetime(YEAR + 1, 5, 1))
    )
    result = area_index(viewer=viewer(index_world, "regisseur"), codes=[BU["01"]], year=YEAR + 1)
    b1 = result[BU["01"]]
    assert b1.year == YEAR + 1 and b1.base_year == YEAR
    assert theme(b1, "veiligheid").subjective == 90.0
    assert f"Enquêtecijfers van {YEAR}." in b1.notes
    # No signals in the base year any more: no reference, no objective scores.
    assert theme(b1, "veiligheid").objective is None


def test_below_the_respondent_threshold_nothing_is_shown(index_world: World) -> None:
    SurveyScore.objects.filter(area_code=BU["01"]).update(respondents=29)
    result = area_index(viewer=viewer(index_world, "regisseur"), codes=[BU["01"]], year=YEAR)
    assert [t.subjective for t in result[BU["01"]].themes] == [None, None]


def test_missing_residents_leave_the_objective_side_empty(index_world: World) -> None:
    from wijkregie.analysis.models import AreaStatistic

    AreaStatistic.objects.filter(code=BU["02"]).delete()
    result = area_index(viewer=viewer(index_world, "regisseur"), codes=[BU["02"]], year=YEAR)
    assert theme(result[BU["02"]], "veiligheid").objective is None
    assert "Geen inwonertal (CBS) voor dit gebied." in result[BU["02"]].notes
