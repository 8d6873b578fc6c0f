"""Text folding shared by the vocabularies: deterministic, never fuzzy.

``fold`` is the one comparison key of every vocabulary lookup: Unicode NFKD, combining marks
removed (``é`` -> ``e``), ``ß`` -> ``ss``, case-folded, and every space, underscore and hyphen
dropped, so ``"3D printing"``, ``"3d_printing"`` and ``"3D-Printing"`` compare equal.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote, urlsplit

_SEPARATORS = re.compile(r"[\s_\-‐-―]+")
_WIKIDATA = re.compile(
    r"^(?:(?:https?://)?(?:www\.|m\.)?wikidata\.org/(?:wiki|entity)/|wd:)?(q\d+)/?$",
    re.IGNORECASE,
)
_WIKIPEDIA_HOST = re.compile(r"^(?:en\.(?:m\.)?)?wikipedia\.org$", re.IGNORECASE)


def strip_accents(text: str) -> str:
    """``"Réaumur"`` -> ``"Reaumur"``; ``"Straße"`` -> ``"Strasse"``."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss").replace("ẞ", "SS"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """The comparison key: accents stripped, case-folded, spaces/underscores/hyphens removed."""
    return _SEPARATORS.sub("", strip_accents(text).casefold())


def wikipedia_title(term: str) -> str | None:
    """The folded article title of an English Wikipedia URL, or None when ``term`` is not one.

    Accepts any case, with or without scheme, the mobile host (``en.m.wikipedia.org``),
    percent-encoding, a trailing slash, a query or a fragment:
    ``https://en.wikipedia.org/wiki/Poly(methyl_methacrylate)`` and
    ``en.m.wikipedia.org/wiki/Poly%28methyl_methacrylate%29/`` give the same key.
    """
    text = term.strip()
    if "wikipedia.org" not in text.casefold():
        return None
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if not _WIKIPEDIA_HOST.match(parts.hostname or ""):
        return None
    path = unquote(parts.path)
    if not path.casefold().startswith("/wiki/"):
        return None
    title = path[len("/wiki/") :].strip("/")
    return fold(title) or None


def wikidata_id(term: str) -> str | None:
    """``"Q229367"``, ``"wd:Q229367"`` or a wikidata.org entity URL -> ``"Q229367"``."""
    match = _WIKIDATA.match(term.strip())
    return match.group(1).upper() if match else None
