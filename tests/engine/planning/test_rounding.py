"""Whole units from fractional flows: every item's total stays exact (largest remainder)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fabnet.engine.planning.result import Flow
from fabnet.engine.planning.rounding import largest_remainder, whole_units


def _flow(item: str, origin: str, quantity: float) -> Flow:
    return Flow(item_id=item, origin_facility_id=origin, destination_id="dp",
                to_delivery_point=True, mode="road", quantity=quantity, transport_cost=0.0,
                duty=0.0, co2e_kg=0.0, transit_days=1.0)  # fmt: skip


def test_the_largest_fractions_get_the_missing_units() -> None:
    assert largest_remainder([259.6, 225.3, 315.1], 800) == [260, 225, 315]
    assert largest_remainder([0.5, 0.5, 0.5, 0.5], 2) == [1, 1, 0, 0]


def test_noise_below_a_unit_does_not_create_or_lose_units() -> None:
    assert largest_remainder([99.999999999, 200.000000001], 300) == [100, 200]


def test_each_items_flows_are_rounded_together() -> None:
    flows = [_flow("visor", "a", 400.4), _flow("band", "a", 133.5), _flow("visor", "b", 399.6),
             _flow("band", "b", 666.5)]  # fmt: skip
    units = whole_units(flows)
    assert units[0] + units[2] == 800 and units[1] + units[3] == 800
    assert units == [400, 134, 400, 666] or units == [400, 133, 400, 667]


@given(st.lists(st.floats(min_value=0, max_value=1e5, allow_nan=False), min_size=1, max_size=30))
def test_whole_units_keep_the_total_and_stay_within_one_unit(values: list[float]) -> None:
    units = whole_units([_flow("x", str(i), v) for i, v in enumerate(values)])
    assert sum(units) == round(sum(values))
    assert all(abs(u - v) < 1 + 1e-6 for u, v in zip(units, values, strict=True))
