"""Readers for capacitated facility location benchmarks, mapped onto the planner's own problem.

Formats (whitespace-separated numbers):

* OR-Library ``cap*`` (Beasley 1988): ``m n``; m lines ``capacity fixed_cost``; per customer its
  ``demand`` then m costs of allocating ALL its demand to each warehouse. ``capa/b/c`` carry the
  word ``capacity`` in place of the capacity, substituted with the value given.
* ``sscflp`` Lib_2/Lib_3 (Holmberg et al. 1999; OR-Library as single source): ``m n``; m lines
  ``capacity fixed_cost``; n demands; an m x n cost matrix (facility rows).
* ``sscflp`` Lib_1 (Delmaire et al.): ``n m``; an n x m cost matrix (customer rows); n demands;
  m fixed costs; m capacities.
* ``sscflp`` Lib_4 (Yang et al.): like Lib_2.
* ``sscflp`` Lib_5 (Avella & Boccia TBED1): ``m n``; n demands; m capacities; m fixed costs;
  an m x n matrix of costs per unit of demand (facility rows), read as whole-assignment
  costs (unit cost x demand). Its published values are multi-source (CFLP) optima.

Allocation costs are totals for a customer's whole demand; the mapping turns them into per-unit
lane costs (cost / demand) so that the planner's fractions times demand reproduce them exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from fabnet.errors import InputError

from .problem import (
    Candidate,
    DeliveryPoint,
    Facility,
    LaneTable,
    Part,
    PlanningOptions,
    PlanningProblem,
    Product,
)

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class CflpInstance:
    name: str
    capacity: F64  # m
    fixed_cost: F64  # m
    demand: F64  # n
    cost: F64  # m x n: cost of serving customer j's whole demand from facility i


def _numbers(path: Path, capacity: float | None) -> list[float]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").replace("\x00", " ")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=str(path)) from exc
    if "capacity" in text:
        if capacity is None:
            raise InputError(
                "this template has the word 'capacity' in place of capacities",
                source=str(path),
                hint="pass the capacity value, e.g. 8000 for capa",
            )
        text = text.replace("capacity", f" {capacity} ")
    try:
        return [float(t) for t in text.split()]
    except ValueError as exc:
        raise InputError(
            f"not a whitespace-separated number list: {exc}", source=str(path)
        ) from exc


def _take(values: list[float], pos: int, n: int, path: Path) -> tuple[F64, int]:
    if pos + n > len(values):
        raise InputError(
            f"file ends early: expected {pos + n} numbers, found {len(values)}", source=str(path)
        )
    return np.array(values[pos : pos + n], dtype=np.float64), pos + n


def read_orlib_cap(path: Path, capacity: float | None = None) -> CflpInstance:
    """An OR-Library ``cap*`` file (``capacity`` substitutes the template word in capa/b/c)."""
    v = _numbers(path, capacity)
    m, n = int(v[0]), int(v[1])
    fac, pos = _take(v, 2, 2 * m, path)
    block, pos = _take(v, pos, n * (m + 1), path)
    block = block.reshape(n, m + 1)
    name = path.stem if capacity is None else f"{path.stem}-{capacity:g}"
    return CflpInstance(
        name, fac[0::2], fac[1::2], block[:, 0], np.ascontiguousarray(block[:, 1:].T)
    )


def read_sscflp(path: Path, library: str | None = None) -> CflpInstance:
    """A file of the sscflp collection; ``library`` (``Lib_2`` ...) defaults to the folder."""
    lib = library or path.parent.name
    v = _numbers(path, None)
    name = f"{lib}/{path.name}"
    if lib.startswith(("Lib_2", "Lib_3", "Lib_4")):
        m, n = int(v[0]), int(v[1])
        fac, pos = _take(v, 2, 2 * m, path)
        demand, pos = _take(v, pos, n, path)
        cost, pos = _take(v, pos, m * n, path)
        return CflpInstance(name, fac[0::2], fac[1::2], demand, cost.reshape(m, n))
    if lib.startswith("Lib_1"):
        n, m = int(v[0]), int(v[1])
        cost, pos = _take(v, 2, n * m, path)
        demand, pos = _take(v, pos, n, path)
        fixed, pos = _take(v, pos, m, path)
        capacity, pos = _take(v, pos, m, path)
        return CflpInstance(
            name, capacity, fixed, demand, np.ascontiguousarray(cost.reshape(n, m).T)
        )
    if lib.startswith("Lib_5"):
        m, n = int(v[0]), int(v[1])
        demand, pos = _take(v, 2, n, path)
        capacity, pos = _take(v, pos, m, path)
        fixed, pos = _take(v, pos, m, path)
        cost, pos = _take(v, pos, m * n, path)
        # TBED1 costs are per unit of demand (facility rows): whole-assignment cost = unit x
        # demand. Read so, the multi-source optima of the "os" file are reproduced (p1, p10)
        per_unit = cost.reshape(m, n)
        return CflpInstance(
            name, capacity, fixed, demand, np.ascontiguousarray(per_unit * demand[None, :])
        )
    raise InputError(
        f"unknown sscflp library {lib!r}", source=str(path), hint="expected Lib_1 .. Lib_5"
    )


def read_capopt(path: Path) -> dict[str, float]:
    """OR-Library ``capopt.txt``: name -> optimum (capa-8000 style names for the templates)."""
    optima: dict[str, float] = {}
    current = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\s*(cap\w+)?\s+([0-9.]+)\s*(?:\(capacity\s+(\d+)\))?\s*$", line)
        if not m:
            continue
        if m.group(1):
            current = m.group(1)
        name = f"{current}-{m.group(3)}" if m.group(3) else current
        optima[name] = float(m.group(2))
    return optima


def read_os(path: Path) -> list[float]:
    """An ``os`` file: one optimal value per line, in the order p1, p2, ..."""
    return [float(t) for t in path.read_text(encoding="utf-8").split()]


def to_planning_problem(
    instance: CflpInstance,
    single_source: bool = False,
    *,
    time_limit_s: float = 600.0,
    mip_gap: float = 1e-9,
    threads: int = 1,
) -> PlanningProblem:
    """One product made of one part; facilities with capacity and setup (fixed) cost; customers
    as delivery points; allocation cost per unit = cost_ij / demand_j as explicit lanes."""
    m = instance.cost.shape[0]
    part = Part(id="item")
    product = Product(id="item", bom=(("item", 1.0),))
    facilities = tuple(Facility(id=f"f{i + 1}", lat=0.0, lon=0.0) for i in range(m))
    candidates = tuple(
        Candidate(
            part_id="item",
            facility_id=f"f{i + 1}",
            unit_cost=0.0,
            setup_cost=float(instance.fixed_cost[i]),
            capacity=float(instance.capacity[i]),
        )
        for i in range(m)
    )
    served = np.flatnonzero(instance.demand > 0)
    points = tuple(
        DeliveryPoint(
            id=f"c{j + 1}", lat=0.0, lon=0.0, demand=(("item", float(instance.demand[j])),)
        )
        for j in served
    )
    fi, dj = np.meshgrid(np.arange(m), np.arange(len(served)), indexing="ij")
    per_unit = instance.cost[:, served] / instance.demand[served][None, :]
    lanes = LaneTable(
        facility_index=fi.ravel(),
        delivery_point_index=dj.ravel(),
        cost_per_unit=per_unit.ravel(),
        days=np.zeros(m * len(served)),
        co2e_kg_per_unit=np.zeros(m * len(served)),
    )
    options = PlanningOptions(
        single_sourcing=single_source,
        time_limit_s=time_limit_s,
        mip_gap=mip_gap,
        baselines=False,
        threads=threads,
    )
    return PlanningProblem(
        products=(product,),
        parts=(part,),
        facilities=facilities,
        candidates=candidates,
        delivery_points=points,
        options=options,
        transport=None,
        lanes=lanes,
    )
