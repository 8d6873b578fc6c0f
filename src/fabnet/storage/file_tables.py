"""Table of stored files: one row per distinct content (sha256) in the file store."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from fabnet.storage.base import Base, TimestampMixin


class StoredFileRow(TimestampMixin, Base):
    __tablename__ = "stored_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(200))
    original_name: Mapped[str] = mapped_column(String(500))
    """The name the file had when first stored (later copies with other names keep it)."""
