"""Variants of the parametric demo designs, rendered with the real OpenSCAD CLI."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest
import trimesh
from typer.testing import CliRunner

from fabnet.cli.main import app
from fabnet.demo.designs import DESIGNS_DIR
from fabnet.errors import InputError
from fabnet.services.catalogue.designs import get_design
from fabnet.services.catalogue.variants import (
    create_variant,
    design_parameters,
    list_variants,
    variant_manifest,
)
from fabnet.storage.db import Database
from fabnet.storage.files import FileStore

from .conftest import import_demo

pytestmark = pytest.mark.usefixtures("openscad_cli")


def test_parameters_and_parameter_sets_of_the_splint(sqlite_db: Database, store: FileStore) -> None:
    design = import_demo(sqlite_db, store, "finger-splint")
    found = design_parameters(sqlite_db, design.id, store=store)
    names = [p.name for p in found.parameters()]
    assert names[:2] == ["finger_diameter", "length"]
    assert set(found.parameter_sets()) == {"child", "thumb", "large"}
    assert found.derivatives.allowed


def test_a_splint_variant_is_its_own_design_measured_from_its_render(
    sqlite_db: Database, store: FileStore
) -> None:
    parent = import_demo(sqlite_db, store, "finger-splint")
    variant = create_variant(sqlite_db, parent.id, {"finger_diameter": "16"}, store=store)
    assert variant.created and variant.design.id != parent.id
    (render,) = variant.parts
    mesh = trimesh.load(store.path_for(render.sha256), file_type="stl", force="mesh")
    assert render.watertight
    # inner 16 mm + 2 x 2 mm wall + 2 x 1.5 mm flare = 23 mm wide; parent is 26 mm
    assert render.dimensions.x_mm == pytest.approx(23.0, abs=0.05)
    assert render.dimensions.z_mm == pytest.approx(52.0, abs=0.05)
    assert mesh.extents[0] == pytest.approx(render.dimensions.x_mm)
    stored = get_design(sqlite_db, variant.design.id)
    part = stored.parts[0]
    assert part.outer_dimensions is not None and part.outer_dimensions.x_mm == pytest.approx(23.0)
    assert part.mass_g is not None and part.mass_g < parent.parts[0].mass_g  # type: ignore[operator]
    assert part.export_files[0].sha256 == render.sha256 != parent.parts[0].export_files[0].sha256
    again = create_variant(sqlite_db, parent.id, {"finger_diameter": 16}, store=store)
    assert not again.created and again.design.id == variant.design.id
    assert [r.id for r in list_variants(sqlite_db, parent.id)] == [variant.design.id]


def test_a_parameter_set_and_the_okh_export(sqlite_db: Database, store: FileStore) -> None:
    parent = import_demo(sqlite_db, store, "finger-splint")
    variant = create_variant(sqlite_db, parent.id, parameter_set="large", store=store)
    assert variant.set_name == "large" and variant.values == {"finger_diameter": 23, "length": 60}
    doc = tomllib.loads(variant_manifest(sqlite_db, variant.design.id))
    assert doc["okhv"].startswith("2.") and doc["fork-of"] == parent.repository
    assert doc["license"] == "CERN-OHL-P-2.0"
    assert doc["part"][0]["outer-dimensions"]["height"] == pytest.approx(60.0)
    assert doc["fabnet"]["variant"]["parent"] == parent.id
    assert any("credit fabnet contributors" in o for o in doc["fabnet"]["variant"]["obligations"])


def test_bad_values_are_refused_before_rendering(sqlite_db: Database, store: FileStore) -> None:
    parent = import_demo(sqlite_db, store, "finger-splint")
    with pytest.raises(InputError, match="above the maximum"):
        create_variant(sqlite_db, parent.id, {"finger_diameter": "99"}, store=store)
    with pytest.raises(InputError, match="not a Customizer parameter"):
        create_variant(sqlite_db, parent.id, {"colour": "red"}, store=store)
    with pytest.raises(InputError, match="no parameter set 'huge'"):
        create_variant(sqlite_db, parent.id, parameter_set="huge", store=store)
    with pytest.raises(InputError, match="default"):
        create_variant(sqlite_db, parent.id, {"finger_diameter": "19"}, store=store)


def test_face_shield_headband_size_renders_both_parts(
    sqlite_db: Database, store: FileStore
) -> None:
    parent = import_demo(sqlite_db, store, "face-shield")
    variant = create_variant(sqlite_db, parent.id, {"head_width": "150"}, name="child", store=store)
    by_part = {r.part_id: r for r in variant.parts}
    assert set(by_part) == {"headband", "visor"}
    parent_band = parent.part("headband").outer_dimensions
    assert parent_band is not None
    assert by_part["headband"].dimensions.x_mm < parent_band.x_mm - 20
    assert variant.design.name == "Face shield (child)"
    assert any(o.startswith("share-alike") for o in variant.obligations)  # CERN-OHL-S


def test_a_no_derivatives_licence_refuses(
    sqlite_db: Database, store: FileStore, tmp_path: Path
) -> None:
    folder = tmp_path / "nd"
    shutil.copytree(DESIGNS_DIR / "finger-splint", folder)
    manifest = folder / "okh.toml"
    text = manifest.read_text(encoding="utf-8").replace("CERN-OHL-P-2.0", "CC-BY-ND-4.0")
    manifest.write_text(text.replace("Finger splint", "ND splint", 1), encoding="utf-8")
    from fabnet.services.catalogue.designs import import_designs

    tally = import_designs(sqlite_db, [manifest], store=store)
    (design_id,) = tally.created
    with pytest.raises(InputError, match="NoDerivatives"):
        create_variant(sqlite_db, design_id, {"finger_diameter": "16"}, store=store)


def test_cli_params_and_create(quoting_env: Database) -> None:
    splint = str(DESIGNS_DIR / "finger-splint" / "okh.toml")
    runner = CliRunner()
    params = runner.invoke(app, ["variants", "params", splint, "--json"])
    assert params.exit_code == 0, params.output
    assert json.loads(params.stdout)["parameters"][0]["name"] == "finger_diameter"
    made = runner.invoke(
        app, ["variants", "create", splint, "--set", "finger_diameter=17", "--set", "length=48",
              "--json"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    data = json.loads(made.stdout)
    assert data["parts"][0]["outer_dimensions_mm"]["height"] == pytest.approx(48.0)
    bad = runner.invoke(app, ["variants", "create", splint, "--set", "finger_diameter"])
    assert bad.exit_code == 2 and "name=value" in bad.output
    quote = runner.invoke(app, ["quote", data["id"], "--json"])
    assert quote.exit_code == 0, quote.output


def test_lamp_label_text_is_engraved(sqlite_db: Database, store: FileStore) -> None:
    parent = import_demo(sqlite_db, store, "solar-lamp")
    variant = create_variant(
        sqlite_db, parent.id, {"label_text": "Lampe solaire"}, name="fr", store=store
    )
    by_part = {r.part_id: r for r in variant.parts}
    base = by_part["housing-base"]
    parent_base = parent.part("housing-base")
    assert parent_base.mass_g is not None and base.mass_g is not None
    assert base.mass_g < parent_base.mass_g  # the engraving removes material
    assert base.dimensions.x_mm == pytest.approx(84.0) and base.watertight
    assert base.sha256 != parent_base.export_files[0].sha256
    # the lid does not depend on the label: the same geometry as the parent's
    assert by_part["housing-top"].dimensions == parent.part("housing-top").outer_dimensions
