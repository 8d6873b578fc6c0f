"""A manufacturer edits its own facility's record on the web: equipment and the rate card as
YAML beside an example of every section, a live quote of a design priced with the record as
edited (nothing saved), then saved; mistakes are answered at the record; another
organisation's facility is not found."""

from __future__ import annotations

import re
from html import unescape

import yaml
from fastapi.testclient import TestClient

from fabnet.domain.common import Dimensions, Location
from fabnet.domain.design import Design, Part
from fabnet.domain.facility import Facility
from fabnet.domain.identity import OrgKind
from fabnet.services.catalogue.facilities import get_facility
from fabnet.services.identity import accounts as identity
from fabnet.settings import Settings
from fabnet.storage.db import Database
from fabnet.storage.designs import DesignRepository
from fabnet.storage.facilities import FacilityRepository

from .conftest import PASSWORD, csrf_of, sign_in

MAKER, RIVAL = "mia@lab.org", "oto@rival.org"
CLIP = Design(
    id="clip-design", name="Cable clip", license="CC-BY-4.0",
    parts=(Part(id="clip", name="Clip", processes=("fdm",), materials=("pla",), mass_g=12.0,
                outer_dimensions=Dimensions(x_mm=40, y_mm=20, z_mm=10)),),
)  # fmt: skip
EQUIPMENT = [{"id": "mk4", "equipmentType": "3D printer", "manufacturingProcess": ["fdm"],
              "materialsWorked": [{"materialType": "pla"}],
              "buildVolume": {"x": 250, "y": 210, "z": 220, "unit": "mm"}}]  # fmt: skip


def _errors(html: str) -> list[str]:
    return [unescape(e) for e in re.findall(r'class="error"[^>]*>([^<]*)', html)]


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def _setup(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        FacilityRepository(session).bulk_upsert([
            Facility(id="lab-1", name="Fab Lab One", processes=("fdm",),
                     location=Location(latitude=-1.29, longitude=36.82, country="KE")),
            Facility(id="rival-1", name="Rival Lab"),
        ])  # fmt: skip
        DesignRepository(session).add_or_replace(CLIP)
    mine = identity.create_organisation(db, "Lab One", OrgKind.MANUFACTURER, ["lab-1"], actor=None)
    rival = identity.create_organisation(db, "Rival", OrgKind.MANUFACTURER, ["rival-1"],
                                         actor=None)  # fmt: skip
    for email, org in ((MAKER, mine.id), (RIVAL, rival.id)):
        identity.create_user(db, email, org, actor=None, password=PASSWORD, settings=settings)


def _record(page: str) -> dict[str, object]:
    found = re.search(r'<textarea id="f-record"[^>]*>(.*?)</textarea>', page, re.S)
    assert found is not None
    record = yaml.safe_load(unescape(found.group(1)))
    assert isinstance(record, dict)
    return record


def _with_rates(record: dict[str, object], hourly: float | None) -> str:
    """The record with a 3D printer and, unless ``hourly`` is None, an FDM rate card."""
    edited = dict(record)
    edited["equipment"] = EQUIPMENT
    fabnet = dict(edited.get("x-fabnet") or {})  # type: ignore[call-overload]
    if hourly is not None:
        fabnet["rateCard"] = {"currency": "EUR", "rates": [
            {"process": "fdm", "hourlyRate": hourly, "setupCost": 5.0,
             "materialCostPerKg": 25.0}]}  # fmt: skip
    edited["x-fabnet"] = fabnet
    return yaml.safe_dump(edited, sort_keys=False)


def _total(html: str) -> float:
    found = re.search(r"Total ([0-9.]+) EUR", _text(html))
    assert found is not None, _text(html)[-800:]
    return float(found.group(1))


def test_a_manufacturer_edits_its_rates_with_a_live_quote(
    db: Database, web: TestClient, web_settings: Settings
) -> None:
    _setup(db, web_settings)
    sign_in(web, MAKER)
    mine = web.get("/facilities/mine")
    assert mine.status_code == 200
    assert 'href="/facilities/lab-1/edit"' in mine.text and "no rate card yet" in mine.text
    assert "rival-1" not in mine.text
    page = web.get("/facilities/lab-1/edit")
    assert page.status_code == 200
    assert "rateCard" in page.text and "hourlyRate" in page.text  # the example shows the format
    record = _record(page.text)
    assert record["id"] == "lab-1"
    token = csrf_of(page.text)
    url = "/facilities/lab-1/edit"

    # without a rate card the quote says what cannot be priced
    bare = web.post(f"{url}/quote", data={"csrf_token": token, "design": CLIP.id,
                                          "quantity": "10",
                                          "record": _with_rates(record, None)})  # fmt: skip
    assert bare.status_code == 200, _errors(bare.text)
    assert "Not every item could be priced" in _text(bare.text)

    # the live quote prices the design with the record as typed; a higher rate costs more
    ask = {"csrf_token": token, "design": CLIP.id, "quantity": "10"}
    cheap = web.post(f"{url}/quote", data={**ask, "record": _with_rates(record, 12.0)})
    assert cheap.status_code == 200, _errors(cheap.text)
    dear = web.post(f"{url}/quote", headers={"HX-Request": "true", "HX-Target": "quote-check"},
                    data={"csrf_token": token, "design": CLIP.id, "quantity": "10",
                          "record": _with_rates(record, 48.0)})  # fmt: skip
    assert dear.status_code == 200 and dear.text.lstrip().startswith('<div id="quote-check"')
    assert _total(dear.text) > _total(cheap.text) > 0
    assert get_facility(db, "lab-1").extension.rate_card is None  # nothing saved yet

    # mistakes are answered at their field; nothing is saved
    broken = web.post(url, data={"csrf_token": token, "record": "id: lab-1\nname: [unclosed"})
    assert broken.status_code == 422 and 'aria-invalid="true"' in broken.text
    assert _errors(broken.text)
    other = _with_rates(record, 12.0).replace("id: lab-1", "id: other")
    renamed = web.post(url, data={"csrf_token": token, "record": other})
    assert renamed.status_code == 422
    assert any("not 'lab-1'" in e for e in _errors(renamed.text))
    no_design = web.post(f"{url}/quote", data={"csrf_token": token, "design": "",
                                               "record": _with_rates(record, 12.0)})  # fmt: skip
    assert no_design.status_code == 422 and "choose a design to quote" in _errors(no_design.text)

    saved = web.post(url, data={"csrf_token": token, "record": _with_rates(record, 48.0)},
                     follow_redirects=False)  # fmt: skip
    assert saved.status_code == 303, _errors(saved.text)
    facility = get_facility(db, "lab-1")
    assert facility.extension.rate_card is not None
    assert facility.extension.rate_card.rates[0].hourly_rate == 48.0
    assert [e.id for e in facility.equipment] == ["mk4"]
    assert "48.00" in web.get("/facilities/lab-1").text  # the facility page shows the new rate


def test_another_organisations_facility_is_not_found(
    db: Database, web: TestClient, web_settings: Settings
) -> None:
    _setup(db, web_settings)
    sign_in(web, RIVAL)
    token = csrf_of(web.get("/facilities/mine").text)
    assert web.get("/facilities/lab-1/edit").status_code == 404
    taken = {"csrf_token": token, "record": "id: lab-1\nname: Taken\n"}
    answer = web.post("/facilities/lab-1/edit", data=taken)
    assert answer.status_code == 404
    assert web.post("/facilities/lab-1/edit/quote",
                    data={"csrf_token": token, "record": "id: lab-1\nname: X\n",
                          "design": CLIP.id}).status_code == 404  # fmt: skip
    assert get_facility(db, "lab-1").name == "Fab Lab One"
