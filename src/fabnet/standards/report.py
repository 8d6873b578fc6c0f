"""What an import produced: the value plus every warning, each naming source, field and fix.

Importers never print and never drop data silently: anything they could not map becomes an
:class:`ImportWarning` in the :class:`ImportResult` they return.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class ImportWarning:
    """Something an importer repaired, ignored or could not map; the import still went ahead."""

    source: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.field}: {self.message}"


@dataclass(frozen=True)
class ImportResult(Generic[T]):
    """An imported value and the warnings collected while importing it."""

    value: T
    warnings: tuple[ImportWarning, ...] = ()


@dataclass
class WarningLog:
    """Collects warnings for one source while an importer walks it."""

    source: str
    items: list[ImportWarning] = field(default_factory=list)

    def warn(self, field_path: str, message: str) -> None:
        self.items.append(ImportWarning(self.source, field_path, message))

    def frozen(self) -> tuple[ImportWarning, ...]:
        return tuple(self.items)
