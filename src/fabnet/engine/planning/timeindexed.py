"""Due dates of assembled products as a time-indexed model (ADR 0012).

An assembly site's parts-ready day is the latest whole-day arrival over the inbound legs it uses
(:func:`~fabnet.engine.planning.network.inbound_arrival_day`), so it is one of the site's arrival
days. Per site that can be late, the model gets

* one binary ``y[a, k]`` per candidate ready day ``s_k`` ("the parts are ready on day s_k"), their
  sum equal to the site's setup binary;
* the delivery fractions split by ready day, ``x[l] = sum_k x[l, k]``; the lateness of leg ``l``
  at ready day ``s_k`` is a constant, so ``x[l, k]`` carries ``penalty x units x days late`` in its
  cost (lateness per unit, exact also when a point is split-served) or, with hard due dates, an
  upper bound of 0 when late;
* units assembled per ready day ``A[a, k] = sum_l units x[l, k] <= M[a, k] y[a, k]`` with ``M`` the
  site's capacity bounded by the demand it can reach on that day (no whole-capacity big-M), and
  ``sum_modes x[l, k] <= y[a, k]`` per demand pair (the strong linking rows);
* a parts stock per (site, BOM part, ready day): parts that arrived by ``s_k`` cover the units
  assembled by ``s_k``. With one ready day this says that no used part arrives after it; the LP
  relaxation sees assembly in batches as parts arrive, a much tighter bound than big-M rows.

Candidate ready days are reduced without losing plans: days before every BOM part can be there
are dropped; days on which every leg from the site is on time are merged into the last of them;
with hard due dates days with the same on-time legs are merged into the last one and days on
which no leg is on time are dropped. A site with a single candidate day needs no binaries (its
lateness is a constant per leg).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .builder import INF, ModelBuilder
from .network import Network, inbound_arrival_day

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
TOL = 1e-9


@dataclass(frozen=True)
class _Site:
    site: int
    days: F64  # candidate ready days, ascending
    out_legs: I64  # delivery legs from the site that some day allows
    allowed: NDArray[np.bool_]  # (legs, days)
    late: F64  # (legs, days): days late
    in_legs: I64  # inbound legs that can arrive by the last day


def ready_days(days: F64, theta: F64, hard: bool) -> F64:
    """Candidate ready days among the ascending arrival ``days`` of a site whose delivery legs
    are on time when the parts are ready by ``theta`` (per leg; see the module docstring)."""
    if not len(days) or not len(theta):
        return days[:0]
    if hard:
        on = days[:, None] <= theta[None, :] + TOL
        useful = on.any(axis=1)
        days, on = days[useful], on[useful]
        keep = np.ones(len(days), bool)
        keep[:-1] = (on[:-1] != on[1:]).any(axis=1)
        return days[keep]
    early = days <= float(theta.min()) + TOL
    return np.concatenate([days[early][-1:], days[~early]])


def uses_time_indexed(net: Network) -> bool:
    """Whether the model takes the time-indexed due dates (see ``PlanningOptions``)."""
    choice = net.problem.options.due_date_model
    if choice == "big_m":
        return False
    if choice == "time_indexed":
        return True
    return any(d.due_days is not None for d in net.problem.delivery_points)


def _block(b: ModelBuilder, columns: I64) -> tuple[int, int]:
    """(block index, first column) of the column block that starts at ``columns[0]``."""
    start = 0
    for i, block in enumerate(b.cost):
        if start == int(columns[0]) and len(block):
            return i, start
        start += len(block)
    raise LookupError("column block not found")


def _sites(net: Network, x_upper: F64, w_upper: F64) -> tuple[list[_Site], F64]:
    """The sites that need ready-day binaries; adjusts bounds and returns the extra x cost of
    sites with a single candidate day (lateness per unit of fraction)."""
    legs, inbound = net.delivery, net.inbound
    o = net.problem.options
    hard = o.lateness_penalty_per_unit_day is None
    pen = o.lateness_penalty_per_unit_day or 0.0
    due = np.array(
        [np.inf if d.due_days is None else d.due_days for d in net.problem.delivery_points]
    )
    arrival = inbound_arrival_day(net)
    qty = net.dk_qty[legs.target]
    extra_cost = np.zeros(legs.size)
    asm_legs = np.flatnonzero(legs.from_assembly)
    theta = np.full(legs.size, np.inf)
    theta[asm_legs] = (
        due[net.dk_point[legs.target[asm_legs]]]
        - net.asm.lead_days[legs.origin[asm_legs]]
        - legs.transit_days[asm_legs]
    )
    out_order = asm_legs[np.argsort(legs.origin[asm_legs], kind="stable")]
    out_split = np.searchsorted(legs.origin[out_order], np.arange(net.asm.size + 1))
    in_order = np.argsort(inbound.target, kind="stable")
    in_split = np.searchsorted(inbound.target[in_order], np.arange(net.asm.size + 1))
    sites: list[_Site] = []
    for a in range(net.asm.size):
        out = out_order[out_split[a] : out_split[a + 1]]
        out = out[x_upper[out] > 0]
        into = in_order[in_split[a] : in_split[a + 1]]
        if not len(out) or not len(into):
            continue
        parts = np.flatnonzero(net.bom[net.asm.item[a]])
        firsts = [arrival[into[inbound.part[into] == p]] for p in parts]
        if any(not len(f) for f in firsts):
            continue  # a part nobody can bring: the BOM balance keeps the site idle
        earliest = max(float(f.min()) for f in firsts)
        days = np.unique(arrival[into])
        days = ready_days(days[days >= earliest - TOL], theta[out], hard)
        if not len(days):
            x_upper[out] = 0.0
            continue
        w_upper[into[arrival[into] > days[-1] + TOL]] = 0.0
        late = np.maximum(0.0, days[None, :] - theta[out][:, None])
        allowed = late <= TOL if hard else np.ones(late.shape, bool)
        usable = allowed.any(axis=1)
        x_upper[out[~usable]] = 0.0
        out, allowed, late = out[usable], allowed[usable], late[usable]
        if len(days) == 1:
            extra_cost[out] = pen * qty[out] * late[:, 0]
            continue
        if not len(out):
            continue
        sites.append(
            _Site(a, days, out, allowed, late, into[arrival[into] <= days[-1] + TOL])
        )
    return sites, extra_cost


@dataclass(frozen=True)
class ReadyDays:
    """Columns of the time-indexed due dates (empty when no site needs ready-day binaries)."""

    y: I64  # ready-day binaries
    site: I64  # assembly candidate of each
    day: F64  # the ready day of each
    x_day: I64  # delivery fractions split by ready day
    x_day_leg: I64  # delivery leg of each
    x_day_index: I64  # position in ``y`` of each


def _empty() -> ReadyDays:
    i = np.zeros(0, np.int64)
    return ReadyDays(i, i, np.zeros(0), i, i, i)


def define_time_indexed_due_dates(
    b: ModelBuilder, net: Network, x: I64, w: I64, z_asm: I64, *, elastic: bool = False
) -> ReadyDays:
    """Add the ready-day binaries, split delivery fractions, per-day capacity and parts stock
    rows of the module docstring over the delivery fractions ``x``, inbound flows ``w`` and
    assembly setups ``z_asm``."""
    legs, inbound = net.delivery, net.inbound
    if not net.asm.size or not inbound.size or not legs.size:
        return _empty()
    xb, x0 = _block(b, x)
    wb, w0 = _block(b, w)
    x_upper = b.upper[xb][x - x0]
    w_upper = b.upper[wb][w - w0]
    sites, extra = _sites(net, x_upper, w_upper)
    b.upper[xb][x - x0] = x_upper
    b.upper[wb][w - w0] = w_upper
    b.cost[xb][x - x0] += extra
    if not sites:
        return _empty()
    pen = net.problem.options.lateness_penalty_per_unit_day or 0.0
    qty = net.dk_qty[legs.target]
    n_days = np.array([len(s.days) for s in sites])
    first_day = np.concatenate([[0], np.cumsum(n_days)])
    total = int(first_day[-1])
    # per-day capacity: the site's capacity, at most the demand it can reach on that day
    m_cap = np.zeros(total)
    for i, s in enumerate(sites):
        for k in range(len(s.days)):
            pairs = np.unique(legs.target[s.out_legs[s.allowed[:, k]]])
            reach = float(net.dk_qty[pairs].sum())
            m_cap[first_day[i] + k] = reach if elastic else min(reach, net.asm.capacity[s.site])
    y = b.add_columns(total, 0.0, 0, 1, integer=True)
    units = b.add_columns(total, 0.0, 0.0, INF)
    leg_of: list[I64] = []
    day_of: list[I64] = []
    cost_of: list[F64] = []
    for i, s in enumerate(sites):
        li, ki = np.nonzero(s.allowed)
        leg_of.append(s.out_legs[li])
        day_of.append(first_day[i] + ki)
        cost_of.append(pen * qty[s.out_legs[li]] * s.late[li, ki])
    xl = np.concatenate(leg_of)
    xd = np.concatenate(day_of)
    xs = b.add_columns(len(xl), np.concatenate(cost_of), 0.0, 1.0)
    n_sites = len(sites)
    site_of_day = np.repeat(np.arange(n_sites), n_days)
    # one ready day per open site
    b.add_rows(
        "ready_day_choice",
        n_sites,
        0.0,
        0.0,
        np.concatenate([site_of_day, np.arange(n_sites)]),
        np.concatenate([y, z_asm[[s.site for s in sites]]]),
        np.concatenate([np.ones(total), -np.ones(n_sites)]),
        entity=np.array([s.site for s in sites], np.int64),
    )
    # x[l] = sum_k x[l, k]
    split_legs = np.unique(xl)
    pos = np.searchsorted(split_legs, xl)
    n = len(split_legs)
    b.add_rows(
        "ready_day_split",
        n,
        0.0,
        0.0,
        np.concatenate([np.arange(n), pos]),
        np.concatenate([x[split_legs], xs]),
        np.concatenate([np.ones(n), -np.ones(len(xs))]),
    )
    # A[k] = sum_l units x[l, k];  A[k] <= M[k] y[k]
    b.add_rows(
        "ready_day_units",
        total,
        0.0,
        0.0,
        np.concatenate([np.arange(total), xd]),
        np.concatenate([units, xs]),
        np.concatenate([np.ones(total), -qty[xl]]),
    )
    b.add_rows(
        "ready_day_capacity",
        total,
        -INF,
        0.0,
        np.concatenate([np.arange(total), np.arange(total)]),
        np.concatenate([units, y]),
        np.concatenate([np.ones(total), -m_cap]),
    )
    # sum over modes of x[l, k] <= y[k] per (demand pair, day)
    key = xd * max(len(net.dk_qty), 1) + legs.target[xl]
    uniq, link_row = np.unique(key, return_inverse=True)
    day_of_link = uniq // max(len(net.dk_qty), 1)
    m = len(uniq)
    b.add_rows(
        "ready_day_link",
        m,
        -INF,
        0.0,
        np.concatenate([link_row, np.arange(m)]),
        np.concatenate([xs, y[day_of_link]]),
        np.concatenate([np.ones(len(xs)), -np.ones(m)]),
    )
    _define_parts_stock(b, net, w, sites, first_day, units)
    return ReadyDays(
        y,
        np.repeat(np.array([s.site for s in sites], np.int64), n_days),
        np.concatenate([s.days for s in sites]),
        xs,
        xl,
        xd,
    )


def _define_parts_stock(
    b: ModelBuilder,
    net: Network,
    w: I64,
    sites: list[_Site],
    first_day: I64,
    units: I64,
) -> None:
    """stock[k] = stock[k-1] + parts arriving in (s_{k-1}, s_k] - BOM x A[k] >= 0 for every
    ready day but the last (the BOM balance covers the last)."""
    inbound = net.inbound
    arrival = inbound_arrival_day(net)
    rows: list[I64] = []
    cols_: list[I64] = []
    vals: list[F64] = []
    n_rows = 0
    stock_count = 0
    stock_rows: list[tuple[int, int]] = []  # (row, previous row or -1) per stock column
    for i, s in enumerate(sites):
        k_days = len(s.days)
        bom = net.bom[net.asm.item[s.site]]
        window = np.searchsorted(s.days, arrival[s.in_legs] - TOL)  # day index of each leg
        for p in np.flatnonzero(bom):
            mine = inbound.part[s.in_legs] == p
            for k in range(k_days - 1):
                legs_k = s.in_legs[mine & (window == k)]
                rows.append(np.full(len(legs_k) + 1, n_rows, np.int64))
                cols_.append(np.concatenate([w[legs_k], [units[first_day[i] + k]]]))
                vals.append(np.concatenate([-np.ones(len(legs_k)), [bom[p]]]))
                stock_rows.append((n_rows, n_rows - 1 if k > 0 else -1))
                n_rows += 1
                stock_count += 1
    if not n_rows:
        return
    stock = b.add_columns(stock_count, 0.0, 0.0, INF)
    this_row = np.array([r for r, _ in stock_rows], np.int64)
    prev_row = np.array([q for _, q in stock_rows], np.int64)
    has_prev = prev_row >= 0
    # stock column j belongs to row j (+1) and to the next row of the same (site, part) (-1)
    next_of = np.flatnonzero(has_prev)
    rows.extend([this_row, this_row[next_of]])
    cols_.extend([stock, stock[next_of - 1]])
    vals.extend([np.ones(stock_count), -np.ones(len(next_of))])
    b.add_rows(
        "parts_stock",
        n_rows,
        0.0,
        0.0,
        np.concatenate(rows),
        np.concatenate(cols_),
        np.concatenate(vals),
    )
