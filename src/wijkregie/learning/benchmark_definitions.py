"""The shared benchmark definitions and the suppression of small numbers (pure; no ORM).

Every municipality in the learning circle publishes the same indicators, so that focus areas
of different municipalities can be set side by side:

- `signalen`: all signals in the focus area in the period (count, and per 1,000 residents);
- `leefgebied-<code>`: the signals of one life domain, matched on `LifeDomain.code`
  (veiligheid, wonen, zorg-welzijn, onderwijs, werk-inkomen, participatie);
- `groep-<code>`: the signals of one shared category group; each municipality maps its own
  categories to a group (`BenchmarkGroupMapping`, a main category includes its subcategories);
- `index`: the focus area's area index score (years only; `analysis.index_selectors`).

Suppression (`suppress`): a count 0 < n < threshold is suppressed (primary), and with it the
rate computed from it. Then, until nothing changes:
- an additive family (a total and its parts: `signalen` = sum of the life domains, plus the
  signals in domains outside the shared list, which are never published and count as known
  when they are 0) in which exactly one number is unknown would let that number be
  recovered by subtraction; the smallest positive published number of the family is
  suppressed as well (secondary);
- for two focus areas of which one lies within the other, the difference of a definition's
  published counts is the count of the remaining buurten; when it is 0 < d < threshold the
  larger area's count is suppressed; the same for a category group within the total (and
  within its life domain) of one area.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

KIND_RATE = "rate"
KIND_INDEX = "index"

LIFE_DOMAINS: tuple[tuple[str, Promise], ...] = (
    ("veiligheid", _("Veiligheid")),
    ("wonen", _("Wonen")),
    ("zorg-welzijn", _("Zorg en welzijn")),
    ("onderwijs", _("Onderwijs")),
    ("werk-inkomen", _("Werk en inkomen")),
    ("participatie", _("Participatie")),
)

CATEGORY_GROUPS: tuple[tuple[str, Promise], ...] = (
    ("overlast", _("Overlast in de openbare ruimte")),
    ("jeugdoverlast", _("Jeugdoverlast")),
    ("criminaliteit", _("Criminaliteit en ondermijning")),
    ("woonoverlast", _("Woonoverlast en burenruzies")),
    ("woonfraude", _("Woonfraude")),
    ("openbare-ruimte", _("Verloedering van de openbare ruimte")),
    ("zorg", _("Zorgsignalen")),
    ("schoolverzuim", _("Schoolverzuim")),
    ("schulden", _("Schulden en armoede")),
)


@dataclass(frozen=True)
class Definition:
    code: str
    label: Promise | str
    kind: str  # KIND_RATE | KIND_INDEX
    life_domain: str = ""  # LifeDomain.code
    group: str = ""  # a CATEGORY_GROUPS code


TOTAL = "signalen"
INDEX = "index"

DEFINITIONS: tuple[Definition, ...] = (
    Definition(TOTAL, _("Alle signalen"), KIND_RATE),
    *(
        Definition(f"leefgebied-{code}", label, KIND_RATE, life_domain=code)
        for code, label in LIFE_DOMAINS
    ),
    *(Definition(f"groep-{code}", label, KIND_RATE, group=code) for code, label in CATEGORY_GROUPS),
    Definition(INDEX, _("Wijkindex (score)"), KIND_INDEX),
)
BY_CODE = {d.code: d for d in DEFINITIONS}
DOMAIN_DEFINITIONS = tuple(d for d in DEFINITIONS if d.life_domain)
GROUP_CODES = frozenset(code for code, _label in CATEGORY_GROUPS)


# --- periods ---------------------------------------------------------------------------------

PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?:-Q(?P<quarter>[1-4]))?$")


@dataclass(frozen=True)
class Period:
    code: str  # "2026" or "2026-Q3"
    start: dt.date
    end: dt.date  # exclusive

    @property
    def is_year(self) -> bool:
        return "-Q" not in self.code

    @property
    def year(self) -> int:
        return self.start.year


def parse_period(text: str) -> Period | None:
    """ "2026" (a calendar year) or "2026-Q3" (a quarter); None when it is neither."""
    found = PERIOD_RE.match((text or "").strip().upper())
    if not found:
        return None
    year = int(found["year"])
    if not 2000 <= year <= 2100:
        return None
    if found["quarter"] is None:
        return Period(str(year), dt.date(year, 1, 1), dt.date(year + 1, 1, 1))
    quarter = int(found["quarter"])
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return Period(f"{year}-Q{quarter}", start, end)


# --- suppression -----------------------------------------------------------------------------


def is_small(n: int | None, threshold: int) -> bool:
    return n is not None and 0 < n < threshold


@dataclass(frozen=True)
class Family:
    """parent = sum(children); `hidden` children are never published (always unknown)."""

    parent: Hashable
    children: tuple[Hashable, ...]


def suppress(
    counts: Mapping[Any, int],
    threshold: int,
    *,
    families: Sequence[Family] = (),
    nested: Iterable[tuple[Hashable, Hashable]] = (),
    hidden: Iterable[Hashable] = (),
) -> set[Hashable]:
    """The cells to suppress: primary (0 < n < threshold) and secondary (see module doc).

    `counts` holds every cell, hidden ones included; `nested` pairs (inner, outer) of the same
    definition where the inner area's buurten are a subset of the outer's.
    """
    hidden_set = set(hidden)
    out: set[Hashable] = {k for k, n in counts.items() if is_small(n, threshold)}
    pairs = list(nested)

    def unknown(key: Hashable) -> bool:
        # A hidden cell of 0 counts as known: a reader may well guess that it is empty.
        return key in out or (key in hidden_set and counts[key] != 0)

    changed = True
    while changed:
        changed = False
        for family in families:
            cells = (family.parent, *family.children)
            unknowns = [k for k in cells if unknown(k)]
            if len(unknowns) != 1:
                continue
            only = unknowns[0]
            if only in hidden_set and not is_small(counts[only], threshold) and only not in out:
                continue  # a hidden cell of a large count may be derived: it reveals nothing
            known = [k for k in family.children if not unknown(k) and counts[k] > 0]
            if not known and not unknown(family.parent) and counts[family.parent] > 0:
                known = [family.parent]
            if known:
                out.add(min(known, key=lambda k: (counts[k], str(k))))
            else:
                out.update(k for k in cells if k not in hidden_set)
            changed = True
        for inner, outer in pairs:
            if unknown(inner) or unknown(outer):
                continue
            if is_small(counts[outer] - counts[inner], threshold):
                out.add(outer)
                changed = True
    return out - hidden_set


def recoverable(
    counts: Mapping[Any, int],
    published: set[Hashable],
    families: Sequence[Family],
    nested: Iterable[tuple[Hashable, Hashable]],
    threshold: int,
) -> list[Hashable]:
    """Cells a reader could still work out from the published ones (for tests): the single
    unknown of a family (an unpublished 0 counts as known), and small differences of
    published nested counts."""
    found: list[Hashable] = []
    for family in families:
        cells = (family.parent, *family.children)
        unknowns = [k for k in cells if k not in published and counts[k] != 0]
        if len(unknowns) == 1 and is_small(counts[unknowns[0]], threshold):
            found.append(unknowns[0])
    for inner, outer in nested:
        if (
            inner in published
            and outer in published
            and is_small(counts[outer] - counts[inner], threshold)
        ):
            found.append((inner, outer))
    return found


def rate_per_1000(count: int | None, residents: int | None) -> float | None:
    if count is None or not residents:
        return None
    return round(count / residents * 1000.0, 2)
