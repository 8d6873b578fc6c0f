"""Tolerance classes: ISO 2768-1 general tolerances and ISO 286-1 IT grades.

Accepted spellings (case, spaces and hyphens do not matter):

* ISO 2768-1 classes f, m, c, v: ``"ISO 2768-m"``, ``"2768-mK"`` (the ISO 2768-2 letter H/K/L
  is ignored), ``"DIN ISO 2768-1 f"``, ``"ISO 2768 medium"``, ``"fine"``, ``"very coarse"``, or the
  bare class letter ``"m"`` -> ``"ISO2768-m"``;
* ISO 286-1 grades IT01, IT0, IT1..IT18: ``"IT9"``, ``"it 7"``, ``"ISO 286 IT7"`` and fits such
  as ``"h7"``, ``"H7"``, ``"js6"`` (the grade of the fit) -> ``"IT7"``.

Fineness is the **width of the tolerance zone** in micrometres at a nominal size, so both
systems compare on one scale:

* ISO 2768-1:1989, Table 1 (permissible deviations for linear dimensions except broken edges):
  the zone is twice the ± deviation, e.g. class m over 30 up to 120 mm is ±0.3 mm -> 600 µm;
* ISO 286-1:2010, Table 1 (standard tolerance grades IT for nominal sizes up to 500 mm): the
  zone is the IT value, e.g. IT7 over 80 up to 120 mm is 35 µm.

The default nominal size is 100 mm (the 80-120 mm row of ISO 286, the 30-120 mm row of
ISO 2768). Sizes the tables do not cover raise :class:`~fabnet.errors.InputError`.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from fabnet.errors import InputError, UnknownTermError
from fabnet.vocab._text import strip_accents

DEFAULT_NOMINAL_MM = 100.0

ISO2768_CLASSES = ("f", "m", "c", "v")
IT_GRADES = ("01", "0", *(str(n) for n in range(1, 19)))

# ISO 2768-1 Table 1: upper bounds of the nominal ranges (mm; the first range starts at 0.5)
_ISO2768_UPPER = (3, 6, 30, 120, 400, 1000, 2000, 4000)
_ISO2768_MM: dict[str, tuple[float | None, ...]] = {
    "f": (0.05, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, None),
    "m": (0.1, 0.1, 0.2, 0.3, 0.5, 0.8, 1.2, 2.0),
    "c": (0.2, 0.3, 0.5, 0.8, 1.2, 2.0, 3.0, 4.0),
    "v": (None, 0.5, 1.0, 1.5, 2.5, 4.0, 6.0, 8.0),
}

# ISO 286-1 Table 1: upper bounds of the nominal ranges (mm; the first range starts above 0)
_IT_UPPER = (3, 6, 10, 18, 30, 50, 80, 120, 180, 250, 315, 400, 500)
_IT_UM: dict[str, tuple[float, ...]] = {
    "01": (0.3, 0.4, 0.4, 0.5, 0.6, 0.6, 0.8, 1, 1.2, 2, 2.5, 3, 4),
    "0": (0.5, 0.6, 0.6, 0.8, 1, 1, 1.2, 1.5, 2, 3, 4, 5, 6),
    "1": (0.8, 1, 1, 1.2, 1.5, 1.5, 2, 2.5, 3.5, 4.5, 6, 7, 8),
    "2": (1.2, 1.5, 1.5, 2, 2.5, 2.5, 3, 4, 5, 7, 8, 9, 10),
    "3": (2, 2.5, 2.5, 3, 4, 4, 5, 6, 8, 10, 12, 13, 15),
    "4": (3, 4, 4, 5, 6, 7, 8, 10, 12, 14, 16, 18, 20),
    "5": (4, 5, 6, 8, 9, 11, 13, 15, 18, 20, 23, 25, 27),
    "6": (6, 8, 9, 11, 13, 16, 19, 22, 25, 29, 32, 36, 40),
    "7": (10, 12, 15, 18, 21, 25, 30, 35, 40, 46, 52, 57, 63),
    "8": (14, 18, 22, 27, 33, 39, 46, 54, 63, 72, 81, 89, 97),
    "9": (25, 30, 36, 43, 52, 62, 74, 87, 100, 115, 130, 140, 155),
    "10": (40, 48, 58, 70, 84, 100, 120, 140, 160, 185, 210, 230, 250),
    "11": (60, 75, 90, 110, 130, 160, 190, 220, 250, 290, 320, 360, 400),
    "12": (100, 120, 150, 180, 210, 250, 300, 350, 400, 460, 520, 570, 630),
    "13": (140, 180, 220, 270, 330, 390, 460, 540, 630, 720, 810, 890, 970),
    "14": (250, 300, 360, 430, 520, 620, 740, 870, 1000, 1150, 1300, 1400, 1550),
    "15": (400, 480, 580, 700, 840, 1000, 1200, 1400, 1600, 1850, 2100, 2300, 2500),
    "16": (600, 750, 900, 1100, 1300, 1600, 1900, 2200, 2500, 2900, 3200, 3600, 4000),
    "17": (1000, 1200, 1500, 1800, 2100, 2500, 3000, 3500, 4000, 4600, 5200, 5700, 6300),
    "18": (1400, 1800, 2200, 2700, 3300, 3900, 4600, 5400, 6300, 7200, 8100, 8900, 9700),
}

_WORDS = {"fine": "f", "medium": "m", "coarse": "c", "verycoarse": "v"}
_CLASS = r"(f|m|c|v|fine|medium|coarse|verycoarse)"
_ISO2768 = re.compile(rf"^(?:din)?(?:en)?(?:iso)?(?:2768(?:-?1)?(?:[-:]|class)?)?{_CLASS}[hkl]?$")
_IT = re.compile(r"^(?:(?:iso)?286(?:-?1)?[-:]?)?it[-:]?(01|0|1[0-8]|[1-9])$")
_FIT_LETTERS = "a|b|c|cd|d|e|ef|f|fg|g|h|j|js|k|m|n|p|r|s|t|u|v|x|y|z|za|zb|zc"
_FIT = re.compile(rf"^(?:(?:iso)?286(?:-?1)?[-:]?)?(?:{_FIT_LETTERS})(01|0|1[0-8]|[1-9])$")


def normalise_tolerance(text: str) -> str:
    """``"ISO 2768-mK"`` -> ``"ISO2768-m"``, ``"h7"`` -> ``"IT7"``; UnknownTermError otherwise."""
    key = re.sub(r"[\s_]+", "", strip_accents(text).casefold())
    if match := _ISO2768.match(key):
        cls = match.group(1)
        return f"ISO2768-{_WORDS.get(cls, cls)}"
    if match := _IT.match(key) or _FIT.match(key):
        return f"IT{match.group(1)}"
    raise UnknownTermError(
        f"unknown tolerance class {text!r}",
        source="tolerance",
        hint="use an ISO 2768-1 class (f, m, c, v; e.g. 'ISO 2768-m') or an ISO 286 grade "
        "(IT01..IT18, e.g. 'IT7' or a fit like 'H7')",
    )


def _row(uppers: tuple[int, ...], nominal_mm: float, lowest: float, *, table: str) -> int:
    """Index of the table row for ``nominal_mm``; rows are "over previous up to upper"."""
    inside = lowest <= nominal_mm if table.startswith("ISO 2768") else lowest < nominal_mm
    if not inside or nominal_mm > uppers[-1]:
        raise InputError(
            f"nominal size {nominal_mm:g} mm is outside {table} ({lowest:g} to {uppers[-1]} mm)",
            source="tolerance",
            field="nominal_mm",
        )
    return bisect_left(uppers, nominal_mm)


def tolerance_fineness_um(code: str, nominal_mm: float = DEFAULT_NOMINAL_MM) -> float:
    """Width of the tolerance zone in µm for a class at a nominal size (smaller is finer).

    ``code`` may be any accepted spelling; it is normalised first.
    """
    canonical = normalise_tolerance(code)
    if canonical.startswith("ISO2768-"):
        cls = canonical[-1]
        row = _row(_ISO2768_UPPER, nominal_mm, 0.5, table="ISO 2768-1 Table 1")
        deviation = _ISO2768_MM[cls][row]
        if deviation is None:
            raise InputError(
                f"ISO 2768-1 class {cls} specifies no tolerance at {nominal_mm:g} mm",
                source="tolerance",
                field="nominal_mm",
            )
        return round(2 * deviation * 1000, 6)
    grade = canonical[2:]
    return float(_IT_UM[grade][_row(_IT_UPPER, nominal_mm, 0, table="ISO 286-1 Table 1")])


def meets_tolerance(
    offered: str | None, required: str | None, nominal_mm: float = DEFAULT_NOMINAL_MM
) -> bool:
    """Whether a facility holding ``offered`` can meet ``required`` at ``nominal_mm``.

    No requirement is always met; a requirement with nothing offered is not. Otherwise the
    offered zone must be no wider than the required one at the same nominal size.
    """
    if required is None:
        return True
    if offered is None:
        return False
    return tolerance_fineness_um(offered, nominal_mm) <= tolerance_fineness_um(required, nominal_mm)
