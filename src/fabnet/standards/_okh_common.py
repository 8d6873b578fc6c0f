"""Pieces shared by the OKH readers: slugs, readiness levels, language tags, licences, files."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import pycountry

from fabnet.domain.design import FileRef, FileRole
from fabnet.errors import ManifestError
from fabnet.standards._fields import Fields
from fabnet.standards.licenses import normalise_license

# OKH-LOSH v1 manifests (and the LOSH data model of 2021) name the levels in words; the
# numbering follows the OTRL/ODRL ontology of OPEN-NEXT/OKH-LOSH.
_OTRL_WORDS = {
    "ideation": "OTRL-1",
    "conception": "OTRL-2",
    "technicaldesign": "OTRL-3",
    "development": "OTRL-3",
    "prototyping": "OTRL-4",
    "production": "OTRL-5",
    "product": "OTRL-6",
}
_ODRL_WORDS = {
    "started": "ODRL-1",
    "minimal": "ODRL-2",
    "full": "ODRL-3",
    "audited": "ODRL-3*",
    "certified": "ODRL-4",
}
_LEVEL = re.compile(r"^(OTRL|ODRL)[\s_-]*([1-6])(\*?)$", re.IGNORECASE)
_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_REGION_FIXES = {"UK": "GB"}


def slug(text: str, fallback: str = "part") -> str:
    """``"Base plate (left)"`` -> ``"base-plate-left"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text.casefold()).strip("-")
    return out or fallback


def unique_id(base: str, taken: set[str]) -> str:
    """``base``, else ``base-2``, ``base-3``... whichever is free; records it as taken."""
    candidate = base
    n = 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def readiness_level(fields: Fields, name: str, kind: str) -> str | None:
    """``OTRL-1``..``OTRL-6`` or ``ODRL-1``..``ODRL-4`` (``ODRL-3*``) from ids or LOSH v1 words."""
    found = fields.raw(name)
    if found is None or not isinstance(found[1], str | int) or not str(found[1]).strip():
        return None
    written, value = found
    text = str(value).strip()
    match = _LEVEL.match(text)
    if match and match.group(1).upper() == kind:
        level = f"{kind}-{match.group(2)}{match.group(3)}"
        top = 6 if kind == "OTRL" else 4
        if int(match.group(2)) <= top:
            if level != text:
                fields.log.warn(fields.at(written), f"{text!r} read as {level!r}")
            return level
    words = _OTRL_WORDS if kind == "OTRL" else _ODRL_WORDS
    mapped = words.get(re.sub(r"[\s_\-]+", "", text).casefold())
    if mapped is not None:
        return mapped
    fields.log.warn(
        fields.at(written),
        f"unknown readiness level {text!r}, not used; write {kind}-1 .. "
        f"{kind}-{6 if kind == 'OTRL' else 4}",
    )
    return None


def language_tag(fields: Fields, name: str) -> str | None:
    """A BCP 47 tag in canonical case: ``"En-US"`` -> ``"en-US"``, ``"EN-UK"`` -> ``"en-GB"``."""
    found = fields.raw(name)
    if found is None:
        return None
    written, value = found
    values = value if isinstance(value, list) else [value]
    texts = [str(v).strip() for v in values if isinstance(v, str) and v.strip()]
    if not texts:
        return None
    if len(texts) > 1:
        fields.log.warn(
            fields.at(written),
            f"several languages {texts!r}; fabnet keeps the first, {texts[0]!r}",
        )
    text = texts[0]
    tag = _canonical_tag(text)
    if tag is None:
        fields.log.warn(
            fields.at(written),
            f"{text!r} is not a language tag, not used; write e.g. 'en' or 'de-DE'",
        )
    elif tag != text:
        fields.log.warn(fields.at(written), f"{text!r} read as the language tag {tag!r}")
    return tag


def _canonical_tag(text: str) -> str | None:
    parts = re.split(r"[-_\s]+", text.strip())
    if not parts or not parts[0]:
        return None
    first = parts[0]
    language = None
    if len(first) in (2, 3) and first.isalpha():
        found = pycountry.languages.get(alpha_2=first.lower()) if len(first) == 2 else None
        found = found or pycountry.languages.get(alpha_3=first.lower())
        if found is not None:
            language = getattr(found, "alpha_2", None) or found.alpha_3
    if language is None:
        try:
            found = pycountry.languages.lookup(first)
        except LookupError:
            return None
        language = getattr(found, "alpha_2", None) or found.alpha_3
    region = None
    if len(parts) > 1 and len(parts[1]) == 2 and parts[1].isalpha():
        code = _REGION_FIXES.get(parts[1].upper(), parts[1].upper())
        if pycountry.countries.get(alpha_2=code) is not None:
            region = code
    tag = f"{language}-{region}" if region else str(language)
    return tag if _LANG_TAG.match(tag) else None


def license_field(fields: Fields, name: str, *, required: str | None) -> str | None:
    found = fields.raw(name)
    if found is None or not isinstance(found[1], str) or not found[1].strip():
        if found is not None and found[1] is not None and not isinstance(found[1], str):
            raise fields.error(name, "expected one SPDX licence expression as text", required)
        if required is not None:
            raise fields.error(name, f"required field {name!r} is missing", required)
        return None
    written, value = found
    reading = normalise_license(value, source=fields.source, field=fields.at(written))
    for note in reading.repairs:
        fields.log.warn(fields.at(written), f"licence repaired: {note}")
    return reading.expression


def file_paths(fields: Fields, *names: str) -> list[tuple[str, str]]:
    """(path, field path) of files given as text, texts, ``{path|url}`` or a list of those."""
    found = fields.raw(*names)
    if found is None or found[1] is None:
        return []
    written, value = found
    items = value if isinstance(value, list) else [value]
    out: list[tuple[str, str]] = []
    for i, item in enumerate(items):
        where = fields.at(written) if not isinstance(value, list) else f"{fields.at(written)}[{i}]"
        path = _path_of(item)
        if path is None:
            raise ManifestError(
                f"cannot read a file path from {item!r}",
                source=fields.source,
                field=where,
                hint="write a path relative to the manifest or a URL",
            )
        if path:
            out.append((path, where))
    return out


def _path_of(item: Any) -> str | None:
    if isinstance(item, str):
        return item.strip()
    if isinstance(item, Mapping):
        lowered = {str(k).casefold(): v for k, v in item.items()}
        for key in ("path", "url", "link", "uri", "file", "location"):
            value = lowered.get(key)
            if isinstance(value, str):
                return value.strip()
    return None


def file_refs(fields: Fields, role: FileRole, *names: str) -> list[FileRef]:
    return [FileRef(path=p, role=role) for p, _ in file_paths(fields, *names)]


def person_names(value: Any) -> list[str]:
    """Licensor or author as text, ``{name, email}`` or a list of these -> display names."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, str) and item.strip():
            out.append(item.strip())
        elif isinstance(item, Mapping):
            lowered = {str(k).casefold(): v for k, v in item.items()}
            name = lowered.get("name")
            email = lowered.get("email")
            if isinstance(name, str) and name.strip():
                text = name.strip()
                if isinstance(email, str) and email.strip():
                    text += f" <{email.strip()}>"
                out.append(text)
    return out
