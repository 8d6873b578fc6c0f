"""The quoting service on demo designs: slicing once per database, estimates, quotes."""

from __future__ import annotations

from pathlib import Path

import pytest

from fabnet.domain.common import Dimensions, Location
from fabnet.domain.facility import Equipment, FabnetExtension, Facility, ProcessRate, RateCard
from fabnet.errors import InputError
from fabnet.quoting_tools.slicer import RUNS
from fabnet.services.sourcing.quoting import part_process_times, quote_design
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.files import FileStore

from .conftest import import_demo, needs_slicer


def _fab_lab(db: Database, *, printer_materials: tuple[str, ...] = ("petg", "pla")) -> Facility:
    facility = Facility(
        id="fab-lab-test",
        name="Test fab lab",
        location=Location(country="DE", latitude=52.5, longitude=13.4),
        processes=("fdm", "laser-cutting"),
        equipment=(
            Equipment(
                id="mk4", equipment_type="3D printer", processes=("fdm",),
                envelope=Dimensions(x_mm=250, y_mm=210, z_mm=220), materials=printer_materials,
            ),
            Equipment(
                id="laser", equipment_type="laser cutter", processes=("laser-cutting",),
                envelope=Dimensions(x_mm=600, y_mm=400, z_mm=20), materials=("petg", "pmma"),
            ),
        ),
        extension=FabnetExtension(
            rate_card=RateCard(
                rates=(
                    ProcessRate(process="fdm", hourly_rate=12.0, material_cost_per_kg=25.0),
                    ProcessRate(
                        process="laser-cutting", hourly_rate=40.0, setup_cost=10.0,
                        material_cost_per_kg=8.0,
                    ),
                ),
                minimum_order_value=5.0,
            )
        ),
    )  # fmt: skip
    with db.transaction() as session:
        FacilityRepository(session).add_or_replace(facility)
    return facility


@needs_slicer
@pytest.mark.slicer
def test_parts_are_sliced_once_per_database(sqlite_db: Database, store: FileStore) -> None:
    design = import_demo(sqlite_db, store, "face-shield")
    before = RUNS.value
    first = part_process_times(sqlite_db, design, store=store)
    assert RUNS.value == before + 1  # the headband; the visor is laser-cut
    headband = first["headband"]["fdm"]
    assert headband.method == "prusaslicer-2.5/default-0.2mm/petg/v1"
    assert 0.8 < headband.hours_per_unit < 2.5  # the README says it prints in about 1.5 h
    assert headband.material_g is not None and headband.material_g < 15.8  # < solid mass
    visor = first["visor"]["laser-cutting"]
    assert "section outline" in visor.detail and visor.hours_per_unit < 1 / 60 * 2
    assert set(first["face-shield"]) == {"assembly"}
    assert "elastic-strap" not in first  # bought in
    second = part_process_times(sqlite_db, design, store=store)
    assert RUNS.value == before + 1
    assert second == first


def test_without_the_slicer_fdm_falls_back_and_says_why(
    sqlite_db: Database, store: FileStore
) -> None:
    design = import_demo(sqlite_db, store, "finger-splint")
    times = part_process_times(
        sqlite_db, design, store=store, slicer_path="no-such-prusa-slicer-binary"
    )
    splint = times["splint"]["fdm"]
    assert splint.method == "fdm/volume-estimate/v1"
    assert "slicer unavailable" in splint.detail


def test_parts_without_files_are_estimated_from_dimensions(
    sqlite_db: Database, store: FileStore, tmp_path: Path
) -> None:
    design = import_demo(sqlite_db, store, "plywood-stool")
    empty = FileStore(tmp_path / "empty", max_bytes=10**8)  # holds none of the design's files
    times = part_process_times(sqlite_db, design, store=empty)
    seat = times["seat"]["laser-cutting"]
    assert "bounding-box perimeter" in seat.detail
    with_files = part_process_times(sqlite_db, design, store=store)["seat"]["laser-cutting"]
    assert "section outline" in with_files.detail


@needs_slicer
@pytest.mark.slicer
def test_quote_with_a_facility_prices_every_made_part(
    sqlite_db: Database, store: FileStore
) -> None:
    design = import_demo(sqlite_db, store, "face-shield")
    facility = _fab_lab(sqlite_db)
    unpriced = quote_design(sqlite_db, design.id, quantity=1, store=store)
    assert unpriced.total is None
    quote = quote_design(sqlite_db, design.id, facility_id=facility.id, quantity=10, store=store)
    lines = {line.item_id: line for line in quote.lines}
    headband = lines["headband"]
    assert headband.process == "fdm" and headband.price is not None
    assert headband.time is not None and headband.time.material_g is not None
    expected = 0.25 * 12.0 + 10 * (
        headband.time.hours_per_unit * 12.0 + headband.time.material_g / 1000 * 25.0
    )
    assert headband.price.total == pytest.approx(expected)
    assert lines["elastic-strap"].note == "bought in"
    assert not quote.complete  # the facility has no assembly rate
    assert quote.missing == ("face-shield: no rate for assembly",)
    assert quote.total is None  # an incomplete quote has no total, never a partial one
    assert quote.priced_subtotal == pytest.approx(
        sum(line.price.total for line in quote.lines if line.price and line.price.total)
    )


def test_a_facility_that_cannot_make_a_part_is_not_quoted(
    sqlite_db: Database, store: FileStore
) -> None:
    design = import_demo(sqlite_db, store, "finger-splint")  # PETG
    facility = _fab_lab(sqlite_db, printer_materials=("pla",))
    with pytest.raises(InputError, match=r"cannot make .*splint: material: .*works pla"):
        quote_design(sqlite_db, design.id, facility_id=facility.id, store=store)


def test_quantity_below_one_is_refused(sqlite_db: Database, store: FileStore) -> None:
    design = import_demo(sqlite_db, store, "finger-splint")
    with pytest.raises(InputError, match="quantity"):
        quote_design(sqlite_db, design.id, quantity=0, store=store)
