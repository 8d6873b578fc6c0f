"""Printed circuit boards: fabrication per board area (panelised), assembly per placement.

PCB fabrication (a small board house, 2 layers): boards are panelised on a 300 x 400 mm working
panel with 5 mm between boards; a panel takes 6 h of process time (drilling, plating, imaging,
etching, solder mask, silkscreen, routing) and each board its area's share of it. Set-up: 1 h
(CAM, phototools, drill programme). Material = board mass x 1.25 (panel frame and spacing).

PCB assembly: 6 s per placement (desktop pick-and-place with feeder changes) + 3 min per board
(paste, reflow, inspection); through-hole: 20 s per component + 3 min per board. The design's
BOM does not count components: each BOM line of the step that is not a board is taken as a kit
of 25 components (:data:`DEFAULT_COMPONENTS_PER_LINE`) times its quantity, and said so.
Set-up: 1 h (stencil, feeders, programme).
"""

from __future__ import annotations

from fabnet.engine.quoting._tables import fmt_h, grams
from fabnet.engine.quoting.geometry import PartGeometry
from fabnet.engine.quoting.steps import StepFacts
from fabnet.engine.quoting.times import ProcessTime

PANEL_MM = (300.0, 400.0)
BOARD_SPACING_MM = 5.0
PANEL_HOURS = 6.0
PCB_SETUP_H = 1.0
PANEL_WASTE_FACTOR = 1.25

DEFAULT_COMPONENTS_PER_LINE = 25
SMT_PLACEMENT_S = 6.0
THT_COMPONENT_S = 20.0
BOARD_OVERHEAD_MIN = 3.0
ASSEMBLY_SETUP_H = 1.0


def pcb_fabrication_estimate(
    process: str, geometry: PartGeometry, material: str | None
) -> ProcessTime:
    """The board's share of a panel's process time."""
    _, b, c = geometry.bbox.sorted()
    board = (b + BOARD_SPACING_MM) * (c + BOARD_SPACING_MM)
    panel = PANEL_MM[0] * PANEL_MM[1]
    per_panel = max(1, int(panel // board))
    hours = PANEL_HOURS / per_panel
    return ProcessTime(
        process=process,
        hours_per_unit=hours,
        setup_hours=PCB_SETUP_H,
        material_g=grams(geometry.volume_mm3 * PANEL_WASTE_FACTOR, material or "fr4"),
        method="pcb-fabrication/panel-share/v1",
        detail=(
            f"{b:.0f}x{c:.0f} mm board, {per_panel} per {PANEL_MM[0]:.0f}x{PANEL_MM[1]:.0f} mm "
            f"panel of {PANEL_HOURS:.0f} h = {fmt_h(hours)} (2 layers assumed)"
        ),
    )


def pcb_assembly_estimate(process: str, step: StepFacts, *, through_hole: bool) -> ProcessTime:
    """Placement time for one board from the step's component count."""
    if step.components is not None:
        components, how = step.components, "counted"
    else:
        components = DEFAULT_COMPONENTS_PER_LINE * step.component_items
        how = (
            f"{step.component_items} component line(s) x {DEFAULT_COMPONENTS_PER_LINE} "
            "(components not counted in the BOM)"
        )
    per_component = THT_COMPONENT_S if through_hole else SMT_PLACEMENT_S
    boards = max(step.boards, 1)
    seconds = components * per_component + boards * BOARD_OVERHEAD_MIN * 60
    hours = seconds / 3600.0
    kind = "through-hole" if through_hole else "SMT"
    return ProcessTime(
        process=process,
        hours_per_unit=hours,
        setup_hours=ASSEMBLY_SETUP_H,
        material_g=0.0,
        method=f"pcb-assembly/{'tht' if through_hole else 'smt'}-per-component/v1",
        detail=(
            f"{components} {kind} components ({how}) x {per_component:.0f} s + {boards} board(s) "
            f"x {BOARD_OVERHEAD_MIN:.0f} min = {fmt_h(hours)}"
        ),
    )
