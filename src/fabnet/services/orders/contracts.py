"""Contracts: drafted when a manufacturer accepts a lot, signed by every party's user with their
Ed25519 key, verified against the stored canonical terms.

Direct mode: one contract per lot between the buyer (and the payer, when another organisation
pays) and the manufacturer. Orchestrated mode: per lot, a contract between the buyer and the
orchestrator (it holds the lot's escrow: the orchestrator is paid and carries the risk) and a
subcontract between the orchestrator (as the buyer party) and the manufacturer, whose payment
the orchestrator settles outside fabnet's escrow. The domain's ``ContractTerms`` are per lot
(quantity, price, escrow account), so the buyer-orchestrator agreement is one contract per lot
rather than one per order.

Signers: the buyer party's signer (the order's ``signer_user_id`` for the role, else the user
who created the order), the manufacturer's user who accepted the lot, the orchestrator's and the
payer's designated signers. A lot becomes CONTRACTED (as fabnet, role ``system``) when every
contract of the lot is signed and its escrow is funded.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from fabnet.domain.common import Frozen
from fabnet.domain.identity import Principal, Scope
from fabnet.domain.orders.contracts import (
    ContractSignature,
    ContractTerms,
    ContractVerification,
    sign_terms,
)
from fabnet.domain.orders.contracts import verify_contract as verify_terms
from fabnet.domain.orders.roles import Role
from fabnet.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
)
from fabnet.outbox.queue import submit
from fabnet.services.identity.accounts import load_user_signing_key
from fabnet.services.orders._access import SYSTEM, can_see_lot, load_lot
from fabnet.services.orders._contracting import _signatures, lot_contract_rows
from fabnet.services.orders._reactions import contract_ready_lots
from fabnet.services.orders.audit import record_event
from fabnet.services.orders.contract_pdf import PartyNames, render_contract_pdf
from fabnet.settings import Settings, get_settings
from fabnet.storage.base import utc_now
from fabnet.storage.contracts import ContractRow, ContractSignatureRow
from fabnet.storage.db import Database
from fabnet.storage.files import FileStore, StoredFileRepository
from fabnet.storage.identity import OrganisationRow, UserRow, aware
from fabnet.storage.orders import LotRow, OrderPartyRow, OrderRepository, OrderRow


class ContractView(Frozen):
    id: str
    order_id: str
    lot_id: str
    kind: str = Field(description="direct, orchestrated or subcontract")
    parent_id: str | None
    status: str = Field(description="awaiting-signatures or signed")
    terms: ContractTerms
    terms_sha256: str
    pdf_sha256: str | None
    signatures: tuple[ContractSignature, ...]
    created_at: datetime


def _view(row: ContractRow, sigs: list[ContractSignatureRow]) -> ContractView:
    return ContractView(
        id=row.id,
        order_id=row.order_id,
        lot_id=row.lot_id,
        kind=row.kind,
        parent_id=row.parent_id,
        status=row.status,
        terms=ContractTerms.from_json(row.terms_json.encode("utf-8"), source=f"contract {row.id}"),
        terms_sha256=row.terms_sha256,
        pdf_sha256=row.pdf_sha256,
        signatures=tuple(
            ContractSignature(
                signer_id=s.signer_id,
                role=Role(s.role),
                terms_sha256=s.terms_sha256,
                signature=s.signature,
            )
            for s in sigs
        ),
        created_at=aware(row.created_at),
    )


# --- use cases -----------------------------------------------------------------------------------


def _visible_contract(
    session: Session, contract_id: str, actor: Principal | None, scope: Scope = Scope.READ
) -> tuple[ContractRow, OrderRow, list[OrderPartyRow], LotRow]:
    if actor is not None:
        actor.require(scope)
    row = session.get(ContractRow, contract_id)
    if row is None:
        raise NotFoundError(f"no contract with id {contract_id}")
    repo = OrderRepository(session)
    lot = repo.lot(row.lot_id)
    order = repo.order(row.order_id)
    assert lot is not None and order is not None
    parties = repo.parties(order.id)
    if actor is not None and not can_see_lot(actor, parties, lot):
        raise NotFoundError(f"no contract with id {contract_id}")
    # The buyer-orchestrator contract is not the subcontracted manufacturer's business.
    if (
        actor is not None
        and row.kind == "orchestrated"
        and not actor.is_platform_admin
        and not any(p.org_id == actor.org_id for p in parties)
    ):
        raise NotFoundError(f"no contract with id {contract_id}")
    return row, order, parties, lot


def get_contract(db: Database, actor: Principal | None, contract_id: str) -> ContractView:
    with db.read() as session:
        row, *_ = _visible_contract(session, contract_id, actor)
        return _view(row, _signatures(session, row.id))


def list_lot_contracts(db: Database, actor: Principal | None, lot_id: str) -> list[ContractView]:
    with db.read() as session:
        load_lot(session, lot_id, actor)
        views = []
        for row in lot_contract_rows(session, lot_id):
            try:
                _visible_contract(session, row.id, actor)
            except NotFoundError:
                continue
            views.append(_view(row, _signatures(session, row.id)))
        return views


def sign_contract(
    db: Database,
    actor: Principal,
    contract_id: str,
    *,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> ContractView:
    """``actor`` signs the contract's terms hash with their Ed25519 key, as the party they are
    the signer of. When every party has signed, the lot is contracted (escrow permitting)."""
    settings = settings or get_settings()
    at = now or utc_now()
    with db.read() as session:
        row, *_ = _visible_contract(session, contract_id, actor, Scope.WRITE)
        terms = ContractTerms.from_json(row.terms_json.encode("utf-8"))
    party = next((p for p in terms.parties if p.signer_id == actor.user_id), None)
    if party is None:
        raise PermissionDeniedError(
            "you are not a signer of this contract",
            hint="signers: " + ", ".join(f"{p.role.value} {p.signer_id}" for p in terms.parties),
        )
    key = load_user_signing_key(db, actor.user_id, settings=settings)
    signature = sign_terms(terms, party, key)
    with db.transaction() as session:
        row, order, parties, lot = _visible_contract(session, contract_id, actor, Scope.WRITE)
        # Signers of one contract take turns (PostgreSQL: row lock; SQLite: BEGIN IMMEDIATE), so
        # a second signature of the same party is seen and refused (409, not a key violation),
        # and the last party to sign sees every other signature and completes the contract.
        session.execute(
            select(ContractRow.id).where(ContractRow.id == row.id).with_for_update()
        ).one()
        session.refresh(row)
        if row.terms_sha256 != signature.terms_sha256:
            raise ConflictError("the contract's terms changed while signing; sign again")
        if session.get(ContractSignatureRow, (row.id, actor.user_id)) is not None:
            raise ConflictError(f"you have already signed contract {row.id}")
        session.add(
            ContractSignatureRow(
                contract_id=row.id,
                signer_id=actor.user_id,
                role=party.role.value,
                terms_sha256=signature.terms_sha256,
                signature=signature.signature,
                signed_at=at,
            )
        )
        session.flush()
        record_event(
            session, actor_id=actor.user_id, role=party.role, object_type="contract",
            object_id=row.id, event_type="contract.sign", occurred_at=at,
            payload={"order_id": order.id, "lot_id": lot.id, "terms_sha256": row.terms_sha256,
                     "signature": signature.signature},
        )  # fmt: skip
        signed = {s.signer_id for s in _signatures(session, row.id)}
        if signed >= {p.signer_id for p in terms.parties}:
            row.status = "signed"
            session.flush()
            record_event(
                session, actor_id=SYSTEM.actor_id, role=Role.SYSTEM, object_type="contract",
                object_id=row.id, event_type="contract.signed", occurred_at=at,
                payload={"order_id": order.id, "lot_id": lot.id},
            )  # fmt: skip
            contract_ready_lots(session, db, order, parties)
        return _view(row, _signatures(session, row.id))


def verify_contract(
    db: Database, contract_id: str, *, actor: Principal | None = None
) -> ContractVerification:
    """Check the stored terms (canonical, hash) and every party's signature with the public key
    stored for the signer. ``ok`` is False with every failure named; never raises for a
    tampered contract."""
    with db.read() as session:
        row, *_ = _visible_contract(session, contract_id, actor)
        body = row.terms_json.encode("utf-8")
        sigs = _view_signatures(session, row.id)
        keys: dict[str, bytes] = {}
        for signer_id in {s.signer_id for s in sigs} | _party_signers(body):
            user = session.get(UserRow, signer_id)
            if user is not None:
                keys[signer_id] = bytes.fromhex(user.public_key)
        stored_hash = row.terms_sha256
    result = verify_terms(body, sigs, keys)
    if result.terms_sha256 is not None and result.terms_sha256 != stored_hash:
        return result.model_copy(
            update={
                "ok": False,
                "failures": (
                    *result.failures,
                    f"the terms hash {result.terms_sha256[:12]}… differs from the hash recorded "
                    f"at drafting {stored_hash[:12]}…",
                ),
            }
        )
    return result


def _view_signatures(session: Session, contract_id: str) -> list[ContractSignature]:
    return [
        ContractSignature(
            signer_id=s.signer_id, role=Role(s.role), terms_sha256=s.terms_sha256,
            signature=s.signature,
        )
        for s in _signatures(session, contract_id)
    ]  # fmt: skip


def _party_signers(body: bytes) -> set[str]:
    try:
        return {p.signer_id for p in ContractTerms.from_json(body).parties}
    except InputError:
        return set()


def party_names(session: Session, terms: ContractTerms) -> dict[str, PartyNames]:
    """Each party's organisation name and signer (by ``signer_id``), as the registry knows them."""
    names: dict[str, PartyNames] = {}
    for party in terms.parties:
        org = session.get(OrganisationRow, party.org_id)
        user = session.get(UserRow, party.signer_id)
        names[party.signer_id] = PartyNames(
            organisation=org.name if org else party.org_id,
            signer=(user.display_name or user.email) if user else party.signer_id,
            signer_email=user.email if user else None,
        )
    return names


CONTRACT_PDF_JOB = "contracts.pdf"
"""Render a contract's PDF in the background (``POST /v1/contracts/{id}/pdf-jobs``)."""


def start_contract_pdf_job(db: Database, actor: Principal | None, contract_id: str) -> str:
    """Queue the rendering of the contract's PDF for a party who may read it; returns the job
    id. The job's result names the contract and the PDF's sha256; the PDF is then served from
    the file store by :func:`contract_pdf` without rendering again."""
    with db.read() as session:
        row, _, _, _ = _visible_contract(session, contract_id, actor)
        contract = row.id
    payload = {"contract_id": contract, "org_id": actor.org_id if actor is not None else None}
    return submit(CONTRACT_PDF_JOB, payload, db=db)


def contract_pdf_job_result(
    db: Database, payload: dict[str, object], *, store: FileStore
) -> dict[str, object]:
    """What the PDF job records: ``{"ref": {"contract_id", "pdf_sha256"}}``."""
    contract_id = str(payload["contract_id"])
    contract_pdf(db, None, contract_id, store=store)
    with db.read() as session:
        row = session.get(ContractRow, contract_id)
        assert row is not None and row.pdf_sha256 is not None
        return {"ref": {"contract_id": contract_id, "pdf_sha256": row.pdf_sha256}}


def contract_pdf(
    db: Database, actor: Principal | None, contract_id: str, *, store: FileStore
) -> bytes:
    """The contract as a PDF (rendered with WeasyPrint on first request, then kept in the file
    store under its sha256, which the contract records)."""
    with db.read() as session:
        row, order, _, _lot = _visible_contract(session, contract_id, actor)
        if row.pdf_sha256 and store.exists(row.pdf_sha256):
            return store.read_bytes(row.pdf_sha256)
        view = _view(row, _signatures(session, row.id))
        order_name = order.name
        names = party_names(session, view.terms)
    pdf = render_contract_pdf(view.terms, view.signatures, title=order_name, kind=view.kind,
                              names=names)  # fmt: skip
    stored = store.put_bytes(pdf, original_name=f"contract-{contract_id}.pdf",
                             media_type="application/pdf")  # fmt: skip
    with db.transaction() as session:
        StoredFileRepository(session).record(stored)
        current = session.get(ContractRow, contract_id)
        assert current is not None
        if current.pdf_sha256 is None:
            current.pdf_sha256 = stored.sha256
    return pdf
