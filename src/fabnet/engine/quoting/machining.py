"""CNC milling and turning from removed volume and finished area.

Milling: stock = bounding box + 5 mm on every dimension (sawn stock); removed volume = stock
volume - part volume, roughed at the material's removal rate; every face finished at the
material's finishing rate (a 0.5 mm step-over at a typical feed); plus 3 min of re-fixturing for
each of 2 orientations. Roughing rates (cm³/min) for a small VMC or a rigid hobby mill:
aluminium 10, steel 4, stainless steel 2.5, titanium 1.5, cast iron 5, copper alloys 8,
magnesium 15, plastics and wood 20, composites 5.

Turning: only for parts whose two cross dimensions differ by at most 25 % (round about the
longest-differing axis); stock = a bar of the larger cross dimension + 3 mm, length + 5 mm;
roughing rates are 2.5 x the milling ones (continuous cut), finishing 2 x; 2 min handling.

Set-up per job: 1.5 h milling (CAM, fixtures, tool setting), 1 h turning. Material: the stock's
mass (what is bought). Without a material the rates of aluminium are used and said so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from fabnet.engine.quoting._tables import by_material, fmt_h, grams
from fabnet.engine.quoting.geometry import PartGeometry
from fabnet.engine.quoting.times import ProcessTime


@dataclass(frozen=True)
class CuttingRate:
    roughing_cm3_per_min: float
    finishing_mm2_per_min: float


MILLING_RATES: dict[str, CuttingRate] = {
    "aluminium": CuttingRate(10.0, 1500.0),
    "steel": CuttingRate(4.0, 600.0),
    "stainless-steel": CuttingRate(2.5, 400.0),
    "tool-steel": CuttingRate(2.5, 400.0),
    "cast-iron": CuttingRate(5.0, 700.0),
    "titanium": CuttingRate(1.5, 300.0),
    "copper": CuttingRate(8.0, 1200.0),
    "brass": CuttingRate(8.0, 1200.0),
    "bronze": CuttingRate(8.0, 1200.0),
    "zinc": CuttingRate(8.0, 1200.0),
    "magnesium": CuttingRate(15.0, 1800.0),
    "thermoplastic": CuttingRate(20.0, 2000.0),
    "thermoset": CuttingRate(10.0, 1500.0),
    "wood": CuttingRate(20.0, 2000.0),
    "composite": CuttingRate(5.0, 800.0),
}
"""Milling rates by material (nearest ancestor wins)."""

DEFAULT_MATERIAL = "aluminium"
MILLING_STOCK_MARGIN_MM = 5.0
MILLING_ORIENTATIONS = 2
REFIXTURE_MIN = 3.0
MILLING_SETUP_H = 1.5

TURNING_ROUGHING_FACTOR = 2.5
TURNING_FINISHING_FACTOR = 2.0
TURNING_MAX_CROSS_RATIO = 1.25
TURNING_HANDLING_MIN = 2.0
TURNING_SETUP_H = 1.0


def _rate(material: str | None) -> tuple[CuttingRate, str]:
    rate, matched = by_material(MILLING_RATES, material)
    if rate is None or matched is None:
        return MILLING_RATES[DEFAULT_MATERIAL], f"{DEFAULT_MATERIAL} rates assumed"
    return rate, matched


def cnc_milling_estimate(process: str, geometry: PartGeometry, material: str | None) -> ProcessTime:
    """Milling time: roughing the removed volume + finishing the area + re-fixturing."""
    rate, matched = _rate(material)
    a, b, c = (d + MILLING_STOCK_MARGIN_MM for d in geometry.bbox.sorted())
    stock = a * b * c
    removed = max(stock - geometry.volume_mm3, 0.0)
    rough_min = removed / 1000.0 / rate.roughing_cm3_per_min
    finish_min = geometry.area_mm2 / rate.finishing_mm2_per_min
    handling_min = MILLING_ORIENTATIONS * REFIXTURE_MIN
    hours = (rough_min + finish_min + handling_min) / 60.0
    return ProcessTime(
        process=process,
        hours_per_unit=hours,
        setup_hours=MILLING_SETUP_H,
        material_g=grams(stock, material),
        method="cnc-milling/removal-rate/v1",
        detail=(
            f"{removed / 1000:.0f} cm³ removed from a {a:.0f}x{b:.0f}x{c:.0f} mm block at "
            f"{rate.roughing_cm3_per_min:g} cm³/min ({matched}) = {rough_min:.1f} min, "
            f"{geometry.area_mm2 / 100:.0f} cm² finished = {finish_min:.1f} min, "
            f"{handling_min:.0f} min fixturing; total {fmt_h(hours)}"
        ),
    )


def cnc_turning_estimate(
    process: str, geometry: PartGeometry, material: str | None
) -> ProcessTime | None:
    """Turning time for a round part; None when no axis has a near-round cross-section."""
    dims = (geometry.bbox.x_mm, geometry.bbox.y_mm, geometry.bbox.z_mm)
    best: tuple[float, float, float] | None = None  # (ratio, diameter, length)
    for axis in range(3):
        cross = [dims[i] for i in range(3) if i != axis]
        ratio = max(cross) / min(cross)
        if best is None or ratio < best[0]:
            best = (ratio, max(cross), dims[axis])
    assert best is not None
    ratio, diameter, length = best
    if ratio > TURNING_MAX_CROSS_RATIO:
        return None
    rate, matched = _rate(material)
    bar_d, bar_l = diameter + 3.0, length + 5.0
    stock = math.pi / 4.0 * bar_d**2 * bar_l
    removed = max(stock - geometry.volume_mm3, 0.0)
    rough_min = removed / 1000.0 / (rate.roughing_cm3_per_min * TURNING_ROUGHING_FACTOR)
    finish_min = geometry.area_mm2 / (rate.finishing_mm2_per_min * TURNING_FINISHING_FACTOR)
    hours = (rough_min + finish_min + TURNING_HANDLING_MIN) / 60.0
    return ProcessTime(
        process=process,
        hours_per_unit=hours,
        setup_hours=TURNING_SETUP_H,
        material_g=grams(stock, material),
        method="cnc-turning/removal-rate/v1",
        detail=(
            f"bar Ø{bar_d:.0f} x {bar_l:.0f} mm, {removed / 1000:.0f} cm³ removed ({matched}) = "
            f"{rough_min:.1f} min, finishing {finish_min:.1f} min; total {fmt_h(hours)}"
        ),
    )
