"""What one part (or the final assembly step) needs from a facility, taken from a design."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from fabnet.domain.common import BoardLimits, Dimensions
from fabnet.domain.design import Design
from fabnet.errors import InputError

QuotedHours = Mapping[str, Mapping[str, float]]
"""Item id (part id or assembly id) -> process id -> machine hours per unit, as quoted from the
design's geometry (:func:`fabnet.services.sourcing.quoting.part_process_times`)."""

_NO_HOURS: Mapping[str, float] = MappingProxyType({})


@dataclass(frozen=True)
class PartRequirement:
    """One line of a match: a manufactured part, or the design's final assembly step.

    ``label`` is what the output calls it: the part id, or the assembly's process id for the
    final assembly step. ``quantity`` is parts per product times the requested quantity.
    ``hours`` is the quoted machine time per unit by process id (empty when not quoted); it
    prices a rate that declares no throughput of its own (:mod:`.scoring`).
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
    hours: Mapping[str, float] = field(default_factory=lambda: _NO_HOURS, hash=False)
    unresolved: tuple[str, ...] = ()
    """Terms of the requirement no vocabulary understood: each is a requirement that no
    facility is known to meet, so a part with any is uncovered (never a wildcard)."""
    stand_in: bool = False
    """The part stands for a whole design whose manifest lists no parts."""
    board: BoardLimits | None = None
    """A PCB: its board size, layers and finest pitch, met by electronics equipment whose
    board limits are declared and suffice (its size replaces the 3D envelope check)."""


def _hours_of(item_id: str, hours: QuotedHours | None) -> Mapping[str, float]:
    """The quoted hours of one item, checked: finite and not negative, or refused."""
    found = (hours or {}).get(item_id)
    if not found:
        return _NO_HOURS
    for process, value in found.items():
        if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            raise InputError(
                f"quoted hours per unit must be a finite number of at least 0, got {value!r}",
                source="quoted hours",
                field=f"{item_id}.{process}",
            )
    return MappingProxyType({process: float(value) for process, value in found.items()})


def _board_of(board: BoardLimits | None, dims: Dimensions | None) -> BoardLimits | None:
    """A PCB's board figures; without a board size, the two larger outer dimensions."""
    if board is None or board.x_mm is not None or dims is None:
        return board
    _, y, x = dims.sorted()
    return board.model_copy(update={"x_mm": x, "y_mm": y})


def requirements_for(
    design: Design, quantity: int, hours: QuotedHours | None = None
) -> list[PartRequirement]:
    """The requirements of every manufactured part, then the final assembly step if any.

    Purchased parts are bought in, not made, and are left out. ``hours`` (item id -> process
    id -> hours per unit) fills each requirement's quoted hours: parts by part id, the final
    assembly step by the root assembly's id.
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
                hours=_hours_of(part.id, hours),
                unresolved=part.unresolved,
                stand_in=part.stand_in,
                board=_board_of(part.board, part.outer_dimensions),
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
                hours=_hours_of(root.id, hours),
            )
        )
    return result


def find_requirement(
    design: Design, part_ref: str, quantity: int, hours: QuotedHours | None = None
) -> PartRequirement | None:
    """The requirement named ``part_ref``: a part id, the assembly's label, or its id."""
    for req in requirements_for(design, quantity, hours):
        if part_ref in (req.label, req.part_id):
            return req
    return None
