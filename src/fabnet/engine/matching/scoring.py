"""How candidates are ranked, and the rate-card arithmetic behind the cost and capacity numbers.

Score = weighted mean of five components, each in [0, 1]; a component whose input is missing
scores 0 (declared data beats unknown data), and the distance component drops out (weights
renormalised) when the request has no delivery point:

=============  ======  =========================================================================
component      weight  value
=============  ======  =========================================================================
distance       0.35    ``1 / (1 + d / 100 km)``, d = km to the nearest delivery point
cost           0.25    cheapest candidate's unit cost / this unit cost (1 for the cheapest);
                       unknown, or in another currency than the request's: 0
capacity       0.15    ``min(1, units per week / quantity)``: 1 = the whole quantity in a week
certifications 0.10    1 when the facility holds at least one certification, else 0
data           0.15    1 declared, 0.5 imported from a directory, 0 synthetic capability data
=============  ======  =========================================================================

Unit cost (per unit, from the facility's rate card, for a rate whose process meets the part's
process; the cheapest such rate): ``(setup + lots * (hourly / units_per_hour + mass_kg *
material_cost_per_kg)) / quantity`` with ``lots = max(quantity, minimum_lot)``. Unknown when the
facility has no such rate, the rate has no ``units_per_hour`` (and a non-zero hourly rate), or
the part has no mass (and the material cost is non-zero).

Units per week: the facility's declared ``capacity.units_per_week``, else the best applicable
rate's ``units_per_hour * capacity.hours_per_week`` when a capacity record exists; else unknown.

Largest batch (the capacity criterion): ``capacity.max_batch_size``, else the upper bound of OKW
``typicalBatchSize`` (0-50 -> 50, 50-500 -> 500, 500-5000 -> 5000, 5000+ -> unbounded); unknown
passes, and says so.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from fabnet.domain.common import Provenance
from fabnet.domain.facility import BatchSize, Facility, ProcessRate

WEIGHTS: dict[str, float] = {
    "distance": 0.35,
    "cost": 0.25,
    "capacity": 0.15,
    "certifications": 0.10,
    "data": 0.15,
}
DISTANCE_SCALE_KM = 100.0

BATCH_LIMITS: dict[BatchSize, float] = {
    BatchSize.UP_TO_50: 50.0,
    BatchSize.UP_TO_500: 500.0,
    BatchSize.UP_TO_5000: 5000.0,
    BatchSize.OVER_5000: math.inf,
}

DATA_QUALITY: dict[Provenance, float] = {
    Provenance.DECLARED: 1.0,
    Provenance.IMPORTED: 0.5,
    Provenance.SYNTHETIC: 0.0,
}

FloatArray = npt.NDArray[np.float64]


def max_batch(facility: Facility) -> float | None:
    cap = facility.extension.capacity
    if cap is not None and cap.max_batch_size is not None:
        return float(cap.max_batch_size)
    if facility.typical_batch_size is not None:
        return BATCH_LIMITS[facility.typical_batch_size]
    return None


def data_quality(facility: Facility) -> float:
    if facility.provenance.any_synthetic:
        return 0.0
    return min(
        DATA_QUALITY[facility.provenance.capabilities], DATA_QUALITY[facility.provenance.materials]
    )


def unit_cost(rate: ProcessRate, quantity: int, mass_g: float | None) -> float | None:
    """Cost per unit of ``quantity`` units from one rate; None when a needed number is missing."""
    if rate.hourly_rate == 0:
        machine = 0.0
    elif rate.units_per_hour is None:
        return None
    else:
        machine = rate.hourly_rate / rate.units_per_hour
    if rate.material_cost_per_kg == 0:
        material = 0.0
    elif mass_g is None:
        return None
    else:
        material = mass_g / 1000.0 * rate.material_cost_per_kg
    lots = max(quantity, rate.minimum_lot)
    return (rate.setup_cost + lots * (machine + material)) / quantity


def unit_costs(
    machine: FloatArray,
    setup: FloatArray,
    material_per_kg: FloatArray,
    minimum_lot: FloatArray,
    quantity: int,
    mass_g: float | None,
) -> FloatArray:
    """Vectorised :func:`unit_cost` (``machine`` = hourly / units per hour, 0 for a zero hourly
    rate, NaN when unknown): NaN where the scalar form answers None."""
    if mass_g is None:
        material = np.where(material_per_kg == 0, 0.0, np.nan)
    else:
        material = mass_g / 1000.0 * material_per_kg
    lots = np.maximum(float(quantity), minimum_lot)
    result: FloatArray = (setup + lots * (machine + material)) / float(quantity)
    return result


def distance_component(distance_km: FloatArray) -> FloatArray:
    """NaN (unknown distance) scores 0."""
    value: FloatArray = np.nan_to_num(1.0 / (1.0 + distance_km / DISTANCE_SCALE_KM), nan=0.0)
    return value


def cost_component(costs: FloatArray) -> FloatArray:
    """Cheapest / cost; NaN (unknown or other currency) scores 0; a zero cost scores 1."""
    cheapest = float(np.fmin.reduce(costs)) if costs.size else math.nan  # ignores NaN
    if math.isnan(cheapest):
        return np.zeros_like(costs)
    value = np.zeros_like(costs)
    np.divide(cheapest, costs, out=value, where=costs > 0)  # NaN > 0 is False: stays 0
    value[costs == 0] = 1.0
    return value


def capacity_component(units_per_week: FloatArray, quantity: int) -> FloatArray:
    value: FloatArray = np.nan_to_num(np.minimum(1.0, units_per_week / float(quantity)), nan=0.0)
    return value


def combine(components: dict[str, FloatArray]) -> FloatArray:
    """Weighted mean over the components present (distance is absent without delivery points)."""
    total = sum(WEIGHTS[name] for name in components)
    score = np.zeros_like(next(iter(components.values())))
    for name, values in components.items():
        score += WEIGHTS[name] * values
    result: FloatArray = np.round(score / total, 6)
    return result
