"""api_tokens.parent_token_id: the token that created a token, so revoking a token revokes every
token derived from it (a derived token never outlives its parent).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("parent_token_id", sa.String(length=32), nullable=True))
        batch.create_index("ix_api_tokens_parent_token_id", ["parent_token_id"])
        batch.create_foreign_key(
            "fk_api_tokens_parent_token_id_api_tokens",
            "api_tokens",
            ["parent_token_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_constraint("fk_api_tokens_parent_token_id_api_tokens", type_="foreignkey")
        batch.drop_index("ix_api_tokens_parent_token_id")
        batch.drop_column("parent_token_id")
