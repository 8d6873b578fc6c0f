"""design assemblies: the manual-step flag and its labour minutes per unit (issue 11), which the
OKH reader reads from ``[[fabnet.assembly]] kind = "manual"`` and storage used to drop

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "design_assemblies",
        sa.Column("manual", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("design_assemblies", sa.Column("minutes_per_unit", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("design_assemblies") as batch:
        batch.drop_column("minutes_per_unit")
        batch.drop_column("manual")
