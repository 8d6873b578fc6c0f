"""Instant quote: a design (or one uploaded part), a quantity, a material, near a place ->
price per unit and in total at every facility that can make it, with machine time, lead time
and distance.

:func:`start_instant_quote` checks the request (every problem is an
:class:`~fabnet.errors.InputError` naming its form field) and records the ``quotes.instant`` job
in the outbox; the job (handler in :mod:`fabnet.jobs.quoting`) runs :func:`run_instant_quote`:

1. the item times from the sliced geometry
   (:func:`~fabnet.services.sourcing.quoting.part_process_times`): PrusaSlicer for FDM,
   cached in ``quote_cache`` by the file's sha256 (a part is sliced once per database; the
   result says whether this quote sliced anything);
2. the facilities that can make every manufactured part (matching, with the same judgement
   and reasons as ``fabnet match``), each priced at its rate card
   (:func:`~fabnet.engine.quoting.build_design_quote`);
3. per facility: total and per-unit price (the card's minimum order value applied), machine
   hours for the whole quantity, distance to the place, and lead time = the facility's
   production start + machine hours over its weekly hours + road transit to the place
   (:class:`~fabnet.engine.logistics.TransportModel`).

:func:`instant_quote_job` reads the job back for the organisation that asked (404 for others).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import func, select

from fabnet.domain.common import Dimensions
from fabnet.domain.design import Design, FileRef, FileRole, Part
from fabnet.domain.facility import Facility
from fabnet.domain.identity import Principal, Scope
from fabnet.engine.logistics import TransportMode, TransportModel
from fabnet.engine.matching import match_design
from fabnet.engine.quoting import DesignQuote, ProcessTime, build_design_quote
from fabnet.errors import InputError, NotFoundError
from fabnet.outbox.queue import submit
from fabnet.quoting_tools.geometry import load_part_geometry
from fabnet.services.catalogue.designs import get_design
from fabnet.services.catalogue.places import locate_place
from fabnet.services.catalogue.records import check_quantity
from fabnet.services.platform.files import stored_file_named
from fabnet.services.sourcing.matching import MatchParams, build_request, facility_index
from fabnet.services.sourcing.quoting import part_process_times
from fabnet.storage import jobs as job_store
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.files import FileStore
from fabnet.storage.quotes import QuoteCacheRow
from fabnet.vocab.materials import get_material_vocabulary
from fabnet.vocab.processes import get_process_taxonomy

QUOTE_JOB = "quotes.instant"
MAX_FACILITIES = 50
"""Facilities kept in a quote (the cheapest complete prices first)."""
_MATCH_DEPTH = 200
QUOTE_PROCESSES = (
    "fdm", "sla", "sls", "mjf", "cnc-milling", "cnc-routing", "cnc-turning", "laser-cutting",
    "injection-moulding",
)  # fmt: skip
"""Processes an uploaded part may be quoted for (those with an estimator from a mesh)."""

ProgressReport = Callable[[float, str], None]


@dataclass(frozen=True)
class QuoteRequest:
    """What the buyer asks: a design id, or an uploaded mesh (stored, by sha256) and its
    process; a quantity; optionally a material and a place."""

    quantity: int
    design_id: str | None = None
    mesh_sha256: str | None = None
    mesh_name: str | None = None
    process: str | None = None
    material: str | None = None
    near: str | None = None


@dataclass(frozen=True)
class FacilityQuote:
    facility_id: str
    facility_name: str
    place: str
    currency: str
    total: float | None
    per_unit: float | None
    complete: bool
    missing: list[str]
    """Why the price is incomplete: one entry per item the rate card cannot price."""
    priced_subtotal: float | None
    """An incomplete quote's figure for the items that could be priced."""
    minimum_order_value_applied: bool
    machine_hours: float
    """Machine hours for the whole quantity, set-ups included."""
    distance_km: float | None
    production_days: float | None
    transit_days: float | None
    lead_time_days: float | None
    lead_time_basis: str


@dataclass(frozen=True)
class ItemTime:
    item: str
    kind: str
    per_product: int
    process: str | None
    hours_per_unit: float | None
    material_g: float | None
    detail: str


@dataclass
class InstantQuote:
    design_id: str | None
    design_name: str
    quantity: int
    material: str | None
    place: str | None
    items: list[ItemTime] = field(default_factory=list)
    facilities: list[FacilityQuote] = field(default_factory=list)
    capable: int = 0
    """Facilities that can make every manufactured part (all priced; the best are listed)."""
    sliced: str = "none"
    """``new`` when this quote sliced or measured a file, ``cache`` when every result came from
    the cache (by file hash), ``none`` when no file was read."""
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InstantQuote:
        return cls(
            **{
                **data,
                "items": [ItemTime(**x) for x in data.get("items", [])],
                "facilities": [FacilityQuote(**x) for x in data.get("facilities", [])],
            }
        )


@dataclass(frozen=True)
class QuoteJob:
    id: str
    status: str
    """queued, running, succeeded or failed."""
    quote: InstantQuote | None
    error: str | None


def _check_material(material: str | None, design: Design | None) -> str | None:
    if not material:
        return None
    vocab = get_material_vocabulary()
    if material not in vocab:
        found = vocab.resolve(material)
        raise InputError(
            f"fabnet knows no material {material!r}",
            field="material",
            hint=f"did you mean {found}?" if found else "pick one from the list",
        )
    if design is not None and not any(_takes(p, material) for p in _made(design)):
        named = sorted({m for p in _made(design) for m in p.materials})
        raise InputError(
            f"no part of {design.name} is made in {vocab.node(material).label}",
            field="material",
            hint="its parts are made in " + ", ".join(vocab.node(m).label for m in named)
            if named
            else None,
        )
    return material


def _made(design: Design) -> list[Part]:
    return [p for p in design.parts if not p.purchased and not p.stand_in]


def _takes(part: Part, material: str) -> bool:
    """A part takes the chosen material when it names it (or one it refines) or names none."""
    if not part.materials:
        return True
    vocab = get_material_vocabulary()
    lineage = {material, *vocab.ancestors(material)}
    return any(m in lineage for m in part.materials)


def start_instant_quote(
    db: Database, actor: Principal | None, request: QuoteRequest, *, store: FileStore
) -> str:
    """Check ``request`` and queue the quote; returns the job id (see the module docstring)."""
    if actor is not None:
        actor.require(Scope.READ)
    check_quantity(request.quantity)
    design = None
    if request.mesh_sha256 is None:
        if not request.design_id:
            raise InputError("choose a design, or upload a part", field="design")
        try:
            design = get_design(db, request.design_id)
        except NotFoundError:
            raise InputError(
                f"fabnet knows no design {request.design_id!r}",
                field="design",
                hint="pick one from the list, or paste its id",
            ) from None
    else:
        if not store.exists(request.mesh_sha256):
            raise InputError("the uploaded part is no longer stored; upload it again", field="mesh")
        if request.process not in QUOTE_PROCESSES:
            taxonomy = get_process_taxonomy()
            raise InputError(
                "choose how the uploaded part is made",
                field="process",
                hint="one of " + ", ".join(taxonomy.node(p).label for p in QUOTE_PROCESSES),
            )
        if not request.material:
            raise InputError("choose the uploaded part's material", field="material")
    material = _check_material(request.material, design)
    place = None
    if request.near and request.near.strip():
        try:
            located = locate_place(request.near)
        except InputError as error:
            raise InputError(error.message, field="near", hint=error.hint) from None
        place = f"{located.name}, {located.country}"
    payload = {
        "quantity": request.quantity,
        "design_id": design.id if design is not None else None,
        "mesh_sha256": request.mesh_sha256,
        "mesh_name": request.mesh_name,
        "process": request.process,
        "material": material,
        "near": request.near.strip() if request.near and request.near.strip() else None,
        "place": place,
        "org_id": actor.org_id if actor is not None else None,
    }
    return submit(QUOTE_JOB, payload, db=db)


def _uploaded_design(payload: dict[str, Any], store: FileStore) -> Design:
    sha = str(payload["mesh_sha256"])
    name = str(payload.get("mesh_name") or "part.stl")
    suffix = PurePosixPath(name).suffix.lstrip(".").lower() or "stl"
    with stored_file_named(store, sha, name):
        geometry = load_part_geometry(store.path_for(sha), file_type=suffix)
    bbox = geometry.bbox
    part = Part(
        id="part",
        name=PurePosixPath(name).stem or "Uploaded part",
        processes=(str(payload["process"]),),
        materials=(str(payload["material"]),),
        outer_dimensions=Dimensions(x_mm=bbox.x_mm, y_mm=bbox.y_mm, z_mm=bbox.z_mm),
        export_files=(FileRef(path=name, role=FileRole.EXPORT, sha256=sha),),
    )
    return Design(id=f"upload-{sha[:12]}", name=name, parts=(part,))


def _with_material(design: Design, material: str | None) -> Design:
    if material is None:
        return design
    parts = tuple(
        p.model_copy(update={"materials": (material,)}) if not p.purchased and _takes(p, material)
        else p
        for p in design.parts
    )  # fmt: skip
    return design.model_copy(update={"parts": parts})


def _cache_rows(db: Database, design: Design) -> int:
    shas = sorted(
        {r.sha256 for p in design.parts for r in (*p.export_files, *p.source_files) if r.sha256}
    )
    if not shas:
        return 0
    with db.read() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(QuoteCacheRow)
                .where(QuoteCacheRow.sha256.in_(shas))
            )
            or 0
        )


def _machine_hours(quote: DesignQuote) -> float:
    hours = 0.0
    for line in quote.lines:
        if line.time is None or line.kind == "purchased":
            continue
        units = line.per_product * quote.quantity
        hours += line.time.hours_per_unit * units + line.time.setup_hours
    return hours


def _mass_kg(design: Design, quote: DesignQuote) -> float:
    per_product = 0.0
    masses = {p.id: p.mass_g for p in design.parts}
    for line in quote.lines:
        grams = masses.get(line.item_id)
        if grams is None and line.time is not None and line.kind == "part":
            grams = line.time.material_g
        per_product += (grams or 0.0) * line.per_product if line.kind != "assembly" else 0.0
    return per_product * quote.quantity / 1000.0


def _facility_quote(
    design: Design,
    facility: Facility,
    times: Mapping[str, Mapping[str, ProcessTime]],
    quantity: int,
    distance_km: float | None,
    destination: tuple[float, float, str] | None,
    transport: TransportModel,
) -> FacilityQuote:
    quote = build_design_quote(design, times, quantity=quantity, facility=facility)
    hours = _machine_hours(quote)
    ext = facility.extension
    start = ext.lead_times.production_start_days if ext.lead_times else None
    weekly = ext.capacity.hours_per_week if ext.capacity else None
    production = None if weekly is None else hours / weekly * 7.0
    transit = None
    lat, lon = facility.location.latitude, facility.location.longitude
    if destination is not None and lat is not None and lon is not None:
        lanes = transport.lane(
            (lat, lon),
            destination[:2],
            _mass_kg(design, quote),
            origin_country=facility.location.country,
            destination_country=destination[2],
        )
        lane = lanes.get(TransportMode.ROAD) or min(lanes.values(), key=lambda x: x.days)
        transit = lane.days
    parts = [
        x
        for x in (
            None if start is None else f"{start:g} d to start",
            None if production is None else f"{hours:.1f} machine h at {weekly:g} h/week",
            None if transit is None else "road transit",
        )
        if x
    ]
    lead = None
    if start is not None and production is not None:
        lead = start + production + (transit or 0.0)
    missing = list(quote.missing)
    return FacilityQuote(
        facility_id=facility.id,
        facility_name=facility.name,
        place=", ".join(x for x in (facility.location.city, facility.location.country) if x),
        currency=quote.currency or (ext.rate_card.currency if ext.rate_card else "EUR"),
        total=quote.total,
        per_unit=quote.per_product,
        complete=quote.complete,
        missing=missing,
        priced_subtotal=quote.priced_subtotal,
        minimum_order_value_applied=quote.minimum_order_value_applied,
        machine_hours=round(hours, 3),
        distance_km=None if distance_km is None else round(distance_km, 1),
        production_days=None if production is None else round(production, 2),
        transit_days=None if transit is None else round(transit, 2),
        lead_time_days=None if lead is None else round(lead, 1),
        lead_time_basis=" + ".join(parts) if lead is not None else "no lead times declared",
    )


def run_instant_quote(
    db: Database,
    payload: dict[str, Any],
    *,
    store: FileStore,
    slicer_path: str | None = None,
    progress: ProgressReport | None = None,
) -> InstantQuote:
    """The quote the job makes (see the module docstring)."""
    report = progress or (lambda _f, _m: None)
    quantity = int(payload["quantity"])
    material = payload.get("material")
    if payload.get("design_id"):
        design = get_design(db, str(payload["design_id"]))
    else:
        report(0.05, "Measuring the uploaded part")
        design = _uploaded_design(payload, store)
    design = _with_material(design, material)
    before = _cache_rows(db, design)
    report(0.1, "Slicing the parts (PrusaSlicer for 3D printing)")
    times = part_process_times(db, design, store=store, slicer_path=slicer_path)
    after = _cache_rows(db, design)
    has_files = any(r.sha256 for p in design.parts for r in (*p.export_files, *p.source_files))
    sliced = "new" if after > before else ("cache" if has_files else "none")
    report(0.6, "Finding the facilities that can make it")
    near = payload.get("near")
    params = MatchParams(quantity=quantity, near=(str(near),) if near else (), top_k=_MATCH_DEPTH)
    request = build_request(params)
    hours = {i: {p: t.hours_per_unit for p, t in by.items()} for i, by in times.items()}
    matched = match_design(facility_index(db), design, request, hours=hours)
    made = {p.id for p in _made(design)}
    capable: set[str] | None = None
    distances: dict[str, float | None] = {}
    notes: list[str] = []
    for pm in matched.parts:
        if pm.part not in made:
            continue
        ids = {c.facility_id for c in pm.candidates}
        distances.update({c.facility_id: c.distance_km for c in pm.candidates})
        if not ids:
            notes.append(f"no facility can make {pm.name}" + (f": {pm.note}" if pm.note else ""))
        capable = ids if capable is None else capable & ids
    capable = capable or set()
    if not capable and not notes and made:
        notes.append(
            "no single facility makes every part; the order wizard's plan can split the parts "
            "between facilities"
        )
    with db.read() as session:
        facilities = FacilityRepository(session).get_many(sorted(capable))
    destination = None
    if request.delivery_points:
        point = request.delivery_points[0]
        destination = (point.latitude, point.longitude, locate_place(str(near)).country)
    transport = TransportModel.default()
    report(0.8, f"Pricing at {len(facilities)} facilities")
    quotes = [
        _facility_quote(design, f, times, quantity, distances.get(f.id), destination, transport)
        for f in facilities
    ]
    quotes.sort(
        key=lambda q: (
            not q.complete,
            q.total if q.total is not None else float("inf"),
            q.distance_km if q.distance_km is not None else float("inf"),
        )
    )
    plain = build_design_quote(design, times, quantity=quantity)
    items = [
        ItemTime(
            item=line.item_name,
            kind=line.kind,
            per_product=line.per_product,
            process=line.process,
            hours_per_unit=None if line.time is None else round(line.time.hours_per_unit, 4),
            material_g=None if line.time is None else line.time.material_g,
            detail=line.note or (line.time.detail if line.time else ""),
        )
        for line in plain.lines
    ]
    return InstantQuote(
        design_id=payload.get("design_id"),
        design_name=design.name,
        quantity=quantity,
        material=material,
        place=payload.get("place"),
        items=items,
        facilities=quotes[:MAX_FACILITIES],
        capable=len(quotes),
        sliced=sliced,
        notes=notes,
    )


_STATUS = {
    job_store.JobStatus.QUEUED: "queued",
    job_store.JobStatus.RUNNING: "running",
    job_store.JobStatus.SUCCEEDED: "succeeded",
    job_store.JobStatus.DEAD: "failed",
}


def instant_quote_job(db: Database, actor: Principal | None, job_id: str) -> QuoteJob:
    """The quote job ``job_id`` for the organisation that asked (NotFoundError otherwise)."""
    hidden = NotFoundError(f"no quote with id {job_id}")
    with db.read() as session:
        row = session.get(job_store.JobRow, job_id)
        if row is None or row.name != QUOTE_JOB:
            raise hidden
        if actor is not None and row.payload.get("org_id") != actor.org_id:
            raise hidden
        status = _STATUS.get(row.status, "queued")
        result = dict(row.result) if row.result is not None else None
    if status == "failed":
        return QuoteJob(job_id, status, None, UNEXPECTED_FAILURE)
    if status != "succeeded" or result is None:
        return QuoteJob(job_id, status, None, None)
    if "error" in result:
        return QuoteJob(job_id, "failed", None, str(result["error"]))
    return QuoteJob(job_id, status, InstantQuote.from_json(result), None)


UNEXPECTED_FAILURE = "the quote failed unexpectedly; the error was recorded for the operator"


def quote_job_result(
    db: Database,
    payload: dict[str, Any],
    *,
    store: FileStore,
    slicer_path: str | None = None,
    progress: ProgressReport | None = None,
) -> dict[str, Any]:
    """What the job records: the quote as JSON, or ``{"error": ...}`` in the user's words for
    a problem they can fix (a place the gazetteer lost, a mesh that no longer reads)."""
    try:
        quote = run_instant_quote(
            db, payload, store=store, slicer_path=slicer_path, progress=progress
        )
    except InputError as error:
        return {"error": str(error)}
    return quote.to_json()
