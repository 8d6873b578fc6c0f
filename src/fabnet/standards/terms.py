"""Process, material, tolerance and certification terms mapped through fabnet's vocabularies.

An unknown term is never guessed into a match and never dropped silently: it becomes a warning
that names the field and the vocabulary's suggestions, and the caller keeps the raw text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from fabnet.errors import InputError
from fabnet.standards.report import WarningLog
from fabnet.vocab.certifications import normalise_certification
from fabnet.vocab.materials import get_material_vocabulary
from fabnet.vocab.processes import get_process_taxonomy
from fabnet.vocab.tolerance import normalise_tolerance

_MATERIAL_SPLIT = re.compile(r"\s*(?:[,;/|+]|\bor\b|\band\b)\s*", re.IGNORECASE)


def _did_you_mean(suggestions: list[str]) -> str:
    if not suggestions:
        return "no close match; the raw text is kept"
    return "did you mean " + ", ".join(repr(s) for s in suggestions) + "?"


class Terms:
    """Resolves terms for one import, logging each unknown term as a warning."""

    def __init__(self, log: WarningLog) -> None:
        self.log = log
        self.unresolved: list[str] = []
        """Every term not understood, in words ("material 'X' not understood; did you mean
        ...?"): a part's reader takes those of its own fields as requirements no facility is
        known to meet (never a wildcard)."""
        self.taxonomy = get_process_taxonomy()
        self.materials = get_material_vocabulary()

    def process(self, term: str, field: str) -> str | None:
        found = self.taxonomy.resolve(term)
        if found is None:
            hint = _did_you_mean(self.taxonomy.suggest(term))
            self.log.warn(field, f"unknown process {term!r}, not matched; {hint}")
            self.unresolved.append(f"process {term!r} not understood; {hint}")
        return found

    def processes(self, terms: Iterable[tuple[str, str]]) -> tuple[str, ...]:
        """Resolved ids of (term, field path) pairs, first occurrence first."""
        out: list[str] = []
        for term, field in terms:
            found = self.process(term, field)
            if found is not None and found not in out:
                out.append(found)
        return tuple(out)

    def known_process_id(self, value: str, field: str) -> str | None:
        """A process id written by fabnet itself (exported files): must be an id of the taxonomy."""
        if value in self.taxonomy:
            return value
        return self.process(value, field)

    def material(self, term: str, field: str) -> str | None:
        found = self.materials.resolve(term)
        if found is None:
            hint = _did_you_mean(self.materials.suggest(term))
            self.log.warn(field, f"unknown material {term!r}, not matched; {hint}")
            self.unresolved.append(f"material {term!r} not understood; {hint}")
        return found

    def materials_in_text(self, text: str, field: str) -> tuple[str, ...]:
        """Material ids named by free text: the whole text, else each of its listed alternatives.

        ``"PLA"`` -> one id; ``"PLA or PETG"`` and ``"PLA, PETG"`` -> two ids (any is acceptable).
        """
        whole = self.materials.resolve(text)
        if whole is not None:
            return (whole,)
        pieces = [p for p in _MATERIAL_SPLIT.split(text) if p and p.strip()]
        if len(pieces) <= 1:
            self.material(text, field)
            return ()
        out: list[str] = []
        for piece in pieces:
            found = self.material(piece.strip(), field)
            if found is not None and found not in out:
                out.append(found)
        return tuple(out)

    def known_material_id(self, value: str, field: str) -> str | None:
        if value in self.materials:
            return value
        return self.material(value, field)

    def tolerance(self, text: str, field: str) -> str | None:
        try:
            return normalise_tolerance(text)
        except InputError as exc:
            self.log.warn(field, f"unknown tolerance class {text!r}, not used: {exc}")
            self.unresolved.append(f"tolerance class {text!r} not understood: {exc}")
            return None

    def certification(self, text: str, field: str) -> str:
        try:
            return normalise_certification(text)
        except InputError as exc:
            self.log.warn(field, f"certification {text!r} kept as written: {exc}")
            return text.strip()
