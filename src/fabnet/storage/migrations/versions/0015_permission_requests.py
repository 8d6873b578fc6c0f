"""licensing: the organisation that licenses each design (design_licensors), and buyers'
requests for a licensor's permission (permission_requests: pending, granted or refused)

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "design_licensors",
        sa.Column("design_id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("linked_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_design_licensors_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("design_id", name=op.f("pk_design_licensors")),
    )
    op.create_index(op.f("ix_design_licensors_org_id"), "design_licensors", ["org_id"])
    op.create_table(
        "permission_requests",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("design_id", sa.String(length=64), nullable=False),
        sa.Column("buyer_org_id", sa.String(length=64), nullable=False),
        sa.Column("licensor_org_id", sa.String(length=64), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("response_note", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("evidence_sha256", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_permission_requests_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["buyer_org_id"],
            ["organisations.id"],
            name=op.f("fk_permission_requests_buyer_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["licensor_org_id"],
            ["organisations.id"],
            name=op.f("fk_permission_requests_licensor_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permission_requests")),
    )
    op.create_index(op.f("ix_permission_requests_order_id"), "permission_requests", ["order_id"])
    op.create_index(
        op.f("ix_permission_requests_licensor_org_id"), "permission_requests", ["licensor_org_id"]
    )
    op.create_index(op.f("ix_permission_requests_status"), "permission_requests", ["status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_permission_requests_status"), table_name="permission_requests")
    op.drop_index(op.f("ix_permission_requests_licensor_org_id"), table_name="permission_requests")
    op.drop_index(op.f("ix_permission_requests_order_id"), table_name="permission_requests")
    op.drop_table("permission_requests")
    op.drop_index(op.f("ix_design_licensors_org_id"), table_name="design_licensors")
    op.drop_table("design_licensors")
