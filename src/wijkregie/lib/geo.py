"""Coordinates: RD New (EPSG:28992, metres) and WGS84 (EPSG:4326), 100 m cells, NL bounds.

pyproj applies the standard RD New definition (no correction grid on a closed network), which
agrees with RDNAPTRANS to about a metre: enough for 100 m cells and neighbourhood lookups.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pyproj import Transformer

CELL_SIZE_M = 100

# Generous bounding boxes of the Netherlands (land and territorial waters), both systems.
NL_WGS84 = (3.2, 50.7, 7.3, 53.7)  # lon_min, lat_min, lon_max, lat_max
NL_RD = (-7000.0, 289000.0, 300000.0, 629000.0)  # x_min, y_min, x_max, y_max


@lru_cache(maxsize=1)
def _to_wgs84() -> Transformer:
    return Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)


@lru_cache(maxsize=1)
def _to_rd() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float
    x: float
    y: float

    @property
    def cell(self) -> tuple[int, int]:
        return cell_of(self.x, self.y)


def rd_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """Return (lat, lon) for RD New x, y."""
    lon, lat = _to_wgs84().transform(x, y)
    return float(lat), float(lon)


def wgs84_to_rd(lat: float, lon: float) -> tuple[float, float]:
    """Return RD New (x, y) for WGS84 lat, lon."""
    x, y = _to_rd().transform(lon, lat)
    return float(x), float(y)


def rd_to_wgs84_arrays(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised: return (lat, lon) arrays."""
    lon, lat = _to_wgs84().transform(x, y)
    return np.asarray(lat), np.asarray(lon)


def in_netherlands_wgs84(lat: float, lon: float) -> bool:
    lon_min, lat_min, lon_max, lat_max = NL_WGS84
    return (
        math.isfinite(lat)
        and math.isfinite(lon)
        and lat_min <= lat <= lat_max
        and lon_min <= lon <= lon_max
    )


def in_netherlands_rd(x: float, y: float) -> bool:
    x_min, y_min, x_max, y_max = NL_RD
    return math.isfinite(x) and math.isfinite(y) and x_min <= x <= x_max and y_min <= y <= y_max


def point_from_wgs84(lat: float, lon: float) -> Point:
    x, y = wgs84_to_rd(lat, lon)
    return Point(lat=lat, lon=lon, x=x, y=y)


def point_from_rd(x: float, y: float) -> Point:
    lat, lon = rd_to_wgs84(x, y)
    return Point(lat=lat, lon=lon, x=x, y=y)


def cell_of(x: float, y: float, size: int = CELL_SIZE_M) -> tuple[int, int]:
    """Index of the grid cell whose lower-left corner is (i*size, j*size) in RD metres."""
    return math.floor(x / size), math.floor(y / size)


def cell_center(i: int, j: int, size: int = CELL_SIZE_M) -> tuple[float, float]:
    return (i + 0.5) * size, (j + 0.5) * size


def ring_rd_to_wgs84(ring: Sequence[Sequence[float]]) -> list[list[float]]:
    """Transform a ring of RD (x, y) to GeoJSON [lon, lat] positions (6 decimals, ~0.1 m)."""
    xs = np.array([p[0] for p in ring], dtype=float)
    ys = np.array([p[1] for p in ring], dtype=float)
    lat, lon = rd_to_wgs84_arrays(xs, ys)
    return [[round(float(a), 6), round(float(b), 6)] for a, b in zip(lon, lat, strict=True)]
