"""The link model: m and u per field level, term frequencies, prior and threshold.

Fellegi-Sunter: for a pair of records each field gets a comparison level; the weight of a level
is log2(m/u), where m = P(level | same person) and u = P(level | different persons). A pair's
score is the prior log2 odds plus the sum of its field weights; the posterior match
probability is 2**score / (1 + 2**score).

Estimation (engine.estimate_from_table) takes m from candidate pairs with an equal BSN token
(the BSN itself: from pairs that agree exactly on name, first name and birth date), u from
random pairs, exact-name u from term frequencies, and the prior from the number of BSN-equal
pairs scaled by the share of records with a BSN. Nothing is tuned per data set; the defaults
below only fill in what a small data set cannot estimate.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

MODEL_VERSION = 1

# Comparison levels per field. Level 0 is always "ontbreekt" (missing on either side: weight 0).
LEVELS: dict[str, tuple[str, ...]] = {
    "bsn": ("ontbreekt", "gelijk", "verschilt"),
    "voornamen": (
        "ontbreekt",
        "gelijk",
        "eerste-naam-gelijk",
        "typefout",
        "initialen",
        "verschilt",
    ),
    "achternaam": ("ontbreekt", "gelijk", "deel-gelijk", "typefout", "verschilt"),
    "geboortedatum": (
        "ontbreekt",
        "gelijk",
        "dag-maand-verwisseld",
        "een-deel-verschilt",
        "verschilt",
    ),
    "adres": ("ontbreekt", "gelijk", "huisnummer-gelijk", "straat-of-postcode-gelijk", "verschilt"),
}
FIELDS: tuple[str, ...] = tuple(LEVELS)

VETOES: tuple[str, ...] = ("", "bsn-verschilt", "geboortedatum-verschilt", "voornaam-verschilt")

# Defaults (used only where the data cannot tell): shares per level, level 0 excluded.
_DEFAULT_M: dict[str, list[float]] = {
    "bsn": [0.0, 0.99, 0.01],
    "voornamen": [0.0, 0.80, 0.06, 0.05, 0.08, 0.01],
    "achternaam": [0.0, 0.85, 0.06, 0.07, 0.02],
    "geboortedatum": [0.0, 0.90, 0.03, 0.05, 0.02],
    "adres": [0.0, 0.70, 0.08, 0.04, 0.18],
}
_DEFAULT_U: dict[str, list[float]] = {
    "bsn": [0.0, 1e-7, 1.0 - 1e-7],
    "voornamen": [0.0, 0.004, 0.003, 0.002, 0.02, 0.971],
    "achternaam": [0.0, 0.002, 0.0005, 0.001, 0.9965],
    "geboortedatum": [0.0, 4e-5, 1e-6, 2e-4, 0.99976],
    "adres": [0.0, 1e-5, 2e-6, 3e-4, 0.99969],
}

FLOOR = 1e-9  # no probability below this, so every weight is finite


@dataclass
class LinkModel:
    """Estimated parameters; JSON-serialisable with to_json()/from_json()."""

    m: dict[str, list[float]] = field(
        default_factory=lambda: {k: list(v) for k, v in _DEFAULT_M.items()}
    )
    u: dict[str, list[float]] = field(
        default_factory=lambda: {k: list(v) for k, v in _DEFAULT_U.items()}
    )
    # Term frequencies of common normalised values (only values seen >= tf_min_count times, so
    # the table holds no rare, identifying names); others get tf_floor.
    tf: dict[str, dict[str, float]] = field(
        default_factory=lambda: {"achternaam": {}, "voornamen": {}}
    )
    tf_floor: dict[str, float] = field(
        default_factory=lambda: {"achternaam": 2e-5, "voornamen": 2e-4}
    )
    prior_log2: float = -20.0  # log2 odds that two random records are the same person
    threshold: float = 0.0  # score (log2 posterior odds) needed to link: 0.0 is p >= 0.5
    max_cluster_size: int = 200
    max_block_size: int = 60
    version: int = MODEL_VERSION
    estimated_from: dict[str, int] = field(default_factory=dict)  # diagnostics: counts used

    @classmethod
    def default(cls) -> LinkModel:
        return cls()

    def weight_table(self) -> dict[str, list[float]]:
        """log2(m/u) per field and level (level 0: 0.0)."""
        table: dict[str, list[float]] = {}
        for name, levels in LEVELS.items():
            row = [0.0]
            for k in range(1, len(levels)):
                m = max(self.m[name][k], FLOOR)
                u = max(self.u[name][k], FLOOR)
                row.append(math.log2(m / u))
            table[name] = row
        return table

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> LinkModel:
        data: dict[str, Any] = json.loads(text)
        if int(data.get("version", 0)) != MODEL_VERSION:
            raise ValueError(f"unknown link model version {data.get('version')!r}")
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})
