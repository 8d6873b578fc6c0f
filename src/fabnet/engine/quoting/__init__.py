"""Quoting from real geometry: machine time per part and process, and prices from rate cards.

Pure: formulas and dataclasses. Meshes are read and the slicer run by the adapters in
``fabnet.quoting_tools``; the quotes cache and the use cases live in
``fabnet.services.sourcing.quoting``.
"""

from fabnet.engine.quoting.density import DENSITY_G_PER_CM3, density_for, mass_g
from fabnet.engine.quoting.estimate import (
    PART_ESTIMATORS,
    STEP_ESTIMATORS,
    estimable_processes,
    estimate_part_time,
    estimate_step_time,
    time_for_process,
)
from fabnet.engine.quoting.geometry import PartGeometry, geometry_from_dimensions
from fabnet.engine.quoting.pricing import Price, price_process_time
from fabnet.engine.quoting.quote import (
    DesignQuote,
    QuoteLine,
    assembly_quantities,
    build_design_quote,
)
from fabnet.engine.quoting.steps import StepFacts
from fabnet.engine.quoting.times import ProcessTime

__all__ = [
    "DENSITY_G_PER_CM3",
    "PART_ESTIMATORS",
    "STEP_ESTIMATORS",
    "DesignQuote",
    "PartGeometry",
    "Price",
    "ProcessTime",
    "QuoteLine",
    "StepFacts",
    "assembly_quantities",
    "build_design_quote",
    "density_for",
    "estimable_processes",
    "estimate_part_time",
    "estimate_step_time",
    "geometry_from_dimensions",
    "mass_g",
    "price_process_time",
    "time_for_process",
]
