"""A facility's capability rows: one per piece of equipment, plus one for facility-level claims.

Process, material, envelope, tolerance (and board limits, for a PCB) must be met by the SAME row.
A facility that lists equipment is matched machine by machine: its small FDM printer and its big
laser cutter are two rows, so it cannot print a big part. Processes that a facility declares
without any equipment that offers them form one extra row with no envelope and no tolerance: such
a row can make a part that has no outer dimensions and no tolerance, and is otherwise a near-miss
("no build volume declared"), because an unknown envelope is not proof that the part fits.

A part that is a PCB (``Part.board``) is judged against a row's board limits (largest board,
layers, finest pitch) instead of its 3D envelope; a row without them is not known to make it.

Materials: a machine's own ``materials`` when it lists any, else the facility's
``typical_materials`` (records rarely say which machine works which material).
"""

from __future__ import annotations

from dataclasses import dataclass

from fabnet.domain.common import BoardLimits, Dimensions
from fabnet.domain.facility import Facility


@dataclass(frozen=True, slots=True)
class CapabilityRow:
    equipment_id: str | None
    equipment_type: str | None
    processes: tuple[str, ...]
    materials: tuple[str, ...]
    envelope: Dimensions | None
    tolerance_class: str | None
    sides: tuple[float, float, float] | None  # the envelope's sides, sorted
    board: BoardLimits | None = None  # electronics equipment: largest board, layers, pitch

    @property
    def label(self) -> str:
        if self.equipment_id is None:
            return "facility-level processes (no equipment detail)"
        return f"equipment {self.equipment_id!r} ({self.equipment_type})"


_CACHE_LIMIT = 20_000
_cache: dict[int, tuple[Facility, tuple[CapabilityRow, ...]]] = {}


def capability_rows(facility: Facility) -> tuple[CapabilityRow, ...]:
    """The rows that can make something: equipment with processes, then facility-level ones.

    Facilities are immutable, so the rows of a facility object are remembered (by identity,
    bounded) for the explanations of repeated matches.
    """
    hit = _cache.get(id(facility))
    if hit is not None and hit[0] is facility:
        return hit[1]
    rows = rows_of(facility)
    if len(_cache) >= _CACHE_LIMIT:
        _cache.clear()
    _cache[id(facility)] = (facility, rows)
    return rows


def rows_of(facility: Facility) -> tuple[CapabilityRow, ...]:
    """:func:`capability_rows` without the cache (for one pass over a whole registry)."""
    rows: list[CapabilityRow] = []
    by_equipment: set[str] = set()
    for eq in facility.equipment:
        if not eq.processes:
            continue
        by_equipment.update(eq.processes)
        rows.append(
            CapabilityRow(
                equipment_id=eq.id,
                equipment_type=eq.equipment_type,
                processes=eq.processes,
                materials=eq.materials or facility.typical_materials,
                envelope=eq.envelope,
                tolerance_class=eq.tolerance_class,
                sides=eq.envelope.sorted() if eq.envelope is not None else None,
                board=eq.board_limits,
            )
        )
    loose = tuple(p for p in facility.processes if p not in by_equipment)
    if loose:
        rows.append(
            CapabilityRow(
                equipment_id=None,
                equipment_type=None,
                processes=loose,
                materials=facility.typical_materials,
                envelope=None,
                tolerance_class=None,
                sides=None,
            )
        )
    return tuple(rows)
