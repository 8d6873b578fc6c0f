"""Solve one capacitated facility location instance with the fabnet planner (or the textbook model).

    python bench/cflp.py PATH [--capacity C] [--single-source] [--time-limit S] [--textbook] --json

PATH is an OR-Library ``cap*`` file (capa/b/c need ``--capacity``, or a name like
``capa.txt:8000``) or a file of the sscflp collection (library taken from its folder name).
Prints {"instance", "objective", "bound", "status", "seconds"} (plus details) as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path

import highspy
import numpy as np
import scipy.sparse as sp

from fabnet.engine.planning.cflp import (
    CflpInstance,
    read_orlib_cap,
    read_sscflp,
    to_planning_problem,
)
from fabnet.engine.planning.solver import solve


@contextlib.contextmanager
def quiet_stdout():  # type: ignore[no-untyped-def]
    """HiGHS prints a banner on its first instance; keep stdout clean for --json."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def load(path_arg: str, capacity: float | None) -> CflpInstance:
    if ":" in path_arg and capacity is None:
        path_arg, cap = path_arg.rsplit(":", 1)
        capacity = float(cap)
    path = Path(path_arg)
    if path.parent.name.startswith("Lib_"):
        return read_sscflp(path)
    return read_orlib_cap(path, capacity)


def solve_fabnet(
    inst: CflpInstance, single_source: bool, time_limit: float, gap: float
) -> dict[str, object]:
    problem = to_planning_problem(inst, single_source, time_limit_s=time_limit, mip_gap=gap)
    start = time.perf_counter()
    result = solve(problem, log=bool(os.environ.get("FABNET_BENCH_LOG")))
    seconds = time.perf_counter() - start
    return {
        "instance": inst.name,
        "objective": result.objective,
        "bound": result.bound,
        "status": result.status,
        "seconds": round(seconds, 3),
        "solver": "fabnet",
        "gap": result.gap,
        "lp_bound": result.stats.lp_bound,
        "strong_rows": result.stats.strong_rows,
    }


def solve_textbook(
    inst: CflpInstance, single_source: bool, time_limit: float, gap: float
) -> dict[str, object]:
    """y_i binary, x_ij in [0,1] (binary if single source); demand rows; aggregated capacity
    rows; x_ij <= y_i for EVERY pair; HiGHS with default settings on one thread."""
    m, n = inst.cost.shape
    start = time.perf_counter()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", time_limit)
    h.setOptionValue("mip_rel_gap", gap)
    nx = m * n  # x index = i * n + j
    cost = np.concatenate([inst.fixed_cost, inst.cost.ravel()])
    h.addCols(
        m + nx,
        cost,
        np.zeros(m + nx),
        np.ones(m + nx),
        0,
        np.zeros(0, np.int32),
        np.zeros(0, np.int32),
        np.zeros(0),
    )
    i_idx, j_idx = np.meshgrid(np.arange(m), np.arange(n), indexing="ij")
    x = m + (i_idx * n + j_idx).ravel()
    rows = [
        # demand: sum_i x_ij = 1
        (j_idx.ravel(), x, np.ones(nx), np.ones(n), np.ones(n)),
        # capacity: sum_j d_j x_ij - s_i y_i <= 0
        (
            np.concatenate([i_idx.ravel(), np.arange(m)]),
            np.concatenate([x, np.arange(m)]),
            np.concatenate([np.tile(inst.demand, m), -inst.capacity]),
            np.full(m, -np.inf),
            np.zeros(m),
        ),
        # linking: x_ij - y_i <= 0
        (
            np.concatenate([np.arange(nx), np.arange(nx)]),
            np.concatenate([x, i_idx.ravel()]),
            np.concatenate([np.ones(nx), -np.ones(nx)]),
            np.full(nx, -np.inf),
            np.zeros(nx),
        ),
    ]
    for r, c, v, lo, up in rows:
        mat = sp.csr_matrix((v, (r, c)), shape=(len(lo), m + nx))
        h.addRows(
            len(lo),
            lo,
            up,
            mat.nnz,
            mat.indptr[:-1].astype(np.int32),
            mat.indices.astype(np.int32),
            mat.data,
        )
    integer = np.arange(m + nx if single_source else m, dtype=np.int32)
    h.changeColsIntegrality(
        len(integer), integer, np.full(len(integer), highspy.HighsVarType.kInteger)
    )
    h.run()
    info = h.getInfo()
    status = h.getModelStatus()
    name = (
        "optimal"
        if status == highspy.HighsModelStatus.kOptimal
        else "time_limit"
        if status == highspy.HighsModelStatus.kTimeLimit
        else str(status)
    )
    has = info.primal_solution_status == 2
    return {
        "instance": inst.name,
        "objective": float(info.objective_function_value) if has else None,
        "bound": float(info.mip_dual_bound),
        "status": name,
        "seconds": round(time.perf_counter() - start, 3),
        "solver": "textbook-highs",
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path")
    ap.add_argument("--capacity", type=float, default=None)
    ap.add_argument("--single-source", action="store_true")
    ap.add_argument("--time-limit", type=float, default=600.0)
    ap.add_argument("--gap", type=float, default=1e-7, help="relative MIP gap (default 1e-7)")
    ap.add_argument("--textbook", action="store_true", help="solve the textbook model instead")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    inst = load(args.path, args.capacity)
    with quiet_stdout():
        runner = solve_textbook if args.textbook else solve_fabnet
        out = runner(inst, args.single_source, args.time_limit, args.gap)
    if args.json:
        print(json.dumps(out))
    else:
        for key, value in out.items():
            print(f"{key:12} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
