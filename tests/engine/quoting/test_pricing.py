"""Prices from process times and rate cards."""

from __future__ import annotations

import pytest

from fabnet.domain.facility import ProcessRate
from fabnet.engine.quoting import ProcessTime, price_process_time

TIME = ProcessTime(
    process="fdm",
    hours_per_unit=1.5,
    setup_hours=0.25,
    material_g=20.0,
    method="test",
    detail="",
)


def test_price_is_setup_plus_hours_and_material_per_unit() -> None:
    rate = ProcessRate(process="fdm", hourly_rate=10.0, setup_cost=5.0, material_cost_per_kg=30.0)
    price = price_process_time(TIME, rate, 4)
    assert price.complete
    assert price.setup_cost == 5.0  # the declared setup cost wins over 0.25 h x 10
    assert price.machine_cost_per_unit == pytest.approx(15.0)
    assert price.material_cost_per_unit == pytest.approx(0.6)
    assert price.total == pytest.approx(5.0 + 4 * 15.6)
    assert price.unit_price == pytest.approx((5.0 + 4 * 15.6) / 4)


def test_minimum_lot_is_billed_and_estimated_setup_used_without_a_declared_one() -> None:
    rate = ProcessRate(process="fdm", hourly_rate=10.0, minimum_lot=10)
    price = price_process_time(TIME, rate, 2)
    assert price.billed_units == 10
    assert price.setup_cost == pytest.approx(2.5)
    assert price.total == pytest.approx(2.5 + 10 * 15.0)


def test_tooling_is_charged_once_per_job() -> None:
    moulded = ProcessTime("injection-moulding", 0.002, 2.0, 10.0, "test", "", tooling_hours=100.0)
    rate = ProcessRate(process="injection-moulding", hourly_rate=50.0, setup_cost=100.0)
    one = price_process_time(moulded, rate, 1)
    many = price_process_time(moulded, rate, 1000)
    assert one.tooling_cost == many.tooling_cost == 5000.0
    assert one.unit_price is not None and many.unit_price is not None
    assert many.unit_price < one.unit_price / 100


def test_unknown_mass_with_a_material_price_is_incomplete_not_zero() -> None:
    no_mass = ProcessTime("sewing", 0.1, 0.25, None, "test", "")
    rate = ProcessRate(process="sewing", hourly_rate=20.0, material_cost_per_kg=8.0)
    price = price_process_time(no_mass, rate, 1)
    assert not price.complete and price.total is None
    assert price.missing is not None and "mass" in price.missing


def test_without_an_estimate_the_declared_throughput_is_used_or_refused() -> None:
    declared = ProcessRate(process="casting", hourly_rate=30.0, units_per_hour=6.0)
    price = price_process_time(None, declared, 3)
    assert price.hours_source == "rate units_per_hour"
    assert price.total == pytest.approx(3 * 5.0)
    bare = ProcessRate(process="casting", hourly_rate=30.0)
    assert price_process_time(None, bare, 3).complete is False
