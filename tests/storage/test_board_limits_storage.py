"""Electronics limits of equipment and a PCB part's board are stored and read back (issue 10),
on both backends."""

from __future__ import annotations

from fabnet.domain.common import BoardLimits, Dimensions
from fabnet.domain.design import Design, Part
from fabnet.domain.facility import Equipment, Facility
from fabnet.storage.db import Database
from fabnet.storage.designs import DesignRepository
from fabnet.storage.facilities import FacilityRepository


def test_equipment_board_limits_and_a_pcb_part_round_trip(db: Database) -> None:
    facility = Facility(
        id="f-pcb",
        name="Board house",
        equipment=(
            Equipment(
                id="pnp",
                equipment_type="pick and place",
                processes=("smt-assembly",),
                board_limits=BoardLimits(x_mm=400, y_mm=300, layers=8, pitch_mm=0.3),
            ),
            Equipment(
                id="reflow",
                equipment_type="reflow oven",
                processes=("smt-assembly",),
                board_limits=BoardLimits(pitch_mm=0.4),
            ),
            Equipment(id="printer", equipment_type="3D printer", processes=("fdm",)),
        ),
    )
    design = Design(
        id="d-pcb",
        name="Charger",
        parts=(
            Part(
                id="board",
                name="Board",
                processes=("pcb-fabrication",),
                outer_dimensions=Dimensions(x_mm=120, y_mm=80, z_mm=1.6),
                board=BoardLimits(x_mm=120, y_mm=80, layers=4),
            ),
            Part(id="case", name="Case", processes=("fdm",)),
        ),
    )
    with db.transaction() as session:
        FacilityRepository(session).bulk_upsert([facility])
        DesignRepository(session).add_or_replace(design)
    with db.read() as session:
        assert FacilityRepository(session).get("f-pcb") == facility
        assert DesignRepository(session).get("d-pcb") == design
