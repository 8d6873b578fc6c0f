"""lots: their position in the order (the plan's order of lots, kept by later awards and
re-plans), so lots created in one award are listed, funded and contracted in the plan's order
rather than by random id.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lots") as batch:
        batch.add_column(sa.Column("position", sa.Integer(), nullable=False, server_default="0"))
    # Lots already recorded keep the order they were listed in (creation time, then id).
    op.execute(
        "UPDATE lots SET position = (SELECT COUNT(*) FROM lots AS earlier"
        " WHERE earlier.order_id = lots.order_id AND (earlier.created_at < lots.created_at"
        " OR (earlier.created_at = lots.created_at AND earlier.id < lots.id)))"
    )


def downgrade() -> None:
    with op.batch_alter_table("lots") as batch:
        batch.drop_column("position")
