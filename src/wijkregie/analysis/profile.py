"""What an area profile holds: the figures behind the profile page, the comparison page, the
API and the printable area report (one source, so the page, the PDF and the API agree).

Pure data (no ORM): `analysis.profile_selectors.area_profile` fills it for one viewer; the
views, the API serializers and the PDF renderer only read it. A value of None means unknown or
suppressed; `suppressed` says which, so a page can print "< 5" instead of a blank.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class KeyFigure:
    """One headline number with its change and its position against the municipality."""

    key: str  # stable code, used in the API and in CSV headers, e.g. "signals", "per_1000"
    label: str  # shown to people (Dutch, translatable)
    value: float | None
    suppressed: bool = False
    unit: str = ""  # e.g. "signalen", "per 1.000 inwoners", "%"
    previous: float | None = None  # the same period a year earlier
    change_pct: float | None = None  # (value - previous) / previous * 100
    municipality: float | None = None  # the same figure for the whole municipality
    rank: int | None = None  # 1 = highest of the municipality's areas of this kind
    rank_of: int | None = None
    # Two-sided exact p-value of the change (Poisson rates, analysis.trends.year_on_year);
    # None when there is no comparison or the figure is suppressed.
    p_value: float | None = None


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]  # None: suppressed or unknown
    suppressed: tuple[bool, ...] = ()  # per value; empty means nothing suppressed


@dataclass(frozen=True)
class Chart:
    """A chart and its data table: the page draws it as SVG, the PDF with its own renderer,
    and both print the same numbers as a table and a CSV download."""

    key: str  # stable code: "trend", "categories", "hour", "weekday", ...
    title: str
    caption: str  # one sentence saying what the chart shows, for everyone and screen readers
    kind: str  # "line" | "bar" | "hbar"
    x_label: str
    y_label: str
    x_labels: tuple[str, ...]
    series: tuple[Series, ...]


@dataclass(frozen=True)
class Band:
    """A class band of the area index: scores from `lower` (inclusive) up to the next band."""

    lower: float
    label: str  # e.g. "probleemgebied", "aandachtsgebied", "kwetsbaar", "gemiddeld", "boven"


@dataclass(frozen=True)
class ThemeScore:
    key: str
    label: str
    objective: float | None  # 100 = municipality average in the base year
    subjective: float | None
    score: float | None  # weighted objective/subjective
    band: str | None


@dataclass(frozen=True)
class AreaIndex:
    """The Wijkprofiel-style composite of one area in one year."""

    year: int
    base_year: int
    score: float | None
    band: str | None
    themes: tuple[ThemeScore, ...]
    bands: tuple[Band, ...]
    objective_weight: float
    subjective_weight: float
    notes: tuple[str, ...] = ()  # e.g. "geen enquêtecijfers voor 2026"


@dataclass(frozen=True)
class AreaProfile:
    code: str  # CBS code (BU/WK) or the focus area's uuid
    name: str
    kind: str  # "buurt" | "wijk" | "focusgebied"
    period_start: dt.date
    period_end: dt.date  # exclusive
    residents: int | None
    households: int | None
    stats_year: int | None  # the CBS year the denominators come from
    suppression_threshold: int  # 0: nothing suppressed for this viewer
    key_figures: tuple[KeyFigure, ...]
    charts: tuple[Chart, ...]
    index: AreaIndex | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
