"""Builders for the order domain tests (a unique module name: test folders are not packages)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fabnet.domain.orders.licensing import check_licence

MANIFEST_SHA = "ab" * 32


def contract_data(**changes: Any) -> dict[str, Any]:
    licence = check_licence("CERN-OHL-S-2.0")
    data: dict[str, Any] = {
        "contract_id": "c-1",
        "order_id": "o-1",
        "lot_id": "lot-1",
        "mode": "direct",
        "parties": [
            {"role": "buyer", "org_id": "org-buyer", "signer_id": "u-buyer"},
            {"role": "manufacturer", "org_id": "org-maker", "signer_id": "u-maker"},
        ],
        "design": {"design_id": "d-1", "version": "1.2", "manifest_sha256": MANIFEST_SHA},
        "licence": licence.expression,
        "licence_chosen": licence.chosen,
        "licence_obligations": [o.model_dump(mode="json") for o in licence.obligations],
        "licensor": ["Open Lab"],
        "quantity": 100,
        "unit_price_minor": 1999,
        "currency": "EUR",
        "due_date": date(2026, 6, 30).isoformat(),
        "delivery": {"rule": "DAP", "named_place": "Nairobi, Kenya", "transport_mode": "road"},
        "quality": {"prototype_required": True, "inspection_level": "II",
                    "aql": {"critical": "0", "major": "1.0", "minor": "4.0"}},
        "payment_milestones": [
            {"trigger": "contract", "share_bp": 3000},
            {"trigger": "approve_prototype", "share_bp": 1000},
            {"trigger": "accept_lot", "share_bp": 4000},
            {"trigger": "confirm_delivery", "share_bp": 2000},
        ],
        "platform_fee_bp": 250,
        "cancellation_compensation_bp": 1500,
        "dispute_window_days": 14,
    }  # fmt: skip
    data.update(changes)
    return data
