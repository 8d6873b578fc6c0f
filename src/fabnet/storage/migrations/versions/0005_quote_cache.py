"""quote cache: slicing and mesh results by (file sha256, process, method)

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quote_cache",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("process", sa.String(length=80), nullable=False),
        sa.Column("method", sa.String(length=160), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "process", "method", name=op.f("pk_quote_cache")),
    )


def downgrade() -> None:
    op.drop_table("quote_cache")
