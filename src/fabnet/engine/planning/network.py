"""Compile a :class:`PlanningProblem` into flat index arrays: origins, demand pairs and legs.

Delivery legs run from an origin (a part candidate for single-part products, an assembly candidate
for assembled products) to a (delivery point, product) pair with a mode; their variable is the
FRACTION of that pair's demand they carry. Inbound legs carry parts (units) from a part candidate to
an assembly candidate. Every leg knows its per-unit costs, transit days and CO2e.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fabnet.engine.logistics import TransportMode, great_circle_km, shipment_cost

from .problem import PlanningProblem

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

EXPLICIT_MODE = -1
"""Mode code of a leg taken from an explicit :class:`LaneTable` (no transport mode)."""

MODES: tuple[TransportMode, ...] = tuple(TransportMode)


def by_origin(
    from_assembly: NDArray[np.bool_],
    origin: I64,
    assembly_values: NDArray[Any],
    candidate_values: NDArray[Any],
) -> NDArray[Any]:
    """Per leg: ``assembly_values[origin]`` for legs from assembly sites, else
    ``candidate_values[origin]`` (safe when one of the two origin sets is empty)."""
    out = np.zeros(len(origin), dtype=np.result_type(assembly_values, candidate_values))
    out[from_assembly] = assembly_values[origin[from_assembly]]
    out[~from_assembly] = candidate_values[origin[~from_assembly]]
    return out


@dataclass(frozen=True)
class Origins:
    """Part candidates (kind 0) or assembly candidates (kind 1), as arrays."""

    item: I64  # part index (candidates) or product index (assembly candidates)
    facility: I64
    unit_cost: F64
    setup_cost: F64
    capacity: F64  # effective, finite: min(declared, what could ever flow)
    lead_days: F64
    min_lot: F64

    @property
    def size(self) -> int:
        return len(self.item)


@dataclass(frozen=True)
class Legs:
    """Legs (delivery or inbound) with their per-unit attributes."""

    origin: I64  # candidate index (inbound, or delivery of single-part) or assembly index
    from_assembly: NDArray[np.bool_]  # delivery legs only: origin is an assembly candidate
    target: I64  # demand pair (delivery legs) or assembly candidate (inbound legs)
    part: I64  # inbound legs: part index; delivery legs: -1
    mode: I64  # index into MODES, or EXPLICIT_MODE
    distance_km: F64
    transit_days: F64
    transport_per_unit: F64
    duty_per_unit: F64
    co2e_kg_per_unit: F64
    fixed_per_shipment: F64
    late_days: F64  # delivery legs from part candidates: lateness if used; else 0

    @property
    def size(self) -> int:
        return len(self.origin)


@dataclass(frozen=True)
class Network:
    problem: PlanningProblem
    cand: Origins
    asm: Origins
    dk_point: I64
    dk_product: I64
    dk_qty: F64
    delivery: Legs
    inbound: Legs
    bom: F64  # products x parts quantity matrix
    part_need: F64  # total units of each part the demand could need
    product_value: F64  # per-unit goods value of each product (for duties)
    assembled: NDArray[np.bool_]


def inbound_arrival_day(net: Network) -> F64:
    """Per inbound leg: the day (counted from the order) its parts are at the assembly site and
    can be assembled: the maker's lead time plus transit, rounded up to a whole day (assembly
    starts on whole days; ADR 0012). A site's parts-ready day is the latest over its used legs."""
    inbound = net.inbound
    if not inbound.size:
        return np.zeros(0)
    return np.ceil(net.cand.lead_days[inbound.origin] + inbound.transit_days - 1e-9)


def _distances(lat1: F64, lon1: F64, lat2: F64, lon2: F64) -> F64:
    return great_circle_km(lat1, lon1, lat2, lon2)


def _origins(problem: PlanningProblem, assembly: bool, need: F64) -> Origins:
    fac_index = {f.id: i for i, f in enumerate(problem.facilities)}
    if assembly:
        prod_index = {p.id: i for i, p in enumerate(problem.products)}
        rows = [
            (
                prod_index[a.product_id],
                fac_index[a.facility_id],
                a.unit_cost,
                a.setup_cost,
                a.capacity,
                a.lead_time_days,
                a.min_lot,
            )
            for a in problem.assembly_candidates
        ]
    else:
        part_index = {p.id: i for i, p in enumerate(problem.parts)}
        rows = [
            (
                part_index[c.part_id],
                fac_index[c.facility_id],
                c.unit_cost,
                c.setup_cost,
                c.capacity,
                c.lead_time_days,
                c.min_lot,
            )
            for c in problem.candidates
        ]
    arr = np.array(rows, dtype=np.float64).reshape(-1, 7)
    item = arr[:, 0].astype(np.int64)
    capacity = np.minimum(arr[:, 4], need[item] if len(item) else arr[:, 4])
    return Origins(
        item=item,
        facility=arr[:, 1].astype(np.int64),
        unit_cost=arr[:, 2].copy(),
        setup_cost=arr[:, 3].copy(),
        capacity=capacity,
        lead_days=arr[:, 5].copy(),
        min_lot=arr[:, 6].copy(),
    )


def compile_network(problem: PlanningProblem) -> Network:
    """Index everything; build delivery and inbound legs with costs, days and CO2e."""
    parts = {p.id: i for i, p in enumerate(problem.parts)}
    products = {p.id: i for i, p in enumerate(problem.products)}
    n_prod, n_part = len(problem.products), len(problem.parts)
    bom = np.zeros((n_prod, n_part))
    for k, product in enumerate(problem.products):
        for part_id, qty in product.bom:
            bom[k, parts[part_id]] += qty
    assembled = np.array([p.assembled for p in problem.products], dtype=bool)
    pairs = [
        (di, products[pid], qty)
        for di, d in enumerate(problem.delivery_points)
        for pid, qty in d.demand
        if qty > 0
    ]
    dk = np.array(pairs, dtype=np.float64).reshape(-1, 3)
    dk_point, dk_product, dk_qty = dk[:, 0].astype(np.int64), dk[:, 1].astype(np.int64), dk[:, 2]
    product_demand = np.bincount(dk_product, weights=dk_qty, minlength=n_prod)
    part_need = np.asarray(product_demand @ bom, dtype=np.float64)
    cand = _origins(problem, False, part_need)
    asm = _origins(problem, True, product_demand.astype(np.float64))
    part_mass = np.array([p.mass_kg for p in problem.parts], dtype=np.float64)
    product_mass = bom @ part_mass if n_part else np.zeros(n_prod)
    cheapest_part = np.full(n_part, 0.0)
    for p in range(n_part):
        costs = cand.unit_cost[cand.item == p]
        cheapest_part[p] = costs.min() if len(costs) else 0.0
    product_value = bom @ cheapest_part
    delivery = _delivery_legs(
        problem, cand, asm, dk_point, dk_product, assembled, product_mass, product_value, bom,
        dk_qty,
    )
    inbound = _inbound_legs(problem, cand, asm, bom, part_mass, part_need)
    return Network(
        problem=problem,
        cand=cand,
        asm=asm,
        dk_point=dk_point,
        dk_product=dk_product,
        dk_qty=dk_qty,
        delivery=delivery,
        inbound=inbound,
        bom=bom,
        part_need=part_need,
        product_value=product_value,
        assembled=assembled,
    )


def _point_arrays(problem: PlanningProblem) -> tuple[F64, F64, F64, F64]:
    f_lat = np.array([f.lat for f in problem.facilities], dtype=np.float64)
    f_lon = np.array([f.lon for f in problem.facilities], dtype=np.float64)
    d_lat = np.array([d.lat for d in problem.delivery_points], dtype=np.float64)
    d_lon = np.array([d.lon for d in problem.delivery_points], dtype=np.float64)
    return f_lat, f_lon, d_lat, d_lon


def _country_codes(values: list[str | None]) -> I64:
    codes: dict[str, int] = {}
    return np.array(
        [codes.setdefault(v.upper(), len(codes)) if v else -1 for v in values], dtype=np.int64
    )


def _delivery_legs(
    problem: PlanningProblem,
    cand: Origins,
    asm: Origins,
    dk_point: I64,
    dk_product: I64,
    assembled: NDArray[np.bool_],
    product_mass: F64,
    product_value: F64,
    bom: F64,
    dk_qty: F64,
) -> Legs:
    """All (origin, demand pair) pairs, restricted to the k nearest origins when asked."""
    origin_parts: list[I64] = []
    from_asm_parts: list[NDArray[np.bool_]] = []
    target_parts: list[I64] = []
    for k in range(len(problem.products)):
        pair_idx = np.flatnonzero(dk_product == k)
        if not len(pair_idx):
            continue
        if assembled[k]:
            origins = np.flatnonzero(asm.item == k)
            facility = asm.facility[origins]
        else:
            part = int(np.flatnonzero(bom[k])[0])
            origins = np.flatnonzero(cand.item == part)
            facility = cand.facility[origins]
        if not len(origins):
            continue
        o, t = _origin_pairs(problem, origins, facility, dk_point[pair_idx])
        origin_parts.append(o)
        target_parts.append(pair_idx[t])
        from_asm_parts.append(np.full(len(o), bool(assembled[k])))
    if origin_parts:
        origin = np.concatenate(origin_parts)
        target = np.concatenate(target_parts)
        from_asm = np.concatenate(from_asm_parts)
    else:
        origin = np.zeros(0, np.int64)
        target = np.zeros(0, np.int64)
        from_asm = np.zeros(0, bool)
    facility = by_origin(from_asm, origin, asm.facility, cand.facility)
    point = dk_point[target]
    product = dk_product[target]
    unit_mass = product_mass[product]
    value = by_origin(from_asm, origin, asm.unit_cost, cand.unit_cost) + np.where(
        from_asm, product_value[product], 0.0
    )
    legs = _lane_attributes(
        problem, facility, point, unit_mass, value, delivery=True, load=dk_qty[target]
    )
    (origin_x, from_asm_x, target_x, mode, dist, days, transport, duty, co2, fixed) = _expand(
        legs, origin, from_asm, target
    )
    due = np.array([np.inf if d.due_days is None else d.due_days for d in problem.delivery_points])
    lead = by_origin(from_asm_x, origin_x, np.zeros(asm.size), cand.lead_days)
    late = np.where(from_asm_x, 0.0, np.maximum(0.0, lead + days - due[dk_point[target_x]]))
    return Legs(
        origin=origin_x,
        from_assembly=from_asm_x,
        target=target_x,
        part=np.full(len(origin_x), -1, np.int64),
        mode=mode,
        distance_km=dist,
        transit_days=days,
        transport_per_unit=transport,
        duty_per_unit=duty,
        co2e_kg_per_unit=co2,
        fixed_per_shipment=fixed,
        late_days=late,
    )


def _origin_pairs(
    problem: PlanningProblem, origins: I64, facility: I64, points: I64
) -> tuple[I64, I64]:
    """(origin index, position in ``points``) for every usable pair."""
    k_near = problem.options.nearest_origins
    if problem.lanes is not None:
        lanes = problem.lanes
        origin_of_fac = np.full(len(problem.facilities), -1, np.int64)
        origin_of_fac[facility] = origins
        pos_of_point = np.full(len(problem.delivery_points), -1, np.int64)
        pos_of_point[points] = np.arange(len(points))
        o = origin_of_fac[lanes.facility_index]
        t = pos_of_point[lanes.delivery_point_index]
        keep = (o >= 0) & (t >= 0)
        o, t, cost = o[keep], t[keep], lanes.cost_per_unit[keep]
        if k_near is not None:
            order = np.lexsort((cost, t))
            t_sorted = t[order]
            first = np.searchsorted(t_sorted, t_sorted, side="left")
            rank = np.arange(len(order)) - first
            order = order[rank < k_near]
            o, t = o[order], t[order]
        return o, t
    n_o, n_t = len(origins), len(points)
    if k_near is None or k_near >= n_o:
        return np.repeat(origins, n_t), np.tile(np.arange(n_t), n_o)
    f_lat, f_lon, d_lat, d_lon = _point_arrays(problem)
    o_parts: list[I64] = []
    t_parts: list[I64] = []
    block = max(1, 2_000_000 // max(n_o, 1))
    for start in range(0, n_t, block):
        sl = np.arange(start, min(n_t, start + block))
        dist = _distances(
            f_lat[facility][:, None],
            f_lon[facility][:, None],
            d_lat[points[sl]][None, :],
            d_lon[points[sl]][None, :],
        )
        nearest = np.argpartition(dist, k_near - 1, axis=0)[:k_near]
        o_parts.append(origins[nearest].ravel())
        t_parts.append(np.broadcast_to(sl, nearest.shape).ravel())
    return np.concatenate(o_parts), np.concatenate(t_parts)


@dataclass(frozen=True)
class _LaneAttrs:
    mode: I64  # (n, m) mode code per option, -2 = not allowed
    distance_km: F64
    days: F64
    transport: F64
    duty: F64
    co2: F64
    fixed: F64


def _lane_attributes(
    problem: PlanningProblem,
    facility: I64,
    point_or_fac: I64,
    unit_mass: F64,
    value: F64,
    *,
    delivery: bool,
    load: F64 | None = None,
) -> _LaneAttrs:
    """Per (pair, mode) attributes; shape (n_pairs, n_modes).

    ``load``: the most units a pair's shipment carries (a delivery point's whole demand, or the
    most an origin can send an assembly site). A shipment's minimum charge is spread over it, so
    the per-unit freight is exact for a shipment carrying the whole load and optimistic for a
    part of it (see docs/logistics.md)."""
    n = len(facility)
    f_lat, f_lon, d_lat, d_lon = _point_arrays(problem)
    if delivery:
        lat2, lon2 = d_lat[point_or_fac], d_lon[point_or_fac]
        countries2 = [d.country for d in problem.delivery_points]
        dest_country = point_or_fac
    else:
        lat2, lon2 = f_lat[point_or_fac], f_lon[point_or_fac]
        countries2 = [f.country for f in problem.facilities]
        dest_country = point_or_fac
    if problem.lanes is not None and delivery:
        lanes = problem.lanes
        key = lanes.facility_index * len(problem.delivery_points) + lanes.delivery_point_index
        order = np.argsort(key)
        pos = order[
            np.searchsorted(key[order], facility * len(problem.delivery_points) + point_or_fac)
        ]

        def col(values: F64) -> F64:
            return values[pos][:, None]

        return _LaneAttrs(
            mode=np.full((n, 1), EXPLICIT_MODE, np.int64),
            distance_km=np.zeros((n, 1)),
            days=col(lanes.days),
            transport=col(lanes.cost_per_unit),
            duty=np.zeros((n, 1)),
            co2=col(lanes.co2e_kg_per_unit),
            fixed=np.zeros((n, 1)),
        )
    transport = problem.transport
    if transport is None:
        return _LaneAttrs(
            mode=np.full((n, 1), EXPLICIT_MODE, np.int64),
            distance_km=np.zeros((n, 1)),
            days=np.zeros((n, 1)),
            transport=np.zeros((n, 1)),
            duty=np.zeros((n, 1)),
            co2=np.zeros((n, 1)),
            fixed=np.zeros((n, 1)),
        )
    gc = _distances(f_lat[facility], f_lon[facility], lat2, lon2) if n else np.zeros(0)
    c_orig = _country_codes([f.country for f in problem.facilities] + countries2)
    o_code = c_orig[: len(problem.facilities)][facility]
    d_code = c_orig[len(problem.facilities) :][dest_country]
    codes = [f.country for f in problem.facilities] + countries2
    border = (
        np.array(
            [
                transport.crosses_border(codes[int(a)], codes[len(problem.facilities) + int(b)])
                for a, b in zip(facility, dest_country, strict=True)
            ],
            dtype=bool,
        )
        if transport.border_duty_pct > 0 or transport.border_days > 0
        else np.zeros(n, bool)
    )
    modes = [m for m in MODES if m in problem.options.allowed_modes and m in transport.modes]
    shape = (n, len(modes))
    out = {k: np.zeros(shape) for k in ("dist", "days", "transport", "duty", "co2", "fixed")}
    mode_code = np.full(shape, -2, np.int64)
    for j, m in enumerate(modes):
        p = transport.modes[m]
        allowed = np.ones(n, bool)
        if m is TransportMode.ROAD and transport.road_networks is not None:
            allowed = np.array(
                [
                    transport.road_joined(codes[int(a)], codes[len(problem.facilities) + int(b)])
                    for a, b in zip(facility, dest_country, strict=True)
                ],
                dtype=bool,
            )
        if m is TransportMode.SEA:
            allowed = (o_code != d_code) & (o_code >= 0) & (gc >= transport.sea_min_distance_km)
        km = gc * p.detour_factor
        mode_code[:, j] = np.where(allowed, MODES.index(m), -2)
        out["dist"][:, j] = km
        out["days"][:, j] = (
            p.handling_days + km / p.speed_km_per_day + border * transport.border_days
        )
        units = np.maximum(load if load is not None else np.ones(n), 1.0)
        out["transport"][:, j] = (
            shipment_cost(p, unit_mass * units, km) - p.fixed_cost_per_shipment
        ) / units
        out["duty"][:, j] = value * border * transport.border_duty_pct / 100.0
        out["co2"][:, j] = p.co2e_g_per_tkm * unit_mass / 1000.0 * km / 1000.0
        out["fixed"][:, j] = p.fixed_cost_per_shipment
    return _LaneAttrs(
        mode=mode_code,
        distance_km=out["dist"],
        days=out["days"],
        transport=out["transport"],
        duty=out["duty"],
        co2=out["co2"],
        fixed=out["fixed"],
    )


def _expand(
    legs: _LaneAttrs, origin: I64, from_asm: NDArray[np.bool_], target: I64
) -> tuple[I64, NDArray[np.bool_], I64, I64, F64, F64, F64, F64, F64, F64]:
    """One leg per (pair, allowed mode)."""
    pair, col = np.nonzero(legs.mode != -2)
    return (
        origin[pair],
        from_asm[pair],
        target[pair],
        legs.mode[pair, col],
        legs.distance_km[pair, col],
        legs.days[pair, col],
        legs.transport[pair, col],
        legs.duty[pair, col],
        legs.co2[pair, col],
        legs.fixed[pair, col],
    )


def _inbound_legs(
    problem: PlanningProblem,
    cand: Origins,
    asm: Origins,
    bom: F64,
    part_mass: F64,
    part_need: F64,
) -> Legs:
    """Every (part candidate, assembly candidate) pair whose product needs that part."""
    if not asm.size or not cand.size:
        empty_i = np.zeros(0, np.int64)
        empty_f = np.zeros(0)
        return Legs(
            empty_i,
            np.zeros(0, bool),
            empty_i,
            empty_i,
            empty_i,
            empty_f,
            empty_f,
            empty_f,
            empty_f,
            empty_f,
            empty_f,
            empty_f,
        )
    needs = bom[asm.item][:, cand.item] > 0  # (asm, cand)
    a_idx, c_idx = np.nonzero(needs)
    per_product = bom[asm.item[a_idx], cand.item[c_idx]]
    load = np.minimum(
        np.minimum(cand.capacity[c_idx], asm.capacity[a_idx] * per_product),
        part_need[cand.item[c_idx]],
    )
    legs = _lane_attributes(
        problem,
        cand.facility[c_idx],
        asm.facility[a_idx],
        part_mass[cand.item[c_idx]],
        cand.unit_cost[c_idx],
        delivery=False,
        load=np.where(np.isfinite(load), load, 1e9),
    )
    (origin, _, target, mode, dist, days, transport, duty, co2, fixed) = _expand(
        legs, c_idx, np.zeros(len(c_idx), bool), a_idx
    )
    # A part made at the assembly site itself travels nowhere: keep one free leg for it.
    same_leg = cand.facility[origin] == asm.facility[target]
    first_mode = np.ones(len(origin), bool)
    if same_leg.any():
        key = origin * max(asm.size, 1) + target
        _, first = np.unique(key, return_index=True)
        first_mode = np.zeros(len(origin), bool)
        first_mode[first] = True
    keep = ~same_leg | first_mode
    zero = np.where(same_leg, 0.0, 1.0)
    return Legs(
        origin=origin[keep],
        from_assembly=np.zeros(int(keep.sum()), bool),
        target=target[keep],
        part=cand.item[origin][keep],
        mode=np.where(same_leg, EXPLICIT_MODE, mode)[keep],
        distance_km=(dist * zero)[keep],
        transit_days=(days * zero)[keep],
        transport_per_unit=(transport * zero)[keep],
        duty_per_unit=(duty * zero)[keep],
        co2e_kg_per_unit=(co2 * zero)[keep],
        fixed_per_shipment=(fixed * zero)[keep],
        late_days=np.zeros(int(keep.sum())),
    )
