"""The parties of an order and the roles they act in."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """The role an actor plays in one order or lot (a user may hold several).

    Demand side: buyer, specifier, payer, recipient. Between: orchestrator (matcher; in the
    orchestrated mode the buyer's only counterpart) and inspector. Supply side: manufacturer.
    The licensor is the designer whose licence the contract carries. ``SYSTEM`` is fabnet itself
    acting on a timer or on a ledger event (invitation expiry, closing after the dispute window);
    it is never granted to a user.
    """

    BUYER = "buyer"
    SPECIFIER = "specifier"
    PAYER = "payer"
    RECIPIENT = "recipient"
    ORCHESTRATOR = "orchestrator"
    MANUFACTURER = "manufacturer"
    INSPECTOR = "inspector"
    LICENSOR = "licensor"
    SYSTEM = "system"
