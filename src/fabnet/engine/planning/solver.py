"""``solve(problem) -> PlanResult``: check, compile, build, optimise, report, compare."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from .baselines import BaselinePlan, baseline_plans
from .builder import ModelBuilder
from .checks import check_consistency
from .model import Columns, build_model, leg_quantity
from .network import Network, compile_network
from .optimise import Outcome, optimise
from .problem import PlanningProblem
from .result import (
    AssemblyLine,
    Flow,
    PlanResult,
    ProductionLine,
    SolveStats,
    evaluate,
    mode_name,
    savings,
)

F64 = NDArray[np.float64]


def solve(problem: PlanningProblem, *, log: bool = False) -> PlanResult:
    """Plan production, assembly and flows for ``problem``; nothing is written into the input."""
    check_consistency(problem)
    start = time.perf_counter()
    net = compile_network(problem)
    builder, cols = build_model(net)
    o = problem.options
    plans: tuple[BaselinePlan, ...] = ()
    if o.baselines:
        plans = baseline_plans(
            net, builder, cols, time_limit_s=BASELINE_SHARE * o.time_limit_s, threads=o.threads
        )
    valid = [bp for bp in plans if bp.values is not None and bp.objective is not None]
    best = min(valid, key=lambda bp: bp.objective or 0.0) if valid else None
    outcome = optimise(
        net,
        builder,
        cols,
        time_limit_s=max(0.5, o.time_limit_s - (time.perf_counter() - start)),
        mip_gap=o.mip_gap,
        threads=o.threads,
        log=log,
        start_values=best.values if best else None,
        start_objective=best.objective if best else None,
    )
    if best is not None and best.values is not None and best.objective is not None and (
        outcome.values is None
        or outcome.objective is None
        or outcome.objective > best.objective + 1e-9 * max(1.0, abs(best.objective))
    ):
        outcome = _from_baseline(builder, best.values, best.objective, outcome, o.mip_gap)
    stats = SolveStats(
        lp_bound=outcome.lp_bound,
        strong_rows=outcome.cuts,
        pricing_rounds=outcome.cut_rounds,
        setups_fixed_closed=outcome.fixed_closed,
        setups_fixed_open=outcome.fixed_open,
        columns=builder.n_cols,
        rows=builder.n_rows,
        lagrangian_bound=outcome.lagrangian_bound,
        lagrangian_iterations=outcome.lagrangian_iterations,
        branch_nodes=outcome.branch_nodes,
    )
    if outcome.values is None:
        remaining = max(1.0, o.time_limit_s - (time.perf_counter() - start))
        diagnosis = (
            diagnose(net, remaining)
            if outcome.status == "infeasible"
            else ("no feasible plan found within the time limit; raise options.time_limit_s",)
        )
        return PlanResult(
            status=outcome.status,
            objective=None,
            bound=outcome.bound,
            gap=None,
            seconds=time.perf_counter() - start,
            diagnosis=diagnosis,
            stats=stats,
        )
    values = outcome.values
    x, w = values[cols.x], values[cols.w]
    evaluation = evaluate(net, x, w, values[cols.z_cand] > 0.5, values[cols.z_asm] > 0.5)
    baselines = tuple(bp.baseline for bp in plans)
    return PlanResult(
        status=outcome.status,
        objective=outcome.objective,
        bound=outcome.bound,
        gap=outcome.gap,
        seconds=time.perf_counter() - start,
        production=_production(net, x, w),
        assembly=_assembly(net, x),
        flows=_flows(net, x, w),
        evaluation=evaluation,
        binding_constraints=binding_constraints(net, builder, cols, outcome),
        baselines=baselines,
        savings=tuple(savings(evaluation, b) for b in baselines),
        stats=stats,
    )


BASELINE_SHARE = 0.1
"""Share of the time limit each baseline's plan on its sites may use (they are small MIPs)."""


def _from_baseline(
    b: ModelBuilder, values: F64, objective: float, outcome: Outcome, mip_gap: float
) -> Outcome:
    """The baseline's plan returned when the optimiser found nothing better."""
    bound = outcome.bound if outcome.bound is not None else outcome.lp_bound
    gap = None if bound is None else max(0.0, objective - bound) / max(abs(objective), 1e-9)
    proven = outcome.status == "optimal" or (gap is not None and gap <= mip_gap)
    status = "optimal" if proven else "time_limit"
    return replace(
        outcome,
        status=status,
        values=values,
        row_activity=b.matrix() @ values,
        objective=objective,
        gap=gap,
    )


def _production(net: Network, x: F64, w: F64) -> tuple[ProductionLine, ...]:
    legs = net.delivery
    units = x * leg_quantity(net)
    out = np.zeros(net.cand.size)
    np.add.at(out, legs.origin[~legs.from_assembly], units[~legs.from_assembly])
    np.add.at(out, net.inbound.origin, w)
    p = net.problem
    return tuple(
        ProductionLine(
            p.parts[int(net.cand.item[c])].id,
            p.facilities[int(net.cand.facility[c])].id,
            float(out[c]),
        )
        for c in np.flatnonzero(out > 1e-7)
    )


def _assembly(net: Network, x: F64) -> tuple[AssemblyLine, ...]:
    legs = net.delivery
    units = x * leg_quantity(net)
    out = np.zeros(net.asm.size)
    np.add.at(out, legs.origin[legs.from_assembly], units[legs.from_assembly])
    p = net.problem
    return tuple(
        AssemblyLine(
            p.products[int(net.asm.item[a])].id,
            p.facilities[int(net.asm.facility[a])].id,
            float(out[a]),
        )
        for a in np.flatnonzero(out > 1e-7)
    )


def _flows(net: Network, x: F64, w: F64) -> tuple[Flow, ...]:
    p = net.problem
    legs, inbound = net.delivery, net.inbound
    units = x * leg_quantity(net)
    flows: list[Flow] = []
    for leg in np.flatnonzero(units > 1e-7):
        origin = int(legs.origin[leg])
        fac = net.asm.facility[origin] if legs.from_assembly[leg] else net.cand.facility[origin]
        q = float(units[leg])
        flows.append(
            Flow(
                item_id=p.products[int(net.dk_product[legs.target[leg]])].id,
                origin_facility_id=p.facilities[int(fac)].id,
                destination_id=p.delivery_points[int(net.dk_point[legs.target[leg]])].id,
                to_delivery_point=True,
                mode=mode_name(int(legs.mode[leg])),
                quantity=q,
                transport_cost=q * float(legs.transport_per_unit[leg])
                + float(legs.fixed_per_shipment[leg]),
                duty=q * float(legs.duty_per_unit[leg]),
                co2e_kg=q * float(legs.co2e_kg_per_unit[leg]),
                transit_days=float(legs.transit_days[leg]),
            )
        )
    for leg in np.flatnonzero(w > 1e-7):
        q = float(w[leg])
        flows.append(
            Flow(
                item_id=p.parts[int(inbound.part[leg])].id,
                origin_facility_id=p.facilities[int(net.cand.facility[inbound.origin[leg]])].id,
                destination_id=p.facilities[int(net.asm.facility[inbound.target[leg]])].id,
                to_delivery_point=False,
                mode=mode_name(int(inbound.mode[leg])),
                quantity=q,
                transport_cost=q * float(inbound.transport_per_unit[leg])
                + float(inbound.fixed_per_shipment[leg]),
                duty=q * float(inbound.duty_per_unit[leg]),
                co2e_kg=q * float(inbound.co2e_kg_per_unit[leg]),
                transit_days=float(inbound.transit_days[leg]),
            )
        )
    return tuple(flows)


def binding_constraints(
    net: Network, b: ModelBuilder, cols: Columns, outcome: Outcome
) -> tuple[str, ...]:
    """Capacities, minimum lots and options that the plan meets with equality."""
    if outcome.row_activity is None or outcome.values is None:
        return ()
    act, values = outcome.row_activity, outcome.values
    p = net.problem
    found: list[str] = []
    for name, origins, z, items in (
        ("capacity", net.cand, cols.z_cand, [pt.id for pt in p.parts]),
        ("assembly_capacity", net.asm, cols.z_asm, [pr.id for pr in p.products]),
    ):
        block = b.blocks.get(name)
        if block is None:
            continue
        rows = act[block.start : block.stop]
        scale = np.maximum(origins.capacity, 1.0)
        full = (values[z] > 0.5) & (rows >= -1e-6 * scale)
        kind = "assembly capacity" if "assembly" in name else "capacity"
        for c in np.flatnonzero(full):
            found.append(
                f"{kind} of {items[int(origins.item[c])]} at facility "
                f"{p.facilities[int(origins.facility[c])].id}: "
                f"{origins.capacity[c]:g} units, all used"
            )
    for name, origins, z in (
        ("min_lot", net.cand, cols.z_cand),
        ("assembly_min_lot", net.asm, cols.z_asm),
    ):
        block = b.blocks.get(name)
        if block is None:
            continue
        rows = act[block.start : block.stop]
        for r in np.flatnonzero(
            np.abs(rows) <= 1e-6 * np.maximum(origins.min_lot[block.entity], 1)
        ):
            lot = int(block.entity[r])
            if values[z[lot]] > 0.5:
                found.append(
                    f"minimum lot at facility {p.facilities[int(origins.facility[lot])].id}"
                    f": produces exactly {origins.min_lot[lot]:g}"
                )
    o = p.options
    limit = b.blocks.get("max_facilities")
    if limit and o.max_facilities is not None and act[limit.start] >= o.max_facilities - 0.5:
        found.append(f"max_facilities: all {o.max_facilities} facilities in use")
    budget = b.blocks.get("co2_budget")
    if (
        budget
        and o.co2_budget_kg is not None
        and act[budget.start] >= o.co2_budget_kg * (1 - 1e-6) - 1e-6
    ):
        found.append(f"co2_budget: {o.co2_budget_kg:g} kg CO2e, all used")
    local = b.blocks.get("local_share")
    tol = 1e-6 * max(1.0, abs(outcome.objective or 1.0))
    if local and o.local_share is not None and abs(act[local.start]) <= tol:
        found.append(f"local_share: exactly {o.local_share.min_share:.0%} of spend is local")
    return tuple(found)


def diagnose(net: Network, time_limit_s: float = 30.0) -> tuple[str, ...]:
    """Why an order cannot be planned: pre-checks, then an elastic model's non-zero slacks."""
    p = net.problem
    found: list[str] = []
    cap_by_part = np.zeros(len(p.parts))
    np.add.at(cap_by_part, net.cand.item, net.cand.capacity)
    for i in np.flatnonzero(cap_by_part < net.part_need - 1e-9):
        found.append(
            f"part {p.parts[i].id}: total capacity {cap_by_part[i]:g} of all candidates "
            f"is below the demand of {net.part_need[i]:g}"
        )
    product_need = np.bincount(net.dk_product, weights=net.dk_qty, minlength=len(p.products))
    cap_by_product = np.zeros(len(p.products))
    np.add.at(cap_by_product, net.asm.item, net.asm.capacity)
    for k in np.flatnonzero(net.assembled & (cap_by_product < product_need - 1e-9)):
        found.append(
            f"product {p.products[k].id}: total assembly capacity {cap_by_product[k]:g}"
            f" is below the demand of {product_need[k]:g}"
        )
    legs = net.delivery
    reachable = np.zeros(len(net.dk_qty), bool)
    on_time = np.zeros(len(net.dk_qty), bool)
    reachable[legs.target] = True
    on_time[legs.target[legs.late_days <= 1e-9]] = True
    hard = p.options.lateness_penalty_per_unit_day is None
    for pair in range(len(net.dk_qty)):
        dp = p.delivery_points[int(net.dk_point[pair])]
        product = p.products[int(net.dk_product[pair])].id
        if not reachable[pair]:
            found.append(f"delivery point {dp.id}: no origin can supply product {product}")
        elif hard and not on_time[pair] and not net.assembled[int(net.dk_product[pair])]:
            found.append(
                f"delivery point {dp.id}: no capable facility can deliver product "
                f"{product} by its due date ({dp.due_days:g} days)"
            )
    b, cols = build_model(net, elastic=True)
    outcome = optimise(net, b, cols, time_limit_s=time_limit_s, mip_gap=1e-3, separate=False)
    if outcome.values is not None:
        v = outcome.values
        short = v[cols.slack["shortfall"]] * net.dk_qty
        for i in np.flatnonzero(short > 1e-6):
            msg = (
                f"delivery point {p.delivery_points[int(net.dk_point[i])].id}: "
                f"{short[i]:g} of {net.dk_qty[i]:g} units of product "
                f"{p.products[int(net.dk_product[i])].id} cannot be supplied"
            )
            if msg not in found:
                found.append(msg)
        for key, origins, items in (
            ("capacity_slack", net.cand, [pt.id for pt in p.parts]),
            ("assembly_capacity_slack", net.asm, [pr.id for pr in p.products]),
        ):
            extra = v[cols.slack[key]]
            for c in np.flatnonzero(extra > 1e-6):
                found.append(
                    f"capacity of {items[int(origins.item[c])]} at facility "
                    f"{p.facilities[int(origins.facility[c])].id} is short by "
                    f"{extra[c]:g} units (has {origins.capacity[c]:g})"
                )
        for key, label in (
            ("max_facilities_slack", "options.max_facilities is too low"),
            ("co2_budget_slack", "options.co2_budget_kg is too low"),
            ("local_share_slack", "options.local_share.min_share is too high"),
        ):
            if key in cols.slack and v[cols.slack[key]].sum() > 1e-6:
                found.append(f"{label} (short by {v[cols.slack[key]].sum():g})")
    if not found:
        found.append(
            "no single cause found: the combination of minimum lots, due dates and "
            "options admits no plan; relax one of them"
        )
    return tuple(found)
