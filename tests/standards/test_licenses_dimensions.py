"""Licence repair and openSCAD / size parsing."""

from __future__ import annotations

import pytest

from fabnet.errors import ManifestError
from fabnet.standards.dimensions import parse_openscad, parse_size_text
from fabnet.standards.licenses import normalise_license


@pytest.mark.parametrize(
    ("text", "expected", "repaired"),
    [
        ("CERN-OHL-S-2.0", "CERN-OHL-S-2.0", False),
        ("mit OR apache-2.0", "MIT OR Apache-2.0", False),
        ("LicenseRef-CERN", "LicenseRef-CERN", False),
        ("CC BY-SA 4.0", "CC-BY-SA-4.0", True),
        ("LicenseRef-CC BY-SA-4.0", "CC-BY-SA-4.0", True),
        (
            "LicenseRef-Creative Commons Attribution-ShareAlike 4.0 International License",
            "CC-BY-SA-4.0",
            True,
        ),
        ("LicenseRef-GNU GPL v3.0", "GPL-3.0-only", True),
        ("LicenseRef-CERN OHL", "LicenseRef-CERN-OHL", True),
    ],
)
def test_licences(text: str, expected: str, repaired: bool) -> None:
    reading = normalise_license(text, source="s", field="license")
    assert reading.expression == expected
    assert bool(reading.repairs) is repaired


def test_comma_lists_are_refused() -> None:
    with pytest.raises(ManifestError, match="AND"):
        normalise_license("MIT, CC0-1.0", source="s", field="license")


@pytest.mark.parametrize(
    ("scad", "factor", "box"),
    [
        ("cube(size = [120, 100, 3])", 1, (120, 100, 3)),
        ("cube(10, center=true);", 1, (10, 10, 10)),
        ("cylinder(h=50, r=10)", 1, (20, 20, 50)),
        ("cylinder(h=5, d1=30, d2=10)", 1, (30, 30, 5)),
        ("sphere(d=3)", 10, (30, 30, 30)),
    ],
)
def test_openscad_boxes(scad: str, factor: float, box: tuple[float, float, float]) -> None:
    d = parse_openscad(scad, factor=factor, source="s", field="f")
    assert (d.x_mm, d.y_mm, d.z_mm) == box


def test_size_text_with_units() -> None:
    d = parse_size_text("10 x 20 x 2 in", default_unit=None, source="s", field="f")
    assert (d.x_mm, d.y_mm, d.z_mm) == pytest.approx((254, 508, 50.8))
