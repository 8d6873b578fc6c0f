"""From a process time and a facility's rate to a price.

For ``units`` of an item made at a facility with ``rate`` (a :class:`ProcessRate`):

- billed units = max(units, the rate's minimum lot);
- set-up = the rate's declared ``setup_cost`` when it has one, else the estimate's
  ``setup_hours`` x hourly rate; tooling (``tooling_hours``, a mould) x hourly rate is added
  either way, once per job;
- per unit = ``hours_per_unit`` x hourly rate + ``material_g`` / 1000 x ``material_cost_per_kg``;
- total = set-up + tooling + billed units x per unit.

Without an estimate the rate's declared ``units_per_hour`` gives the hours per unit (1 / uph).
A price that needs a figure nobody has (no hours at all; a material price but no mass) is
returned with ``complete=False`` and the reason in ``missing``: never a silent zero.
"""

from __future__ import annotations

from dataclasses import dataclass

from fabnet.domain.facility import ProcessRate
from fabnet.engine.quoting.times import ProcessTime


@dataclass(frozen=True)
class Price:
    """The price of ``units`` of one item by one process at one facility (rate-card currency)."""

    process: str
    units: int
    billed_units: int
    hours_per_unit: float | None
    hours_source: str  # "estimate", "rate units_per_hour" or "none"
    setup_cost: float
    tooling_cost: float
    machine_cost_per_unit: float | None
    material_cost_per_unit: float | None
    total: float | None
    complete: bool
    missing: str | None = None

    @property
    def unit_price(self) -> float | None:
        return None if self.total is None else self.total / self.units


def price_process_time(time: ProcessTime | None, rate: ProcessRate, units: int) -> Price:
    """Price ``units`` (>= 1) of an item by ``rate``, using ``time`` when there is one."""
    if units < 1:
        raise ValueError("units must be at least 1")
    billed = max(units, rate.minimum_lot)
    hourly = rate.hourly_rate
    if time is not None:
        hours: float | None = time.hours_per_unit
        source = "estimate"
    elif rate.units_per_hour is not None:
        hours, source = 1.0 / rate.units_per_hour, "rate units_per_hour"
    else:
        hours, source = None, "none"
    declared_setup = rate.setup_cost > 0 or time is None
    setup = rate.setup_cost if declared_setup or time is None else time.setup_hours * hourly
    tooling = time.tooling_hours * hourly if time is not None else 0.0
    machine = None if hours is None else hours * hourly
    missing: list[str] = []
    if machine is None:
        missing.append("no time estimate and no units_per_hour on the rate")
    material: float | None
    if rate.material_cost_per_kg == 0:
        material = 0.0
    elif time is not None and time.material_g is not None:
        material = time.material_g / 1000.0 * rate.material_cost_per_kg
    else:
        material = None
        missing.append("material is priced per kg but the mass is unknown")
    total = (
        setup + tooling + billed * (machine + material)
        if machine is not None and material is not None
        else None
    )
    return Price(
        process=rate.process,
        units=units,
        billed_units=billed,
        hours_per_unit=hours,
        hours_source=source,
        setup_cost=setup,
        tooling_cost=tooling,
        machine_cost_per_unit=machine,
        material_cost_per_unit=material,
        total=total,
        complete=not missing,
        missing="; ".join(missing) or None,
    )
