"""Moran's I and Local Moran against the published Columbus value and esda."""

from __future__ import annotations

import esda
import libpysal
import numpy as np
import pytest
from libpysal import examples
from scipy import sparse

from wijkregie.analysis.moran import (
    local_moran,
    moran_global,
    row_standardise,
    weights_from_neighbours,
)
from wijkregie.analysis.tests.references import irregular_grid, libpysal_queen, own_neighbour_lists


@pytest.fixture(scope="module")
def columbus():
    """CRIME of the 49 Columbus (Ohio) neighbourhoods and queen contiguity, read from the
    shapefile and dbf bundled with libpysal (no geopandas)."""
    w = libpysal.weights.Queen.from_shapefile(examples.get_path("columbus.shp"))
    table = libpysal.io.open(examples.get_path("columbus.dbf"))
    try:
        crime = np.asarray(table.by_col("CRIME"), dtype=float)
    finally:
        table.close()
    order = {area: position for position, area in enumerate(w.id_order)}
    neighbours = [[order[j] for j in w.neighbors[area]] for area in w.id_order]
    return crime, neighbours, w


def test_global_moran_of_columbus_crime_is_the_published_value(columbus):
    crime, neighbours, _ = columbus
    result = moran_global(crime, weights_from_neighbours(neighbours))
    assert result.i == pytest.approx(0.500188557, abs=5e-10)
    assert result.expected == pytest.approx(-1 / 48)
    assert result.z_normal > 5 and result.p_normal < 1e-6


def test_global_moran_moments_equal_esda(columbus):
    crime, neighbours, w = columbus
    w.transform = "r"
    reference = esda.Moran(crime, w, permutations=0)
    ours = moran_global(crime, weights_from_neighbours(neighbours))
    assert ours.i == pytest.approx(reference.I, abs=1e-12)
    assert ours.variance_normal == pytest.approx(reference.VI_norm, rel=1e-10)
    assert ours.variance_random == pytest.approx(reference.VI_rand, rel=1e-10)
    assert ours.z_random == pytest.approx(reference.z_rand, rel=1e-10)
    assert ours.p_normal == pytest.approx(reference.p_norm, rel=1e-8)  # both two-sided


def test_local_moran_equals_esda_on_columbus(columbus):
    crime, neighbours, w = columbus
    w.transform = "r"
    reference = esda.Moran_Local(crime, w, permutations=0)
    ours = local_moran(crime, weights_from_neighbours(neighbours))
    assert np.max(np.abs(ours.i - reference.Is)) < 1e-10
    assert np.max(np.abs(ours.expected - reference.EIc)) < 1e-10
    assert np.max(np.abs(ours.variance - reference.VIc)) < 1e-10
    assert ours.quadrant.tolist() == reference.q.tolist()


def test_local_moran_equals_esda_on_an_irregular_grid_with_islands():
    ix, iy, counts = irregular_grid(6, hole_share=0.45)
    w = libpysal_queen(ix, iy)
    w.transform = "r"
    reference = esda.Moran_Local(counts, w, permutations=0)
    ours = local_moran(counts, weights_from_neighbours(own_neighbour_lists(ix, iy)))
    assert np.max(np.abs(ours.i - reference.Is)) < 1e-10


def independent_permutation_p(z, neighbours, permutations, seed):
    """Conditional randomisation written out: for each area its own random draws of |N(i)|
    values from the other areas; two-sided about the conditional mean of their sum."""
    rng = np.random.default_rng(seed)
    n = z.size
    p = np.full(n, np.nan)
    for i, nb in enumerate(neighbours):
        k = len(nb)
        if k == 0:
            continue
        others = np.delete(z, i)
        picks = np.argsort(rng.random((permutations, n - 1)), axis=1)[:, :k]
        sums = others[picks].sum(axis=1)
        mu = k * others.mean()
        observed = z[nb].sum()
        p[i] = (1 + np.sum(np.abs(sums - mu) >= abs(observed - mu) - 1e-9)) / (permutations + 1)
    return p


def test_local_moran_permutation_p_values_match_independent_conditional_randomisation(columbus):
    crime, neighbours, _ = columbus
    result = local_moran(crime, weights_from_neighbours(neighbours), permutations=9999, seed=3)
    assert result.p_permutation is not None
    z = (crime - crime.mean()) / crime.std()
    reference = independent_permutation_p(z, neighbours, 9999, seed=5)
    # Monte Carlo error of each estimate is at most 0.005 (R = 9999); esda's p_sim is the
    # one-sided "folded" variant, about half of these.
    assert np.max(np.abs(result.p_permutation - reference)) < 0.03
    assert 1 / 10000 <= result.p_permutation.min() < 0.01
    labels = result.quadrant[result.p_permutation < 0.05]
    assert {1, 3} <= set(labels.tolist())  # HH and LL clusters, as Anselin (1995) maps them
    assert set(result.cluster[result.significant].tolist()) <= {"HH", "LL", "HL", "LH"}
    assert (result.cluster[~result.significant] == "none").all()


def test_weights_helpers():
    w = weights_from_neighbours([[1], [0, 2], [1], []])
    assert w.toarray().tolist() == [[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 0]]
    r = row_standardise(w).toarray()
    assert r[1].tolist() == [0.5, 0, 0.5, 0] and r[3].sum() == 0
    with pytest.raises(ValueError):
        weights_from_neighbours([[0]])
    with pytest.raises(ValueError):
        local_moran([1, 1, 1], sparse.eye(3))
