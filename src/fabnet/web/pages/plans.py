"""Planning an order in the browser: the Plan button starts the planning job; its page polls
itself (htmx every second, a meta refresh without JavaScript) until the plan is made; the plan
page shows the lots, the cost, CO2e, lead times, the baselines, the binding constraints or an
infeasible order's diagnosis, a small form to re-plan with another CO2 price, and Award, which
invites the manufacturers and leads to the order page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from fabnet.domain.orders.states import LotState
from fabnet.errors import FabnetError
from fabnet.standards.order_file import OrderSpec
from fabnet.web import services
from fabnet.web.deps import CurrentUser, Db
from fabnet.web.render import is_htmx, render

router = APIRouter()


def _text(error: FabnetError) -> str:
    return error.message + (f" ({error.hint})" if error.hint else "")


@router.post("/orders/{order_id}/plan")
def start_plan(
    request: Request,
    order_id: str,
    user: CurrentUser,
    db: Db,
    co2_price: Annotated[str, Form()] = "",
) -> Response:
    order = services.get_order(db, user.principal, order_id)  # another's order: 404
    price = None
    error = None
    if co2_price.strip():
        try:
            price = float(co2_price)
        except ValueError:
            error = "The CO2 price must be a number per tonne, e.g. 100."
    if error is None:
        try:
            job_id = services.start_plan_job(db, user.principal, order.id, co2_price_per_t=price)
        except FabnetError as refused:
            if refused.http_status == 404:
                raise
            error = _text(refused)
        else:
            return RedirectResponse(f"/orders/{order.id}/plan-jobs/{job_id}", status_code=303)
    context = {"order": order, "errors": {"co2_price": error}, "co2_price": co2_price}
    return render(request, "plans/refused.html", context, status_code=422, title=order.name)


@router.get("/orders/{order_id}/plan-jobs/{job_id}")
def plan_job_page(
    request: Request, order_id: str, job_id: str, user: CurrentUser, db: Db
) -> Response:
    job = services.plan_job(db, user.principal, job_id)
    if job.order_id != order_id:
        return render(request, "error.html", {"message": "no such planning"}, status_code=404)
    if job.status == "succeeded" and job.plan_id and not is_htmx(request):
        return RedirectResponse(f"/orders/{order_id}/plans/{job.plan_id}", status_code=303)
    context = {"job": job, "order_id": order_id}
    if is_htmx(request) and request.headers.get("HX-Target") == "plan-job":
        if job.status == "succeeded" and job.plan_id:
            return Response(status_code=200, headers={
                "HX-Redirect": f"/orders/{order_id}/plans/{job.plan_id}"})  # fmt: skip
        return render(request, "plans/_job.html", context)
    return render(request, "plans/job.html", context, title="Planning")


@router.get("/orders/{order_id}/plans/compare")
def compare_plans(
    request: Request, order_id: str, user: CurrentUser, db: Db, a: str = "", b: str = ""
) -> Response:
    """Two plans of one order side by side (default: the two newest)."""
    order = services.get_order(db, user.principal, order_id)
    plans = services.order_plans(db, user.principal, order.id)
    chosen = [services.order_plan(db, user.principal, order.id, x) for x in (a, b) if x]
    chosen = chosen or plans[:2][::-1]
    context = {"order": order, "plans": chosen}
    return render(request, "plans/compare.html", context, title=f"Plans of {order.name}")


@router.get("/orders/{order_id}/plans/{plan_id}")
def plan_page(request: Request, order_id: str, plan_id: str, user: CurrentUser, db: Db) -> Response:
    order = services.get_order(db, user.principal, order_id)
    plan = services.order_plan(db, user.principal, order.id, plan_id)
    result = plan.record.result_json
    cost = result.get("cost") or {}
    ours = cost.get("landed")
    widest = max([ours or 0.0, *(b["cost"] for b in result.get("baselines", []))]) or 1.0
    bars = [("this plan", ours or 0.0)] + [
        (b["name"], b["cost"]) for b in result.get("baselines", [])
    ]
    context = {
        "order": order,
        "plan": plan,
        "r": result,
        "bars": [(label, round(300 * value / widest), value) for label, value in bars],
        "names": result.get("facility_names", {}),
        "point_labels": _point_labels(plan.record.spec),
    }
    return render(request, "plans/page.html", context, title=f"Plan of {order.name}")


@router.post("/orders/{order_id}/plans/{plan_id}/award")
def award_plan(
    request: Request, order_id: str, plan_id: str, user: CurrentUser, db: Db
) -> Response:
    order = services.get_order(db, user.principal, order_id)
    services.order_plan(db, user.principal, order.id, plan_id)  # not theirs: 404
    try:
        lots = services.award(db, user.principal, order.id, plan_id)
    except FabnetError as error:
        if error.http_status == 404:
            raise
        context = {"order": order, "errors": {"award": _text(error)}, "co2_price": ""}
        return render(request, "plans/refused.html", context, status_code=422, title=order.name)
    notice = f"{len(lots)} manufacturer invitation(s) sent."
    return RedirectResponse(f"/orders/{order.id}?notice={notice}", status_code=303)


# --- the maps of a plan and of an order's lots (issue 12) -----------------------------------------


_GONE = frozenset({LotState.DECLINED, LotState.EXPIRED, LotState.TERMINATED, LotState.CANCELLED})
"""Lots that will make nothing: not on the order's map."""
_ARRIVED = frozenset({LotState.DELIVERED, LotState.PAID, LotState.CLOSED})


def _point_labels(spec: OrderSpec) -> dict[str, str]:
    return dict(zip(spec.delivery_point_ids(), (dp.label for dp in spec.delivery_points),
                    strict=True))  # fmt: skip


@router.get("/orders/{order_id}/plans/{plan_id}/map.geojson")
def plan_map_json(order_id: str, plan_id: str, user: CurrentUser, db: Db) -> Response:
    """The stored plan's GeoJSON (facilities with their roles, delivery points, flows with item,
    quantity and mode), delivery points named; another organisation's plan is a 404."""
    order = services.get_order(db, user.principal, order_id)
    plan = services.order_plan(db, user.principal, order.id, plan_id)
    collection = dict(plan.record.geojson or {"type": "FeatureCollection", "features": []})
    labels = _point_labels(plan.record.spec)
    names = plan.record.result_json.get("facility_names", {})
    features = []
    for feature in collection.get("features", []):
        props = dict(feature.get("properties", {}))
        if props.get("kind") == "delivery_point":
            props["name"] = labels.get(props.get("id", ""), props.get("id"))
        elif props.get("kind") == "flow":
            props["from_name"] = names.get(props.get("from"), props.get("from"))
            to = props.get("to", "")
            props["to_name"] = labels.get(to) or names.get(to, to)
        features.append(feature | {"properties": props})
    return JSONResponse(collection | {"features": features})


@router.get("/orders/{order_id}/map.geojson")
def order_map_json(order_id: str, user: CurrentUser, db: Db) -> Response:
    """The order's lots the caller may see, as GeoJSON: the facility making each lot, the
    delivery points and assembly sites it goes to, and one line per destination (lot, item,
    quantity, state). Another organisation's order is a 404."""
    order = services.get_order(db, user.principal, order_id)
    lots = [lot for lot in services.list_lots(db, user.principal, order.id)
            if lot.state not in _GONE]  # fmt: skip
    spec = OrderSpec.model_validate(order.spec)
    points: dict[str, tuple[float, float, str]] = {}
    for dp, dp_id in zip(spec.delivery_points, spec.delivery_point_ids(), strict=True):
        if dp.coordinates is not None:
            points[dp_id] = (dp.coordinates[0], dp.coordinates[1], dp.label)
        elif dp.place is not None:
            try:
                place = services.locate_place(dp.place)
            except FabnetError:
                continue  # a place the gazetteer no longer knows: the point is not drawn
            points[dp_id] = (place.latitude, place.longitude, dp.label)
    sites = {d.id for lot in lots for d in lot.destinations if d.kind != "delivery_point"}
    where = services.locate_facilities(db, sorted({lot.facility_id for lot in lots} | sites))
    features: list[dict[str, Any]] = []
    for fid, p in sorted(where.items()):
        roles = sorted({"production" if lot.kind != "assembly" else "assembly"
                        for lot in lots if lot.facility_id == fid}
                       | ({"assembly"} if fid in sites else set()))  # fmt: skip
        features.append(_point_feature(p.longitude, p.latitude, kind="facility", id=fid,
                                       name=p.name, roles=roles,
                                       approximate=p.approximate))  # fmt: skip
    for dp_id, (lat, lon, label) in points.items():
        features.append(_point_feature(lon, lat, kind="delivery_point", id=dp_id, name=label))
    for lot in lots:
        origin = where.get(lot.facility_id)
        for d in lot.destinations:
            end = points.get(d.id) if d.kind == "delivery_point" else None
            if end is None and d.id in where:
                end = (where[d.id].latitude, where[d.id].longitude, where[d.id].name)
            if origin is None or end is None or d.quantity <= 0:
                continue
            features.append({
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [
                    [origin.longitude, origin.latitude], [end[1], end[0]]]},
                "properties": {"kind": "flow", "lot_id": lot.id, "item_id": lot.item_id,
                               "quantity": d.quantity, "state": lot.state.value,
                               "arrived": lot.state in _ARRIVED,
                               "from": lot.facility_id, "from_name": origin.name,
                               "to": d.id, "to_name": end[2], "to_kind": d.kind},
            })  # fmt: skip
    return JSONResponse({"type": "FeatureCollection", "features": features})


def _point_feature(lon: float, lat: float, **properties: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": properties,
    }
