"""The inspector's page: assigned lots, the ISO 2859-1 plan, recording the result."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from fabnet.domain.orders.states import LotAction, LotState
from fabnet.services.identity import accounts as identity
from fabnet.services.orders import inspections, lots
from fabnet.settings import Settings
from services.orders.conftest import Dest, Proposal, World, award_proposals, specified_order, world
from services.orders.test_order_fixes import _to_production

from .conftest import PASSWORD, csrf_of, sign_in

__all__ = ["world"]  # the fixture


def test_inspector_sees_the_plan_and_records_the_result(
    world: World, web: TestClient, web_settings: Settings
) -> None:
    db = world.db
    email = "ines@inspect.org"
    identity.create_user(db, email, world.inspector.org_id, actor=None, password=PASSWORD,
                         settings=web_settings)  # fmt: skip
    order_id = specified_order(world, quantity=500)
    [lot_id] = award_proposals(world, order_id, [
        Proposal("fac-0", 500, 2.0, destinations=(Dest("delivery_point", "knh", 500),)),
    ])  # fmt: skip
    _to_production(world, lot_id, 0)
    lots.act_on_lot(db, world.makers[0], lot_id, LotAction.SUBMIT_FOR_INSPECTION)
    inspections.assign_inspector(db, world.buyer, lot_id, world.inspector.org_id)
    [task] = inspections.lot_inspections(db, world.inspector, lot_id)

    sign_in(web, email)
    page = web.get("/inspections")
    assert page.status_code == 200 and task.id[:8] in page.text
    # lot of 500, level II: code letter H, n = 50; AQL 1.0 major: Ac 1, Re 2
    assert "draw 50 units" in page.text
    assert re.search(r"<td>major</td><td>1.0</td><td>H</td><td>50</td><td>1</td><td>2</td>",
                     page.text)  # fmt: skip
    token = csrf_of(page.text)
    bad = web.post(
        f"/inspections/{task.id}/record",
        data={"csrf_token": token, "defects_major": "x", "defects_minor": "0"},
    )
    assert bad.status_code == 422 and "not a count of defects" in bad.text
    form = {"csrf_token": token, "defects_major": "2", "defects_minor": "0",
            "evidence": world.evidence[2]}  # fmt: skip
    no_reason = web.post(f"/inspections/{task.id}/record", data=form)
    assert no_reason.status_code == 422 and "a reason is required" in no_reason.text
    done = web.post(f"/inspections/{task.id}/record", follow_redirects=False,
                    data={**form, "reason": "2 headbands cracked at the clip"})  # fmt: skip
    assert done.status_code == 303, re.findall(r'class="error"[^>]*>([^<]*)', done.text)
    assert lots.get_lot(db, None, lot_id).state is LotState.LOT_REJECTED  # 2 majors >= Re 2
    # a manufacturer may not judge its own lot: the inspection is not on its page
    maker = "mia@maker0.org"
    identity.create_user(db, maker, world.makers[0].org_id, actor=None, password=PASSWORD,
                         settings=web_settings)  # fmt: skip
    web.cookies.clear()
    sign_in(web, maker)
    assert task.id[:8] not in web.get("/inspections").text
