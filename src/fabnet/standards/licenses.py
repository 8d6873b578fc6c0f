"""Licence texts from manifests as normalised SPDX expressions.

Parsing and validation use ``license-expression``'s SPDX licensing. ``LicenseRef-*`` ids are
accepted as they are when well-formed. Common messes are repaired, and every repair is reported
so the designer can fix the manifest: ``"CC BY-SA 4.0"`` and ``"LicenseRef-CC BY-SA-4.0"`` become
``CC-BY-SA-4.0``; ``"GNU GPL v3.0"`` becomes ``GPL-3.0-only``; text that names no SPDX licence
becomes a well-formed ``LicenseRef-*`` id. A comma-separated list is refused: it does not say
whether all licences apply (AND) or any one of them (OR).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from license_expression import ExpressionError, Licensing, get_spdx_licensing

from fabnet.errors import ManifestError

_LICENSE_REF = re.compile(r"^LicenseRef-[A-Za-z0-9.\-]+$")
_OPERATORS = frozenset({"AND", "OR", "WITH"})
_PHRASES = (
    ("creative commons", "cc"),
    ("attribution", "by"),
    ("share alike", "sa"),
    ("share-alike", "sa"),
    ("sharealike", "sa"),
    ("non-commercial", "nc"),
    ("noncommercial", "nc"),
    ("no derivatives", "nd"),
    ("no-derivatives", "nd"),
    ("noderivatives", "nd"),
    ("noderivs", "nd"),
    ("gnu lesser general public", "lgpl"),
    ("gnu affero general public", "agpl"),
    ("gnu general public", "gpl"),
    ("open hardware", "ohl"),
    ("cern ohl", "cern-ohl"),
)
_NOISE = frozenset(
    {"license", "licence", "international", "unported", "generic", "the", "version", "gnu"}
)


@dataclass(frozen=True)
class LicenseReading:
    """A normalised SPDX expression and, when the text had to be repaired, what was changed."""

    expression: str
    repairs: tuple[str, ...] = ()


@cache
def _licensing() -> Licensing:
    return get_spdx_licensing()


def _squash(text: str) -> str:
    """A loose comparison key for licence names: ``"CC BY-SA 4.0"`` -> ``"ccbysa4"``."""
    low = text.casefold()
    for phrase, short in _PHRASES:
        low = low.replace(phrase, short)
    tokens: list[str] = []
    for token in re.split(r"[^a-z0-9.+]+", low):
        token = token.strip(".")
        if not token or token in _NOISE:
            continue
        if re.fullmatch(r"v\d+(\.\d+)*", token):
            token = token[1:]
        token = re.sub(r"^(\d+)\.0$", r"\1", token)
        tokens.append(token)
    return "".join(tokens)


@cache
def _squashed_index() -> dict[str, str]:
    """Loose key -> SPDX id, for keys that name exactly one licence."""
    seen: dict[str, set[str]] = {}
    for symbol in _licensing().known_symbols.values():
        if symbol.key.startswith("LicenseRef-"):
            continue
        for name in (symbol.key, *symbol.aliases):
            if name.startswith("LicenseRef-"):
                continue
            seen.setdefault(_squash(name), set()).add(symbol.key)
    return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1 and k}


def _known(term: str) -> str | None:
    symbol = _licensing().known_symbols_lowercase.get(term.casefold())
    if symbol is None or symbol.key.startswith("LicenseRef-scancode-"):
        return None
    return str(symbol.key)


@cache
def _canonical_term(term: str) -> tuple[str, str | None]:
    """(SPDX id or LicenseRef, repair note or None) for one licence term of an expression."""
    known = _known(term)
    if known is not None:
        note = None if known.casefold() == term.casefold() else f"{term!r} is now {known!r}"
        return known, note
    rest = term
    is_ref = term.casefold().startswith("licenseref-")
    if is_ref:
        rest = term[len("LicenseRef-") :]
    match = _known(rest) or _squashed_index().get(_squash(rest))
    if match is not None:
        return match, f"{term!r} read as the SPDX licence {match!r}"
    if is_ref and _LICENSE_REF.match(term):
        return "LicenseRef-" + rest, None
    cleaned = re.sub(r"[^A-Za-z0-9.]+", "-", rest).strip("-.") or "unknown"
    ref = "LicenseRef-" + cleaned
    return ref, f"{term!r} is not an SPDX licence id; read as {ref!r}"


def _tokens(expression: str) -> list[tuple[str, str]]:
    """("op", "AND"), ("paren", "("), ("term", "CC BY-SA 4.0"): licence names may hold spaces."""
    out: list[tuple[str, str]] = []
    words: list[str] = []
    for word in re.split(r"\s+|([()])", expression):
        if not word:
            continue
        if word in "()" or word.upper() in _OPERATORS:
            if words:
                out.append(("term", " ".join(words)))
                words = []
            out.append(("paren", word) if word in "()" else ("op", word.upper()))
        else:
            words.append(word)
    if words:
        out.append(("term", " ".join(words)))
    return out


def normalise_license(text: str, *, source: str, field: str) -> LicenseReading:
    """Parse ``text`` as an SPDX expression, repairing what can be repaired unambiguously."""
    raw = " ".join(text.split())
    if not raw:
        raise ManifestError(
            "the licence is empty",
            source=source,
            field=field,
            hint="write an SPDX licence id such as 'CERN-OHL-S-2.0' or 'CC-BY-SA-4.0'",
        )
    if "," in raw or ";" in raw:
        raise ManifestError(
            f"{raw!r} lists several licences without saying how they combine",
            source=source,
            field=field,
            hint="write one SPDX expression, joining licences with AND (all apply) or OR "
            "(any one applies), e.g. 'CC-BY-SA-4.0 OR CC-BY-NC-SA-4.0'",
        )
    pieces: list[str] = []
    repairs: list[str] = []
    for kind, token in _tokens(raw):
        if kind != "term" or (pieces and pieces[-1] == "WITH"):
            pieces.append(token)
            continue
        canonical, note = _canonical_term(token)
        pieces.append(canonical)
        if note is not None:
            repairs.append(note)
    candidate = " ".join(pieces).replace("( ", "(").replace(" )", ")")
    try:
        parsed = _licensing().parse(candidate, validate=False)
    except ExpressionError as exc:
        raise ManifestError(
            f"{raw!r} is not a licence expression: {exc}",
            source=source,
            field=field,
            hint="write SPDX ids joined by AND, OR, WITH and parentheses",
        ) from None
    unknown = [
        key for key in _licensing().unknown_license_keys(parsed) if not _LICENSE_REF.match(str(key))
    ]
    if unknown:
        raise ManifestError(
            f"{raw!r} names unknown licences: {', '.join(map(str, unknown))}",
            source=source,
            field=field,
            hint="use ids from https://spdx.org/licenses/ or a 'LicenseRef-<name>' id",
        )
    return LicenseReading(str(parsed), tuple(repairs))
