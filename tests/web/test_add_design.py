"""Adding a design: an OKH manifest (v1 YAML, OKH-LOSH TOML) with its files, or a bare STL/3MF
from which fabnet drafts the manifest; every problem is shown at its field with the fix."""

from __future__ import annotations

import html as html_text
import re
from pathlib import Path

import trimesh
from fastapi.testclient import TestClient
from tests.web.conftest import WebParties, csrf_of, sign_in

from fabnet.demo.designs import DESIGNS_DIR
from fabnet.services.catalogue.designs import get_design, list_designs
from fabnet.services.platform.database import open_file_store
from fabnet.settings import Settings
from fabnet.storage.db import Database

STANDARDS_DATA = Path(__file__).resolve().parents[1] / "standards" / "data"
SPLINT_STL = DESIGNS_DIR / "finger-splint" / "finger-splint.stl"
FORK_STL = DESIGNS_DIR / "wheelchair-caster-fork" / "caster-fork.stl"


def _error(html: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="e-{field}">([^<]*)</p>', html)
    assert found, f"no error at the {field} field"
    return html_text.unescape(found.group(1))


def _added_id(html: str) -> str:
    found = re.search(r'<a href="/designs/([0-9a-f-]{36})">Open the design</a>', html)
    assert found, html
    return found.group(1)


def test_upload_okh_v1_and_losh_manifests_with_their_files(
    web: TestClient, web_parties: WebParties, web_settings: Settings
) -> None:
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    sign_in(web, web_parties.buyer_email)
    form = web.get("/designs/new")
    assert form.status_code == 200
    assert 'for="f-manifest"' in form.text and 'for="f-mesh"' in form.text
    assert 'href="/designs/new"' in web.get("/designs").text
    token = csrf_of(form.text)
    v1 = (STANDARDS_DATA / "okh_v1.yml").read_bytes()
    stl = SPLINT_STL.read_bytes()
    added = web.post(
        "/designs/new/manifest",
        data={"csrf_token": token},
        files=[
            ("manifest", ("okh.yml", v1, "application/yaml")),
            ("files", ("main_body.stl", stl, "model/stl")),
            ("files", ("notes.txt", b"not named by the manifest", "text/plain")),
        ],
    )
    assert added.status_code == 200, added.text
    assert "Added to the library." in added.text
    design = get_design(db, _added_id(added.text))
    assert design.name == "Open Flexure Block Stage"
    body = next(p for p in design.parts if p.name == "Main body")
    stored = body.export_files[0]
    assert stored.path == "stl/main_body.stl" and stored.size_bytes == len(stl)
    assert stored.sha256 is not None and open_file_store(web_settings).exists(stored.sha256)
    assert "<code>docs/bom.md</code>" in added.text  # named, not uploaded
    assert "<code>notes.txt</code>" in added.text  # uploaded, not named
    assert "CERN-OHL-1.2" in added.text  # the licence repair is reported
    page = web.get(f"/designs/{design.id}")
    assert f'data-src="/designs/{design.id}/parts/main-body/mesh" data-format="stl"' in page.text
    again = web.post(
        "/designs/new/manifest",
        data={"csrf_token": token},
        files=[
            ("manifest", ("okh.yml", v1, "application/yaml")),
            ("files", ("main_body.stl", stl, "model/stl")),
        ],
    )
    assert "Already in the library, unchanged." in again.text
    losh = web.post(
        "/designs/new/manifest",
        data={"csrf_token": token},
        files=[
            ("manifest", ("okh.toml", (STANDARDS_DATA / "losh_v1.toml").read_bytes(), "")),
            ("files", ("duct.stl", stl, "model/stl")),
        ],
    )
    assert losh.status_code == 200, losh.text
    dryer = get_design(db, _added_id(losh.text))
    duct = next(p for p in dryer.parts if p.name == "Fan duct")
    assert duct.export_files[0].path == "stl/duct.stl" and duct.export_files[0].sha256
    names = {d.name for d in list_designs(db, limit=200).items}
    assert {"Open Flexure Block Stage", "Solar Dryer"} <= names


def test_manifest_errors_are_shown_at_the_field_with_the_fix(
    web: TestClient, web_parties: WebParties
) -> None:
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    sign_in(web, web_parties.buyer_email)
    token = csrf_of(web.get("/designs/new").text)
    no_repo = b'okhv = "OKH-LOSHv1.0"\nname = "Fan duct"\n'
    answer = web.post(
        "/designs/new/manifest",
        data={"csrf_token": token},
        files=[("manifest", ("okh.toml", no_repo, "application/toml"))],
    )
    assert answer.status_code == 422
    message = _error(answer.text, "manifest")
    assert "field 'repo'" in message and "missing" in message
    assert 'add repo = "<URL' in message  # the fix
    broken = web.post(
        "/designs/new/manifest",
        data={"csrf_token": token},
        files=[("manifest", ("okh.toml", b'okhv = "OKH-LOSHv1.0\nname = 1', ""))],
    )
    assert broken.status_code == 422 and "not valid TOML" in _error(broken.text, "manifest")
    mesh = web.post(
        "/designs/new/manifest",
        data={"csrf_token": token},
        files=[("manifest", ("part.stl", SPLINT_STL.read_bytes(), "model/stl"))],
    )
    assert mesh.status_code == 422
    assert "Draft a design from a mesh" in _error(mesh.text, "manifest")
    empty = web.post("/designs/new/manifest", data={"csrf_token": token})
    assert empty.status_code == 422 and "choose the manifest" in _error(empty.text, "manifest")
    refused = web.post(
        "/designs/new/manifest",
        files=[("manifest", ("okh.toml", no_repo, "application/toml"))],
    )
    assert refused.status_code == 403
    assert list_designs(db, limit=200).items == []


def test_a_bare_3mf_or_stl_becomes_a_drafted_design(
    web: TestClient, web_parties: WebParties, web_settings: Settings
) -> None:
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    sign_in(web, web_parties.buyer_email)
    form = web.get("/designs/new")
    token = csrf_of(form.text)
    assert 'value="Buyer Co"' in form.text  # the licensor defaults to the buyer's organisation
    three_mf = trimesh.load(FORK_STL).export(file_type="3mf")
    fields = {
        "csrf_token": token, "name": "Caster fork", "process": "cnc-milling",
        "material": "aluminium-6061", "license": "CERN-OHL-W-2.0", "licensor": "Buyer Co",
        "function": "Holds a caster wheel",
    }  # fmt: skip
    added = web.post(
        "/designs/new/mesh",
        data=fields,
        files=[("mesh", ("caster-fork.3mf", three_mf, "model/3mf"))],
    )
    assert added.status_code == 200, added.text
    design = get_design(db, _added_id(added.text))
    part = design.parts[0]
    assert (design.name, design.license, part.processes, part.materials) == (
        "Caster fork", "CERN-OHL-W-2.0", ("cnc-milling",), ("aluminium-6061",),
    )  # fmt: skip
    mesh = trimesh.load(FORK_STL)
    dims = part.outer_dimensions
    assert dims is not None
    assert sorted([dims.x_mm, dims.y_mm, dims.z_mm]) == sorted(
        round(float(e), 2) for e in mesh.extents
    )
    # mass from the measured volume and aluminium's density (2.7 g/cm³)
    assert part.mass_g is not None and abs(part.mass_g - mesh.volume / 1000 * 2.7) < 1
    assert "fabnet-processes" in added.text  # the drafted manifest is shown
    page = web.get(f"/designs/{design.id}")
    assert 'data-format="3mf"' in page.text
    served = web.get(f"/designs/{design.id}/parts/caster-fork/mesh")
    assert served.headers["content-type"] == "model/3mf" and served.content == three_mf
    stl = web.post(
        "/designs/new/mesh",
        data={**fields, "name": "Splint", "process": "fdm", "material": "petg"},
        files=[("mesh", ("finger-splint.stl", SPLINT_STL.read_bytes(), "model/stl"))],
    )
    assert stl.status_code == 200 and "Added to the library." in stl.text


def test_draft_errors_are_shown_at_each_field(web: TestClient, web_parties: WebParties) -> None:
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    sign_in(web, web_parties.buyer_email)
    token = csrf_of(web.get("/designs/new").text)
    answer = web.post(
        "/designs/new/mesh",
        data={
            "csrf_token": token, "name": "", "process": "teleportation", "material": "",
            "license": "nonsense ((", "licensor": "", "repository": "my laptop",
        },
        files=[("mesh", ("part.obj", b"v 0 0 0", "text/plain"))],
    )  # fmt: skip
    assert answer.status_code == 422
    assert "not an STL or 3MF" in _error(answer.text, "mesh")
    assert "name" in _error(answer.text, "name")
    assert "Fused filament fabrication" in _error(answer.text, "process")
    assert "material" in _error(answer.text, "material")
    assert "SPDX" in _error(answer.text, "license")
    assert "licenses the design" in _error(answer.text, "licensor")
    assert "https://" in _error(answer.text, "repository")
    assert 'value="my laptop"' in answer.text  # what was typed is kept
    empty_stl = web.post(
        "/designs/new/mesh",
        data={"csrf_token": token, "name": "A", "process": "fdm", "material": "petg",
              "license": "MIT", "licensor": "me"},
        files=[("mesh", ("a.stl", b"solid a\nendsolid a\n", "model/stl"))],
    )  # fmt: skip
    assert empty_stl.status_code == 422
    assert "holds no triangles" in _error(empty_stl.text, "mesh")
    assert list_designs(db, limit=200).items == []
