"""A plan as a GeoJSON FeatureCollection: facilities, assembly sites, delivery points, flows."""

from __future__ import annotations

from typing import Any

from .problem import PlanningProblem
from .result import PlanResult


def plan_to_geojson(problem: PlanningProblem, result: PlanResult) -> dict[str, Any]:
    """Points for used facilities (role: production / assembly) and delivery points, LineStrings
    for flows (properties: item, quantity, mode, costs, CO2e, days). Coordinates are [lon, lat]."""
    facilities = {f.id: f for f in problem.facilities}
    points = {d.id: d for d in problem.delivery_points}
    features: list[dict[str, Any]] = []
    producing: dict[str, list[dict[str, Any]]] = {}
    for line in result.production:
        producing.setdefault(line.facility_id, []).append(
            {"part_id": line.part_id, "quantity": line.quantity}
        )
    assembling: dict[str, list[dict[str, Any]]] = {}
    for a in result.assembly:
        assembling.setdefault(a.facility_id, []).append(
            {"product_id": a.product_id, "quantity": a.quantity}
        )
    for fid in sorted(set(producing) | set(assembling)):
        f = facilities[fid]
        roles = [r for r, d in (("production", producing), ("assembly", assembling)) if fid in d]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [f.lon, f.lat]},
                "properties": {
                    "kind": "facility",
                    "id": fid,
                    "roles": roles,
                    "country": f.country,
                    "production": producing.get(fid, []),
                    "assembly": assembling.get(fid, []),
                },
            }
        )
    lead = result.lead_time_days
    for d in problem.delivery_points:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [d.lon, d.lat]},
                "properties": {
                    "kind": "delivery_point",
                    "id": d.id,
                    "due_days": d.due_days,
                    "lead_time_days": lead.get(d.id),
                    "demand": [{"product_id": k, "quantity": q} for k, q in d.demand],
                },
            }
        )
    for flow in result.flows:
        o = facilities[flow.origin_facility_id]
        dest = (
            points[flow.destination_id]
            if flow.to_delivery_point
            else facilities[flow.destination_id]
        )
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[o.lon, o.lat], [dest.lon, dest.lat]],
                },
                "properties": {
                    "kind": "flow",
                    "item_id": flow.item_id,
                    "from": flow.origin_facility_id,
                    "to": flow.destination_id,
                    "to_kind": "delivery_point" if flow.to_delivery_point else "assembly",
                    "mode": flow.mode,
                    "quantity": flow.quantity,
                    "transport_cost": flow.transport_cost,
                    "duty": flow.duty,
                    "co2e_kg": flow.co2e_kg,
                    "transit_days": flow.transit_days,
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "properties": {"status": result.status, "objective": result.objective, "gap": result.gap},
    }
