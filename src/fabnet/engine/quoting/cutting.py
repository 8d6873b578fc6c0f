"""Sheet cutting: laser and vinyl (knife) cutting from the part's outline.

Cut length: the outline of a section across the part's thinnest axis (outer edge + holes) when
the geometry has it, else the bounding box's largest-face perimeter x 1.3 (interior features).
Thickness: the smallest bounding-box dimension.

Laser: speed at thickness t = reference speed at 3 mm x 3 / t, capped by the machine's top
cutting speed; typical values for a 60-100 W CO2 laser (plastics, wood, paper, leather,
textiles: 12 mm/s at 3 mm, cap 50 mm/s) and a 1-2 kW fibre laser (metals: 60 mm/s at 3 mm, cap
150 mm/s). Beyond the table's thickness limit, or for a material the table does not list
(FR4 and other glass- or carbon-fibre composites give toxic fumes), there is no estimate.
time = cut length / speed x 1.2 (travel) + pierces x (0.5 s CO2, 1 s fibre) + 0.5 min handling.
material = bounding-box footprint x thickness x density x 1.15 (spacing and skeleton of the sheet).

Vinyl: sheets up to 1 mm; a knife at 100 mm/s; weeding 0.5 min per 100 cm² of footprint;
0.5 min handling per unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from fabnet.engine.quoting._tables import by_material, fmt_h, grams
from fabnet.engine.quoting.geometry import PartGeometry
from fabnet.engine.quoting.times import ProcessTime

OUTLINE_FACTOR = 1.3
DEFAULT_CONTOURS = 2
TRAVEL_FACTOR = 1.2
HANDLING_MIN = 0.5
SHEET_FACTOR = 1.15
CUTTING_SETUP_H = 0.15


@dataclass(frozen=True)
class LaserRate:
    source: str  # "CO2" or "fibre"
    mm_per_s_at_3mm: float
    max_mm_per_s: float
    max_thickness_mm: float
    pierce_s: float


_CO2_PLASTIC = LaserRate("CO2", 12.0, 50.0, 15.0, 0.5)
_CO2_WOOD = LaserRate("CO2", 12.0, 50.0, 18.0, 0.5)
_CO2_THIN = LaserRate("CO2", 25.0, 50.0, 6.0, 0.3)
_FIBRE = LaserRate("fibre", 60.0, 150.0, 12.0, 1.0)

LASER_RATES: dict[str, LaserRate] = {
    "thermoplastic": _CO2_PLASTIC,
    "pvc": LaserRate("CO2", 0.0, 0.0, 0.0, 0.0),  # chlorine fumes: never laser-cut
    "wood": _CO2_WOOD,
    "paper": _CO2_THIN,
    "cardboard": _CO2_THIN,
    "leather": _CO2_THIN,
    "textile": _CO2_THIN,
    "cork": _CO2_THIN,
    "foam": _CO2_THIN,
    "metal": _FIBRE,
}
"""Laser cutting rates by material (nearest ancestor wins); a zero speed means never."""

VINYL_MAX_THICKNESS_MM = 1.0
VINYL_MM_PER_S = 100.0
VINYL_WEEDING_MIN_PER_100CM2 = 0.5


def _cut_path(geometry: PartGeometry) -> tuple[float, int, str]:
    if geometry.outline_mm is not None and geometry.outline_mm > 0:
        contours = geometry.outline_contours or 1
        return geometry.outline_mm, contours, "section outline"
    length = geometry.footprint_perimeter_mm * OUTLINE_FACTOR
    return length, DEFAULT_CONTOURS, f"bounding-box perimeter x {OUTLINE_FACTOR}"


def _sheet_grams(geometry: PartGeometry, material: str | None) -> float | None:
    return grams(geometry.footprint_mm2 * geometry.thickness_mm * SHEET_FACTOR, material)


def laser_cutting_estimate(
    process: str, geometry: PartGeometry, material: str | None
) -> ProcessTime | None:
    """Laser time from cut length, thickness and material; None when it cannot be cut."""
    rate, matched = by_material(LASER_RATES, material)
    if rate is None or rate.mm_per_s_at_3mm <= 0:
        return None
    thickness = geometry.thickness_mm
    if thickness > rate.max_thickness_mm:
        return None
    speed = min(rate.max_mm_per_s, rate.mm_per_s_at_3mm * 3.0 / thickness)
    length, contours, how = _cut_path(geometry)
    seconds = length / speed * TRAVEL_FACTOR + contours * rate.pierce_s + HANDLING_MIN * 60
    hours = seconds / 3600.0
    return ProcessTime(
        process=process,
        hours_per_unit=hours,
        setup_hours=CUTTING_SETUP_H,
        material_g=_sheet_grams(geometry, material),
        method="laser-cutting/cut-length/v1",
        detail=(
            f"{length:.0f} mm cut ({how}), {contours} pierces, {thickness:g} mm "
            f"{matched} at {speed:.0f} mm/s ({rate.source}) = {fmt_h(hours)}"
        ),
    )


def vinyl_cutting_estimate(
    process: str, geometry: PartGeometry, material: str | None
) -> ProcessTime | None:
    """Knife-cut time for a thin sheet part; None above 1 mm."""
    thickness = geometry.thickness_mm
    if thickness > VINYL_MAX_THICKNESS_MM:
        return None
    length, contours, how = _cut_path(geometry)
    weeding_min = geometry.footprint_mm2 / 10_000.0 * VINYL_WEEDING_MIN_PER_100CM2
    seconds = length / VINYL_MM_PER_S * TRAVEL_FACTOR + (weeding_min + HANDLING_MIN) * 60
    hours = seconds / 3600.0
    return ProcessTime(
        process=process,
        hours_per_unit=hours,
        setup_hours=CUTTING_SETUP_H,
        material_g=_sheet_grams(geometry, material),
        method="vinyl-cutting/cut-length/v1",
        detail=(
            f"{length:.0f} mm cut ({how}), {contours} contours at {VINYL_MM_PER_S:.0f} mm/s "
            f"+ {weeding_min:.1f} min weeding = {fmt_h(hours)}"
        ),
    )
