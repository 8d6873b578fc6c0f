"""What the estimators know about an assembly step (a BOM level), from its BOM lines."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StepFacts:
    """Counts of one assembly step per unit made.

    ``items``: pieces handled (the sum of the BOM lines' quantities); ``lines``: BOM lines;
    ``boards``: pieces that are fabricated boards (for PCB assembly); ``component_items``: pieces
    that are bought-in components or kits (for PCB assembly); ``components``: the number of
    electronic components when known.
    """

    items: int
    lines: int
    boards: int = 0
    component_items: int = 0
    components: int | None = None
