"""Network planning: a MILP on HiGHS choosing facilities, quantities, flows and transport modes.

Public API::

    from fabnet.engine.planning import PlanningProblem, solve, plan_to_geojson
    result = solve(problem)   # -> PlanResult (frozen); result.raise_if_infeasible()

``solve`` (and with it HiGHS and scipy.sparse) loads when first asked for, so reading a plan's
result types costs an API process or a command nothing at start-up.
"""

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from .solver import solve
else:

    def __getattr__(name: str) -> Any:
        if name == "solve":
            from .solver import solve  # noqa: PLC0415 (HiGHS loads when a plan is solved)

            globals()["solve"] = solve
            return solve
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

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
