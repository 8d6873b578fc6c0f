"""equipment and design parts: electronics limits (issue 10) — the largest board, most layers and
finest pitch of electronics equipment, and a PCB part's board size, layers and finest pitch, each
as the domain model's JSON (null when not given)

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("equipment") as batch:
        batch.add_column(sa.Column("board_limits", sa.JSON(), nullable=True))
    with op.batch_alter_table("design_parts") as batch:
        batch.add_column(sa.Column("board", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("design_parts") as batch:
        batch.drop_column("board")
    with op.batch_alter_table("equipment") as batch:
        batch.drop_column("board_limits")
