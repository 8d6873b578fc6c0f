"""Make vs buy: print a design (or variant) at home, or buy it (retail, or from the network).

:func:`make_or_buy` takes a prosumer profile (a printer and a filament from
``data/makebuy/printers.toml``, with any figure overridden), checks that every manufactured part
can be printed on that printer with that filament (the same process, material and envelope
criteria as matching, in the same words), slices the parts with PrusaSlicer for their filament
mass and print time (cached per file hash), and prices them with :mod:`fabnet.engine.makebuy`.
It then compares the home cost with a retail price (given, or else the design's own
``[fabnet] retail-price`` in the profile's currency) and with the cheapest network
candidates near a place (matching's unit costs): saving in money and percent, and the payback
of the printer in units.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

from fabnet.domain.common import Dimensions
from fabnet.domain.design import Design
from fabnet.domain.facility import Equipment, Facility
from fabnet.engine.makebuy import (
    Comparison,
    Filament,
    PartCost,
    Printer,
    Profile,
    compare,
    part_cost,
)
from fabnet.engine.matching import capability_criteria, requirements_for
from fabnet.errors import InputError
from fabnet.services.catalogue.designs import resolve_design
from fabnet.services.sourcing.matching import MatchParams, match
from fabnet.services.sourcing.quoting import part_process_times
from fabnet.storage.db import Database
from fabnet.storage.files import FileStore


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, Any]:
    ref = resources.files("fabnet") / "data" / "makebuy" / "printers.toml"
    return tomllib.loads(ref.read_text(encoding="utf-8"))


def printers() -> dict[str, Printer]:
    out = {}
    for key, row in _catalogue()["printer"].items():
        x, y, z = row["build-volume"]
        out[key] = Printer(
            key, row["name"], Dimensions(x_mm=x, y_mm=y, z_mm=z), tuple(row["materials"]),
            float(row["power-w"]), float(row["price"]), float(row["life-hours"]),
        )  # fmt: skip
    return out


def filaments() -> dict[str, Filament]:
    return {
        key: Filament(key, row["material"], float(row["price-per-kg"]),
                      bool(row.get("recycled", False)), str(row.get("note", "")))
        for key, row in _catalogue()["filament"].items()
    }  # fmt: skip


@dataclass(frozen=True)
class ProfileIn:
    """What a user says about their set-up; None keeps the catalogue's figure."""

    printer: str
    filament: str
    printer_price: float | None = None
    power_w: float | None = None
    life_hours: float | None = None
    filament_price_per_kg: float | None = None
    electricity_per_kwh: float = 0.30
    failure_allowance: float = 0.10


def build_profile(given: ProfileIn) -> Profile:
    known_printers, known_filaments = printers(), filaments()
    printer = known_printers.get(given.printer)
    if printer is None:
        raise InputError(
            f"unknown printer {given.printer!r}", field="printer",
            hint=f"use one of {', '.join(sorted(known_printers))}",
        )  # fmt: skip
    filament = known_filaments.get(given.filament)
    if filament is None:
        raise InputError(
            f"unknown filament {given.filament!r}", field="filament",
            hint=f"use one of {', '.join(sorted(known_filaments))}",
        )  # fmt: skip
    printer = replace(
        printer,
        price=printer.price if given.printer_price is None else given.printer_price,
        power_w=printer.power_w if given.power_w is None else given.power_w,
        life_hours=printer.life_hours if given.life_hours is None else given.life_hours,
    )
    if given.filament_price_per_kg is not None:
        filament = replace(filament, price_per_kg=given.filament_price_per_kg)
    return Profile(printer, filament, given.electricity_per_kwh, given.failure_allowance)


@dataclass(frozen=True)
class MakeBuy:
    design_id: str
    design_name: str
    profile: Profile
    printable: bool
    reasons: tuple[str, ...]
    parts: tuple[PartCost, ...] = ()
    comparisons: tuple[Comparison, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def home_cost(self) -> float | None:
        return sum(p.total for p in self.parts) if self.printable else None

    def to_json(self) -> dict[str, Any]:
        p = self.profile
        cost = self.home_cost
        return {
            "design_id": self.design_id,
            "design_name": self.design_name,
            "currency": p.currency,
            "profile": {
                "printer": p.printer.id, "printer_name": p.printer.name,
                "printer_price": p.printer.price, "power_w": p.printer.power_w,
                "life_hours": p.printer.life_hours, "filament": p.filament.id,
                "material": p.filament.material, "filament_price_per_kg": p.filament.price_per_kg,
                "recycled": p.filament.recycled, "electricity_per_kwh": p.electricity_per_kwh,
                "failure_allowance": p.failure_allowance,
            },
            "printable": self.printable,
            "reasons": list(self.reasons),
            "home_cost": None if cost is None else round(cost, 4),
            "parts": [c.to_json() for c in self.parts],
            "comparisons": [c.to_json() for c in self.comparisons],
            "notes": list(self.notes),
        }  # fmt: skip


def _home_facility(profile: Profile) -> Facility:
    return Facility(
        id="home",
        name=f"your {profile.printer.name}",
        processes=("fdm",),
        equipment=(
            Equipment(
                id=profile.printer.id, equipment_type=profile.printer.name, processes=("fdm",),
                envelope=profile.printer.build_volume, materials=(profile.filament.material,),
            ),
        ),
    )  # fmt: skip


def printability(design: Design, profile: Profile) -> list[str]:
    """Why a part cannot be printed at home (matching's criteria and words); empty if all can."""
    home = _home_facility(profile)
    reasons: list[str] = []
    for req in requirements_for(design, 1):
        if req.is_assembly:
            continue
        criteria, _ = capability_criteria(home, req)
        reasons.extend(f"{req.label}: {c.criterion}: {c.detail}" for c in criteria if not c.passed)
    return reasons


def _network_price(db: Database, design_ref: str, near: str) -> tuple[float | None, str]:
    result = match(db, design_ref, MatchParams(quantity=1, near=(near,), top_k=10))
    total = 0.0
    for part in result.parts:
        if part.is_assembly:
            continue  # assembling a handful of parts at home is not priced
        costs = [c.unit_cost for c in part.candidates if c.unit_cost is not None]
        if not costs:
            return None, f"no network quote near {near} for {part.part}"
        total += min(costs) * (part.quantity or 1)
    return total, f"cheapest network candidates near {near}"


def make_or_buy(
    db: Database,
    design_ref: str,
    given: ProfileIn,
    *,
    retail: float | None = None,
    near: str | None = None,
    store: FileStore | None = None,
    slicer_path: str | None = None,
) -> MakeBuy:
    """Home cost of one product, its printability, and the comparisons (module docstring)."""
    profile = build_profile(given)
    design = resolve_design(db, design_ref)
    reasons = printability(design, profile)
    if reasons:
        return MakeBuy(design.id, design.name, profile, False, tuple(reasons))
    times = part_process_times(db, design, store=store, slicer_path=slicer_path)
    per_product = design.part_quantities()
    costs: list[PartCost] = []
    notes: list[str] = []
    for part in design.parts:
        if part.purchased:
            notes.append(f"{part.id}: bought in, not included")
            continue
        fdm = times.get(part.id, {}).get("fdm")
        if fdm is None or fdm.material_g is None:
            raise InputError(
                f"{part.id}: no print time or filament mass could be estimated, so the home cost "
                "is unknown", field="design",
            )  # fmt: skip
        if not fdm.method.startswith("prusaslicer"):
            notes.append(f"{part.id}: {fdm.detail}")
        costs.append(
            part_cost(
                profile, part.id, fdm.material_g, fdm.hours_per_unit, per_product.get(part.id, 1)
            )
        )
    home = sum(c.total for c in costs)
    wear = sum(c.wear for c in costs) / (1.0 - profile.failure_allowance)
    comparisons = []
    recorded = design.retail_price
    if retail is not None:
        comparisons.append(compare("retail", retail, home, wear, profile.printer.price))
    elif recorded is not None and recorded.currency == profile.currency:
        comparisons.append(
            compare("retail (recorded with the design)", recorded.amount, home, wear,
                    profile.printer.price)
        )  # fmt: skip
    elif recorded is not None:
        notes.append(
            f"retail price recorded with the design is in {recorded.currency}, the profile in "
            f"{profile.currency}: not compared (fabnet does not convert currencies)"
        )
    if near is not None:
        price, how = _network_price(db, design.id, near)
        if price is None:
            notes.append(how)
        else:
            comparisons.append(compare(how, price, home, wear, profile.printer.price))
    return MakeBuy(
        design.id, design.name, profile, True, (), tuple(costs), tuple(comparisons), tuple(notes)
    )
