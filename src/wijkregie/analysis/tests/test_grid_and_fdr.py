from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from wijkregie.analysis import grid
from wijkregie.analysis.fdr import benjamini_hochberg
from wijkregie.analysis.grid import (
    QUEEN_OFFSETS,
    QUEEN_SELF,
    area_counts,
    cell_indices,
    duplicate_cells,
    grid_counts,
    queen_neighbours,
)


def test_cell_indices_floor_including_negative_and_boundaries():
    ix, iy = cell_indices([0.0, 99.999, 100.0, -0.5, 155000.0], [463000.0, 0, 199.9, -100.0, 1])
    assert ix.tolist() == [0, 0, 1, -1, 1550]
    assert iy.tolist() == [4630, 0, 1, -1, 0]
    with pytest.raises(ValueError):
        cell_indices([np.nan], [0])


def test_grid_counts_per_100m_cell():
    x = [155010, 155090, 155110, 155010, 154999.9]
    y = [463010, 463099, 463010, 463150, 463000]
    counts = grid_counts(x, y)
    got = {
        (int(a), int(b)): int(c) for a, b, c in zip(counts.ix, counts.iy, counts.count, strict=True)
    }
    assert got == {(1550, 4630): 2, (1551, 4630): 1, (1550, 4631): 1, (1549, 4630): 1}
    assert counts.count.sum() == 5
    weighted = grid_counts([5, 6, 250], [5, 6, 5], weights=[2, 3, 1])
    assert weighted.count.tolist() == [5, 1]
    assert grid_counts([], []).count.size == 0


def test_area_counts_with_and_without_the_full_list():
    codes, counts = area_counts(["BU01", "BU02", "BU01", "BU03"])
    assert codes.tolist() == ["BU01", "BU02", "BU03"]
    assert counts.tolist() == [2, 1, 1]
    codes, counts = area_counts(["BU01", "BU09"], all_codes=["BU02", "BU01"])
    assert codes.tolist() == ["BU02", "BU01"]
    assert counts.tolist() == [0, 1]


def test_queen_neighbours_with_a_hole():
    # A 3 x 3 block without its centre: the corner (0, 0) has neighbours (0,1) and (1,0) only.
    cells = [(a, b) for a in range(3) for b in range(3) if (a, b) != (1, 1)]
    ix = np.array([c[0] for c in cells])
    iy = np.array([c[1] for c in cells])
    table = queen_neighbours(ix, iy)
    assert table.shape == (9, 8)
    assert table[QUEEN_SELF].tolist() == list(range(8))
    corner = cells.index((0, 0))
    found = {cells[j] for o, j in enumerate(table[:, corner]) if j >= 0 and o != QUEEN_SELF}
    assert found == {(0, 1), (1, 0)}
    for o, (dx, dy) in enumerate(QUEEN_OFFSETS):
        for i, (a, b) in enumerate(cells):
            j = table[o, i]
            assert (j >= 0) == ((a + dx, b + dy) in cells)
            if j >= 0:
                assert cells[j] == (a + dx, b + dy)


def test_dense_and_sorted_lookups_agree(monkeypatch):
    rng = np.random.default_rng(2)
    ix = rng.integers(-50, 50, 3000)
    iy = rng.integers(-50, 50, 3000)
    keys = np.unique(np.stack([ix, iy], 1), axis=0)
    dense = queen_neighbours(keys[:, 0], keys[:, 1])
    monkeypatch.setattr(grid, "_DENSE_LOOKUP_MAX", 0)
    sorted_ = queen_neighbours(keys[:, 0], keys[:, 1])
    assert np.array_equal(dense, sorted_)
    with pytest.raises(ValueError, match="duplicate"):
        queen_neighbours([1, 1], [2, 2])


def test_duplicate_cells_positions():
    assert duplicate_cells([1, 2, 1, 1], [0, 0, 0, 1]).tolist() == [2]


def test_benjamini_hochberg_by_hand_and_against_scipy():
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.20, np.nan])
    rejected, q = benjamini_hochberg(p, 0.05)
    # m = 5: sorted 0.005, 0.01, 0.03, 0.04, 0.2 against 0.01, 0.02, 0.03, 0.04, 0.05.
    assert rejected.tolist() == [True, True, True, True, False, False]
    assert np.isnan(q[-1])
    assert np.allclose(q[:5], stats.false_discovery_control(p[:5], method="bh"))
    rng = np.random.default_rng(1)
    many = rng.random(2000) ** 3
    _, q = benjamini_hochberg(many)
    assert np.allclose(q, stats.false_discovery_control(many, method="bh"), rtol=1e-12)
    with pytest.raises(ValueError):
        benjamini_hochberg([0.1], alpha=1.5)


def test_rejections_without_q_values_equal_the_full_procedure():
    from wijkregie.analysis.fdr import benjamini_hochberg_rejections

    rng = np.random.default_rng(4)
    for trial in range(30):
        p = np.concatenate([rng.random(500) ** (1 + trial % 7), rng.random(20) * 1e-4])
        p[rng.integers(0, p.size, 5)] = np.nan
        p[:10] = p[10]  # ties
        for alpha in (0.01, 0.05, 0.2):
            assert np.array_equal(
                benjamini_hochberg_rejections(p, alpha), benjamini_hochberg(p, alpha)[0]
            )
    assert not benjamini_hochberg_rejections([0.5, np.nan]).any()


@pytest.mark.parametrize("spread", [1, 50])  # compact (dense box sums) and sparse (lookups)
def test_queen_local_sums_equal_the_neighbour_table(spread):
    from wijkregie.analysis.grid import queen_local_sums

    rng = np.random.default_rng(spread)
    cells = np.unique(rng.integers(-40, 40, size=(2500, 2)) * [1, spread], axis=0)
    ix, iy = cells[:, 0], cells[:, 1]
    values = rng.poisson(3, ix.size).astype(float)
    table = queen_neighbours(ix, iy)
    padded = np.append(values, 0.0)
    local, count = queen_local_sums(ix, iy, values)
    assert np.array_equal(local, padded[table].sum(axis=0))
    assert np.array_equal(count, (table >= 0).sum(axis=0))
    with pytest.raises(ValueError, match="duplicate"):
        queen_local_sums([0, 0], [1, 1], [1.0, 2.0])
