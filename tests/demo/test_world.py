"""The synthetic demo world: real fab labs enriched with generated figures, plus workshops."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from fabnet.demo.regions import AFRICA, ASIA, EUROPE, LATIN_AMERICA, NORTH_AMERICA, region_of
from fabnet.demo.workshops import WORKSHOPS
from fabnet.demo.world import FABLABS_SNAPSHOT, World, build_world, generate_world
from fabnet.domain.common import Provenance, stable_id
from fabnet.domain.facility import Facility
from fabnet.vocab.certifications import normalise_certification
from fabnet.vocab.materials import get_material_vocabulary
from fabnet.vocab.processes import get_process_taxonomy


def _split(world: World) -> tuple[list[Facility], list[Facility]]:
    labs = [f for f in world.facilities if f.provenance.identity is Provenance.IMPORTED]
    shops = [f for f in world.facilities if f.provenance.identity is Provenance.SYNTHETIC]
    assert len(labs) + len(shops) == len(world.facilities)
    return labs, shops


def test_same_seed_same_world_other_seed_other_figures(demo_world: World) -> None:
    again = generate_world(demo_world.summary.seed)
    assert again == demo_world.facilities
    other = generate_world(7)
    assert [f.id for f in other] == [f.id for f in again]
    assert [f.name for f in other] == [f.name for f in again]
    changed = sum(a.extension != b.extension for a, b in zip(other, again, strict=True))
    assert changed > 0.9 * len(other)


def test_every_fab_lab_of_the_snapshot_is_there_with_its_real_name(demo_world: World) -> None:
    with FABLABS_SNAPSHOT.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2069
    labs, _ = _split(demo_world)
    by_id = {lab.id: lab for lab in labs}
    assert len(by_id) == 2069
    for row in rows:
        lab = by_id[stable_id("fablabs", row["fablabs_id"])]
        assert lab.name == row["name"].strip()
        assert lab.location.country == (row["country_code"].strip().upper() or None)
        if row["latitude"]:
            assert lab.location.latitude == float(row["latitude"])
    assert demo_world.summary.fablabs == 2069


def test_labs_without_coordinates_are_placed_or_counted(demo_world: World) -> None:
    summary = demo_world.summary
    labs, _ = _split(demo_world)
    assert summary.fablabs_with_coordinates == 1836
    assert summary.fablabs_geolocated > 100
    missing = sum(not lab.location.has_coordinates for lab in labs)
    assert missing == summary.fablabs_without_coordinates
    assert summary.fablabs_with_coordinates + summary.fablabs_geolocated + missing == 2069


def test_provenance_says_what_is_real(demo_world: World) -> None:
    labs, shops = _split(demo_world)
    for lab in labs:
        p = lab.provenance
        assert (p.identity, p.location, p.capabilities) == (Provenance.IMPORTED,) * 3
        if lab.equipment:
            assert (p.equipment, p.materials, p.capacity, p.rates) == (Provenance.SYNTHETIC,) * 4
            assert p.any_synthetic
        else:  # no capability class in the directory: nothing was generated
            assert lab.extension.rate_card is None and not p.any_synthetic
    for shop in shops:
        assert "(synthetic)" in shop.name
        assert set(shop.provenance.model_dump().values()) == {Provenance.SYNTHETIC}


def test_generated_equipment_matches_the_directory_classes(demo_world: World) -> None:
    taxonomy = get_process_taxonomy()
    labs, _ = _split(demo_world)
    for lab in labs:
        offered = lab.all_processes()
        for process in lab.processes:  # every imported class has a machine that does it
            if lab.equipment:
                assert any(taxonomy.satisfies(o, process) for o in offered), (lab.name, process)
    printers = [e for lab in labs for e in lab.equipment if "fdm" in e.processes]
    assert {e.model for e in printers} >= {"Original Prusa i3 MK3S+", "S5", "X1 Carbon"}


def test_all_ids_exist_in_the_vocabularies_and_envelopes_are_positive(demo_world: World) -> None:
    taxonomy, materials = get_process_taxonomy(), get_material_vocabulary()
    for facility in demo_world.facilities:
        assert all(p in taxonomy for p in facility.all_processes()), facility.name
        assert all(m in materials for m in facility.typical_materials), facility.name
        for eq in facility.equipment:
            assert eq.envelope is not None and min(eq.envelope.sorted()) > 0
            assert all(m in materials for m in eq.materials)
        card = facility.extension.rate_card
        if card is not None:
            assert all(r.process in taxonomy and r.hourly_rate > 0 for r in card.rates)
        for cert in facility.certifications:
            assert normalise_certification(cert) == cert


def test_workshops_cover_the_regions_and_the_industrial_processes(demo_world: World) -> None:
    _, shops = _split(demo_world)
    assert len(shops) == len(WORKSHOPS) >= 36
    assert all(s.location.has_coordinates for s in shops)
    regions = Counter(region_of(s.location.country) for s in shops)
    assert regions[AFRICA] >= 12 and regions[ASIA] >= 8
    assert regions[EUROPE] >= 3 and regions[LATIN_AMERICA] + regions[NORTH_AMERICA] >= 5
    offered = set().union(*(s.all_processes() for s in shops))
    needed = {"injection-moulding", "cnc-milling", "pcb-fabrication", "pcb-assembly", "sewing",
              "assembly", "laser-cutting", "sheet-metal-bending"}  # fmt: skip
    assert needed <= offered
    assert sum("ISO 13485" in s.certifications for s in shops) >= 5
    assert any(not s.certifications for s in shops)


def test_rates_follow_the_regional_table(demo_world: World) -> None:
    labs, _ = _split(demo_world)

    def median_fdm(country: str) -> float:
        rates = sorted(
            r.hourly_rate
            for lab in labs
            if lab.location.country == country and lab.extension.rate_card
            for r in lab.extension.rate_card.rates
            if r.process == "fdm"
        )
        return rates[len(rates) // 2]

    assert median_fdm("FR") > 2 * median_fdm("KE")
    assert median_fdm("US") > median_fdm("FR") > median_fdm("BR")


def test_a_small_snapshot_builds_with_its_own_counts(tmp_path: Path) -> None:
    with FABLABS_SNAPSHOT.open(encoding="utf-8-sig", newline="") as handle:
        lines = handle.read().splitlines()
    small = tmp_path / "labs.csv"
    small.write_text("\n".join(lines[:21]) + "\n", encoding="utf-8")
    world = build_world(1, fablabs_csv=small)
    assert world.summary.fablabs == 20
    assert world.summary.workshops == len(WORKSHOPS)
    assert len(world.facilities) == 20 + len(WORKSHOPS)
