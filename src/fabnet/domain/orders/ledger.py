"""A double-entry ledger in integer minor units, with one escrow account per lot.

Sign convention: a posting's amount is added to its account's balance; a transfer of X from A
to B is ``Posting(A, -X)`` + ``Posting(B, +X)``. Every transaction sums to zero per currency, so
the sum of all balances is always zero and ``-balance(external)`` is the money that came in
from the outside world minus what went back out. Only the external account may be negative.

Accounts (build them with the helpers below, never by hand):

- ``external`` - the outside world (bank, payment provider);
- ``buyer:<org>:cash`` - money a buyer (or payer) has paid in, not yet committed;
- ``escrow:<lot>`` - a lot's contract value, held until milestones release it;
- ``payable:<org>`` - owed to a supplier (manufacturer or orchestrator);
- ``platform:fees`` - fabnet's fee revenue;
- ``refunds:<org>`` - owed back to a buyer (or payer).

Money flows: ``deposit`` (external -> cash), ``fund_escrow`` (cash -> escrow, before the lot is
contracted), ``release_for_transition`` (escrow -> payable and fees at milestones),
``refund_for`` (escrow -> refunds, and compensation to the supplier, on cancel/terminate),
``pay_out`` (payable or refunds -> external).

Release rule: when a milestone fires, the escrow balance is split among the milestones not yet
released by their shares (largest remainder) and the firing ones are released, together with
every earlier milestone (``MILESTONE_ORDER``) that never fired because the lot took another path
to a later stage; the last one takes whatever remains. So the released total always equals the
escrowed amount exactly, whatever refunds or rounding happened on the way. The platform fee is
``floor(amount * fee_bp / 10000)`` of every amount paid to the supplier.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from pydantic import Field

from fabnet.domain.common import Frozen, stable_id
from fabnet.domain.orders.contracts import ContractTerms
from fabnet.domain.orders.currency import currency_code
from fabnet.domain.orders.lifecycle import TransitionOutcome
from fabnet.domain.orders.milestones import (
    BASIS_POINTS,
    MILESTONE_ORDER,
    MilestoneTrigger,
    allocate,
)
from fabnet.domain.orders.states import LotAction, LotState
from fabnet.errors import ConflictError, InputError

EXTERNAL = "external"
PLATFORM_FEES = "platform:fees"


def buyer_cash(org_id: str) -> str:
    return f"buyer:{org_id}:cash"


def escrow(lot_id: str) -> str:
    return f"escrow:{lot_id}"


def payable(org_id: str) -> str:
    return f"payable:{org_id}"


def refunds(org_id: str) -> str:
    return f"refunds:{org_id}"


class TxKind(StrEnum):
    DEPOSIT = "deposit"
    FUND_ESCROW = "fund-escrow"
    RELEASE = "release"
    COMPENSATION = "compensation"
    REFUND = "refund"
    PAYOUT = "payout"


class Posting(Frozen):
    account: str = Field(min_length=1)
    amount: int = Field(description="Minor units; added to the account's balance")
    currency: str


class Transaction(Frozen):
    id: str = Field(min_length=1)
    kind: TxKind
    postings: tuple[Posting, ...]
    memo: str = ""
    lot_id: str | None = None
    trigger: str | None = Field(default=None, description="Milestone or action that caused it")

    def imbalances(self) -> dict[str, int]:
        """Per currency, the sum of the postings when it is not zero."""
        sums: dict[str, int] = {}
        for p in self.postings:
            sums[p.currency] = sums.get(p.currency, 0) + p.amount
        return {c: s for c, s in sums.items() if s != 0}


class Ledger:
    """An immutable ledger: :meth:`post` returns a new ledger or refuses the transaction."""

    __slots__ = ("_balances", "_ids", "_transactions")

    def __init__(self) -> None:
        self._transactions: tuple[Transaction, ...] = ()
        self._balances: dict[tuple[str, str], int] = {}
        self._ids: frozenset[str] = frozenset()

    @classmethod
    def of(cls, transactions: Iterable[Transaction]) -> Ledger:
        ledger = cls()
        for tx in transactions:
            ledger = ledger.post(tx)
        return ledger

    @classmethod
    def seeded(
        cls,
        balances: Mapping[tuple[str, str], int],
        ids: Iterable[str] = (),
        transactions: Iterable[Transaction] = (),
    ) -> Ledger:
        """A ledger view that starts from known ``balances`` (per account and currency) and
        already-posted ``ids``, holding ``transactions`` (already counted in ``balances``) for
        :meth:`released_triggers`. Enough to check new transactions touching those accounts
        without reading every transaction ever posted."""
        ledger = cls()
        ledger._transactions = tuple(transactions)
        ledger._balances = dict(balances)
        ledger._ids = frozenset(ids) | {tx.id for tx in ledger._transactions}
        return ledger

    @property
    def transactions(self) -> tuple[Transaction, ...]:
        return self._transactions

    def has(self, tx_id: str) -> bool:
        return tx_id in self._ids

    def balance(self, account: str, currency: str) -> int:
        return self._balances.get((account, currency), 0)

    def balances(self) -> Mapping[tuple[str, str], int]:
        return dict(self._balances)

    def escrow_balance(self, lot_id: str, currency: str) -> int:
        return self.balance(escrow(lot_id), currency)

    def released_triggers(self, lot_id: str) -> frozenset[str]:
        return frozenset(
            tx.trigger
            for tx in self._transactions
            if tx.lot_id == lot_id and tx.kind is TxKind.RELEASE and tx.trigger is not None
        )

    def post(self, tx: Transaction) -> Ledger:
        """Validate and append ``tx``. Refuses: a repeated id (ConflictError), fewer than two
        postings, a zero or unknown-currency posting, an imbalance per currency (InputError),
        and any non-external account going below zero (ConflictError)."""
        where = f"transaction {tx.id}"
        if tx.id in self._ids:
            raise ConflictError(f"{where} is already posted")
        if len(tx.postings) < 2:
            raise InputError("needs at least two postings", source="ledger", field=where)
        for p in tx.postings:
            if p.amount == 0:
                raise InputError(f"zero posting to {p.account}", source="ledger", field=where)
            currency_code(p.currency, field=f"{where}.postings")
        unbalanced = tx.imbalances()
        if unbalanced:
            listing = ", ".join(f"{c} {s:+d}" for c, s in sorted(unbalanced.items()))
            raise InputError(
                f"postings do not sum to zero: {listing}", source="ledger", field=where
            )
        balances = dict(self._balances)
        for p in tx.postings:
            key = (p.account, p.currency)
            balances[key] = balances.get(key, 0) + p.amount
        for p in tx.postings:
            if p.account != EXTERNAL and balances[(p.account, p.currency)] < 0:
                raise ConflictError(
                    f"{where} would take {p.account} below zero "
                    f"({balances[(p.account, p.currency)]} {p.currency})"
                )
        new = Ledger()
        new._transactions = (*self._transactions, tx)
        new._balances = balances
        new._ids = self._ids | {tx.id}
        return new

    def post_all(self, transactions: Iterable[Transaction]) -> Ledger:
        ledger = self
        for tx in transactions:
            ledger = ledger.post(tx)
        return ledger


# --- transaction builders ------------------------------------------------------------------------


def _transfer(source: str, target: str, amount: int, currency: str) -> tuple[Posting, Posting]:
    return (
        Posting(account=source, amount=-amount, currency=currency),
        Posting(account=target, amount=amount, currency=currency),
    )


def _tx_id(*key: str) -> str:
    return stable_id("ledger-tx", *key)


def deposit(org_id: str, amount_minor: int, currency: str, reference: str) -> Transaction:
    """Money received from ``org_id``; ``reference`` is the payment provider's id (idempotency)."""
    if amount_minor <= 0:
        raise InputError("a deposit must be positive", source="ledger", field="amount_minor")
    code = currency_code(currency)
    return Transaction(
        id=_tx_id("deposit", org_id, reference),
        kind=TxKind.DEPOSIT,
        postings=_transfer(EXTERNAL, buyer_cash(org_id), amount_minor, code),
        memo=f"deposit {reference} from {org_id}",
    )


def fund_escrow(contract: ContractTerms) -> Transaction:
    """Move the lot's contract value from the funder's cash into the lot's escrow."""
    if contract.total_minor <= 0:
        raise InputError("the contract value is zero", source="contract", field="unit_price_minor")
    return Transaction(
        id=_tx_id(contract.lot_id, "fund", contract.contract_id),
        kind=TxKind.FUND_ESCROW,
        postings=_transfer(
            buyer_cash(contract.funding_org_id), escrow(contract.lot_id),
            contract.total_minor, contract.currency,
        ),
        memo=f"escrow for lot {contract.lot_id}",
        lot_id=contract.lot_id,
    )  # fmt: skip


def _pay_supplier(
    contract: ContractTerms, amount: int, kind: TxKind, trigger: str, memo: str
) -> Transaction:
    fee = amount * contract.platform_fee_bp // BASIS_POINTS
    cur = contract.currency
    postings = [Posting(account=escrow(contract.lot_id), amount=-amount, currency=cur)]
    if amount - fee:
        postings.append(
            Posting(account=payable(contract.supplier.org_id), amount=amount - fee, currency=cur)
        )
    if fee:
        postings.append(Posting(account=PLATFORM_FEES, amount=fee, currency=cur))
    return Transaction(
        id=_tx_id(contract.lot_id, kind.value, trigger),
        kind=kind,
        postings=tuple(postings),
        memo=memo,
        lot_id=contract.lot_id,
        trigger=trigger,
    )


def _partial_refunds(ledger: Ledger, contract: ContractTerms) -> int:
    return sum(
        1
        for tx in ledger.transactions
        if tx.lot_id == contract.lot_id
        and tx.kind is TxKind.REFUND
        and tx.trigger == "partial-acceptance"
    )


def _escrow_outflows(ledger: Ledger, contract: ContractTerms) -> tuple[int, int]:
    """What left the lot's escrow since its first partial acceptance (none before one): the
    refunds of partial acceptances, and the releases after the first of them."""
    account = escrow(contract.lot_id)
    refunded = released = 0
    partial = False
    for tx in ledger.transactions:
        if tx.lot_id != contract.lot_id:
            continue
        out = -sum(
            p.amount
            for p in tx.postings
            if p.account == account and p.currency == contract.currency and p.amount < 0
        )
        if tx.kind is TxKind.REFUND and tx.trigger == "partial-acceptance":
            refunded += out
            partial = True
        elif tx.kind is TxKind.RELEASE and partial:
            released += out
    return refunded, released


def _refund(
    contract: ContractTerms, amount: int, trigger: str, key: tuple[str, ...] | None = None
) -> Transaction:
    return Transaction(
        id=_tx_id(contract.lot_id, TxKind.REFUND.value, *(key or (trigger,))),
        kind=TxKind.REFUND,
        postings=_transfer(
            escrow(contract.lot_id), refunds(contract.funding_org_id), amount, contract.currency
        ),
        memo=f"refund of lot {contract.lot_id} on {trigger}",
        lot_id=contract.lot_id,
        trigger=trigger,
    )


def _milestone_releases(
    ledger: Ledger, contract: ContractTerms, balance: int, firing: set[str]
) -> list[Transaction]:
    released = ledger.released_triggers(contract.lot_id)
    remaining = [m for m in contract.payment_milestones if m.trigger.value not in released]
    if not remaining or balance <= 0:
        return []
    rank = {t.value: i for i, t in enumerate(MILESTONE_ORDER)}
    upto = max((rank[f] for f in firing if f in rank), default=-1)
    firing = {m.trigger.value for m in remaining if rank[m.trigger.value] <= upto}
    amounts = allocate(balance, [m.share_bp for m in remaining])
    return [
        _pay_supplier(
            contract, amount, TxKind.RELEASE, m.trigger.value,
            f"milestone {m.trigger.value} of lot {contract.lot_id}",
        )
        for m, amount in zip(remaining, amounts, strict=True)
        if m.trigger.value in firing and amount > 0
    ]  # fmt: skip


def release_for_transition(
    ledger: Ledger,
    outcome: TransitionOutcome,
    contract: ContractTerms,
    *,
    accepted_quantity: int | None = None,
) -> list[Transaction]:
    """The transactions a lot transition releases from escrow (often none).

    - a milestone's trigger action: release that milestone (see the module's release rule);
    - ``ship`` from PARTIALLY_ACCEPTED: refund the rejected share of the escrow balance
      (``balance - floor(balance * accepted / quantity)``) and release the ``accept_lot``
      milestone from what stays; ``accepted_quantity`` is required;
    - ``settle`` (dispute resolved): release everything left to the supplier.

    Post the returned transactions in order. Calling twice for the same transition returns
    transactions with the same ids, which the ledger refuses as already posted.
    """
    if outcome.machine != "lot":
        return []
    balance = ledger.escrow_balance(contract.lot_id, contract.currency)
    if balance <= 0:
        return []
    if outcome.action == LotAction.SETTLE:
        return [
            _pay_supplier(contract, balance, TxKind.RELEASE, LotAction.SETTLE.value,
                          f"dispute settlement of lot {contract.lot_id}")
        ]  # fmt: skip
    if outcome.action == LotAction.SHIP and outcome.previous_state is LotState.PARTIALLY_ACCEPTED:
        if accepted_quantity is None or not 0 < accepted_quantity < contract.quantity:
            raise InputError(
                f"accepted quantity {accepted_quantity!r} must be between 1 and "
                f"{contract.quantity - 1}",
                source="ledger",
                field="accepted_quantity",
            )
        # A lot can be accepted in part again (disputed, reworked, re-inspected): the accepted
        # share is then of what the escrow held at the first partial acceptance, less what was
        # released since, and each such refund is a transaction of its own.
        refunded, released = _escrow_outflows(ledger, contract)
        kept = max(0, (balance + refunded + released) * accepted_quantity // contract.quantity
                   - released)  # fmt: skip
        ordinal = _partial_refunds(ledger, contract)
        trigger = "partial-acceptance"
        key = (trigger,) if ordinal == 0 else (trigger, str(ordinal))
        refund = [_refund(contract, balance - kept, trigger, key)] if balance > kept else []
        return refund + _milestone_releases(
            ledger, contract, kept, {MilestoneTrigger.ACCEPT_LOT.value}
        )
    if outcome.action in {t.value for t in MilestoneTrigger}:
        return _milestone_releases(ledger, contract, balance, {outcome.action})
    return []


#: Cancelling from these states pays the supplier the contract's compensation share.
COMPENSATED_STATES = frozenset(
    {LotState.CONTRACTED, LotState.PROTOTYPE_SUBMITTED, LotState.PROTOTYPE_APPROVED,
     LotState.PROTOTYPE_REJECTED, LotState.IN_PRODUCTION, LotState.REWORK}
)  # fmt: skip


def refund_for(
    ledger: Ledger, outcome: TransitionOutcome, contract: ContractTerms
) -> list[Transaction]:
    """The transactions emptying the lot's escrow on ``cancel`` or ``terminate`` (else none).

    ``cancel`` by the buyer from a state in :data:`COMPENSATED_STATES` first pays the supplier
    ``floor(balance * cancellation_compensation_bp / 10000)`` (fee deducted); the rest goes to
    ``refunds:<funder>``. ``terminate`` (the supplier failed) and cancelling a dispute refund
    everything left. Money already released is not clawed back.
    """
    if outcome.machine != "lot" or outcome.action not in (LotAction.CANCEL, LotAction.TERMINATE):
        return []
    balance = ledger.escrow_balance(contract.lot_id, contract.currency)
    if balance <= 0:
        return []
    txs: list[Transaction] = []
    compensation = 0
    if outcome.action == LotAction.CANCEL and outcome.previous_state in COMPENSATED_STATES:
        compensation = balance * contract.cancellation_compensation_bp // BASIS_POINTS
        if compensation:
            txs.append(
                _pay_supplier(contract, compensation, TxKind.COMPENSATION, outcome.action,
                              f"cancellation compensation for lot {contract.lot_id}")
            )  # fmt: skip
    if balance - compensation:
        txs.append(_refund(contract, balance - compensation, outcome.action))
    return txs


def pay_out(ledger: Ledger, account: str, currency: str, reference: str) -> Transaction:
    """Pay the whole balance of a ``payable:`` or ``refunds:`` account to the outside world."""
    if not account.startswith(("payable:", "refunds:")):
        raise InputError(
            f"only payable and refund accounts are paid out, not {account}",
            source="ledger",
            field="account",
        )
    amount = ledger.balance(account, currency)
    if amount <= 0:
        raise ConflictError(f"{account} holds nothing to pay out in {currency}")
    return Transaction(
        id=_tx_id("payout", account, reference),
        kind=TxKind.PAYOUT,
        postings=_transfer(account, EXTERNAL, amount, currency),
        memo=f"payout {reference} from {account}",
    )


def money_in(ledger: Ledger, currency: str) -> int:
    """Net money received from the outside world (what the internal accounts hold)."""
    return -ledger.balance(EXTERNAL, currency)
