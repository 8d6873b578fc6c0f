"""Real orders on the demo world: the time-indexed due dates (ADR 0012) against the big-M model.

    fabnet demo --no-story            # once, with FABNET_DATA_DIR set
    FABNET_DATA_DIR=... python bench/planner_orders.py [--time-limit 20] [--gap 0.01] [--out F]

Each order is built by the planning service (matching, candidate pruning, the sourcing problem)
exactly as ``fabnet plan`` does; the problem is then solved by the planner twice in the same
run, with ``due_date_model="time_indexed"`` and ``"big_m"``, the same relative gap and time
limit, baselines included. One JSON record per (order, model) on stdout and in ``--out``.
Targets (issue 11): East Africa <= 1 % in <= 20 s, typical orders <= 1 % in <= 5 s.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

import fabnet.services.sourcing.planning as planning_service
from fabnet.engine.planning import PlanningProblem, solve
from fabnet.engine.sourcing import SourcingProblem
from fabnet.services.platform.database import open_database
from fabnet.settings import get_settings
from fabnet.standards.order_file import load_order_file

ROOT = Path(__file__).resolve().parents[1]
FACE_SHIELD = "4a88c3ec-91a5-5994-a920-80bf446fd85b"
SOLAR_LAMP = "5c9b3f32-264d-5ef6-8d4f-f4334b2ac484"


def _order(name: str, products: dict[str, str], points: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": name,
        "order_date": "2027-01-04",
        "currency": "EUR",
        "products": [{"key": k, "design": d} for k, d in products.items()],
        "delivery_points": points,
        "options": {"lateness_penalty_per_unit_day": 2},
        "matching": {"radius_km": 4000},
    }


TYPICAL: dict[str, dict[str, Any]] = {
    "west-africa-shields": _order(
        "Face shields for West African clinics",
        {"face-shield": FACE_SHIELD},
        [
            {"id": "accra", "place": "Accra, GH", "due_days": 35, "demand": {"face-shield": 300}},
            {"id": "lagos", "place": "Lagos, NG", "due_days": 35, "demand": {"face-shield": 400}},
            {"id": "dakar", "place": "Dakar, SN", "due_days": 42, "demand": {"face-shield": 200}},
            {"id": "abidjan", "place": "Abidjan, CI", "due_days": 42,
             "demand": {"face-shield": 150}},
        ],
    ),
    "europe-lamps-and-shields": _order(
        "Lamps and shields for European shelters",
        {"face-shield": FACE_SHIELD, "solar-lamp": SOLAR_LAMP},
        [
            {"id": p, "place": place, "due_days": due,
             "demand": {"face-shield": 100 + 20 * i, "solar-lamp": 30 + 5 * i}}
            for i, (p, place, due) in enumerate(
                [
                    ("berlin", "Berlin, DE", 30), ("paris", "Paris, FR", 30),
                    ("madrid", "Madrid, ES", 35), ("rome", "Rome, IT", 35),
                    ("warsaw", "Warsaw, PL", 40), ("vienna", "Vienna, AT", 40),
                    ("lisbon", "Lisbon, PT", 45), ("athens", "Athens, GR", 45),
                    ("prague", "Prague, CZ", 30), ("brussels", "Brussels, BE", 30),
                ]
            )
        ],
    ),
    "asia-lamps": _order(
        "Solar lamps for South Asian schools",
        {"solar-lamp": SOLAR_LAMP},
        [
            {"id": "delhi", "place": "New Delhi, IN", "due_days": 40, "demand": {"solar-lamp": 80}},
            {"id": "dhaka", "place": "Dhaka, BD", "due_days": 40, "demand": {"solar-lamp": 60}},
            {"id": "kathmandu", "place": "Kathmandu, NP", "due_days": 50,
             "demand": {"solar-lamp": 40}},
        ],
    ),
}


def build_problem(order_file: Path) -> PlanningProblem:
    """The planning problem ``fabnet plan ORDER_FILE`` would solve (service up to the solver)."""
    captured: list[PlanningProblem] = []

    class _Built(Exception):
        pass

    def capture(sourcing: SourcingProblem) -> Any:
        captured.append(sourcing.problem)
        raise _Built

    original = planning_service.solve_sourcing
    planning_service.solve_sourcing = capture  # type: ignore[assignment]
    try:
        db = open_database(get_settings())
        planning_service.plan_order(db, load_order_file(order_file), base_dir=order_file.parent)
    except _Built:
        pass
    finally:
        planning_service.solve_sourcing = original
    if not captured:
        raise RuntimeError(f"{order_file}: the service built no problem")
    return captured[0]


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the planner solves its MIPs
    in forked children that it can stop at the deadline)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def run(
    name: str, problem: PlanningProblem, model: str, limit: float, gap: float
) -> dict[str, Any]:
    options = replace(problem.options, due_date_model=model, time_limit_s=limit, mip_gap=gap)
    wall, cpu = time.perf_counter(), _cpu()
    result = solve(replace(problem, options=options))  # type: ignore[arg-type]
    return {
        "order": name,
        "model": model,
        "time_limit_s": limit,
        "mip_gap": gap,
        "status": result.status,
        "objective": result.objective,
        "plan_cost": result.costs.total if result.costs else None,
        "lateness": result.costs.lateness if result.costs else None,
        "bound": result.bound,
        "gap": result.gap,
        "seconds": round(time.perf_counter() - wall, 2),
        "cpu_seconds": round(_cpu() - cpu, 2),
        "columns": result.stats.columns,
        "rows": result.stats.rows,
        "candidates": len(problem.candidates),
        "assembly_candidates": len(problem.assembly_candidates),
        "delivery_points": len(problem.delivery_points),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=20.0)
    ap.add_argument("--gap", type=float, default=0.01)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--only", default=None, help="comma-separated orders to run (default: all)")
    args = ap.parse_args()
    orders: dict[str, Path] = {"east-africa": ROOT / "src/fabnet/data/orders/east-africa.yaml"}
    with tempfile.TemporaryDirectory() as tmp:
        for key, spec in TYPICAL.items():
            path = Path(tmp) / f"{key}.yaml"
            path.write_text(yaml.safe_dump(spec, sort_keys=False))
            orders[key] = path
        wanted = set(args.only.split(",")) if args.only else set(orders)
        problems = {k: build_problem(p) for k, p in orders.items() if k in wanted}
    records = []
    for name, problem in problems.items():
        for model in ("time_indexed", "big_m"):
            record = run(name, problem, model, args.time_limit, args.gap)
            records.append(record)
            print(json.dumps(record), flush=True)
    if args.out:
        with args.out.open("a") as f:
            for r in records:
                f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
