"""Counting the SQL queries a block runs: for tests that a page or a service asks the database a
bounded number of questions however many objects it shows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from fabnet.storage.db import Database


@contextmanager
def counted(db: Database) -> Iterator[list[str]]:
    """The SQL queries (SELECT statements) run on ``db`` inside the block."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
