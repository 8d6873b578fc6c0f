"""The 2,054 OKH-LOSH manifests of the LOSH list: each imports or is refused precisely."""

from __future__ import annotations

from collections import Counter

from tests.shared_data import SHARED_DATA, require_shared

from fabnet.errors import ManifestError
from fabnet.standards.okh import dump_design_okh_toml, load_design, parse_design

CORPUS = require_shared(
    SHARED_DATA / "designs" / "losh-list" / "manifest_files" / "imported_from_v1"
)


def test_every_manifest_imports_or_is_refused_with_a_manifest_error() -> None:
    files = sorted(CORPUS.glob("*.toml"))
    assert len(files) == 2054
    imported = refused = warnings = licensor_dots = 0
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
        licensor_dots += any("names nobody" in w.message for w in result.warnings)
        assert all(w.source == str(path) and w.field for w in result.warnings)
    # A licensor written "." (56 files) is a missing licensor: imported with a warning.
    assert (imported, refused, warnings) == TALLY
    assert imported >= 2050
    assert licensor_dots == 56
    assert reasons.most_common(1) == [(("license", ""), 1)]


# The tally recorded in docs/standards.md (checked by test_the_documented_tally_is_current).
TALLY = (2053, 1, 2421)


def test_the_documented_tally_is_current() -> None:
    from tests.shared_data import REPO

    text = (REPO / "docs" / "standards.md").read_text(encoding="utf-8")
    imported, refused, warnings = TALLY
    assert f"{imported:,} imported, {refused:,} refused, {warnings:,} warnings" in text


def test_corpus_designs_survive_an_okh2_round_trip() -> None:
    for path in sorted(CORPUS.glob("*.toml"))[::7]:
        try:
            design = load_design(path).value
        except ManifestError:
            continue
        if not design.licensor:
            continue  # a missing licensor: OKH 2.x export refuses it (tested in test_okh)
        back = parse_design(dump_design_okh_toml(design), source="rt", fmt="toml").value
        assert back == design.model_copy(update={"dialect": back.dialect}), path.name
