"""Acceptance sampling by attributes: ISO 2859-1 (= ANSI/ASQ Z1.4) single sampling, normal
inspection.

``sampling_plan(lot_size, aql, level)`` reads Table 1 for the code letter, then Table 2-A for the
plan, following the arrows: an arrow sends you to the first plan below (larger sample) or above
(smaller sample) in the same AQL column, and the sample size and code letter are those of the row
where the plan is found. When that sample size is at least the lot size, every unit is inspected
(``sample_size == lot_size``, ``full_inspection``) with the same acceptance numbers.

Tightened and reduced inspection (the switching rules) are not modelled: fabnet contracts are
mostly single lots, for which the standard's switching history does not exist.

fabnet convention, not part of the standard: an AQL of 0 (typical for critical
nonconformities) means "zero acceptance": Ac 0, Re 1, with the sample size of the lot's code
letter.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from pydantic import Field

from fabnet.domain.common import Frozen
from fabnet.domain.orders.aql_tables import (
    AQL_COLUMNS,
    CODE_LETTERS,
    CODE_LETTERS_BY_LOT_SIZE,
    INSPECTION_LEVELS,
    MASTER_TABLE_NORMAL,
    SAMPLE_SIZES,
)
from fabnet.errors import InputError

_SOURCE = "sampling plan"
ZERO_ACCEPTANCE = Decimal(0)


class Verdict(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"


class DefectClass(StrEnum):
    """Classes of nonconformity; each gets its own AQL (e.g. critical 0, major 1.0, minor 4.0)."""

    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"


class SamplingPlan(Frozen):
    """A single sampling plan: inspect ``sample_size`` units, accept with at most ``accept``
    nonconforming (or nonconformities), reject with ``reject`` or more."""

    lot_size: int = Field(ge=1)
    level: str
    aql: Decimal
    lot_code_letter: str = Field(description="Table 1 letter for the lot size and level")
    code_letter: str = Field(description="Letter of the plan used, after following arrows")
    sample_size: int = Field(ge=1)
    accept: int = Field(ge=0)
    reject: int = Field(ge=1)
    full_inspection: bool = Field(description="The sample is the whole lot")


def normalise_aql(aql: Decimal | str | int | float) -> Decimal:
    """The Table 2-A column equal to ``aql`` (``1`` -> ``1.0``; ``0`` is zero acceptance).

    Refuses values that are not a column: AQLs are preferred numbers, not a continuum.
    """
    try:
        value = Decimal(str(aql))
    except (InvalidOperation, ValueError):
        raise InputError(f"AQL {aql!r} is not a number", source=_SOURCE, field="aql") from None
    if value == ZERO_ACCEPTANCE:
        return ZERO_ACCEPTANCE
    for column in AQL_COLUMNS:
        if value == column:
            return column
    raise InputError(
        f"AQL {aql} is not one of the standard values",
        source=_SOURCE,
        field="aql",
        hint="use one of " + ", ".join(str(c) for c in AQL_COLUMNS) + " (or 0 for critical)",
    )


def code_letter(lot_size: int, level: str = "II") -> str:
    """Table 1: the sample size code letter for ``lot_size`` at inspection ``level``."""
    if isinstance(lot_size, bool) or not isinstance(lot_size, int) or lot_size < 1:
        raise InputError(
            f"lot size {lot_size!r} must be a whole number of at least 1",
            source=_SOURCE,
            field="lot_size",
        )
    if level not in INSPECTION_LEVELS:
        raise InputError(
            f"inspection level {level!r} is unknown",
            source=_SOURCE,
            field="level",
            hint="use one of " + ", ".join(INSPECTION_LEVELS) + " (II is the default)",
        )
    column = INSPECTION_LEVELS.index(level)
    letters = CODE_LETTERS_BY_LOT_SIZE[0][1]
    for smallest, row in CODE_LETTERS_BY_LOT_SIZE:
        if lot_size >= smallest:
            letters = row
    return letters[column]


def _cell(letter: str, column: int) -> str:
    return MASTER_TABLE_NORMAL[letter].split()[column]


def _resolve(letter: str, aql: Decimal) -> tuple[str, int, int]:
    """Follow Table 2-A arrows from ``letter`` in the ``aql`` column to a plan."""
    column = AQL_COLUMNS.index(aql)
    row = CODE_LETTERS.index(letter)
    while True:
        cell = _cell(CODE_LETTERS[row], column)
        if cell == "v":
            row += 1
        elif cell == "^":
            row -= 1
        else:
            accept, reject = (int(part) for part in cell.split("/"))
            return CODE_LETTERS[row], accept, reject


def sampling_plan(
    lot_size: int, aql: Decimal | str | int | float, level: str = "II"
) -> SamplingPlan:
    """The ISO 2859-1 single sampling plan for normal inspection (see the module docstring)."""
    lot_letter = code_letter(lot_size, level)
    value = normalise_aql(aql)
    if value == ZERO_ACCEPTANCE:
        letter, accept, reject = lot_letter, 0, 1
    else:
        letter, accept, reject = _resolve(lot_letter, value)
    sample_size = SAMPLE_SIZES[letter]
    full = sample_size >= lot_size
    return SamplingPlan(
        lot_size=lot_size,
        level=level,
        aql=value,
        lot_code_letter=lot_letter,
        code_letter=letter,
        sample_size=lot_size if full else sample_size,
        accept=accept,
        reject=reject,
        full_inspection=full,
    )


def evaluate(plan: SamplingPlan, defects_found: int) -> Verdict:
    """Accept when ``defects_found <= plan.accept``, reject when ``>= plan.reject``."""
    if isinstance(defects_found, bool) or not isinstance(defects_found, int) or defects_found < 0:
        raise InputError(
            f"defects found {defects_found!r} must be a whole number of at least 0",
            source="inspection",
            field="defects_found",
        )
    return Verdict.ACCEPT if defects_found <= plan.accept else Verdict.REJECT


class ClassVerdict(Frozen):
    defect_class: DefectClass
    plan: SamplingPlan
    defects_found: int
    verdict: Verdict


class InspectionResult(Frozen):
    """The lot is accepted only when every class is accepted."""

    verdict: Verdict
    classes: tuple[ClassVerdict, ...]
    sample_size: int = Field(description="Units to draw: the largest sample of the classes")

    @property
    def rejected_classes(self) -> tuple[DefectClass, ...]:
        return tuple(c.defect_class for c in self.classes if c.verdict is Verdict.REJECT)


def class_plans(
    lot_size: int,
    aqls: Mapping[DefectClass, Decimal | str | int | float],
    level: str = "II",
) -> dict[DefectClass, SamplingPlan]:
    """One plan per defect class; the largest sample serves all (its first units for the rest)."""
    if not aqls:
        raise InputError("at least one defect class needs an AQL", source=_SOURCE, field="aqls")
    return {cls: sampling_plan(lot_size, aql, level) for cls, aql in aqls.items()}


def evaluate_classes(
    plans: Mapping[DefectClass, SamplingPlan], defects_found: Mapping[DefectClass, int]
) -> InspectionResult:
    """Per-class verdicts; a class without a count is refused, not assumed clean."""
    missing = [cls.value for cls in plans if cls not in defects_found]
    if missing:
        raise InputError(
            "no defect count for " + ", ".join(missing),
            source="inspection",
            field="defects_found",
            hint="report 0 for a class with no nonconformity",
        )
    extra = [cls.value for cls in defects_found if cls not in plans]
    if extra:
        raise InputError(
            "defect counts for classes without an AQL: " + ", ".join(extra),
            source="inspection",
            field="defects_found",
        )
    classes = tuple(
        ClassVerdict(
            defect_class=cls,
            plan=plan,
            defects_found=defects_found[cls],
            verdict=evaluate(plan, defects_found[cls]),
        )
        for cls, plan in plans.items()
    )
    overall = (
        Verdict.ACCEPT if all(c.verdict is Verdict.ACCEPT for c in classes) else Verdict.REJECT
    )
    return InspectionResult(
        verdict=overall, classes=classes, sample_size=max(c.plan.sample_size for c in classes)
    )
