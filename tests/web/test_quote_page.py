"""The instant-quote page: a design or an uploaded part, quantity, material, near a place ->
price per unit and in total per capable facility from the sliced geometry (real PrusaSlicer),
machine time, lead time, distance; the quote runs as a background job with a progress region,
and a second quote of the same files reads the slicing cache."""

from __future__ import annotations

import html
import re
import time

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from tests.web.conftest import WebParties, csrf_of, sign_in
from tests.web.test_designs import _library, _world_near

from fabnet.demo.designs import DESIGNS_DIR
from fabnet.geo.distance import haversine_km
from fabnet.geo.gazetteer import locate
from fabnet.services.platform.database import open_file_store
from fabnet.services.sourcing.quoting import quote_design
from fabnet.settings import Settings
from fabnet.storage.db import Database

pytestmark = pytest.mark.usefixtures("prusa_slicer_cli")

REGION = {"HX-Request": "true", "HX-Target": "quote-job"}


def _finished(web: TestClient, url: str) -> str:
    """Poll the job's region as the page does until it stops polling; its last HTML."""
    for _ in range(1500):
        region = web.get(url, headers=REGION)
        assert region.status_code == 200, region.text
        if 'hx-trigger="every 1s"' not in region.text:
            return region.text
        time.sleep(0.2)
    raise AssertionError(f"the quote job {url} did not finish")


def _rows(text: str) -> list[dict[str, str]]:
    rows = []
    for fid, body in re.findall(r'<tr data-facility="([^"]+)">(.*?)</tr>', text, re.S):
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(
            r"<td[^>]*>(.*?)</td>", body, re.S)]  # fmt: skip
        rows.append(
            {"id": fid, "unit": cells[0], "total": cells[1], "hours": cells[2],
             "lead": cells[3], "km": cells[4], "notes": cells[5]}
        )  # fmt: skip
    return rows


def test_a_design_is_quoted_in_the_background_at_every_capable_facility(
    web: TestClient, web_parties: WebParties, web_settings: Settings
) -> None:
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    splint = next(d for d in _library(db, web_settings) if d.name == "Finger splint")
    facilities = {f.id: f for f in _world_near(db, -1.29, 36.82, 2500)}
    sign_in(web, web_parties.buyer_email)
    assert 'href="/quote"' in web.get("/").text
    form = web.get("/quote", params={"design": splint.id})
    assert f'<option value="{splint.id}" selected>' in form.text
    token = csrf_of(form.text)
    ask = {"csrf_token": token, "source": "design", "design": splint.id, "quantity": "50",
           "material": "petg", "near": "Nairobi, KE"}  # fmt: skip
    started = web.post("/quote", data=ask, follow_redirects=False)
    assert started.status_code == 303, started.text
    url = started.headers["location"]
    assert url.startswith("/quote/jobs/")
    first = web.get(url)  # a fresh file is being sliced: the page shows the progress
    assert first.status_code == 200
    assert "<progress" in first.text and 'hx-trigger="every 1s"' in first.text
    assert '<meta http-equiv="refresh"' in first.text  # without JavaScript, the page reloads
    done = _finished(web, url)
    assert "50 × Finger splint in PETG near Nairobi, KE" in done
    assert "Sliced and measured now" in done
    assert "PrusaSlicer 2.5, default-0.2mm profile, petg" in done
    rows = _rows(done)
    assert rows, done
    nairobi = locate("Nairobi, KE")
    for row in rows:
        facility = facilities[row["id"]]
        unit, currency = row["unit"].split()
        total = float(row["total"].split()[0])
        assert abs(float(unit) * 50 - total) < 0.01 * 50
        # the same price as the quoting service gives for this facility
        expected = quote_design(
            db, splint.id, facility_id=facility.id, quantity=50,
            store=open_file_store(web_settings),
        )  # fmt: skip
        assert expected.total is not None and row["total"] == f"{expected.total:.2f} {currency}"
        lat, lon = facility.location.latitude, facility.location.longitude
        assert lat is not None and lon is not None
        km = float(haversine_km(nairobi.latitude, nairobi.longitude, lat, lon))
        assert abs(float(row["km"]) - km) <= 1.0
        assert float(row["hours"]) > 50 * 0.3  # 50 prints of about half an hour each
        lead_times = facility.extension.lead_times
        assert lead_times is not None and float(row["lead"]) >= lead_times.production_start_days
        assert "road transit" in row["notes"]
    totals = [float(r["total"].split()[0]) for r in rows]
    assert totals == sorted(totals)  # the cheapest first
    by_distance = _rows(web.get(url, params={"sort": "distance"}).text)
    kms = [float(r["km"]) for r in by_distance]
    assert kms == sorted(kms)
    # the same file again: the slicing is read from the cache (by file hash)
    again = web.post("/quote", data={**ask, "quantity": "80"}, follow_redirects=False)
    second = _finished(web, again.headers["location"])
    assert "80 × Finger splint" in second and "from the cache (by file hash)" in second
    # another organisation's buyer does not see the quote
    other = TestClient(web.app)
    sign_in(other, web_parties.other_email)
    assert other.get(url).status_code == 404


def _upload(web: TestClient, token: str, name: str, stl: bytes) -> Response:
    """Ask for a quote of 20 of an uploaded STL printed in PLA near Kampala."""
    return web.post(
        "/quote",
        data={"csrf_token": token, "source": "upload", "process": "fdm", "quantity": "20",
              "material": "pla", "near": "Kampala, UG"},
        files=[("mesh", (name, stl, "model/stl"))],
        follow_redirects=False,
    )  # fmt: skip


def test_an_uploaded_part_is_quoted_in_the_chosen_material(
    web: TestClient, web_parties: WebParties, web_settings: Settings
) -> None:
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    _world_near(db, -1.29, 36.82, 2500)
    sign_in(web, web_parties.buyer_email)
    token = csrf_of(web.get("/quote").text)
    stl = (DESIGNS_DIR / "face-shield" / "headband.stl").read_bytes()
    started = _upload(web, token, "headband.stl", stl)
    assert started.status_code == 303, started.text
    done = _finished(web, started.headers["location"])
    assert "20 × headband.stl in PLA (polylactic acid) near Kampala, UG" in done
    assert "PrusaSlicer 2.5, default-0.2mm profile, pla" in done
    rows = _rows(done)
    assert rows and all(r["km"] and r["lead"] for r in rows)


def test_quote_errors_are_shown_at_the_field(
    web: TestClient, web_parties: WebParties, web_settings: Settings
) -> None:
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    splint = next(d for d in _library(db, web_settings) if d.name == "Finger splint")
    sign_in(web, web_parties.buyer_email)
    token = csrf_of(web.get("/quote").text)
    ask = {"csrf_token": token, "source": "design", "design": splint.id, "quantity": "5"}

    def error(answer_text: str, field: str) -> str:
        found = re.search(rf'<p class="error" id="e-{field}">([^<]*)</p>', answer_text)
        assert found, f"no error at {field}"
        return html.unescape(found.group(1))

    cases = [
        ({"quantity": "0"}, "quantity", "at least 1"),
        ({"quantity": "lots"}, "quantity", "whole number"),
        ({"near": "Qqqzzz Nowhere"}, "near", "Qqqzzz"),
        ({"material": "plywood"}, "material", "made in PETG"),
        ({"design": "zz-no-such-design"}, "design", "knows no design"),
        ({"design": ""}, "design", "choose a design"),
        ({"source": "upload"}, "mesh", "Choose the STL or 3MF"),
    ]
    for change, field, words in cases:
        answer = web.post("/quote", data={**ask, **change})
        assert answer.status_code == 422, (change, answer.text[:300])
        assert words in error(answer.text, field), change
    stl = (DESIGNS_DIR / "finger-splint" / "finger-splint.stl").read_bytes()
    upload = {**ask, "source": "upload", "material": "pla"}
    no_process = web.post("/quote", data=upload, files=[("mesh", ("s.stl", stl, "model/stl"))])
    assert no_process.status_code == 422 and "how the uploaded part is made" in error(
        no_process.text, "process"
    )
    not_mesh = web.post(
        "/quote", data={**upload, "process": "fdm"}, files=[("mesh", ("s.step", b"x", ""))]
    )
    assert not_mesh.status_code == 422 and "not an STL or 3MF" in error(not_mesh.text, "mesh")
    no_csrf = web.post("/quote", data={k: v for k, v in ask.items() if k != "csrf_token"})
    assert no_csrf.status_code == 403
    assert web.get("/quote/jobs/no-such-job").status_code == 404


def test_a_broken_upload_is_named_as_uploaded_never_by_its_server_path(
    web: TestClient, web_parties: WebParties, web_settings: Settings
) -> None:
    """A truncated STL fails its quote with the file's own name and what is wrong with it; the
    answer never shows where the server's file store keeps it."""
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    _world_near(db, -1.29, 36.82, 2500)
    sign_in(web, web_parties.buyer_email)
    token = csrf_of(web.get("/quote").text)
    whole = (DESIGNS_DIR / "face-shield" / "headband.stl").read_bytes()
    broken = whole[: len(whole) // 2]  # the header still counts every triangle
    started = _upload(web, token, "broken-headband.stl", broken)
    if started.status_code == 422:  # refused at once, at the field
        text = started.text
    else:
        assert started.status_code == 303, started.text
        text = _finished(web, started.headers["location"])
    shown = html.unescape(text)
    assert "broken-headband.stl" in shown and "truncated" in shown
    store = str(web_settings.file_store_dir)
    assert store not in shown and "/files/" not in shown.replace("/files/mine", "")
