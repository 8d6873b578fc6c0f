"""Lagrangian branch and bound for facility-location-shaped plans, checked against the textbook
capacitated facility location MILP solved directly with HiGHS.

The reference formulation (per facility i, customer j): ``x_ij`` in [0, 1] (share of j's demand
served by i), ``y_i`` binary, ``sum_i x_ij (+ s_j) = 1``, ``sum_j d_j x_ij <= cap_i y_i``,
``x_ij <= y_i``; cost ``sum c_ij x_ij + sum f_i y_i (+ penalty d_j s_j)``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from functools import cache

import highspy
import numpy as np
import pytest
import scipy.sparse as sp
from numpy.typing import NDArray
from tests.shared_data import SHARED_DATA

from fabnet.engine.planning import (
    Candidate,
    DeliveryPoint,
    Facility,
    LaneTable,
    Part,
    PlanningOptions,
    PlanningProblem,
    Product,
    solve,
)
from fabnet.engine.planning.builder import ModelBuilder
from fabnet.engine.planning.cflp import (
    CflpInstance,
    read_capopt,
    read_orlib_cap,
    to_planning_problem,
)
from fabnet.engine.planning.lagrangian import (
    Allocator,
    LocationView,
    Plan,
    _Cover,
    initial_multipliers,
    location_view,
    relax,
    restrict,
    solve_location,
)
from fabnet.engine.planning.model import Columns, build_model
from fabnet.engine.planning.network import compile_network

F64 = NDArray[np.float64]
B1 = NDArray[np.bool_]

ORLIB = SHARED_DATA / "benchmarks" / "cflp" / "orlib_cap"
SIZES = ((8, 30), (10, 40), (12, 50), (15, 60))
SEEDS = tuple(range(20))


# --------------------------------------------------------------------------- instances


def random_instance(
    seed: int, m: int, n: int, ratio: float, equal: bool, fixed_scale: float = 1.0
) -> CflpInstance:
    """Facilities and customers in the unit square; allocation cost = distance x demand x 10;
    total capacity = ``ratio`` x total demand (equal or unequal shares)."""
    rng = np.random.default_rng(seed)
    demand = rng.integers(5, 50, n).astype(np.float64)
    fx, fy = rng.random(m), rng.random(m)
    cx, cy = rng.random(n), rng.random(n)
    dist = np.hypot(fx[:, None] - cx[None, :], fy[:, None] - cy[None, :])
    cost = np.round(dist * demand[None, :] * 10.0, 3)
    weight = np.ones(m) if equal else rng.uniform(0.5, 1.5, m)
    capacity = np.ceil(weight / weight.sum() * ratio * demand.sum())
    fixed = np.round(rng.uniform(0.5, 1.5, m) * fixed_scale * cost.mean() * n / m, 2)
    return CflpInstance(f"random-{seed}", capacity, fixed, demand, cost)


def instance_for(seed: int) -> CflpInstance:
    """The 20 instances of the bound and optimum tests: 8x30 .. 15x60, total capacity 1.1 ..
    2.0 x demand, equal (even seeds) and unequal (odd seeds) capacities."""
    m, n = SIZES[seed % 4]
    ratio = 1.1 + 0.9 * (seed % 5) / 4
    return random_instance(seed, m, n, ratio, seed % 2 == 0, (0.5, 1.0, 2.0)[seed % 3])


@dataclass(frozen=True)
class Reference:
    objective: float
    opened: B1
    shortfall: float  # units of demand left unserved


def reference(
    inst: CflpInstance,
    *,
    penalty: float | None = None,
    single_source: bool = False,
    max_open: int | None = None,
    relax_setups: bool = False,
) -> Reference | None:
    """The textbook MILP (or its LP with ``relax_setups``) solved by HiGHS; None if infeasible."""
    m, n = inst.cost.shape
    nx = m * n
    ns = n if penalty is not None else 0
    i_of = np.repeat(np.arange(m), n)
    j_of = np.tile(np.arange(n), m)
    # capacities above the total demand are equivalent to the total demand
    capacity = np.minimum(inst.capacity, inst.demand.sum())
    cost = np.concatenate([inst.cost.ravel(), inst.fixed_cost, (penalty or 0.0) * inst.demand[:ns]])
    rows = [j_of, n + i_of, n + np.arange(m), n + m + np.arange(nx), n + m + np.arange(nx)]
    cols = [np.arange(nx), np.arange(nx), nx + np.arange(m), np.arange(nx), nx + i_of]
    vals = [np.ones(nx), inst.demand[j_of], -capacity, np.ones(nx), -np.ones(nx)]
    if ns:
        rows.append(np.arange(n))
        cols.append(nx + m + np.arange(ns))
        vals.append(np.ones(ns))
    n_rows = n + m + nx
    lower = np.concatenate([np.ones(n), np.full(m + nx, -np.inf)])
    upper = np.concatenate([np.ones(n), np.zeros(m + nx)])
    if max_open is not None:
        rows.append(np.full(m, n_rows))
        cols.append(nx + np.arange(m))
        vals.append(np.ones(m))
        lower = np.append(lower, -np.inf)
        upper = np.append(upper, float(max_open))
        n_rows += 1
    n_cols = nx + m + ns
    a = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_rows, n_cols),
    )
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("mip_rel_gap", 1e-10)
    h.setOptionValue("mip_abs_gap", 1e-9)
    h.setOptionValue("time_limit", 120.0)
    h.addCols(
        n_cols,
        cost,
        np.zeros(n_cols),
        np.ones(n_cols),
        0,
        np.zeros(0, np.int32),
        np.zeros(0, np.int32),
        np.zeros(0),
    )
    h.addRows(
        n_rows,
        lower,
        upper,
        a.nnz,
        a.indptr[:-1].astype(np.int32),
        a.indices.astype(np.int32),
        a.data,
    )
    if not relax_setups:
        integer = np.arange(nx + m) if single_source else np.arange(nx, nx + m)
        h.changeColsIntegrality(
            len(integer),
            integer.astype(np.int32),
            np.full(len(integer), highspy.HighsVarType.kInteger),
        )
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return None
    assert status == highspy.HighsModelStatus.kOptimal, f"reference MILP: {status}"
    value = np.asarray(h.getSolution().col_value)
    return Reference(
        float(h.getInfo().objective_function_value),
        value[nx : nx + m] > 0.5,
        float(value[nx + m :] @ inst.demand[:ns]) if ns else 0.0,
    )


def lp_demand_duals(inst: CflpInstance, opened: B1 | None = None) -> tuple[float, F64]:
    """Textbook LP bound and the duals of its demand rows (a natural multiplier vector); with
    ``opened``, the setups are fixed to it (the LP is then the best allocation)."""
    m, n = inst.cost.shape
    nx = m * n
    i_of = np.repeat(np.arange(m), n)
    j_of = np.tile(np.arange(n), m)
    capacity = np.minimum(inst.capacity, inst.demand.sum())
    a = sp.csr_matrix(
        (
            np.concatenate([np.ones(nx), inst.demand[j_of], -capacity, np.ones(nx), -np.ones(nx)]),
            (
                np.concatenate(
                    [j_of, n + i_of, n + np.arange(m), n + m + np.arange(nx), n + m + np.arange(nx)]
                ),
                np.concatenate(
                    [np.arange(nx), np.arange(nx), nx + np.arange(m), np.arange(nx), nx + i_of]
                ),
            ),
        ),
        shape=(n + m + nx, nx + m),
    )
    lower = np.zeros(nx + m)
    upper = np.ones(nx + m)
    if opened is not None:
        lower[nx:] = upper[nx:] = opened.astype(np.float64)
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.addCols(
        nx + m,
        np.concatenate([inst.cost.ravel(), inst.fixed_cost]),
        lower,
        upper,
        0,
        np.zeros(0, np.int32),
        np.zeros(0, np.int32),
        np.zeros(0),
    )
    h.addRows(
        n + m + nx,
        np.concatenate([np.ones(n), np.full(m + nx, -np.inf)]),
        np.concatenate([np.ones(n), np.zeros(m + nx)]),
        a.nnz,
        a.indptr[:-1].astype(np.int32),
        a.indices.astype(np.int32),
        a.data,
    )
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    duals = np.asarray(h.getSolution().row_dual, dtype=np.float64)[:n]
    return float(h.getInfo().objective_function_value), duals


@cache
def reference_for(seed: int) -> Reference:
    ref = reference(instance_for(seed))
    assert ref is not None
    return ref


@dataclass(frozen=True)
class Built:
    builder: ModelBuilder
    cols: Columns
    view: LocationView | None


def build(problem: PlanningProblem) -> Built:
    net = compile_network(problem)
    builder, cols = build_model(net)
    return Built(builder, cols, location_view(net, builder, cols))


def eligible_view(problem: PlanningProblem) -> tuple[Built, LocationView]:
    built = build(problem)
    assert built.view is not None, "a facility-location model must have a location view"
    return built, built.view


def with_options(problem: PlanningProblem, **changes: object) -> PlanningProblem:
    return replace(problem, options=replace(problem.options, **changes))  # type: ignore[arg-type]


def assert_valid_plan(built: Built, plan: Plan) -> None:
    """The plan is a point of the full model: rows and column bounds hold, setups are 0/1,
    and its objective is what its columns cost."""
    b = built.builder
    values = plan.values
    cost, lower, upper, _ = b.column_arrays()
    assert values.shape == (b.n_cols,)
    assert np.all(values >= lower - 1e-9) and np.all(values <= upper + 1e-9)
    z = values[built.cols.z_cand]
    assert np.all((z == 0.0) | (z == 1.0)), "setups must be exactly 0 or 1"
    a = b.matrix()
    activity = a @ values
    scale = 1.0 + abs(a) @ np.abs(values)
    row_lower, row_upper = b.row_bounds()
    tol = 1e-6 * scale
    assert np.all(activity >= row_lower - tol), "a row's lower bound is violated"
    assert np.all(activity <= row_upper + tol), "a row's upper bound is violated"
    assert float(cost @ values) == pytest.approx(plan.objective, rel=1e-9, abs=1e-9)


def rel_diff(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-9)


# --------------------------------------------------------------------------- 1. bounds


@pytest.mark.parametrize("seed", SEEDS)
def test_relaxation_never_exceeds_the_textbook_optimum(seed: int) -> None:
    inst = instance_for(seed)
    ref = reference_for(seed)
    opt = ref.objective
    _, view = eligible_view(to_planning_problem(inst))
    assert view.n_pairs == len(inst.demand)
    cover = _Cover(view)
    none = np.zeros(view.n_setups, bool)
    rng = np.random.default_rng(1000 + seed)
    u0 = initial_multipliers(view)
    lp_bound, u_lp = lp_demand_duals(inst)
    spread = float(np.mean(np.abs(u_lp)))
    multipliers = [u0, 0.0 * u0, 0.5 * u0, 2.0 * u0, 10.0 * u0, -u0, u_lp, 1.01 * u_lp]
    multipliers += [u0 * rng.uniform(0.3, 3.0, len(u0)) for _ in range(10)]
    multipliers += [u_lp + rng.normal(0.0, 0.05 * spread, len(u0)) for _ in range(10)]
    tol = 1e-6 * abs(opt)

    bounds = [relax(view, u, cover, none, none).bound for u in multipliers]
    assert max(bounds) <= opt + tol, f"bound {max(bounds)} above the optimum {opt}"
    # at the LP's own demand duals the relaxation is at least the textbook LP bound
    assert bounds[6] >= lp_bound - 1e-6 * abs(lp_bound)

    # a plain subgradient walk from the LP duals (Polyak steps aimed at the optimum) visits
    # many multipliers near the best ones: no bound on the way may cross the optimum
    u = u_lp.copy()
    best = -np.inf
    for _ in range(150):
        rel = relax(view, u, cover, none, none)
        assert rel.bound <= opt + tol, f"bound {rel.bound} above the optimum {opt}"
        best = max(best, rel.bound)
        g = 1.0 - rel.served - rel.shortfall
        norm = float(g @ g)
        if norm < 1e-12:
            break
        u = u + 0.5 * (opt - rel.bound) / norm * g
    assert best >= lp_bound - 1e-6 * abs(lp_bound)

    # with the optimal setups fixed, the duals of the optimal allocation make the bound the
    # optimum itself: tight, and not a hair above it
    allocation, u_star = lp_demand_duals(inst, ref.opened)
    assert allocation == pytest.approx(opt, rel=1e-9)
    tight = relax(view, u_star, cover, ref.opened, ~ref.opened).bound
    assert tight == pytest.approx(opt, rel=1e-7)
    assert tight <= opt + 1e-9 * opt
    assert relax(view, u_star, cover, ref.opened, none).bound <= opt + 1e-9 * opt

    # fixings the optimal plan agrees with keep the bound below the optimum
    multipliers += [u_star, 0.9 * u_star, 1.1 * u_star]
    for _ in range(5):
        fixed_open = ref.opened & (rng.random(view.n_setups) < 0.5)
        fixed_closed = ~ref.opened & (rng.random(view.n_setups) < 0.5)
        for u in multipliers[::3]:
            rel = relax(view, u, cover, fixed_open, fixed_closed)
            assert rel.bound <= opt + tol
            assert not (rel.opened & fixed_closed).any()
            assert rel.opened[fixed_open].all()


# --------------------------------------------------------------------------- 2. optimum


@pytest.mark.parametrize("seed", SEEDS)
def test_solve_location_proves_the_textbook_optimum(seed: int) -> None:
    inst = instance_for(seed)
    opt = reference_for(seed).objective
    built, view = eligible_view(to_planning_problem(inst))
    result = solve_location(view, deadline=time.perf_counter() + 60.0, mip_gap=1e-9)
    assert result.status == "optimal"
    assert result.plan is not None
    objective = result.plan.objective
    assert rel_diff(objective, opt) <= 1e-7
    assert result.bound <= objective
    assert (objective - result.bound) / objective <= 1e-6
    assert result.bound <= opt + 1e-7 * opt  # a valid bound, not just one below its own plan
    assert result.root_bound <= result.bound + 1e-9 * opt
    assert result.nodes >= 1 and result.iterations >= 1
    assert_valid_plan(built, result.plan)


# --------------------------------------------------------------------------- 3. planner


def test_planner_uses_the_lagrangian_for_facility_location() -> None:
    inst = instance_for(7)
    opt = reference_for(7).objective
    result = solve(to_planning_problem(inst, time_limit_s=60))
    assert result.status == "optimal"
    assert result.objective is not None and rel_diff(result.objective, opt) <= 1e-7
    stats = result.stats
    assert stats.lagrangian_bound is not None
    assert stats.lagrangian_bound <= result.objective + 1e-9 * opt
    assert stats.lagrangian_iterations > 0 and stats.branch_nodes >= 1
    assert result.bound is not None and result.bound <= result.objective


def test_single_sourcing_keeps_the_general_path() -> None:
    inst = random_instance(501, 8, 30, 1.5, False)
    ref = reference(inst, single_source=True)
    assert ref is not None
    problem = to_planning_problem(inst, single_source=True, time_limit_s=60)
    assert build(problem).view is None
    result = solve(problem)
    assert result.status == "optimal"
    assert result.stats.lagrangian_bound is None
    assert result.stats.lagrangian_iterations == 0 and result.stats.branch_nodes == 0
    assert result.objective is not None and rel_diff(result.objective, ref.objective) <= 1e-6
    origins: dict[str, set[str]] = {}
    for flow in result.flows:
        origins.setdefault(flow.destination_id, set()).add(flow.origin_facility_id)
    assert len(origins) == len(inst.demand)
    assert all(len(v) == 1 for v in origins.values())


def test_facility_limit_keeps_the_general_path() -> None:
    inst = random_instance(502, 8, 30, 3.0, True, fixed_scale=0.3)
    free = reference(inst)
    assert free is not None
    limit = int(free.opened.sum()) - 1
    capped = reference(inst, max_open=limit)
    assert capped is not None and capped.objective > free.objective + 1e-6  # the limit binds
    problem = with_options(to_planning_problem(inst, time_limit_s=60), max_facilities=limit)
    assert build(problem).view is None
    result = solve(problem)
    assert result.status == "optimal"
    assert result.stats.lagrangian_bound is None
    assert result.objective is not None and rel_diff(result.objective, capped.objective) <= 1e-6
    assert result.evaluation is not None
    assert len(result.evaluation.facilities_used) <= limit


def test_assembly_models_have_no_location_view(lamp_problem: PlanningProblem) -> None:
    assert build(lamp_problem).view is None


# --------------------------------------------------------------------------- 4. shortfall, parts


@pytest.mark.parametrize("penalty", [6.0, 50.0])
def test_priced_shortfall_matches_the_reference(penalty: float) -> None:
    base = random_instance(503, 10, 40, 0.8, False)
    ref = reference(base, penalty=penalty)
    assert ref is not None
    problem = with_options(
        to_planning_problem(base, time_limit_s=60), shortfall_penalty_per_unit=penalty
    )
    _, view = eligible_view(problem)
    assert len(view.s_col) == view.n_pairs and not (view.need > 0).any()
    result = solve(problem)
    assert result.status == "optimal"
    assert result.stats.lagrangian_bound is not None
    assert result.objective is not None and rel_diff(result.objective, ref.objective) <= 1e-7
    assert result.evaluation is not None
    short = sum(s.quantity for s in result.evaluation.shortfall)
    missing = float(base.demand.sum() - base.capacity.sum())
    assert short >= missing - 1e-6
    if penalty == 50.0:  # dearer than any lane: every unit of capacity is used
        assert short == pytest.approx(missing, rel=1e-7)
        assert ref.shortfall == pytest.approx(missing, rel=1e-7)
    else:
        assert short > missing + 1.0  # some demand is cheaper to leave unserved


def two_part_problem(
    seed: int, penalty: float | None, ratios: tuple[float, float]
) -> tuple[PlanningProblem, list[CflpInstance]]:
    """Two single-part products with their own candidates (facilities 5 and 6 make both),
    explicit lanes, unit costs; plus each part as its own textbook instance."""
    rng = np.random.default_rng(seed)
    n_fac, n_pts = 12, 30
    lane = np.round(rng.uniform(1.0, 10.0, (n_fac, n_pts)), 3)
    sites = {"a": np.arange(0, 7), "b": np.arange(5, 12)}
    demand = {
        p: np.where(rng.random(n_pts) < 0.8, rng.integers(5, 40, n_pts), 0).astype(float)
        for p in ("a", "b")
    }
    unit = {p: np.round(rng.uniform(0.0, 3.0, 7), 2) for p in ("a", "b")}
    weights = rng.uniform(0.5, 1.5, 7)
    capacity = {
        "a": np.ceil(weights / weights.sum() * ratios[0] * demand["a"].sum()),  # unequal
        "b": np.full(7, np.ceil(ratios[1] * demand["b"].sum() / 7)),  # equal
    }
    setup = {p: np.round(rng.uniform(100.0, 300.0, 7), 2) for p in ("a", "b")}
    candidates = tuple(
        Candidate(
            p,
            f"f{i}",
            unit_cost=float(unit[p][k]),
            setup_cost=float(setup[p][k]),
            capacity=float(capacity[p][k]),
        )
        for p in ("a", "b")
        for k, i in enumerate(sites[p])
    )
    points = tuple(
        DeliveryPoint(
            f"d{j}",
            0.0,
            0.0,
            tuple((p, float(demand[p][j])) for p in ("a", "b") if demand[p][j] > 0),
        )
        for j in range(n_pts)
    )
    fi, dj = np.meshgrid(np.arange(n_fac), np.arange(n_pts), indexing="ij")
    problem = PlanningProblem(
        products=(Product("a", (("a", 1.0),)), Product("b", (("b", 1.0),))),
        parts=(Part("a"), Part("b")),
        facilities=tuple(Facility(f"f{i}", 0.0, 0.0) for i in range(n_fac)),
        candidates=candidates,
        delivery_points=points,
        options=PlanningOptions(
            time_limit_s=60,
            mip_gap=1e-9,
            baselines=False,
            shortfall_penalty_per_unit=penalty,
        ),
        lanes=LaneTable(
            fi.ravel(),
            dj.ravel(),
            lane.ravel(),
            np.zeros(n_fac * n_pts),
            np.zeros(n_fac * n_pts),
        ),
    )
    parts = []
    for p in ("a", "b"):
        served = np.flatnonzero(demand[p] > 0)
        per_unit = lane[sites[p]][:, served] + unit[p][:, None]
        parts.append(
            CflpInstance(
                p,
                capacity[p],
                setup[p],
                demand[p][served],
                per_unit * demand[p][served][None, :],
            )
        )
    return problem, parts


@pytest.mark.parametrize(
    ("penalty", "ratios"), [(None, (1.4, 1.3)), (8.0, (0.8, 0.9))], ids=["met", "shortfall"]
)
def test_two_part_problem_matches_the_reference(
    penalty: float | None, ratios: tuple[float, float]
) -> None:
    problem, parts = two_part_problem(11, penalty, ratios)
    refs = [reference(inst, penalty=penalty) for inst in parts]
    assert all(r is not None for r in refs)
    expected = sum(r.objective for r in refs if r is not None)
    _, view = eligible_view(problem)
    if penalty is None:
        assert int((view.need > 0).sum()) == 2  # one capacity cover per part
    result = solve(problem)
    assert result.status == "optimal"
    assert result.stats.lagrangian_bound is not None
    assert result.objective is not None and rel_diff(result.objective, expected) <= 1e-7
    assert result.bound is not None and result.bound <= result.objective
    # each product comes only from candidates of its own part
    made = {(line.part_id, line.facility_id) for line in result.production}
    assert all((p == "a" and int(f[1:]) < 7) or (p == "b" and int(f[1:]) >= 5) for p, f in made)


# --------------------------------------------------------------------------- 5. restrict


def test_restricted_view_keeps_columns_and_plans_stay_valid() -> None:
    seed = 11
    inst = instance_for(seed)
    ref = reference_for(seed)
    built, view = eligible_view(to_planning_problem(inst))
    before = {k: np.copy(getattr(view, k)) for k in ("leg_col", "leg_origin", "z_col")}
    rng = np.random.default_rng(7)
    keep = ref.opened | (rng.random(view.n_setups) < 0.4)
    assert not keep.all() and keep.sum() > ref.opened.sum()
    sub = restrict(view, keep)

    assert sub.n_cols == view.n_cols and sub.n_pairs == view.n_pairs
    assert sub.n_setups == int(keep.sum())
    np.testing.assert_array_equal(sub.z_col, view.z_col[keep])
    np.testing.assert_array_equal(sub.capacity, view.capacity[keep])
    np.testing.assert_array_equal(sub.setup_cost, view.setup_cost[keep])
    # the same legs (same model columns, costs, targets, origins) minus the dropped setups'
    full = {
        int(c): (float(cost), float(q), int(t), int(view.z_col[o]))
        for c, cost, q, t, o in zip(
            view.leg_col, view.leg_cost, view.leg_qty, view.leg_target, view.leg_origin, strict=True
        )
        if keep[o]
    }
    kept = {
        int(c): (float(cost), float(q), int(t), int(sub.z_col[o]))
        for c, cost, q, t, o in zip(
            sub.leg_col, sub.leg_cost, sub.leg_qty, sub.leg_target, sub.leg_origin, strict=True
        )
    }
    assert kept == full
    for key, value in before.items():  # the full view is unchanged
        np.testing.assert_array_equal(getattr(view, key), value)

    plan = Allocator(sub).plan(np.ones(sub.n_setups, bool))
    assert plan is not None
    assert_valid_plan(built, plan)
    assert np.all(plan.values[view.z_col[~keep]] == 0.0)
    dropped_legs = view.leg_col[~keep[view.leg_origin]]
    assert np.all(plan.values[dropped_legs] == 0.0)
    assert plan.objective >= ref.objective - 1e-7 * ref.objective

    # restricted to exactly the optimal setups, the allocation is the optimal plan
    best = Allocator(restrict(view, ref.opened)).plan(np.ones(int(ref.opened.sum()), bool))
    assert best is not None
    assert_valid_plan(built, best)
    assert rel_diff(best.objective, ref.objective) <= 1e-7
    # a single setup cannot carry the demand: no plan
    alone = np.zeros(view.n_setups, bool)
    alone[int(np.argmax(view.capacity))] = True
    assert view.capacity.max() < inst.demand.sum()
    assert Allocator(restrict(view, alone)).plan(np.ones(1, bool)) is None


# --------------------------------------------------------------------------- 6. time limit


def test_time_limit_is_honoured_with_a_plan_and_a_bound() -> None:
    inst = random_instance(1000, 60, 400, 1.1, False)
    built, view = eligible_view(to_planning_problem(inst))
    start = time.perf_counter()
    result = solve_location(view, deadline=start + 0.5, mip_gap=1e-9)
    elapsed = time.perf_counter() - start
    assert elapsed < 3.0
    assert result.status in {"optimal", "time_limit"}
    assert result.plan is not None
    assert result.bound <= result.plan.objective
    assert result.root_bound <= result.bound + 1e-9 * abs(result.bound)
    assert_valid_plan(built, result.plan)
    # a deadline already passed still gives a plan, promptly
    start = time.perf_counter()
    late = solve_location(view, deadline=start, mip_gap=1e-9)
    assert time.perf_counter() - start < 3.0
    assert late.status in {"optimal", "time_limit"} and late.plan is not None
    assert late.bound <= late.plan.objective


# --------------------------------------------------------------------------- 7. OR-Library


def test_orlib_capa_14000_is_proven_optimal() -> None:
    path = ORLIB / "capa.txt"
    assert path.exists(), f"benchmark data missing: {path} (../shared/data beside the repo)"
    optimum = read_capopt(ORLIB / "capopt.txt")["capa-14000"]
    assert optimum == pytest.approx(17160439.012)
    result = solve(to_planning_problem(read_orlib_cap(path, 14000.0), time_limit_s=120))
    assert result.status == "optimal"
    assert result.stats.lagrangian_bound is not None
    assert result.objective is not None
    assert rel_diff(result.objective, optimum) <= 1e-6
    assert result.bound is not None and result.bound <= result.objective
