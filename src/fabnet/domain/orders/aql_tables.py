"""ISO 2859-1 single sampling tables for normal inspection, encoded as data.

Sources: ISO 2859-1:1999 "Sampling procedures for inspection by attributes — Part 1", Table 1
(sample size code letters) and Table 2-A (single sampling plans for normal inspection, master
table); identical to ANSI/ASQ Z1.4-2003 Tables I and II-A and to the public-domain
MIL-STD-105E (1989) Tables I and II-A from which both descend. Only the numbers are reproduced
(facts, not the standards' text); buy the standards for the procedure around them (switching
rules, classification of nonconformities).

Table 2-A cells: ``"Ac/Re"`` is a sampling plan; ``"v"`` is the arrow pointing down ("use the
first sampling plan below the arrow") and ``"^"`` the arrow pointing up ("use the first sampling
plan above the arrow"). Following an arrow changes the code letter and therefore the sample
size. AQLs up to 10 are percent nonconforming or nonconformities per 100 units; above 10 they
are nonconformities per 100 units only.
"""

from __future__ import annotations

from decimal import Decimal

INSPECTION_LEVELS: tuple[str, ...] = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")

#: Table 1: (smallest lot size of the range, code letters for S-1, S-2, S-3, S-4, I, II, III).
#: The last range is "500 001 and over". fabnet reads lot size 1 with the first range.
CODE_LETTERS_BY_LOT_SIZE: tuple[tuple[int, str], ...] = (
    (2, "AAAAAAB"),
    (9, "AAAAABC"),
    (16, "AABBBCD"),
    (26, "ABBCCDE"),
    (51, "BBCCCEF"),
    (91, "BBCDDFG"),
    (151, "BCDEEGH"),
    (281, "BCDEFHJ"),
    (501, "CCEFGJK"),
    (1_201, "CDEGHKL"),
    (3_201, "CDFGJLM"),
    (10_001, "CDFHKMN"),
    (35_001, "DEGJLNP"),
    (150_001, "DEGJMPQ"),
    (500_001, "DEHKNQR"),
)

#: Table 2-A: sample size per code letter (I and O are not used as letters).
SAMPLE_SIZES: dict[str, int] = {
    "A": 2, "B": 3, "C": 5, "D": 8, "E": 13, "F": 20, "G": 32, "H": 50,
    "J": 80, "K": 125, "L": 200, "M": 315, "N": 500, "P": 800, "Q": 1250, "R": 2000,
}  # fmt: skip

CODE_LETTERS: tuple[str, ...] = tuple(SAMPLE_SIZES)

#: Table 2-A column headings, in order.
AQL_COLUMNS: tuple[Decimal, ...] = tuple(
    Decimal(v)
    for v in [
        "0.010",
        "0.015",
        "0.025",
        "0.040",
        "0.065",
        "0.10",
        "0.15",
        "0.25",
        "0.40",
        "0.65",
        "1.0",
        "1.5",
        "2.5",
        "4.0",
        "6.5",
        "10",
        "15",
        "25",
        "40",
        "65",
        "100",
        "150",
        "250",
        "400",
        "650",
        "1000",
    ]
)

#: Table 2-A body, one row per code letter, one cell per column of :data:`AQL_COLUMNS`.
#:        0.010 0.015 0.025 0.040 0.065  0.10  0.15  0.25  0.40  0.65   1.0   1.5   2.5   4.0
#:          6.5    10    15    25    40    65   100   150   250   400   650  1000
MASTER_TABLE_NORMAL: dict[str, str] = {
    "A": "    v     v     v     v     v     v     v     v     v     v     v     v     v     v"
         "  0/1     v     v   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31",
    "B": "    v     v     v     v     v     v     v     v     v     v     v     v     v   0/1"
         "    ^     v   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45",
    "C": "    v     v     v     v     v     v     v     v     v     v     v     v   0/1     ^"
         "    v   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45     ^",
    "D": "    v     v     v     v     v     v     v     v     v     v     v   0/1     ^     v"
         "  1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45     ^     ^",
    "E": "    v     v     v     v     v     v     v     v     v     v   0/1     ^     v   1/2"
         "  2/3   3/4   5/6   7/8 10/11 14/15 21/22 30/31 44/45     ^     ^     ^",
    "F": "    v     v     v     v     v     v     v     v     v   0/1     ^     v   1/2   2/3"
         "  3/4   5/6   7/8 10/11 14/15 21/22     ^     ^     ^     ^     ^     ^",
    "G": "    v     v     v     v     v     v     v     v   0/1     ^     v   1/2   2/3   3/4"
         "  5/6   7/8 10/11 14/15 21/22     ^     ^     ^     ^     ^     ^     ^",
    "H": "    v     v     v     v     v     v     v   0/1     ^     v   1/2   2/3   3/4   5/6"
         "  7/8 10/11 14/15 21/22     ^     ^     ^     ^     ^     ^     ^     ^",
    "J": "    v     v     v     v     v     v   0/1     ^     v   1/2   2/3   3/4   5/6   7/8"
         " 10/11 14/15 21/22     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "K": "    v     v     v     v     v   0/1     ^     v   1/2   2/3   3/4   5/6   7/8 10/11"
         " 14/15 21/22     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "L": "    v     v     v     v   0/1     ^     v   1/2   2/3   3/4   5/6   7/8 10/11 14/15"
         " 21/22     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "M": "    v     v     v   0/1     ^     v   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22"
         "    ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "N": "    v     v   0/1     ^     v   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ^"
         "    ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "P": "    v   0/1     ^     v   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ^     ^"
         "    ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "Q": "  0/1     ^     v   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ^     ^     ^"
         "    ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
    "R": "    ^     ^   1/2   2/3   3/4   5/6   7/8 10/11 14/15 21/22     ^     ^     ^     ^"
         "    ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^     ^",
}  # fmt: skip
