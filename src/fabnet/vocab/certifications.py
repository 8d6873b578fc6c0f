"""Certifications as facilities write them, normalised to one spelling.

``normalise_certification`` maps the many ways of writing a certification to one code:
"iso13485", "ISO 13485:2016" and "EN ISO 13485" are all "ISO 13485"; the edition year, the
national prefix (DIN, BS, NF, EN ...) and trailing words like "certified" are dropped, a part
number stays ("ISO 3834-2"). "AS9100D" is "AS9100" (EN 9100 and JIS Q 9100 are the same IAQG
standard and map to it too); "ISO/TS 16949" became "IATF 16949".

Text that matches no pattern is kept (trimmed, inner whitespace collapsed) so no information
is lost; :func:`is_known_certification` tells whether a code is one of :data:`KNOWN_CERTIFICATIONS`.
"""

from __future__ import annotations

import re

KNOWN_CERTIFICATIONS: frozenset[str] = frozenset(
    {
        "ISO 9001",  # quality management
        "ISO 13485",  # medical devices QMS
        "ISO 14001",  # environmental management
        "ISO 45001",  # occupational health and safety
        "ISO 50001",  # energy management
        "ISO/IEC 27001",  # information security
        "ISO/IEC 17025",  # testing and calibration laboratories
        "ISO 3834", "ISO 3834-2", "ISO 3834-3", "ISO 3834-4",  # welding quality requirements
        "ISO 9606",  # welder qualification
        "ISO 14644",  # cleanrooms
        "ISO 22000",  # food safety
        "ISO 14083",  # transport emissions
        "AS9100",  # aerospace QMS (also EN 9100, JIS Q 9100)
        "IATF 16949",  # automotive QMS
        "EN 1090",  # execution of steel and aluminium structures
        "OHSAS 18001",  # superseded by ISO 45001, still written on certificates
        "CE", "UKCA", "UL", "RoHS", "REACH", "FCC", "FDA", "GMP", "ITAR", "NADCAP",
        "FSC", "PEFC", "OEKO-TEX", "GOTS", "SA8000",
        "IPC-A-610", "IPC J-STD-001",  # electronics workmanship
        "OSHWA",  # Open Source Hardware Association certification
        "DIN SPEC 3105",  # open source hardware attestation
    }
)  # fmt: skip

_TRAILING = re.compile(
    r"[\s,;:-]*\b(?:certified|certificate|certification|compliant|compliance|accredited|"
    r"registered|listed|marking|marked|mark|approved|standard)\b\.?$",
    re.IGNORECASE,
)
_NATIONAL = r"(?:(?:DIN|BS|NF|UNE|SN|ÖNORM|OENORM|CSA|SS|NEN|UNI|PN|CSN|ČSN)\s*)?(?:EN\s*)?"
_ISO = re.compile(
    rf"^{_NATIONAL}ISO\s*(?:/\s*(IEC|TS|ASTM)\s*)?[-\s]?(\d{{3,5}})(?:\s*-\s*(\d{{1,2}}))?"
    r"(?:\s*:\s*\d{4})?(?:\s*\(?\d{4}\)?)?$",
    re.IGNORECASE,
)
_AS9100 = re.compile(r"^(?:AS|EN|JIS\s*Q)\s*-?\s*9100\s*[A-D]?(?:\s*:\s*\d{4})?$", re.I)
_IATF = re.compile(r"^(?:IATF|ISO\s*/\s*TS)\s*-?\s*16949(?:\s*:\s*\d{4})?$", re.IGNORECASE)
_EN1090 = re.compile(r"^(?:DIN\s*)?EN\s*-?\s*1090(?:\s*-\s*\d)?(?:\s*:\s*\d{4})?$", re.I)
_OHSAS = re.compile(r"^OHSAS\s*-?\s*18001(?:\s*:\s*\d{4})?$", re.IGNORECASE)
_IPC610 = re.compile(r"^IPC\s*-?\s*A\s*-?\s*610\s*[A-H]?(?:\s*class\s*[123])?$", re.I)
_JSTD = re.compile(r"^(?:IPC\s*)?J\s*-?\s*STD\s*-?\s*001\s*[A-H]?$", re.IGNORECASE)
_DINSPEC3105 = re.compile(r"^DIN\s*SPEC\s*3105(?:\s*-\s*\d)?$", re.IGNORECASE)
_SIMPLE = {
    "ce": "CE",
    "ukca": "UKCA",
    "ul": "UL",
    "rohs": "RoHS",
    "rohs2": "RoHS",
    "rohs3": "RoHS",
    "reach": "REACH",
    "fcc": "FCC",
    "fda": "FDA",
    "gmp": "GMP",
    "cgmp": "GMP",
    "itar": "ITAR",
    "nadcap": "NADCAP",
    "fsc": "FSC",
    "pefc": "PEFC",
    "oekotex": "OEKO-TEX",
    "oekotexstandard100": "OEKO-TEX",
    "gots": "GOTS",
    "sa8000": "SA8000",
    "oshwa": "OSHWA",
    "oshwacertified": "OSHWA",
}


def normalise_certification(text: str) -> str:
    """One spelling per certification (see the module docstring); unknown text is kept."""
    cleaned = " ".join(text.split())
    stripped = cleaned
    while True:
        shorter = _TRAILING.sub("", stripped).strip()
        if shorter == stripped or not shorter:
            break
        stripped = shorter
    if match := _ISO.match(stripped):
        kind, number, part = match.groups()
        if number == "16949":
            return "IATF 16949"
        prefix = f"ISO/{kind.upper()}" if kind else "ISO"
        if number in {"27001", "17025"}:
            prefix = "ISO/IEC"
        return f"{prefix} {number}" + (f"-{part}" if part else "")
    for pattern, code in (
        (_AS9100, "AS9100"),
        (_IATF, "IATF 16949"),
        (_EN1090, "EN 1090"),
        (_OHSAS, "OHSAS 18001"),
        (_IPC610, "IPC-A-610"),
        (_JSTD, "IPC J-STD-001"),
        (_DINSPEC3105, "DIN SPEC 3105"),
    ):
        if pattern.match(stripped):
            return code
    key = re.sub(r"[\s\-_.]+", "", stripped.casefold())
    return _SIMPLE.get(key, cleaned)


def is_known_certification(code: str) -> bool:
    """True when ``code`` (normalised or not) is one of :data:`KNOWN_CERTIFICATIONS`.

    A part of a known ISO standard counts as known ("ISO 9606-1" is a part of "ISO 9606").
    """
    normalised = normalise_certification(code)
    if normalised in KNOWN_CERTIFICATIONS:
        return True
    base, dash, part = normalised.rpartition("-")
    return (
        normalised.startswith("ISO")
        and bool(dash)
        and part.isdigit()
        and (base in KNOWN_CERTIFICATIONS)
    )
