"""The material vocabulary: families (roots) and ever more specific materials below them.

A required material is met by the same node or a more specific one (``satisfies``): a part
that needs "thermoplastic" can be made of PLA, a part that needs PETG cannot be made of PLA.

``resolve`` is exact, never fuzzy. It first tries the text as written (ids, labels, aliases,
material numbers such as ``1.4301``, English Wikipedia URLs, Wikidata ids), then once more after
a fixed clean-up (:func:`clean_material_text`) that removes what free text adds around a
material name: parenthesised or bracketed notes, dimensions with a unit (``3 mm``,
``1.75mm``, ``600x400 mm``), a trailing ``+`` (``PLA+``), and the words in :data:`NOISE_WORDS`
(stock forms like *filament*, *sheet*, *plate*; colours; *recycled*). So "PLA+",
"PLA (white)", "PETG filament 1.75 mm" and "Plywood sheet 3mm" resolve, "ABS, PLA" does not
(use :meth:`MaterialVocabulary.resolve_list` for lists).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from fabnet.vocab._tree import TermTree, flatten_tree, load_yaml_tree

DATA_FILE = "materials.yaml"

_LIST_FIELDS = ("aliases", "wikipedia", "wikidata")

NOISE_WORDS: frozenset[str] = frozenset(
    {
        # stock forms
        "filament", "filaments", "sheet", "sheets", "sheeting", "plate", "plates", "board",
        "boards", "panel", "panels", "rod", "rods", "bar", "bars", "tube", "tubes", "pipe",
        "pipes", "profile", "profiles", "block", "blocks", "stock", "spool", "spools", "roll",
        "rolls", "pellets", "pellet", "granulate", "granules", "powder", "wire", "foil", "film",
        "offcut", "offcuts", "material", "materials", "thick", "thickness", "dia", "diameter",
        # colours and finish
        "white", "black", "red", "green", "blue", "yellow", "orange", "grey", "gray", "silver",
        "gold", "natural", "clear", "transparent", "translucent", "purple", "pink", "brown",
        "colour", "color", "coloured", "colored", "any", "various", "matte", "glossy",
        # provenance
        "recycled", "virgin",
    }
)  # fmt: skip
"""Words dropped by :func:`clean_material_text` (compared case-insensitively)."""

_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}")
_NUMBER = r"\d+(?:[.,]\d+)?"
_DIMENSION = re.compile(
    rf"(?:[ØøΦ⌀]\s*)?{_NUMBER}(?:\s*[x×*]\s*{_NUMBER})*\s*(?:mm|cm|m|µm|um|in|inch|inches|\")(?![\w])",
    re.IGNORECASE,
)
_LIST_SEPARATORS = re.compile(r"\s*(?:[,;|&/]|\band\b|\bor\b)\s*", re.IGNORECASE)


def clean_material_text(text: str) -> str:
    """The fixed clean-up applied before the second exact lookup (see module docstring)."""
    stripped = text
    previous = None
    while previous != stripped:  # nested brackets, innermost first
        previous = stripped
        stripped = _BRACKETED.sub(" ", stripped)
    stripped = _DIMENSION.sub(" ", stripped)
    words = []
    for word in stripped.split():
        word = word.strip(".,;:!-")
        word = word.rstrip("+")
        if word and word.casefold() not in NOISE_WORDS:
            words.append(word)
    return " ".join(words)


@dataclass(frozen=True)
class MaterialNode:
    """One material or material family."""

    id: str
    label: str
    parent: str | None
    aliases: tuple[str, ...] = ()
    wikipedia: tuple[str, ...] = ()
    wikidata: tuple[str, ...] = ()


class MaterialVocabulary(TermTree[MaterialNode]):
    """The material tree with exact lookups, ``satisfies`` and ``family``."""

    kind = "material"

    @classmethod
    def from_yaml(cls, path: Path) -> MaterialVocabulary:
        raw = load_yaml_tree(path, list_fields=_LIST_FIELDS)
        return cls([MaterialNode(**r) for r in raw], source=str(path))

    @classmethod
    def from_data(cls, data: object, *, source: str = "<data>") -> MaterialVocabulary:
        raw = flatten_tree(data, source=source, list_fields=_LIST_FIELDS)
        return cls([MaterialNode(**r) for r in raw], source=source)

    def resolve(self, term: str) -> str | None:
        """The material id ``term`` names, exactly or after :func:`clean_material_text`."""
        found = super().resolve(term)
        if found is not None:
            return found
        cleaned = clean_material_text(term)
        if cleaned and cleaned != term.strip():
            found = super().resolve(cleaned)
            if found is not None:
                return found
        return self._family_and_grade(cleaned or term.strip())

    def _family_and_grade(self, text: str) -> str | None:
        """``"Titanium Ti-6Al-4V"``, ``"stainless steel 316L"``: a family named before a grade
        of it resolves to the grade (only when the grade belongs to that family)."""
        words = text.split()
        for k in range(1, len(words)):
            family = super().resolve(" ".join(words[:k]))
            grade = super().resolve(" ".join(words[k:]))
            if (
                family is not None
                and grade is not None
                and (grade == family or family in self.ancestors(grade))
            ):
                return grade
        return None

    def resolve_list(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Split a list ("PLA, PETG or ABS") and resolve each item.

        Returns ``(ids, unresolved items)``; ids keep their first-seen order, without repeats.
        The whole text is tried first, so "PLA+" or "nylon 6,6" is one item.
        """
        whole = self.resolve(text)
        if whole is not None:
            return (whole,), ()
        ids: list[str] = []
        missing: list[str] = []
        for item in _LIST_SEPARATORS.split(_BRACKETED.sub(" ", text)):
            item = item.strip()
            if not item:
                continue
            found = self.resolve(item)
            if found is None:
                missing.append(item)
            elif found not in ids:
                ids.append(found)
        return tuple(ids), tuple(missing)


def load_packaged_materials() -> MaterialVocabulary:
    """A fresh vocabulary from the YAML shipped in ``fabnet/vocab/data``."""
    ref = resources.files("fabnet.vocab").joinpath("data", DATA_FILE)
    with resources.as_file(ref) as path:
        return MaterialVocabulary.from_yaml(path)


@lru_cache(maxsize=1)
def get_material_vocabulary() -> MaterialVocabulary:
    """The packaged vocabulary, loaded once per process."""
    return load_packaged_materials()
