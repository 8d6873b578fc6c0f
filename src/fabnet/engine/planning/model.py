"""The planning MILP as flat ``define_*`` functions over a :class:`ModelBuilder`.

Columns: setup binaries per candidate (``z``), delivery-leg fractions (``x``: share of a delivery
point's demand for a product carried by one origin and mode), inbound part flows (``w``), shortfall
fractions (``s``), shipment binaries for modes with a fixed cost per shipment, facility-used
binaries (only with a facility limit) and the timing variables of assembled products. The strong
linking rows ``x <= z`` are NOT added here: the solver separates them as cuts (see ``solve``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .builder import INF, ModelBuilder
from .network import Network, by_origin, inbound_arrival_day
from .timeindexed import ReadyDays, define_time_indexed_due_dates, uses_time_indexed

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]
ELASTIC_PENALTY = 1e7


@dataclass
class Columns:
    """Column indices of every variable block."""

    z_cand: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    z_asm: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    x: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    w: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    s: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    ship_x_leg: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    ship_x: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    ship_w_leg: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    ship_w: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    u_fac: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    u_fac_id: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    ready_asm: I64 = field(default_factory=lambda: np.zeros(0, np.int64))  # per asm, -1 if none
    late_leg: I64 = field(default_factory=lambda: np.zeros(0, np.int64))  # delivery legs
    late: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    ready_days: ReadyDays | None = None  # the time-indexed due dates (ADR 0012)
    slack: dict[str, I64] = field(default_factory=dict)


def x_unit_cost(net: Network) -> F64:
    """Per-unit cost of each delivery leg excluding CO2 price and lateness."""
    legs = net.delivery
    origin_cost = by_origin(legs.from_assembly, legs.origin, net.asm.unit_cost, net.cand.unit_cost)
    return origin_cost + legs.transport_per_unit + legs.duty_per_unit


def leg_quantity(net: Network) -> F64:
    """Units a delivery leg carries at fraction 1."""
    return net.dk_qty[net.delivery.target]


def define_facility_open_variables(b: ModelBuilder, net: Network, cols: Columns) -> None:
    cols.z_cand = b.add_columns(net.cand.size, net.cand.setup_cost, 0, 1, integer=True)
    cols.z_asm = b.add_columns(net.asm.size, net.asm.setup_cost, 0, 1, integer=True)


def define_flow_variables(b: ModelBuilder, net: Network, cols: Columns) -> None:
    """Delivery fractions (binary under single sourcing), inbound part flows, shortfall."""
    o = net.problem.options
    price = o.co2_price_per_t / 1000.0
    qty = leg_quantity(net)
    late_pen = o.lateness_penalty_per_unit_day or 0.0
    cost = qty * (
        x_unit_cost(net) + price * net.delivery.co2e_kg_per_unit + late_pen * net.delivery.late_days
    )
    upper = np.ones(net.delivery.size)
    if o.lateness_penalty_per_unit_day is None:
        upper[net.delivery.late_days > 1e-9] = 0.0  # hard due dates: a late leg is unusable
    cols.x = b.add_columns(net.delivery.size, cost, 0.0, upper)
    inbound = net.inbound
    w_cost = (
        (net.cand.unit_cost[inbound.origin] if inbound.size else 0.0)
        + inbound.transport_per_unit
        + inbound.duty_per_unit
        + price * inbound.co2e_kg_per_unit
    )
    cols.w = b.add_columns(inbound.size, w_cost, 0.0, INF)
    if o.shortfall_penalty_per_unit is not None:
        cols.s = b.add_columns(len(net.dk_qty), net.dk_qty * o.shortfall_penalty_per_unit, 0, 1)
    legs = np.flatnonzero(net.delivery.fixed_per_shipment > 0)
    cols.ship_x_leg = legs
    cols.ship_x = b.add_columns(
        len(legs), net.delivery.fixed_per_shipment[legs], 0, 1, integer=True
    )
    legs_w = np.flatnonzero(inbound.fixed_per_shipment > 0)
    cols.ship_w_leg = legs_w
    cols.ship_w = b.add_columns(len(legs_w), inbound.fixed_per_shipment[legs_w], 0, 1, integer=True)


def define_production_variables(b: ModelBuilder, net: Network, cols: Columns) -> None:
    """Production is the sum of a candidate's outflows; assembly balances its inbound parts.

    Adds one row per (assembly candidate, BOM part): inbound units = BOM quantity x assembled units.
    """
    if not net.asm.size:
        return
    legs = net.delivery
    qty = leg_quantity(net)
    pairs = [(a, p) for a in range(net.asm.size) for p in np.flatnonzero(net.bom[net.asm.item[a]])]
    if not pairs:
        return
    pair_arr = np.array(pairs, dtype=np.int64)
    key = {(int(a), int(p)): i for i, (a, p) in enumerate(pairs)}
    in_rows = np.array(
        [key[(int(a), int(p))] for a, p in zip(net.inbound.target, net.inbound.part, strict=True)],
        dtype=np.int64,
    )
    asm_legs = np.flatnonzero(legs.from_assembly)
    rows_x: list[I64] = []
    cols_x: list[I64] = []
    vals_x: list[F64] = []
    for p in range(net.bom.shape[1]):
        sel = asm_legs[net.bom[net.asm.item[legs.origin[asm_legs]], p] > 0]
        if not len(sel):
            continue
        row = np.array([key[(int(a), p)] for a in legs.origin[sel]], dtype=np.int64)
        rows_x.append(row)
        cols_x.append(cols.x[sel])
        vals_x.append(-net.bom[net.asm.item[legs.origin[sel]], p] * qty[sel])
    row = np.concatenate([in_rows, *rows_x])
    col = np.concatenate([cols.w, *cols_x])
    val = np.concatenate([np.ones(len(in_rows)), *vals_x])
    b.add_rows("bom_balance", len(pairs), 0.0, 0.0, row, col, val, entity=pair_arr[:, 0])


def define_demand_constraints(b: ModelBuilder, net: Network, cols: Columns) -> None:
    """Each (delivery point, product) pair: served fractions (+ shortfall) = 1."""
    n = len(net.dk_qty)
    row = net.delivery.target
    col = cols.x
    val = np.ones(len(col))
    if len(cols.s):
        row = np.concatenate([row, np.arange(n)])
        col = np.concatenate([col, cols.s])
        val = np.ones(len(col))
    if "shortfall" in cols.slack:
        row = np.concatenate([row, np.arange(n)])
        col = np.concatenate([col, cols.slack["shortfall"]])
        val = np.concatenate([val, np.ones(n)])
    b.add_rows("demand", n, 1.0, 1.0, row, col, val)


def _outflow(net: Network, cols: Columns, assembly: bool) -> tuple[I64, I64, F64]:
    """(origin, column, units per unit of column) of every outflow of candidates or assemblies."""
    legs = net.delivery
    qty = leg_quantity(net)
    sel = legs.from_assembly if assembly else ~legs.from_assembly
    origin = legs.origin[sel]
    col = cols.x[sel]
    val = qty[sel]
    if not assembly:
        origin = np.concatenate([origin, net.inbound.origin])
        col = np.concatenate([col, cols.w])
        val = np.concatenate([val, np.ones(len(cols.w))])
    return origin, col, val


def define_capacity_constraints(b: ModelBuilder, net: Network, cols: Columns) -> None:
    """Outflow <= capacity x z (also the aggregated linking: no output without setup)."""
    for name, origins, z, assembly in (
        ("capacity", net.cand, cols.z_cand, False),
        ("assembly_capacity", net.asm, cols.z_asm, True),
    ):
        if not origins.size:
            continue
        origin, col, val = _outflow(net, cols, assembly)
        n = origins.size
        row = np.concatenate([origin, np.arange(n)])
        cc = np.concatenate([col, z])
        vv = np.concatenate([val, -origins.capacity])
        slack_key = f"{name}_slack"
        if slack_key in cols.slack:
            row = np.concatenate([row, np.arange(n)])
            cc = np.concatenate([cc, cols.slack[slack_key]])
            vv = np.concatenate([vv, -np.ones(n)])
        b.add_rows(name, n, -INF, 0.0, row, cc, vv)


def define_capacity_cover_constraints(b: ModelBuilder, net: Network, cols: Columns) -> None:
    """When demand must be met: the open capacity for each part (and assembled product) covers
    its total need. Implied by the LP, but as one knapsack row over the setup binaries it lets
    the MIP solver derive cover cuts that the flow rows hide."""
    if net.problem.options.shortfall_penalty_per_unit is not None:
        return
    product_need = np.bincount(net.dk_product, weights=net.dk_qty, minlength=len(net.assembled))
    for name, origins, z, need in (
        ("capacity_cover", net.cand, cols.z_cand, net.part_need),
        (
            "assembly_capacity_cover",
            net.asm,
            cols.z_asm,
            np.where(net.assembled, product_need, 0.0),
        ),
    ):
        items = np.flatnonzero(need > 0)
        if not len(items) or not origins.size:
            continue
        pos = np.full(len(need), -1, np.int64)
        pos[items] = np.arange(len(items))
        keep = pos[origins.item] >= 0
        b.add_rows(
            name,
            len(items),
            need[items],
            INF,
            pos[origins.item[keep]],
            z[keep],
            origins.capacity[keep],
            entity=items,
        )


def define_linking_constraints(b: ModelBuilder, net: Network, cols: Columns) -> None:
    """Inbound flows and shipment binaries link to their setup/shipment binaries (few rows)."""
    inbound = net.inbound
    if inbound.size:
        bound = np.minimum(
            net.cand.capacity[inbound.origin],
            net.asm.capacity[inbound.target] * net.bom[net.asm.item[inbound.target], inbound.part],
        )
        n = inbound.size
        b.add_rows(
            "inbound_link",
            n,
            -INF,
            0.0,
            np.concatenate([np.arange(n), np.arange(n)]),
            np.concatenate([cols.w, cols.z_cand[inbound.origin]]),
            np.concatenate([np.ones(n), -bound]),
        )
    if len(cols.ship_x):
        n = len(cols.ship_x)
        b.add_rows(
            "shipment_link",
            n,
            -INF,
            0.0,
            np.concatenate([np.arange(n), np.arange(n)]),
            np.concatenate([cols.x[cols.ship_x_leg], cols.ship_x]),
            np.concatenate([np.ones(n), -np.ones(n)]),
        )
    if len(cols.ship_w):
        n = len(cols.ship_w)
        legs = cols.ship_w_leg
        bound = net.cand.capacity[inbound.origin[legs]]
        b.add_rows(
            "inbound_shipment_link",
            n,
            -INF,
            0.0,
            np.concatenate([np.arange(n), np.arange(n)]),
            np.concatenate([cols.w[legs], cols.ship_w]),
            np.concatenate([np.ones(n), -bound]),
        )


def strong_link_violations(net: Network, cols: Columns, values: F64, tol: float = 1e-6) -> I64:
    """Delivery legs whose fraction exceeds their origin's setup variable (x > z)."""
    legs = net.delivery
    z = values[by_origin(legs.from_assembly, legs.origin, cols.z_asm, cols.z_cand)]
    return np.flatnonzero(values[cols.x] - z > tol)


def strong_link_rows(net: Network, cols: Columns, legs_idx: I64) -> tuple[I64, I64, F64]:
    """Triplets for x_l - z_origin(l) <= 0 for the given delivery legs."""
    legs = net.delivery
    z = by_origin(legs.from_assembly[legs_idx], legs.origin[legs_idx], cols.z_asm, cols.z_cand)
    n = len(legs_idx)
    return (
        np.concatenate([np.arange(n), np.arange(n)]),
        np.concatenate([cols.x[legs_idx], z]),
        np.concatenate([np.ones(n), -np.ones(n)]),
    )


def define_minimum_lot_constraints(b: ModelBuilder, net: Network, cols: Columns) -> None:
    """Outflow >= min lot x z where a minimum lot is set."""
    for name, origins, z, assembly in (
        ("min_lot", net.cand, cols.z_cand, False),
        ("assembly_min_lot", net.asm, cols.z_asm, True),
    ):
        which = np.flatnonzero(origins.min_lot > 0)
        if not len(which):
            continue
        pos = np.full(origins.size, -1, np.int64)
        pos[which] = np.arange(len(which))
        origin, col, val = _outflow(net, cols, assembly)
        keep = pos[origin] >= 0
        row = np.concatenate([pos[origin[keep]], np.arange(len(which))])
        cc = np.concatenate([col[keep], z[which]])
        vv = np.concatenate([val[keep], -origins.min_lot[which]])
        b.add_rows(name, len(which), 0.0, INF, row, cc, vv, entity=which)


def define_pinned_facilities(b: ModelBuilder, net: Network, cols: Columns) -> None:
    """Every pinned facility opens at least one of its setups (it makes or assembles something)."""
    pinned = net.problem.options.pinned_facilities
    if not pinned:
        return
    index = {f.id: i for i, f in enumerate(net.problem.facilities)}
    facs = np.concatenate([net.cand.facility, net.asm.facility])
    z = np.concatenate([cols.z_cand, cols.z_asm])
    rows: list[NDArray[np.int64]] = []
    cols_: list[NDArray[np.int64]] = []
    for r, fid in enumerate(f for f in pinned if f in index):
        mine = z[facs == index[fid]]
        rows.append(np.full(len(mine), r, np.int64))
        cols_.append(mine.astype(np.int64))
    if rows:
        b.add_rows("pinned_facilities", len(rows), 1.0, INF, np.concatenate(rows),
                   np.concatenate(cols_), np.ones(sum(len(c) for c in cols_)))


def define_max_facilities_constraint(b: ModelBuilder, net: Network, cols: Columns) -> None:
    limit = net.problem.options.max_facilities
    if limit is None:
        return
    facs = np.unique(np.concatenate([net.cand.facility, net.asm.facility]))
    cols.u_fac_id = facs
    cols.u_fac = b.add_columns(len(facs), 0.0, 0, 1, integer=True)
    pos = np.searchsorted(facs, np.concatenate([net.cand.facility, net.asm.facility]))
    z = np.concatenate([cols.z_cand, cols.z_asm])
    n = len(z)
    b.add_rows(
        "facility_used",
        n,
        -INF,
        0.0,
        np.concatenate([np.arange(n), np.arange(n)]),
        np.concatenate([z, cols.u_fac[pos]]),
        np.concatenate([np.ones(n), -np.ones(n)]),
    )
    slack = cols.slack.get("max_facilities_slack", np.zeros(0, np.int64))
    b.add_rows(
        "max_facilities",
        1,
        -INF,
        float(limit),
        np.zeros(len(facs) + len(slack), np.int64),
        np.concatenate([cols.u_fac, slack]),
        np.concatenate([np.ones(len(facs)), -np.ones(len(slack))]),
    )


def define_single_sourcing(b: ModelBuilder, net: Network, cols: Columns) -> None:
    """Single sourcing makes every delivery fraction binary: with the demand row, one origin
    and one mode serve each (delivery point, product)."""
    if net.problem.options.single_sourcing and len(cols.x):
        b.integer[_block_of(b, cols.x)][:] = True


def _spend_terms(net: Network, cols: Columns) -> tuple[I64, F64, NDArray[np.bool_]]:
    """(column, production spend per unit of column, is-local) of all production spend."""
    share = net.problem.options.local_share
    assert share is not None
    facs = net.problem.facilities
    local_fac = np.array(
        [
            (f.country or "").upper() in {c.upper() for c in share.countries}
            or (f.region is not None and f.region in share.regions)
            for f in facs
        ],
        dtype=bool,
    )
    legs = net.delivery
    qty = leg_quantity(net)
    origin_cost = by_origin(legs.from_assembly, legs.origin, net.asm.unit_cost, net.cand.unit_cost)
    origin_fac = by_origin(legs.from_assembly, legs.origin, net.asm.facility, net.cand.facility)
    col = np.concatenate([cols.x, cols.w, cols.z_cand, cols.z_asm])
    spend = np.concatenate(
        [
            qty * origin_cost,
            net.cand.unit_cost[net.inbound.origin] if net.inbound.size else np.zeros(0),
            net.cand.setup_cost,
            net.asm.setup_cost,
        ]
    )
    local = np.concatenate(
        [
            local_fac[origin_fac] if len(origin_fac) else np.zeros(0, bool),
            local_fac[net.cand.facility[net.inbound.origin]]
            if net.inbound.size
            else np.zeros(0, bool),
            local_fac[net.cand.facility],
            local_fac[net.asm.facility],
        ]
    )
    return col, spend, local


def define_local_share_constraint(b: ModelBuilder, net: Network, cols: Columns) -> None:
    """Local production spend >= min share x all production spend."""
    share = net.problem.options.local_share
    if share is None:
        return
    col, spend, local = _spend_terms(net, cols)
    val = spend * (local.astype(np.float64) - share.min_share)
    slack = cols.slack.get("local_share_slack", np.zeros(0, np.int64))
    b.add_rows(
        "local_share",
        1,
        0.0,
        INF,
        np.zeros(len(col) + len(slack), np.int64),
        np.concatenate([col, slack]),
        np.concatenate([val, np.ones(len(slack))]),
    )


def co2_terms(net: Network, cols: Columns) -> tuple[I64, F64]:
    qty = leg_quantity(net)
    return (
        np.concatenate([cols.x, cols.w]),
        np.concatenate([qty * net.delivery.co2e_kg_per_unit, net.inbound.co2e_kg_per_unit]),
    )


def define_co2_budget(b: ModelBuilder, net: Network, cols: Columns) -> None:
    budget = net.problem.options.co2_budget_kg
    if budget is None:
        return
    col, val = co2_terms(net, cols)
    slack = cols.slack.get("co2_budget_slack", np.zeros(0, np.int64))
    b.add_rows(
        "co2_budget",
        1,
        -INF,
        float(budget),
        np.zeros(len(col) + len(slack), np.int64),
        np.concatenate([col, slack]),
        np.concatenate([val, -np.ones(len(slack))]),
    )


def define_due_date_constraints(b: ModelBuilder, net: Network, cols: Columns) -> None:
    """The big-M due dates (``due_date_model="big_m"``; the time-indexed model of
    :mod:`.timeindexed` replaces them by default, ADR 0012).

    Single-part legs: lateness is a constant per leg (priced or forbidden in the bounds).

    Assembled products: the parts-ready day of an assembly site is the latest arrival over its used
    inbound legs (binary per inbound leg); a delivery leg that may be late gets a used-binary ``h``
    and a lateness variable ``late >= ready + assembly lead + transit - due`` when ``h = 1``.
    Lateness is priced for the leg's whole demand (conservative when a point is split-served).
    """
    legs, inbound = net.delivery, net.inbound
    if not net.asm.size or not inbound.size:
        cols.ready_asm = np.full(net.asm.size, -1, np.int64)
        return
    due = np.array(
        [np.inf if d.due_days is None else d.due_days for d in net.problem.delivery_points]
    )
    arrival = inbound_arrival_day(net)
    n_asm = net.asm.size
    a_max = np.zeros(n_asm)
    np.maximum.at(a_max, inbound.target, arrival)
    a_min = np.zeros(n_asm)
    for site in range(n_asm):
        here = inbound.target == site
        parts = np.unique(inbound.part[here])
        a_min[site] = max(
            (float(arrival[here & (inbound.part == p)].min()) for p in parts), default=0.0
        )
    asm_legs = np.flatnonzero(legs.from_assembly)
    a = legs.origin[asm_legs]
    base = (
        net.asm.lead_days[a]
        + legs.transit_days[asm_legs]
        - due[net.dk_point[legs.target[asm_legs]]]
    )
    hard = net.problem.options.lateness_penalty_per_unit_day is None
    always_late = a_min[a] + base > 1e-9
    maybe_late = (a_max[a] + base > 1e-9) & ~always_late
    if hard:
        b.upper[_block_of(b, cols.x)][cols.x[asm_legs[always_late]] - cols.x[0]] = 0.0
        critical = asm_legs[maybe_late]
    else:
        critical = asm_legs[always_late | maybe_late]
    cols.ready_asm = np.full(n_asm, -1, np.int64)
    if not len(critical):
        return
    crit_asm = np.unique(legs.origin[critical])
    cols.ready_asm[crit_asm] = b.add_columns(len(crit_asm), 0.0, 0.0, INF)
    in_legs = np.flatnonzero(np.isin(inbound.target, crit_asm))
    g = b.add_columns(len(in_legs), 0.0, 0, 1, integer=True)
    n = len(in_legs)
    bound = net.cand.capacity[inbound.origin[in_legs]]
    b.add_rows(
        "inbound_used",
        n,
        -INF,
        0.0,
        np.concatenate([np.arange(n), np.arange(n)]),
        np.concatenate([cols.w[in_legs], g]),
        np.concatenate([np.ones(n), -bound]),
    )
    b.add_rows(
        "ready_day",
        n,
        0.0,
        INF,
        np.concatenate([np.arange(n), np.arange(n)]),
        np.concatenate([cols.ready_asm[inbound.target[in_legs]], g]),
        np.concatenate([np.ones(n), -arrival[in_legs]]),
    )
    m = len(critical)
    pen = net.problem.options.lateness_penalty_per_unit_day or 0.0
    qty = leg_quantity(net)[critical]
    h = b.add_columns(m, 0.0, 0, 1, integer=True)
    late_cols = b.add_columns(m, pen * qty, 0.0, 0.0 if hard else INF)
    cols.late_leg, cols.late = critical, late_cols
    b.add_rows(
        "leg_used",
        m,
        -INF,
        0.0,
        np.concatenate([np.arange(m), np.arange(m)]),
        np.concatenate([cols.x[critical], h]),
        np.concatenate([np.ones(m), -np.ones(m)]),
    )
    a_c = legs.origin[critical]
    base_c = (
        net.asm.lead_days[a_c]
        + legs.transit_days[critical]
        - due[net.dk_point[legs.target[critical]]]
    )
    big_m = np.maximum(a_max[a_c] + base_c, 0.0)
    # late - ready - M h >= base - M
    b.add_rows(
        "lateness",
        m,
        base_c - big_m,
        INF,
        np.concatenate([np.arange(m), np.arange(m), np.arange(m)]),
        np.concatenate([late_cols, cols.ready_asm[a_c], h]),
        np.concatenate([np.ones(m), -np.ones(m), -big_m]),
    )


def _block_of(b: ModelBuilder, columns: I64) -> int:
    """Index of the column block that starts at ``columns[0]``."""
    start = 0
    for i, block in enumerate(b.cost):
        if start == int(columns[0]) and len(block):
            return i
        start += len(block)
    raise LookupError("column block not found")


def define_elastic_slacks(b: ModelBuilder, net: Network, cols: Columns) -> None:
    """Diagnosis mode: slacks on demand, capacities and options, each priced very high."""
    n_dk = len(net.dk_qty)
    cols.slack["shortfall"] = b.add_columns(n_dk, ELASTIC_PENALTY * net.dk_qty, 0, 1)
    # extra capacity is cheaper than unmet demand: the diagnosis names the short capacities
    cols.slack["capacity_slack"] = b.add_columns(net.cand.size, ELASTIC_PENALTY / 10, 0, INF)
    cols.slack["assembly_capacity_slack"] = b.add_columns(
        net.asm.size, ELASTIC_PENALTY / 10, 0, INF
    )
    o = net.problem.options
    if o.max_facilities is not None:
        cols.slack["max_facilities_slack"] = b.add_columns(1, ELASTIC_PENALTY * 1e3, 0, INF)
    if o.co2_budget_kg is not None:
        cols.slack["co2_budget_slack"] = b.add_columns(1, ELASTIC_PENALTY, 0, INF)
    if o.local_share is not None:
        cols.slack["local_share_slack"] = b.add_columns(1, ELASTIC_PENALTY, 0, INF)


def build_model(net: Network, *, elastic: bool = False) -> tuple[ModelBuilder, Columns]:
    """The whole model (without the strong linking rows, which are separated as cuts).

    The objective is carried by the column costs set where each variable is defined: landed cost
    (production, setup, transport, duties, fixed shipments) + CO2 price + lateness + shortfall.
    """
    b = ModelBuilder()
    cols = Columns()
    define_facility_open_variables(b, net, cols)
    define_flow_variables(b, net, cols)
    if elastic:
        define_elastic_slacks(b, net, cols)
    define_demand_constraints(b, net, cols)
    define_production_variables(b, net, cols)
    define_capacity_constraints(b, net, cols)
    if not elastic:
        define_capacity_cover_constraints(b, net, cols)
    define_linking_constraints(b, net, cols)
    define_minimum_lot_constraints(b, net, cols)
    define_max_facilities_constraint(b, net, cols)
    define_pinned_facilities(b, net, cols)
    define_single_sourcing(b, net, cols)
    define_local_share_constraint(b, net, cols)
    define_co2_budget(b, net, cols)
    if uses_time_indexed(net):
        cols.ready_asm = np.full(net.asm.size, -1, np.int64)
        cols.ready_days = define_time_indexed_due_dates(
            b, net, cols.x, cols.w, cols.z_asm, elastic=elastic
        )
    else:
        define_due_date_constraints(b, net, cols)
    return b, cols
