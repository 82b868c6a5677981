from __future__ import annotations

import math

import numpy as np
import pytest

from wijkregie.analysis.kde import kernel_density, kernel_weights


def direct_sum(x, y, grid, kernel, h, snap):
    """f(c) = sum_k K_h(|c - p_k|) at every cell centre, point by point."""
    s = grid.cell_size
    nx, ny = grid.density.shape
    cx = grid.x0 + (np.arange(nx) + 0.5) * s
    cy = grid.y0 + (np.arange(ny) + 0.5) * s
    if snap:  # the binned estimator moves every point to its cell centre
        x = grid.x0 + (np.floor((x - grid.x0) / s) + 0.5) * s
        y = grid.y0 + (np.floor((y - grid.y0) / s) + 0.5) * s
    d2 = (cx[:, None, None] - x[None, None, :]) ** 2 + (cy[None, :, None] - y[None, None, :]) ** 2
    if kernel == "quartic":
        u = d2 / h**2
        k = np.where(u < 1, 3 / (math.pi * h**2) * (1 - u) ** 2, 0.0)
    else:
        k = np.where(d2 <= (4 * h) ** 2, np.exp(-d2 / (2 * h**2)) / (2 * math.pi * h**2), 0.0)
    return k.sum(axis=2)


@pytest.mark.parametrize("kernel", ["quartic", "gaussian"])
@pytest.mark.parametrize("h", [150.0, 400.0])
def test_fft_density_equals_the_direct_sum_over_binned_points(kernel, h):
    rng = np.random.default_rng(7)
    x = rng.uniform(155000, 157000, 300)
    y = rng.uniform(463000, 464500, 300)
    extent = (154000, 462000, 158000, 465500)
    grid = kernel_density(x, y, bandwidth=h, kernel=kernel, extent=extent, precision="double")
    assert grid.density.shape == (40, 35)
    assert grid.density.dtype == np.float64
    expected = direct_sum(x, y, grid, kernel, h, snap=True)
    assert np.max(np.abs(grid.density - expected)) <= 1e-12 * expected.max()
    assert grid.outside == 0
    single = kernel_density(x, y, bandwidth=h, kernel=kernel, extent=extent)
    assert single.density.dtype == np.float32
    assert np.max(np.abs(single.density - expected)) <= 1e-6 * expected.max()


def test_binning_error_is_small_against_the_exact_point_sum_for_wide_kernels():
    rng = np.random.default_rng(3)
    x = rng.normal(156000, 600, 400)
    y = rng.normal(463500, 600, 400)
    grid = kernel_density(x, y, bandwidth=1000, kernel="gaussian")
    exact = direct_sum(x, y, grid, "gaussian", 1000.0, snap=False)
    assert np.max(np.abs(grid.density - exact)) < 0.01 * exact.max()


def test_density_integrates_to_the_number_of_points():
    rng = np.random.default_rng(1)
    x = rng.uniform(10000, 20000, 5000)
    y = rng.uniform(10000, 20000, 5000)
    for kernel in ("quartic", "gaussian"):
        grid = kernel_density(x, y, bandwidth=500, kernel=kernel)
        mass = grid.density.sum() * grid.cell_size**2
        assert mass == pytest.approx(5000, rel=0.01)
        assert grid.per_km2.max() == pytest.approx(grid.density.max() * 1e6)


def test_points_outside_the_extent_are_counted_and_left_out():
    grid = kernel_density([50, 5000], [50, 50], bandwidth=200, extent=(0, 0, 1000, 1000))
    assert grid.outside == 1
    assert grid.density.shape == (10, 10)


def test_kernel_weights_shape_and_invalid_input():
    assert kernel_weights(500, 100, "quartic").shape == (11, 11)
    assert kernel_weights(100, 100, "gaussian").shape == (9, 9)
    with pytest.raises(ValueError):
        kernel_weights(0, 100, "quartic")
    with pytest.raises(ValueError):
        kernel_weights(100, 100, "epanechnikov")  # type: ignore[arg-type]
