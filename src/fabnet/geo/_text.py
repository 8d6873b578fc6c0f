"""Folding of place names: the one comparison key of the gazetteer and the country index.

The key is the name case-folded, decomposed (NFKD) with combining marks removed, ``ß`` as
``ss``, and spaces, hyphens, underscores, apostrophes, dots and commas dropped:
"St. Pölten" -> "stpolten". :func:`place_keys` folds many names in one pass over one joined
string (C speed), which is what keeps the gazetteer build short.
"""

from __future__ import annotations

import re
import unicodedata

_DROP = " \t-_'.,`’‘ʼ‐‑‒–—"
_ASCII_DROP = str.maketrans("", "", _DROP)
_SEPARATOR = "\n"


# Combining diacritical marks (U+0300..U+036F: the accents of Latin, Greek and Cyrillic letters
# after NFKD) and the separators. Marks of other scripts stay: keys remain consistent, because
# queries and names are folded by the same function.
_REMOVE = re.compile("[\u0300-\u036f" + re.escape(_DROP) + "]+")
_GERMAN = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"))


def _fold_joined(joined: str) -> str:
    if joined.isascii():
        return joined.lower().translate(_ASCII_DROP)
    text = joined.replace("ß", "ss").replace("ẞ", "SS").casefold()
    return _REMOVE.sub("", unicodedata.normalize("NFKD", text))


def _german(text: str) -> str:
    for umlaut, spelled in _GERMAN:
        text = text.replace(umlaut, spelled)
    return text


def _join(texts: list[str]) -> str:
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != len(texts) - 1:  # a text holds the separator itself
        joined = _SEPARATOR.join(t.replace(_SEPARATOR, " ") for t in texts)
    return joined


def place_keys(texts: list[str]) -> list[str]:
    """:func:`place_key` of each text, folded in one pass."""
    if not texts:
        return []
    return _fold_joined(_join(texts)).split(_SEPARATOR)


def place_key(text: str) -> str:
    """The comparison key of one name (see the module docstring)."""
    return _fold_joined(text.replace(_SEPARATOR, " "))


def german_keys(texts: list[str]) -> list[str]:
    """Keys of the German transliterations ("München" -> "muenchen"); equal to
    :func:`place_keys` for texts without umlauts."""
    if not texts:
        return []
    return _fold_joined(_german(_join(texts))).split(_SEPARATOR)


def german_key(text: str) -> str | None:
    """The key of the German transliteration of ``text`` if it differs from its plain key."""
    if not any(ch in text for ch in "äöüÄÖÜ"):
        return None
    return place_key(_german(text))
