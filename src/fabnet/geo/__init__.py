"""Offline geography: a GeoNames gazetteer, country codes and great-circle distances (pure).

``fabnet.geo.gazetteer`` is imported lazily by its users: it builds a large index on first use.
"""

from fabnet.geo.countries import country_code, country_name
from fabnet.geo.distance import (
    EARTH_RADIUS_KM,
    chord_to_km,
    distance_matrix_km,
    haversine_km,
    km_to_chord,
    to_unit_xyz,
)

__all__ = [
    "EARTH_RADIUS_KM",
    "chord_to_km",
    "country_code",
    "country_name",
    "distance_matrix_km",
    "haversine_km",
    "km_to_chord",
    "to_unit_xyz",
]
