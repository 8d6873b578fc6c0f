"""What a design's licence asks of a manufacturer making it for a paid order.

``check_licence("CERN-OHL-S-2.0 OR CC-BY-SA-4.0")`` parses the SPDX expression with
``license-expression`` and returns a :class:`LicenceCheck`: ``allowed``, the obligations (code +
text) and the reason.

- ``A AND B``: both licences apply; the obligations are the union; allowed only if both allow.
- ``A OR B``: the manufacturer may work under either; fabnet picks the **least demanding allowed
  option** (fewest obligations, weighted by :data:`BURDEN`; ties go to the option written
  first) and says which in ``chosen``. The licensor's offer of alternatives is what makes this
  legitimate; the contract records the choice so that both sides know which terms apply.
- ``A WITH exception``: read as ``A`` (exceptions only ever relax a licence).
- Non-commercial licences (``*-NC-*``) refuse a paid order unless the licensor's permission is
  recorded (``licensor_permission=True``), which adds a "keep the permission on file" obligation.
- ``LicenseRef-*`` and SPDX ids fabnet has no rule for yield a ``review-needed`` obligation:
  allowed, but a person must read the licence before production.

This is a practical summary for contracting, not legal advice; the texts name the licence.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache

from license_expression import (
    AND,
    OR,
    ExpressionError,
    LicenseExpression,
    LicenseSymbol,
    LicenseWithExceptionSymbol,
    Licensing,
    get_spdx_licensing,
)
from pydantic import Field

from fabnet.domain.common import Frozen
from fabnet.errors import InputError


class ObligationCode(StrEnum):
    ATTRIBUTION = "attribution"
    KEEP_NOTICES = "keep-notices"
    SOURCE_DISCLOSURE = "source-disclosure"
    PRODUCT_MARKING = "product-marking"
    SHARE_ALIKE = "share-alike"
    WEAK_RECIPROCITY = "weak-reciprocity"
    DOCUMENTATION_ON_DISTRIBUTION = "documentation-on-distribution"
    FIRMWARE_SOURCE = "firmware-source"
    NON_COMMERCIAL_PERMISSION = "non-commercial-permission"
    REVIEW_NEEDED = "review-needed"


#: Relative weight of an obligation when choosing between OR alternatives.
BURDEN: dict[ObligationCode, int] = {
    ObligationCode.KEEP_NOTICES: 1,
    ObligationCode.ATTRIBUTION: 1,
    ObligationCode.WEAK_RECIPROCITY: 3,
    ObligationCode.DOCUMENTATION_ON_DISTRIBUTION: 3,
    ObligationCode.PRODUCT_MARKING: 3,
    ObligationCode.SHARE_ALIKE: 4,
    ObligationCode.SOURCE_DISCLOSURE: 5,
    ObligationCode.FIRMWARE_SOURCE: 5,
    ObligationCode.NON_COMMERCIAL_PERMISSION: 8,
    ObligationCode.REVIEW_NEEDED: 10,
}


class Obligation(Frozen):
    code: ObligationCode
    licence: str = Field(description="The SPDX id the obligation comes from")
    text: str


class LicenceCheck(Frozen):
    expression: str = Field(description="The expression as parsed, normalised")
    allowed: bool
    reason: str
    chosen: str = Field(description="The licence terms the manufacturer works under")
    obligations: tuple[Obligation, ...] = ()

    @property
    def codes(self) -> frozenset[ObligationCode]:
        return frozenset(o.code for o in self.obligations)


_C = ObligationCode
_ATTRIBUTION = "credit the licensor and link the licence on the product documentation"
_NOTICES = "keep the licence, copyright and disclaimer notices with the product and its files"


def _rules() -> list[tuple[re.Pattern[str], tuple[tuple[ObligationCode, str], ...]]]:
    def rx(pattern: str) -> re.Pattern[str]:
        return re.compile(pattern + r"$", re.IGNORECASE)

    return [
        (rx(r"CERN-OHL-S-2\.0"), (
            (_C.KEEP_NOTICES, _NOTICES),
            (_C.SOURCE_DISCLOSURE, "convey products only with the complete source, or a "
             "durable link to it, for the version made (including any modification)"),
            (_C.PRODUCT_MARKING, "mark the product with the source location if the design's "
             "notice asks for it"),
            (_C.SHARE_ALIKE, "modifications stay under CERN-OHL-S-2.0"),
        )),
        (rx(r"CERN-OHL-W-2\.0"), (
            (_C.KEEP_NOTICES, _NOTICES),
            (_C.SOURCE_DISCLOSURE, "convey products with the source of the licensed design "
             "(or a link to it)"),
            (_C.WEAK_RECIPROCITY, "modifications of the design stay under CERN-OHL-W-2.0; "
             "reciprocity stops at available components, which need not be disclosed"),
        )),
        (rx(r"CERN-OHL-P-2\.0"), ((_C.KEEP_NOTICES, _NOTICES),)),
        (rx(r"CERN-OHL-1\.[12]"), (
            (_C.KEEP_NOTICES, _NOTICES),
            (_C.DOCUMENTATION_ON_DISTRIBUTION, "inform the licensor of manufacture where "
             "asked and provide the documentation with the product"),
            (_C.SHARE_ALIKE, "modified documentation stays under the CERN OHL"),
        )),
        (rx(r"TAPR-OHL-1\.0"), (
            (_C.KEEP_NOTICES, _NOTICES),
            (_C.DOCUMENTATION_ON_DISTRIBUTION, "with distributed products, include or offer "
             "the design documentation (with modifications) under TAPR-OHL-1.0"),
        )),
        (rx(r"CC-BY-NC(-SA|-ND)?-\d\.\d.*"), (
            (_C.ATTRIBUTION, _ATTRIBUTION),
            (_C.NON_COMMERCIAL_PERMISSION, "paid manufacture needs the licensor's written "
             "permission; keep it on file with the contract"),
        )),
        (rx(r"CC-BY-SA-\d\.\d.*"), (
            (_C.ATTRIBUTION, _ATTRIBUTION),
            (_C.SHARE_ALIKE, "adapted designs and documentation stay under the same licence"),
        )),
        (rx(r"CC-BY-ND-\d\.\d.*"), (
            (_C.ATTRIBUTION, _ATTRIBUTION),
            (_C.REVIEW_NEEDED, "no-derivatives: make the design unmodified; check with the "
             "licensor before any adaptation"),
        )),
        (rx(r"CC-BY-\d\.\d.*"), ((_C.ATTRIBUTION, _ATTRIBUTION),)),
        (rx(r"(CC0-1\.0|Unlicense|0BSD|CC-PDDC)"), ()),
        (rx(r"(MIT|MIT-0|ISC|BSD-[23]-Clause|Apache-2\.0|Zlib|BSL-1\.0|Solderpad-.*|SHL-.*)"), (
            (_C.KEEP_NOTICES, _NOTICES),
        )),
        (rx(r"(A?GPL-[23]\.0.*|LGPL-[23]\.[01].*)"), (
            (_C.KEEP_NOTICES, _NOTICES),
            (_C.FIRMWARE_SOURCE, "ship the firmware's complete corresponding source, or a "
             "written offer of it, with every device carrying the firmware"),
        )),
        (rx(r"(MPL-2\.0|EPL-2\.0)"), (
            (_C.KEEP_NOTICES, _NOTICES),
            (_C.FIRMWARE_SOURCE, "make the source of the covered files available with "
             "devices carrying the software"),
        )),
    ]  # fmt: skip


_RULES = _rules()
_NON_COMMERCIAL = re.compile(r"(^|-)NC(-|$)", re.IGNORECASE)


@cache
def _licensing() -> Licensing:
    return get_spdx_licensing()


def _leaf(symbol: LicenseSymbol, *, paid_order: bool, permission: bool) -> LicenceCheck:
    key = str(symbol.key)
    obligations: list[Obligation] = []
    for pattern, items in _RULES:
        if pattern.match(key):
            obligations = [Obligation(code=c, licence=key, text=t) for c, t in items]
            break
    else:
        obligations = [
            Obligation(
                code=_C.REVIEW_NEEDED,
                licence=key,
                text=f"fabnet has no rule for {key}: a person must read the licence and "
                "record what it asks before production",
            )
        ]
    if _NON_COMMERCIAL.search(key) and paid_order:
        if not permission:
            return LicenceCheck(
                expression=key,
                allowed=False,
                chosen=key,
                reason=f"{key} forbids paid manufacture without the licensor's permission, "
                "and none is recorded",
                obligations=tuple(obligations),
            )
        return LicenceCheck(
            expression=key,
            allowed=True,
            chosen=key,
            reason=f"{key} is non-commercial; the licensor's permission is recorded",
            obligations=tuple(obligations),
        )
    reason = (
        f"{key} needs review"
        if any(o.code is _C.REVIEW_NEEDED for o in obligations)
        else f"{key} allows manufacture"
    )
    return LicenceCheck(
        expression=key, allowed=True, chosen=key, reason=reason, obligations=tuple(obligations)
    )


def _burden(check: LicenceCheck) -> int:
    return sum(BURDEN[o.code] for o in check.obligations)


def _union(items: list[Obligation]) -> tuple[Obligation, ...]:
    seen: set[tuple[ObligationCode, str]] = set()
    out: list[Obligation] = []
    for item in items:
        if (item.code, item.licence) not in seen:
            seen.add((item.code, item.licence))
            out.append(item)
    return tuple(out)


def _walk(node: LicenseExpression, *, paid_order: bool, permission: bool) -> LicenceCheck:
    if isinstance(node, LicenseWithExceptionSymbol):
        base = _leaf(node.license_symbol, paid_order=paid_order, permission=permission)
        rendered_with = str(node.render())
        return base.model_copy(update={"expression": rendered_with, "chosen": rendered_with})
    if isinstance(node, LicenseSymbol):
        return _leaf(node, paid_order=paid_order, permission=permission)
    parts = [_walk(arg, paid_order=paid_order, permission=permission) for arg in node.args]
    rendered = str(node.render())
    if isinstance(node, AND):
        refused = [p for p in parts if not p.allowed]
        return LicenceCheck(
            expression=rendered,
            allowed=not refused,
            chosen=" AND ".join(_group(p.chosen) for p in parts),
            reason="; ".join(p.reason for p in refused)
            if refused
            else "every licence of the conjunction allows manufacture",
            obligations=_union([o for p in parts for o in p.obligations]),
        )
    if isinstance(node, OR):
        permitted = [p for p in parts if p.allowed]
        if not permitted:
            return LicenceCheck(
                expression=rendered,
                allowed=False,
                chosen=rendered,
                reason="no alternative allows manufacture: " + "; ".join(p.reason for p in parts),
                obligations=(),
            )
        best = min(permitted, key=_burden)  # min() keeps the first of equals
        return LicenceCheck(
            expression=rendered,
            allowed=True,
            chosen=best.chosen,
            reason=f"the least demanding permitted alternative is {best.chosen}",
            obligations=best.obligations,
        )
    raise InputError(f"unsupported licence operator in {rendered!r}", source="licence")


def _group(text: str) -> str:
    return f"({text})" if " OR " in text else text


def check_licence(
    expression: str,
    *,
    paid_order: bool = True,
    licensor_permission: bool = False,
    source: str = "design",
) -> LicenceCheck:
    """Check an SPDX ``expression`` for manufacture (see the module docstring).

    ``source`` names where the expression came from, for the error message.
    """
    if not expression or not expression.strip():
        raise InputError(
            "the design has no licence",
            source=source,
            field="license",
            hint="without a licence nobody may make the design; ask the designer for one",
        )
    try:
        parsed = _licensing().parse(expression, validate=False, strict=True)
    except ExpressionError as error:
        raise InputError(
            f"licence expression {expression!r} does not parse: {error}",
            source=source,
            field="license",
            hint="use an SPDX expression such as 'CERN-OHL-S-2.0 OR CC-BY-SA-4.0'",
        ) from None
    if parsed is None:
        raise InputError("the licence expression is empty", source=source, field="license")
    return _walk(parsed, paid_order=paid_order, permission=licensor_permission)
