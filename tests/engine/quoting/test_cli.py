"""``fabnet quote``: output and exit codes."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from fabnet.cli.main import app
from fabnet.demo.designs import DESIGNS_DIR
from fabnet.domain.common import Dimensions, Location
from fabnet.domain.facility import Equipment, FabnetExtension, Facility, ProcessRate, RateCard
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository

SPLINT = str(DESIGNS_DIR / "finger-splint" / "okh.toml")


def test_quote_a_manifest_as_json(quoting_env: Database) -> None:
    result = CliRunner().invoke(app, ["quote", SPLINT, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["design_name"] == "Finger splint"
    (line,) = data["lines"]
    assert line["item_id"] == "splint" and line["process"] == "fdm"
    assert line["time"]["hours_per_unit"] > 0
    assert line["time"]["method"]


def test_quote_table_names_parts(quoting_env: Database) -> None:
    result = CliRunner().invoke(app, ["quote", SPLINT, "--qty", "3"])
    assert result.exit_code == 0, result.output
    assert "Finger splint x 3" in result.stdout
    assert "splint" in result.stdout and "fdm" in result.stdout


def test_unknown_design_unknown_facility_and_bad_quantity_exit_2(quoting_env: Database) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["quote", "no-such-design"]).exit_code == 2
    assert runner.invoke(app, ["quote", SPLINT, "--facility", "no-such-facility"]).exit_code == 2
    bad_qty = runner.invoke(app, ["quote", SPLINT, "--qty", "0"])
    assert bad_qty.exit_code == 2
    assert "quantity" in bad_qty.output


def _printer_shop(db: Database, materials: tuple[str, ...], rates: tuple[ProcessRate, ...]) -> None:
    facility = Facility(
        id="print-shop",
        name="Print shop",
        location=Location(country="KE", latitude=-1.29, longitude=36.82),
        processes=("fdm",),
        equipment=(
            Equipment(
                id="printer", equipment_type="3D printer", processes=("fdm",),
                envelope=Dimensions(x_mm=220, y_mm=220, z_mm=250), materials=materials,
            ),
        ),
        extension=FabnetExtension(rate_card=RateCard(rates=rates)),
    )  # fmt: skip
    with db.transaction() as session:
        FacilityRepository(session).add_or_replace(facility)


def test_quote_refuses_a_facility_that_cannot_make_the_part(quoting_env: Database) -> None:
    _printer_shop(quoting_env, ("pla",), (ProcessRate(process="fdm", hourly_rate=3.0),))
    result = CliRunner().invoke(app, ["quote", SPLINT, "--facility", "print-shop"])
    assert result.exit_code == 2, result.output
    assert "cannot make" in result.output and "material" in result.output
    assert "pla" in result.output and "petg" in result.output.lower()


def test_an_incomplete_quote_exits_1_and_shows_no_total(quoting_env: Database) -> None:
    # the printer can make the PETG splint, but the shop has no rate for FDM
    _printer_shop(quoting_env, ("petg",), (ProcessRate(process="laser-cutting", hourly_rate=9.0),))
    result = CliRunner().invoke(app, ["quote", SPLINT, "--facility", "print-shop"])
    assert result.exit_code == 1, result.output
    assert "INCOMPLETE" in result.output and "no rate for" in result.output
    assert "total 0.00" not in result.output
    as_json = CliRunner().invoke(app, ["quote", SPLINT, "--facility", "print-shop", "--json"])
    assert as_json.exit_code == 1
    data = json.loads(as_json.stdout)
    assert data["complete"] is False and data["total"] is None


def test_a_complete_quote_exits_0_with_a_total(quoting_env: Database) -> None:
    _printer_shop(
        quoting_env, ("petg",),
        (ProcessRate(process="fdm", hourly_rate=3.0, material_cost_per_kg=20.0),),
    )  # fmt: skip
    result = CliRunner().invoke(app, ["quote", SPLINT, "--facility", "print-shop", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["complete"] is True and data["total"] > 0
