"""What a design's licence says about derived designs (variants).

Read from the normalised SPDX expression (:func:`fabnet.standards.licenses.normalise_license`):

- **NoDerivatives** (``CC-BY-ND-*``, ``CC-BY-NC-ND-*``): a variant is refused. With ``OR``, one
  alternative that permits derivatives is enough (the variant is made under it).
- **Share-alike / reciprocal** (``CC-BY-SA-*``, ``CC-BY-NC-SA-*``, ``CERN-OHL-S-*``,
  ``CERN-OHL-W-*``, ``GPL-*``, ``LGPL-*``, ``AGPL-*``, ``MPL-2.0``): the variant must carry the same
  licence.
- **Attribution**: every licence fabnet knows of except public-domain dedications (``CC0-1.0``,
  ``Unlicense``, ``0BSD``) asks the original's licensor to be credited.
- **NonCommercial** (``-NC-``): carried over as an obligation in words.
- No licence at all: derivatives are refused, since copyright reserves them by default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PUBLIC_DOMAIN = frozenset({"CC0-1.0", "UNLICENSE", "0BSD", "CC-PDDC"})
_SHARE_ALIKE = re.compile(r"(-SA-|^CERN-OHL-[SW]-|^(A|L)?GPL-|^MPL-)", re.IGNORECASE)


@dataclass(frozen=True)
class DerivativeTerms:
    allowed: bool
    reason: str
    obligations: tuple[str, ...] = ()
    license: str | None = None
    """The licence the variant carries (the parent's, or the one alternative that permits it)."""


def _terms(expression: str) -> list[str]:
    return [t for t in re.split(r"[\s()]+", expression) if t and t.upper() not in ("AND", "WITH")]


def _alternatives(expression: str) -> list[str]:
    """Top-level ``OR`` alternatives (parentheses kept together)."""
    parts, depth, current = [], 0, ""
    tokens = re.split(r"(\(|\)|\s+OR\s+)", expression)
    for token in tokens:
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
        if token.strip() == "OR" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += token
    parts.append(current.strip())
    return [p.strip("() ") or p for p in parts if p]


def derivative_terms(
    license_expression: str | None, licensor: tuple[str, ...], name: str
) -> DerivativeTerms:
    """Whether a variant of the design ``name`` may be made, and what carries over."""
    if not license_expression:
        return DerivativeTerms(
            False,
            "the design names no licence, so making derived designs is not permitted "
            "(copyright reserves it); ask the licensor or choose a licensed design",
        )
    usable = [a for a in _alternatives(license_expression)
              if not any("-ND" in t.upper() for t in _terms(a))]  # fmt: skip
    if not usable:
        return DerivativeTerms(
            False,
            f"{license_expression} is a NoDerivatives licence: it does not permit adapted "
            "versions, so no variant can be made",
        )
    chosen = usable[0]
    terms = _terms(chosen)
    obligations: list[str] = []
    who = ", ".join(licensor) or "the original licensor"
    if not all(t.upper() in _PUBLIC_DOMAIN for t in terms):
        obligations.append(f"attribution: credit {who} for the original design {name!r}")
    if any(_SHARE_ALIKE.search(t) for t in terms):
        obligations.append(f"share-alike: the variant must be published under {chosen}")
    if any("-NC" in t.upper() for t in terms):
        obligations.append("non-commercial: the variant may not be sold or used commercially")
    obligations.append(f"licence: {chosen}, as the original")
    return DerivativeTerms(True, f"{chosen} permits derived designs", tuple(obligations), chosen)
