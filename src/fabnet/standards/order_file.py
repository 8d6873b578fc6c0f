"""fabnet's order file: what a buyer wants, where and by when (YAML or JSON).

.. code-block:: yaml

    name: Face shields and solar lamps for East African hospitals
    order_date: 2027-01-04          # default: today
    currency: EUR
    products:
      - key: headband               # how delivery points name it (default: the design ref)
        design: 3f2c...             # a design id (or unique prefix) or a path to an OKH manifest
        kits: false                 # true: deliver kits of parts; the recipient assembles them
    delivery_points:
      - id: knh                     # default: a slug of the name or place
        name: Kenyatta National Hospital
        place: "Nairobi, KE"        # or coordinates: [-1.30, 36.81]
        due: 2027-02-15             # or due_days: 42
        demand: {headband: 500}
    options:                        # the planner's options (all optional)
      co2_price_per_t: 80
      max_facilities: 12
      single_sourcing: false
      local_share: {countries: [KE, UG, TZ], min_share: 0.4}
      co2_budget_kg: 900
      lateness_penalty_per_unit_day: 0.5    # absent: due dates are hard
      shortfall_penalty_per_unit: 100       # absent: all demand must be met
      modes: [road, sea, air]
    matching:                       # constraints on who may make it (all optional)
      radius_km: 3000
      countries: [KE, UG, TZ, RW]
      exclude_countries: []
      require_certs: [ISO 13485]
      include_synthetic: true

This module only reads the file and checks its shape; resolving designs and places is the
planning service's job. Every problem is an :class:`~fabnet.errors.InputError` naming the file and
the field path.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from fabnet.errors import InputError
from fabnet.standards._safe_parse import load_bounded
from fabnet.standards._syntax import yaml_error_text

_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    return _SLUG.sub("-", text.casefold()).strip("-") or "x"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


ParameterValue = str | float | int | bool


class ProductSpec(_Spec):
    design: str = Field(min_length=1, description="Design id, unique id prefix or OKH path")
    key: str | None = Field(default=None, min_length=1)
    parameters: dict[str, ParameterValue] = Field(
        default_factory=dict, description="OpenSCAD Customizer values: the order gets a variant"
    )
    parameter_set: str | None = Field(
        default=None, min_length=1, description="One of the design's OpenSCAD parameter sets"
    )
    kits: bool = Field(
        default=False,
        description="Deliver the product as kits of its parts: every part goes straight to the "
        "delivery points and the recipient does the final assembly. Only for a design whose "
        'final assembly is a simple manual step (``kind = "manual"``); refused otherwise',
    )

    @property
    def ref(self) -> str:
        return self.key or self.design


#: Most units of one product that an order's delivery point, a match or a quote may ask for
#: (keeps quantities and their sums inside 64-bit integers).
MAX_UNITS = 1_000_000_000


class DeliveryPointSpec(_Spec):
    id: str | None = Field(default=None, min_length=1)
    name: str | None = None
    place: str | None = Field(default=None, description="A place name, e.g. 'Nairobi, KE'")
    coordinates: tuple[float, float] | None = Field(default=None, description="[lat, lon]")
    due: dt.date | None = None
    due_days: float | None = Field(default=None, gt=0)
    demand: dict[str, int] = Field(min_length=1)
    parameters: dict[str, dict[str, ParameterValue]] = Field(
        default_factory=dict,
        description="Per product key, this point's own Customizer values (a regional variant)",
    )

    @model_validator(mode="after")
    def _check(self) -> DeliveryPointSpec:
        if (self.place is None) == (self.coordinates is None):
            raise ValueError("give exactly one of 'place' or 'coordinates'")
        if self.coordinates is not None:
            lat, lon = self.coordinates
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError("coordinates must be [latitude, longitude] in degrees")
        if self.due is not None and self.due_days is not None:
            raise ValueError("give 'due' or 'due_days', not both")
        for key, qty in self.demand.items():
            if not 0 <= qty <= MAX_UNITS:
                raise ValueError(f"demand for {key!r} must be 0 to {MAX_UNITS:,} units, not {qty}")
        for key in self.parameters:
            if key not in self.demand:
                raise ValueError(f"parameters name {key!r}, which this point does not demand")
        return self

    @property
    def label(self) -> str:
        return self.name or self.place or f"{self.coordinates}"


class LocalShareSpec(_Spec):
    min_share: float = Field(gt=0, le=1)
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> LocalShareSpec:
        if not self.countries and not self.regions:
            raise ValueError("name the 'countries' or 'regions' that count as local")
        return self


class PlanOptionsSpec(_Spec):
    co2_price_per_t: float = Field(default=0.0, ge=0)
    max_facilities: int | None = Field(default=None, ge=1)
    single_sourcing: bool = False
    local_share: LocalShareSpec | None = None
    co2_budget_kg: float | None = Field(default=None, gt=0)
    lateness_penalty_per_unit_day: float | None = Field(default=None, ge=0)
    shortfall_penalty_per_unit: float | None = Field(default=None, ge=0)
    modes: tuple[Literal["road", "sea", "air"], ...] = ("road", "sea", "air")
    time_limit_s: float | None = Field(default=None, gt=0)
    gap: float | None = Field(default=None, ge=0, lt=1)


class MatchingSpec(_Spec):
    radius_km: float | None = Field(default=None, gt=0)
    countries: tuple[str, ...] = ()
    exclude_countries: tuple[str, ...] = ()
    require_certs: tuple[str, ...] = ()
    include_synthetic: bool = True
    pin_facilities: tuple[str, ...] = Field(
        default=(), description="Facility ids the plan must use (each makes or assembles something)"
    )
    exclude_facilities: tuple[str, ...] = Field(
        default=(), description="Facility ids the plan must not use"
    )
    platform_only: bool = Field(
        default=False,
        description="Plan only among facilities a manufacturer on the platform runs (invitable)",
    )

    @field_validator("exclude_facilities")
    @classmethod
    def _not_pinned(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        """A facility both pinned and excluded is a contradiction the buyer must resolve; the
        planner never picks one of the two silently."""
        pinned = set(info.data.get("pin_facilities", ()))
        both = sorted(pinned.intersection(value))
        if both:
            raise ValueError(
                f"{', '.join(both)} {'is' if len(both) == 1 else 'are'} both pinned "
                "(matching.pin_facilities) and excluded (matching.exclude_facilities); "
                "remove each from one of the two lists"
            )
        return value


class OrderSpec(_Spec):
    name: str = Field(min_length=1)
    order_date: dt.date | None = None
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    products: tuple[ProductSpec, ...] = Field(min_length=1)
    delivery_points: tuple[DeliveryPointSpec, ...] = Field(min_length=1)
    options: PlanOptionsSpec = PlanOptionsSpec()
    matching: MatchingSpec = MatchingSpec()

    @model_validator(mode="after")
    def _check_refs(self) -> OrderSpec:
        refs = [p.ref for p in self.products]
        if len(set(refs)) != len(refs):
            raise ValueError("two products share a key; give each a distinct 'key'")
        known = set(refs)
        for i, dp in enumerate(self.delivery_points):
            for key in dp.demand:
                if key not in known:
                    raise ValueError(
                        f"delivery_points[{i}].demand names {key!r}, which is not a product key "
                        f"(known: {', '.join(sorted(known))})"
                    )
        ids = self.delivery_point_ids()
        if len(set(ids)) != len(ids):
            raise ValueError("two delivery points get the same id; give each a distinct 'id'")
        return self

    def delivery_point_ids(self) -> list[str]:
        return [dp.id or slugify(dp.label) for dp in self.delivery_points]

    def due_days(self, index: int, today: dt.date) -> float | None:
        """Days from the order date to the due date of delivery point ``index``."""
        dp = self.delivery_points[index]
        if dp.due_days is not None:
            return dp.due_days
        if dp.due is None:
            return None
        start = self.order_date or today
        days = (dp.due - start).days
        if days <= 0:
            raise InputError(
                f"due date {dp.due} is not after the order date {start}",
                field=f"delivery_points[{index}].due",
                hint="give a later date, or set order_date",
            )
        return float(days)


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def parse_order(data: Any, *, source: str) -> OrderSpec:
    if not isinstance(data, dict):
        raise InputError(
            "an order file must be a mapping with name, products and delivery_points", source=source
        )
    try:
        return OrderSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = _loc(tuple(first["loc"])) or None
        msg = str(first["msg"]).removeprefix("Value error, ")
        more = len(exc.errors()) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise InputError(msg + suffix, source=source, field=field) from None


def load_order_file(path: Path) -> OrderSpec:
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file", source=source) from None
    except IsADirectoryError:
        raise InputError("is a folder; give the order file (YAML or JSON)", source=source) from None
    except UnicodeDecodeError:
        raise InputError(
            "the file is not UTF-8 text", source=source, hint="save the order file as UTF-8"
        ) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", source=source) from None
    try:
        parse = json.loads if path.suffix.lower() == ".json" else yaml.safe_load
        data = load_bounded(parse, text, lambda m: InputError(m, source=source))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", source=source
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(yaml_error_text(exc), source=source) from None
    return parse_order(data, source=source)
