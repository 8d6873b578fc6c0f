"""Issue 11 item 4: an order may ask for kits of a product whose design declares its final assembly
a simple manual step; the parts then go straight to the delivery points and the recipient
assembles them (no assembly site, cost or lead time). Asked of any other design, it is refused."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from fabnet.cli import plan as plan_cli
from fabnet.cli.main import app
from fabnet.domain.design import Design
from fabnet.errors import InputError
from fabnet.services.sourcing.planning import plan_order, replan_lot
from fabnet.standards.order_file import load_order_file
from fabnet.storage.db import Database
from fabnet.storage.designs import DesignRepository

from .conftest import ORDER, face_shield, order_yaml

KIT_ORDER = ORDER.replace("    design: ", "    kits: true\n    design: ", 1)
DEMAND = {"knh": 300, "mulago": 200}


def _manual_shield() -> Design:
    shield = face_shield()
    root = shield.assemblies[0].model_copy(update={"manual": True, "minutes_per_unit": 1.0})
    return shield.model_copy(update={"assemblies": (root,)})


@pytest.fixture
def kit_catalogue(catalogue: Database) -> Database:
    """The planning catalogue with its face shield declaring the final assembly manual."""
    with catalogue.transaction() as session:
        DesignRepository(session).add_or_replace(_manual_shield())
    return catalogue


def test_a_kit_order_ships_every_part_to_the_delivery_points(
    kit_catalogue: Database, tmp_path: Path
) -> None:
    assert "kits: true" in KIT_ORDER
    kit = plan_order(kit_catalogue, load_order_file(order_yaml(tmp_path, KIT_ORDER)))
    assert kit.status == "optimal", kit.result_json.get("diagnosis")
    assert {lot.kind for lot in kit.lots} == {"part"}, "a kit has no assembly lot"
    arrived: Counter[tuple[str, str]] = Counter()
    for lot in kit.lots:
        assert lot.product_key == "shield"
        assert lot.quantity == sum(d.quantity for d in lot.destinations)
        assert lot.due_days is not None and lot.due_days < 42  # ships in time for the point
        for d in lot.destinations:
            assert d.kind == "delivery_point", "kit parts never go to an assembly site"
            arrived[(lot.item_id, d.id)] += d.quantity
    # One headband and one visor per shield at each point; the strap is bought in.
    assert arrived == {
        (part, point): qty for part in ("headband", "visor") for point, qty in DEMAND.items()
    }
    assert kit.result_json["assembly"] == []
    assert kit.result_json["cost"]["production"] > 0
    (entry,) = kit.result_json["kits"]
    assert entry["product"] == "shield" and entry["assembled_by"] == "recipient"
    assert sorted(entry["delivery_points"]) == ["knh", "mulago"]
    assert any("delivered as kits" in note for note in kit.result_json["notes"])
    assert any("recipient of each kit" in note for note in kit.result_json["notes"])
    # Every flow ends at a delivery point (no facility receives anything).
    assert all(flow["to_delivery_point"] for flow in kit.result_json["flows"])

    # The same order assembled by facilities costs at least as much: the kit saves the assembly
    # labour and the leg through an assembly site.
    assembled = plan_order(kit_catalogue, load_order_file(order_yaml(tmp_path, ORDER)))
    assert assembled.status == "optimal"
    assert any(lot.kind == "assembly" for lot in assembled.lots)
    assert assembled.result_json["kits"] == []
    assert kit.objective is not None and assembled.objective is not None
    assert kit.objective <= assembled.objective * (1 + 2e-4)
    assert kit.objective < assembled.objective


def test_a_declined_kit_part_is_replanned_to_the_same_delivery_points(
    kit_catalogue: Database, tmp_path: Path
) -> None:
    record = plan_order(kit_catalogue, load_order_file(order_yaml(tmp_path, KIT_ORDER)))
    lot = next(x for x in record.lots if x.item_id == "headband")
    new = replan_lot(kit_catalogue, record.id, lot, exclude_facility_ids=())
    assert new.lots and all(x.facility_id != lot.facility_id for x in new.lots)
    assert {(x.kind, x.item_id) for x in new.lots} == {("part", "headband")}
    got: Counter[tuple[str, str]] = Counter()
    for x in new.lots:
        for d in x.destinations:
            got[(d.kind, d.id)] += d.quantity
    assert got == {("delivery_point", d.id): d.quantity for d in lot.destinations}


def test_kits_are_refused_for_a_design_whose_assembly_is_not_manual(
    catalogue: Database, tmp_path: Path
) -> None:
    """The catalogue's own face shield declares no manual step: the recipient may not be left
    with an assembly fabnet cannot judge, and the field is named."""
    with pytest.raises(InputError) as info:
        plan_order(catalogue, load_order_file(order_yaml(tmp_path, KIT_ORDER)))
    assert info.value.field == "products[0].kits"
    assert "the design's final assembly 'shield' is not a simple manual step" in str(info.value)
    assert "only a manual step may be left to the recipient" in str(info.value)


def test_kits_of_a_single_part_design_are_refused(catalogue: Database, tmp_path: Path) -> None:
    single = face_shield().model_copy(
        update={
            "parts": face_shield().parts[:1],
            "assemblies": (),
            "root_assembly_id": None,
        }
    )
    with catalogue.transaction() as session:
        DesignRepository(session).add_or_replace(single)
    with pytest.raises(InputError) as info:
        plan_order(catalogue, load_order_file(order_yaml(tmp_path, KIT_ORDER)))
    assert info.value.field == "products[0].kits"
    assert "no final assembly" in str(info.value)


def test_cli_plan_says_the_kit_is_assembled_by_the_recipient(
    kit_catalogue: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = plan_order(kit_catalogue, load_order_file(order_yaml(tmp_path, KIT_ORDER)))
    shown = Console(width=250, record=True, highlight=False)
    monkeypatch.setattr(plan_cli, "console", shown)
    plan_cli._print(record)
    text = shown.export_text()
    assert "shield is delivered as a kit and assembled by the recipient at knh, mulago" in text
    assert "kit part" in text
    assert "assembly" not in [line.split("│")[2].strip() for line in text.splitlines()
                              if line.count("│") > 6]  # fmt: skip


def test_cli_plan_refuses_kits_of_a_non_manual_assembly_with_exit_2(
    catalogue: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fabnet.settings import get_settings

    monkeypatch.setenv("FABNET_DATABASE_URL", catalogue.url_text)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["plan", str(order_yaml(tmp_path, KIT_ORDER))])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2, result.output
    assert "products[0].kits" in result.output
    assert "not a simple manual step" in result.output
    assert "Traceback" not in result.output
