"""identity: invitations to facilities not yet on the platform (facility_invitations: a one-time
link, kept as a SHA-256 hash, that creates the facility's manufacturer organisation and user)

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "facility_invitations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("contact_name", sa.String(length=300), nullable=True),
        sa.Column("facility_name", sa.String(length=300), nullable=False),
        sa.Column("facility_id", sa.String(length=64), nullable=True),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("invited_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("email_error", sa.Text(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("org_id", sa.String(length=64), nullable=True),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_facility_invitations_org_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_facility_invitations_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facility_invitations")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_facility_invitations_token_sha256")),
    )
    op.create_index(op.f("ix_facility_invitations_email"), "facility_invitations", ["email"])
    op.create_index(
        op.f("ix_facility_invitations_facility_id"), "facility_invitations", ["facility_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_facility_invitations_facility_id"), table_name="facility_invitations")
    op.drop_index(op.f("ix_facility_invitations_email"), table_name="facility_invitations")
    op.drop_table("facility_invitations")
