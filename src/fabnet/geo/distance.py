"""Great-circle distances on a spherical Earth, vectorised with numpy.

The sphere has the IUGG mean Earth radius R1 = 6371.0088 km; the haversine formula is stable for
small and antipodal distances alike (the argument of ``arcsin`` is clipped to [0, 1]). Errors
against the WGS84 ellipsoid stay below about 0.5 %, ample for matching and planning.

For spatial indexes (``scipy.spatial.cKDTree``) points become unit 3-vectors; a great-circle
radius ``d`` km is then a straight (chord) radius ``km_to_chord(d)`` in those units.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

EARTH_RADIUS_KM = 6371.0088

FloatArray = NDArray[np.float64]


def _as_float(values: ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def haversine_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> FloatArray:
    """Great-circle distance in km between points given in decimal degrees.

    Arguments broadcast like numpy arrays; scalars give a 0-d array (``float(...)`` it).
    """
    phi1 = np.radians(_as_float(lat1))
    phi2 = np.radians(_as_float(lat2))
    dphi = phi2 - phi1
    dlmb = np.radians(_as_float(lon2)) - np.radians(_as_float(lon1))
    h = np.sin(dphi / 2.0) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2.0) ** 2
    result: FloatArray = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return result


def distance_matrix_km(
    lats_a: ArrayLike, lons_a: ArrayLike, lats_b: ArrayLike, lons_b: ArrayLike
) -> FloatArray:
    """All distances from the points a (rows) to the points b (columns): shape (len a, len b)."""
    la, oa = np.atleast_1d(_as_float(lats_a)), np.atleast_1d(_as_float(lons_a))
    lb, ob = np.atleast_1d(_as_float(lats_b)), np.atleast_1d(_as_float(lons_b))
    if la.ndim != 1 or la.shape != oa.shape or lb.ndim != 1 or lb.shape != ob.shape:
        raise ValueError(
            "distance_matrix_km needs 1-d latitude and longitude arrays of equal length"
        )
    return haversine_km(la[:, None], oa[:, None], lb[None, :], ob[None, :])


def to_unit_xyz(lats: ArrayLike, lons: ArrayLike) -> FloatArray:
    """Points in degrees -> unit vectors, shape (n, 3) (x towards 0°E, z towards the north pole)."""
    phi = np.radians(np.atleast_1d(_as_float(lats)))
    lmb = np.radians(np.atleast_1d(_as_float(lons)))
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lmb), cos_phi * np.sin(lmb), np.sin(phi)))


def km_to_chord(km: ArrayLike) -> FloatArray:
    """Great-circle distance in km -> straight-line distance between unit vectors."""
    angle = np.clip(_as_float(km) / EARTH_RADIUS_KM, 0.0, np.pi)
    result: FloatArray = 2.0 * np.sin(angle / 2.0)
    return result


def chord_to_km(chord: ArrayLike) -> FloatArray:
    """Straight-line distance between unit vectors -> great-circle distance in km."""
    half = np.clip(_as_float(chord) / 2.0, 0.0, 1.0)
    result: FloatArray = 2.0 * EARTH_RADIUS_KM * np.arcsin(half)
    return result
