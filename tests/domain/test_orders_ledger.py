"""Ledger: balanced postings, escrow, exact milestone releases, refunds, and a random walk of
lot transitions with the ledger attached (hypothesis RuleBasedStateMachine)."""

from __future__ import annotations

from collections import deque
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from orders_factories import contract_data

from fabnet.domain.orders.aql import Verdict
from fabnet.domain.orders.contracts import ContractTerms
from fabnet.domain.orders.ledger import (
    EXTERNAL,
    PLATFORM_FEES,
    Ledger,
    Posting,
    Transaction,
    TxKind,
    buyer_cash,
    deposit,
    fund_escrow,
    money_in,
    pay_out,
    payable,
    refund_for,
    refunds,
    release_for_transition,
)
from fabnet.domain.orders.lifecycle import (
    LotAction,
    LotState,
    Role,
    TransitionContext,
    TransitionOutcome,
    apply_transition,
)
from fabnet.domain.orders.milestones import allocate
from fabnet.domain.orders.states import TERMINAL_LOT_STATES
from fabnet.domain.orders.transitions import LOT_INDEX, LOT_TRANSITIONS
from fabnet.errors import ConflictError, InputError, PermissionDeniedError, TransitionError

EUR = "EUR"


def test_unbalanced_and_overdrawing_transactions_are_refused() -> None:
    ledger = Ledger()
    unbalanced = Transaction(id="t1", kind=TxKind.DEPOSIT, postings=(
        Posting(account=EXTERNAL, amount=-100, currency=EUR),
        Posting(account=buyer_cash("b"), amount=99, currency=EUR)))  # fmt: skip
    with pytest.raises(InputError, match="do not sum to zero: EUR -1"):
        ledger.post(unbalanced)
    mixed = Transaction(id="t2", kind=TxKind.DEPOSIT, postings=(
        Posting(account=EXTERNAL, amount=-100, currency=EUR),
        Posting(account=buyer_cash("b"), amount=100, currency="USD")))  # fmt: skip
    with pytest.raises(InputError, match="EUR -100, USD \\+100"):
        ledger.post(mixed)
    overdraw = Transaction(id="t3", kind=TxKind.FUND_ESCROW, postings=(
        Posting(account=buyer_cash("b"), amount=-1, currency=EUR),
        Posting(account="escrow:l", amount=1, currency=EUR)))  # fmt: skip
    with pytest.raises(ConflictError, match="below zero"):
        ledger.post(overdraw)
    ok = ledger.post(deposit("b", 100, EUR, "psp-1"))
    with pytest.raises(ConflictError, match="already posted"):
        ok.post(deposit("b", 100, EUR, "psp-1"))
    assert ledger.transactions == ()  # posting never mutates


@pytest.mark.parametrize("total", [0, 1, 7, 99_999, 10_001])
def test_allocation_never_creates_or_loses_a_cent(total: int) -> None:
    weights = [3333, 3333, 3334]
    parts = allocate(total, weights)
    assert sum(parts) == total
    exact = [total * w for w in weights]  # x 10,000
    assert all(abs(p * 10_000 - e) < 10_000 for p, e in zip(parts, exact, strict=True))


def _outcome(prev: LotState, action: LotAction, **ctx: Any) -> TransitionOutcome:
    row = LOT_INDEX[(prev.value, action.value)]
    return apply_transition(prev, action, sorted(row.roles)[0], TransitionContext(**ctx))


EVIDENCE = ("e" * 64,)


def test_milestones_release_exactly_the_escrow_with_fees(terms: ContractTerms) -> None:
    ledger = Ledger().post(deposit("org-buyer", terms.total_minor, EUR, "psp-1"))
    ledger = ledger.post(fund_escrow(terms))
    steps = [
        _outcome(LotState.ACCEPTED, LotAction.CONTRACT, contract_fully_signed=True,
                 escrow_funded=True),
        _outcome(LotState.PROTOTYPE_SUBMITTED, LotAction.APPROVE_PROTOTYPE,
                 evidence_sha256=EVIDENCE),
        _outcome(LotState.READY_FOR_INSPECTION, LotAction.ACCEPT_LOT, evidence_sha256=EVIDENCE,
                 inspection_verdict=Verdict.ACCEPT),
        _outcome(LotState.SHIPPED, LotAction.CONFIRM_DELIVERY),
    ]  # fmt: skip
    released = []
    for outcome in steps:
        txs = release_for_transition(ledger, outcome, terms)
        assert len(txs) == 1
        released.append(-txs[0].postings[0].amount)
        ledger = ledger.post_all(txs)
    assert released == [59_970, 19_990, 79_960, 39_980]  # 30/10/40/20 % of 199,900
    assert ledger.escrow_balance("lot-1", EUR) == 0
    fees = ledger.balance(PLATFORM_FEES, EUR)
    assert fees == sum(r * 250 // 10_000 for r in released)
    assert ledger.balance(payable("org-maker"), EUR) + fees == terms.total_minor
    # the same transition again releases nothing new
    assert release_for_transition(ledger, steps[-1], terms) == []


def test_a_skipped_milestone_is_released_with_the_next_one(terms: ContractTerms) -> None:
    """Found by the random walk: a rejected prototype, disputed and resolved by rework, goes on
    to lot inspection without ever firing approve_prototype; its share must not stay in escrow."""
    ledger = Ledger().post(deposit("org-buyer", terms.total_minor, EUR, "psp-1"))
    ledger = ledger.post(fund_escrow(terms))
    contract = _outcome(LotState.ACCEPTED, LotAction.CONTRACT, contract_fully_signed=True,
                        escrow_funded=True)  # fmt: skip
    ledger = ledger.post_all(release_for_transition(ledger, contract, terms))
    accept = _outcome(LotState.READY_FOR_INSPECTION, LotAction.ACCEPT_LOT,
                      evidence_sha256=EVIDENCE, inspection_verdict=Verdict.ACCEPT)  # fmt: skip
    txs = release_for_transition(ledger, accept, terms)
    assert sorted(t.trigger for t in txs) == ["accept_lot", "approve_prototype"]
    ledger = ledger.post_all(txs)
    delivery = _outcome(LotState.SHIPPED, LotAction.CONFIRM_DELIVERY)
    ledger = ledger.post_all(release_for_transition(ledger, delivery, terms))
    assert ledger.escrow_balance("lot-1", EUR) == 0


def test_buyer_cancelling_in_production_pays_compensation(terms: ContractTerms) -> None:
    ledger = Ledger().post(deposit("org-buyer", terms.total_minor, EUR, "psp-1"))
    ledger = ledger.post(fund_escrow(terms))
    contract = _outcome(LotState.ACCEPTED, LotAction.CONTRACT, contract_fully_signed=True,
                        escrow_funded=True)  # fmt: skip
    ledger = ledger.post_all(release_for_transition(ledger, contract, terms))
    remaining = ledger.escrow_balance("lot-1", EUR)
    cancel = _outcome(LotState.IN_PRODUCTION, LotAction.CANCEL, reason="design changed")
    txs = refund_for(ledger, cancel, terms)
    assert [t.kind for t in txs] == [TxKind.COMPENSATION, TxKind.REFUND]
    ledger = ledger.post_all(txs)
    assert ledger.escrow_balance("lot-1", EUR) == 0
    assert ledger.balance(refunds("org-buyer"), EUR) == remaining - remaining * 1500 // 10_000
    ledger = ledger.post(pay_out(ledger, refunds("org-buyer"), EUR, "bank-1"))
    assert ledger.balance(refunds("org-buyer"), EUR) == 0


def test_partial_acceptance_refunds_the_rejected_share(terms: ContractTerms) -> None:
    ledger = Ledger().post(deposit("org-buyer", terms.total_minor, EUR, "psp-1"))
    ledger = ledger.post(fund_escrow(terms))
    for prev, action, ctx in (
        (LotState.ACCEPTED, LotAction.CONTRACT, {"contract_fully_signed": True,
                                                  "escrow_funded": True}),
        (LotState.PROTOTYPE_SUBMITTED, LotAction.APPROVE_PROTOTYPE, {"evidence_sha256": EVIDENCE}),
    ):  # fmt: skip
        outcome = _outcome(prev, action, **ctx)
        ledger = ledger.post_all(release_for_transition(ledger, outcome, terms))
    assert ledger.escrow_balance("lot-1", EUR) == 119_940  # 60 % left
    ship = _outcome(LotState.PARTIALLY_ACCEPTED, LotAction.SHIP, evidence_sha256=EVIDENCE)
    with pytest.raises(InputError, match="accepted quantity"):
        release_for_transition(ledger, ship, terms)
    txs = release_for_transition(ledger, ship, terms, accepted_quantity=70)
    kept = 119_940 * 70 // 100
    assert txs[0].kind is TxKind.REFUND and -txs[0].postings[0].amount == 119_940 - kept
    assert txs[1].trigger == "accept_lot" and -txs[1].postings[0].amount == kept * 4000 // 6000
    ledger = ledger.post_all(txs)
    delivery = _outcome(LotState.SHIPPED, LotAction.CONFIRM_DELIVERY)
    ledger = ledger.post_all(release_for_transition(ledger, delivery, terms))
    # the last milestone takes exactly what is left
    assert ledger.escrow_balance("lot-1", EUR) == 0


# --- the random walk -----------------------------------------------------------------------------


def _reachable(start: LotState) -> set[LotState]:
    seen, todo = {start}, deque([start])
    while todo:
        state = todo.popleft()
        for row in LOT_TRANSITIONS:
            if row.source is state:
                targets = [row.target] if row.target else list(LotState)
                for target in map(LotState, targets):
                    if target not in seen:
                        seen.add(target)
                        todo.append(target)
    return seen


REACHABLE = _reachable(LotState.INVITED)
MONEY_SETTLED = {LotState.DELIVERED, LotState.PAID, LotState.CLOSED, LotState.CANCELLED,
                 LotState.TERMINATED}  # fmt: skip


@st.composite
def contracts(draw: st.DrawFn) -> ContractTerms:
    prototype = draw(st.booleans())
    triggers = ["contract", "accept_lot", "confirm_delivery"]
    if prototype:
        triggers.insert(1, "approve_prototype")
    chosen = draw(st.lists(st.sampled_from(triggers), min_size=1, max_size=len(triggers),
                           unique=True))  # fmt: skip
    cuts = sorted(draw(st.lists(st.integers(1, 9_999), min_size=len(chosen) - 1,
                                max_size=len(chosen) - 1, unique=True)))  # fmt: skip
    bounds = [0, *cuts, 10_000]
    milestones = [{"trigger": t, "share_bp": bounds[i + 1] - bounds[i]}
                  for i, t in enumerate(chosen)]  # fmt: skip
    return ContractTerms.parse(contract_data(
        quantity=draw(st.integers(2, 5_000)),
        unit_price_minor=draw(st.integers(1, 100_000)),
        currency=draw(st.sampled_from(["EUR", "JPY", "KES", "KWD"])),
        quality={"prototype_required": prototype, "max_prototype_attempts": 2,
                 "max_rework_rounds": 1},
        payment_milestones=milestones,
        platform_fee_bp=draw(st.integers(0, 2_000)),
        cancellation_compensation_bp=draw(st.integers(0, 10_000)),
    ))  # fmt: skip


class LotWithLedger(RuleBasedStateMachine):
    """Random lot transitions with truthful facts from the ledger; money moves as services
    would move it. Invariants hold after every step."""

    def __init__(self) -> None:
        super().__init__()
        self.state = LotState.INVITED
        self.ledger = Ledger()
        self.prototype_rejections = 0
        self.rework_rounds = 0
        self.accepted_quantity: int | None = None
        self.disputed_from: LotState | None = None
        self.deposits = 0
        self.paid_out = 0

    @initialize(terms=contracts())
    def sign(self, terms: ContractTerms) -> None:
        self.terms = terms

    @property
    def currency(self) -> str:
        return self.terms.currency

    @rule(amount=st.integers(1, 10**9))
    def buyer_pays_in(self, amount: int) -> None:
        self.deposits += 1
        self.ledger = self.ledger.post(
            deposit(self.terms.funding_org_id, amount, self.currency, f"psp-{self.deposits}")
        )

    @rule()
    def fund(self) -> None:
        tx = fund_escrow(self.terms)
        if self.state is not LotState.ACCEPTED or self.ledger.has(tx.id):
            return
        cash = self.ledger.balance(buyer_cash(self.terms.funding_org_id), self.currency)
        if cash < self.terms.total_minor:
            with pytest.raises(ConflictError):
                self.ledger.post(tx)
            # the buyer pays the invoice for the shortfall
            self.buyer_pays_in(self.terms.total_minor - cash)
        self.ledger = self.ledger.post(tx)

    @rule(account=st.sampled_from(["payable", "refunds"]))
    def pay_out_balances(self, account: str) -> None:
        org = self.terms.supplier.org_id if account == "payable" else self.terms.funding_org_id
        name = payable(org) if account == "payable" else refunds(org)
        if self.ledger.balance(name, self.currency) > 0:
            self.paid_out += 1
            self.ledger = self.ledger.post(
                pay_out(self.ledger, name, self.currency, f"bank-{self.paid_out}")
            )

    def _context(self, data: st.DataObject) -> TransitionContext:
        funded = self.ledger.has(fund_escrow(self.terms).id)
        escrow = self.ledger.escrow_balance(self.terms.lot_id, self.currency)
        return TransitionContext(
            reason=data.draw(st.sampled_from([None, "a reason", "a reason"])),
            evidence_sha256=data.draw(st.sampled_from([(), ("e" * 64,), ("e" * 64,)])),
            counter_offer_present=data.draw(st.booleans()),
            invitation_expired=data.draw(st.booleans()),
            contract_fully_signed=data.draw(st.sampled_from([False, True, True])),
            escrow_funded=funded,
            prototype_required=self.terms.quality.prototype_required,
            prototype_rejections=self.prototype_rejections,
            max_prototype_attempts=self.terms.quality.max_prototype_attempts,
            inspection_verdict=data.draw(st.sampled_from([None, *Verdict])),
            lot_quantity=self.terms.quantity,
            accepted_quantity=data.draw(st.integers(0, self.terms.quantity)),
            rework_rounds=self.rework_rounds,
            max_rework_rounds=self.terms.quality.max_rework_rounds,
            payment_complete=funded and escrow == 0,
            dispute_window_open=data.draw(st.booleans()),
            disputed_from=self.disputed_from,
        )

    @rule(data=st.data(), action=st.sampled_from(list(LotAction)), role=st.sampled_from(list(Role)))
    def any_transition(self, data: st.DataObject, action: LotAction, role: Role) -> None:
        self._attempt(data, action, role)

    @rule(data=st.data())
    def offered_transition(self, data: st.DataObject) -> None:
        """An action the table offers from the current state, by one of its roles."""
        rows = [r for r in LOT_TRANSITIONS if r.source is self.state]
        if not rows:
            return
        forward = [r for r in rows if r.target not in TERMINAL_LOT_STATES] or rows
        row = data.draw(
            st.one_of(st.sampled_from(forward), st.sampled_from(forward), st.sampled_from(rows))
        )
        self._attempt(data, LotAction(row.action), data.draw(st.sampled_from(sorted(row.roles))))

    @rule(data=st.data())
    def another_offered_transition(self, data: st.DataObject) -> None:
        """Offered actions twice as likely as arbitrary ones: walks reach the late states."""
        self.offered_transition(data)

    def _attempt(self, data: st.DataObject, action: LotAction, role: Role) -> None:
        ctx = self._context(data)
        row = LOT_INDEX.get((self.state.value, action.value))
        try:
            outcome = apply_transition(self.state, action, role, ctx)
        except PermissionDeniedError:
            assert row is not None and role not in row.roles
            return
        except TransitionError:
            assert row is None or any(g.check(ctx) for g in row.guards)
            return
        assert row is not None and role in row.roles
        assert not any(g.check(ctx) for g in row.guards)
        txs = refund_for(self.ledger, outcome, self.terms) + release_for_transition(
            self.ledger, outcome, self.terms,
            accepted_quantity=self.accepted_quantity
            if outcome.previous_state is LotState.PARTIALLY_ACCEPTED else None,
        )  # fmt: skip
        for tx in txs:
            assert not tx.imbalances()
        self.ledger = self.ledger.post_all(txs)
        self._remember(outcome, ctx)
        self.state = LotState(outcome.new_state)

    def _remember(self, outcome: TransitionOutcome, ctx: TransitionContext) -> None:
        if outcome.action == LotAction.REJECT_PROTOTYPE:
            self.prototype_rejections += 1
        if outcome.action in (LotAction.REWORK, LotAction.RESOLVE_WITH_REWORK):
            self.rework_rounds += 1
        if outcome.action == LotAction.ACCEPT_PARTIALLY:
            self.accepted_quantity = ctx.accepted_quantity
        if outcome.new_state is LotState.DISPUTED:
            self.disputed_from = LotState(outcome.previous_state)

    @invariant()
    def money_is_conserved_and_escrow_never_negative(self) -> None:
        if not hasattr(self, "terms"):
            return
        balances = self.ledger.balances()
        for tx in self.ledger.transactions:
            assert not tx.imbalances()
        internal = sum(v for (acct, cur), v in balances.items()
                       if acct != EXTERNAL and cur == self.currency)  # fmt: skip
        assert money_in(self.ledger, self.currency) == internal
        for (acct, _), value in balances.items():
            if acct != EXTERNAL:
                assert value >= 0, acct

    @invariant()
    def state_is_reachable_and_money_matches_it(self) -> None:
        assert self.state in REACHABLE
        if not hasattr(self, "terms"):
            return
        escrow = self.ledger.escrow_balance(self.terms.lot_id, self.currency)
        if self.state in MONEY_SETTLED:
            assert escrow == 0, self.state
        if self.ledger.has(fund_escrow(self.terms).id):
            paid = self.ledger.balance(payable(self.terms.supplier.org_id), self.currency)
            out = sum(
                -p.amount for tx in self.ledger.transactions if tx.kind is TxKind.PAYOUT
                for p in tx.postings if p.amount < 0
            )  # fmt: skip
            refunded = self.ledger.balance(refunds(self.terms.funding_org_id), self.currency)
            fees = self.ledger.balance(PLATFORM_FEES, self.currency)
            assert escrow + paid + refunded + fees + out == self.terms.total_minor


LotWithLedger.TestCase.settings = settings(
    max_examples=200, stateful_step_count=100, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
TestLotWithLedger = LotWithLedger.TestCase


def test_a_second_partial_acceptance_refunds_only_the_newly_rejected_share(
    terms: ContractTerms,
) -> None:
    """Accepted in part, disputed, reworked and accepted in part again (found by the random
    walk): the second refund is a transaction of its own, and the two refunds together return
    exactly the share the last inspection rejected, never more."""
    ledger = Ledger().post(deposit("org-buyer", terms.total_minor, EUR, "psp-1"))
    ledger = ledger.post(fund_escrow(terms))
    contract = _outcome(LotState.ACCEPTED, LotAction.CONTRACT, contract_fully_signed=True,
                        escrow_funded=True)  # fmt: skip
    ledger = ledger.post_all(release_for_transition(ledger, contract, terms))
    held = ledger.escrow_balance("lot-1", EUR)
    ship = _outcome(LotState.PARTIALLY_ACCEPTED, LotAction.SHIP, evidence_sha256=EVIDENCE)
    first = release_for_transition(ledger, ship, terms, accepted_quantity=80)
    ledger = ledger.post_all(first)
    again = release_for_transition(ledger, ship, terms, accepted_quantity=60)
    refunds = [tx for tx in (*first, *again) if tx.kind is TxKind.REFUND]
    assert len(refunds) == 2 and refunds[0].id != refunds[1].id
    ledger = ledger.post_all(again)
    refunded = sum(-tx.postings[0].amount for tx in refunds)
    assert refunded == held - held * 60 // 100
    # accepted more the second time: nothing more is refunded, nothing is taken back
    more = release_for_transition(ledger, ship, terms, accepted_quantity=90)
    assert [tx for tx in more if tx.kind is TxKind.REFUND] == []
