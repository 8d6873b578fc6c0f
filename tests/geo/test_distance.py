"""Great-circle distances: known values, properties, vectorisation, chord conversion."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.spatial import cKDTree

from fabnet.geo.distance import (
    EARTH_RADIUS_KM,
    chord_to_km,
    distance_matrix_km,
    haversine_km,
    km_to_chord,
    to_unit_xyz,
)

LAT = st.floats(-90, 90, allow_nan=False)
LON = st.floats(-180, 180, allow_nan=False)


def test_known_distances() -> None:
    # Nairobi -> Mombasa about 440 km; Paris -> London about 344 km (spherical, R = 6371.0088)
    assert float(haversine_km(-1.2921, 36.8219, -4.0435, 39.6682)) == pytest.approx(440, abs=5)
    assert float(haversine_km(48.8566, 2.3522, 51.5074, -0.1278)) == pytest.approx(343.5, abs=1)
    # a quarter of the equator and half of the circumference
    assert float(haversine_km(0, 0, 0, 90)) == pytest.approx(math.pi / 2 * EARTH_RADIUS_KM)
    assert float(haversine_km(0, 0, 0, 180)) == pytest.approx(math.pi * EARTH_RADIUS_KM)
    assert float(haversine_km(90, 0, -90, 0)) == pytest.approx(math.pi * EARTH_RADIUS_KM)


def test_antimeridian_is_short() -> None:
    assert float(haversine_km(0, 179.5, 0, -179.5)) == pytest.approx(111.2, abs=0.1)


def test_broadcasting() -> None:
    lats = np.array([0.0, 10.0, 20.0])
    result = haversine_km(lats, 0.0, 0.0, 0.0)
    assert result.shape == (3,)
    assert result[0] == 0.0
    assert result[2] == pytest.approx(2 * result[1], rel=1e-9)


@given(LAT, LON, LAT, LON)
def test_symmetric_and_non_negative(a: float, b: float, c: float, d: float) -> None:
    ab = float(haversine_km(a, b, c, d))
    assert ab >= 0
    assert ab == pytest.approx(float(haversine_km(c, d, a, b)), abs=1e-6)
    assert ab <= math.pi * EARTH_RADIUS_KM + 1e-6


@given(LAT, LON, LAT, LON, LAT, LON)
def test_triangle_inequality(a: float, b: float, c: float, d: float, e: float, f: float) -> None:
    ab = float(haversine_km(a, b, c, d))
    bc = float(haversine_km(c, d, e, f))
    ac = float(haversine_km(a, b, e, f))
    assert ac <= ab + bc + 1e-6


@given(
    st.lists(st.tuples(LAT, LON), min_size=1, max_size=6),
    st.lists(st.tuples(LAT, LON), min_size=1, max_size=6),
)
def test_distance_matrix_equals_pairwise(
    a: list[tuple[float, float]], b: list[tuple[float, float]]
) -> None:
    matrix = distance_matrix_km(
        [p[0] for p in a], [p[1] for p in a], [p[0] for p in b], [p[1] for p in b]
    )
    assert matrix.shape == (len(a), len(b))
    for i, (la, oa) in enumerate(a):
        for j, (lb, ob) in enumerate(b):
            assert matrix[i, j] == pytest.approx(float(haversine_km(la, oa, lb, ob)), abs=1e-6)


def test_distance_matrix_refuses_mismatched_inputs() -> None:
    with pytest.raises(ValueError):
        distance_matrix_km([0, 1], [0], [0], [0])


@given(LAT, LON)
def test_unit_vectors_have_length_one(lat: float, lon: float) -> None:
    xyz = to_unit_xyz(lat, lon)
    assert xyz.shape == (1, 3)
    assert float(np.linalg.norm(xyz[0])) == pytest.approx(1.0)


@given(st.floats(0, math.pi * EARTH_RADIUS_KM, allow_nan=False))
def test_chord_conversion_round_trips(km: float) -> None:
    assert float(chord_to_km(km_to_chord(km))) == pytest.approx(km, abs=1e-3)


@given(LAT, LON, LAT, LON)
def test_chord_between_unit_vectors_gives_the_haversine_distance(
    a: float, b: float, c: float, d: float
) -> None:
    p, q = to_unit_xyz([a, c], [b, d])
    chord = float(np.linalg.norm(p - q))
    assert float(chord_to_km(chord)) == pytest.approx(float(haversine_km(a, b, c, d)), abs=1e-3)


def test_kdtree_radius_query_with_chords_matches_haversine() -> None:
    rng = np.random.default_rng(7)
    lats = rng.uniform(-60, 60, 500)
    lons = rng.uniform(-180, 180, 500)
    tree = cKDTree(to_unit_xyz(lats, lons))
    found = set(tree.query_ball_point(to_unit_xyz(0.0, 0.0)[0], float(km_to_chord(2000.0))))
    expected = {i for i in range(500) if float(haversine_km(0, 0, lats[i], lons[i])) <= 2000.0}
    assert found == expected
