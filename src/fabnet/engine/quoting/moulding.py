"""Injection moulding: cycle time from wall thickness, cavities from part size, the mould as
tooling.

Wall thickness s ≈ 2 x volume / area (exact for a thin plate or shell), clamped to 0.5-6 mm.
Cooling time t_c = k x s² with k = 2 s/mm² (the rule of thumb for common thermoplastics that
follows from t ∝ s² / thermal diffusivity); cycle = 4 s fill/pack + t_c + 5 s open/eject/close.
Cavities: 4 for a footprint up to 25 cm², 2 up to 100 cm², else 1; hours per unit = cycle /
cavities. Tooling (the mould, an aluminium prototype tool): 60 h + 20 h per extra cavity +
0.1 h per cm² of part area, at the moulder's hourly rate, once per job: it belongs in the
setup, never in the unit price. Set-up: 2 h (mount the mould, purge, first article).
Material = volume x density x 1.08 (runner and sprue).
"""

from __future__ import annotations

from fabnet.engine.quoting._tables import fmt_h, grams
from fabnet.engine.quoting.geometry import PartGeometry
from fabnet.engine.quoting.times import ProcessTime

COOLING_K_S_PER_MM2 = 2.0
FILL_PACK_S = 4.0
OPEN_EJECT_S = 5.0
MIN_WALL_MM, MAX_WALL_MM = 0.5, 6.0
MOULD_BASE_H = 60.0
MOULD_PER_EXTRA_CAVITY_H = 20.0
MOULD_PER_CM2_H = 0.1
MOULDING_SETUP_H = 2.0
RUNNER_FACTOR = 1.08


def cavities_for(footprint_mm2: float) -> int:
    """Cavities of a typical small-run mould for a part of this footprint."""
    if footprint_mm2 <= 2_500.0:
        return 4
    if footprint_mm2 <= 10_000.0:
        return 2
    return 1


def injection_moulding_estimate(
    process: str, geometry: PartGeometry, material: str | None
) -> ProcessTime:
    """Cycle time per unit from wall thickness; the mould as tooling hours."""
    wall = min(max(2.0 * geometry.volume_mm3 / geometry.area_mm2, MIN_WALL_MM), MAX_WALL_MM)
    cooling = COOLING_K_S_PER_MM2 * wall**2
    cycle = FILL_PACK_S + cooling + OPEN_EJECT_S
    cavities = cavities_for(geometry.footprint_mm2)
    hours = cycle / cavities / 3600.0
    tooling = (
        MOULD_BASE_H
        + MOULD_PER_EXTRA_CAVITY_H * (cavities - 1)
        + MOULD_PER_CM2_H * geometry.area_mm2 / 100.0
    )
    mass = grams(geometry.volume_mm3 * RUNNER_FACTOR, material)
    return ProcessTime(
        process=process,
        hours_per_unit=hours,
        setup_hours=MOULDING_SETUP_H,
        tooling_hours=tooling,
        material_g=mass,
        method="injection-moulding/cycle-time/v1",
        detail=(
            f"wall ≈ {wall:.1f} mm, cooling {cooling:.0f} s, cycle {cycle:.0f} s, {cavities} "
            f"cavities = {fmt_h(hours)} per unit; mould ≈ {tooling:.0f} h of toolmaking"
        ),
    )
