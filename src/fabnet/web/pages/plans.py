"""Planning an order in the browser: the Plan button starts the planning job; its page polls
itself (htmx every second, a meta refresh without JavaScript) until the plan is made; the plan
page shows the lots, the cost, CO2e, lead times, the baselines, the binding constraints or an
infeasible order's diagnosis, a small form to re-plan with another CO2 price, and Award, which
invites the manufacturers and leads to the order page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from fabnet.errors import FabnetError
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
