"""The result of every estimate: machine (and labour) time per unit of one process."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProcessTime:
    """Time and material for making one unit of an item (part or assembly step) by one process.

    - ``hours_per_unit``: machine or labour hours per unit in a typical small batch (for
      batch processes such as SLS, the unit's share of a build).
    - ``setup_hours``: per job (file preparation, fixturing, machine set-up). A facility's
      declared ``setup_cost`` replaces it when pricing (:mod:`fabnet.engine.quoting.pricing`).
    - ``tooling_hours``: one-off tooling per job that no declared setup cost covers: an
      injection mould's making. Priced at the facility's hourly rate.
    - ``material_g``: material consumed per unit (part mass, plus the sheet or sprue it uses).
    - ``method``: how the estimate was made, e.g. ``"prusaslicer-2.5/default-0.2mm/petg"`` or
      ``"cnc-milling/removal-rate/v1"``; ``detail``: the figures and assumptions, in words.
    """

    process: str
    hours_per_unit: float
    setup_hours: float
    material_g: float | None
    method: str
    detail: str
    tooling_hours: float = 0.0

    def to_json(self) -> dict[str, object]:
        return {
            "process": self.process,
            "hours_per_unit": self.hours_per_unit,
            "setup_hours": self.setup_hours,
            "tooling_hours": self.tooling_hours,
            "material_g": self.material_g,
            "method": self.method,
            "detail": self.detail,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ProcessTime:
        material = data.get("material_g")
        return cls(
            process=str(data["process"]),
            hours_per_unit=float(data["hours_per_unit"]),  # type: ignore[arg-type]
            setup_hours=float(data["setup_hours"]),  # type: ignore[arg-type]
            material_g=None if material is None else float(material),  # type: ignore[arg-type]
            method=str(data["method"]),
            detail=str(data["detail"]),
            tooling_hours=float(data.get("tooling_hours", 0.0)),  # type: ignore[arg-type]
        )
