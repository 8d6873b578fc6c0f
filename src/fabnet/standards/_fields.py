"""Reading loosely-typed records (parsed TOML, YAML, JSON) with precise error paths.

Real manifests mix ``camelCase``, ``snake_case`` and ``kebab-case`` keys; :func:`key_of` folds
them to one comparison key. :class:`Fields` wraps one table, remembers which keys were read and
raises :class:`~fabnet.errors.ManifestError` naming the source and the dotted field path.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

from fabnet.errors import ManifestError
from fabnet.standards.report import WarningLog

_KEY_SEPARATORS = re.compile(r"[\s_\-]+")


def key_of(name: str) -> str:
    """``"documentationLanguage"``, ``"documentation_language"`` and ``"documentation-language"``
    all give ``"documentationlanguage"``."""
    return _KEY_SEPARATORS.sub("", name).casefold()


def join_path(base: str, name: str) -> str:
    return f"{base}.{name}" if base else name


class Fields:
    """One table of a record, read by field name in any key style."""

    def __init__(self, data: Mapping[str, Any], *, path: str, log: WarningLog) -> None:
        self.data = data
        self.path = path
        self.log = log
        self._by_key: dict[str, str] = {}
        for raw in data:
            self._by_key.setdefault(key_of(str(raw)), str(raw))
        self._used: set[str] = set()

    @property
    def source(self) -> str:
        return self.log.source

    def error(self, name: str, message: str, hint: str | None = None) -> ManifestError:
        return ManifestError(message, source=self.source, field=self.at(name), hint=hint)

    def at(self, name: str) -> str:
        """The dotted path of ``name`` as written in the record (or as given when absent)."""
        return join_path(self.path, self._by_key.get(key_of(name), name))

    def has(self, *names: str) -> bool:
        return any(key_of(n) in self._by_key for n in names)

    def raw(self, *names: str) -> tuple[str, Any] | None:
        """The first of ``names`` present, as (name as written, value); marks it read."""
        for name in names:
            written = self._by_key.get(key_of(name))
            if written is not None:
                self._used.add(written)
                return written, self.data[written]
        return None

    def value(self, *names: str) -> Any:
        found = self.raw(*names)
        return None if found is None else found[1]

    def text(self, *names: str, required: str | None = None) -> str | None:
        """A string field, stripped; empty counts as absent. ``required`` is the fix to suggest."""
        found = self.raw(*names)
        if found is None or _blank(found[1]):
            if required is not None:
                raise self.error(names[0], f"required field {names[0]!r} is missing", required)
            return None
        written, value = found
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
                self.log.warn(self.at(written), "a list of one text where a text was expected")
                return value[0].strip() or None
            raise self.error(written, f"expected a text, found {_kind(value)}")
        return str(value).strip() or None

    def texts(self, *names: str) -> tuple[str, ...]:
        """A text or a list of texts (blank entries dropped)."""
        found = self.raw(*names)
        if found is None:
            return ()
        written, value = found
        items = value if isinstance(value, list) else [value]
        out: list[str] = []
        for i, item in enumerate(items):
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                raise ManifestError(
                    f"expected a text, found {_kind(item)}",
                    source=self.source,
                    field=f"{self.at(written)}[{i}]",
                )
            if str(item).strip():
                out.append(str(item).strip())
        return tuple(out)

    def number(self, *names: str) -> float | None:
        found = self.raw(*names)
        if found is None or _blank(found[1]):
            return None
        return to_number(found[1], source=self.source, field=self.at(found[0]))

    def table(self, *names: str) -> Fields | None:
        found = self.raw(*names)
        if found is None or found[1] is None:
            return None
        written, value = found
        if not isinstance(value, Mapping):
            raise self.error(written, f"expected a table of fields, found {_kind(value)}")
        return Fields(value, path=self.at(written), log=self.log)

    def tables(self, *names: str) -> list[Fields]:
        """A list of tables (a single table counts as a list of one)."""
        found = self.raw(*names)
        if found is None or found[1] is None:
            return []
        written, value = found
        items = value if isinstance(value, list) else [value]
        out: list[Fields] = []
        for i, item in enumerate(items):
            path = f"{self.at(written)}[{i}]"
            if not isinstance(item, Mapping):
                raise ManifestError(
                    f"expected a table of fields, found {_kind(item)}",
                    source=self.source,
                    field=path,
                )
            out.append(Fields(item, path=path, log=self.log))
        return out

    def unread(self) -> Iterator[str]:
        """Keys present in the record that nobody read, as written."""
        return (k for k in map(str, self.data) if k not in self._used)

    def skip(self, *names: str) -> None:
        """Mark fields as knowingly ignored (known to the standard, not modelled by fabnet)."""
        for name in names:
            written = self._by_key.get(key_of(name))
            if written is not None:
                self._used.add(written)

    def warn_unread(self) -> None:
        for key in self.unread():
            shown = repr(self.data[key])
            if len(shown) > 80:
                shown = shown[:77] + "..."
            self.log.warn(
                self.at(key), f"field not understood, ignored: {shown} (check its spelling)"
            )


def to_number(value: Any, *, source: str, field: str) -> float:
    """A finite number from a number or a numeric text (``"12,5"`` is read as 12.5)."""
    if isinstance(value, bool):
        raise ManifestError("expected a number, found true/false", source=source, field=field)
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            raise ManifestError(
                f"expected a number, found {value!r}", source=source, field=field
            ) from None
    else:
        raise ManifestError(f"expected a number, found {_kind(value)}", source=source, field=field)
    if not math.isfinite(number):
        raise ManifestError(
            f"expected a finite number, found {value!r}", source=source, field=field
        )
    return number


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if value is None:
        return "nothing"
    return f"{value!r}"
