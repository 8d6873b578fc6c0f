"""Open Know-How manifests in (v1 YAML, OKH-LOSH v1 TOML, OKH 2.x TOML/JSON) and out (2.x).

:func:`load_design` and :func:`parse_design` return an :class:`ImportResult` with the Design and
every repair or unmapped term as a warning; a manifest that cannot become a Design raises
:class:`~fabnet.errors.ManifestError` naming the file, the field path and what to write instead.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml

from fabnet.domain.design import Design, OkhDialect
from fabnet.errors import ManifestError
from fabnet.standards._fields import Fields
from fabnet.standards._okh_design import build_design
from fabnet.standards._okh_toml import read_toml_dialect
from fabnet.standards._okh_v1 import read_v1
from fabnet.standards._safe_parse import load_bounded
from fabnet.standards._syntax import yaml_error_text
from fabnet.standards.okh_export import dump_design_json, dump_design_okh_toml
from fabnet.standards.report import ImportResult, WarningLog
from fabnet.standards.terms import Terms

__all__ = ["dump_design_json", "dump_design_okh_toml", "load_design", "parse_design"]

Format = Literal["yaml", "toml", "json"]
_V1_HEADER = "%Open Know-How Manifest"
_LOSH_V1 = re.compile(r"^OKH[\s-]*LOSH[\s-]*v?1(\.0)*$", re.IGNORECASE)
_V2 = re.compile(r"^(OKH[\s-]*)?v?2(\.\d+)*$", re.IGNORECASE)
_V1 = re.compile(r"^(OKH[\s-]*)?v?1(\.\d+)*$", re.IGNORECASE)
MAX_MANIFEST_BYTES = 5_000_000


def load_design(path: Path) -> ImportResult[Design]:
    """Read one manifest file; the format comes from its content and its name."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ManifestError(f"cannot read the file: {exc.strerror}", source=source) from None
    if len(raw) > MAX_MANIFEST_BYTES:
        raise ManifestError(
            f"the manifest is {len(raw)} bytes; manifests are small text files",
            source=source,
            hint=f"keep it under {MAX_MANIFEST_BYTES} bytes",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ManifestError(
            "the file is not UTF-8 text", source=source, hint="save the manifest as UTF-8"
        ) from None
    return parse_design(text, source=source, fmt=_detect_format(path, text))


def _detect_format(path: Path, text: str) -> Format:
    head = text.lstrip()
    suffix = path.suffix.casefold()
    if head.startswith(_V1_HEADER) or suffix in (".yml", ".yaml"):
        return "yaml"
    if suffix == ".json" or head.startswith("{"):
        return "json"
    if suffix == ".toml" or re.search(r"^\s*okhv\s*=", text, re.MULTILINE):
        return "toml"
    raise ManifestError(
        "cannot tell the manifest format",
        source=str(path),
        hint="name the file okh.toml (OKH 2.x, OKH-LOSH), okh.json or okh.yml (OKH v1)",
    )


def parse_design(text: str, *, source: str, fmt: Format) -> ImportResult[Design]:
    """Parse manifest ``text`` written in ``fmt``; ``source`` names it in messages."""
    data = _parse_document(text, source=source, fmt=fmt)
    log = WarningLog(source)
    root = Fields(data, path="", log=log)
    dialect = _dialect(root, fmt)
    if dialect is OkhDialect.OKH_V1:
        draft = read_v1(root)
    else:
        draft = read_toml_dialect(root, dialect, Terms(log))
    design = build_design(draft, log)
    return ImportResult(design, log.frozen())


def _parse_document(text: str, *, source: str, fmt: Format) -> Mapping[str, Any]:
    data: Any
    try:
        if fmt == "toml":
            data = load_bounded(tomllib.loads, text, lambda m: ManifestError(m, source=source))
        elif fmt == "json":
            data = load_bounded(json.loads, text, lambda m: ManifestError(m, source=source))
        elif fmt == "yaml":
            body = "\n".join(
                "" if line.startswith("%") else line for line in text.lstrip("\ufeff").splitlines()
            )
            data = load_bounded(yaml.safe_load, body, lambda m: ManifestError(m, source=source))
        else:
            raise ManifestError(
                f"unknown format {fmt!r}", source=source, hint="use yaml, toml or json"
            )
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"not valid TOML: {exc}", source=source) from None
    except json.JSONDecodeError as exc:
        raise ManifestError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", source=source
        ) from None
    except yaml.YAMLError as exc:
        raise ManifestError(yaml_error_text(exc), source=source) from None
    if not isinstance(data, Mapping):
        raise ManifestError(
            "the manifest is not a table of fields",
            source=source,
            hint="a manifest maps field names to values (name, repo, license, ...)",
        )
    return data


def _dialect(root: Fields, fmt: Format) -> OkhDialect:
    okhv = root.value("okhv")
    if okhv is None:
        if fmt == "yaml":
            return OkhDialect.OKH_V1
        raise root.error(
            "okhv",
            "the manifest does not say which OKH version it follows",
            'add okhv = "2.4" (or okhv = "OKH-LOSHv1.0" for OKH-LOSH v1 manifests)',
        )
    text = str(okhv).strip()
    if _LOSH_V1.match(text):
        return OkhDialect.OKH_LOSH_V1
    if _V2.match(text):
        return OkhDialect.OKH_V2
    if _V1.match(text) and fmt == "yaml":
        return OkhDialect.OKH_V1
    raise root.error(
        "okhv",
        f"unsupported OKH version {text!r}",
        'fabnet reads okhv = "2.x", okhv = "OKH-LOSHv1.0" and OKH v1 YAML',
    )
