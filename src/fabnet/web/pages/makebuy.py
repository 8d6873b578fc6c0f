"""Make vs buy: a prosumer's printer and filament against retail and the network."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from fabnet.errors import FabnetError, InputError
from fabnet.web import services
from fabnet.web.deps import CurrentUser, Db, WebSettings
from fabnet.web.pages.designs import all_designs
from fabnet.web.render import render

router = APIRouter()


def _options(db: Db) -> dict[str, Any]:
    return {
        "designs": [(d.id, d.name) for d in all_designs(db)],
        "printers": [(k, p.name) for k, p in services.printers().items()],
        "filaments": [
            (k, f"{k} ({f.price_per_kg:g} EUR/kg{', recycled' if f.recycled else ''})")
            for k, f in services.filaments().items()
        ],
    }


def _number(form: Any, name: str) -> float | None:
    text = str(form.get(name) or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{name} must be a number, got {text!r}", field=name) from None


@router.get("/makebuy")
def makebuy_page(request: Request, user: CurrentUser, db: Db, design: str = "") -> Response:
    context = {**_options(db), "selected": design, "result": None, "error": ""}
    return render(request, "makebuy/page.html", context, title="Make or buy")


@router.post("/makebuy")
async def makebuy_answer(
    request: Request, user: CurrentUser, db: Db, settings: WebSettings
) -> Response:
    form = await request.form()
    context: dict[str, Any] = {"result": None, "error": ""}
    try:
        failures = _number(form, "failures")
        electricity = _number(form, "electricity")
        given = services.ProfileIn(
            printer=str(form.get("printer", "")),
            filament=str(form.get("filament", "")),
            filament_price_per_kg=_number(form, "filament_price"),
            electricity_per_kwh=0.30 if electricity is None else electricity,
            failure_allowance=0.10 if failures is None else failures,
        )
        result = services.make_or_buy(
            db, str(form.get("design", "")), given, retail=_number(form, "retail"),
            near=str(form.get("near") or "").strip() or None,
            store=services.open_file_store(settings),
        )  # fmt: skip
    except FabnetError as exc:
        context["error"] = str(exc)
        return render(request, "makebuy/_result.html", context, status_code=422)
    context["result"] = result.to_json()
    return render(request, "makebuy/_result.html", context)
