"""Network planning: a MILP on HiGHS choosing facilities, quantities, flows and transport modes.

Public API::

    from fabnet.engine.planning import PlanningProblem, solve, plan_to_geojson
    result = solve(problem)   # -> PlanResult (frozen); result.raise_if_infeasible()
"""

from .checks import check_consistency
from .geojson import plan_to_geojson
from .problem import (
    AssemblyCandidate,
    Candidate,
    DeliveryPoint,
    Facility,
    LaneTable,
    LocalShare,
    Part,
    PlanningOptions,
    PlanningProblem,
    Product,
)
from .result import (
    AssemblyLine,
    Baseline,
    CostBreakdown,
    Evaluation,
    Flow,
    PlanResult,
    ProductionLine,
    Savings,
    Shortfall,
)
from .solve import solve

__all__ = [
    "AssemblyCandidate",
    "AssemblyLine",
    "Baseline",
    "Candidate",
    "CostBreakdown",
    "DeliveryPoint",
    "Evaluation",
    "Facility",
    "Flow",
    "LaneTable",
    "LocalShare",
    "Part",
    "PlanResult",
    "PlanningOptions",
    "PlanningProblem",
    "Product",
    "ProductionLine",
    "Savings",
    "Shortfall",
    "check_consistency",
    "plan_to_geojson",
    "solve",
]
