"""The planner's input: products with BOMs, candidates, delivery points, options, transport.

Everything is an immutable dataclass; numpy arrays in :class:`LaneTable` are made read-only.
Objects refer to each other by id, never by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from fabnet.engine.logistics import TransportMode, TransportModel


@dataclass(frozen=True)
class Part:
    id: str
    mass_kg: float = 0.0


@dataclass(frozen=True)
class Product:
    """A product: a BOM of (part id, quantity). ``assembled=False`` ships one part as is."""

    id: str
    bom: tuple[tuple[str, float], ...]
    assembled: bool = False


@dataclass(frozen=True)
class Facility:
    id: str
    lat: float
    lon: float
    country: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class Candidate:
    """A (part, facility) pair the matching engine found capable."""

    part_id: str
    facility_id: str
    unit_cost: float
    setup_cost: float = 0.0
    capacity: float = float("inf")
    lead_time_days: float = 0.0
    min_lot: float = 0.0


@dataclass(frozen=True)
class AssemblyCandidate:
    """A (product, facility) pair able to do the final assembly."""

    product_id: str
    facility_id: str
    unit_cost: float
    setup_cost: float = 0.0
    capacity: float = float("inf")
    lead_time_days: float = 0.0
    min_lot: float = 0.0


@dataclass(frozen=True)
class DeliveryPoint:
    id: str
    lat: float
    lon: float
    demand: tuple[tuple[str, float], ...]
    due_days: float | None = None
    country: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class LocalShare:
    """A minimum share of production spend at facilities in the given countries or regions."""

    min_share: float
    countries: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PlanningOptions:
    co2_price_per_t: float = 0.0
    lateness_penalty_per_unit_day: float | None = None
    """None: due dates are hard. A number: lateness is allowed and priced per unit and day."""
    shortfall_penalty_per_unit: float | None = None
    """None: demand must be met. A number: unmet demand is allowed, priced and reported."""
    max_facilities: int | None = None
    single_sourcing: bool = False
    local_share: LocalShare | None = None
    co2_budget_kg: float | None = None
    time_limit_s: float = 60.0
    mip_gap: float = 1e-4
    allowed_modes: tuple[TransportMode, ...] = (
        TransportMode.ROAD,
        TransportMode.SEA,
        TransportMode.AIR,
    )
    nearest_origins: int | None = None
    """Keep only the k nearest capable origins per delivery point and product (None: all)."""
    pinned_facilities: tuple[str, ...] = ()
    """Facilities the buyer asks for: each makes a part or assembles a product in the plan."""
    baselines: bool = True
    threads: int = 1
    due_date_model: Literal["auto", "time_indexed", "big_m"] = "auto"
    """How due dates of assembled products enter the model (ADR 0012): "time_indexed" (one
    ready-day binary per assembly site and arrival day, lateness priced per unit), "big_m" (the
    earlier formulation: a binary per inbound leg and big-M lateness rows, kept for comparison),
    "auto": time-indexed whenever a delivery point has a due date."""


@dataclass(frozen=True)
class LaneTable:
    """Explicit delivery lanes (facility -> delivery point), replacing the transport model.

    Indices refer to ``PlanningProblem.facilities`` and ``PlanningProblem.delivery_points``.
    Costs, days and CO2e are per unit of any product; pairs that are absent cannot be used.
    """

    facility_index: NDArray[np.int64]
    delivery_point_index: NDArray[np.int64]
    cost_per_unit: NDArray[np.float64]
    days: NDArray[np.float64]
    co2e_kg_per_unit: NDArray[np.float64]

    def __post_init__(self) -> None:
        for name in (
            "facility_index",
            "delivery_point_index",
            "cost_per_unit",
            "days",
            "co2e_kg_per_unit",
        ):
            value = getattr(self, name)
            array = np.array(value, dtype=np.int64 if name.endswith("index") else np.float64)
            array.setflags(write=False)
            object.__setattr__(self, name, array)


@dataclass(frozen=True)
class PlanningProblem:
    products: tuple[Product, ...]
    parts: tuple[Part, ...]
    facilities: tuple[Facility, ...]
    candidates: tuple[Candidate, ...]
    delivery_points: tuple[DeliveryPoint, ...]
    assembly_candidates: tuple[AssemblyCandidate, ...] = ()
    options: PlanningOptions = field(default_factory=PlanningOptions)
    transport: TransportModel | None = None
    """None (and no lanes): transport is free and instant."""
    lanes: LaneTable | None = None
