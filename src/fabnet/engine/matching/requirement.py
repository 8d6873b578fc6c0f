"""What one part (or the final assembly step) needs from a facility, taken from a design."""

from __future__ import annotations

from dataclasses import dataclass

from fabnet.domain.common import Dimensions
from fabnet.domain.design import Design


@dataclass(frozen=True)
class PartRequirement:
    """One line of a match: a manufactured part, or the design's final assembly step.

    ``label`` is what the output calls it: the part id, or the assembly's process id for the
    final assembly step. ``quantity`` is parts per product times the requested quantity.
    """

    label: str
    part_id: str
    name: str
    processes: tuple[str, ...]
    materials: tuple[str, ...]
    dimensions: Dimensions | None
    tolerance_class: str | None
    mass_g: float | None
    quantity: int
    is_assembly: bool = False


def requirements_for(design: Design, quantity: int) -> list[PartRequirement]:
    """The requirements of every manufactured part, then the final assembly step if any.

    Purchased parts are bought in, not made, and are left out.
    """
    per_product = design.part_quantities()
    result: list[PartRequirement] = []
    for part in design.parts:
        if part.purchased:
            continue
        result.append(
            PartRequirement(
                label=part.id,
                part_id=part.id,
                name=part.name,
                processes=part.processes,
                materials=part.materials,
                dimensions=part.outer_dimensions,
                tolerance_class=part.tolerance_class,
                mass_g=part.mass_g,
                quantity=per_product.get(part.id, 1) * quantity,
            )
        )
    if design.root_assembly_id is not None:
        root = design.assembly(design.root_assembly_id)
        taken = {r.label for r in result}
        label = root.process if root.process not in taken else f"{root.process}:{root.id}"
        result.append(
            PartRequirement(
                label=label,
                part_id=root.id,
                name=root.name,
                processes=(root.process,),
                materials=(),
                dimensions=None,
                tolerance_class=None,
                mass_g=None,
                quantity=quantity,
                is_assembly=True,
            )
        )
    return result


def find_requirement(design: Design, part_ref: str, quantity: int) -> PartRequirement | None:
    """The requirement named ``part_ref``: a part id, the assembly's label, or its id."""
    for req in requirements_for(design, quantity):
        if part_ref in (req.label, req.part_id):
            return req
    return None
