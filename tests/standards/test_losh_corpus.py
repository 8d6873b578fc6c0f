"""The 2,054 OKH-LOSH manifests of the LOSH list: each imports or is refused precisely."""

from __future__ import annotations

from collections import Counter

import pytest
from tests.shared_data import SHARED_DATA

from fabnet.errors import ManifestError
from fabnet.standards.okh import dump_design_okh_toml, load_design, parse_design

CORPUS = SHARED_DATA / "designs" / "losh-list" / "manifest_files" / "imported_from_v1"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="LOSH corpus not available")


def test_every_manifest_imports_or_is_refused_with_a_manifest_error() -> None:
    files = sorted(CORPUS.glob("*.toml"))
    assert len(files) == 2054
    imported = refused = warnings = 0
    reasons: Counter[tuple[str | None, str]] = Counter()
    for path in files:
        try:
            result = load_design(path)
        except ManifestError as error:
            refused += 1
            assert error.source == str(path)
            assert error.field
            assert error.hint  # says what to write instead
            reasons[(error.field, error.message.split("'")[0])] += 1
            continue
        imported += 1
        warnings += len(result.warnings)
        assert all(w.source == str(path) and w.field for w in result.warnings)
    assert (imported, refused, warnings) == (1997, 57, 2309)
    assert reasons.most_common(2) == [
        (("licensor", "licensor "), 56),
        (("license", ""), 1),
    ]


def test_corpus_designs_survive_an_okh2_round_trip() -> None:
    for path in sorted(CORPUS.glob("*.toml"))[::7]:
        try:
            design = load_design(path).value
        except ManifestError:
            continue
        back = parse_design(dump_design_okh_toml(design), source="rt", fmt="toml").value
        assert back == design.model_copy(update={"dialect": back.dialect}), path.name
