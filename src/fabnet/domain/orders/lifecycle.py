"""Apply the Order and Lot life cycles: table-driven, role-checked, guarded.

Usage::

    outcome = apply_transition(LotState.INVITED, LotAction.ACCEPT, Role.MANUFACTURER,
                               TransitionContext())
    outcome.new_state  # LotState.ACCEPTED
    outcome.event_type  # "lot.accept"

The machine is chosen by the type of ``state``. Refusals, in this order:

1. the action does not exist from this state -> :class:`~fabnet.errors.TransitionError`
   (the message lists the actions that do);
2. the actor's role may not take it -> :class:`~fabnet.errors.PermissionDeniedError`;
3. a guard fails -> :class:`~fabnet.errors.TransitionError` naming every unmet guard.
"""

from __future__ import annotations

from pydantic import Field

from fabnet.domain.common import Frozen
from fabnet.domain.orders.roles import Role
from fabnet.domain.orders.states import (
    TERMINAL_LOT_STATES,
    TERMINAL_ORDER_STATES,
    LotAction,
    LotState,
    OrderAction,
    OrderState,
    Transition,
    TransitionContext,
)
from fabnet.domain.orders.transitions import (
    LOT_INDEX,
    LOT_TRANSITIONS,
    ORDER_INDEX,
    ORDER_TRANSITIONS,
)
from fabnet.errors import PermissionDeniedError, TransitionError

__all__ = [
    "ActionOption",
    "LotAction",
    "LotState",
    "OrderAction",
    "OrderState",
    "Role",
    "TransitionContext",
    "TransitionOutcome",
    "action_options",
    "allowed_actions",
    "apply_transition",
    "is_terminal",
    "transitions_from",
]

State = OrderState | LotState


class TransitionOutcome(Frozen):
    """The result of an accepted transition: what to store and which event to record."""

    machine: str = Field(description="'order' or 'lot'")
    previous_state: OrderState | LotState
    new_state: OrderState | LotState
    action: str
    event_type: str = Field(description="'<machine>.<action>', the audit event type")
    actor_role: Role
    reason: str | None = None
    evidence_sha256: tuple[str, ...] = ()
    replan_required: bool = Field(
        default=False, description="The lot's quantity must be sourced again"
    )
    terminal: bool = Field(default=False, description="The new state is final")


class ActionOption(Frozen):
    """An action offered from a state, for a role: allowed, or refused with reasons."""

    action: str
    target: OrderState | LotState | None = Field(
        description="None: back to the state before the dispute"
    )
    allowed: bool
    refusals: tuple[str, ...] = ()


def _machine(state: State) -> tuple[str, dict[tuple[str, str], Transition], tuple[Transition, ...]]:
    if isinstance(state, OrderState):
        return "order", ORDER_INDEX, ORDER_TRANSITIONS
    return "lot", LOT_INDEX, LOT_TRANSITIONS


def transitions_from(state: State) -> tuple[Transition, ...]:
    """Every table row leaving ``state`` (whatever the role and guards)."""
    _, _, rows = _machine(state)
    return tuple(row for row in rows if row.source is state)


def is_terminal(state: State) -> bool:
    return state in TERMINAL_ORDER_STATES or state in TERMINAL_LOT_STATES


def _refusals(row: Transition, context: TransitionContext) -> tuple[str, ...]:
    return tuple(msg for guard in row.guards if (msg := guard.check(context)) is not None)


def _target(row: Transition, context: TransitionContext) -> State:
    if row.target is not None:
        return row.target
    assert context.disputed_from is not None  # guaranteed by the RESUMABLE guard
    return context.disputed_from


def apply_transition(
    state: State,
    action: str,
    actor_role: Role,
    context: TransitionContext | None = None,
) -> TransitionOutcome:
    """Take ``action`` from ``state`` as ``actor_role``; see the module docstring for refusals."""
    ctx = context if context is not None else TransitionContext()
    machine, index, _ = _machine(state)
    row = index.get((state.value, str(action)))
    if row is None:
        offered = sorted({t.action for t in transitions_from(state)})
        listing = ", ".join(offered) if offered else "none: the state is final"
        raise TransitionError(
            f"{machine} in state {state.value} has no action {str(action)!r}",
            hint=f"actions from {state.value}: {listing}",
        )
    if actor_role not in row.roles:
        roles = ", ".join(sorted(r.value for r in row.roles))
        raise PermissionDeniedError(
            f"role {actor_role.value} may not {row.action} a {machine} in state {state.value}",
            hint=f"allowed roles: {roles}",
        )
    refusals = _refusals(row, ctx)
    if refusals:
        raise TransitionError(
            f"cannot {row.action} {machine} in state {state.value}: " + "; ".join(refusals)
        )
    new_state = _target(row, ctx)
    return TransitionOutcome(
        machine=machine,
        previous_state=state,
        new_state=new_state,
        action=row.action,
        event_type=row.event_type,
        actor_role=actor_role,
        reason=ctx.reason,
        evidence_sha256=ctx.evidence_sha256,
        replan_required=row.replan,
        terminal=is_terminal(new_state),
    )


def action_options(
    state: State, role: Role, context: TransitionContext | None = None
) -> tuple[ActionOption, ...]:
    """The actions ``role`` sees from ``state``, each allowed or with its refusals (for UIs)."""
    ctx = context if context is not None else TransitionContext()
    options = []
    for row in transitions_from(state):
        if role not in row.roles:
            continue
        refusals = _refusals(row, ctx)
        options.append(
            ActionOption(
                action=row.action, target=row.target, allowed=not refusals, refusals=refusals
            )
        )
    return tuple(options)


def allowed_actions(
    state: State, role: Role, context: TransitionContext | None = None
) -> tuple[str, ...]:
    """The actions ``role`` may take from ``state`` now: each one would succeed."""
    return tuple(o.action for o in action_options(state, role, context) if o.allowed)
