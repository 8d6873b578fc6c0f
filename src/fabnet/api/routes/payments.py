"""Money: the payer's deposits for an order, and the order's ledger."""

from __future__ import annotations

from fastapi import APIRouter

from fabnet.api.deps import DbDep, Reader, Writer
from fabnet.api.problems import PROBLEM_RESPONSES
from fabnet.api.schemas_orders import FundingIn
from fabnet.services.orders import payments
from fabnet.services.orders.escrow import EscrowSummary, escrow_summary
from fabnet.services.orders.payments import Funding, OrderLedger

router = APIRouter(prefix="/v1/orders", tags=["payments"], responses=PROBLEM_RESPONSES)


@router.post("/{order_id}/funding", response_model=Funding)
def fund_order(order_id: str, body: FundingIn, db: DbDep, principal: Writer) -> Funding:
    """Record money received from the order's payer; the same ``reference`` twice is refused.
    Lots whose contracts are signed and wait for escrow are contracted. The answer is the
    ledger, the escrow summary after the deposit, the lots a short deposit leaves waiting
    (``uncovered_lot_ids``) and a ``message`` saying so in words."""
    return payments.fund_order(
        db, principal, order_id, body.amount_minor, reference=body.reference,
        currency=body.currency,
    )  # fmt: skip


@router.get("/{order_id}/ledger", response_model=OrderLedger)
def order_ledger(order_id: str, db: DbDep, principal: Reader) -> OrderLedger:
    """The order's transactions and balances (a manufacturer: those of its own lots)."""
    return payments.order_ledger(db, principal, order_id)


@router.get("/{order_id}/escrow", response_model=EscrowSummary)
def order_escrow(order_id: str, db: DbDep, principal: Reader) -> EscrowSummary:
    """What escrow is due per lot and in total before funding (integer minor units of
    ``currency``), what is funded, held and released, and the shortfall still to pay."""
    return escrow_summary(db, principal, order_id)
