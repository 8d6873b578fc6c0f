"""The inspection task a lot opens when it is submitted (AQL sampling plans), and evidence files."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from fabnet.domain.orders.aql import (
    class_plans,
)
from fabnet.errors import (
    InputError,
)
from fabnet.services.orders._access import (
    Actor,
)
from fabnet.services.orders._views import (
    order_terms,
)
from fabnet.services.orders.audit import record_event
from fabnet.storage.files import StoredFileRepository
from fabnet.storage.inspections import InspectionRow
from fabnet.storage.orders import LotRow, OrderRow


def open_inspection(
    session: Session, order: OrderRow, lot: LotRow, *, actor: Actor, now: datetime
) -> InspectionRow:
    """An inspection task with the AQL sampling plans for the lot size (called on
    ``submit_for_inspection``)."""
    quality = order_terms(order).quality
    plans = class_plans(lot.quantity, quality.aql, quality.inspection_level)
    row = InspectionRow(
        id=str(uuid.uuid4()),
        lot_id=lot.id,
        inspector_org_id=lot.inspector_org_id or order.buyer_org_id,
        status="open",
        lot_size=lot.quantity,
        plan={cls.value: plan.model_dump(mode="json") for cls, plan in plans.items()},
        created_at=now,
    )
    session.add(row)
    session.flush()
    record_event(
        session, actor_id=actor.actor_id, role=actor.role, object_type="inspection",
        object_id=row.id, event_type="inspection.open", occurred_at=now,
        payload={"order_id": order.id, "lot_id": lot.id, "lot_size": lot.quantity,
                 "inspector_org_id": row.inspector_org_id,
                 "sample_sizes": {c.value: p.sample_size for c, p in plans.items()}},
    )  # fmt: skip
    return row


# --- evidence ------------------------------------------------------------------------------------


def check_evidence(session: Session, evidence: Sequence[str]) -> tuple[str, ...]:
    digests = tuple(e.strip().lower() for e in evidence)
    files = StoredFileRepository(session)
    for i, digest in enumerate(digests):
        if len(digest) != 64 or files.get(digest) is None:
            raise InputError(
                f"{digest!r} is not the SHA-256 of a stored file",
                source="evidence",
                field=f"evidence_sha256[{i}]",
                hint="upload the photo, record or waybill first and pass its sha256",
            )
    return digests
