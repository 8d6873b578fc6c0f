"""Make vs buy for a maker at home: the cost of printing a product on one's own printer.

Per printed part and unit (slicer figures: filament grams ``g`` and print hours ``h``)::

    filament    = g / 1000 x filament price per kg
    energy      = h x power (kW) x electricity price per kWh
    wear        = h x printer price / printer life hours          (depreciation)
    subtotal    = filament + energy + wear
    failures    = subtotal x f / (1 - f)                          (f: failure allowance, the
                                                                   share of prints that fail)
    home cost   = subtotal / (1 - f)

Against a price to buy the product (retail or a network quote): saving = buy - home cost, in
money and as a share of the buy price. Payback of the printer in units: its price divided by the
saving per unit *before* depreciation (buy - (home cost without wear)), since the wear term is the
printer's price spread over its life. All figures are per product (parts times quantity per
product) in the profile's currency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from fabnet.domain.common import Dimensions
from fabnet.errors import InputError


@dataclass(frozen=True)
class Printer:
    id: str
    name: str
    build_volume: Dimensions
    materials: tuple[str, ...]
    power_w: float
    price: float
    life_hours: float


@dataclass(frozen=True)
class Filament:
    id: str
    material: str
    price_per_kg: float
    recycled: bool = False
    note: str = ""


@dataclass(frozen=True)
class Profile:
    """A prosumer: their printer, filament, electricity price and failure allowance."""

    printer: Printer
    filament: Filament
    electricity_per_kwh: float = 0.30
    failure_allowance: float = 0.10
    currency: str = "EUR"

    def __post_init__(self) -> None:
        checks = (
            ("power_w", self.printer.power_w, 0.0, 5000.0),
            ("printer price", self.printer.price, 0.0, 1e6),
            ("filament price per kg", self.filament.price_per_kg, 0.0, 1e4),
            ("electricity price", self.electricity_per_kwh, 0.0, 100.0),
            ("failure allowance", self.failure_allowance, 0.0, 0.9),
        )
        for name, value, low, high in checks:
            if not math.isfinite(value) or not low <= value <= high:
                raise InputError(f"{name} must be between {low:g} and {high:g}, got {value!r}")
        if not math.isfinite(self.printer.life_hours) or self.printer.life_hours <= 0:
            raise InputError(f"life hours must be above 0, got {self.printer.life_hours!r}")


@dataclass(frozen=True)
class PartCost:
    part_id: str
    per_product: int
    filament_g: float
    print_hours: float
    filament: float
    energy: float
    wear: float
    failures: float

    @property
    def total(self) -> float:
        return self.filament + self.energy + self.wear + self.failures

    def to_json(self) -> dict[str, Any]:
        return {
            "part_id": self.part_id,
            "per_product": self.per_product,
            "filament_g": round(self.filament_g, 2),
            "print_hours": round(self.print_hours, 3),
            "filament": round(self.filament, 4),
            "energy": round(self.energy, 4),
            "wear": round(self.wear, 4),
            "failures": round(self.failures, 4),
            "total": round(self.total, 4),
        }


def part_cost(
    profile: Profile, part_id: str, filament_g: float, print_hours: float, per_product: int = 1
) -> PartCost:
    """The home cost of ``per_product`` copies of one part (see the module docstring)."""
    if filament_g < 0 or print_hours < 0:
        raise InputError("filament mass and print time cannot be negative", field=part_id)
    grams, hours = filament_g * per_product, print_hours * per_product
    filament = grams / 1000.0 * profile.filament.price_per_kg
    energy = hours * profile.printer.power_w / 1000.0 * profile.electricity_per_kwh
    wear = hours * profile.printer.price / profile.printer.life_hours
    f = profile.failure_allowance
    failures = (filament + energy + wear) * f / (1.0 - f)
    return PartCost(part_id, per_product, grams, hours, filament, energy, wear, failures)


@dataclass(frozen=True)
class Comparison:
    """Home cost against one buy price."""

    against: str
    buy_price: float
    saving: float
    saving_pct: float
    payback_units: float | None
    """Units to print before the printer has paid for itself; None when printing saves nothing
    before depreciation."""

    def to_json(self) -> dict[str, Any]:
        return {
            "against": self.against,
            "buy_price": round(self.buy_price, 2),
            "saving": round(self.saving, 2),
            "saving_pct": round(self.saving_pct, 1),
            "payback_units": None if self.payback_units is None else math.ceil(self.payback_units),
        }


def compare(
    against: str, buy_price: float, home_cost: float, wear: float, printer_price: float
) -> Comparison:
    if not math.isfinite(buy_price) or buy_price <= 0:
        raise InputError(f"a buy price must be above 0, got {buy_price!r}", field="retail")
    saving = buy_price - home_cost
    marginal = buy_price - (home_cost - wear)
    payback = printer_price / marginal if marginal > 0 else None
    return Comparison(against, buy_price, saving, 100.0 * saving / buy_price, payback)
