"""Additive manufacturing estimates from volume, area and build height.

FDM (used only when no slicer result exists; the slicer is the reference):
    printed volume = shell + infill x (volume - shell), shell = area x 0.85 mm
    (2 perimeters of 0.45 mm, 4 top/bottom layers of 0.2 mm), infill 20 %;
    hours = printed volume / 12 cm³/h (typical average deposition of a 0.4 mm nozzle at 0.2 mm
    layers, travel included) + layers x 2 s (layer change); material = printed volume x density.

SLA (vat photopolymerisation, Form-3 class: 145 x 145 mm platform, 0.1 mm layers):
    build time = layers x 8 s (peel and recoat, shared by every part on the platform)
    + 2 min per cm³ (exposure); parts per build = half the platform area / footprint;
    material = volume x density x 1.10 (supports). Set-up: 0.5 h per job (wash and cure).

SLS and MJF (powder bed): a build takes the chamber height / vertical build rate; a unit takes
its bounding box's share of the chamber at a typical packing of 25 % of the chamber volume by
bounding boxes. SLS: 200 x 250 x 330 mm chamber (Formiga P110 class), 20 mm/h; MJF: 380 x 284 x
380 mm (HP 5200 class), 27 mm/h. Material = part mass x 1.3 (SLS) or x 1.2 (MJF): the powder
refresh a build consumes beyond the parts. Set-up: 1 h per job (build preparation, unpacking,
bead blasting).
"""

from __future__ import annotations

from fabnet.engine.quoting._tables import fmt_h, grams
from fabnet.engine.quoting.geometry import PartGeometry
from fabnet.engine.quoting.times import ProcessTime

FDM_DEPOSITION_MM3_PER_H = 12_000.0
FDM_SHELL_MM = 0.85
FDM_INFILL = 0.20
FDM_LAYER_MM = 0.2
FDM_LAYER_CHANGE_S = 2.0
FDM_SETUP_H = 0.25

SLA_PLATFORM_MM = (145.0, 145.0)
SLA_LAYER_MM = 0.1
SLA_LAYER_S = 8.0
SLA_EXPOSURE_S_PER_CM3 = 120.0
SLA_SUPPORT_FACTOR = 1.10
SLA_SETUP_H = 0.5

POWDER_PACKING = 0.25
POWDER_SETUP_H = 1.0


def _basis(geometry: PartGeometry) -> str:
    return "" if geometry.basis == "mesh" else " (from outer dimensions and mass)"


def fdm_volume_estimate(process: str, geometry: PartGeometry, material: str | None) -> ProcessTime:
    """FDM time from volume and area (the fallback when the part has no slicer result)."""
    shell = min(geometry.volume_mm3, geometry.area_mm2 * FDM_SHELL_MM)
    printed = shell + FDM_INFILL * (geometry.volume_mm3 - shell)
    layers = geometry.bbox.z_mm / FDM_LAYER_MM
    hours = printed / FDM_DEPOSITION_MM3_PER_H + layers * FDM_LAYER_CHANGE_S / 3600.0
    return ProcessTime(
        process=process,
        hours_per_unit=hours,
        setup_hours=FDM_SETUP_H,
        material_g=grams(printed, material),
        method="fdm/volume-estimate/v1",
        detail=(
            f"{printed / 1000:.1f} cm³ deposited (shell {FDM_SHELL_MM} mm, "
            f"{FDM_INFILL:.0%} infill) at {FDM_DEPOSITION_MM3_PER_H / 1000:.0f} cm³/h + "
            f"{layers:.0f} layers x "
            f"{FDM_LAYER_CHANGE_S:.0f} s = {fmt_h(hours)}{_basis(geometry)}"
        ),
    )


def sla_estimate(process: str, geometry: PartGeometry, material: str | None) -> ProcessTime:
    """SLA time: height-driven layer time shared on the platform + exposure by volume."""
    platform = SLA_PLATFORM_MM[0] * SLA_PLATFORM_MM[1]
    per_build = max(1, int(0.5 * platform // geometry.footprint_mm2))
    layers = (geometry.height_mm + 5.0) / SLA_LAYER_MM  # 5 mm of supports under the part
    layer_hours = layers * SLA_LAYER_S / 3600.0
    exposure_hours = geometry.volume_mm3 / 1000.0 * SLA_EXPOSURE_S_PER_CM3 / 3600.0
    hours = layer_hours / per_build + exposure_hours
    mass = grams(geometry.volume_mm3 * SLA_SUPPORT_FACTOR, material or "resin")
    return ProcessTime(
        process=process,
        hours_per_unit=hours,
        setup_hours=SLA_SETUP_H,
        material_g=mass,
        method="sla/layer-and-volume/v1",
        detail=(
            f"{layers:.0f} layers x {SLA_LAYER_S:.0f} s shared by {per_build} per platform + "
            f"{geometry.volume_mm3 / 1000:.1f} cm³ x {SLA_EXPOSURE_S_PER_CM3 / 60:.0f} min/cm³ "
            f"= {fmt_h(hours)}{_basis(geometry)}"
        ),
    )


def _powder_bed(
    process: str,
    geometry: PartGeometry,
    material: str | None,
    *,
    chamber_mm: tuple[float, float, float],
    mm_per_hour: float,
    refresh: float,
    default_material: str,
    method: str,
) -> ProcessTime:
    cx, cy, cz = chamber_mm
    build_hours = cz / mm_per_hour
    share = min(1.0, geometry.bbox_volume_mm3 / (cx * cy * cz * POWDER_PACKING))
    hours = build_hours * share
    solid = grams(geometry.volume_mm3, material or default_material)
    return ProcessTime(
        process=process,
        hours_per_unit=hours,
        setup_hours=POWDER_SETUP_H,
        material_g=None if solid is None else solid * refresh,
        method=method,
        detail=(
            f"a {cx:.0f}x{cy:.0f}x{cz:.0f} mm build takes {build_hours:.1f} h at "
            f"{mm_per_hour:.0f} mm/h; this part's bounding box is {share:.2%} of it at "
            f"{POWDER_PACKING:.0%} packing = {fmt_h(hours)}; material x{refresh} for powder "
            f"refresh{_basis(geometry)}"
        ),
    )


def sls_estimate(process: str, geometry: PartGeometry, material: str | None) -> ProcessTime:
    """SLS: the unit's share of a Formiga-class build."""
    return _powder_bed(
        process,
        geometry,
        material,
        chamber_mm=(200.0, 250.0, 330.0),
        mm_per_hour=20.0,
        refresh=1.3,
        default_material="pa12",
        method="sls/build-share/v1",
    )


def mjf_estimate(process: str, geometry: PartGeometry, material: str | None) -> ProcessTime:
    """MJF: the unit's share of an HP 5200-class build."""
    return _powder_bed(
        process,
        geometry,
        material,
        chamber_mm=(380.0, 284.0, 380.0),
        mm_per_hour=27.0,
        refresh=1.2,
        default_material="pa12",
        method="mjf/build-share/v1",
    )
