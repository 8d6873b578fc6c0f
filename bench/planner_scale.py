"""Scale benchmark: 2,000 facilities x 20,000 delivery points, 30 nearest candidates each.

    python bench/planner_scale.py [--facilities 2000] [--points 20000] [--nearest 30]
                                  [--time-limit 120] [--gap 0.01] [--seed 7] [--json]

Synthetic and seeded: facilities and delivery points scattered over Europe (lat 36..60,
lon -10..30), one single-part product, capacities summing to 1.6x demand, setup costs
and unit costs varying per facility, road transport from the default transport model with
the fixed cost per shipment set to zero (one shipment binary per lane would add 600,000
binaries). Prints time, status, gap and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np

from fabnet.engine.logistics import TransportMode, TransportModel
from fabnet.engine.planning import (
    Candidate,
    DeliveryPoint,
    Facility,
    Part,
    PlanningOptions,
    PlanningProblem,
    Product,
    solve,
)


def build(
    n_fac: int, n_pts: int, nearest: int, time_limit: float, gap: float, seed: int
) -> PlanningProblem:
    rng = np.random.default_rng(seed)
    f_lat, f_lon = rng.uniform(36, 60, n_fac), rng.uniform(-10, 30, n_fac)
    d_lat, d_lon = rng.uniform(36, 60, n_pts), rng.uniform(-10, 30, n_pts)
    demand = rng.integers(5, 50, n_pts).astype(float)
    capacity = rng.uniform(0.5, 1.5, n_fac)
    capacity *= 1.6 * demand.sum() / capacity.sum()
    setup = rng.uniform(2_000, 6_000, n_fac)
    unit = rng.uniform(8.0, 12.0, n_fac)
    facilities = tuple(
        Facility(f"f{i}", float(f_lat[i]), float(f_lon[i]), "EU") for i in range(n_fac)
    )
    candidates = tuple(
        Candidate(
            "widget",
            f"f{i}",
            unit_cost=float(unit[i]),
            setup_cost=float(setup[i]),
            capacity=float(capacity[i]),
            lead_time_days=2.0,
        )
        for i in range(n_fac)
    )
    points = tuple(
        DeliveryPoint(
            f"d{j}", float(d_lat[j]), float(d_lon[j]), (("widget", float(demand[j])),), country="EU"
        )
        for j in range(n_pts)
    )
    base = TransportModel.default()
    road = base.modes[TransportMode.ROAD]
    from dataclasses import replace

    transport = replace(
        base,
        modes={
            TransportMode.ROAD: replace(road, fixed_cost_per_shipment=0.0, cost_per_kg_km=0.002)
        },
    )
    options = PlanningOptions(
        time_limit_s=time_limit,
        mip_gap=gap,
        nearest_origins=nearest,
        allowed_modes=(TransportMode.ROAD,),
        baselines=False,
    )
    return PlanningProblem(
        (Product("widget", (("widget", 1.0),)),),
        (Part("widget", 5.0),),
        facilities,
        candidates,
        points,
        options=options,
        transport=transport,
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--facilities", type=int, default=2000)
    ap.add_argument("--points", type=int, default=20000)
    ap.add_argument("--nearest", type=int, default=30)
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--gap", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    t0 = time.perf_counter()
    problem = build(
        args.facilities, args.points, args.nearest, args.time_limit, args.gap, args.seed
    )
    t1 = time.perf_counter()
    result = solve(problem)
    t2 = time.perf_counter()
    out = {
        "facilities": args.facilities,
        "points": args.points,
        "nearest": args.nearest,
        "status": result.status,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "solve_seconds": round(t2 - t1, 2),
        "generate_seconds": round(t1 - t0, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "columns": result.stats.columns,
        "rows": result.stats.rows,
        "strong_rows": result.stats.strong_rows,
        "lp_bound": result.stats.lp_bound,
        "facilities_used": len(result.evaluation.facilities_used) if result.evaluation else None,
    }
    print(json.dumps(out) if args.json else "\n".join(f"{k:16} {v}" for k, v in out.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
