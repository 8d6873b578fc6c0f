"""Make vs buy: the home cost of printing a design against retail and network quotes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from fabnet.api.deps import DbDep, Reader
from fabnet.api.problems import PROBLEM_RESPONSES
from fabnet.api.routes.order_http import FileStoreDep
from fabnet.services.sourcing.makebuy import ProfileIn, make_or_buy

router = APIRouter(tags=["make-vs-buy"], responses=PROBLEM_RESPONSES)


class MakeBuyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    design_id: str = Field(pattern=r"^[A-Za-z0-9_-]+$", description="Design or variant id")
    printer: str = Field(max_length=80, description="Printer id, e.g. prusa-mk4")
    filament: str = Field(max_length=80, description="Filament id, e.g. petg, recyclebot-pla")
    retail: float | None = Field(default=None, gt=0, description="Price to buy it in a shop")
    near: str | None = Field(default=None, max_length=200, description="Compare with the network")
    filament_price_per_kg: float | None = Field(default=None, ge=0)
    electricity_per_kwh: float = Field(default=0.30, ge=0)
    failure_allowance: float = Field(default=0.10, ge=0, le=0.9)
    printer_price: float | None = Field(default=None, ge=0)
    power_w: float | None = Field(default=None, ge=0)
    life_hours: float | None = Field(default=None, gt=0)


@router.post("/v1/makebuy")
def makebuy(body: MakeBuyIn, db: DbDep, store: FileStoreDep, principal: Reader) -> dict[str, Any]:
    """Home cost per unit, printability on the printer (reasons as in matching), and the saving
    and printer payback against retail and the cheapest network quotes near a place."""
    given = ProfileIn(
        printer=body.printer, filament=body.filament, printer_price=body.printer_price,
        power_w=body.power_w, life_hours=body.life_hours,
        filament_price_per_kg=body.filament_price_per_kg,
        electricity_per_kwh=body.electricity_per_kwh, failure_allowance=body.failure_allowance,
    )  # fmt: skip
    result = make_or_buy(db, body.design_id, given, retail=body.retail, near=body.near, store=store)
    return result.to_json()
