"""design variants: parent, parameter set, rendered files and licence obligations of a variant

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "design_variants",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=False),
        sa.Column("set_name", sa.String(length=200), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("part_files", sa.JSON(), nullable=False),
        sa.Column("obligations", sa.JSON(), nullable=False),
        sa.Column("fork_of", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"], ["designs.id"], name=op.f("fk_design_variants_id_designs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["designs.id"],
            name=op.f("fk_design_variants_parent_id_designs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_design_variants")),
    )
    op.create_index(
        op.f("ix_design_variants_parent_id"), "design_variants", ["parent_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_design_variants_parent_id"), table_name="design_variants")
    op.drop_table("design_variants")
