"""What the estimators know about a part's shape.

A :class:`PartGeometry` comes from a mesh (``fabnet.quoting_tools.geometry`` reads STL/3MF with
trimesh) or, for a part without a file, from its outer dimensions and declared mass
(:func:`geometry_from_dimensions`): then the volume is mass / density and the area is the
bounding box's, an upper bound that the estimators' methods name (``basis="dimensions"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fabnet.domain.common import Dimensions

GeometryBasis = Literal["mesh", "dimensions"]


@dataclass(frozen=True)
class PartGeometry:
    """Volume (mm³), surface area (mm²) and bounding box (mm) of one part.

    ``outline_mm`` is the total length of the contours of a section across the part's thinnest
    axis (outer edge plus holes: what a laser or a knife cuts in a sheet part) and
    ``outline_contours`` how many closed contours it has (pierces); both None when unknown.
    """

    volume_mm3: float
    area_mm2: float
    bbox: Dimensions
    watertight: bool
    basis: GeometryBasis = "mesh"
    outline_mm: float | None = None
    outline_contours: int | None = None

    @property
    def thickness_mm(self) -> float:
        """The smallest bounding-box dimension (a sheet part's thickness)."""
        return self.bbox.sorted()[0]

    @property
    def height_mm(self) -> float:
        """Build height when the part lies flat: its smallest dimension."""
        return self.bbox.sorted()[0]

    @property
    def footprint_mm2(self) -> float:
        """Area of the bounding box's largest face (the part lying flat)."""
        _, b, c = self.bbox.sorted()
        return b * c

    @property
    def bbox_volume_mm3(self) -> float:
        a, b, c = self.bbox.sorted()
        return a * b * c

    @property
    def bbox_area_mm2(self) -> float:
        a, b, c = self.bbox.sorted()
        return 2.0 * (a * b + b * c + a * c)

    @property
    def footprint_perimeter_mm(self) -> float:
        """Perimeter of the bounding box's largest face."""
        _, b, c = self.bbox.sorted()
        return 2.0 * (b + c)

    def to_json(self) -> dict[str, object]:
        return {
            "volume_mm3": self.volume_mm3,
            "area_mm2": self.area_mm2,
            "bbox": [self.bbox.x_mm, self.bbox.y_mm, self.bbox.z_mm],
            "watertight": self.watertight,
            "basis": self.basis,
            "outline_mm": self.outline_mm,
            "outline_contours": self.outline_contours,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> PartGeometry:
        x, y, z = (float(v) for v in data["bbox"])  # type: ignore[attr-defined]
        outline = data.get("outline_mm")
        contours = data.get("outline_contours")
        basis = str(data.get("basis", "mesh"))
        return cls(
            volume_mm3=float(data["volume_mm3"]),  # type: ignore[arg-type]
            area_mm2=float(data["area_mm2"]),  # type: ignore[arg-type]
            bbox=Dimensions(x_mm=x, y_mm=y, z_mm=z),
            watertight=bool(data["watertight"]),
            basis="dimensions" if basis == "dimensions" else "mesh",
            outline_mm=None if outline is None else float(outline),  # type: ignore[arg-type]
            outline_contours=None if contours is None else int(contours),  # type: ignore[call-overload]
        )


def geometry_from_dimensions(
    dimensions: Dimensions, *, mass_g: float | None, density_g_per_cm3: float | None
) -> PartGeometry:
    """A stand-in geometry for a part known only by its outer dimensions (and mass).

    Volume: mass / density when both are known, else the bounding box's volume (a solid block,
    an upper bound). Area: the bounding box's surface. The outline is left unknown.
    """
    a, b, c = dimensions.sorted()
    box_volume = a * b * c
    if mass_g is not None and mass_g > 0 and density_g_per_cm3:
        volume = min(mass_g / density_g_per_cm3 * 1000.0, box_volume)
    else:
        volume = box_volume
    return PartGeometry(
        volume_mm3=volume,
        area_mm2=2.0 * (a * b + b * c + a * c),
        bbox=dimensions,
        watertight=False,
        basis="dimensions",
    )
