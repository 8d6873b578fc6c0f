"""parse(dump(design)) == design for every field fabnet models (OKH 2.x TOML and JSON)."""

from __future__ import annotations

import string
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fabnet.domain.common import BoardLimits, Dimensions
from fabnet.domain.design import (
    Assembly,
    BomLine,
    Design,
    FileRef,
    FileRole,
    OkhDialect,
    Part,
    design_id_for,
)
from fabnet.standards.okh import dump_design_json, dump_design_okh_toml, parse_design
from fabnet.vocab.materials import get_material_vocabulary
from fabnet.vocab.processes import get_process_taxonomy

WORD = st.text(string.ascii_letters + string.digits + "äéß", min_size=1, max_size=8)
TEXT = st.lists(WORD, min_size=1, max_size=4).map(" ".join)
PROCESS_IDS = list(get_process_taxonomy().ids())
MATERIAL_IDS = list(get_material_vocabulary().ids())
SIZE = st.floats(min_value=0.01, max_value=5000, allow_nan=False)


@st.composite
def files(draw: Any, roles: list[FileRole], prefix: str) -> tuple[FileRef, ...]:
    out = []
    for i, role in enumerate(roles):
        sha = draw(st.none() | st.text("0123456789abcdef", min_size=64, max_size=64))
        size = draw(st.none() | st.integers(min_value=0, max_value=10**9))
        out.append(
            FileRef(path=f"{prefix}/{i}.{role.value}", role=role, sha256=sha, size_bytes=size)
        )
    return tuple(out)


@st.composite
def parts(draw: Any) -> list[Part]:
    count = draw(st.integers(min_value=0, max_value=4))
    out = []
    for i in range(count):
        out.append(
            Part(
                id=f"p{i}-" + draw(st.text(string.ascii_lowercase, min_size=1, max_size=5)),
                name=draw(TEXT),
                tsdc=tuple(
                    draw(st.lists(st.sampled_from(["3DP", "CNC", "LAS", "PCB"]), max_size=2))
                ),
                processes=tuple(
                    draw(st.lists(st.sampled_from(PROCESS_IDS), max_size=3, unique=True))
                ),
                material_text=draw(st.none() | TEXT),
                materials=tuple(
                    draw(st.lists(st.sampled_from(MATERIAL_IDS), max_size=2, unique=True))
                ),
                mass_g=draw(st.none() | st.floats(min_value=0, max_value=1e6)),
                outer_dimensions=draw(
                    st.none() | st.builds(Dimensions, x_mm=SIZE, y_mm=SIZE, z_mm=SIZE)
                ),
                board=draw(
                    st.none()
                    | st.builds(
                        BoardLimits,
                        x_mm=SIZE,
                        y_mm=SIZE,
                        layers=st.none() | st.integers(1, 40),
                        pitch_mm=st.none() | st.floats(min_value=0.05, max_value=5),
                    )
                ),
                tolerance_class=draw(st.none() | st.sampled_from(["IT9", "ISO2768-m"])),
                source_files=draw(files([FileRole.SOURCE] * draw(st.integers(0, 2)), f"p{i}/src")),
                export_files=draw(files([FileRole.EXPORT] * draw(st.integers(0, 2)), f"p{i}/exp")),
                purchased=draw(st.booleans()),
            )
        )
    return out


@st.composite
def designs(draw: Any) -> Design:
    name = draw(TEXT)
    repo = "https://example.org/" + draw(st.text(string.ascii_lowercase, min_size=1, max_size=10))
    version = draw(st.none() | st.sampled_from(["1.0.0", "2", "v0.3.1"]))
    design_parts = draw(parts())
    assemblies: list[Assembly] = []
    root = None
    if design_parts and draw(st.booleans()):
        sub = Assembly(
            id="sub",
            name="Sub",
            lines=tuple(
                BomLine(item_id=p.id, quantity=draw(st.integers(1, 9))) for p in design_parts
            ),
        )
        top = Assembly(
            id="top",
            name=draw(TEXT),
            process="assembly",
            lines=(BomLine(item_id="sub", quantity=2),),
            manual=draw(st.booleans()),
            minutes_per_unit=draw(st.none() | st.sampled_from([0.5, 1.0, 12.0])),
        )
        assemblies, root = [sub, top], "top"
    roles: list[FileRole] = draw(
        st.lists(
            st.sampled_from([FileRole.IMAGE, FileRole.DOCUMENTATION, FileRole.BOM]), max_size=3
        )
    )
    order = [FileRole.IMAGE, FileRole.DOCUMENTATION, FileRole.SOURCE, FileRole.EXPORT]
    key_of_role: dict[FileRole, FileRole] = {FileRole.BOM: FileRole.DOCUMENTATION}
    roles = sorted(roles, key=lambda r: order.index(key_of_role.get(r) or r))
    return Design(
        id=design_id_for(repo, name, version),
        name=name,
        version=version,
        function=draw(TEXT),
        description=draw(st.none() | TEXT),
        license=draw(st.sampled_from(["CERN-OHL-S-2.0", "MIT OR Apache-2.0", "LicenseRef-Own-1"])),
        licensor=tuple(draw(st.lists(TEXT, min_size=1, max_size=3))),
        repository=repo,
        documentation_language=draw(st.none() | st.sampled_from(["en", "de-DE", "en-GB"])),
        technology_readiness_level=draw(st.none() | st.sampled_from(["OTRL-1", "OTRL-6"])),
        documentation_readiness_level=draw(st.none() | st.sampled_from(["ODRL-2", "ODRL-3*"])),
        attestation=tuple(draw(st.lists(TEXT, max_size=2))),
        standard_compliance=tuple(draw(st.lists(TEXT, max_size=2))),
        cpc_patent_class=draw(st.none() | st.just("A01B33/00")),
        dialect=OkhDialect.OKH_V2,
        parts=tuple(design_parts),
        assemblies=tuple(assemblies),
        root_assembly_id=root,
        bom_file=draw(st.none() | files([FileRole.BOM], "bom").map(lambda t: t[0])),
        files=draw(files(roles, "doc")),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(designs())
def test_toml_round_trip(design: Design) -> None:
    back = parse_design(dump_design_okh_toml(design), source="rt.toml", fmt="toml")
    assert back.value == design
    assert back.warnings == ()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(designs())
def test_json_round_trip(design: Design) -> None:
    back = parse_design(dump_design_json(design), source="rt.json", fmt="json")
    assert back.value == design
