"""Labour-driven processes: assembly steps, sewing and welding.

Assembly (and its kinds: final assembly, kitting): 2 min per step + 0.5 min per piece handled
(a part picked, placed and fastened; a fastener counts as a piece). Set-up 0.1 h per job.

Sewing a part: the seam runs along the piece's outline (the section outline when known, else the
bounding box's largest-face perimeter); 300 mm of seam per minute with guiding, + 1 min handling
per piece. Set-up 0.25 h (pattern, threading).

Welding: effective speeds with arc-on time, fit-up and cleaning included (mm of seam per
minute): MIG/MAG and flux-cored 150, MMA 80, TIG 60, gas 50, other welding 100; spot welding
one 3 s spot every 40 mm. A welded part's seam is taken as its bounding box's largest-face
perimeter (a frame welded along its outline); a welding assembly step joins each piece after the
first with an 80 mm seam. + 5 min fit-up per unit. Set-up 0.5 h (jig, machine).
"""

from __future__ import annotations

from fabnet.engine.quoting._tables import fmt_h
from fabnet.engine.quoting.geometry import PartGeometry
from fabnet.engine.quoting.steps import StepFacts
from fabnet.engine.quoting.times import ProcessTime
from fabnet.vocab.processes import get_process_taxonomy

ASSEMBLY_BASE_MIN = 2.0
ASSEMBLY_PER_ITEM_MIN = 0.5
ASSEMBLY_SETUP_H = 0.1

SEWING_MM_PER_MIN = 300.0
SEWING_HANDLING_MIN = 1.0
SEWING_SETUP_H = 0.25

WELDING_MM_PER_MIN: dict[str, float] = {
    "mig-mag-welding": 150.0,
    "flux-cored-arc-welding": 150.0,
    "mma-welding": 80.0,
    "tig-welding": 60.0,
    "gas-welding": 50.0,
    "welding": 100.0,
}
SPOT_PITCH_MM = 40.0
SPOT_S = 3.0
WELD_JOINT_MM = 80.0
WELD_FITUP_MIN = 5.0
WELDING_SETUP_H = 0.5


def assembly_estimate(process: str, step: StepFacts) -> ProcessTime:
    """Assembly time per unit: a base per step + a time per piece handled."""
    minutes = ASSEMBLY_BASE_MIN + ASSEMBLY_PER_ITEM_MIN * step.items
    return ProcessTime(
        process=process,
        hours_per_unit=minutes / 60.0,
        setup_hours=ASSEMBLY_SETUP_H,
        material_g=0.0,
        method="assembly/per-piece/v1",
        detail=(
            f"{ASSEMBLY_BASE_MIN:g} min + {step.items} pieces ({step.lines} BOM lines) x "
            f"{ASSEMBLY_PER_ITEM_MIN:g} min = {minutes:.1f} min"
        ),
    )


def sewing_estimate(process: str, geometry: PartGeometry, material: str | None) -> ProcessTime:
    """Sewing time from the seam length along the piece's outline."""
    if geometry.outline_mm:
        seam, how = geometry.outline_mm, "section outline"
    else:
        seam, how = geometry.footprint_perimeter_mm, "bounding-box perimeter"
    minutes = seam / SEWING_MM_PER_MIN + SEWING_HANDLING_MIN
    return ProcessTime(
        process=process,
        hours_per_unit=minutes / 60.0,
        setup_hours=SEWING_SETUP_H,
        material_g=None,
        method="sewing/seam-length/v1",
        detail=(
            f"{seam:.0f} mm seam ({how}) at {SEWING_MM_PER_MIN:.0f} mm/min + "
            f"{SEWING_HANDLING_MIN:g} min handling = {minutes:.1f} min; fabric not weighed"
        ),
    )


def _seam_minutes(process: str, seam_mm: float) -> tuple[float, str]:
    taxonomy = get_process_taxonomy()
    lineage = (process, *taxonomy.ancestors(process)) if process in taxonomy else (process,)
    if "spot-welding" in lineage:
        spots = max(1, round(seam_mm / SPOT_PITCH_MM))
        return spots * SPOT_S / 60.0, f"{spots} spots x {SPOT_S:g} s"
    for name in lineage:
        speed = WELDING_MM_PER_MIN.get(name)
        if speed is not None:
            return seam_mm / speed, f"{seam_mm:.0f} mm at {speed:g} mm/min ({name})"
    speed = WELDING_MM_PER_MIN["welding"]
    return seam_mm / speed, f"{seam_mm:.0f} mm at {speed:g} mm/min"


def _welding(process: str, seam_mm: float, how: str) -> ProcessTime:
    weld_min, text = _seam_minutes(process, seam_mm)
    minutes = weld_min + WELD_FITUP_MIN
    return ProcessTime(
        process=process,
        hours_per_unit=minutes / 60.0,
        setup_hours=WELDING_SETUP_H,
        material_g=None,
        method="welding/seam-length/v1",
        detail=f"seam {how}: {text} + {WELD_FITUP_MIN:g} min fit-up = {fmt_h(minutes / 60)}",
    )


def welding_part_estimate(
    process: str, geometry: PartGeometry, material: str | None
) -> ProcessTime:
    """Welding a fabricated part along its outline."""
    return _welding(process, geometry.footprint_perimeter_mm, "= bounding-box perimeter")


def welding_step_estimate(process: str, step: StepFacts) -> ProcessTime | None:
    """Welding the pieces of an assembly step together; None with fewer than 2 pieces."""
    joints = step.items - 1
    if joints < 1:
        return None
    return _welding(process, joints * WELD_JOINT_MM, f"{joints} joints x {WELD_JOINT_MM:g} mm")
