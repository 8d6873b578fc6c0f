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
process; the cheapest such rate): ``(setup + lots * (machine + mass_kg * material_cost_per_kg)) /
quantity`` with ``lots = max(quantity, minimum_lot)``. ``machine``, the machine cost per unit, is
``hourly / units_per_hour`` when the rate declares its throughput, else ``hourly * hours`` with
``hours`` the part's quoted machine hours per unit (:attr:`.PartRequirement.hours`, from its
geometry): those of the rate's own process when quoted, else those of a required process that
the rate's process meets; 0 for a zero hourly rate. The candidate's reasons say which was used
(``cost: 3.48 EUR/unit from 1.34 h quoted x 2.60 EUR/h + material ...``). Unknown when the
facility has no such rate, the rate has neither ``units_per_hour`` nor quoted hours (and a
non-zero hourly rate), or the part has no mass (and the material cost is non-zero).

Units per week: the facility's declared ``capacity.units_per_week``, else the best applicable
rate's ``units_per_hour * capacity.hours_per_week``, or, for a rate without ``units_per_hour``,
``capacity.hours_per_week / hours`` with the part's quoted hours (when more than 0), when a
capacity record exists; else unknown.

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


def machine_cost(rate: ProcessRate, hours_per_unit: float | None = None) -> float | None:
    """Machine cost per unit: ``hourly / units_per_hour`` when the rate declares its throughput,
    else ``hourly * hours_per_unit`` (quoted); 0 for a zero hourly rate; None when unknown."""
    if rate.hourly_rate == 0:
        return 0.0
    if rate.units_per_hour is not None:
        return rate.hourly_rate / rate.units_per_hour
    if hours_per_unit is None:
        return None
    return rate.hourly_rate * hours_per_unit


def unit_cost(
    rate: ProcessRate, quantity: int, mass_g: float | None, hours_per_unit: float | None = None
) -> float | None:
    """Cost per unit of ``quantity`` units from one rate; None when a needed number is missing.

    ``hours_per_unit`` is the part's quoted machine time for the rate's process; it is used only
    when the rate declares no ``units_per_hour``.
    """
    machine = machine_cost(rate, hours_per_unit)
    if machine is None:
        return None
    if rate.material_cost_per_kg == 0:
        material = 0.0
    elif mass_g is None:
        return None
    else:
        material = mass_g / 1000.0 * rate.material_cost_per_kg
    lots = max(quantity, rate.minimum_lot)
    return (rate.setup_cost + lots * (machine + material)) / quantity


def rate_units_per_week(
    rate: ProcessRate, hours_per_week: float, hours_per_unit: float | None = None
) -> float | None:
    """Units a week from one rate: declared ``units_per_hour * hours_per_week``, else
    ``hours_per_week / hours_per_unit`` (quoted, more than 0); None when unknown."""
    if rate.units_per_hour is not None:
        return rate.units_per_hour * hours_per_week
    if hours_per_unit is None or hours_per_unit <= 0:
        return None
    return hours_per_week / hours_per_unit


def unit_costs(
    machine: FloatArray,
    setup: FloatArray,
    material_per_kg: FloatArray,
    minimum_lot: FloatArray,
    quantity: int,
    mass_g: float | None,
) -> FloatArray:
    """Vectorised :func:`unit_cost` (``machine`` as :func:`machine_cost`, NaN when unknown): NaN
    where the scalar form answers None."""
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
