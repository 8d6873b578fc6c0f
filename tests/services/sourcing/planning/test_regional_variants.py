"""Regional customisation: a delivery point asks for its own parameter set of a product."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from fabnet.demo.designs import DESIGNS_DIR
from fabnet.services.catalogue.designs import import_designs
from fabnet.services.catalogue.variants import expand_order_variants, get_variant
from fabnet.services.sourcing.planning import plan_order
from fabnet.settings import get_settings
from fabnet.standards.order_file import load_order_file, parse_order
from fabnet.storage.db import Database

from .conftest import order_yaml

pytestmark = pytest.mark.usefixtures("openscad_cli")


@pytest.fixture
def splint_world(
    catalogue: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Database, str]]:
    monkeypatch.setenv("FABNET_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    tally = import_designs(catalogue, [DESIGNS_DIR / "finger-splint" / "okh.toml"])
    try:
        yield catalogue, tally.created[0]
    finally:
        get_settings.cache_clear()


def _order(design_id: str) -> str:
    return f"""
name: Splints, a small size for Nairobi
order_date: 2027-01-04
products:
  - key: splint
    design: {design_id}
delivery_points:
  - id: knh
    place: Nairobi, KE
    due: 2027-02-15
    demand: {{splint: 120}}
    parameters: {{splint: {{finger_diameter: 16, length: 46}}}}
  - id: mulago
    place: Kampala, UG
    due: 2027-02-15
    demand: {{splint: 80}}
  - id: chuk
    place: Kigali, RW
    due: 2027-02-20
    demand: {{splint: 30}}
    parameters: {{splint: {{length: 46, finger_diameter: 16}}}}
options:
  time_limit_s: 20
"""


def test_each_regional_variant_is_planned_as_its_own_part(
    splint_world: tuple[Database, str], tmp_path: Path
) -> None:
    db, parent_id = splint_world
    spec = load_order_file(order_yaml(tmp_path, _order(parent_id)))
    expanded = expand_order_variants(db, spec)
    keys = [p.ref for p in expanded.products]
    assert keys[0] == "splint" and len(keys) == 2  # Nairobi and Kigali share one variant
    variant_key = keys[1]
    variant_id = expanded.products[1].design
    design, record = get_variant(db, variant_id)
    assert record.parent_id == parent_id and record.parameters == {
        "finger_diameter": 16, "length": 46,
    }  # fmt: skip
    assert design.parts[0].processes == ("fdm",) and design.parts[0].materials == ("petg",)
    demands = {dp.id: dp.demand for dp in expanded.delivery_points}
    assert demands == {"knh": {variant_key: 120}, "mulago": {"splint": 80},
                       "chuk": {variant_key: 30}}  # fmt: skip

    record_plan = plan_order(db, spec)
    assert record_plan.status == "optimal"
    made = Counter()
    for lot in record_plan.lots:
        made[lot.design_id] += lot.quantity
    assert made == {variant_id: 150, parent_id: 80}


def test_parameters_must_name_a_demanded_product() -> None:
    with pytest.raises(Exception, match="does not demand"):
        parse_order(
            {"name": "x", "products": [{"key": "a", "design": "d"}],
             "delivery_points": [{"place": "Nairobi, KE", "demand": {"a": 1},
                                  "parameters": {"b": {"size": 1}}}]},
            source="order.yaml",
        )  # fmt: skip
