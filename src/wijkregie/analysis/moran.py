"""Global Moran's I and Local Moran (LISA) for areas such as neighbourhoods (polygons).

The weights come as neighbour lists (e.g. queen contiguity of buurt polygons, built by the
caller) or as a sparse matrix, and are row-standardised: w_ij = 1 / |N(i)| for j in N(i).
Areas without neighbours (islands) keep an empty row: their spatial lag is 0.

References:
    Moran, P.A.P. (1950). Notes on continuous stochastic phenomena. Biometrika 37, 17-23.
    Cliff, A.D. & Ord, J.K. (1981). Spatial Processes: Models and Applications. Pion, London
        (moments of I under normality and randomisation, pp. 21, 46-47).
    Anselin, L. (1995). Local indicators of spatial association - LISA. Geographical
        Analysis 27(2), 93-115.
    Sokal, R.R., Oden, N.L. & Thomson, B.A. (1998). Local spatial autocorrelation in a
        biological model. Geographical Analysis 30(4), 331-354 (eqs. A7, A8: moments of I_i
        under conditional randomisation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse, special

from wijkregie.analysis.fdr import benjamini_hochberg
from wijkregie.analysis.gistar import conditional_permutation_counts

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Quadrants of the Moran scatter plot (esda's numbering): 1 HH, 2 LH, 3 LL, 4 HL.
QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}


def weights_from_neighbours(neighbours: Sequence[Sequence[int]]) -> sparse.csr_array:
    """Binary n x n weights from neighbour lists: w_ij = 1 for j in neighbours[i]."""
    n = len(neighbours)
    rows = np.repeat(np.arange(n), [len(nb) for nb in neighbours])
    cols = np.fromiter((j for nb in neighbours for j in nb), dtype=np.int64, count=rows.size)
    if cols.size and (cols.min() < 0 or cols.max() >= n):
        raise ValueError("neighbour index out of range")
    if (rows == cols).any():
        raise ValueError("an area cannot be its own neighbour here")
    data = np.ones(rows.size)
    w = sparse.csr_array((data, (rows, cols)), shape=(n, n))
    w.sum_duplicates()
    w.data[:] = 1.0
    return w


def row_standardise(weights: sparse.sparray | sparse.spmatrix) -> sparse.csr_array:
    """w_ij / sum_j w_ij; rows that sum to zero (islands) stay zero."""
    w = sparse.csr_array(weights, dtype=np.float64)
    sums = np.asarray(w.sum(axis=1)).ravel()
    scale = np.divide(1.0, sums, out=np.zeros_like(sums), where=sums != 0)
    return sparse.csr_array(sparse.diags_array(scale) @ w)


@dataclass(frozen=True)
class MoranResult:
    """Global Moran's I with its moments under normality and under randomisation."""

    i: float
    expected: float
    variance_normal: float
    variance_random: float
    z_normal: float
    z_random: float
    p_normal: float  # two-sided
    p_random: float  # two-sided
    n: int


def moran_global(values: npt.ArrayLike, weights: sparse.sparray | sparse.spmatrix) -> MoranResult:
    """Global Moran's I with row-standardised weights.

        z_i = x_i - xbar,  S0 = sum_ij w_ij,  I = (n / S0) (sum_ij w_ij z_i z_j) / (sum_i z_i^2)
        E[I] = -1 / (n - 1)

    Moments (Cliff & Ord 1981), with S1 = 1/2 sum_ij (w_ij + w_ji)^2,
    S2 = sum_i (sum_j w_ij + sum_j w_ji)^2 and kurtosis b2 = n sum z^4 / (sum z^2)^2:

        Var_N[I] = (n^2 S1 - n S2 + 3 S0^2) / ((n^2 - 1) S0^2) - E[I]^2
        Var_R[I] = (n ((n^2 - 3n + 3) S1 - n S2 + 3 S0^2) - b2 ((n^2 - n) S1 - 2 n S2 + 6 S0^2))
                   / ((n - 1)(n - 2)(n - 3) S0^2) - E[I]^2

    `weights` are row-standardised here (pass binary contiguity); this matches
    esda.Moran(y, w) with w.transform = "r". Moran's I of CRIME in the Columbus data with queen
    contiguity is 0.500188557 (Anselin 1988; the tests reproduce it).
    """
    y = np.asarray(values, dtype=np.float64).ravel()
    n = y.size
    w = row_standardise(weights)
    if w.shape != (n, n):
        raise ValueError("weights must be n x n")
    if n < 4:
        raise ValueError("Moran's I needs at least 4 areas")
    z = y - y.mean()
    z2 = float(z @ z)
    s0 = float(w.sum())
    i_value = (n / s0) * float(z @ (w @ z)) / z2
    expected = -1.0 / (n - 1)
    wt = sparse.csr_array(w.T)
    s1 = 0.5 * float(((w + wt) ** 2).sum())
    s2 = float(((np.asarray(w.sum(axis=1)).ravel() + np.asarray(w.sum(axis=0)).ravel()) ** 2).sum())
    s02 = s0 * s0
    n2 = n * n
    var_normal = (n2 * s1 - n * s2 + 3 * s02) / ((n - 1) * (n + 1) * s02) - expected**2
    b2 = n * float((z**4).sum()) / z2**2
    a = n * ((n2 - 3 * n + 3) * s1 - n * s2 + 3 * s02)
    b = b2 * ((n2 - n) * s1 - 2 * n * s2 + 6 * s02)
    var_random = (a - b) / ((n - 1) * (n - 2) * (n - 3) * s02) - expected**2
    z_normal = (i_value - expected) / np.sqrt(var_normal)
    z_random = (i_value - expected) / np.sqrt(var_random)
    return MoranResult(
        i=i_value,
        expected=expected,
        variance_normal=var_normal,
        variance_random=var_random,
        z_normal=float(z_normal),
        z_random=float(z_random),
        p_normal=float(2.0 * special.ndtr(-abs(z_normal))),
        p_random=float(2.0 * special.ndtr(-abs(z_random))),
        n=n,
    )


@dataclass(frozen=True)
class LocalMoranResult:
    """Local Moran per area, in input order.

    `p_value` is the permutation p-value when permutations were run, else the analytic one
    (conditional randomisation moments); `significant` is the BH decision at `alpha`;
    `quadrant` 1 HH, 2 LH, 3 LL, 4 HL (Moran scatter plot, esda numbering); `cluster` is
    that label where significant, else "none".
    """

    i: FloatArray
    expected: FloatArray
    variance: FloatArray
    z: FloatArray
    p_analytic: FloatArray
    p_permutation: FloatArray | None
    p_value: FloatArray
    significant: BoolArray
    quadrant: IntArray
    cluster: npt.NDArray[np.str_]


def local_moran(
    values: npt.ArrayLike,
    weights: sparse.sparray | sparse.spmatrix,
    *,
    alpha: float = 0.05,
    permutations: int = 0,
    seed: int | None = None,
) -> LocalMoranResult:
    """Local Moran (Anselin 1995) with row-standardised weights.

        z_i = (x_i - xbar) / s  (s the population standard deviation)
        I_i = (n - 1) z_i sum_j w_ij z_j / sum_k z_k^2

    the same scaling as esda.Moran_Local(y, w).Is (the tests check it within 1e-10).
    Analytic inference under conditional randomisation (Sokal et al. 1998, eqs. A7-A8), with
    m2 = sum z^2 / n, w_i. = sum_j w_ij, w_i2 = sum_j w_ij^2:

        E[I_i]   = -(z_i^2 w_i.) / ((n - 1) m2)
        Var[I_i] = (z_i / m2)^2 (n / (n - 2)) (w_i2 - w_i.^2 / (n - 1)) (m2 - z_i^2 / (n - 1))

    and p two-sided normal. With permutations R > 0: conditional randomisation, two-sided
    about the conditional mean, as for Gi* (gistar.conditional_permutation_counts: I_i is
    monotone in the sum of the |N(i)| drawn values, because row-standardised binary weights
    are equal within a row).
    """
    y = np.asarray(values, dtype=np.float64).ravel()
    n = y.size
    binary = sparse.csr_array(weights, dtype=np.float64)
    if binary.shape != (n, n):
        raise ValueError("weights must be n x n")
    w = row_standardise(binary)
    sd = y.std()
    if n < 3 or sd == 0:
        raise ValueError("Local Moran needs at least 3 areas with different values")
    z = (y - y.mean()) / sd
    lag = w @ z
    den = float(z @ z)
    local = (n - 1) * z * lag / den
    m2 = den / n
    wi = np.asarray(w.sum(axis=1)).ravel()
    wi2 = np.asarray(w.multiply(w).sum(axis=1)).ravel()
    expected = -(z**2 * wi) / ((n - 1) * m2)
    variance = (z / m2) ** 2 * (n / (n - 2)) * (wi2 - wi**2 / (n - 1)) * (m2 - z**2 / (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        zscore = (local - expected) / np.sqrt(variance)
    zscore[~np.isfinite(zscore)] = np.nan
    p_analytic = 2.0 * special.ndtr(-np.abs(zscore))
    p_perm: FloatArray | None = None
    if permutations:
        cardinality = np.diff(binary.indptr).astype(np.int64)
        inverse = np.divide(1.0, cardinality, out=np.zeros(n), where=cardinality > 0)
        rows_equal = np.allclose(w.data, np.repeat(inverse, cardinality))
        if not rows_equal:
            raise ValueError("permutation inference needs binary (contiguity) weights")
        rng = np.random.default_rng(seed)
        neighbour_sum = lag * cardinality
        counts = conditional_permutation_counts(z, neighbour_sum, cardinality, permutations, rng)
        perm = np.asarray((counts + 1.0) / (permutations + 1.0), dtype=np.float64)
        perm[cardinality == 0] = np.nan
        p_perm = perm
    p = p_perm if p_perm is not None else p_analytic
    significant, _ = benjamini_hochberg(p, alpha)
    quadrant = np.where(z > 0, np.where(lag > 0, 1, 4), np.where(lag > 0, 2, 3)).astype(np.int64)
    cluster = np.array([QUADRANTS[int(q)] for q in quadrant], dtype="<U4")
    cluster[~significant] = "none"
    return LocalMoranResult(
        i=local,
        expected=expected,
        variance=variance,
        z=zscore,
        p_analytic=p_analytic,
        p_permutation=p_perm,
        p_value=p,
        significant=significant,
        quadrant=quadrant,
        cluster=cluster,
    )
