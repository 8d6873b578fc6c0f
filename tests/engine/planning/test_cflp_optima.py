"""The planner reproduces published optima of OR-Library / sscflp facility location instances."""

from __future__ import annotations

import pytest
from tests.shared_data import SHARED_DATA, require_shared

from fabnet.engine.planning.cflp import (
    read_capopt,
    read_orlib_cap,
    read_os,
    read_sscflp,
    to_planning_problem,
)
from fabnet.engine.planning.solver import solve

DATA = SHARED_DATA / "benchmarks" / "cflp"
ORLIB = require_shared(DATA / "orlib_cap")
SMALL = sorted((p.stem for p in ORLIB.glob("cap[0-9]*.txt")), key=lambda s: int(s[3:]))


def test_all_37_small_instances_are_listed() -> None:
    assert len(SMALL) == 37


@pytest.mark.parametrize("name", SMALL)
def test_small_orlib_optimum(name: str) -> None:
    optimum = read_capopt(ORLIB / "capopt.txt")[name]
    instance = read_orlib_cap(ORLIB / f"{name}.txt")
    result = solve(to_planning_problem(instance, time_limit_s=120))
    assert result.status == "optimal"
    assert result.objective is not None
    assert abs(result.objective - optimum) / optimum <= 1e-6
    # the reported plan costs what the solver says: setup + allocation
    assert result.costs is not None
    assert result.costs.total == pytest.approx(result.objective, rel=1e-6)


@pytest.mark.parametrize(
    ("library", "index"),
    [("Lib_2", k) for k in (1, 2, 3, 20, 40, 60)] + [("Lib_1", 1), ("Lib_1", 2), ("Lib_3_1", 1)],
)
def test_single_source_optimum(library: str, index: int) -> None:
    folder = DATA / "sscflp" / library
    optimum = read_os(folder / "os")[index - 1]
    instance = read_sscflp(folder / f"p{index}")
    result = solve(to_planning_problem(instance, single_source=True, time_limit_s=120))
    assert result.status == "optimal"
    assert result.objective is not None
    assert abs(result.objective - optimum) / optimum <= 1e-6
    # single source: every customer is served by exactly one facility
    origins: dict[str, set[str]] = {}
    for flow in result.flows:
        origins.setdefault(flow.destination_id, set()).add(flow.origin_facility_id)
    assert all(len(v) == 1 for v in origins.values())


def test_capa_template_needs_a_capacity() -> None:
    from fabnet.errors import InputError

    with pytest.raises(InputError, match="capacity"):
        read_orlib_cap(ORLIB / "capa.txt")


def test_capopt_reader_knows_the_templates() -> None:
    optima = read_capopt(ORLIB / "capopt.txt")
    assert optima["capa-8000"] == pytest.approx(19240822.449)
    assert optima["capc-7250"] == pytest.approx(11505767.394)
    assert len(optima) == 37 + 12


def test_tbed1_reader_takes_demands_capacities_fixed_costs_then_costs() -> None:
    folder = DATA / "sscflp" / "Lib_5_1"
    instance = read_sscflp(folder / "p1")
    assert instance.demand.shape == (300,) and instance.capacity.shape == (300,)
    assert instance.cost.shape == (300, 300)
    # the first numbers after "m n" are the customers' demands (26, 24, 21 ...)
    assert instance.demand[:3].tolist() == [26.0, 24.0, 21.0]
    # read in the file's order the instance is feasible: capacity covers demand
    assert instance.capacity.sum() >= instance.demand.sum()
    assert (instance.fixed_cost > 0).all()


def test_tbed1_costs_are_per_unit_and_reproduce_the_published_multi_source_optimum() -> None:
    folder = DATA / "sscflp" / "Lib_5_1"
    instance = read_sscflp(folder / "p10")
    # the file's first unit cost (facility 0, customer 0) is 3.676955, the first demand 11
    assert instance.demand[0] == 11.0
    assert instance.cost[0, 0] == pytest.approx(3.676955 * 11.0)
    optimum = read_os(folder / "os")[9]  # 11,232.77, published to two decimals
    result = solve(to_planning_problem(instance, time_limit_s=300))
    assert result.status == "optimal"
    assert result.objective is not None
    assert abs(result.objective - optimum) <= 0.01
