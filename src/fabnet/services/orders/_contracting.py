"""Contract drafting and the facts of a lot's contracts: licences, parties, delivery terms, the
signed terms stored; which contract holds a lot's escrow."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fabnet.domain.orders.canonical import sha256_hex
from fabnet.domain.orders.contracts import (
    ContractMode,
    ContractTerms,
    DesignRef,
    Party,
)
from fabnet.domain.orders.incoterms import DeliveryTerms
from fabnet.domain.orders.licensing import LicenceCheck, check_licence
from fabnet.domain.orders.roles import Role
from fabnet.errors import (
    InputError,
)
from fabnet.services.orders._access import (
    Actor,
    stale,
)
from fabnet.services.orders._views import (
    LicensorPermission,
    order_terms,
)
from fabnet.services.orders.audit import record_event
from fabnet.standards.order_file import OrderSpec
from fabnet.storage import snapshot_cache
from fabnet.storage.contracts import ContractRow, ContractSignatureRow
from fabnet.storage.design_tables import DesignRow
from fabnet.storage.facility_tables import FacilityRow
from fabnet.storage.orders import LotRow, OrderPartyRow, OrderRepository, OrderRow


def lot_contract(session: Session, lot_id: str) -> tuple[ContractRow, ContractTerms] | None:
    """The contract that holds the lot's escrow (direct, or the orchestrator's)."""
    row = session.scalar(
        select(ContractRow)
        .where(ContractRow.lot_id == lot_id, ContractRow.kind != "subcontract")
        .order_by(ContractRow.created_at.desc())
    )
    if row is None:
        return None
    return row, ContractTerms.from_json(row.terms_json.encode("utf-8"), source=f"contract {row.id}")


def lot_contracts_signed(session: Session, lot_id: str) -> bool:
    rows = list(session.scalars(select(ContractRow).where(ContractRow.lot_id == lot_id)))
    return bool(rows) and all(r.status == "signed" for r in rows)


def _signatures(session: Session, contract_id: str) -> list[ContractSignatureRow]:
    def load() -> list[ContractSignatureRow]:
        return list(
            session.scalars(
                select(ContractSignatureRow)
                .where(ContractSignatureRow.contract_id == contract_id)
                .order_by(ContractSignatureRow.signed_at, ContractSignatureRow.signer_id)
            )
        )

    return list(snapshot_cache.remember(session, ("signatures", contract_id), load))


def lot_contract_rows(session: Session, lot_id: str) -> list[ContractRow]:
    """The lot's contracts, oldest first."""

    def load() -> list[ContractRow]:
        return list(session.scalars(
            select(ContractRow).where(ContractRow.lot_id == lot_id)
            .order_by(ContractRow.created_at, ContractRow.id)
        ))  # fmt: skip

    return list(snapshot_cache.remember(session, ("contracts", lot_id), load))


def preload_contracts(session: Session, lot_ids: Sequence[str]) -> None:
    """In a read snapshot: the contracts of all ``lot_ids`` and their signatures in one query
    each, so :func:`lot_contract_rows` and :func:`_signatures` of each are answered from it."""
    if not lot_ids or not snapshot_cache.active(session):
        return
    contracts: dict[str, list[ContractRow]] = {lot_id: [] for lot_id in lot_ids}
    for row in session.scalars(
        select(ContractRow).where(ContractRow.lot_id.in_(sorted(contracts)))
        .order_by(ContractRow.created_at, ContractRow.id)
    ):  # fmt: skip
        contracts[row.lot_id].append(row)
    signatures: dict[str, list[ContractSignatureRow]] = {
        row.id: [] for rows in contracts.values() for row in rows
    }
    if signatures:
        for sig in session.scalars(
            select(ContractSignatureRow)
            .where(ContractSignatureRow.contract_id.in_(sorted(signatures)))
            .order_by(ContractSignatureRow.signed_at, ContractSignatureRow.signer_id)
        ):
            signatures[sig.contract_id].append(sig)
    for lot_id, rows in contracts.items():
        snapshot_cache.store(session, ("contracts", lot_id), rows)
    for contract_id, sigs in signatures.items():
        snapshot_cache.store(session, ("signatures", contract_id), sigs)


# --- licences ------------------------------------------------------------------------------------


def design_licence(session: Session, order: OrderRow, design_id: str) -> LicenceCheck:
    """What the design's licence asks for a paid order, with the order's licensor permission."""
    design = session.get(DesignRow, design_id)
    if design is None:
        raise InputError(f"design {design_id} is not in the registry", field="design_id")
    return check_licence(
        design.license or "",
        paid_order=True,
        licensor_permission=order_terms(order).licensor_permission is not None,
        source=f"design {design_id}",
    )


def refuse_unlicensed(session: Session, order: OrderRow, design_ids: set[str]) -> None:
    """InputError naming the first design whose licence forbids this paid order."""
    for design_id in sorted(design_ids):
        check = design_licence(session, order, design_id)
        if not check.allowed:
            raise InputError(
                check.reason,
                source=f"design {design_id}",
                field="license",
                hint="ask the design's licensor for its permission (Permissions in the web "
                "interface, POST /v1/orders/{id}/permission-requests) or record its written "
                "permission on the order first",
            )


def set_licensor_permission(
    session: Session,
    order: OrderRow,
    evidence_sha256: str,
    *,
    note: str,
    actor_id: str,
    role: Role,
    occurred_at: datetime,
    payload: dict[str, str] | None = None,
) -> None:
    """Record the licensor's written permission (a stored document) on the order's terms, so
    that its designs under non-commercial licences may be awarded; audited."""
    terms = order_terms(order).model_copy(
        update={"licensor_permission": LicensorPermission(evidence_sha256=evidence_sha256,
                                                          note=note)}
    )  # fmt: skip
    if not OrderRepository(session).compare_and_set_order(
        order.id, order.version, {"terms": terms.model_dump(mode="json")}
    ):
        raise stale("order", order.id, order.version, None)
    session.refresh(order)
    record_event(
        session, actor_id=actor_id, role=role, object_type="order", object_id=order.id,
        event_type="order.licensor_permission", occurred_at=occurred_at,
        payload={"note": note, **(payload or {})}, evidence_sha256=[evidence_sha256],
    )  # fmt: skip


# --- drafting ------------------------------------------------------------------------------------


def _signer(parties: list[OrderPartyRow], role: Role, org_id: str, fallback: str | None) -> str:
    for p in parties:
        if p.role == role.value and p.org_id == org_id and p.signer_user_id:
            return p.signer_user_id
    if fallback is None:
        raise InputError(
            f"the {role.value} party {org_id} has no signer",
            source="order",
            field="parties",
            hint="name the user who signs for it (signer_user_id)",
        )
    return fallback


def _place_label(session: Session, order: OrderRow, kind: str, place_id: str) -> str:
    """A lot destination in words: a delivery point's name and place, or an assembly site's
    facility name and town (the id in brackets when nothing better is known)."""
    if kind == "delivery_point":
        try:
            spec = OrderSpec.model_validate(order.spec)
        except ValueError:
            return place_id
        for dp, dp_id in zip(spec.delivery_points, spec.delivery_point_ids(), strict=True):
            if dp_id == place_id:
                where = dp.place or (f"{dp.coordinates[0]:.4f}, {dp.coordinates[1]:.4f}"
                                     if dp.coordinates else "")  # fmt: skip
                label = dp.name if dp.name and dp.name != where else ""
                return ", ".join(x for x in (label, where) if x) or place_id
        return place_id
    facility = session.get(FacilityRow, place_id)
    if facility is None:
        return f"assembly site {place_id}"
    town = ", ".join(x for x in (facility.city, facility.country) if x)
    return f"assembly site {facility.name}" + (f", {town}" if town else "")


def lot_delivery(
    session: Session, order: OrderRow, lot: LotRow, delivery: DeliveryTerms
) -> DeliveryTerms:
    """The order's Incoterm rule and transport mode, named at this lot's own destinations
    (each with its quantity), so every lot's contract says where its goods go."""
    places = [
        (_place_label(session, order, str(d["kind"]), str(d["id"])), int(d["quantity"]))
        for d in lot.destinations
        if int(d.get("quantity", 0)) > 0
    ]
    if not places:
        return delivery
    if len(places) == 1:
        named = places[0][0]
    else:
        named = "; ".join(f"{label} ({qty} units)" for label, qty in places)
    return delivery.model_copy(update={"named_place": named})


def _terms(
    session: Session,
    order: OrderRow,
    lot: LotRow,
    mode: ContractMode,
    parties: tuple[Party, ...],
) -> ContractTerms:
    terms = order_terms(order)
    design = session.get(DesignRow, lot.design_id)
    if design is None:
        raise InputError(f"design {lot.design_id} is not in the registry", field="design_id")
    licence = design_licence(session, order, lot.design_id)
    if not licence.allowed:
        raise InputError(licence.reason, source=f"design {lot.design_id}", field="license")
    if terms.delivery is None:
        raise InputError("the order has no delivery terms", source="order", field="terms.delivery")
    return ContractTerms(
        contract_id=str(uuid.uuid4()),
        order_id=order.id,
        lot_id=lot.id,
        mode=mode,
        parties=parties,
        design=DesignRef(
            design_id=design.id, version=design.version, manifest_sha256=design.content_sha256
        ),
        licence=licence.expression,
        licence_chosen=licence.chosen,
        licence_obligations=licence.obligations,
        licensor=tuple(design.licensor),
        quantity=lot.quantity,
        unit_price_minor=lot.unit_price_minor,
        currency=lot.currency,
        due_date=lot.due_date,
        delivery=lot_delivery(session, order, lot, terms.delivery),
        quality=terms.quality,
        payment_milestones=terms.payment_milestones,
        platform_fee_bp=terms.platform_fee_bp,
        cancellation_compensation_bp=terms.cancellation_compensation_bp,
        dispute_window_days=terms.dispute_window_days,
    )


def _store(
    session: Session,
    terms: ContractTerms,
    kind: str,
    parent_id: str | None,
    actor: Actor,
    now: datetime,
) -> ContractRow:
    body = terms.canonical_json()
    row = ContractRow(
        id=terms.contract_id,
        order_id=terms.order_id,
        lot_id=terms.lot_id,
        kind=kind,
        parent_id=parent_id,
        terms_json=body.decode("utf-8"),
        terms_sha256=sha256_hex(body),
        status="awaiting-signatures",
        created_at=now,
    )
    session.add(row)
    session.flush()
    record_event(
        session, actor_id=actor.actor_id, role=actor.role, object_type="contract",
        object_id=row.id, event_type="contract.draft", occurred_at=now,
        payload={"order_id": row.order_id, "lot_id": row.lot_id, "kind": kind,
                 "terms_sha256": row.terms_sha256},
    )  # fmt: skip
    return row


def draft_contracts(
    session: Session,
    order: OrderRow,
    parties: list[OrderPartyRow],
    lot: LotRow,
    *,
    manufacturer_signer: str,
    actor: Actor,
    now: datetime,
) -> list[ContractRow]:
    """The lot's contract(s) for the order's mode, awaiting every party's signature."""
    buyer = Party(
        role=Role.BUYER,
        org_id=order.buyer_org_id,
        signer_id=_signer(parties, Role.BUYER, order.buyer_org_id, order.created_by),
    )
    payer = [
        Party(
            role=Role.PAYER, org_id=p.org_id, signer_id=_signer(parties, Role.PAYER, p.org_id, None)
        )
        for p in parties
        if p.role == Role.PAYER.value and p.org_id != order.buyer_org_id
    ][:1]
    if ContractMode(order.mode) is ContractMode.DIRECT:
        maker = Party(
            role=Role.MANUFACTURER, org_id=lot.manufacturer_org_id, signer_id=manufacturer_signer
        )
        terms = _terms(session, order, lot, ContractMode.DIRECT, (buyer, *payer, maker))
        return [_store(session, terms, "direct", None, actor, now)]
    orchestrators = [p for p in parties if p.role == Role.ORCHESTRATOR.value]
    if not orchestrators:
        raise InputError("an orchestrated order needs an orchestrator party", field="parties")
    orc = orchestrators[0]
    orc_party = Party(
        role=Role.ORCHESTRATOR,
        org_id=orc.org_id,
        signer_id=_signer(parties, Role.ORCHESTRATOR, orc.org_id, None),
    )
    master_terms = _terms(
        session, order, lot, ContractMode.ORCHESTRATED, (buyer, *payer, orc_party)
    )
    master = _store(session, master_terms, "orchestrated", None, actor, now)
    sub_terms = _terms(
        session, order, lot, ContractMode.DIRECT,
        (
            Party(role=Role.BUYER, org_id=orc.org_id, signer_id=orc_party.signer_id),
            Party(role=Role.MANUFACTURER, org_id=lot.manufacturer_org_id,
                  signer_id=manufacturer_signer),
        ),
    )  # fmt: skip
    return [master, _store(session, sub_terms, "subcontract", master.id, actor, now)]
