"""Repositories store the frozen domain models and give back equal ones, on both backends."""

from __future__ import annotations

from sqlalchemy import func, select

from fabnet.domain.common import Location
from fabnet.domain.design import Design
from fabnet.domain.facility import Equipment, Facility, FacilityStatus
from fabnet.storage.db import Database
from fabnet.storage.design_tables import DesignPartRow
from fabnet.storage.designs import DesignRepository
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.facility_tables import EquipmentRow
from fabnet.storage.records import WriteOutcome
from fabnet.storage.registry import registry_version

from .builders import full_design, full_facility


def test_design_round_trips_exactly(db: Database) -> None:
    design = full_design()
    with db.transaction() as session:
        assert DesignRepository(session).add_or_replace(design) is WriteOutcome.CREATED
    with db.read() as session:
        loaded = DesignRepository(session).get(design.id)
    assert loaded == design
    assert loaded is not None and loaded.part_quantities() == {"seat": 1, "leg": 3, "screw": 6}


def test_minimal_design_round_trips(db: Database) -> None:
    design = Design(id="d-min", name="Bare")
    with db.transaction() as session:
        DesignRepository(session).add_or_replace(design)
    with db.read() as session:
        assert DesignRepository(session).get("d-min") == design


def test_design_replace_is_idempotent_and_replaces_children(db: Database) -> None:
    design = full_design()
    with db.transaction() as session:
        repo = DesignRepository(session)
        repo.add_or_replace(design)
        version = registry_version(session)
        assert repo.add_or_replace(design) is WriteOutcome.UNCHANGED
        assert registry_version(session) == version
        smaller = design.model_copy(
            update={"parts": design.parts[1:2], "assemblies": (), "root_assembly_id": None}
        )
        assert repo.add_or_replace(smaller) is WriteOutcome.UPDATED
        assert registry_version(session) > version
    with db.read() as session:
        assert DesignRepository(session).get(design.id) == smaller
        parts = session.scalar(select(func.count()).select_from(DesignPartRow))
    assert parts == 1


def test_design_prefix_and_pages(db: Database) -> None:
    with db.transaction() as session:
        repo = DesignRepository(session)
        for i in range(5):
            repo.add_or_replace(full_design(f"ab{i}", name=f"Design {i}"))
        repo.add_or_replace(full_design("cd0", name="Other"))
    with db.read() as session:
        repo = DesignRepository(session)
        assert [r.id for r in repo.find_by_prefix("ab")] == ["ab0", "ab1", "ab2", "ab3", "ab4"]
        assert repo.find_by_prefix("a_") == []  # LIKE wildcards are escaped
        first = repo.list(limit=4)
        second = repo.list(limit=4, after_id=first[-1].id)
        assert [d.id for d in first] == ["ab0", "ab1", "ab2", "ab3"]
        assert [d.id for d in second] == ["ab4", "cd0"]
        assert repo.count() == 6
        assert repo.get("nope") is None


def test_facility_round_trips_exactly(db: Database) -> None:
    facility = full_facility()
    bare = Facility(id="f-bare", name="Garage")
    with db.transaction() as session:
        counts = FacilityRepository(session).bulk_upsert([facility, bare])
    assert counts.created == ["f-0001", "f-bare"]
    with db.read() as session:
        repo = FacilityRepository(session)
        assert repo.get("f-0001") == facility
        assert repo.get("f-bare") == bare
        assert repo.all_facilities() == [facility, bare]


def test_facility_upsert_counts_and_registry_version(db: Database) -> None:
    a, b = full_facility("f-a"), full_facility("f-b")
    with db.transaction() as session:
        FacilityRepository(session).bulk_upsert([a, b])
    with db.transaction() as session:
        before = registry_version(session)
        counts = FacilityRepository(session).bulk_upsert([a, b])
        assert counts.unchanged == ["f-a", "f-b"] and not counts.changed
        assert registry_version(session) == before
        moved = b.model_copy(update={"location": Location(country="NL"), "equipment": ()})
        counts = FacilityRepository(session).bulk_upsert([a, moved])
        assert counts.updated == ["f-b"]
        assert registry_version(session) == before + 1
    with db.read() as session:
        assert FacilityRepository(session).get("f-b") == moved
        assert session.scalar(select(func.count()).select_from(EquipmentRow)) == 2


def test_facility_filters(db: Database) -> None:
    gent = full_facility("f-gent")
    delft = Facility(
        id="f-delft",
        name="Delft",
        location=Location(country="NL"),
        equipment=(Equipment(id="lathe", equipment_type="Lathe", processes=("cnc-turning",)),),
    )
    closed = Facility(id="f-closed", name="Closed", status=FacilityStatus.CLOSED)
    with db.transaction() as session:
        FacilityRepository(session).bulk_upsert([gent, delft, closed])
    with db.read() as session:
        repo = FacilityRepository(session)
        assert [f.id for f in repo.list(country="be")] == ["f-gent"]
        # a process on a machine counts as well as a declared one
        assert [f.id for f in repo.list(process="cnc-turning")] == ["f-delft"]
        assert [f.id for f in repo.list(process="fdm")] == ["f-gent"]
        assert [f.id for f in repo.list(status=FacilityStatus.CLOSED)] == ["f-closed"]
        assert repo.count(country="NL") == 1
        assert [r.id for r in repo.find_by_prefix("f-d")] == ["f-delft"]


def test_bulk_load_of_2000_facilities_reads_back_equal(db: Database) -> None:
    """A registry-sized bulk load round-trips (its speed is measured in bench/, not here)."""
    template = full_facility()
    facilities = [
        template.model_copy(update={"id": f"f-{i:05d}", "name": f"Lab {i}"}) for i in range(2000)
    ]
    with db.transaction() as session:
        FacilityRepository(session).bulk_upsert(facilities)
    with db.read() as session:
        loaded = FacilityRepository(session).all_facilities()
    assert loaded == facilities
