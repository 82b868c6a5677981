"""Analysis: pure numpy/scipy functions (no ORM, no Django) for the information position.

Modules:
    grid       counts on the 100 m RD grid and per neighbourhood; queen neighbours of grid cells
    gistar     Getis-Ord Gi* on a grid or any binary weights, analytic and permutation inference
    fdr        Benjamini-Hochberg false discovery rate
    moran      global Moran's I and Local Moran (LISA) for polygons with row-standardised weights
    kde        kernel density (quartic, Gaussian) on a grid by FFT convolution
    emerging   Mann-Kendall trend test and emerging hot spot classes per cell
    trends     change against the same period a year earlier and against a seasonal baseline
    forecast   hit rate, PAI and PEI of a hotspot forecast at a fixed coverage

A selector fetches arrays for the viewer's scope, a function here computes, a service stores or
renders. Everything here is tested without a database.
"""
