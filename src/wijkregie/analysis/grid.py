"""Counts on the RD grid and per neighbourhood; queen neighbours of grid cells.

Cells follow the project's convention (docs/architecture.md): the 100 m cell of an RD New point
(x, y) in metres is (floor(x / 100), floor(y / 100)), its lower-left corner is (100 i, 100 j).
Filters (period, category, life domain, source, viewer scope) are applied by the caller, which
passes only the coordinates or codes of the signals to count.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from wijkregie.lib.geo import CELL_SIZE_M

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# The eight queen offsets plus the cell itself (row QUEEN_SELF of a neighbour table).
QUEEN_OFFSETS: tuple[tuple[int, int], ...] = tuple(
    (dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)
)
QUEEN_SELF = QUEEN_OFFSETS.index((0, 0))

# A dense lookup table is used while the bounding box of the cells holds at most this many
# cells (8 bytes each); beyond it a sorted key table with binary search (same result).
_DENSE_LOOKUP_MAX = 1 << 26


@dataclass(frozen=True)
class GridCounts:
    """Occupied cells (ix, iy) with their counts, sorted by (ix, iy)."""

    ix: IntArray
    iy: IntArray
    count: IntArray


def cell_indices(
    x: npt.ArrayLike, y: npt.ArrayLike, cell_size: float = CELL_SIZE_M
) -> tuple[IntArray, IntArray]:
    """Cell index of each point: i = floor(x / s), j = floor(y / s) for cell size s (metres).

    Points outside any cell (NaN, inf) raise ValueError: the caller filters them.
    """
    xa = np.asarray(x, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    if xa.shape != ya.shape:
        raise ValueError("x and y must have the same shape")
    if not (np.isfinite(xa).all() and np.isfinite(ya).all()):
        raise ValueError("x and y must be finite")
    return (
        np.floor(xa / cell_size).astype(np.int64),
        np.floor(ya / cell_size).astype(np.int64),
    )


def grid_counts(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    cell_size: float = CELL_SIZE_M,
    weights: npt.ArrayLike | None = None,
) -> GridCounts:
    """Count points per cell: n_ij = sum_k w_k [floor(x_k/s) = i and floor(y_k/s) = j].

    Returns only occupied cells (count > 0), sorted by (ix, iy). With `weights` (integers, e.g.
    a multiplicity) the count is the weighted sum. O(N log N) by sorting packed keys.
    """
    ix, iy = cell_indices(x, y, cell_size)
    if ix.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return GridCounts(empty, empty.copy(), empty.copy())
    keys, x0, y0, height = _pack(ix, iy)
    unique, inverse = np.unique(keys, return_inverse=True)
    w = None if weights is None else np.asarray(weights, dtype=np.int64)
    counts = np.bincount(inverse, weights=w, minlength=unique.size).astype(np.int64)
    keep = counts > 0
    unique, counts = unique[keep], counts[keep]
    return GridCounts(unique // height + x0, unique % height + y0, counts)


def area_counts(
    codes: npt.ArrayLike, *, all_codes: npt.ArrayLike | None = None
) -> tuple[npt.NDArray[np.str_], IntArray]:
    """Count items per area code (e.g. CBS buurt code BU03630000): n_a = sum_k [code_k = a].

    With `all_codes` the result lists exactly those codes in that order, zeros included, and
    codes outside it are ignored; otherwise the codes present, sorted.
    """
    values = np.asarray(codes).astype(str)
    found, counts = np.unique(values, return_counts=True)
    if all_codes is None:
        return found, counts.astype(np.int64)
    wanted = np.asarray(all_codes).astype(str)
    per_code = dict(zip(found.tolist(), counts.tolist(), strict=True))
    result = np.array([per_code.get(code, 0) for code in wanted.tolist()], dtype=np.int64)
    return wanted, result


def _pack(ix: IntArray, iy: IntArray, pad: int = 0) -> tuple[IntArray, int, int, int]:
    """Pack (ix, iy) into int64 keys (ix - x0) * height + (iy - y0), with `pad` cells margin."""
    x0 = int(ix.min()) - pad
    y0 = int(iy.min()) - pad
    height = int(iy.max()) - y0 + 1 + pad
    width = int(ix.max()) - x0 + 1 + pad
    if width * height >= 2**62:
        raise ValueError("grid extent too large")
    return (ix - x0) * height + (iy - y0), x0, y0, height


def queen_neighbours(ix: npt.ArrayLike, iy: npt.ArrayLike) -> IntArray:
    """Queen neighbour table of a sparse grid: shape (9, n), entry [o, i] = index of the cell at
    offset QUEEN_OFFSETS[o] of cell i, or -1 when that cell is not in the study area.

    Row QUEEN_SELF holds the cell itself (0..n-1). Cells absent from (ix, iy) are outside the
    study area and are no neighbours (holes and edges alike). Raises ValueError on duplicates.
    """
    ixa = np.asarray(ix, dtype=np.int64)
    rows = list(_queen_offset_indices(ixa, np.asarray(iy, dtype=np.int64)))
    if not rows:
        return np.zeros((9, 0), dtype=np.int64)
    return np.stack(rows).astype(np.int64, copy=False)


def queen_local_sums(
    ix: npt.ArrayLike, iy: npt.ArrayLike, values: npt.ArrayLike
) -> tuple[FloatArray, IntArray]:
    """L_i = sum of values over cell i and its queen neighbours in the study area, and k_i,
    the number of those cells (1..9). Same neighbours as queen_neighbours, without keeping
    the (9, n) table: when the bounding box holds at most about 4n cells, separable 3 x 3
    box sums on a raster (absent cells are 0 and not counted); otherwise one gather per
    offset over arrays of length n."""
    ixa = np.asarray(ix, dtype=np.int64)
    y = np.asarray(values, dtype=np.float64)
    if y.shape != ixa.shape:
        raise ValueError("ix, iy and values must have the same length")
    iya = np.asarray(iy, dtype=np.int64)
    if y.size and iya.shape == ixa.shape:
        keys, _, _, height = _pack(ixa, iya, pad=1)
        width = int(ixa.max()) - int(ixa.min()) + 3
        if width * height <= 4 * y.size + 4096:
            return _box_sums(keys, width, height, y)
    padded = np.append(y, 0.0)  # index -1 (no neighbour) reads the appended 0
    local = np.zeros(y.size)
    count = np.zeros(y.size, dtype=np.int64)
    for index in _queen_offset_indices(ixa, iya):
        local += padded[index]
        count += index >= 0
    return local, count


def _box_sums(
    keys: IntArray, width: int, height: int, y: FloatArray
) -> tuple[FloatArray, IntArray]:
    """Compact grids: put the values on the dense (width, height) raster (absent cells 0, one
    cell of margin) and take 3 x 3 box sums as two separable 3-sums of shifted slices."""
    values = np.zeros((width, height))
    present = np.zeros((width, height), dtype=np.int8)
    values.reshape(-1)[keys] = y
    present.reshape(-1)[keys] = 1
    if int(np.count_nonzero(present)) != y.size:
        raise ValueError("duplicate cells")
    # A cell at raster (a, b) (margin included) sits at (a - 1, b - 1) of the interior box.
    inner = keys - height - 1 - 2 * (keys // height - 1)
    sums = []
    for raster in (values, present):
        along_x = raster[:-2, :] + raster[1:-1, :]
        along_x += raster[2:, :]
        box = along_x[:, :-2] + along_x[:, 1:-1]
        box += along_x[:, 2:]
        sums.append(box.reshape(-1)[inner])
    return sums[0], sums[1].astype(np.int64)


def _queen_offset_indices(
    ixa: IntArray, iya: IntArray
) -> Iterator[npt.NDArray[np.signedinteger[Any]]]:
    """For each offset of QUEEN_OFFSETS in turn: the index of that neighbour of every cell,
    or -1. A dense lookup table over the bounding box when it is small enough, else a sorted
    key table with binary search (same result)."""
    n = ixa.size
    if iya.shape != ixa.shape:
        raise ValueError("ix and iy must have the same length")
    if n == 0:
        return
    keys, _, _, height = _pack(ixa, iya, pad=1)
    width = int(ixa.max()) - int(ixa.min()) + 3
    if width * height <= _DENSE_LOOKUP_MAX:
        # int32 halves the memory traffic of the nine gathers.
        lookup: npt.NDArray[np.signedinteger[Any]] = (
            np.full(width * height, -1, dtype=np.int32)
            if n < 2**31 - 1
            else np.full(width * height, -1, dtype=np.int64)
        )
        lookup[keys] = np.arange(n)
        if np.count_nonzero(lookup >= 0) != n:
            raise ValueError("duplicate cells")
        for dx, dy in QUEEN_OFFSETS:
            yield lookup[keys + (dx * height + dy)]
        return
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    if n > 1 and (np.diff(sorted_keys) == 0).any():
        raise ValueError("duplicate cells")
    for dx, dy in QUEEN_OFFSETS:
        wanted = keys + (dx * height + dy)
        pos = np.minimum(np.searchsorted(sorted_keys, wanted), n - 1)
        yield np.where(sorted_keys[pos] == wanted, order[pos], -1)


def duplicate_cells(ix: npt.ArrayLike, iy: npt.ArrayLike) -> IntArray:
    """Positions (0-based) of cells that repeat an earlier (ix, iy), in input order."""
    ixa = np.asarray(ix, dtype=np.int64)
    iya = np.asarray(iy, dtype=np.int64)
    if ixa.size == 0:
        return np.zeros(0, dtype=np.int64)
    keys, _, _, _ = _pack(ixa, iya)
    _, first = np.unique(keys, return_index=True)
    repeated = np.ones(ixa.size, dtype=bool)
    repeated[first] = False
    return np.flatnonzero(repeated).astype(np.int64)
