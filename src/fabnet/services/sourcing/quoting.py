"""Quoting use cases: machine time per part and process from real geometry, and design quotes.

:func:`part_process_times` estimates, for every manufactured part of a design and every process
the part allows, the hours per unit, set-up and material; and for every assembly step (the final
one and each intermediate one) the same from its BOM lines:

- Generic processes a part allows are expanded to the specific processes with an estimator
  (``additive-manufacturing`` -> ``fdm``, ``sla``, ``sls``, ``mjf``), see
  :func:`fabnet.engine.quoting.estimable_processes`.
- Geometry comes from the part's first mesh file (STL, 3MF, ...) in the file store; without one,
  from its outer dimensions and mass (methods then say so); without either the part has no
  estimate (an empty dict), never an invented one.
- FDM is sliced with PrusaSlicer when the part has a mesh (:mod:`fabnet.quoting_tools.slicer`),
  in the first of the part's materials that has a filament profile (PLA when the part names
  none). Slicing and mesh results are cached in the ``quote_cache`` table by (file sha256,
  process, method), so a part is sliced once per database. A part that does not fit the
  profile's bed, or a machine without the slicer, gets the volume estimate, which says why.

:func:`quote_design` turns the times into a buyer-facing quote, priced with a facility's rate
card when one is given (:mod:`fabnet.engine.quoting.quote`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fabnet.domain.design import Design, FileRef, Part
from fabnet.domain.facility import Facility
from fabnet.engine.matching import capability_criteria, requirements_for
from fabnet.engine.quoting import (
    DesignQuote,
    PartGeometry,
    ProcessTime,
    StepFacts,
    build_design_quote,
    density_for,
    estimable_processes,
    estimate_part_time,
    estimate_step_time,
    geometry_from_dimensions,
)
from fabnet.engine.quoting.additive import FDM_SETUP_H
from fabnet.errors import ExternalToolError, InputError, UnknownTermError
from fabnet.quoting_tools.geometry import is_mesh_file, load_part_geometry
from fabnet.quoting_tools.slicer import (
    DEFAULT_PROFILE,
    FILAMENTS,
    SliceResult,
    method_for,
    slice_fdm,
)
from fabnet.services.catalogue.designs import resolve_design
from fabnet.services.catalogue.facilities import get_facility
from fabnet.services.catalogue.records import check_quantity
from fabnet.services.platform.database import open_file_store
from fabnet.services.platform.files import stored_file_named
from fabnet.settings import get_settings
from fabnet.storage.db import Database
from fabnet.storage.files import FileStore
from fabnet.storage.quotes import QuoteCacheRepository
from fabnet.vocab.materials import get_material_vocabulary
from fabnet.vocab.processes import get_process_taxonomy

GEOMETRY_PROCESS = "geometry"
GEOMETRY_METHOD = "trimesh/v1"

CacheKey = tuple[str, str, str]


@dataclass
class _Cache:
    """Cached rows read up front in one query, and the new ones written in one transaction."""

    found: dict[CacheKey, dict[str, Any]]
    new: dict[CacheKey, dict[str, Any]] = field(default_factory=dict)

    def get(self, key: CacheKey) -> dict[str, Any] | None:
        found = self.found.get(key)
        return found if found is not None else self.new.get(key)

    def put(self, key: CacheKey, value: dict[str, Any]) -> None:
        self.new[key] = value


def _mesh_ref(part: Part, store: FileStore) -> FileRef | None:
    for ref in (*part.export_files, *part.source_files):
        if ref.sha256 and is_mesh_file(ref.path) and store.exists(ref.sha256):
            return ref
    return None


def _suffix(ref: FileRef) -> str:
    return ref.path.rsplit(".", 1)[-1].lower()


def _filament(part: Part) -> tuple[str | None, str]:
    """The material to slice ``part`` in, and a note when it is assumed."""
    if not part.materials:
        return "pla", "no material named: PLA assumed"
    vocab = get_material_vocabulary()
    for material in part.materials:
        lineage = (material, *vocab.ancestors(material)) if material in vocab else (material,)
        for candidate in lineage:
            if candidate in FILAMENTS:
                return candidate, ""
    return None, ""


def _geometry(part: Part, store: FileStore, cache: _Cache) -> PartGeometry | None:
    ref = _mesh_ref(part, store)
    if ref is not None and ref.sha256 is not None:
        key = (ref.sha256, GEOMETRY_PROCESS, GEOMETRY_METHOD)
        cached = cache.get(key)
        if cached is not None:
            return PartGeometry.from_json(cached)
        with stored_file_named(store, ref.sha256, ref.path):
            geometry = load_part_geometry(store.path_for(ref.sha256), file_type=_suffix(ref))
        cache.put(key, geometry.to_json())
        return geometry
    if part.outer_dimensions is None:
        return None
    density = density_for(part.materials[0]) if part.materials else None
    return geometry_from_dimensions(
        part.outer_dimensions, mass_g=part.mass_g, density_g_per_cm3=density
    )


def _slice(
    part: Part, store: FileStore, cache: _Cache, material: str, slicer_path: str, profile: str
) -> SliceResult | None:
    ref = _mesh_ref(part, store)
    if ref is None or ref.sha256 is None:
        return None
    key = (ref.sha256, "fdm", method_for(profile, material))
    cached = cache.get(key)
    if cached is None:
        with stored_file_named(store, ref.sha256, ref.path):
            result = slice_fdm(
                store.path_for(ref.sha256),
                profile=profile,
                material=material,
                slicer_path=slicer_path,
                file_type=_suffix(ref),
            )
        cached = {
            "fits": result.fits,
            "print_hours": result.print_hours,
            "filament_g": result.filament_g,
            "filament_mm3": result.filament_mm3,
        }
        cache.put(key, cached)
    return SliceResult(
        fits=bool(cached["fits"]),
        print_hours=cached.get("print_hours"),
        filament_g=cached.get("filament_g"),
        filament_mm3=cached.get("filament_mm3"),
        profile=profile,
        material=material,
    )


def _with_note(time: ProcessTime | None, note: str) -> ProcessTime | None:
    if time is None or not note:
        return time
    return ProcessTime(
        process=time.process,
        hours_per_unit=time.hours_per_unit,
        setup_hours=time.setup_hours,
        material_g=time.material_g,
        method=time.method,
        detail=f"{time.detail}; {note}",
        tooling_hours=time.tooling_hours,
    )


def _fdm_time(
    process: str,
    part: Part,
    geometry: PartGeometry,
    store: FileStore,
    cache: _Cache,
    slicer_path: str,
    profile: str,
) -> ProcessTime | None:
    material, assumed = _filament(part)
    fallback_material = material or (part.materials[0] if part.materials else None)
    if material is None:
        note = "no FDM filament profile for the part's materials: volume estimate"
        return _with_note(estimate_part_time(process, geometry, fallback_material), note)
    try:
        sliced = _slice(part, store, cache, material, slicer_path, profile)
    except ExternalToolError as exc:
        note = f"slicer unavailable ({exc.message}): volume estimate"
        return _with_note(estimate_part_time(process, geometry, material), note)
    if sliced is None:
        return _with_note(estimate_part_time(process, geometry, material), assumed)
    if not sliced.fits or sliced.print_hours is None:
        note = f"does not fit the {profile} profile's bed: volume estimate"
        return _with_note(estimate_part_time(process, geometry, material), note)
    detail = (
        f"PrusaSlicer 2.5, {profile} profile, {material}: {sliced.print_hours:.2f} h, "
        f"{sliced.filament_g:g} g filament"
    )
    return ProcessTime(
        process=process,
        hours_per_unit=sliced.print_hours,
        setup_hours=FDM_SETUP_H,
        material_g=sliced.filament_g,
        method=sliced.method,
        detail=f"{detail}; {assumed}" if assumed else detail,
    )


def _is_fdm(process: str) -> bool:
    taxonomy = get_process_taxonomy()
    return process == "fdm" or (process in taxonomy and "fdm" in taxonomy.ancestors(process))


def _part_times(
    part: Part, store: FileStore, cache: _Cache, slicer_path: str, profile: str
) -> dict[str, ProcessTime]:
    processes = [p for allowed in part.processes for p in estimable_processes(allowed)]
    if not processes or part.stand_in:
        # a stand-in for a whole design (manifest without parts) has no geometry of its own:
        # never priced as if its size were the part's
        return {}
    geometry = _geometry(part, store, cache)
    if geometry is None:
        return {}
    material = part.materials[0] if part.materials else None
    times: dict[str, ProcessTime] = {}
    for process in dict.fromkeys(processes):
        if _is_fdm(process):
            found = _fdm_time(process, part, geometry, store, cache, slicer_path, profile)
        else:
            found = estimate_part_time(process, geometry, material)
        if found is not None:
            times[process] = found
    return times


def _allows(part: Part, process: str) -> bool:
    taxonomy = get_process_taxonomy()
    for allowed in part.processes:
        try:
            if taxonomy.satisfies(allowed, process):
                return True
        except UnknownTermError:
            continue
    return False


def step_facts(design: Design, assembly_id: str) -> StepFacts:
    """The counts of one assembly step of ``design`` (see :class:`StepFacts`)."""
    asm = design.assembly(assembly_id)
    parts = {p.id: p for p in design.parts}
    boards = components = 0
    for line in asm.lines:
        part = parts.get(line.item_id)
        if part is None:
            continue
        if _allows(part, "pcb-fabrication"):
            boards += line.quantity
        elif part.purchased:
            components += line.quantity
    return StepFacts(
        items=sum(line.quantity for line in asm.lines),
        lines=len(asm.lines),
        boards=boards,
        component_items=components,
    )


def part_process_times(
    db: Database,
    design: Design,
    *,
    store: FileStore | None = None,
    slicer_path: str | None = None,
    profile: str = DEFAULT_PROFILE,
) -> dict[str, dict[str, ProcessTime]]:
    """Item id (part or assembly) -> process id -> time per unit, for every manufactured part
    and every assembly step of ``design`` (see the module docstring)."""
    store = store or open_file_store()
    slicer = slicer_path or get_settings().slicer_path
    made = [p for p in design.parts if not p.purchased]
    keys: list[CacheKey] = []
    for part in made:
        ref = _mesh_ref(part, store)
        if ref is not None and ref.sha256 is not None:
            keys.append((ref.sha256, GEOMETRY_PROCESS, GEOMETRY_METHOD))
            material, _ = _filament(part)
            if material is not None:
                keys.append((ref.sha256, "fdm", method_for(profile, material)))
    with db.read() as session:
        cache = _Cache(QuoteCacheRepository(session).get_many(keys))
    times: dict[str, dict[str, ProcessTime]] = {}
    try:
        for part in made:
            times[part.id] = _part_times(part, store, cache, slicer, profile)
    finally:
        if cache.new:
            with db.transaction() as session:
                repo = QuoteCacheRepository(session)
                for (sha, process, method), value in cache.new.items():
                    repo.put(sha, process, method, value)
    for asm in design.assemblies:
        facts = step_facts(design, asm.id)
        step_times: dict[str, ProcessTime] = {}
        for process in estimable_processes(asm.process, step=True):
            found = estimate_step_time(process, facts)
            if found is not None:
                step_times[process] = found
        times[asm.id] = step_times
    return times


def capability_refusals(design: Design, facility: Facility, quantity: int = 1) -> list[str]:
    """Why ``facility`` cannot make the parts of ``design``, one line per failed criterion
    (process, material, envelope, tolerance: the same judgement and words as matching's
    ``why-not``); empty when it can make every manufactured part."""
    reasons: list[str] = []
    for req in requirements_for(design, quantity):
        if req.is_assembly:
            continue  # an assembly step is priced (or reported missing) from the rate card
        criteria, _ = capability_criteria(facility, req)
        reasons.extend(f"{req.label}: {c.criterion}: {c.detail}" for c in criteria if not c.passed)
    return reasons


def check_facility_can_make(design: Design, facility: Facility, quantity: int = 1) -> None:
    """Refuse (InputError naming every reason) to price a job ``facility`` cannot do."""
    reasons = capability_refusals(design, facility, quantity)
    if reasons:
        raise InputError(
            f"{facility.id} cannot make {design.id}, so it is not quoted: " + "; ".join(reasons),
            field="facility",
            hint="`fabnet match` lists facilities that can make it",
        )


def quote_design(
    db: Database,
    design_ref: str,
    *,
    facility_id: str | None = None,
    quantity: int = 1,
    store: FileStore | None = None,
    slicer_path: str | None = None,
) -> DesignQuote:
    """A quote of ``quantity`` products of a design (id, id prefix or OKH manifest file):
    per item its processes, hours and material; priced with ``facility_id``'s rate card."""
    check_quantity(quantity)
    design = resolve_design(db, design_ref)
    facility = get_facility(db, facility_id) if facility_id is not None else None
    if facility is not None:
        check_facility_can_make(design, facility, quantity)
    times = part_process_times(db, design, store=store, slicer_path=slicer_path)
    return build_design_quote(design, times, quantity=quantity, facility=facility)


def quote_design_at(
    db: Database,
    design_ref: str,
    facility: Facility,
    *,
    quantity: int = 1,
    store: FileStore | None = None,
    slicer_path: str | None = None,
) -> DesignQuote:
    """A quote of ``quantity`` products priced with ``facility`` as given (e.g. a rate card
    being edited, before it is saved): the live check of a manufacturer's rates."""
    check_quantity(quantity)
    design = resolve_design(db, design_ref)
    check_facility_can_make(design, facility, quantity)
    times = part_process_times(db, design, store=store, slicer_path=slicer_path)
    return build_design_quote(design, times, quantity=quantity, facility=facility)
