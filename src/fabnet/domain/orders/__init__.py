"""The pure domain of multi-manufacturer orders.

Submodules (import them directly; nothing is re-exported here):

- :mod:`~fabnet.domain.orders.roles`: the parties' roles (:class:`Role`).
- :mod:`~fabnet.domain.orders.lifecycle`: Order and Lot state machines, ``apply_transition``,
  ``allowed_actions``.
- :mod:`~fabnet.domain.orders.licensing`: what a design's SPDX licence asks of a manufacturer.
- :mod:`~fabnet.domain.orders.aql`: ISO 2859-1 / ANSI/ASQ Z1.4 single sampling plans.
- :mod:`~fabnet.domain.orders.currency`, :mod:`~fabnet.domain.orders.ledger`: double-entry
  ledger in integer minor units, escrow per lot, milestone releases and refunds.
- :mod:`~fabnet.domain.orders.audit`: the hash-chained audit trail.
- :mod:`~fabnet.domain.orders.incoterms`, :mod:`~fabnet.domain.orders.contracts`,
  :mod:`~fabnet.domain.orders.signing`: contract terms, canonical form, Ed25519 signatures.

All of it is pure: no storage, no web, no clock (callers pass times in).
"""
