"""Benchmark suite for the planner on CFLP instances (results as JSON lines + a summary).

    python bench/cflp_suite.py big [--solver fabnet|textbook|both] [--time-limit S] [--gap G]
        [--out FILE]
    python bench/cflp_suite.py holmberg [--time-limit S]       # 71 single-source instances
    python bench/cflp_suite.py sscflp LIB [--time-limit S] [--multi-source]
        # another library; TBED1 (Lib_5_1) publishes multi-source optima: --multi-source
    python bench/cflp_suite.py summary FILE...                  # aggregate JSON lines

Each instance runs in its own process (bench/cflp.py), so timings include model building.
``--solver both`` runs the textbook HiGHS model and fabnet on each instance in turn (side by side
in the same run, under the same machine load) and ends with the ratio of the totals.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "benchmarks" / "cflp"
BIG = (
    [("capa", c) for c in (8000, 10000, 12000, 14000)]
    + [("capb", c) for c in (5000, 6000, 7000, 8000)]
    + [("capc", c) for c in (5000, 5750, 6500, 7250)]
)


def run_one(path: str, extra: list[str], time_limit: float, gap: float = 1e-7) -> dict[str, object]:
    cmd = [
        sys.executable,
        str(HERE / "cflp.py"),
        path,
        "--json",
        "--time-limit",
        str(time_limit),
        "--gap",
        str(gap),
        *extra,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=time_limit * 3 + 120)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode or not lines:
        return {"instance": path, "status": "error", "stderr": proc.stderr[-2000:]}
    out: dict[str, object] = json.loads(lines[-1])
    return out


def emit(out_file: Path | None, record: dict[str, object]) -> None:
    line = json.dumps(record)
    print(line, flush=True)
    if out_file:
        with out_file.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")


def optimum_big(name: str, capacity: int) -> float:
    from fabnet.engine.planning.cflp import read_capopt

    return read_capopt(DATA / "orlib_cap" / "capopt.txt")[f"{name}-{capacity}"]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["big", "holmberg", "sscflp", "summary"])
    ap.add_argument("rest", nargs="*")
    ap.add_argument("--solver", default="fabnet", choices=["fabnet", "textbook", "both"])
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument(
        "--gap", type=float, default=1e-7, help="relative MIP gap of both solvers (HiGHS: 1e-4)"
    )
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument(
        "--multi-source", action="store_true", help="sscflp: solve without single sourcing"
    )
    args = ap.parse_args()
    if args.what == "big":
        solvers = ["textbook", "fabnet"] if args.solver == "both" else [args.solver]
        totals = dict.fromkeys(solvers, 0.0)
        proven = dict.fromkeys(solvers, 0)
        for name, cap in BIG:
            for solver in solvers:
                extra = ["--textbook"] if solver == "textbook" else []
                rec = run_one(
                    f"{DATA / 'orlib_cap' / name}.txt:{cap}", extra, args.time_limit, args.gap
                )
                rec["mip_gap"] = args.gap
                rec["load"] = round(os.getloadavg()[0], 1)
                rec["optimum"] = optimum_big(name, cap)
                if isinstance(rec.get("objective"), float):
                    rec["rel_diff"] = abs(rec["objective"] - rec["optimum"]) / rec["optimum"]
                totals[solver] += float(str(rec.get("seconds", args.time_limit)))
                proven[solver] += rec.get("status") == "optimal"
                emit(args.out, rec)
        if len(solvers) == 2:
            # a textbook run stopped by the time limit counts with its limit: the ratio is a
            # lower bound on the true speed-up
            emit(
                args.out,
                {
                    "summary": "side by side",
                    "textbook_seconds": round(totals["textbook"], 1),
                    "textbook_proven": proven["textbook"],
                    "fabnet_seconds": round(totals["fabnet"], 1),
                    "fabnet_proven": proven["fabnet"],
                    "ratio_at_least": round(totals["textbook"] / max(totals["fabnet"], 1e-9), 2),
                    "time_limit": args.time_limit,
                    "mip_gap": args.gap,
                },
            )
    elif args.what in ("holmberg", "sscflp"):
        lib = "Lib_2" if args.what == "holmberg" else args.rest[0]
        folder = DATA / "sscflp" / lib
        optima = [float(t) for t in (folder / "os").read_text().split()]
        for k, opt in enumerate(optima, start=1):
            extra = [] if args.multi_source else ["--single-source"]
            rec = run_one(str(folder / f"p{k}"), extra, args.time_limit, args.gap)
            rec["optimum"] = opt
            rec["single_source"] = not args.multi_source
            rec["load"] = round(os.getloadavg()[0], 1)
            if isinstance(rec.get("objective"), float):
                rec["rel_diff"] = abs(rec["objective"] - opt) / opt
            emit(args.out, rec)
    else:
        for f in args.rest:
            recs = [json.loads(x) for x in Path(f).read_text().splitlines() if x.strip()]
            recs = [r for r in recs if "summary" not in r]
            secs = [float(r.get("seconds", 0)) for r in recs]
            at_opt = sum(1 for r in recs if r.get("rel_diff", 1) <= 1e-6)
            proven = sum(1 for r in recs if r.get("status") == "optimal")
            print(
                f"{f}: {len(recs)} instances, total {sum(secs):.1f} s, max {max(secs):.1f} s, "
                f"at published optimum {at_opt}, proven optimal {proven}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
