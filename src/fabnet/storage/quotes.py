"""Cached quoting results: one row per (file sha256, process, method).

Slicing a part takes seconds; its result depends only on the file's content, the process and the
method (slicer version, profile, material, revision), so it is computed once per database and
read back afterwards. Mesh measurements are cached the same way (process ``"geometry"``). A
method change (a new profile revision) makes a new key: old rows are simply never read again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from fabnet.storage.base import Base, utc_now


class QuoteCacheRow(Base):
    __tablename__ = "quote_cache"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    process: Mapped[str] = mapped_column(String(80), primary_key=True)
    method: Mapped[str] = mapped_column(String(160), primary_key=True)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class QuoteCacheRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, sha256: str, process: str, method: str) -> dict[str, Any] | None:
        row = self.session.get(QuoteCacheRow, (sha256, process, method))
        return None if row is None else dict(row.result)

    def get_many(
        self, keys: list[tuple[str, str, str]]
    ) -> dict[tuple[str, str, str], dict[str, Any]]:
        """The cached results among ``keys`` (one query per distinct sha256 batch)."""
        if not keys:
            return {}
        wanted = set(keys)
        shas = sorted({k[0] for k in keys})
        stmt = select(QuoteCacheRow).where(QuoteCacheRow.sha256.in_(shas))
        found: dict[tuple[str, str, str], dict[str, Any]] = {}
        for row in self.session.scalars(stmt):
            key = (row.sha256, row.process, row.method)
            if key in wanted:
                found[key] = dict(row.result)
        return found

    def put(self, sha256: str, process: str, method: str, result: dict[str, Any]) -> None:
        """Store a result; a row another writer stored meanwhile is kept (same key, same result)."""
        if self.session.get(QuoteCacheRow, (sha256, process, method)) is not None:
            return
        try:
            with self.session.begin_nested():
                self.session.add(
                    QuoteCacheRow(sha256=sha256, process=process, method=method, result=result)
                )
        except IntegrityError:
            pass
