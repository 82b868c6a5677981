"""Public interface of the person linker. Everything else in this package is internal.

Pure code: no ORM, no settings, no I/O. The subjects app stores persons and their records and
calls this module; the `link-persons` command uses it on a standalone CSV file.

Privacy: the linker never sees a clear BSN. Callers pass ``bsn_token``, the keyed pseudonym from
:func:`pseudonymise_bsn` (HMAC-SHA-256 with the municipality's key, see
``wijkregie.privacy.pseudonyms``), or '' when the BSN is missing or fails the 11-proof. Equal
tokens mean equal BSNs within one municipality; that is all the linker needs.

Typical use on the database side::

    from wijkregie.privacy.pseudonyms import municipality_key
    from wijkregie.subjects.linker.api import (
        PersonRecord, blocking_keys, estimate_model, link_all, match_one, pseudonymise_bsn,
    )

    token = pseudonymise_bsn(raw_bsn, municipality_key(municipality.code))
    record = PersonRecord(record_id=str(obj.uuid), source="politie", bsn_token=token, ...)
    keys = blocking_keys(record)            # store, indexed, next to the record
    candidates = [...]                       # records sharing at least one key
    matches = match_one(record, candidates, model)
    linked = [m for m in matches if m.linked]   # best first; link to linked[0]'s person

    # Background job (full relink): estimate the weights from the data, then link everything.
    model = estimate_model(all_records)      # store model.to_json() with the run
    result = link_all(all_records, model)
    result.person_id_of(record_id)           # stable: derived from the cluster's smallest id

Rules (see docs/adr/ for the reasoning):

* Hard vetoes, never overridden by a high score: two different BSN tokens; clearly different
  birth dates (not equal, not a day/month swap, not a single-component typo); clearly different
  first names (not equal, no typo, initials that do not fit).
* Thin records (the issue's "no BSN, first name or birth date": no BSN token, no first name
  (initials alone do not count) and no birth date) never link to a person; the caller may
  still attach them to an address. :func:`is_thin` says whether a record is thin.
* Ambiguity (link_all): a record that fits two persons who veto each other (say "J. Jansen"
  without a birth date next to a junior and a senior) is linked to neither. match_one reports
  every candidate; the caller checks the chosen person's other records for vetoes.
* Equal BSN token and no veto links by the rule ``bsn``; otherwise the summed Fellegi-Sunter
  weights (log2 m/u per field level, m and u estimated from the data) plus the prior must reach
  the model's threshold (rule ``score``).
* Clustering is transitive but guarded: a cluster never holds two records with a veto between
  them and never grows beyond ``LinkModel.max_cluster_size`` records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wijkregie.privacy.pseudonyms import bsn_is_valid, clean_bsn, pseudonymise_bsn
from wijkregie.subjects.linker.model import LinkModel

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "Explanation",
    "FieldWeight",
    "Link",
    "LinkModel",
    "LinkResult",
    "Match",
    "PersonRecord",
    "blocking_keys",
    "bsn_is_valid",
    "clean_bsn",
    "estimate_model",
    "is_thin",
    "link_all",
    "match_one",
    "person_id_for",
    "pseudonymise_bsn",
]


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One record about a person from one source. Every field may be empty.

    ``bsn_token``: the keyed pseudonym of the BSN (64 hex) or ''; never a clear BSN.
    ``geboortedatum``: a date, or text in any common Dutch format ("12-03-1985", "12 maart
    1985", "1985-03-12", "12/3/85" ...). ``huisnummer``: number or text ("12", "12a").
    """

    record_id: str
    source: str = ""
    bsn_token: str = ""
    voornamen: str = ""
    tussenvoegsel: str = ""
    achternaam: str = ""
    geboortedatum: str | dt.date | None = ""
    straat: str = ""
    huisnummer: str | int | None = ""
    toevoeging: str = ""
    postcode: str = ""
    woonplaats: str = ""


@dataclass(frozen=True, slots=True)
class FieldWeight:
    """One field's part of a score: its comparison level and the weight (log2 m/u) it added."""

    field: str  # "bsn", "voornamen", "achternaam", "geboortedatum", "adres"
    level: str  # e.g. "gelijk", "typefout", "initialen", "dag-maand-verwisseld", "ontbreekt"
    weight: float

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "level": self.level, "weight": round(self.weight, 2)}


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why two records are (not) linked.

    ``rule``: "bsn" (equal BSN token, no veto), "score" (weights reached the threshold),
    "onder-drempel" (they did not), "veto" (see ``veto``) or "dun" (a thin record).
    ``score``: prior + sum of the field weights (log2 odds); ``threshold``: the model's.
    """

    rule: str
    score: float
    threshold: float
    fields: tuple[FieldWeight, ...]
    veto: str = ""  # "bsn-verschilt", "geboortedatum-verschilt", "voornaam-verschilt", ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "score": round(self.score, 2),
            "threshold": round(self.threshold, 2),
            "veto": self.veto,
            "fields": [f.as_dict() for f in self.fields],
        }

    def as_text(self) -> str:
        parts = ", ".join(f"{f.field}={f.level} ({f.weight:+.1f})" for f in self.fields)
        head = f"{self.rule}" + (f" [{self.veto}]" if self.veto else "")
        return f"{head}: score {self.score:.1f} / drempel {self.threshold:.1f}; {parts}"


@dataclass(frozen=True, slots=True)
class Match:
    """The outcome of comparing a new record with one candidate (see :func:`match_one`)."""

    candidate_id: str
    score: float
    probability: float  # posterior match probability implied by score
    linked: bool
    veto: str
    explanation: Explanation


@dataclass(frozen=True, slots=True)
class Link:
    """One accepted link of :func:`link_all` (an edge that clustering kept)."""

    record_a: str
    record_b: str
    explanation: Explanation


class LinkResult:
    """The outcome of :func:`link_all`: a person id per record and the links behind them.

    ``record_ids`` are in canonical (sorted) order; ``labels[i]`` is the cluster of
    ``record_ids[i]``. Person ids are derived from the smallest record id in each cluster, so
    they do not depend on input order.
    """

    def __init__(
        self,
        record_ids: list[str],
        labels: np.ndarray,
        edges: tuple[np.ndarray, np.ndarray],
        explain: Any,
        stats: dict[str, int],
    ) -> None:
        self.record_ids = record_ids
        self.labels = labels
        self._edges = edges
        self._explain = explain
        self.stats = stats
        self._person_ids: list[str] | None = None
        self._index: dict[str, int] | None = None

    @property
    def person_ids(self) -> list[str]:
        """Person id per record, aligned with ``record_ids``."""
        if self._person_ids is None:
            from wijkregie.subjects.linker.cluster import person_ids_for_labels

            self._person_ids = person_ids_for_labels(self.record_ids, self.labels)
        return self._person_ids

    def person_id_of(self, record_id: str) -> str:
        if self._index is None:
            self._index = {rid: i for i, rid in enumerate(self.record_ids)}
        return self.person_ids[self._index[record_id]]

    def as_dict(self) -> dict[str, str]:
        """record_id -> person_id."""
        return dict(zip(self.record_ids, self.person_ids, strict=True))

    def links(self) -> Iterator[Link]:
        """Every kept link with its explanation (computed on demand)."""
        left, right = self._edges
        for a, b in zip(left.tolist(), right.tolist(), strict=True):
            yield Link(self.record_ids[a], self.record_ids[b], self._explain(a, b))

    @property
    def n_clusters(self) -> int:
        return int(self.stats.get("clusters", 0))


def person_id_for(record_ids: Sequence[str]) -> str:
    """The stable person id of a cluster: derived from its smallest record id."""
    from wijkregie.subjects.linker.cluster import person_id_from_min

    return person_id_from_min(min(record_ids))


def is_thin(record: PersonRecord) -> bool:
    """No BSN token, no first name (initials alone do not count) and no birth date."""
    from wijkregie.subjects.linker.normalise import given_names, parse_date

    if str(record.bsn_token or "").strip():
        return False
    return not given_names(record.voornamen or "").first and not parse_date(record.geboortedatum)


def blocking_keys(record: PersonRecord) -> list[str]:
    """The candidate keys of one record (store them indexed; candidates share >= 1 key).

    Keys are opaque strings built from normalised fields (a BSN key holds only a prefix of the
    token). Thin records still get their address key, so they can be attached to an address.
    """
    from wijkregie.subjects.linker.blocking import record_keys

    return record_keys(record)


def estimate_model(records: Sequence[PersonRecord]) -> LinkModel:
    """Estimate m/u per field level from the records themselves.

    m from candidate pairs with an equal BSN token, u from random pairs, the prior from the
    share of BSN-equal pairs. With too little data (fewer than a few hundred BSN pairs) the
    documented defaults in ``LinkModel.default()`` are used for what cannot be estimated.
    """
    from wijkregie.subjects.linker.engine import estimate_from_table
    from wijkregie.subjects.linker.normalise import RecordTable

    return estimate_from_table(RecordTable.from_records(records))


def link_all(records: Sequence[PersonRecord], model: LinkModel | None = None) -> LinkResult:
    """Link a whole set (a full relink; run it as a background job for large sets).

    Without a model the weights are estimated from ``records`` first. Deterministic: the same
    records in any order give the same person ids. Record ids must be unique.
    """
    from wijkregie.subjects.linker.engine import link_table
    from wijkregie.subjects.linker.normalise import RecordTable

    return link_table(RecordTable.from_records(records), model)


def match_one(
    record: PersonRecord, candidates: Sequence[PersonRecord], model: LinkModel | None = None
) -> list[Match]:
    """Compare one (new) record with candidates; a Match per candidate, best score first.

    Milliseconds for hundreds of candidates. ``linked`` is true when the pair passes the
    model's rules (no veto, not thin, rule "bsn" or score >= threshold). Without a model the
    defaults are used; pass the stored model of the last full relink.
    """
    from wijkregie.subjects.linker.engine import match_table

    return match_table(record, candidates, model)
