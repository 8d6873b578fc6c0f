"""design parts: unresolved requirement terms and the stand-in flag (issue 10)

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "design_parts",
        sa.Column("unresolved", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )
    op.add_column(
        "design_parts",
        sa.Column("stand_in", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("design_parts", "stand_in")
    op.drop_column("design_parts", "unresolved")
