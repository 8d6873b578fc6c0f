"""Tables and repository of orders: the order, its parties, its lots and every transition.

An order's product specification is stored as JSON (the order file's model), its contract
defaults (delivery terms, quality plan, milestones, fees) as JSON too. ``version`` on orders and
lots is the optimistic-concurrency counter: :meth:`OrderRepository.compare_and_set_order` and
:meth:`OrderRepository.compare_and_set_lot` change a row only when its version is the one the
caller read (``UPDATE ... WHERE version = :v``), so of two racing transitions exactly one wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Row,
    String,
    Text,
    cast,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.util import identity_key

from fabnet.storage import snapshot_cache
from fabnet.storage.base import Base, TimestampMixin, utc_now

ID = String(64)


class OrderRow(TimestampMixin, Base):
    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    buyer_org_id: Mapped[str] = mapped_column(ID, ForeignKey("organisations.id"), index=True)
    created_by: Mapped[str] = mapped_column(ID, ForeignKey("users.id"))
    mode: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(30), index=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)
    currency: Mapped[str] = mapped_column(String(3))
    quantity: Mapped[int] = mapped_column(Integer)
    plan_id: Mapped[str | None] = mapped_column(ID)
    version: Mapped[int] = mapped_column(Integer, default=1)


LISTED_ORDER_COLUMNS = (
    "id", "name", "mode", "state", "version", "buyer_org_id", "created_by", "currency",
    "quantity", "plan_id", "created_at", "updated_at",
)  # fmt: skip
"""The columns of an order in a list besides its JSON documents (see ``orders_visible_to``)."""


class OrderPartyRow(Base):
    """One role of one organisation in one order (an organisation may hold several)."""

    __tablename__ = "order_parties"

    order_id: Mapped[str] = mapped_column(
        ID, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    org_id: Mapped[str] = mapped_column(ID, ForeignKey("organisations.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    signer_user_id: Mapped[str | None] = mapped_column(ID, ForeignKey("users.id"))


class LotRow(TimestampMixin, Base):
    """One manufacturer's share of an order: an item, a quantity, a price and a due date."""

    __tablename__ = "lots"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    order_id: Mapped[str] = mapped_column(ID, ForeignKey("orders.id"), index=True)
    plan_id: Mapped[str | None] = mapped_column(ID)
    facility_id: Mapped[str] = mapped_column(ID, index=True)
    manufacturer_org_id: Mapped[str] = mapped_column(ID, ForeignKey("organisations.id"), index=True)
    inspector_org_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("organisations.id"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    design_id: Mapped[str] = mapped_column(ID)
    item_id: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """The lot's place in its order: the plan's order of lots, continued by re-plans."""
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    due_date: Mapped[date] = mapped_column(Date)
    destinations: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(30), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    invitation_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    counter_offer: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    replaces_lot_id: Mapped[str | None] = mapped_column(ID)
    prototype_rejections: Mapped[int] = mapped_column(Integer, default=0)
    rework_rounds: Mapped[int] = mapped_column(Integer, default=0)
    accepted_quantity: Mapped[int | None] = mapped_column(Integer)
    disputed_from: Mapped[str | None] = mapped_column(String(30))
    decline_reason: Mapped[str | None] = mapped_column(Text)


class TransitionRow(Base):
    """Who moved an order or a lot from which state to which, when, why, with what evidence."""

    __tablename__ = "order_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ID, ForeignKey("orders.id"), index=True)
    object_type: Mapped[str] = mapped_column(String(10))
    object_id: Mapped[str] = mapped_column(ID, index=True)
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[str] = mapped_column(ID)
    actor_org_id: Mapped[str | None] = mapped_column(ID)
    role: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    evidence_sha256: Mapped[list[str]] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    audit_seq: Mapped[int] = mapped_column(Integer)


class OrderRepository:
    """Queries over orders, parties, lots and transitions inside the caller's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # orders
    def order(self, order_id: str) -> OrderRow | None:
        return self.session.get(OrderRow, order_id)

    def orders_visible_to(
        self, org_id: str | None, *, limit: int, after: tuple[datetime, str] | None
    ) -> Sequence[Row[Any]]:
        """Orders where ``org_id`` is a party or makes a lot (every order for None), as rows of
        columns (no ORM objects for a page): an order's ``spec`` and ``terms`` come as their
        stored JSON text, ``spec_json`` and ``terms_json``, to be parsed once by the reader."""
        query = select(
            *(getattr(OrderRow, name) for name in LISTED_ORDER_COLUMNS),
            cast(OrderRow.spec, Text).label("spec_json"),
            cast(OrderRow.terms, Text).label("terms_json"),
        )
        if org_id is not None:
            as_party = select(OrderPartyRow.order_id).where(OrderPartyRow.org_id == org_id)
            as_maker = select(LotRow.order_id).where(
                (LotRow.manufacturer_org_id == org_id) | (LotRow.inspector_org_id == org_id)
            )
            query = query.where(OrderRow.id.in_(as_party) | OrderRow.id.in_(as_maker))
        if after is not None:
            at, after_id = after
            query = query.where(
                (OrderRow.created_at > at)
                | ((OrderRow.created_at == at) & (OrderRow.id > after_id))
            )
        query = query.order_by(OrderRow.created_at, OrderRow.id).limit(limit)
        return self.session.execute(query).all()

    def _expire(self, row_type: type[Base], row_id: str) -> None:
        """Forget the loaded attributes of the one row a compare-and-set updated (only it
        changed; expiring every object of the session made each of them, the order's parties
        say, cost a query again when next read)."""
        loaded = self.session.identity_map.get(identity_key(row_type, row_id))
        if loaded is not None:
            self.session.expire(loaded)

    def compare_and_set_order(self, order_id: str, version: int, values: dict[str, Any]) -> bool:
        result = self.session.execute(
            update(OrderRow)
            .where(OrderRow.id == order_id, OrderRow.version == version)
            .values(**values, version=version + 1, updated_at=utc_now()),
            execution_options={"synchronize_session": False},
        )
        self._expire(OrderRow, order_id)
        return bool(getattr(result, "rowcount", 0))

    # parties
    def parties(self, order_id: str) -> list[OrderPartyRow]:
        def load() -> list[OrderPartyRow]:
            return list(
                self.session.scalars(
                    select(OrderPartyRow)
                    .where(OrderPartyRow.order_id == order_id)
                    .order_by(OrderPartyRow.role, OrderPartyRow.org_id)
                )
            )

        return list(snapshot_cache.remember(self.session, ("parties", order_id), load))

    def parties_of(self, order_ids: Sequence[str]) -> dict[str, list[Row[Any]]]:
        """The parties of each of ``order_ids`` (ordered as :meth:`parties` orders them), in one
        query however many orders: a page of orders reads its parties at once. Rows of
        ``org_id``, ``role`` and ``signer_user_id`` (no ORM objects)."""
        found: dict[str, list[Row[Any]]] = {order_id: [] for order_id in order_ids}
        if not found:
            return found
        rows = self.session.execute(
            select(
                OrderPartyRow.order_id,
                OrderPartyRow.org_id,
                OrderPartyRow.role,
                OrderPartyRow.signer_user_id,
            )
            .where(OrderPartyRow.order_id.in_(sorted(found)))
            .order_by(OrderPartyRow.order_id, OrderPartyRow.role, OrderPartyRow.org_id)
        )
        for row in rows:
            found[row.order_id].append(row)
        return found

    # lots
    def lot(self, lot_id: str) -> LotRow | None:
        return self.session.get(LotRow, lot_id)

    def lot_and_order(self, lot_id: str) -> tuple[LotRow, OrderRow] | None:
        """The lot and its order in one query (None for an unknown lot); none when this
        session has read both already (a page's read snapshot asks about one lot many times)."""
        known = self.session.identity_map.get(identity_key(LotRow, lot_id))
        if isinstance(known, LotRow):
            order = self.session.get(OrderRow, known.order_id)
            if order is not None:
                return known, order
        row = self.session.execute(
            select(LotRow, OrderRow)
            .join(OrderRow, OrderRow.id == LotRow.order_id)
            .where(LotRow.id == lot_id)
        ).first()
        return None if row is None else (row[0], row[1])

    def lots_of(self, order_id: str) -> list[LotRow]:
        return list(
            self.session.scalars(
                select(LotRow)
                .where(LotRow.order_id == order_id)
                .order_by(LotRow.position, LotRow.created_at, LotRow.id)
            )
        )

    def lots_in_states(self, states: Sequence[str]) -> list[LotRow]:
        return list(
            self.session.scalars(select(LotRow).where(LotRow.state.in_(states)).order_by(LotRow.id))
        )

    def compare_and_set_lot(self, lot_id: str, version: int, values: dict[str, Any]) -> bool:
        result = self.session.execute(
            update(LotRow)
            .where(LotRow.id == lot_id, LotRow.version == version)
            .values(**values, version=version + 1, updated_at=utc_now()),
            execution_options={"synchronize_session": False},
        )
        self._expire(LotRow, lot_id)
        return bool(getattr(result, "rowcount", 0))

    # transitions
    def preload_transitions(self, object_ids: Sequence[str]) -> None:
        """In a read snapshot: read the transitions of all ``object_ids`` in one query, so
        :meth:`transitions` of each is answered from the snapshot (nothing outside one)."""
        if not object_ids or not snapshot_cache.active(self.session):
            return
        found: dict[str, list[TransitionRow]] = {object_id: [] for object_id in object_ids}
        rows = self.session.scalars(
            select(TransitionRow)
            .where(TransitionRow.object_id.in_(sorted(found)))
            .order_by(TransitionRow.id)
        )
        for row in rows:
            found[row.object_id].append(row)
        for object_id, listed in found.items():
            snapshot_cache.store(self.session, ("transitions", object_id), listed)

    def transitions(self, object_id: str) -> list[TransitionRow]:
        def load() -> list[TransitionRow]:
            return list(
                self.session.scalars(
                    select(TransitionRow)
                    .where(TransitionRow.object_id == object_id)
                    .order_by(TransitionRow.id)
                )
            )

        return list(snapshot_cache.remember(self.session, ("transitions", object_id), load))
