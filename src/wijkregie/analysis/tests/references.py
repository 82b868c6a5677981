"""Reference implementations (PySAL) for the tests: libpysal weights from the same cells."""

from __future__ import annotations

import numpy as np
from libpysal.weights import W

from wijkregie.analysis.grid import QUEEN_SELF, queen_neighbours


def libpysal_queen(ix: np.ndarray, iy: np.ndarray) -> W:
    """Queen contiguity on the lattice of the listed cells, built independently of our
    neighbour table: two listed cells are neighbours when they differ by at most 1 in both
    indices (and are not the same cell)."""
    where = {(int(a), int(b)): i for i, (a, b) in enumerate(zip(ix, iy, strict=True))}
    neighbours: dict[int, list[int]] = {}
    for i, (a, b) in enumerate(zip(ix.tolist(), iy.tolist(), strict=True)):
        neighbours[i] = [
            where[(a + dx, b + dy)]
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            if (dx, dy) != (0, 0) and (a + dx, b + dy) in where
        ]
    return W(neighbours, silence_warnings=True)


def irregular_grid(seed: int, width: int = 37, height: int = 23, hole_share: float = 0.3):
    """A rectangle of cells with random holes (absent cells), shifted to negative and odd
    indices, with overdispersed counts (many zeros, a few large) and a planted hot block."""
    rng = np.random.default_rng(seed)
    ix, iy = np.meshgrid(np.arange(width), np.arange(height), indexing="ij")
    ix, iy = ix.ravel(), iy.ravel()
    keep = rng.random(ix.size) > hole_share
    ix, iy = ix[keep] - 11, iy[keep] + 3 * seed - 7
    counts = rng.negative_binomial(0.6, 0.25, ix.size).astype(float)
    block = (ix > 0) & (ix < 5) & (iy > 3 * seed - 3) & (iy < 3 * seed + 2)
    counts[block] += 25
    return ix, iy, counts


def own_neighbour_lists(ix: np.ndarray, iy: np.ndarray) -> list[list[int]]:
    table = queen_neighbours(ix, iy)
    return [
        [int(j) for o, j in enumerate(table[:, i]) if j >= 0 and o != QUEEN_SELF]
        for i in range(ix.size)
    ]
