"""A contract's terms as a printable PDF: a Jinja2 HTML template rendered with WeasyPrint.

The PDF is for people; what the parties sign is the canonical JSON of the terms, whose SHA-256
the PDF prints so a reader can check that paper and record agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from fabnet.domain.orders.contracts import ContractSignature, ContractTerms
from fabnet.domain.orders.currency import format_minor


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("fabnet.services.orders", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = format_minor
    return env


@dataclass(frozen=True)
class PartyNames:
    """Who a party is, in words: the organisation's name, the signer's name and e-mail."""

    organisation: str
    signer: str
    signer_email: str | None = None


def render_contract_html(
    terms: ContractTerms,
    signatures: Sequence[ContractSignature],
    *,
    title: str,
    kind: str,
    names: Mapping[str, PartyNames] | None = None,
) -> str:
    """``names`` maps each party's ``signer_id`` to its names (ids alone when missing)."""
    signed = {s.signer_id: s for s in signatures}
    return (
        _environment()
        .get_template("contract.html")
        .render(
            terms=terms,
            sha256=terms.sha256(),
            title=title,
            kind=kind,
            signed=signed,
            names=dict(names or {}),
            total=format_minor(terms.total_minor, terms.currency),
            unit_price=format_minor(terms.unit_price_minor, terms.currency),
        )
    )


def render_contract_pdf(
    terms: ContractTerms,
    signatures: Sequence[ContractSignature],
    *,
    title: str,
    kind: str,
    names: Mapping[str, PartyNames] | None = None,
) -> bytes:
    from weasyprint import HTML  # heavy import: only when a PDF is asked for  # noqa: PLC0415

    html = render_contract_html(terms, signatures, title=title, kind=kind, names=names)
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
