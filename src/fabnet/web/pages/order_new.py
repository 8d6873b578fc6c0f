"""The order wizard: products and quantities, delivery points with due dates, the planner's
options, saved as a DRAFT order.

The form builds the same order specification as an order file (:class:`OrderSpec`) and calls the
service that ``POST /v1/orders`` calls; the new order's page follows.

It works as a full page load: "Add a product", "Add a delivery point" and the remove buttons post
the form back (``change=...``) and the page comes back with the rows changed and every value kept;
with htmx the same buttons swap only the form. A delivery point is a place name resolved with the
offline gazetteer (``/orders/new/places`` suggests names as the user types) or coordinates, which
a click on the point's map fills in (``/orders/new/place-at`` names the nearest town).

Field names: a row's fields carry its 1-based numbers after the name, except the first row's,
which carry none (``design``, ``design-2``; ``place``, ``place-2``; the quantity of product *i* at
point *j* is ``quantity-j-i``, and ``quantity`` for the first product at the first point), so the
one-product, one-place form is the wizard with one row of each.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from fabnet.domain.orders.incoterms import DeliveryTerms, Incoterm, TransportMode
from fabnet.errors import AmbiguousPlaceError, FabnetError, InputError
from fabnet.geo.countries import country_code
from fabnet.standards.order_file import (
    MAX_UNITS,
    DeliveryPointSpec,
    LocalShareSpec,
    MatchingSpec,
    OrderSpec,
    PlanOptionsSpec,
    ProductSpec,
    slugify,
)
from fabnet.vocab.certifications import (
    KNOWN_CERTIFICATIONS,
    is_known_certification,
    normalise_certification,
)
from fabnet.web import services
from fabnet.web.deps import CurrentUser, Db
from fabnet.web.pages.designs import all_designs
from fabnet.web.render import is_htmx, render

router = APIRouter()

MAX_ROWS = 20
"""Most products, and most delivery points, one wizard takes (an order file takes more)."""

OPTION_FIELDS = (
    "co2_price", "lateness_penalty", "local_share", "local_countries", "max_facilities",
    "certifications", "radius_km", "platform_only",
)  # fmt: skip
TERMS_FIELDS = ("incoterm", "named_place", "transport_mode")
"""The delivery terms every lot's contract takes (an order needs them before it is planned)."""
INCOTERMS = (
    (Incoterm.DAP, "DAP: delivered at the place named (the maker ships, unloading is yours)"),
    (Incoterm.DDP, "DDP: delivered duty paid"),
    (Incoterm.DPU, "DPU: delivered at the place, unloaded"),
    (Incoterm.CPT, "CPT: carriage paid to the place named"),
    (Incoterm.CIP, "CIP: carriage and insurance paid to the place named"),
    (Incoterm.FCA, "FCA: free carrier (you arrange the transport from the maker)"),
    (Incoterm.EXW, "EXW: ex works (you collect at the maker)"),
)
TRANSPORT_MODES = tuple((m, m.value.replace("-", " ")) for m in TransportMode)


def fname(base: str, *index: int) -> str:
    """The form field of a row: ``base`` for the first row, else ``base-<1-based numbers>``."""
    if all(i == 0 for i in index):
        return base
    return base + "-" + "-".join(str(i + 1) for i in index)


@dataclass
class PointRow:
    label: str = ""
    place: str = ""
    lat: str = ""
    lon: str = ""
    due: str = ""
    quantities: list[str] = field(default_factory=list)


@dataclass
class Wizard:
    """What the form holds, as typed (strings), row by row."""

    name: str = ""
    designs: list[str] = field(default_factory=lambda: [""])
    points: list[PointRow] = field(default_factory=lambda: [PointRow(quantities=["1"])])
    options: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_form(cls, form: Mapping[str, str]) -> Wizard:
        def text(name: str) -> str:
            return str(form.get(name, "") or "")

        n_products = _row_count(text("products"))
        n_points = _row_count(text("points"))
        designs = [text(fname("design", i)).strip() for i in range(n_products)]
        points = [
            PointRow(
                label=text(fname("label", j)),
                place=text(fname("place", j)),
                lat=text(fname("lat", j)).strip(),
                lon=text(fname("lon", j)).strip(),
                due=text(fname("due", j)).strip(),
                quantities=[text(fname("quantity", j, i)).strip() for i in range(n_products)],
            )
            for j in range(n_points)
        ]
        options = {key: text(key) for key in (*OPTION_FIELDS, *TERMS_FIELDS)}
        return cls(name=text("name"), designs=designs, points=points, options=options)

    def change(self, action: str) -> str:
        """Apply an add-a-row or remove-a-row button (``add-product``, ``remove-point-2``...);
        the field to focus next (the new row's first), or ""."""
        if action == "add-product" and len(self.designs) < MAX_ROWS:
            self.designs.append("")
            for point in self.points:
                point.quantities.append("")
            return fname("design", len(self.designs) - 1)
        if action == "add-point" and len(self.points) < MAX_ROWS:
            self.points.append(PointRow(quantities=["" for _ in self.designs]))
            return fname("place", len(self.points) - 1)
        if action.startswith("remove-product-") and len(self.designs) > 1:
            i = _index_of(action, len(self.designs))
            if i is not None:
                del self.designs[i]
                for point in self.points:
                    del point.quantities[i]
        elif action.startswith("remove-point-") and len(self.points) > 1:
            j = _index_of(action, len(self.points))
            if j is not None:
                del self.points[j]
        return ""


def _row_count(text: str) -> int:
    try:
        return min(max(int(text), 1), MAX_ROWS)
    except ValueError:
        return 1


def _index_of(action: str, rows: int) -> int | None:
    try:
        number = int(action.rsplit("-", 1)[1])
    except ValueError:
        return None
    return number - 1 if 1 <= number <= rows else None


# -- checking the form -----------------------------------------------------------------------


@dataclass
class Checked:
    spec: OrderSpec | None
    errors: dict[str, str]
    delivery: DeliveryTerms | None = None


def _number(
    errors: dict[str, str], name: str, text: str, what: str, *, minimum: float = 0,
    above: bool = False, whole: bool = False,
) -> float | None:  # fmt: skip
    """``text`` as a number (None when empty); a problem goes to ``errors[name]``."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        errors[name] = f"{what} must be a number; {text!r} is not one."
        return None
    if not math.isfinite(value):
        errors[name] = f"{what} must be a number; {text!r} is not one."
        return None
    if whole and value != int(value):
        errors[name] = f"{what} must be a whole number, not {text}."
        return None
    if value < minimum or (above and value <= minimum):
        bound = "more than" if above else "at least"
        errors[name] = f"{what} must be {bound} {minimum:g}, not {text}."
        return None
    return value


def _place_error(text: str, error: InputError) -> str:
    """A place the gazetteer cannot resolve, in the user's words, naming it and the near names."""
    if isinstance(error, AmbiguousPlaceError):
        shown = "; ".join(c.split(" (", 1)[0] for c in error.candidates[:5])
        return (
            f"“{text}” names several places ({shown}). Add the region or country after a comma, "
            "e.g. “Springfield, Illinois, US”, pick one of the suggestions, or click the map."
        )
    fix = "check the spelling, add the country after a comma (e.g. “Kisumu, KE”) or click the map"
    if error.message.startswith("no place called"):
        near = error.hint or ""
        return f"fabnet knows no place called “{text}”; " + (
            f"{near} Or {fix}." if near else f"{fix}."
        )
    return f"“{text}”: {error.message}; {error.hint or fix}."


def _check_point(
    wizard: Wizard, j: int, today: dt.date, errors: dict[str, str]
) -> dict[str, Any] | None:
    """The order file's fields of delivery point ``j`` (None when one of them is wrong)."""
    point = wizard.points[j]
    number = f"delivery point {j + 1}" if len(wizard.points) > 1 else "the delivery point"
    ok = True
    fields: dict[str, Any] = {"id": f"{slugify(point.label or point.place or 'point')}-{j + 1}"}
    if point.label.strip():
        fields["name"] = point.label.strip()
    lat = _number(errors, fname("lat", j), point.lat, "The latitude", minimum=-90)
    lon = _number(errors, fname("lon", j), point.lon, "The longitude", minimum=-180)
    if lat is not None and lat > 90:
        errors[fname("lat", j)] = f"The latitude must be -90 to 90, not {point.lat}."
        lat = None
    if lon is not None and lon > 180:
        errors[fname("lon", j)] = f"The longitude must be -180 to 180, not {point.lon}."
        lon = None
    if fname("lat", j) in errors or fname("lon", j) in errors:
        ok = False
    elif (lat is None) != (lon is None):
        missing = "lon" if lon is None else "lat"
        errors[fname(missing, j)] = (
            "Give both latitude and longitude (or click the map), or leave both empty."
        )
        ok = False
    elif lat is not None and lon is not None:
        fields["coordinates"] = (lat, lon)
        fields.setdefault("name", point.place.strip() or f"{lat:.4f}, {lon:.4f}")
    elif not point.place.strip():
        errors[fname("place", j)] = (
            f"Name the place of {number}, e.g. “Kisumu, KE”, or click the map."
        )
        ok = False
    else:
        try:
            services.locate_place(point.place)
        except InputError as error:
            errors[fname("place", j)] = _place_error(point.place.strip(), error)
            ok = False
        else:
            fields["place"] = point.place.strip()
    if point.due:
        try:
            due = dt.date.fromisoformat(point.due)
        except ValueError:
            errors[fname("due", j)] = f"“{point.due}” is not a date; use YYYY-MM-DD."
            ok = False
        else:
            if due <= today:
                when = "today" if due == today else "in the past"
                errors[fname("due", j)] = (
                    f"The due date {due.isoformat()} is {when}; give a date after today "
                    f"({today.isoformat()})."
                )
                ok = False
            else:
                fields["due"] = due
    return fields if ok else None


def _check_quantities(wizard: Wizard, errors: dict[str, str]) -> list[list[int]] | None:
    """Units of product ``i`` at point ``j`` as ``[j][i]`` (None when one is wrong)."""
    single = len(wizard.designs) == 1 and len(wizard.points) == 1
    table: list[list[int]] = []
    ok = True
    for j, point in enumerate(wizard.points):
        row: list[int] = []
        for i, text in enumerate(point.quantities):
            name = fname("quantity", j, i)
            if not text and not single:
                row.append(0)
                continue
            try:
                units = int(text)
            except ValueError:
                errors[name] = "The quantity must be a whole number of at least 1."
                ok = False
                row.append(0)
                continue
            if units < 0 or units > MAX_UNITS or (single and units < 1):
                errors[name] = (
                    "The quantity must be a whole number of at least 1."
                    if units < 1
                    else f"The quantity must be at most {MAX_UNITS:,}."
                )
                ok = False
            row.append(units)
        table.append(row)
    if not ok:
        return None
    for j, row in enumerate(table):
        if sum(row) == 0:
            errors[fname("quantity", j, 0)] = (
                f"Delivery point {j + 1} asks for nothing; give at least 1 unit of a product "
                "or remove the point."
            )
            ok = False
    for i in range(len(wizard.designs)):
        if wizard.designs[i] and all(row[i] == 0 for row in table) and len(wizard.points) > 1:
            errors[fname("design", i)] = (
                f"No delivery point asks for product {i + 1}; give it a quantity at a point "
                "or remove the product."
            )
            ok = False
    return table if ok else None


def _check_options(
    wizard: Wizard, errors: dict[str, str]
) -> tuple[PlanOptionsSpec, MatchingSpec] | None:
    opts = wizard.options
    before = len(errors)
    co2 = _number(errors, "co2_price", opts.get("co2_price", ""), "The CO2 price")
    lateness = _number(
        errors, "lateness_penalty", opts.get("lateness_penalty", ""), "The lateness penalty"
    )
    share = _number(
        errors, "local_share", opts.get("local_share", ""), "The local share", minimum=0,
        above=True,
    )  # fmt: skip
    if share is not None and share > 100:
        errors["local_share"] = f"The local share is a percentage: 1 to 100, not {share:g}."
        share = None
    max_facilities = _number(
        errors, "max_facilities", opts.get("max_facilities", ""), "The number of facilities",
        minimum=1, whole=True,
    )  # fmt: skip
    radius = _number(
        errors, "radius_km", opts.get("radius_km", ""), "The radius", minimum=0, above=True
    )
    countries: list[str] = []
    for text in _items(opts.get("local_countries", "")):
        try:
            countries.append(country_code(text))
        except InputError as error:
            errors["local_countries"] = f"fabnet does not know the country “{text}”" + (
                f"; {error.hint}" if error.hint else ""
            )
    if share is not None and not countries and "local_countries" not in errors:
        errors["local_countries"] = (
            "Name the countries whose facilities count as local, e.g. “KE, UG, TZ”."
        )
    if countries and share is None and "local_share" not in errors:
        errors["local_share"] = (
            "Give the share (per cent) of units to make in these countries, or clear them."
        )
    certs: list[str] = []
    for text in _items(opts.get("certifications", "")):
        code = normalise_certification(text)
        if not is_known_certification(code):
            known = ", ".join(sorted(KNOWN_CERTIFICATIONS)[:6])
            errors["certifications"] = (
                f"fabnet does not know the certification “{text}”; write it as on the "
                f"certificate, e.g. {known}."
            )
        elif code not in certs:
            certs.append(code)
    if len(errors) > before:
        return None
    options = PlanOptionsSpec(
        co2_price_per_t=co2 or 0.0,
        lateness_penalty_per_unit_day=lateness,
        max_facilities=int(max_facilities) if max_facilities is not None else None,
        local_share=(
            LocalShareSpec(min_share=share / 100, countries=tuple(countries))
            if share is not None
            else None
        ),
    )
    matching = MatchingSpec(
        radius_km=radius,
        require_certs=tuple(certs),
        platform_only=opts.get("platform_only", "") in ("on", "true", "1", "yes"),
    )
    return options, matching


def _items(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def check(wizard: Wizard, known_designs: set[str], today: dt.date) -> Checked:
    """The order specification the form describes, or every problem at its field."""
    errors: dict[str, str] = {}
    if not wizard.name.strip():
        errors["name"] = "Give the order a name your colleagues will recognise."
    for i, design in enumerate(wizard.designs):
        name = fname("design", i)
        if not design:
            errors[name] = "Choose the design to order."
        elif design not in known_designs:
            errors[name] = "This design is not in the library any more; choose another."
        elif design in wizard.designs[:i]:
            first = wizard.designs.index(design) + 1
            errors[name] = (
                f"This design is already product {first}; give its quantities there "
                "and remove this row."
            )
    points = [_check_point(wizard, j, today, errors) for j in range(len(wizard.points))]
    table = _check_quantities(wizard, errors)
    options = _check_options(wizard, errors)
    terms = _check_terms(wizard, errors)
    if (
        errors
        or terms is None
        or table is None
        or options is None
        or any(p is None for p in points)
    ):
        return Checked(None, errors)
    delivery = []
    for j, point in enumerate(points):
        assert point is not None
        demand = {d: table[j][i] for i, d in enumerate(wizard.designs) if table[j][i] > 0}
        delivery.append(DeliveryPointSpec(**point, demand=demand))
    try:
        spec = OrderSpec(
            name=wizard.name.strip(),
            order_date=today,
            products=tuple(ProductSpec(design=d) for d in wizard.designs),
            delivery_points=tuple(delivery),
            options=options[0],
            matching=options[1],
        )
    except ValidationError as error:
        problem = error.errors()[0]
        text = str(problem.get("msg", "not valid")).removeprefix("Value error, ")
        return Checked(None, {"form": f"The order is not valid yet: {text}."})
    return Checked(spec, {}, terms)


def _check_terms(wizard: Wizard, errors: dict[str, str]) -> DeliveryTerms | None:
    """The Incoterm rule, its named place (by default the first delivery point's place) and the
    main transport mode."""
    opts = wizard.options
    rule = opts.get("incoterm", "").strip() or Incoterm.DAP.value
    mode = opts.get("transport_mode", "").strip() or TransportMode.ROAD.value
    first = wizard.points[0] if wizard.points else PointRow()
    place = opts.get("named_place", "").strip() or first.label.strip() or first.place.strip()
    if rule not in {r.value for r, _ in INCOTERMS}:
        errors["incoterm"] = "Choose one of the Incoterms rules listed."
    if mode not in {m.value for m in TransportMode}:
        errors["transport_mode"] = "Choose one of the transport modes listed."
    if len(place) < 2:
        errors["named_place"] = (
            "Name the place the delivery terms refer to, e.g. “Kisumu, KE”, or give the first "
            "delivery point a place."
        )
    if {"incoterm", "transport_mode", "named_place"} & errors.keys():
        return None
    return DeliveryTerms(rule=Incoterm(rule), named_place=place, transport_mode=TransportMode(mode))


def _service_error_field(error: InputError, wizard: Wizard) -> str:
    """The wizard's field for a service error about ``products[i].design`` and so on."""
    where = error.field or ""
    for base, key in (("design", "products["), ("place", "delivery_points[")):
        if where.startswith(key):
            try:
                index = int(where[len(key) :].split("]", 1)[0])
            except ValueError:
                continue
            if base == "place" and where.endswith(".due"):
                base = "due"
            return fname(base, index)
    return "form"


# -- pages -----------------------------------------------------------------------------------


def _form(
    request: Request,
    db: Db,
    wizard: Wizard,
    errors: dict[str, str],
    status: int = 200,
    *,
    partial: bool = False,
    focus: str = "",
) -> Response:
    designs = [(d.id, d.name) for d in all_designs(db)]
    names = dict(designs)
    context = {
        "designs": designs,
        "design_name": lambda i: names.get(wizard.designs[i], "") or f"product {i + 1}",
        "wizard": wizard,
        "values": wizard.options,
        "errors": errors,
        "fname": fname,
        "max_rows": MAX_ROWS,
        "incoterms": [(r.value, text) for r, text in INCOTERMS],
        "transport_modes": [(m.value, text) for m, text in TRANSPORT_MODES],
        "today": dt.date.today().isoformat(),
        "focus": focus,
    }
    template = "orders/_wizard.html" if partial else "orders/new.html"
    return render(request, template, context, status_code=status, title="New order")


@router.get("/orders/new")
def new_order_form(request: Request, user: CurrentUser, db: Db, design: str = "") -> Response:
    wizard = Wizard(designs=[design])
    return _form(request, db, wizard, {})


@router.post("/orders/new")
async def create_order(request: Request, user: CurrentUser, db: Db) -> Response:
    form = await request.form()
    data = {key: value for key, value in form.items() if isinstance(value, str)}
    wizard = Wizard.from_form(data)
    change = data.get("change", "")
    if change:
        focus = wizard.change(change)
        return await run_in_threadpool(
            lambda: _form(request, db, wizard, {}, partial=is_htmx(request), focus=focus)
        )
    return await run_in_threadpool(_save, request, user, db, wizard)


def _save(request: Request, user: CurrentUser, db: Db, wizard: Wizard) -> Response:
    known = {d.id for d in all_designs(db)}
    checked = check(wizard, known, dt.date.today())
    if checked.spec is None:
        return _form(request, db, wizard, checked.errors, 422)
    try:
        order = services.create_order(
            db, user.principal, checked.spec, terms=services.OrderTerms(delivery=checked.delivery)
        )
    except InputError as error:
        text = error.message + (f" ({error.hint})" if error.hint else "")
        return _form(request, db, wizard, {_service_error_field(error, wizard): text}, 422)
    except FabnetError as error:
        if error.http_status not in (404, 422):
            raise
        text = error.message + (f" ({error.hint})" if error.hint else "")
        return _form(request, db, wizard, {"form": text}, 422)
    return RedirectResponse(f"/orders/{order.id}", status_code=303)


@router.get("/orders/new/places")
def place_suggestions(request: Request, user: CurrentUser, field: str = "place") -> Response:
    """The suggestion list under a place field (htmx), from the text typed in ``field``."""
    if field != "place" and not (field.startswith("place-") and field[6:].isdigit()):
        raise InputError("no such place field", field="field")
    text = request.query_params.get(field, "")
    places = services.suggest_places(text, limit=8) if text.strip() else []
    context = {"places": places, "field": field, "text": text.strip()}
    return render(request, "orders/_places.html", context)


@router.get("/orders/new/place-at")
def place_at(user: CurrentUser, lat: float, lon: float) -> Response:
    """The town nearest to a click on a delivery point's map (JSON: label and distance)."""
    place, km = services.nearest_place(lat, lon)
    region = f", {place.admin1}" if place.admin1 and place.admin1 != place.name else ""
    return JSONResponse({"label": f"{place.name}{region}, {place.country}", "km": round(km, 1)})
