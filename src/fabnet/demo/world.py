"""The synthetic demo world: every fab lab of the fablabs.io snapshot, equipped, plus workshops.

``generate_world(seed)`` is deterministic: each facility draws from its own NumPy generator,
seeded by the world seed and the facility's id, so one facility's figures do not depend on the
others or on their order.

What is real and what is made up, per field group (``Facility.provenance``):

- fab labs: identity, location and capabilities (process classes) are IMPORTED from the
  directory; equipment, materials, capacity, rates and lead times are SYNTHETIC. Labs without
  coordinates are placed at their city when the gazetteer finds exactly one such city in their
  country (the location group stays IMPORTED: the place is the directory's).
- workshops and small factories (:mod:`fabnet.demo.workshops`): fictional firms in real cities,
  every group SYNTHETIC.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fabnet.demo import machines as m
from fabnet.demo.regions import (
    MATERIAL_EUR_PER_KG,
    PROCESS_RATE_FACTOR,
    SETUP_HOURS,
    rate_band,
    region_of,
)
from fabnet.demo.workshops import KINDS, WORKSHOPS, WorkshopSpec
from fabnet.domain.common import Location, Provenance, stable_id
from fabnet.domain.facility import (
    AccessType,
    BatchSize,
    Capacity,
    Equipment,
    FabnetExtension,
    Facility,
    FacilityProvenance,
    LeadTimes,
    ProcessRate,
    RateCard,
)
from fabnet.errors import InputError
from fabnet.geo.gazetteer import locate
from fabnet.standards.fablabs import load_fablabs_csv
from fabnet.vocab.processes import get_process_taxonomy

DEFAULT_SEED = 2026
FABLABS_SNAPSHOT = Path(__file__).resolve().parent.parent / "data" / "fablabs_snapshot.csv"
WORKSHOP_SOURCE = "fabnet demo world (synthetic)"
FABLABS_CLASSES = (
    "three_d_printing",
    "laser",
    "cnc_milling",
    "precision_milling",
    "vinyl_cutting",
    "circuit_production",
)

_SYNTHETIC_EXTRAS = {
    "equipment": Provenance.SYNTHETIC,
    "materials": Provenance.SYNTHETIC,
    "capacity": Provenance.SYNTHETIC,
    "rates": Provenance.SYNTHETIC,
}
_ALL_SYNTHETIC = FacilityProvenance(
    identity=Provenance.SYNTHETIC,
    location=Provenance.SYNTHETIC,
    capabilities=Provenance.SYNTHETIC,
    equipment=Provenance.SYNTHETIC,
    materials=Provenance.SYNTHETIC,
    certifications=Provenance.SYNTHETIC,
    capacity=Provenance.SYNTHETIC,
    rates=Provenance.SYNTHETIC,
)
_PCB_MILL = m.MachineModel(
    "lpkf-protomat-e44", "PCB milling machine", ("pcb-fabrication",), "LPKF", "ProtoMat E44",
    (229, 305, 35), ("fr1", "fr4"), None,
)  # fmt: skip
_LAB_WEIGHTS: dict[str, tuple[tuple[m.MachineModel, float], ...]] = {
    "three_d_printing": tuple(zip(m.FDM_PRINTERS, (0.3, 0.2, 0.15, 0.2, 0.1, 0.05), strict=True)),
    "laser": tuple(zip(m.LASER_CUTTERS, (0.2, 0.2, 0.2, 0.25, 0.15), strict=True)),
    "cnc_milling": tuple(zip(m.CNC_ROUTERS, (0.5, 0.2, 0.3), strict=True)),
    "precision_milling": tuple(zip(m.PRECISION_MILLS, (0.7, 0.3), strict=True)),
    "vinyl_cutting": tuple(zip(m.VINYL_CUTTERS, (0.7, 0.3), strict=True)),
}


@dataclass
class WorldSummary:
    """How the world was built: counts a demo or a doc can show."""

    seed: int
    fablabs: int = 0
    fablabs_with_coordinates: int = 0
    fablabs_geolocated: int = 0
    fablabs_without_coordinates: int = 0
    fablabs_without_capabilities: int = 0
    workshops: int = 0
    by_region: Counter[str] = field(default_factory=Counter)
    import_warnings: int = 0


@dataclass
class World:
    facilities: list[Facility]
    summary: WorldSummary


def generate_world(seed: int = DEFAULT_SEED) -> list[Facility]:
    """The demo world's facilities: the fab labs of the snapshot, then the workshops."""
    return build_world(seed).facilities


def build_world(seed: int = DEFAULT_SEED, *, fablabs_csv: Path = FABLABS_SNAPSHOT) -> World:
    """The demo world and a summary of how it was built."""
    summary = WorldSummary(seed=seed)
    imported = load_fablabs_csv(fablabs_csv)
    summary.import_warnings = len(imported.warnings)
    kinds = _fablab_kinds(fablabs_csv)
    facilities: list[Facility] = []
    for lab in imported.value:
        had_coordinates = lab.location.has_coordinates
        lab = _placed(lab)
        summary.fablabs += 1
        summary.fablabs_with_coordinates += had_coordinates
        summary.fablabs_geolocated += not had_coordinates and lab.location.has_coordinates
        summary.fablabs_without_coordinates += not lab.location.has_coordinates
        enriched = equip_fablab(lab, seed, kind=kinds.get(lab.id, "fab_lab"))
        summary.fablabs_without_capabilities += not enriched.equipment
        facilities.append(enriched)
    for spec in WORKSHOPS:
        facilities.append(make_workshop(spec, seed))
        summary.workshops += 1
    summary.by_region = Counter(region_of(f.location.country) for f in facilities)
    return World(facilities, summary)


def facility_rng(seed: int, facility_id: str) -> np.random.Generator:
    """The generator of one facility: a function of the world seed and the facility id only."""
    key = int(facility_id.replace("-", "")[:16], 16)
    return np.random.default_rng([seed, key])


def _fablab_kinds(path: Path) -> dict[str, str]:
    """fab_lab, mini_fab_lab or mobile per facility id (the loader keeps no kind)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {
            stable_id("fablabs", row["fablabs_id"].strip()): (row.get("kind") or "fab_lab").strip()
            for row in csv.DictReader(handle)
        }


def _placed(lab: Facility) -> Facility:
    """The lab at its city's coordinates when it has none and the city is unambiguous."""
    loc = lab.location
    if loc.has_coordinates or not loc.city or not loc.country:
        return lab
    try:
        place = locate(f"{loc.city}, {loc.country}")
    except InputError:  # unknown or ambiguous: stays without coordinates, counted
        return lab
    placed = loc.model_copy(update={"latitude": place.latitude, "longitude": place.longitude})
    return lab.model_copy(update={"location": placed})


def fablab_classes(lab: Facility) -> list[str]:
    """The fablabs.io capability classes of an imported lab, from its processes."""
    taxonomy = get_process_taxonomy()
    return [c for c in FABLABS_CLASSES if taxonomy.for_fablabs(c) in lab.processes]


def _pick(
    rng: np.random.Generator, weighted: tuple[tuple[m.MachineModel, float], ...]
) -> m.MachineModel:
    weights = np.array([w for _, w in weighted])
    index = int(rng.choice(len(weighted), p=weights / weights.sum()))
    return weighted[index][0]


def _lab_machines(
    rng: np.random.Generator, classes: list[str], *, mini: bool
) -> list[tuple[m.MachineModel, int]]:
    chosen: list[tuple[m.MachineModel, int]] = []
    if "three_d_printing" in classes:
        models = 1 if mini else int(rng.integers(1, 4))
        picked: list[m.MachineModel] = []
        for _ in range(models):
            model = _pick(rng, _LAB_WEIGHTS["three_d_printing"])
            if model not in picked:
                picked.append(model)
        for model in picked:
            chosen.append((model, int(rng.integers(1, 3 if mini else 5))))
        if not mini and rng.random() < 0.15:
            chosen.append((m.RESIN_PRINTERS[0], 1))
    for cls in ("laser", "cnc_milling", "precision_milling", "vinyl_cutting"):
        if cls in classes:
            chosen.append((_pick(rng, _LAB_WEIGHTS[cls]), 1))
    if "circuit_production" in classes:
        if "precision_milling" not in classes:
            chosen.append((_PCB_MILL, 1))
        chosen.append((m.ELECTRONICS_BENCH[0], int(rng.integers(1, 5))))
        if not mini and rng.random() < 0.25:
            chosen.append((m.SMALL_REFLOW[0], 1))
    return chosen


def _equipment(chosen: Iterable[tuple[m.MachineModel, int]]) -> tuple[Equipment, ...]:
    counts: Counter[str] = Counter()
    out = []
    for model, quantity in chosen:
        stem = model.processes[0]
        counts[stem] += 1
        out.append(model.equipment(f"{stem}-{counts[stem]}", quantity=quantity))
    return tuple(out)


def _materials(equipment: Iterable[Equipment]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for eq in equipment:
        for material in eq.materials:
            seen.setdefault(material)
    return tuple(seen)


def _rate_card(
    rng: np.random.Generator,
    processes: Iterable[str],
    country: str | None,
    *,
    minimum_lot: int = 1,
    minimum_order: float = 0.0,
) -> RateCard:
    reference = rate_band(country).reference_rate_eur * float(rng.lognormal(0.0, 0.15))
    rates = []
    for process in sorted(set(processes)):
        factor = PROCESS_RATE_FACTOR.get(process)
        if factor is None:  # a process with no rate of its own (e.g. engraving): not priced
            continue
        hourly = round(reference * factor, 2)
        material = MATERIAL_EUR_PER_KG.get(process, 0.0) * float(rng.uniform(0.85, 1.25))
        rates.append(
            ProcessRate(
                process=process,
                hourly_rate=hourly,
                setup_cost=round(hourly * SETUP_HOURS.get(process, 0.25), 2),
                material_cost_per_kg=round(material, 2),
                minimum_lot=minimum_lot,
            )
        )
    return RateCard(currency="EUR", rates=tuple(rates), minimum_order_value=round(minimum_order, 2))


def equip_fablab(lab: Facility, seed: int, *, kind: str = "fab_lab") -> Facility:
    """``lab`` (as imported) with synthetic equipment, materials, capacity, rates and lead times.

    A lab whose record names no capability class is returned unchanged.
    """
    classes = fablab_classes(lab)
    if not classes:
        return lab
    rng = facility_rng(seed, lab.id)
    mini = kind != "fab_lab"
    equipment = _equipment(_lab_machines(rng, classes, mini=mini))
    processes = {p for eq in equipment for p in eq.processes}
    extension = FabnetExtension(
        rate_card=_rate_card(rng, processes, lab.location.country,
                             minimum_order=float(rng.choice([0, 0, 10, 20]))),
        capacity=Capacity(
            hours_per_week=float(rng.choice([12, 16, 20, 24, 30, 40])),
            max_batch_size=int(rng.integers(20, 51 if mini else 201)),
        ),
        lead_times=LeadTimes(
            quote_days=float(rng.integers(1, 6)),
            production_start_days=float(rng.integers(3, 15)),
        ),
    )  # fmt: skip
    provenance = lab.provenance.model_copy(update=_SYNTHETIC_EXTRAS)
    return lab.model_copy(
        update={
            "equipment": equipment,
            "typical_materials": _materials(equipment),
            "typical_batch_size": BatchSize.UP_TO_50,
            "extension": extension,
            "provenance": provenance,
        }
    )


def workshop_id(spec: WorkshopSpec) -> str:
    return stable_id("facility", "fabnet-demo", spec.key)


def make_workshop(spec: WorkshopSpec, seed: int) -> Facility:
    """One fictional workshop or small factory, placed at its real city by the gazetteer."""
    facility_id = workshop_id(spec)
    rng = facility_rng(seed, facility_id)
    place = locate(f"{spec.city}, {spec.country}")
    kinds = [KINDS[k] for k in spec.kinds]
    chosen: list[tuple[m.MachineModel, int]] = []
    for kind in kinds:
        for key, low, high in kind.machines:
            quantity = int(rng.integers(low, high + 1))
            if quantity:
                chosen.append((m.MODELS_BY_KEY[key], quantity))
    equipment = _equipment(chosen)
    processes = tuple(dict.fromkeys(p for eq in equipment for p in eq.processes))
    main = kinds[0]
    headcount = sum(int(rng.integers(k.headcount[0], k.headcount[1] + 1)) for k in kinds)
    extension = FabnetExtension(
        rate_card=_rate_card(rng, processes, spec.country, minimum_lot=main.minimum_lot,
                             minimum_order=float(rng.choice([200, 500, 1000, 2000]))),
        capacity=Capacity(
            hours_per_week=float(round(rng.uniform(*main.hours_per_week))),
            units_per_week=int(rng.integers(2, 20)) * 100 * len(kinds),
            max_batch_size=int(rng.choice([2000, 5000, 10000, 50000])),
        ),
        lead_times=LeadTimes(
            quote_days=float(rng.integers(1, 4)),
            production_start_days=float(rng.integers(5, 29)),
        ),
    )  # fmt: skip
    return Facility(
        id=facility_id,
        name=spec.name,
        location=Location(
            latitude=place.latitude,
            longitude=place.longitude,
            country=spec.country,
            city=spec.city,
        ),
        access_type=AccessType.RESTRICTED,
        owner=spec.name,
        processes=processes,
        equipment=equipment,
        typical_materials=_materials(equipment),
        certifications=spec.certifications,
        typical_batch_size=main.batch_size,
        headcount=headcount,
        extension=extension,
        provenance=_ALL_SYNTHETIC,
        source=WORKSHOP_SOURCE,
    )
