"""What a match returns: per part, ranked candidates and near-misses; the uncovered parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fabnet.engine.matching.criteria import CriterionResult


def _km(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


@dataclass(frozen=True)
class Candidate:
    """A facility that meets every criterion for a part, with its score and reasons."""

    facility_id: str
    facility_name: str
    score: float
    score_components: dict[str, float]
    distance_km: float | None
    unit_cost: float | None
    currency: str
    units_per_week: float | None
    equipment_id: str | None
    data_provenance: str
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "facility_id": self.facility_id,
            "facility_name": self.facility_name,
            "score": self.score,
            "distance_km": _km(self.distance_km),
            "reasons": list(self.reasons),
            "score_components": dict(self.score_components),
            "unit_cost": "unknown" if self.unit_cost is None else round(self.unit_cost, 4),
            "currency": self.currency,
            "units_per_week": "unknown" if self.units_per_week is None else self.units_per_week,
            "equipment_id": self.equipment_id,
            "data_provenance": self.data_provenance,
        }


@dataclass(frozen=True)
class NearMiss:
    """A facility that offers the process but fails some other criterion; what it lacks."""

    facility_id: str
    facility_name: str
    distance_km: float | None
    failed: tuple[CriterionResult, ...]

    @property
    def lacks(self) -> str:
        return "; ".join(f"{c.criterion}: {c.detail}" for c in self.failed)

    def to_json(self) -> dict[str, Any]:
        return {
            "facility_id": self.facility_id,
            "facility_name": self.facility_name,
            "distance_km": _km(self.distance_km),
            "lacks": self.lacks,
            "failed": [c.to_json() for c in self.failed],
        }


@dataclass(frozen=True)
class PartMatch:
    part: str
    name: str
    quantity: int
    is_assembly: bool
    candidate_count: int
    candidates: tuple[Candidate, ...]
    near_misses: tuple[NearMiss, ...]
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "part": self.part,
            "name": self.name,
            "quantity": self.quantity,
            "is_assembly": self.is_assembly,
            "candidate_count": self.candidate_count,
            "candidates": [c.to_json() for c in self.candidates],
            "near_misses": [n.to_json() for n in self.near_misses],
        }
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class MatchResult:
    design_id: str
    parts: tuple[PartMatch, ...]

    @property
    def uncovered_parts(self) -> tuple[str, ...]:
        return tuple(p.part for p in self.parts if p.candidate_count == 0)

    def part(self, label: str) -> PartMatch:
        for p in self.parts:
            if p.part == label:
                return p
        raise KeyError(label)

    def to_json(self) -> dict[str, Any]:
        return {
            "design_id": self.design_id,
            "parts": [p.to_json() for p in self.parts],
            "uncovered_parts": list(self.uncovered_parts),
        }


@dataclass(frozen=True)
class DesignCoverage:
    """Reverse match: how much of one design a facility can make, and at what unit cost.

    ``unit_costs``: per makeable part label, the facility's unit cost in ``currency`` (its rate
    card's; None when it has none), None where unknown.
    """

    design_id: str
    design_name: str
    makeable: tuple[str, ...]
    not_makeable: dict[str, tuple[CriterionResult, ...]]
    unit_costs: dict[str, float | None] = field(default_factory=dict)
    currency: str | None = None

    @property
    def whole(self) -> bool:
        return not self.not_makeable

    def to_json(self) -> dict[str, Any]:
        return {
            "design_id": self.design_id,
            "design_name": self.design_name,
            "whole": self.whole,
            "makeable_parts": list(self.makeable),
            "unit_costs": {
                part: "unknown" if cost is None else round(cost, 4)
                for part, cost in self.unit_costs.items()
            },
            "currency": self.currency,
            "missing_parts": [
                {"part": part, "failed": [c.to_json() for c in failed]}
                for part, failed in self.not_makeable.items()
            ],
        }
