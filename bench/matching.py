"""Matching benchmark: index build time and size, match latency, scaling, naive baseline.

Facilities are generated from the fablabs.io snapshot (``shared/data/facilities``): real places,
capability classes and statuses, with synthetic equipment, envelopes, materials, tolerances,
rate cards and capacities (marked ``synthetic`` in each facility's provenance). For N larger than
the snapshot, rows are drawn with replacement and their coordinates jittered.

Run:  .venv/bin/python bench/matching.py [--sizes 1000,10000,100000] [--runs 200] [--write]
``--write`` replaces the matching section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import functools
import gc
import os
import platform
import random
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fabnet.domain.common import BoardLimits, Dimensions, Location, Provenance
from fabnet.domain.design import Assembly, BomLine, Design, Part
from fabnet.domain.facility import (
    AccessType,
    BatchSize,
    Capacity,
    Equipment,
    FabnetExtension,
    Facility,
    FacilityProvenance,
    FacilityStatus,
    ProcessRate,
    RateCard,
)
from fabnet.engine.matching import (
    DeliveryPoint,
    FacilityIndex,
    MatchRequest,
    match_design,
    naive_match,
)

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT.parent / "shared" / "data" / "facilities" / "fablabs_snapshot.csv"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- matching:start -->", "<!-- matching:end -->"

STATUS = {
    "active": FacilityStatus.ACTIVE,
    "planned": FacilityStatus.PLANNED,
    "closed": FacilityStatus.CLOSED,
    "corona": FacilityStatus.TEMPORARY_CLOSURE,
    "": FacilityStatus.ACTIVE,
}
# fablabs.io capability class -> (process, envelope ranges mm, materials, tolerances)
KINDS: dict[str, tuple[str, tuple[tuple[int, int], ...], tuple[str, ...], tuple[str, ...]]] = {
    "three_d_printing": (
        "fdm",
        ((150, 400), (150, 400), (150, 400)),
        ("pla", "petg", "abs", "tpu", "asa"),
        ("ISO2768-c", "ISO2768-m"),
    ),
    "laser": (
        "laser-cutting",
        ((300, 1300), (300, 900), (10, 60)),
        ("plywood", "mdf", "pmma", "cork", "felt"),
        ("ISO2768-m", "ISO2768-f"),
    ),
    "cnc_milling": (
        "cnc-milling",
        ((300, 2500), (300, 1250), (50, 200)),
        ("plywood", "mdf", "aluminium-6061", "hdpe", "softwood"),
        ("IT9", "IT10", "IT11", "ISO2768-m"),
    ),
    "precision_milling": (
        "precision-milling",
        ((100, 300), (80, 200), (30, 80)),
        ("fr4", "aluminium-6061", "brass", "pom"),
        ("IT6", "IT7", "IT8"),
    ),
    "vinyl_cutting": (
        "vinyl-cutting",
        ((600, 1400), (1000, 5000), (1, 2)),
        ("pvc", "polyester"),
        ("ISO2768-m",),
    ),
    "circuit_production": (
        "pcb-fabrication",
        ((100, 300), (80, 200), (2, 5)),
        ("fr4", "fr1"),
        ("IT11",),
    ),
}
EXTRA: tuple[
    tuple[str, float, tuple[tuple[int, int], ...], tuple[str, ...], tuple[str, ...]], ...
] = (
    (
        "sla",
        0.15,
        ((100, 200), (60, 150), (100, 250)),
        ("standard-resin", "tough-resin"),
        ("ISO2768-f",),
    ),
    ("sls", 0.04, ((150, 350), (150, 350), (200, 400)), ("pa12", "tpu"), ("ISO2768-m",)),
    (
        "cnc-turning",
        0.08,
        ((200, 1000), (100, 400), (100, 400)),
        ("mild-steel", "stainless-steel-304", "aluminium-6061", "brass"),
        ("IT7", "IT8", "IT9"),
    ),
    (
        "tig-welding",
        0.06,
        ((1000, 3000), (1000, 2000), (500, 1500)),
        ("stainless-steel-304", "aluminium-6061", "mild-steel"),
        ("ISO2768-c",),
    ),
    ("sewing", 0.05, ((2000, 3000), (1000, 2000), (50, 100)), ("cotton", "polyester"), ()),
    ("smt-assembly", 0.05, ((300, 400), (200, 300), (5, 20)), ("fr4",), ()),
)
# Electronics equipment (issue 10): largest board, layers, finest pitch; 15 % of the machines
# leave a figure undeclared (not known to meet a PCB that asks for it).
ELECTRONICS = {"pcb-fabrication", "smt-assembly"}
CERTS = (("ISO 9001", 0.05), ("ISO 13485", 0.015), ("ISO 14001", 0.02))


def load_snapshot() -> list[dict[str, str]]:
    with SNAPSHOT.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _equipment(
    rng: random.Random,
    eq_id: str,
    process: str,
    spans: tuple[tuple[int, int], ...],
    materials: tuple[str, ...],
    tolerances: tuple[str, ...],
) -> Equipment:
    envelope = Dimensions(
        x_mm=rng.randint(*spans[0]), y_mm=rng.randint(*spans[1]), z_mm=rng.randint(*spans[2])
    )
    board = None
    if process in ELECTRONICS:
        board = BoardLimits(
            x_mm=envelope.x_mm,
            y_mm=envelope.y_mm,
            layers=rng.choice((1, 2, 2, 4, 6)) if rng.random() < 0.85 else None,
            pitch_mm=rng.choice((0.3, 0.4, 0.5, 0.65)) if rng.random() < 0.85 else None,
        )
    return Equipment(
        id=eq_id,
        equipment_type=process,
        processes=(process,),
        envelope=envelope,
        board_limits=board,
        materials=tuple(rng.sample(materials, rng.randint(1, len(materials)))),
        tolerance_class=rng.choice(tolerances) if tolerances else None,
    )


def make_facility(row: dict[str, str], n: int, rng: random.Random, jitter_deg: float) -> Facility:
    caps = [c for c in row["capabilities"].split(";") if c]
    if not caps:  # most snapshot rows list none: draw a typical fab lab
        caps = [
            c
            for c, p in (
                ("three_d_printing", 0.9),
                ("laser", 0.75),
                ("vinyl_cutting", 0.5),
                ("cnc_milling", 0.45),
                ("circuit_production", 0.3),
                ("precision_milling", 0.25),
            )
            if rng.random() < p
        ]
    equipment: list[Equipment] = []
    for cap in caps:
        process, spans, materials, tolerances = KINDS[cap]
        for k in range(1 if rng.random() < 0.6 else 2):
            equipment.append(_equipment(rng, f"{cap}-{k}", process, spans, materials, tolerances))
    for process, share, spans, materials, tolerances in EXTRA:
        if rng.random() < share:
            equipment.append(_equipment(rng, process, process, spans, materials, tolerances))
    processes = ("assembly",) if rng.random() < 0.3 else ()
    lat = float(row["latitude"]) if row["latitude"] else None
    lon = float(row["longitude"]) if row["longitude"] else None
    if lat is not None and lon is not None and jitter_deg:
        lat = max(-90.0, min(90.0, lat + rng.uniform(-jitter_deg, jitter_deg)))
        lon = ((lon + rng.uniform(-jitter_deg, jitter_deg) + 180.0) % 360.0) - 180.0
    currency = "USD" if rng.random() < 0.1 else "EUR"
    rates = tuple(
        ProcessRate(
            process=p,
            hourly_rate=round(rng.uniform(15, 90), 2),
            setup_cost=round(rng.uniform(0, 60), 2),
            material_cost_per_kg=round(rng.uniform(15, 80), 2),
            units_per_hour=round(rng.uniform(0.2, 12), 2) if rng.random() < 0.8 else None,
        )
        for p in sorted({p for e in equipment for p in e.processes} | set(processes))
        if rng.random() < 0.7
    )
    capacity = (
        Capacity(
            hours_per_week=rng.choice((20, 30, 40, 60)),
            max_batch_size=rng.choice((None, 20, 100, 1000)),
        )
        if rng.random() < 0.5
        else None
    )
    synthetic = Provenance.SYNTHETIC
    return Facility(
        id=f"bench-{n:06d}",
        name=row["name"],  # names repeat on purpose: identity is the id
        location=Location(
            latitude=lat,
            longitude=lon,
            country=row["country_code"] or None,
            city=row["city"] or None,
        ),
        status=STATUS.get(row["activity_status"], FacilityStatus.ACTIVE),
        access_type=rng.choice((*AccessType, None)),
        processes=processes,
        equipment=tuple(equipment),
        certifications=tuple(c for c, p in CERTS if rng.random() < p),
        typical_batch_size=rng.choice((*BatchSize, None)),
        extension=FabnetExtension(
            rate_card=RateCard(currency=currency, rates=rates) if rates else None,
            capacity=capacity,
        ),
        provenance=FacilityProvenance(
            identity=Provenance.IMPORTED,
            location=Provenance.IMPORTED,
            capabilities=synthetic,
            materials=synthetic,
            certifications=synthetic,
            capacity=synthetic,
            rates=synthetic,
        ),
        source="bench: fablabs.io snapshot + synthetic equipment",
    )


def generate(n: int, seed: int = 7) -> list[Facility]:
    """``n`` facilities; n == len(snapshot) uses every real row once, unjittered."""
    rows = load_snapshot()
    rng = random.Random(seed)
    if n == len(rows):
        return [make_facility(row, i, rng, 0.0) for i, row in enumerate(rows)]
    return [make_facility(rng.choice(rows), i, rng, 0.5) for i in range(n)]


def ten_part_design() -> Design:
    def p(
        pid: str,
        proc: str,
        mats: tuple[str, ...],
        size: tuple[float, float, float] | None,
        tol: str | None = None,
        mass: float | None = 50.0,
        board: BoardLimits | None = None,
    ) -> Part:
        dims = Dimensions(x_mm=size[0], y_mm=size[1], z_mm=size[2]) if size else None
        return Part(
            board=board,
            id=pid,
            name=pid,
            processes=(proc,),
            materials=mats,
            outer_dimensions=dims,
            tolerance_class=tol,
            mass_g=mass,
        )

    parts = (
        p("enclosure", "fdm", ("pla", "petg"), (180, 120, 60)),
        p("large-housing", "fdm", ("petg",), (320, 300, 250), mass=900),
        p("lens-holder", "sla", ("resin",), (60, 40, 30), "ISO2768-f", 12),
        p("front-panel", "laser-cutting", ("pmma",), (400, 300, 3)),
        p("base-plate", "cnc-milling", ("aluminium",), (300, 200, 12), "IT9", 1900),
        p("shaft", "cnc-turning", ("stainless-steel",), (150, 20, 20), "IT7", 370),
        p(
            "main-board",
            "pcb-fabrication",
            ("fr4",),
            (100, 80, 1.6),
            None,
            30,
            BoardLimits(x_mm=100, y_mm=80, layers=2),
        ),
        p("sticker", "vinyl-cutting", (), (200, 100, 1), None, 2),
        p("frame", "welding", ("stainless-steel",), (1200, 800, 600), None, 8000),
        p(
            "controller-pcba",
            "pcb-assembly",
            (),
            (100, 80, 15),
            None,
            60,
            BoardLimits(x_mm=100, y_mm=80, pitch_mm=0.5),
        ),
    )
    root = Assembly(
        id="final",
        name="final",
        process="assembly",
        lines=tuple(BomLine(item_id=x.id, quantity=1) for x in parts),
    )
    return Design(
        id="bench-design",
        name="10-part bench design",
        parts=parts,
        assemblies=(root,),
        root_assembly_id="final",
    )


BERLIN = DeliveryPoint(52.52, 13.405, "Berlin")
NAIROBI = DeliveryPoint(-1.286, 36.817, "Nairobi")
REQUESTS: dict[str, MatchRequest] = {
    "no location, qty 10": MatchRequest(quantity=10),
    "near Berlin, 300 km radius": MatchRequest(
        quantity=10, delivery_points=(BERLIN,), radius_km=300
    ),
    "2 delivery points, no radius, excl. US": MatchRequest(
        quantity=50, delivery_points=(BERLIN, NAIROBI), excluded_countries=frozenset({"US"})
    ),
    "ISO 9001 required, DE/FR/NL": MatchRequest(
        quantity=5,
        required_certifications=frozenset({"ISO 9001"}),
        countries=frozenset({"DE", "FR", "NL"}),
    ),
}


@dataclass
class Row:
    n: int
    rows: int
    build_s: float
    nbytes: int
    traced_retained: int
    traced_peak: int
    latencies: dict[str, tuple[float, float, float]]


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def timed(fn: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per call (CPU time shows the cost when cores are shared)."""
    fn()  # warm caches (vocabulary closures, numpy)
    wall, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return wall, cpu


def measure(facilities: list[Facility], runs: int) -> Row:
    design = ten_part_design()
    gc.collect()
    t0 = time.perf_counter()
    index = FacilityIndex.build(facilities)
    build = time.perf_counter() - t0
    # memory on a second build: tracemalloc slows Python down, so it is not timed
    gc.collect()
    tracemalloc.start()
    kept = FacilityIndex.build(facilities)
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept
    latencies = {}
    for name, request in REQUESTS.items():
        wall, cpu = timed(functools.partial(match_design, index, design, request), runs)
        latencies[name] = (percentile(wall, 50), percentile(wall, 99), percentile(cpu, 50))
    return Row(len(facilities), index.row_count, build, index.nbytes(), retained, peak, latencies)


def naive_baseline(facilities: list[Facility], sample: int) -> tuple[float, float]:
    """ms per facility of the per-facility loop, and of the index, for the same design."""
    design = ten_part_design()
    request = REQUESTS["near Berlin, 300 km radius"]
    subset = facilities[:sample]
    t0 = time.perf_counter()
    naive_match(subset, design, request)
    per_facility = (time.perf_counter() - t0) * 1000 / len(subset)
    return per_facility, per_facility * len(facilities)


def render(rows: list[Row], real: Row, baseline: tuple[float, float, int], big: Row) -> str:
    lines = [
        START,
        "## Matching (engine/matching)",
        "",
        f"Machine: {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}, numpy {np.__version__}; 2 cores shared with other work "
        f"(load average at the end: {os.getloadavg()[0]:.1f}). Generated by "
        "`bench/matching.py` (facilities from the fablabs.io snapshot with synthetic equipment; "
        "10-part design + final assembly, two of the parts PCBs with board figures; latency = "
        "one `match_design` call after the index is built, top 10 candidates and 3 near-misses "
        "per part, explanations included).",
        "",
        "| facilities | capability rows | index build (s) | index arrays (MB) | "
        "index retained, traced (MB) | build peak, traced (MB) | "
        + " | ".join(f"{k}: p50 / p99 wall (p50 CPU), ms" for k in REQUESTS)
        + " |",
        "|---:|---:|---:|---:|---:|---:|" + "---:|" * len(REQUESTS),
    ]
    for r in [real, *rows]:
        label = f"{r.n:,} (real fab-lab places)" if r is real else f"{r.n:,}"
        lines.append(
            f"| {label} | {r.rows:,} | {r.build_s:.2f} | {r.nbytes / 1e6:.1f} | "
            f"{r.traced_retained / 1e6:.1f} | {r.traced_peak / 1e6:.1f} | "
            + " | ".join(
                f"{p50:.1f} / {p99:.1f} ({cpu:.1f})" for p50, p99, cpu in r.latencies.values()
            )
            + " |"
        )
    per_fac, extrapolated, sample = baseline
    small, large = rows[0], rows[-1]
    growth = ", ".join(
        f"{name}: {small.latencies[name][2]:.1f} -> {large.latencies[name][2]:.1f} ms"
        for name in REQUESTS
    )
    lines += [
        "",
        f"Growth from {small.n:,} to {large.n:,} facilities ({large.n // small.n}x), p50 CPU "
        f"per match: {growth}. A fixed part (explaining the listed candidates and near-misses "
        "in Python, about 5-8 ms per design) dominates small registries; the array work grows "
        "linearly with the capability rows that offer each part's process.",
    ]
    worst = max(p50 for p50, _, _ in big.latencies.values())
    lines += [
        "",
        f"Baseline: the per-facility Python loop (same criteria, `naive_match`) on {sample:,} "
        f"facilities takes {per_fac:.3f} ms per facility for this design, about "
        f"{extrapolated / 1000:.1f} s for {big.n:,} facilities; the index answers the same "
        f"question in {worst:.1f} ms (slowest p50 above): about {extrapolated / worst:,.0f}x "
        "faster. (The open peer reported 8-10 ms per facility.)",
        "",
        "Targets (issue 3): p50 <= 50 ms and p99 <= 150 ms at 100,000 facilities; build <= 10 s; "
        "index <= 500 MB.",
        END,
    ]
    return "\n".join(lines)


def write_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--naive-sample", type=int, default=1000)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    t0 = time.perf_counter()
    real_facilities = generate(len(load_snapshot()))
    print(
        f"generated {len(real_facilities)} real in {time.perf_counter() - t0:.1f}s", file=sys.stderr
    )
    real = measure(real_facilities, args.runs)
    rows: list[Row] = []
    biggest: list[Facility] = real_facilities
    for n in sizes:
        t0 = time.perf_counter()
        facilities = generate(n)
        print(f"generated {n} in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        rows.append(measure(facilities, args.runs))
        print(rows[-1], file=sys.stderr)
        biggest = facilities
    per_fac, extrapolated = naive_baseline(biggest, args.naive_sample)
    section = render(rows, real, (per_fac, extrapolated, args.naive_sample), rows[-1])
    print(section)
    if args.write:
        write_doc(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
