"""Planning an order end to end through the service: match -> price -> MILP -> lots."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from fabnet.cli.main import app
from fabnet.domain.design import Design
from fabnet.errors import InputError
from fabnet.services.sourcing.planning import PlanOverrides, get_plan, plan_order, replan_lot
from fabnet.standards.order_file import load_order_file, parse_order
from fabnet.storage.db import Database
from fabnet.storage.designs import DesignRepository
from fabnet.storage.facilities import FacilityRepository

from .conftest import ORDER, WORKSHOPS, face_shield, order_yaml


def _spec(tmp_path: Path, body: str = ORDER):  # type: ignore[no-untyped-def]
    return load_order_file(order_yaml(tmp_path, body))


def test_plan_covers_every_unit_in_whole_lots(catalogue: Database, tmp_path: Path) -> None:
    record = plan_order(catalogue, _spec(tmp_path))
    assert record.status == "optimal"
    by_kind = Counter()
    for lot in record.lots:
        assert lot.quantity == sum(d.quantity for d in lot.destinations)
        assert lot.unit_price > 0
        by_kind[(lot.kind, lot.item_id)] += lot.quantity
    # 500 shields: 500 headbands, 500 visors, 500 assemblies; the strap is bought in.
    assert by_kind == {
        ("assembly", "shield"): 500,
        ("part", "headband"): 500,
        ("part", "visor"): 500,
    }
    delivered = Counter()
    for lot in record.lots:
        for d in lot.destinations:
            if d.kind == "delivery_point":
                delivered[d.id] += d.quantity
    assert delivered == {"knh": 300, "mulago": 200}
    # Parts go to sites that assemble; Kigali has no assembly process.
    sites = {lot.facility_id for lot in record.lots if lot.kind == "assembly"}
    assert "f-kigali" not in sites
    for lot in record.lots:
        if lot.kind == "part":
            assert {d.id for d in lot.destinations} <= sites
            assert lot.due_days is not None and lot.due_days < 42


def test_plan_is_stored_with_its_inputs(catalogue: Database, tmp_path: Path) -> None:
    record = plan_order(catalogue, _spec(tmp_path), order_id=None)
    again = get_plan(catalogue, record.id)
    assert again.lots == record.lots
    assert again.spec == record.spec
    assert again.result_json["status"] == "optimal"
    assert {b["name"] for b in again.result_json["baselines"]} == {"centralised", "nearest"}
    kinds = Counter(f["properties"]["kind"] for f in again.geojson["features"])
    assert kinds["delivery_point"] == 2 and kinds["flow"] >= 2


def test_max_facilities_is_honoured(catalogue: Database, tmp_path: Path) -> None:
    record = plan_order(catalogue, _spec(tmp_path), overrides=PlanOverrides(max_facilities=1))
    assert len({lot.facility_id for lot in record.lots}) == 1


def test_excluded_facility_is_never_used(catalogue: Database, tmp_path: Path) -> None:
    record = plan_order(catalogue, _spec(tmp_path), exclude_facility_ids=["f-nairobi"])
    assert "f-nairobi" not in {lot.facility_id for lot in record.lots}


def test_replan_moves_a_declined_part_lot_elsewhere(catalogue: Database, tmp_path: Path) -> None:
    record = plan_order(catalogue, _spec(tmp_path))
    lot = next(x for x in record.lots if x.kind == "part" and x.item_id == "headband")
    new = replan_lot(catalogue, record.id, lot, exclude_facility_ids=())
    assert new.parent_plan_id == record.id
    assert sum(x.quantity for x in new.lots) == lot.quantity
    assert all(x.facility_id != lot.facility_id for x in new.lots)
    assert all(x.kind == "part" and x.item_id == "headband" for x in new.lots)
    # Same destinations, same quantities.
    old = Counter({d.id: d.quantity for d in lot.destinations})
    got: Counter[str] = Counter()
    for x in new.lots:
        for d in x.destinations:
            got[d.id] += d.quantity
            assert d.kind == "assembly_site"
    assert got == old


def test_replan_of_an_assembly_lot_reroutes_the_parts(catalogue: Database, tmp_path: Path) -> None:
    record = plan_order(catalogue, _spec(tmp_path))
    lot = next(x for x in record.lots if x.kind == "assembly")
    new = replan_lot(catalogue, record.id, lot, exclude_facility_ids=())
    assembly = [x for x in new.lots if x.kind == "assembly"]
    assert sum(x.quantity for x in assembly) == lot.quantity
    assert all(x.facility_id != lot.facility_id for x in assembly)
    parts = [x for x in new.lots if x.kind == "part"]
    assert parts and all(x.existing for x in parts)


def test_an_impossible_due_date_is_diagnosed(catalogue: Database, tmp_path: Path) -> None:
    body = ORDER.replace(
        "due: 2027-02-15\n    demand: {shield: 300}", "due_days: 1\n    demand: {shield: 300}"
    )
    record = plan_order(catalogue, _spec(tmp_path, body))
    assert record.status == "infeasible"
    assert record.lots == ()
    assert any("knh" in line for line in record.result_json["diagnosis"])


def test_unknown_place_names_the_field(catalogue: Database, tmp_path: Path) -> None:
    body = ORDER.replace("Kampala, UG", "Atlantis, ZZ")
    with pytest.raises(InputError) as info:
        plan_order(catalogue, _spec(tmp_path, body))
    assert info.value.field == "delivery_points[1].place"


def test_order_file_refuses_unknown_product_key() -> None:
    data = yaml.safe_load(ORDER)
    data["delivery_points"][0]["demand"] = {"helmet": 3}
    with pytest.raises(InputError, match="helmet"):
        parse_order(data, source="order.yaml")


def test_cli_plan_json_and_geojson(
    catalogue: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FABNET_DATABASE_URL", catalogue.url_text)
    from fabnet.settings import get_settings

    get_settings.cache_clear()
    path = order_yaml(tmp_path, ORDER)
    out = tmp_path / "plan.geojson"
    result = CliRunner().invoke(app, ["plan", str(path), "--json", "--geojson", str(out)])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("status", "objective", "bound", "gap", "flows", "cost", "co2e_kg", "baselines"):
        assert key in data
    assert data["status"] == "optimal"
    assert json.loads(out.read_text())["type"] == "FeatureCollection"


def test_cli_plan_bad_gap_exits_2(catalogue: Database, tmp_path: Path) -> None:
    path = order_yaml(tmp_path, ORDER)
    result = CliRunner().invoke(app, ["plan", str(path), "--gap", "3"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_cli_plan_json_stdout_is_only_json(catalogue: Database, tmp_path: Path) -> None:
    """In a real process: nothing (not even the solver's banner) pollutes the JSON on stdout."""
    import os
    import subprocess
    import sys

    path = order_yaml(tmp_path, ORDER)
    env = os.environ | {"FABNET_DATABASE_URL": catalogue.url_text, "FABNET_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "fabnet.cli.main", "plan", str(path), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "optimal"


def test_a_minimum_lot_above_the_window_capacity_excludes_the_candidate(
    catalogue: Database, tmp_path: Path
) -> None:
    """Kampala's assembly line insists on 5,000 shields but makes ~2,400 by the due date: it is
    left out and counted, and the order still plans (issue 11: this used to fail on a field)."""
    from fabnet.engine.sourcing import MIN_LOT_OVER_CAPACITY
    from fabnet.storage.facilities import FacilityRepository

    from .conftest import WORKSHOPS

    kampala = WORKSHOPS[1]
    card = kampala.extension.rate_card
    assert card is not None
    rates = tuple(
        r.model_copy(update={"minimum_lot": 5000}) if r.process == "assembly" else r
        for r in card.rates
    )
    ext = kampala.extension.model_copy(
        update={"rate_card": card.model_copy(update={"rates": rates})}
    )
    with catalogue.transaction() as session:
        FacilityRepository(session).bulk_upsert([kampala.model_copy(update={"extension": ext})])
    record = plan_order(catalogue, _spec(tmp_path))
    assert record.status == "optimal"
    assert record.result_json["exclusion_reasons"].get(MIN_LOT_OVER_CAPACITY) == 1
    sites = {lot.facility_id for lot in record.lots if lot.kind == "assembly"}
    assert sites == {"f-nairobi"}


def test_the_buyer_pins_and_excludes_facilities_in_the_order(
    catalogue: Database, tmp_path: Path
) -> None:
    """Issue 11: ``matching.pin_facilities`` must appear in the plan, ``exclude_facilities``
    must not; a pin that cannot make anything is refused in the buyer's words."""
    plain = plan_order(catalogue, _spec(tmp_path))
    assert "f-kigali" not in {lot.facility_id for lot in plain.lots}, "pinning must change this"
    body = ORDER + "matching:\n  pin_facilities: [f-kigali]\n  exclude_facilities: [f-kampala]\n"
    record = plan_order(catalogue, _spec(tmp_path, body))
    used = {lot.facility_id for lot in record.lots}
    assert "f-kigali" in used and "f-kampala" not in used
    with pytest.raises(InputError) as err:
        plan_order(catalogue, _spec(tmp_path, ORDER + "matching:\n  pin_facilities: [f-nowhere]\n"))
    assert "f-nowhere was asked for" in str(err.value)
    assert "candidates[" not in str(err.value)


def test_platform_only_plans_among_facilities_a_manufacturer_runs(
    catalogue: Database, tmp_path: Path
) -> None:
    """Issue 11: ``matching.platform_only`` keeps facilities nobody on the platform runs out of
    the plan (they could not be invited); without it the whole registry is the what-if."""
    from fabnet.domain.identity import OrgKind
    from fabnet.services.identity import accounts as identity

    identity.create_organisation(catalogue, "Nairobi Makers Ltd", OrgKind.MANUFACTURER,
                                 ["f-nairobi"], actor=None)
    whole = plan_order(catalogue, _spec(tmp_path))
    assert {lot.facility_id for lot in whole.lots} - {"f-nairobi"}, "the what-if uses others"
    record = plan_order(catalogue, _spec(tmp_path, ORDER + "matching:\n  platform_only: true\n"))
    assert record.lots
    assert {lot.facility_id for lot in record.lots} == {"f-nairobi"}


def test_cli_plan_tables_show_money_with_the_currency_decimals(
    catalogue: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16: the plan's tables print amounts with the plan currency's decimals (none for
    JPY, three for KWD), never a float's two digits, and say which currency they are in."""
    import dataclasses

    from rich.console import Console

    from fabnet.cli import plan as plan_cli

    record = plan_order(catalogue, _spec(tmp_path))
    for code, decimals in (("JPY", 0), ("KWD", 3), ("EUR", 2)):
        shown = Console(width=200, record=True, highlight=False)
        monkeypatch.setattr(plan_cli, "console", shown)
        plan_cli._print(dataclasses.replace(record, currency=code))
        text = shown.export_text()
        assert f"Cost ({code})" in text and f"unit {code}" in text
        cost_row = text.split(f"Cost ({code})")[1].splitlines()[4]
        amounts = [cell.strip().replace(",", "") for cell in cost_row.split("│")[1:-2]]
        assert amounts, cost_row
        for amount in amounts:
            whole, _, fraction = amount.partition(".")
            assert whole.isdigit() and len(fraction) == decimals, cost_row


def _manual_shield() -> Design:
    shield = face_shield()
    root = shield.assemblies[0].model_copy(update={"manual": True, "minutes_per_unit": 2.0})
    return shield.model_copy(update={"assemblies": (root,)})


def test_a_manual_final_assembly_is_done_where_a_part_is_made(db: Database, tmp_path: Path) -> None:
    """Issue 11 item 4: a design that declares its final assembly a simple manual step (clip the
    visor to the headband) is assembled by a staffed facility making one of its parts, although
    it lists no assembly process; priced at its hourly rate for the declared minutes. Without
    the declaration nothing is guessed: no facility can assemble it."""
    kigali = next(w for w in WORKSHOPS if w.id == "f-kigali")  # makes both parts, no assembly
    with db.transaction() as session:
        FacilityRepository(session).bulk_upsert([kigali])
        DesignRepository(session).add_or_replace(face_shield())
    with pytest.raises(InputError, match="assembl"):
        plan_order(db, _spec(tmp_path))
    with db.transaction() as session:
        DesignRepository(session).add_or_replace(_manual_shield())
    record = plan_order(db, _spec(tmp_path))
    assembly = [lot for lot in record.lots if lot.kind == "assembly"]
    assert {lot.facility_id for lot in assembly} == {"f-kigali"}
    assert sum(lot.quantity for lot in assembly) == 500
    cheapest_hour = min(r.hourly_rate for r in kigali.extension.rate_card.rates)  # type: ignore[union-attr]
    assert all(lot.unit_price == pytest.approx(cheapest_hour * 2.0 / 60.0) for lot in assembly)
    assert any("manual step" in note for note in record.result_json.get("notes", []))
