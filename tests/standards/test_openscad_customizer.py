"""Reading OpenSCAD Customizer declarations, parameter-set files, and licence terms of variants."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fabnet.demo.designs import DESIGNS_DIR
from fabnet.errors import InputError
from fabnet.standards.derivatives import derivative_terms
from fabnet.standards.openscad_customizer import (
    openscad_literal,
    parse_customizer,
    parse_customizer_file,
    read_parameter_sets,
    resolve_values,
)

SOURCE = """
// A test part
/* [Size] */
// Outer width
width = 20;          // [10:2:40]
depth = 15;          // [30]
height = 5;          // [1:9]
/* [Look] */
shape = "round";     // [round, square, "hex"]
holes = 4;           // [2:Two, 4:Four, 6:Six]
solid = false;
label = "Hi";        // text on the top
/* [Hidden] */
secret = 3;
$fn = 48;
derived = width * 2;
module body() { cube([width, depth, height]); }
after = 9;
"""


def test_groups_ranges_choices_descriptions_and_hidden() -> None:
    c = parse_customizer(SOURCE)
    assert c.names() == ("width", "depth", "height", "shape", "holes", "solid", "label")
    width = c.get("width")
    assert width is not None
    assert (width.group, width.minimum, width.step, width.maximum) == ("Size", 10, 2, 40)
    assert width.description == "Outer width" and width.widget == "slider"
    depth, height = c.get("depth"), c.get("height")
    assert depth is not None and (depth.minimum, depth.maximum) == (0, 30)
    assert height is not None and (height.minimum, height.step, height.maximum) == (1, None, 9)
    shape = c.get("shape")
    assert shape is not None and shape.group == "Look" and shape.widget == "choice"
    assert [ch.value for ch in shape.choices] == ["round", "square", "hex"]
    holes = c.get("holes")
    assert holes is not None and [(ch.value, ch.label) for ch in holes.choices] == [
        (2, "Two"), (4, "Four"), (6, "Six"),
    ]  # fmt: skip
    solid, label = c.get("solid"), c.get("label")
    assert solid is not None and solid.kind == "boolean" and solid.widget == "checkbox"
    assert label is not None and label.default == "Hi" and label.description == "text on the top"
    assert c.hidden == ("secret",)  # $fn is special, derived is an expression, after is too late


def test_values_are_checked_against_the_declaration() -> None:
    c = parse_customizer(SOURCE)
    assert resolve_values(c, {"width": "24", "shape": "hex", "solid": "true"}) == {
        "width": 24, "shape": "hex", "solid": True,
    }  # fmt: skip
    with pytest.raises(InputError, match="above the maximum 40"):
        resolve_values(c, {"width": "41"})
    with pytest.raises(InputError, match="not one of the choices"):
        resolve_values(c, {"shape": "star"})
    with pytest.raises(InputError, match="expected a number"):
        resolve_values(c, {"width": 'import("/etc/passwd")'})
    with pytest.raises(InputError, match="not a Customizer parameter"):
        resolve_values(c, {"secret": "1"})


def test_literals_never_become_expressions() -> None:
    assert openscad_literal('a"); import("/etc/passwd") //') == (
        '"a\\"); import(\\"/etc/passwd\\") //"'
    )
    assert openscad_literal(True) == "true" and openscad_literal(2.5) == "2.5"
    assert openscad_literal((1.0, 2.0)) == "[1.0, 2.0]"


def test_parameter_set_file(tmp_path: Path) -> None:
    path = tmp_path / "part.json"
    path.write_text(
        json.dumps({"parameterSets": {"big": {"width": "40", "solid": "true"}},
                    "fileFormatVersion": "1"}),
        encoding="utf-8",
    )  # fmt: skip
    assert read_parameter_sets(path) == {"big": {"width": "40", "solid": "true"}}
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match="parameterSets"):
        read_parameter_sets(path)


@pytest.mark.parametrize(
    ("slug", "names"),
    [
        ("finger-splint", {"finger_diameter", "length"}),
        ("face-shield", {"head_width", "head_depth"}),
        ("solar-lamp", {"label_text", "label_size"}),
    ],
)
def test_demo_designs_declare_meaningful_parameters(slug: str, names: set[str]) -> None:
    (scad,) = (DESIGNS_DIR / slug).glob("*.scad")
    c = parse_customizer_file(scad)
    assert names <= set(c.names())
    for name in names - {"label_text"}:
        param = c.get(name)
        assert param is not None and param.widget == "slider" and param.description


def test_licence_terms_of_variants() -> None:
    nd = derivative_terms("CC-BY-ND-4.0", ("Ana",), "Lamp")
    assert not nd.allowed and "NoDerivatives" in nd.reason
    assert not derivative_terms(None, (), "Lamp").allowed
    sa = derivative_terms("CERN-OHL-S-2.0", ("Ana",), "Lamp")
    assert sa.allowed and sa.license == "CERN-OHL-S-2.0"
    assert any(o.startswith("share-alike") for o in sa.obligations)
    assert any("credit Ana" in o for o in sa.obligations)
    either = derivative_terms("CC-BY-NC-ND-4.0 OR MIT", ("Ana",), "Lamp")
    assert either.allowed and either.license == "MIT"
    assert derivative_terms("CC0-1.0", (), "Lamp").obligations == (
        "licence: CC0-1.0, as the original",
    )
