"""Alembic environment of fabnet: runs on the connection fabnet.storage.migrate passes."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from fabnet.storage.base import load_all_models

target_metadata = load_all_models()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "run fabnet migrations through fabnet.storage.migrate (or `fabnet db upgrade`)"
        )
    _run(connection)


if context.is_offline_mode():
    raise RuntimeError("fabnet migrations run online only")
_main()
