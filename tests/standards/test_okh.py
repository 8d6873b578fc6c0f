"""OKH import: each dialect from fixtures, licence repair, refusals with precise paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from fabnet.domain.design import FileRole, OkhDialect, design_id_for
from fabnet.errors import ManifestError
from fabnet.standards.okh import dump_design_okh_toml, load_design, parse_design

DATA = Path(__file__).parent / "data"


def test_okh_v1_yaml_maps_title_license_object_and_sub_parts() -> None:
    result = load_design(DATA / "okh_v1.yml")
    design = result.value
    assert design.dialect is OkhDialect.OKH_V1
    assert design.name == "Open Flexure Block Stage"
    assert design.license == "CERN-OHL-1.2"  # hardware licence, repaired from "CERN OHL v1.2"
    assert design.repository == "https://gitlab.com/openflexure/openflexure-block-stage"
    assert design.licensor == ("Richard Bowman <r.w.bowman@example.org>",)
    assert design.documentation_language == "en-GB"
    assert design.standard_compliance == ("ISO 8039",)
    assert design.bom_file is not None and design.bom_file.path == "docs/bom.md"
    assert [p.id for p in design.parts] == ["main-body", "thumb-wheel"]
    assert design.id == design_id_for(design.repository, design.name, "1.2.0")
    messages = " | ".join(str(w) for w in result.warnings)
    assert "documentation licence 'CC-BY-4.0' is not the design licence" in messages
    assert "'CERN OHL v1.2' read as the SPDX licence 'CERN-OHL-1.2'" in messages


def test_losh_v1_toml_reads_camel_case_words_openscad_and_units() -> None:
    result = load_design(DATA / "losh_v1.toml")
    design = result.value
    assert design.dialect is OkhDialect.OKH_LOSH_V1
    assert design.name == "Solar Dryer"
    assert design.version is None  # "UNVERSIONED"
    assert design.license == "CC-BY-SA-4.0"
    assert design.licensor == ("Lonny Grafman",)
    assert design.documentation_language == "en-US"
    assert design.technology_readiness_level == "OTRL-3"
    assert design.documentation_readiness_level == "ODRL-1"
    panel, duct = design.parts
    assert panel.outer_dimensions is not None
    assert panel.outer_dimensions.sorted() == (6.0, 400.0, 600.0)
    assert panel.processes == ("laser-cutting",)
    assert duct.processes == ("fdm",)  # printing-process refines 3DP
    assert duct.materials == ("pla", "petg")
    assert duct.material_text == "PLA or PETG"
    assert duct.mass_g == pytest.approx(120.0)
    assert duct.outer_dimensions is not None
    assert (duct.outer_dimensions.x_mm, duct.outer_dimensions.z_mm) == (120.0, 80.0)  # cm
    fields = {w.field for w in result.warnings}
    assert {"license", "licensor", "documentationLanguage"} <= fields


def test_okh2_toml_builds_the_structured_bom_and_unique_part_ids() -> None:
    result = load_design(DATA / "okh2.toml")
    design = result.value
    assert design.dialect is OkhDialect.OKH_V2
    assert [p.id for p in design.parts] == ["beam", "heddle", "beam-2"]
    assert design.root_assembly_id == "loom"
    assert design.part_quantities() == {"beam": 2, "beam-2": 1, "heddle": 3}
    beam = design.part("beam")
    assert beam.tolerance_class == "ISO2768-m"
    assert beam.materials == ("mild-steel",)
    assert design.part("heddle").processes == ("sla",)
    assert design.documentation_readiness_level == "ODRL-3*"
    assert design.licensor == ("Ada Weaver", "Loom Collective")


def test_unknown_material_is_a_warning_with_suggestions_and_raw_text_is_kept() -> None:
    result = load_design(DATA / "okh2.toml")
    heddle = result.value.part("heddle")
    assert heddle.material_text == "unobtainium"
    assert heddle.materials == ()
    (warning,) = [w for w in result.warnings if w.field == "part[1].material"]
    assert warning.source.endswith("okh2.toml")
    assert "unknown material 'unobtainium'" in warning.message
    assert "did you mean" in warning.message


def test_okh2_json_and_module_licence_repair() -> None:
    result = load_design(DATA / "okh2.json")
    assert result.value.license == "CC-BY-SA-4.0"
    (part,) = result.value.parts
    assert part.outer_dimensions is not None
    assert part.outer_dimensions.sorted() == (40.0, 60.0, 120.0)
    assert any("'CC BY-SA 4.0' read as" in w.message for w in result.warnings)


MINIMAL = """okhv = "2.4"
name = "Widget"
repo = "https://example.org/widget"
license = "MIT"
licensor = "Ann"
function = "Holds things"
"""


@pytest.mark.parametrize(
    ("text", "field", "fragment"),
    [
        (MINIMAL.replace('function = "Holds things"\n', ""), "function", "add function ="),
        (MINIMAL.replace('okhv = "2.4"\n', ""), "okhv", 'add okhv = "2.4"'),
        (MINIMAL.replace('"MIT"', '"MIT, CC0-1.0"'), "license", "AND"),
        (
            MINIMAL + '[[part]]\nname = "Plate"\n[part.outer-dimensions]\n'
            'openSCAD = "torus(5)"\nunit = "mm"\n',
            "part[0].outer-dimensions.openSCAD",
            "cube(size=[120, 100, 3])",
        ),
        (
            MINIMAL + '[[part]]\nname = "Plate"\n[part.outer-dimensions]\n'
            'openSCAD = "cube(1)"\nunit = "furlong"\n',
            "part[0].outer-dimensions.unit",
            "mm, cm, m or in",
        ),
        (
            MINIMAL + '[[part]]\nname = "Plate"\n[fabnet]\nroot-assembly = "x"\n'
            '[[fabnet.assembly]]\nid = "x"\nlines = [{ item = "bolt", quantity = 1 }]\n',
            "fabnet.assembly[0].lines[0].item",
            "known ids: plate, x",
        ),
        (
            MINIMAL + '[[part]]\nname = "Plate"\n[fabnet]\nroot-assembly = "a"\n'
            '[[fabnet.assembly]]\nid = "a"\nlines = [{ item = "b" }]\n'
            '[[fabnet.assembly]]\nid = "b"\nlines = [{ item = "a" }]\n',
            "fabnet.assembly",
            "the BOM loops",
        ),
        (
            MINIMAL + '[[part]]\nname = "Plate"\n[fabnet]\nroot-assembly = "x"\n'
            '[[fabnet.assembly]]\nid = "x"\nkind = "easy"\nlines = [{ item = "plate" }]\n',
            "fabnet.assembly[0].kind",
            'kind = "manual"',
        ),
    ],
)
def test_refusals_name_source_field_and_fix(text: str, field: str, fragment: str) -> None:
    with pytest.raises(ManifestError) as caught:
        parse_design(text, source="okh.toml", fmt="toml")
    error = caught.value
    assert error.source == "okh.toml"
    assert error.field == field
    assert fragment in str(error)


def test_v1_without_project_link_is_refused() -> None:
    text = "title: X\ndescription: Y\nlicense: {hardware: MIT}\n"
    with pytest.raises(ManifestError) as caught:
        parse_design(text, source="okh.yml", fmt="yaml")
    assert caught.value.field == "project-link"
    assert "documentation-home" in str(caught.value)


def test_unknown_fields_and_tsdc_terms_become_warnings() -> None:
    text = MINIMAL + 'colour = "red"\n[[part]]\nname = "Plate"\ntsdc = "XYZ"\n'
    result = parse_design(text, source="okh.toml", fmt="toml")
    fields = {w.field: w.message for w in result.warnings}
    assert "not understood" in fields["colour"] and "'red'" in fields["colour"]
    assert "unknown process 'XYZ'" in fields["part[0].tsdc"]
    assert result.value.parts[0].processes == ()
    assert "XYZ" in result.value.parts[0].unresolved[0]


def test_module_without_parts_but_with_tsdc_is_one_part() -> None:
    text = MINIMAL + 'tsdc = "3DP"\nmaterial = "PLA"\nexport = "widget.stl"\n'
    design = parse_design(text, source="okh.toml", fmt="toml").value
    (part,) = design.parts
    assert part.id == "widget"
    assert part.materials == ("pla",)
    assert [f.path for f in part.export_files] == ["widget.stl"]
    assert design.files == ()


def test_load_design_detects_format_from_content(tmp_path: Path) -> None:
    path = tmp_path / "manifest.txt"
    path.write_text(MINIMAL, encoding="utf-8")
    assert load_design(path).value.name == "Widget"
    yaml_path = tmp_path / "okh-widget.yml"
    yaml_path.write_text(
        "%Open Know-How Manifest 1.0\n---\ntitle: W\ndescription: D\n"
        "license: {hardware: MIT}\nproject-link: https://example.org\n",
        encoding="utf-8",
    )
    assert load_design(yaml_path).value.dialect is OkhDialect.OKH_V1


def test_file_checksums_in_the_extension_attach_to_files() -> None:
    sha = "ab" * 32
    text = (
        MINIMAL
        + 'image = "a.png"\n[fabnet]\n[[fabnet.file]]\npath = "a.png"\n'
        + f'sha256 = "{sha}"\nsize-bytes = 12\n'
    )
    (image,) = parse_design(text, source="okh.toml", fmt="toml").value.files
    assert (image.role, image.sha256, image.size_bytes) == (FileRole.IMAGE, sha, 12)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (MINIMAL.replace('licensor = "Ann"\n', ""), "add licensor ="),
        (MINIMAL.replace('licensor = "Ann"', 'licensor = "."'), "names nobody"),
    ],
)
def test_a_missing_licensor_imports_with_a_warning(text: str, fragment: str) -> None:
    result = parse_design(text, source="okh.toml", fmt="toml")
    assert result.value.licensor == ()
    assert [w.field for w in result.warnings if fragment in w.message] == ["licensor"]
    with pytest.raises(ManifestError):
        dump_design_okh_toml(result.value)  # OKH 2.x requires a licensor


# -- issue 10: unresolved terms stay requirements; TsDC categories; stand-in parts ----------


def test_unknown_material_is_kept_as_an_unresolved_requirement() -> None:
    text = MINIMAL + '[[part]]\nname = "Bracket"\ntsdc = ["CNC"]\nmaterial = "Unobtainium-9"\n'
    result = parse_design(text, source="okh.toml", fmt="toml")
    (bracket,) = result.value.parts
    assert bracket.materials == ()
    assert len(bracket.unresolved) == 1 and "'Unobtainium-9'" in bracket.unresolved[0]
    back = parse_design(dump_design_okh_toml(result.value), source="rt", fmt="toml").value
    assert back.parts[0].unresolved == bracket.unresolved


def test_tsdc_category_code_is_no_process_requirement() -> None:
    text = MINIMAL + '[[part]]\nname = "Frame"\ntsdc = ["MEC"]\nmaterial = "PLA"\n'
    result = parse_design(text, source="okh.toml", fmt="toml")
    (frame,) = result.value.parts
    assert frame.tsdc == ("MEC",)
    assert frame.processes == () and frame.unresolved == ()
    assert not [w for w in result.warnings if "MEC" in w.message]


def test_manifest_without_parts_gives_one_stand_in_part() -> None:
    text = MINIMAL + 'material = "PLA"\n'
    result = parse_design(text, source="okh.toml", fmt="toml")
    (whole,) = result.value.parts
    assert whole.stand_in
    assert any("stand-in" in w.message for w in result.warnings)


def test_the_demo_face_shield_declares_a_manual_final_assembly() -> None:
    root = Path(__file__).resolve().parents[2] / "src/fabnet/data/designs"
    shield = load_design(root / "face-shield/okh.toml").value
    assert shield.root_assembly_id is not None
    final = shield.assembly(shield.root_assembly_id)
    assert final.manual and final.minutes_per_unit == 1
    back = parse_design(dump_design_okh_toml(shield), source="x.toml", fmt="toml").value
    assert back.assembly(final.id).manual
    stool = load_design(root / "plywood-stool/okh.toml").value
    assert not any(a.manual for a in stool.assemblies)
