"""The process taxonomy: what a facility can do and what a part needs, as one tree.

Every input maps into it: OKH TsDC codes, OKW Wikipedia URLs, fablabs.io capability classes,
Wikidata ids, ISO 4063 welding numbers and common words. A requirement is met by the same node
or a more specific one (``satisfies``): "3DP" is met by FDM, FDM is not met by SLA, and PCB
assembly is not met by a generic "assembly" (it is not under it).

TsDC ``MEC`` ("mechanical") names no specific process: a MEC part may be machined, printed, cut
or bent. ``resolve("MEC")`` is therefore None, and :data:`UNSPECIFIC_TSDC` lets importers tell
"known but unspecific" from "unknown" (take the process from the part's other fields instead).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from fabnet.errors import ConfigurationError
from fabnet.vocab._tree import TermTree, flatten_tree, load_yaml_tree

DATA_FILE = "processes.yaml"

TSDC_CODES: frozenset[str] = frozenset({"ASM", "MEC", "CIR", "PCB", "WEL", "3DP", "LAS", "CNC"})
"""The DIN SPEC 3105-1 TsDC codes."""

UNSPECIFIC_TSDC: frozenset[str] = frozenset({"MEC"})
"""TsDC codes that are known but name no specific process (``resolve`` gives None)."""

_ISO4063 = re.compile(r"^(?:(?:EN\s*)?ISO\s*4063\s*[-:/]?\s*(?:process\s*)?)?(\d{1,3})$", re.I)
_ISO4063_PREFIXED = re.compile(r"^(?:EN\s*)?ISO\s*4063\b", re.I)

_LIST_FIELDS = ("aliases", "tsdc", "wikipedia", "wikidata", "fablabs", "iso4063")


@dataclass(frozen=True)
class ProcessNode:
    """One manufacturing process of the taxonomy."""

    id: str
    label: str
    parent: str | None
    aliases: tuple[str, ...] = ()
    tsdc: tuple[str, ...] = ()
    wikipedia: tuple[str, ...] = ()
    wikidata: tuple[str, ...] = ()
    fablabs: tuple[str, ...] = ()
    iso4063: tuple[str, ...] = ()


class ProcessTaxonomy(TermTree[ProcessNode]):
    """The process tree with exact lookups (see :meth:`resolve`) and ``satisfies``."""

    kind = "process"

    def __init__(self, nodes: list[ProcessNode], *, source: str) -> None:
        for node in nodes:
            bad = sorted(set(node.tsdc) - TSDC_CODES)
            if bad or set(node.tsdc) & UNSPECIFIC_TSDC:
                raise ConfigurationError(f"{source}: {node.id}: bad TsDC codes {bad or node.tsdc}")
        super().__init__(nodes, source=source, extra_keys=lambda n: (*n.tsdc, *n.fablabs))
        self._iso4063: dict[str, str] = {}
        for node in nodes:
            for number in node.iso4063:
                self._add(self._iso4063, number, node.id, f"ISO 4063 {number}")

    @classmethod
    def from_yaml(cls, path: Path) -> ProcessTaxonomy:
        """Load and validate a taxonomy file (the packaged one or a test's)."""
        raw = load_yaml_tree(path, list_fields=_LIST_FIELDS)
        return cls([ProcessNode(**r) for r in raw], source=str(path))

    @classmethod
    def from_data(cls, data: object, *, source: str = "<data>") -> ProcessTaxonomy:
        """Build from an already parsed mapping with a ``nodes`` list (same rules as YAML)."""
        raw = flatten_tree(data, source=source, list_fields=_LIST_FIELDS)
        return cls([ProcessNode(**r) for r in raw], source=source)

    def resolve(self, term: str) -> str | None:
        """The process id that ``term`` names exactly, or None. Never fuzzy.

        Matches (after case/accent/space/underscore/hyphen folding) ids, labels, aliases,
        TsDC codes, fablabs.io classes; English Wikipedia URLs (any case, with or without scheme,
        mobile host, percent-encoding, trailing slash); Wikidata Q-ids; and ``"ISO 4063 135"``
        style welding numbers (see :meth:`resolve_iso4063`; a bare number is not resolved here).
        """
        text = term.strip()
        if _ISO4063_PREFIXED.match(text):
            return self.resolve_iso4063(text)
        return super().resolve(text)

    def resolve_iso4063(self, code: str) -> str | None:
        """An ISO 4063 process number (``"135"``, ``"ISO 4063-141"``) -> the welding node.

        The most specific node wins: a number that is not listed itself falls back to its
        group (two digits) and then its family (one digit), so ``"136"`` is flux-cored arc
        welding, ``"131"`` MIG/MAG and ``"111"`` MMA, and an unlisted ``"19"`` is arc welding.
        """
        match = _ISO4063.match(code.strip())
        if not match:
            return None
        number = match.group(1)
        for length in range(len(number), 0, -1):
            found = self._iso4063.get(number[:length])
            if found is not None:
                return found
        return None

    def for_tsdc(self, code: str) -> str | None:
        """The node a TsDC code maps to; None for unknown codes and for :data:`UNSPECIFIC_TSDC`."""
        upper = code.strip().upper()
        if upper not in TSDC_CODES or upper in UNSPECIFIC_TSDC:
            return None
        return self.resolve(upper)

    def for_fablabs(self, capability: str) -> str | None:
        """The node of a fablabs.io capability class (``three_d_printing`` ...)."""
        key = capability.strip()
        for node in self._nodes.values():
            if key in node.fablabs:
                return node.id
        return None


def load_packaged_taxonomy() -> ProcessTaxonomy:
    """A fresh taxonomy from the YAML shipped in ``fabnet/vocab/data``."""
    ref = resources.files("fabnet.vocab").joinpath("data", DATA_FILE)
    with resources.as_file(ref) as path:
        return ProcessTaxonomy.from_yaml(path)


@lru_cache(maxsize=1)
def get_process_taxonomy() -> ProcessTaxonomy:
    """The packaged taxonomy, loaded once per process."""
    return load_packaged_taxonomy()
