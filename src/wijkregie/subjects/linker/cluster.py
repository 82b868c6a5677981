"""Clustering of linked pairs into persons, with a guard against giant and impossible clusters.

1. Connected components of the linked pairs (scipy, vectorised).
2. Every component of three or more records is checked as a whole: all its internal pairs are
   compared for vetoes. A component that holds a vetoed pair (two BSNs, two birth dates, two
   first names: twins or parent and child bridged by a vague record) or that is larger than
   ``max_cluster_size`` is rebuilt greedily: its links in order of strength (BSN links first,
   then by score, ties by record order), a link joining two groups only when no pair across
   them is vetoed and the result stays within the size limit.

Person ids derive from each cluster's smallest record id (``P`` + 20 hex of its SHA-256), so
they do not depend on input order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np

from wijkregie.subjects.linker.blocking import pairs_from_key

VetoCheck = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (left, right) -> bool vetoed


def person_id_from_min(record_id: str) -> str:
    return "P" + hashlib.sha256(record_id.encode("utf-8")).hexdigest()[:20]


def person_ids_for_labels(record_ids: list[str], labels: np.ndarray) -> list[str]:
    """Person id per record; record_ids are sorted, so a cluster's first member is its min."""
    if labels.size == 0:
        return []
    _, first = np.unique(labels, return_index=True)
    by_label = np.empty(int(labels.max()) + 1, dtype=object)
    for label, index in zip(labels[first].tolist(), first.tolist(), strict=True):
        by_label[label] = person_id_from_min(record_ids[index])
    return list(by_label[labels])


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected components: each record labelled with the smallest record of its component.

    Min-label propagation with pointer jumping, vectorised (no scipy import at start-up); a
    handful of rounds for the small components of linked records.
    """
    labels = np.arange(n, dtype=np.int64)
    if n == 0 or left.size == 0:
        return labels
    while True:
        low = np.minimum(labels[left], labels[right])
        before = labels.copy()
        np.minimum.at(labels, labels[left], low)
        np.minimum.at(labels, labels[right], low)
        np.minimum.at(labels, left, low)
        np.minimum.at(labels, right, low)
        while True:  # pointer jumping: follow labels to their roots
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
        if np.array_equal(labels, before):
            return labels


def _greedy(
    members: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    strength: np.ndarray,
    vetoed: VetoCheck,
    max_size: int,
    evidence: np.ndarray | None = None,
    known_vetoes: tuple[set[int], int] | None = None,
) -> tuple[dict[int, int], list[int]]:
    """Constrained union of one component; returns (root per member, kept edge positions).

    Afterwards, a record that still has a link into another group is ambiguous (a vague record
    that fits two persons, such as "J. Jansen" without birth date next to a junior and a
    senior): the end of that link with less identifying evidence is detached into a cluster of
    its own (both ends on a tie).

    ``known_vetoes``: (codes lo * width + hi of every vetoed pair in the component, width) when
    all its pairs were checked already; else ``vetoed`` is asked for each candidate merge.
    """
    parent = {int(m): int(m) for m in members.tolist()}
    groups: dict[int, list[int]] = {int(m): [int(m)] for m in members.tolist()}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    order = np.lexsort((right, left, -strength))
    kept: list[int] = []
    for pos in order.tolist():
        a, b = find(int(left[pos])), find(int(right[pos]))
        if a == b:
            kept.append(pos)
            continue
        ga, gb = groups[a], groups[b]
        if len(ga) + len(gb) > max_size:
            continue
        if known_vetoes is not None:
            width = known_vetoes[1]
            if any(
                (x * width + y if x < y else y * width + x) in known_vetoes[0]
                for x in ga
                for y in gb
            ):
                continue
        else:
            cross_l = np.repeat(np.asarray(ga, dtype=np.int64), len(gb))
            cross_r = np.tile(np.asarray(gb, dtype=np.int64), len(ga))
            if vetoed(cross_l, cross_r).any():
                continue
        root, child = (a, b) if a < b else (b, a)
        parent[child] = root
        groups[root] = groups[root] + groups.pop(child)
        kept.append(pos)
    roots = {m: find(m) for m in parent}
    detached: set[int] = set()
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        if roots[a] == roots[b]:
            continue
        ea = int(evidence[a]) if evidence is not None else 0
        eb = int(evidence[b]) if evidence is not None else 0
        if ea <= eb:
            detached.add(a)
        if eb <= ea:
            detached.add(b)
    for member in detached:
        roots[member] = -1 - member  # a cluster of its own
    kept = [pos for pos in kept if roots[int(left[pos])] == roots[int(right[pos])]]
    return roots, kept


def cluster(
    n: int,
    left: np.ndarray,
    right: np.ndarray,
    strength: np.ndarray,
    vetoed: VetoCheck,
    max_size: int,
    evidence: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Labels 0..k-1 per record and the kept edge positions (into left/right).

    ``evidence``: per record, how much identifies it (e.g. BSN + birth date + first name
    present); decides which end of an ambiguous link is detached.
    """
    labels = _components(n, left, right)
    stats = {"guarded_components": 0}
    if n == 0:
        return labels, np.zeros(0, np.int64), stats
    sizes = np.bincount(labels)
    size_of = sizes[labels]
    problem = np.zeros(sizes.size, dtype=bool)
    problem[sizes > max_size] = True
    check = np.where((size_of >= 3) & (size_of <= max_size), labels, -1)
    pl, pr = pairs_from_key(check, max_size)
    veto_codes: set[int] = set()
    if pl.size:
        bad = vetoed(pl, pr)
        problem[np.unique(labels[pl[bad]])] = True
        veto_codes = set((pl[bad] * n + pr[bad]).tolist())
    keep_edge = np.ones(left.size, dtype=bool)
    problem_ids = np.flatnonzero(problem)
    stats["guarded_components"] = int(problem_ids.size)
    if problem_ids.size:
        edge_label = labels[left]
        edge_order = np.argsort(edge_label, kind="stable")
        sorted_labels = edge_label[edge_order]
        member_order = np.argsort(labels, kind="stable")
        member_starts = np.searchsorted(labels[member_order], problem_ids)
        next_label = int(labels.max()) + 1
        for k, comp in enumerate(problem_ids.tolist()):
            members = np.sort(member_order[member_starts[k] : member_starts[k] + sizes[comp]])
            lo, hi = np.searchsorted(sorted_labels, [comp, comp + 1])
            positions = edge_order[lo:hi]
            roots, kept = _greedy(
                members,
                left[positions],
                right[positions],
                strength[positions],
                vetoed,
                max_size,
                evidence,
                (veto_codes, n) if sizes[comp] <= max_size else None,
            )
            keep_edge[positions] = False
            keep_edge[positions[np.asarray(kept, dtype=np.int64)]] = True
            # New labels for every group except the one holding the smallest member.
            root_label: dict[int, int] = {}
            for member in members.tolist():
                root = roots[member]
                if root not in root_label:
                    if not root_label:
                        root_label[root] = comp
                    else:
                        root_label[root] = next_label
                        next_label += 1
                labels[member] = root_label[root]
    _, labels = np.unique(labels, return_inverse=True)
    stats["clusters"] = int(labels.max()) + 1
    return labels.astype(np.int64), np.flatnonzero(keep_edge), stats
