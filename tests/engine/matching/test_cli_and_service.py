"""The service (index cache per registry version) and ``fabnet match`` end to end."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from fabnet.cli.main import app
from fabnet.services.sourcing.matching import MatchParams, facility_index, match
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository

from .builders import eq, fac

runner = CliRunner()


def test_match_a_manifest_file_with_place_and_radius(seeded_env: Database, manifest: Path) -> None:
    out = runner.invoke(
        app, ["match", str(manifest), "--near", "Berlin, DE", "--radius-km", "100", "--json"]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    parts = {p["part"]: p for p in data["parts"]}
    assert set(parts) == {"leg", "seat"}
    assert [c["facility_id"] for c in parts["leg"]["candidates"]] == ["fl-berlin"]
    assert parts["leg"]["candidates"][0]["distance_km"] < 10
    # the small printer shares the name but is a near-miss, told apart by id
    assert [n["facility_id"] for n in parts["leg"]["near_misses"]] == ["fl-small"]
    assert "envelope" in parts["leg"]["near_misses"][0]["lacks"]
    # the laser cutter is in Paris, beyond 100 km of Berlin
    assert data["uncovered_parts"] == ["seat"]
    assert "beyond 100 km" in parts["seat"]["near_misses"][0]["lacks"]


def test_why_not_and_reverse_match(seeded_env: Database, manifest: Path) -> None:
    out = runner.invoke(app, ["match", "why-not", str(manifest), "leg", "fl-small", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["qualifies"] is False
    assert [f["criterion"] for f in data["failed"]] == ["envelope"]
    rev = runner.invoke(app, ["match", "facility", "laser-paris", "--json"])
    assert rev.exit_code == 0, rev.output
    (coverage,) = json.loads(rev.stdout)["designs"]
    assert coverage["makeable_parts"] == ["seat"] and coverage["whole"] is False


def test_bad_parameters_exit_2_with_a_message(seeded_env: Database, manifest: Path) -> None:
    out = runner.invoke(app, ["match", str(manifest), "--radius-km", "50"])
    assert out.exit_code == 2
    assert "a radius needs at least one delivery point" in out.stderr
    out = runner.invoke(app, ["match", str(manifest), "--exclude-country", "Atlantis"])
    assert out.exit_code == 2 and "unknown country 'Atlantis'" in out.stderr
    out = runner.invoke(app, ["match", "why-not", str(manifest), "leg", "nope"])
    assert out.exit_code == 2


def test_human_output_lists_candidates_by_id(seeded_env: Database, manifest: Path) -> None:
    out = runner.invoke(app, ["match", str(manifest), "--top", "5"])
    assert out.exit_code == 0, out.output
    assert "fl-berlin" in out.stdout and "laser-paris" in out.stdout


def test_index_is_rebuilt_when_the_registry_changes(seeded_env: Database, manifest: Path) -> None:
    first = facility_index(seeded_env)
    assert facility_index(seeded_env) is first  # cached for the same version
    with seeded_env.transaction() as session:
        FacilityRepository(session).add_or_replace(
            fac(
                "fl-big", eq("big", "fdm", envelope=(400, 400, 400), materials=("pla",)), name="Big"
            )
        )
    second = facility_index(seeded_env)
    assert second is not first and len(second) == len(first) + 1
    result = match(seeded_env, str(manifest), MatchParams())
    assert "fl-big" in {c.facility_id for c in result.part("leg").candidates}
