from __future__ import annotations

import math
import warnings

import esda
import numpy as np
import pytest
from scipy import sparse, stats

from wijkregie.analysis.gistar import (
    PermutationFloorWarning,
    conditional_permutation_counts,
    gi_star_grid,
    gi_star_sparse,
    permutation_floor_message,
)
from wijkregie.analysis.grid import queen_neighbours
from wijkregie.analysis.tests.references import irregular_grid, libpysal_queen


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_z_equals_esda_g_local_star_binary_on_grid_with_holes(seed):
    ix, iy, counts = irregular_grid(seed)
    w = libpysal_queen(ix, iy)
    reference = esda.G_Local(counts, w, transform="B", star=True, permutations=0)
    ours = gi_star_grid(ix, iy, counts)
    assert ours.z.shape == reference.Zs.shape
    assert np.max(np.abs(ours.z - reference.Zs)) < 1e-10
    # esda's p_norm is one-sided; ours is two-sided.
    assert np.allclose(ours.p_analytic, 2 * reference.p_norm, rtol=1e-9, atol=1e-15)
    assert ours.cardinality.max() == 9  # the cell itself plus eight neighbours
    assert ours.cardinality.min() < 9  # holes and edges shrink neighbourhoods


def test_isolated_cells_and_far_apart_clusters_match_esda():
    # Three separate patches far apart (exercises the sorted-key lookup) and a lone cell.
    rng = np.random.default_rng(9)
    patches = []
    for ox, oy in [(0, 0), (10**7, 5), (-(10**7), 10**6)]:
        a, b = np.meshgrid(np.arange(6), np.arange(5), indexing="ij")
        patches.append((a.ravel() + ox, b.ravel() + oy))
    ix = np.concatenate([p[0] for p in patches] + [np.array([500])])
    iy = np.concatenate([p[1] for p in patches] + [np.array([500])])
    counts = rng.poisson(3, ix.size).astype(float)
    w = libpysal_queen(ix, iy)
    reference = esda.G_Local(counts, w, transform="B", star=True, permutations=0, island_weight=0)
    ours = gi_star_grid(ix, iy, counts)
    assert np.max(np.abs(ours.z - reference.Zs)) < 1e-10


def test_formula_by_hand_on_a_row_of_three_cells():
    # Cells 0, 1, 2 in a row, counts 1, 2, 6: n = 3, mean 3, S = sqrt((1+4+36)/3 - 9).
    result = gi_star_grid([0, 1, 2], [0, 0, 0], [1.0, 2.0, 6.0])
    s = math.sqrt(41 / 3 - 9)
    # Cell 0: k = 2, L = 3; z = (3 - 3*2) / (S sqrt((3*2 - 4) / 2)).
    expected0 = (3 - 6) / (s * math.sqrt((6 - 4) / 2))
    assert result.z[0] == pytest.approx(expected0, abs=1e-12)
    assert math.isnan(result.z[1])  # its neighbourhood is the whole study area
    assert result.classes[1] == "none"


def test_sparse_weights_variant_equals_grid_variant():
    ix, iy, counts = irregular_grid(5)
    table = queen_neighbours(ix, iy)
    rows = np.repeat(np.arange(ix.size), 9).reshape(ix.size, 9).T
    keep = table >= 0
    w = sparse.csr_array((np.ones(keep.sum()), (rows[keep], table[keep])), shape=(ix.size,) * 2)
    a = gi_star_grid(ix, iy, counts)
    b = gi_star_sparse(counts, w)
    assert np.max(np.abs(a.z - b.z)) < 1e-12


def test_fdr_classes_find_the_planted_block():
    ix, iy, counts = irregular_grid(2)
    result = gi_star_grid(ix, iy, counts, alpha=0.05)
    hot = result.classes == "hot"
    assert hot.any()
    assert (result.z[hot] > 0).all()
    assert (result.q_value[hot] <= 0.05).all()
    assert not ((result.classes == "cold") & (result.z > 0)).any()


def brute_force_counts(values, observed, m, permutations, seed):
    """Per-location loop with the same shared draws: the definition, written out."""
    from wijkregie.analysis.gistar import _distinct_draws

    n = values.size
    draws = _distinct_draws(n, int(m.max()) + 1, permutations, np.random.default_rng(seed))
    total = values.sum()
    counts = np.zeros(n, dtype=int)
    for i in range(n):
        mu = m[i] * (total - values[i]) / (n - 1)
        tol = 1e-9 * (1 + abs(observed[i]) + abs(mu))
        for r in range(permutations):
            chosen = [j for j in draws[r] if j != i][: m[i]]
            counts[i] += abs(values[chosen].sum() - mu) >= abs(observed[i] - mu) - tol
    return counts


def test_vectorised_permutation_counts_equal_the_per_location_loop():
    rng = np.random.default_rng(4)
    values = rng.poisson(2, 80).astype(float)
    m = rng.integers(0, 9, 80)
    observed = np.array(
        [rng.choice(np.delete(values, i), m[i], replace=False).sum() for i in range(80)]
    ) + rng.integers(-3, 4, 80)
    fast = conditional_permutation_counts(values, observed, m, 300, np.random.default_rng(11))
    slow = brute_force_counts(values, observed, m, 300, 11)
    assert np.array_equal(fast, slow)


def test_permutation_p_values_are_seeded_bounded_and_agree_with_analytic():
    ix, iy, counts = irregular_grid(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PermutationFloorWarning)
        a = gi_star_grid(ix, iy, counts, permutations=999, seed=42)
        b = gi_star_grid(ix, iy, counts, permutations=999, seed=42)
        c = gi_star_grid(ix, iy, counts, permutations=999, seed=43)
    assert np.array_equal(a.p_permutation, b.p_permutation)
    assert not np.array_equal(a.p_permutation, c.p_permutation)
    p = a.p_permutation
    assert p.min() >= 1 / 1000 and p.max() <= 1
    assert np.array_equal(a.p_value, p)
    # Both inferences rank the cells alike (the analytic test is a normal approximation,
    # rough for these skewed counts).
    assert stats.spearmanr(p, a.p_analytic).statistic > 0.7
    assert np.array_equal(a.z, gi_star_grid(ix, iy, counts).z)


def test_permutation_p_values_are_uniform_without_spatial_structure():
    rng = np.random.default_rng(8)
    a, b = np.meshgrid(np.arange(60), np.arange(60), indexing="ij")
    counts = rng.poisson(2.0, a.size).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PermutationFloorWarning)
        result = gi_star_grid(a.ravel(), b.ravel(), counts, permutations=499, seed=1)
    share = np.mean(result.p_permutation <= 0.05)
    assert 0.02 < share < 0.08


def test_warning_when_the_permutation_floor_makes_fdr_impossible_or_coarse():
    ix, iy, counts = irregular_grid(1)
    with pytest.warns(PermutationFloorWarning, match="no location can be significant"):
        result = gi_star_grid(ix, iy, counts, permutations=9, seed=1)
    assert not result.significant.any()
    assert result.warnings
    with pytest.warns(PermutationFloorWarning, match="alpha/m"):
        gi_star_grid(ix, iy, counts, permutations=99, seed=1)
    assert permutation_floor_message(99, 5, 0.05) is None  # 0.01 <= 0.05 / 5
    assert permutation_floor_message(0, 10, 0.05) is None
    needed = math.ceil(600 / 0.05) - 1
    assert str(needed) in permutation_floor_message(999, 600, 0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PermutationFloorWarning)
        gi_star_grid(ix, iy, counts, permutations=0)  # analytic: no warning


def test_invalid_input():
    with pytest.raises(ValueError):
        gi_star_grid([0, 0], [0, 0], [1, 2])  # duplicate cell
    with pytest.raises(ValueError):
        gi_star_grid([0, 1], [0, 0], [1, np.nan])
    with pytest.raises(ValueError):
        gi_star_grid([0, 1, 2], [0, 0, 0], [1, 2])


def test_gi_star_permutation_p_values_match_independent_draws_per_cell():
    """Shared draws (as esda's crand) give the same p-values, up to Monte Carlo error, as
    drawing every cell's neighbours independently."""
    ix, iy, counts = irregular_grid(7, width=9, height=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PermutationFloorWarning)
        result = gi_star_grid(ix, iy, counts, permutations=9999, seed=2)
    table = queen_neighbours(ix, iy)
    rng = np.random.default_rng(6)
    n = counts.size
    reference = np.full(n, np.nan)
    for i in range(n):
        others_idx = [j for j in table[:, i] if j >= 0 and j != i]
        k = len(others_idx)
        others = np.delete(counts, i)
        picks = np.argsort(rng.random((9999, n - 1)), axis=1)[:, :k]
        sums = others[picks].sum(axis=1)
        mu = k * others.mean()
        observed = counts[others_idx].sum()
        extreme = np.abs(sums - mu) >= abs(observed - mu) - 1e-9 * (1 + abs(observed) + abs(mu))
        reference[i] = (1 + extreme.sum()) / 10000
    ok = ~np.isnan(result.z)
    assert np.max(np.abs(result.p_permutation[ok] - reference[ok])) < 0.03
