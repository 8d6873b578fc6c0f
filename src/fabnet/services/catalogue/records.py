"""Helpers the catalogue use cases share: id resolution, import tallies, file discovery.

Listings page with :class:`fabnet.services.platform.pagination.Page`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fabnet.errors import AmbiguousIdError, InputError, NotFoundError
from fabnet.standards.order_file import MAX_UNITS
from fabnet.standards.report import ImportWarning
from fabnet.storage.records import RecordRef


@dataclass(frozen=True)
class RefusedFile:
    """A file an import refused, with the message that says what to fix."""

    source: str
    message: str


@dataclass(frozen=True)
class ImportProgress:
    """Reported after each file of an import."""

    done: int
    total: int
    source: str


ProgressCallback = Callable[[ImportProgress], None]


@dataclass
class ImportTally:
    """What an import did, by id, plus every refused file and every warning."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[RefusedFile] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)
    files_read: int = 0

    @property
    def imported(self) -> int:
        """Records now in the registry from this import (new, changed or already there)."""
        return len(self.created) + len(self.updated) + len(self.unchanged)


def resolve_id(
    kind: str,
    id_or_prefix: str,
    *,
    exists: Callable[[str], bool],
    find_by_prefix: Callable[[str], Sequence[RecordRef]],
    list_command: str,
) -> str:
    """The full id for an exact id or a unique id prefix.

    Raises NotFoundError (naming the command that lists ids) or AmbiguousIdError listing matches.
    """
    wanted = id_or_prefix.strip()
    if not wanted:
        raise InputError(f"give a {kind} id (or the start of one)", field="id")
    if exists(wanted):
        return wanted
    matches = find_by_prefix(wanted)
    if not matches:
        raise NotFoundError(f"no {kind} with id {wanted!r}; run `{list_command}`")
    if len(matches) > 1:
        listed = ", ".join(f"{m.id} ({m.name})" for m in matches[:10])
        more = f" and {len(matches) - 10} more" if len(matches) > 10 else ""
        kinds = f"{kind[:-1]}ies" if kind.endswith("y") else f"{kind}s"
        raise AmbiguousIdError(
            f"{len(matches)} {kinds} start with {wanted!r}: {listed}{more}",
            field="id",
            hint="give more characters of the id",
        )
    return matches[0].id


def expand_paths(paths: Iterable[Path], suffixes: frozenset[str], tally: ImportTally) -> list[Path]:
    """Files to import: given files as they are, folders searched recursively for ``suffixes``.

    Hidden files and folders are skipped; a path that does not exist is counted as refused.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix.casefold() in suffixes
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            tally.refused.append(RefusedFile(str(path), f"{path}: no such file or folder"))
    return found


def check_quantity(quantity: int) -> int:
    """A quantity of finished products between 1 and :data:`MAX_UNITS`."""
    if quantity < 1:
        raise InputError(f"quantity must be at least 1, got {quantity}", field="quantity")
    if quantity > MAX_UNITS:
        raise InputError(
            f"quantity must be at most {MAX_UNITS:,}, got {quantity}", field="quantity"
        )
    return quantity
