"""The area profile (profile_selectors) against counts made by hand from a list of signals.

A fixed history is added to the persona world: the gemeente's own signals in 2022-2025 and
shared police signals, so that every figure (period, year earlier, municipality, rank, months,
seasonal baseline, categories, hour and weekday in Europe/Amsterdam) has a known answer.
The profile period is the first half of 2025, far from the world's own signals (yesterday).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404
from django.test import override_settings

from wijkregie.analysis.index_selectors import area_index
from wijkregie.analysis.models import AreaStatistic
from wijkregie.analysis.profile import AreaProfile, Chart, KeyFigure, Series
from wijkregie.analysis.profile_selectors import (
    ProfileQuery,
    access_profile_area,
    area_profile,
    compare_profiles,
    comparison_charts,
    default_period,
)
from wijkregie.signals.models import Signal
from wijkregie.signals.selectors import SignalFilters
from wijkregie.tenants.access import Viewer, viewer_for
from wijkregie.testing.personas import World, make_signal

AMS = ZoneInfo("Europe/Amsterdam")
UTC = dt.UTC
START, END = dt.date(2025, 1, 1), dt.date(2025, 7, 1)  # [start, end)


@dataclass(frozen=True)
class Rec:
    owner: str
    category: str
    buurt: str
    at: dt.datetime  # aware


DOMAIN = {
    "overlast-jeugd": "veiligheid",
    "overlast": "veiligheid",
    "woonfraude": "wonen",
    "zorgmelding": "zorg-welzijn",
}


def local(y: int, m: int, d: int, h: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, minute, tzinfo=AMS)


HISTORY: list[Rec] = [
    # The first signal ever: 5 January 2022 (so January 2022 is not covered, February is).
    Rec("gemeente", "woonfraude", "03", local(2022, 1, 5)),
    Rec("gemeente", "overlast-jeugd", "01", local(2022, 2, 10)),
    *[Rec("gemeente", "overlast-jeugd", "01", local(2023, 2, 3 + i)) for i in range(3)],
    *[Rec("gemeente", "overlast-jeugd", "01", local(2024, 2, 3 + i)) for i in range(4)],
    # 2025: 31 December 2024 23:30 UTC is 1 January 2025 00:30 in Amsterdam (a Wednesday).
    Rec("gemeente", "overlast-jeugd", "01", dt.datetime(2024, 12, 31, 23, 30, tzinfo=UTC)),
    *[Rec("gemeente", "overlast-jeugd", "01", local(2025, 2, 3 + i, 9 + i)) for i in range(7)],
    *[Rec("gemeente", "woonfraude", "01", local(2025, 3, 10 + i)) for i in range(2)],
    *[Rec("gemeente", "woonfraude", "03", local(2025, 4, 10 + i)) for i in range(3)],
    # Police signals in Noord (buurt 01) in a convenant category: shared with the gemeente.
    *[Rec("politie", "overlast-jeugd", "01", local(2025, 5, 6 + i, 20)) for i in range(2)],
    Rec("jongerenwerk", "overlast-jeugd", "02", local(2025, 1, 20)),
    # 30 June 2025 22:30 UTC is 1 July 00:30 in Amsterdam: after the period.
    Rec("gemeente", "overlast-jeugd", "01", dt.datetime(2025, 6, 30, 22, 30, tzinfo=UTC)),
]

# Who sees which of the history's signals, written out from the visibility rules: an own
# organisation's signals, plus other parties' signals in the convenant's overlast categories
# in Noord (buurten 01 and 02); gemeente, politie and corporatie are the parties.
OWN = {"regisseur": "gemeente", "analist": "gemeente", "wijkagent": "politie"}
OWN.update({"corporatie": "corporatie", "jongerenwerker": "jongerenwerk"})
PARTIES = {"gemeente", "politie", "corporatie"}


def sees(persona: str, r: Rec) -> bool:
    own = OWN.get(persona)
    if own is None:
        return False
    if r.owner == own:
        return True
    return (
        own in PARTIES
        and r.owner in PARTIES
        and r.category.startswith("overlast")
        and r.buurt in {"01", "02"}
    )


@pytest.fixture
def history(world: World) -> World:
    for rec in HISTORY:
        signal = make_signal(world, owner=rec.owner, category=rec.category, buurt=rec.buurt)
        Signal.objects.filter(pk=signal.pk).update(observed_at=rec.at)
    return world


def viewer(world: World, persona: str) -> Viewer:
    v = viewer_for(world.users[persona])
    assert v is not None
    return v


def seen(persona: str, buurten: set[str] | None = None) -> list[Rec]:
    return [r for r in HISTORY if sees(persona, r) and (buurten is None or r.buurt in buurten)]


def in_window(r: Rec, start: dt.date, end: dt.date) -> bool:
    day = r.at.astimezone(AMS).date()
    return start <= day < end


def count(recs: list[Rec], start: dt.date = START, end: dt.date = END) -> int:
    return sum(1 for r in recs if in_window(r, start, end))


def figure(profile: AreaProfile, key: str) -> KeyFigure:
    return next(f for f in profile.key_figures if f.key == key)


def chart(profile: AreaProfile, key: str) -> Chart:
    return next(c for c in profile.charts if c.key == key)


def series(c: Chart, index: int = 0) -> Series:
    return c.series[index]


def test_key_figures_of_a_buurt_for_the_regisseur(history: World) -> None:
    profile = area_profile(
        viewer=viewer(history, "regisseur"), area="BU99990101", start=START, end=END
    )
    mine = seen("regisseur", {"01"})
    everywhere = seen("regisseur")
    n = count(mine)
    previous = count(mine, dt.date(2024, 1, 1), dt.date(2024, 7, 1))
    assert (profile.code, profile.kind, profile.name) == ("BU99990101", "buurt", "Buurt 1")
    assert (profile.period_start, profile.period_end) == (START, END)
    assert profile.suppression_threshold == 0
    signals = figure(profile, "signals")
    assert n == 12 and previous == 4  # the hand count itself, so the fixture cannot drift
    assert signals.value == n and not signals.suppressed
    assert signals.previous == previous
    assert signals.change_pct == pytest.approx((n - previous) / previous * 100, abs=0.05)
    assert signals.municipality == count(everywhere)
    per_buurt = {b: count(seen("regisseur", {b})) for b in ("01", "02", "03", "04")}
    assert signals.rank == 1 + sum(1 for v in per_buurt.values() if v > per_buurt["01"])
    assert signals.rank_of == 4
    assert signals.p_value is not None and 0 < signals.p_value < 1
    for code, domain in (("veiligheid", "veiligheid"), ("wonen", "wonen")):
        f = figure(profile, f"domain:{code}")
        assert f.value == count([r for r in mine if DOMAIN[r.category] == domain])
        assert f.municipality == count([r for r in everywhere if DOMAIN[r.category] == domain])
    assert figure(profile, "domain:zorg-welzijn").value == 0


def test_wijk_and_focus_area_sum_their_buurten(history: World) -> None:
    v = viewer(history, "regisseur")
    wijk, focus = compare_profiles(
        viewer=v, areas=["wk999901", str(history.focus.uuid)], start=START, end=END
    )
    noord = count(seen("regisseur", {"01", "02"}))
    assert (wijk.kind, wijk.code) == ("wijk", "WK999901")
    assert figure(wijk, "signals").value == noord
    assert figure(wijk, "signals").rank_of == 2
    assert (focus.kind, focus.code, focus.name) == ("focusgebied", str(history.focus.uuid), "Noord")
    assert figure(focus, "signals").value == noord
    assert (figure(focus, "signals").rank, figure(focus, "signals").rank_of) == (1, 1)


def test_monthly_trend_year_earlier_and_seasonal_baseline(history: World) -> None:
    profile = area_profile(
        viewer=viewer(history, "regisseur"), area="BU99990101", start=START, end=END
    )
    trend = chart(profile, "trend")
    assert trend.kind == "line"
    assert trend.x_labels == (
        "jan 2025",
        "feb 2025",
        "mrt 2025",
        "apr 2025",
        "mei 2025",
        "jun 2025",
    )
    mine = seen("regisseur", {"01"})
    first_signal = min(r.at.astimezone(AMS).date() for r in seen("regisseur"))

    def month(year: int, m: int) -> tuple[dt.date, dt.date]:
        return dt.date(year, m, 1), dt.date(year + m // 12, m % 12 + 1, 1)

    current = [count(mine, *month(2025, m)) for m in range(1, 7)]
    assert series(trend, 0).values == tuple(float(v) for v in current)
    assert series(trend, 1).values == tuple(
        float(count(mine, *month(2024, m))) for m in range(1, 7)
    )
    expected_baseline = []
    for m in range(1, 7):
        years = [y for y in (2024, 2023, 2022) if month(y, m)[0] >= first_signal]
        total = sum(count(mine, *month(y, m)) for y in years)
        expected_baseline.append(round(total / len(years), 1) if years else None)
    assert series(trend, 2).values == tuple(expected_baseline)
    # January 2022 lies before the first signal: its baseline has two years, February three.
    assert expected_baseline[1] == round((4 + 3 + 1) / 3, 1)
    domains = chart(profile, "domains")
    assert [s.name for s in domains.series] == ["Veiligheid", "Wonen", "Zorg & welzijn"]
    wonen = [
        count([r for r in mine if DOMAIN[r.category] == "wonen"], *month(2025, m))
        for m in range(1, 7)
    ]
    assert domains.series[1].values == tuple(float(v) for v in wonen)


def test_categories_hour_and_weekday_in_local_time(history: World) -> None:
    profile = area_profile(
        viewer=viewer(history, "regisseur"), area="BU99990101", start=START, end=END
    )
    mine = [r for r in seen("regisseur", {"01"}) if in_window(r, START, END)]
    names = {"overlast-jeugd": "Overlast › Jeugdoverlast", "woonfraude": "Woonfraude"}
    by_category = Counter(names[r.category] for r in mine)
    categories = chart(profile, "categories")
    assert categories.kind == "hbar"
    assert dict(zip(categories.x_labels, series(categories).values, strict=True)) == by_category
    values = [v or 0.0 for v in series(categories).values]
    assert values == sorted(values, reverse=True)
    hours = Counter(r.at.astimezone(AMS).hour for r in mine)
    hour = chart(profile, "hour")
    assert hour.x_labels[0] == "00" and len(hour.x_labels) == 24
    assert series(hour).values == tuple(float(hours.get(h, 0)) for h in range(24))
    assert series(hour).values[0] == 1  # 31 Dec 23:30 UTC is 00:30 in Amsterdam
    weekdays = Counter(r.at.astimezone(AMS).isoweekday() for r in mine)
    weekday = chart(profile, "weekday")
    assert weekday.x_labels == ("ma", "di", "wo", "do", "vr", "za", "zo")
    assert series(weekday).values == tuple(float(weekdays.get(d, 0)) for d in range(1, 8))


def test_small_counts_are_suppressed_for_the_analyst_only(history: World) -> None:
    analyst = area_profile(
        viewer=viewer(history, "analist"), area="BU99990101", start=START, end=END
    )
    regisseur = area_profile(
        viewer=viewer(history, "regisseur"), area="BU99990101", start=START, end=END
    )
    assert analyst.suppression_threshold == 5
    assert any("afgeschermd" in note for note in analyst.notes)
    a, r = figure(analyst, "signals"), figure(regisseur, "signals")
    assert a.value == r.value == 12  # above the threshold: exact for both
    assert r.previous == 4 and a.previous is None  # 4 < 5: hidden, and so is the change
    assert r.change_pct is not None and a.change_pct is None and a.p_value is None
    wonen_a, wonen_r = figure(analyst, "domain:wonen"), figure(regisseur, "domain:wonen")
    assert wonen_r.value == 2 and not wonen_r.suppressed
    assert wonen_a.value is None and wonen_a.suppressed and wonen_a.rank is None
    zero = figure(analyst, "domain:zorg-welzijn")
    assert zero.value == 0 and not zero.suppressed  # zero is not a small count
    for c_a, c_r in zip(analyst.charts, regisseur.charts, strict=True):
        for s_index, (s_a, s_r) in enumerate(zip(c_a.series, c_r.series, strict=True)):
            if c_a.key == "trend" and s_index == 2:
                continue  # the baseline is a mean: below
            for i, (x, y) in enumerate(zip(s_a.values, s_r.values, strict=True)):
                if y is not None and 0 < y < 5:
                    assert x is None and s_a.suppressed[i], (c_a.key, s_a.name, i)
                else:
                    assert x == y, (c_a.key, s_a.name, i)
    # The seasonal baseline is a mean: hidden when the counts behind it add up to a small one.
    baseline_a, baseline_r = chart(analyst, "trend").series[2], chart(regisseur, "trend").series[2]
    assert baseline_r.values[1] == pytest.approx(2.7)  # (4 + 3 + 1) / 3, from 8 signals
    assert baseline_a.values[1] == pytest.approx(2.7)
    assert baseline_r.values[0] == 0 and baseline_a.values[0] == 0


def test_rates_per_1000_residents_and_their_suppression(history: World) -> None:
    residents = {"BU99990101": 2000, "BU99990102": 500, "BU99990201": 1000, "BU99990202": 1500}
    for code, n in residents.items():
        AreaStatistic.objects.create(
            code=code, kind="buurt", year=2024, residents=n, households=n // 2
        )
    AreaStatistic.objects.create(code="WK999901", kind="wijk", year=2024, residents=2500)
    AreaStatistic.objects.create(code="GM9999", kind="gemeente", year=2024, residents=5000)
    v = viewer(history, "regisseur")
    buurt, focus = compare_profiles(
        viewer=v, areas=["BU99990101", str(history.focus.uuid)], start=START, end=END
    )
    assert (buurt.residents, buurt.households, buurt.stats_year) == (2000, 1000, 2024)
    rate = figure(buurt, "per_1000")
    n = count(seen("regisseur", {"01"}))
    assert rate.value == pytest.approx(n / 2000 * 1000, abs=0.005)
    assert rate.previous == pytest.approx(4 / 2000 * 1000, abs=0.005)
    assert rate.municipality == pytest.approx(count(seen("regisseur")) / 5000 * 1000, abs=0.005)
    per_buurt = {
        "01": count(seen("regisseur", {"01"})) / 2000,
        "02": count(seen("regisseur", {"02"})) / 500,
        "03": count(seen("regisseur", {"03"})) / 1000,
        "04": count(seen("regisseur", {"04"})) / 1500,
    }
    assert rate.rank == 1 + sum(1 for x in per_buurt.values() if x > per_buurt["01"])
    assert rate.rank_of == 4
    # A focus area's residents are the sum of its buurten.
    assert focus.residents == 2500
    assert figure(focus, "per_1000").value == pytest.approx(n / 2500 * 1000, abs=0.005)
    # For the analyst a rate is hidden exactly when its count is.
    wonen_hidden = area_profile(
        viewer=viewer(history, "analist"),
        area="BU99990101",
        start=START,
        end=END,
        filters=SignalFilters(domain="wonen"),
    )
    assert figure(wonen_hidden, "signals").suppressed
    assert figure(wonen_hidden, "per_1000").value is None
    assert figure(wonen_hidden, "per_1000").suppressed


def test_without_residents_there_is_no_rate(history: World) -> None:
    profile = area_profile(
        viewer=viewer(history, "regisseur"), area="BU99990101", start=START, end=END
    )
    assert profile.residents is None and profile.stats_year is None
    assert figure(profile, "per_1000").value is None
    assert any("inwonertal" in note for note in profile.notes)


@pytest.mark.parametrize("persona", ["wijkagent", "jongerenwerker", "privacy"])
def test_other_personas_count_only_what_they_may_see(history: World, persona: str) -> None:
    profile = area_profile(viewer=viewer(history, persona), area="BU99990101", start=START, end=END)
    assert figure(profile, "signals").value == count(seen(persona, {"01"}))
    assert figure(profile, "signals").municipality == count(seen(persona))
    noord = area_profile(viewer=viewer(history, persona), area="BU99990102", start=START, end=END)
    assert figure(noord, "signals").value == count(seen(persona, {"02"}))


def test_filters_narrow_every_figure(history: World) -> None:
    profile = area_profile(
        viewer=viewer(history, "regisseur"),
        area="BU99990101",
        start=START,
        end=END,
        filters=SignalFilters(category="woonfraude", area="BU99990201"),  # area is ignored
    )
    mine = [r for r in seen("regisseur", {"01"}) if r.category == "woonfraude"]
    assert figure(profile, "signals").value == count(mine) == 2
    assert chart(profile, "categories").x_labels == ("Woonfraude",)


def test_the_outsider_and_unknown_areas_get_404(history: World) -> None:
    outsider = viewer(history, "outsider")
    for area in ("BU99990101", "WK999901", str(history.focus.uuid), "BU00000000", "nonsense"):
        with pytest.raises(Http404):
            access_profile_area(outsider, area)
        with pytest.raises(Http404):
            area_profile(viewer=outsider, area=area)
    assert access_profile_area(viewer(history, "regisseur"), "bu99990101").code == "BU99990101"


def test_no_history_a_year_earlier_means_no_comparison(world: World) -> None:
    profile = area_profile(viewer=viewer(world, "regisseur"), area="BU99990202")
    signals = figure(profile, "signals")
    assert signals.value == 1  # gemeente_own, yesterday
    assert signals.previous is None and signals.change_pct is None
    assert all(v is None for v in chart(profile, "trend").series[1].values)
    assert any("geen eerder jaar" in note for note in profile.notes)


def test_the_index_comes_from_the_index_selectors(history: World) -> None:
    v = viewer(history, "regisseur")
    profile = area_profile(viewer=v, area="BU99990101", start=START, end=END)
    expected = area_index(viewer=v, codes=["BU99990101"]).get("BU99990101")
    assert profile.index == expected
    if expected is None:
        assert "Geen index beschikbaar." in profile.notes


def test_default_period_is_twelve_calendar_months_up_to_today() -> None:
    start, end = default_period(None, dt.date(2026, 3, 16))
    assert (start, end) == (dt.date(2025, 4, 1), dt.date(2026, 3, 16))
    start, end = default_period(dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    assert (start, end) == (dt.date(2026, 1, 1), dt.date(2026, 2, 1))


def test_profile_query_reports_every_error() -> None:
    query = ProfileQuery.from_query({"from": "2020-01-01", "to": "2024-12-31", "source": "x"})
    assert set(query.errors) == {"from", "source"}
    query = ProfileQuery.from_query({"from": "gisteren", "to": "2025-02-30"})
    assert set(query.errors) == {"from", "to"}
    query = ProfileQuery.from_query({"from": "2025-01-01", "to": "2025-06-30", "area": "X"})
    assert not query.errors
    assert (query.start, query.end) == (START, END)
    assert query.filters.area == "" and query.filters.date_from is None


@override_settings(SMALL_COUNT_THRESHOLD=3)
def test_the_threshold_is_a_setting(history: World) -> None:
    profile = area_profile(
        viewer=viewer(history, "analist"), area="BU99990101", start=START, end=END
    )
    assert profile.suppression_threshold == 3
    assert figure(profile, "signals").previous == 4  # 4 >= 3: shown
    assert figure(profile, "domain:wonen").suppressed  # 2 < 3


def test_comparison_charts_put_the_areas_side_by_side() -> None:
    def profile(
        name: str, categories: tuple[str, ...], values: tuple[float | None, ...]
    ) -> AreaProfile:
        charts = (
            Chart(
                "trend",
                "T",
                "c",
                "line",
                "Maand",
                "Signalen",
                ("jan", "feb"),
                (Series("Signalen", (1.0, 2.0)), Series("Jaar eerder", (0.0, 0.0))),
            ),
            Chart(
                "categories",
                "C",
                "c",
                "hbar",
                "Categorie",
                "Signalen",
                categories,
                (Series("Signalen", values, tuple(v is None for v in values)),),
            ),
            Chart(
                "hour", "H", "c", "bar", "Uur", "Signalen", ("00",), (Series("Signalen", (3.0,)),)
            ),
        )
        return AreaProfile(name, name, "buurt", START, END, None, None, None, 5, (), charts)

    a = profile("A", ("x", "y"), (7.0, None))
    b = profile("B", ("z", "x"), (9.0, 1.0))
    result = {c.key: c for c in comparison_charts([a, b])}
    assert set(result) == {"trend", "categories", "hour"}
    assert [s.name for s in result["trend"].series] == ["A", "B"]
    assert result["trend"].series[0].values == (1.0, 2.0)
    categories = result["categories"]
    assert categories.x_labels == ("z", "x", "y")  # by total over the areas
    assert categories.series[0].values == (0.0, 7.0, None)
    assert categories.series[0].suppressed == (False, False, True)
    assert categories.series[1].values == (9.0, 1.0, 0.0)
