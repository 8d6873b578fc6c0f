"""Which estimator serves which process, and the two entry points.

A process id is served by its own estimator or by its nearest ancestor's in the process taxonomy
(``tig-welding`` by ``welding``, ``precision-milling`` by ``cnc-milling``, ``final-assembly``
by ``assembly``). A process with neither (``waterjet-cutting``, ``casting``, ...) has no
estimate: the functions return None rather than a made-up time.

A generic process a part allows (``additive-manufacturing``, ``machining``, ``cutting``) is
expanded by :func:`estimable_processes` into the specific processes below it that have an
estimator (``additive-manufacturing`` -> ``fdm``, ``sla``, ``sls``, ``mjf``): a facility's rate
is always for a specific process, and the time differs by process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

from fabnet.engine.quoting.additive import (
    fdm_volume_estimate,
    mjf_estimate,
    sla_estimate,
    sls_estimate,
)
from fabnet.engine.quoting.cutting import laser_cutting_estimate, vinyl_cutting_estimate
from fabnet.engine.quoting.electronics import pcb_assembly_estimate, pcb_fabrication_estimate
from fabnet.engine.quoting.geometry import PartGeometry
from fabnet.engine.quoting.labour import (
    assembly_estimate,
    sewing_estimate,
    welding_part_estimate,
    welding_step_estimate,
)
from fabnet.engine.quoting.machining import cnc_milling_estimate, cnc_turning_estimate
from fabnet.engine.quoting.moulding import injection_moulding_estimate
from fabnet.engine.quoting.steps import StepFacts
from fabnet.engine.quoting.times import ProcessTime
from fabnet.vocab.processes import get_process_taxonomy

PartEstimator = Callable[[str, PartGeometry, str | None], ProcessTime | None]
StepEstimator = Callable[[str, StepFacts], ProcessTime | None]

PART_ESTIMATORS: dict[str, PartEstimator] = {
    "fdm": fdm_volume_estimate,
    "sla": sla_estimate,
    "sls": sls_estimate,
    "mjf": mjf_estimate,
    "laser-cutting": laser_cutting_estimate,
    "vinyl-cutting": vinyl_cutting_estimate,
    "cnc-milling": cnc_milling_estimate,
    "cnc-turning": cnc_turning_estimate,
    "injection-moulding": injection_moulding_estimate,
    "pcb-fabrication": pcb_fabrication_estimate,
    "sewing": sewing_estimate,
    "welding": welding_part_estimate,
}
"""Estimators of making one part, by process id."""

STEP_ESTIMATORS: dict[str, StepEstimator] = {
    "assembly": assembly_estimate,
    "pcb-assembly": partial(pcb_assembly_estimate, through_hole=False),
    "through-hole-assembly": partial(pcb_assembly_estimate, through_hole=True),
    "welding": welding_step_estimate,
}
"""Estimators of one assembly step, by process id."""


def _served_by(process: str, table: Mapping[str, object]) -> str | None:
    if process in table:
        return process
    taxonomy = get_process_taxonomy()
    if process not in taxonomy:
        return None
    for ancestor in taxonomy.ancestors(process):
        if ancestor in table:
            return ancestor
    return None


def estimate_part_time(
    process: str, geometry: PartGeometry, material: str | None
) -> ProcessTime | None:
    """Time to make one part of ``geometry`` in ``material`` by ``process``; None if unknown.

    For FDM this is the volume estimate; the slicer's result (``fabnet.quoting_tools.slicer``)
    is better and the quoting service prefers it.
    """
    key = _served_by(process, PART_ESTIMATORS)
    if key is None:
        return None
    return PART_ESTIMATORS[key](process, geometry, material)


def estimate_step_time(process: str, step: StepFacts) -> ProcessTime | None:
    """Time of one assembly step per unit made; None when the process has no estimator."""
    key = _served_by(process, STEP_ESTIMATORS)
    if key is None:
        return None
    return STEP_ESTIMATORS[key](process, step)


def estimable_processes(process: str, *, step: bool = False) -> tuple[str, ...]:
    """The processes to estimate for a part (or step) that allows ``process``.

    ``process`` itself when an estimator serves it, followed by the more specific processes
    below it that have an estimator of their own (``pcb-assembly`` -> ``pcb-assembly``,
    ``through-hole-assembly``; ``additive-manufacturing`` -> ``fdm``, ``sla``, ``sls``,
    ``mjf``), in taxonomy order; nothing when no estimator serves it or anything below it.
    """
    table: Mapping[str, object] = STEP_ESTIMATORS if step else PART_ESTIMATORS
    own = (process,) if _served_by(process, table) is not None else ()
    taxonomy = get_process_taxonomy()
    if process not in taxonomy:
        return own
    below = taxonomy.descendants(process) - {process}
    return own + tuple(p for p in taxonomy.ids() if p in below and p in table)


def time_for_process(times: Mapping[str, ProcessTime], process: str) -> ProcessTime | None:
    """The time in ``times`` (by process id) that applies to a facility's ``process``.

    The same process, else its nearest ancestor's (a ``tig-welding`` rate uses a ``welding``
    time).
    """
    if process in times:
        return times[process]
    taxonomy = get_process_taxonomy()
    if process not in taxonomy:
        return None
    for ancestor in taxonomy.ancestors(process):
        if ancestor in times:
            return times[ancestor]
    return None
