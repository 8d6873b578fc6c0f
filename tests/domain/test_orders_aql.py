"""ISO 2859-1 / ANSI/ASQ Z1.4 single sampling, normal inspection: worked examples.

Verified by hand against Table 1 and Table 2-A (normal):

- lot 2,000, level II: Table 1 row 1,201-3,200 -> K; K -> n = 125.
  AQL 1.0 in row K -> Ac 3 Re 4. AQL 0.65 in row K -> Ac 2 Re 3.
- lot 500, level II: row 281-500 -> H, n = 50; AQL 2.5 -> Ac 3 Re 4.
- lot 60, level II: row 51-90 -> E (n = 13). AQL 0.65 in row E is an arrow pointing down;
  the first plan below is F (n = 20) with Ac 0 Re 1.
- lot 3,000, level II -> K; AQL 0.15 in row K is an arrow pointing up; the plan above is
  J (n = 80) Ac 0 Re 1.
- lot 5, level II -> A (n = 2). AQL 10: A and B hold down arrows, C (n = 5) holds Ac 1 Re 2;
  5 >= lot size, so all 5 units are inspected.
- lot 1,000,000, level II -> Q (n = 1250); AQL 0.015 in row Q points up to P (n = 800) Ac 0 Re 1.
- lot 1,000,000, level III -> R (n = 2000); AQL 0.010 in row R points up to Q: n = 1250, Ac 0 Re 1.
- lot 10,000, level S-2 -> D (n = 8); AQL 4.0 in row D is an arrow pointing down (D holds 0/1
  at 1.5 and 1/2 only at 6.5): the plan below is E, n = 13, Ac 1 Re 2.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from fabnet.domain.orders.aql import (
    DefectClass,
    Verdict,
    class_plans,
    code_letter,
    evaluate,
    evaluate_classes,
    sampling_plan,
)
from fabnet.errors import InputError


@pytest.mark.parametrize(
    "lot,aql,level,lot_letter,letter,n,ac,re",
    [
        (2000, "1.0", "II", "K", "K", 125, 3, 4),
        (2000, "0.65", "II", "K", "K", 125, 2, 3),
        (500, "2.5", "II", "H", "H", 50, 3, 4),
        (60, "0.65", "II", "E", "F", 20, 0, 1),
        (3000, "0.15", "II", "K", "J", 80, 0, 1),
        (1_000_000, "0.015", "II", "Q", "P", 800, 0, 1),
        (1_000_000, "0.010", "III", "R", "Q", 1250, 0, 1),
        (10_000, "4.0", "S-2", "D", "E", 13, 1, 2),
        (2000, "1000", "II", "K", "B", 3, 44, 45),
        (2000, "100", "II", "K", "E", 13, 21, 22),
    ],
)
def test_worked_examples(
    lot: int, aql: str, level: str, lot_letter: str, letter: str, n: int, ac: int, re: int
) -> None:
    plan = sampling_plan(lot, aql, level)
    assert (plan.lot_code_letter, plan.code_letter) == (lot_letter, letter)
    assert (plan.sample_size, plan.accept, plan.reject) == (n, ac, re)
    assert not plan.full_inspection


def test_sample_as_large_as_the_lot_means_full_inspection() -> None:
    plan = sampling_plan(5, "10")
    assert plan.code_letter == "C" and plan.full_inspection
    assert (plan.sample_size, plan.accept, plan.reject) == (5, 1, 2)
    assert sampling_plan(1, "1.0").sample_size == 1


@pytest.mark.parametrize(
    "lot,level,letter",
    [(8, "II", "A"), (9, "II", "B"), (1200, "II", "J"), (1201, "II", "K"), (500_000, "II", "P"),
     (500_001, "II", "Q"), (500_001, "III", "R"), (150, "S-1", "B"), (3200, "I", "H")],
)  # fmt: skip
def test_table_1_boundaries(lot: int, level: str, letter: str) -> None:
    assert code_letter(lot, level) == letter


def test_aql_values_are_normalised_and_unknown_ones_refused() -> None:
    assert sampling_plan(2000, 1).aql == Decimal("1.0")
    assert sampling_plan(2000, 0.65).accept == 2
    with pytest.raises(InputError, match="not one of the standard values"):
        sampling_plan(2000, "0.7")
    with pytest.raises(InputError, match="inspection level"):
        sampling_plan(2000, "1.0", level="IV")
    with pytest.raises(InputError, match="lot size"):
        sampling_plan(0, "1.0")


def test_evaluate_accepts_up_to_ac_and_rejects_from_re() -> None:
    plan = sampling_plan(2000, "1.0")
    assert evaluate(plan, 3) is Verdict.ACCEPT
    assert evaluate(plan, 4) is Verdict.REJECT
    with pytest.raises(InputError):
        evaluate(plan, -1)


def test_per_class_aqls_reject_the_lot_when_one_class_fails() -> None:
    plans = class_plans(
        2000, {DefectClass.CRITICAL: 0, DefectClass.MAJOR: "1.0", DefectClass.MINOR: "4.0"}
    )
    assert (plans[DefectClass.CRITICAL].accept, plans[DefectClass.CRITICAL].reject) == (0, 1)
    assert plans[DefectClass.MINOR].accept == 10  # K, 4.0 -> 10/11
    ok = evaluate_classes(
        plans, {DefectClass.CRITICAL: 0, DefectClass.MAJOR: 3, DefectClass.MINOR: 10}
    )
    assert ok.verdict is Verdict.ACCEPT and ok.sample_size == 125
    bad = evaluate_classes(
        plans, {DefectClass.CRITICAL: 1, DefectClass.MAJOR: 0, DefectClass.MINOR: 0}
    )
    assert bad.verdict is Verdict.REJECT and bad.rejected_classes == (DefectClass.CRITICAL,)
    with pytest.raises(InputError, match="no defect count for minor"):
        evaluate_classes(plans, {DefectClass.CRITICAL: 0, DefectClass.MAJOR: 0})


def test_every_cell_resolves_and_arrows_never_leave_the_table() -> None:
    """Structural check of Table 2-A: each column has plans, Re = Ac + 1, and following the
    arrows always ends on a plan whose sample size moves the way the arrow points."""
    from fabnet.domain.orders.aql import _resolve
    from fabnet.domain.orders.aql_tables import AQL_COLUMNS, CODE_LETTERS, SAMPLE_SIZES

    for letter in CODE_LETTERS:
        for aql in AQL_COLUMNS:
            found, ac, re = _resolve(letter, aql)
            assert re == ac + 1
            if found != letter:
                direction = SAMPLE_SIZES[found] - SAMPLE_SIZES[letter]
                cell = (
                    __import__("fabnet.domain.orders.aql_tables", fromlist=["x"])
                    .MASTER_TABLE_NORMAL[letter]
                    .split()[AQL_COLUMNS.index(aql)]
                )
                assert (direction > 0) == (cell == "v")
