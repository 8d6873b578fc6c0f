"""The demo designs: every manifest imports cleanly and agrees with its STL files."""

from __future__ import annotations

from pathlib import Path

import pytest
import trimesh

from fabnet.demo.designs import DESIGNS_DIR, density_g_per_cm3, manifest_paths, solid_mass_g
from fabnet.domain.design import Design
from fabnet.errors import UnknownTermError
from fabnet.standards.okh import load_design
from fabnet.vocab.materials import get_material_vocabulary
from fabnet.vocab.processes import get_process_taxonomy

MANIFESTS = manifest_paths()
OPEN_LICENCES = {"CERN-OHL-S-2.0", "CERN-OHL-P-2.0", "CC-BY-SA-4.0"}


def _load(path: Path) -> Design:
    result = load_design(path)
    assert result.warnings == (), [str(w) for w in result.warnings]
    return result.value


@pytest.fixture(scope="module")
def designs() -> dict[str, Design]:
    return {path.parent.name: _load(path) for path in MANIFESTS}


def test_at_least_eight_designs_ship_with_fabnet() -> None:
    assert len(MANIFESTS) >= 8
    assert all(p.is_relative_to(DESIGNS_DIR) for p in MANIFESTS)


@pytest.mark.parametrize("manifest", MANIFESTS, ids=lambda p: p.parent.name)
def test_manifest_imports_without_warnings(manifest: Path) -> None:
    design = _load(manifest)
    assert design.license in OPEN_LICENCES
    assert design.licensor == ("fabnet contributors",)
    assert design.repository == f"https://github.com/fabnet-designs/{manifest.parent.name}"
    assert design.function and design.version
    taxonomy, materials = get_process_taxonomy(), get_material_vocabulary()
    for part in design.parts:
        assert part.mass_g and part.mass_g > 0, part.id
        assert part.outer_dimensions is not None, part.id
        if part.purchased:
            continue
        assert part.processes, f"{part.id} names no process"
        assert all(p in taxonomy for p in part.processes)
        assert part.materials and all(m in materials for m in part.materials), part.id
        assert any(f.path.endswith(".scad") for f in part.source_files), part.id
        assert any(f.path.endswith(".stl") for f in part.export_files), part.id


def test_every_referenced_file_exists(designs: dict[str, Design]) -> None:
    for slug, design in designs.items():
        folder = DESIGNS_DIR / slug
        refs = [*design.files]
        refs += [f for p in design.parts for f in (*p.source_files, *p.export_files)]
        for ref in refs:
            assert (folder / ref.path).is_file(), f"{slug}: {ref.path}"


def test_solar_lamp_kit_explodes_to_its_parts(designs: dict[str, Design]) -> None:
    lamp = designs["solar-lamp"]
    assert lamp.root_assembly_id == "solar-lamp"
    per_kit = lamp.part_quantities()
    assert per_kit["screw"] == 6  # 4 close the enclosure, 2 hold the lens ring
    assert per_kit["led-board-pcb"] == 1 and per_kit["lens"] == 1
    assert sum(per_kit.values()) == 14
    for_order = {part: qty * 300 for part, qty in per_kit.items()}
    assert for_order["screw"] == 1800
    assert lamp.assembly("led-board").process == "pcb-assembly"
    assert lamp.part("led-board-pcb").processes == ("pcb-fabrication",)
    assert "injection-moulding" in lamp.part("housing-base").processes


def test_multi_part_designs_have_a_final_assembly(designs: dict[str, Design]) -> None:
    assembled = [d for d in designs.values() if d.root_assembly_id is not None]
    assert len(assembled) >= 2
    assert designs["plywood-stool"].part_quantities() == {"seat": 1, "leg": 4, "brace-ring": 1}
    shield = designs["face-shield"].part_quantities()
    assert shield == {"headband": 1, "visor": 1, "elastic-strap": 1}
    assert designs["face-shield"].part("elastic-strap").purchased
    assert designs["water-filter-housing"].part_quantities()["gasket"] == 2


def test_wheelchair_fork_is_machined_to_it9(designs: dict[str, Design]) -> None:
    fork = designs["wheelchair-caster-fork"].part("caster-fork")
    assert fork.processes == ("cnc-milling",)
    assert fork.tolerance_class == "IT9"
    assert fork.materials == ("aluminium-6061",)


def _stl_parts() -> list[tuple[str, str]]:
    out = []
    for manifest in MANIFESTS:
        design = load_design(manifest).value
        out += [(manifest.parent.name, p.id) for p in design.parts if p.export_files]
    return out


@pytest.mark.parametrize(("slug", "part_id"), _stl_parts())
def test_stl_matches_manifest_size_and_mass(
    designs: dict[str, Design], slug: str, part_id: str
) -> None:
    part = designs[slug].part(part_id)
    stl = DESIGNS_DIR / slug / part.export_files[0].path
    mesh = trimesh.load(stl, force="mesh")
    assert isinstance(mesh, trimesh.Trimesh)
    assert mesh.is_watertight
    dims = part.outer_dimensions
    assert dims is not None and part.mass_g is not None and part.material_text is not None
    for declared, measured in zip((dims.x_mm, dims.y_mm, dims.z_mm), mesh.extents, strict=True):
        assert declared == pytest.approx(float(measured), abs=0.06)
    expected = solid_mass_g(float(mesh.volume), part.material_text)
    assert part.mass_g == pytest.approx(expected, abs=0.1, rel=0.005)


def test_density_lookup_ignores_case_and_dashes_and_refuses_unknown() -> None:
    assert density_g_per_cm3("FR-4") == density_g_per_cm3("fr4") == 1.85
    assert density_g_per_cm3("Aluminium-6061") == 2.70
    with pytest.raises(UnknownTermError, match="no density for material 'unobtainium'"):
        density_g_per_cm3("unobtainium")
