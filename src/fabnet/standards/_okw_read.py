"""One Open Know-Where record -> Facility (see :mod:`fabnet.standards.okw`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from fabnet.domain.common import BoardLimits, Dimensions, Location, Provenance, stable_id
from fabnet.domain.facility import (
    AccessType,
    BatchSize,
    Equipment,
    FabnetExtension,
    Facility,
    FacilityProvenance,
    FacilityStatus,
)
from fabnet.errors import InputError, ManifestError
from fabnet.geo.gazetteer import country_code, locate
from fabnet.standards._fields import Fields, key_of, to_number
from fabnet.standards._okh_common import slug, unique_id
from fabnet.standards.dimensions import (
    board_limits,
    dimensions_mm,
    parse_board_size,
    parse_layer_count,
    parse_length,
    parse_size_value,
    unit_factor,
)
from fabnet.standards.terms import Terms

EXTENSION_KEY = "x-fabnet"
# OKW v1 names the field "GPS coordinates": gpsCoordinates / gps_coordinates (key_of folds the
# spellings); the shorter names are what other tools write.
_GPS_KEYS = ("gpsCoordinates", "gps", "coordinates", "latLon", "geo")
_ENVELOPE_KEYS = (
    "buildVolume",
    "buildSize",
    "buildEnvelope",
    "workEnvelope",
    "workArea",
    "workingArea",
    "bedSize",
    "maxPartSize",
    "envelope",
)
_HEIGHT_KEYS = ("zTravel", "maxHeight", "maxThickness", "maxMaterialThickness", "height")
# A lathe: the largest diameter it turns (swing over the bed) and the longest part (distance
# between centres); the envelope is swing x swing x length, so a part fits when its two smaller
# sides are within the swing and the longest within the length (or, for a disc, the other way).
_SWING_KEYS = (
    "swingOverBed",
    "swingDiameter",
    "maxSwing",
    "swing",
    "maxTurningDiameter",
    "maxDiameter",
)
_BETWEEN_KEYS = (
    "distanceBetweenCentres",
    "distanceBetweenCenters",
    "betweenCentres",
    "betweenCenters",
    "maxTurningLength",
    "maxLength",
)
# Electronics equipment (PCB fabrication, PCB mills, pick-and-place, reflow): the largest board
# (panel), the most copper layers and the finest component pitch. OKW v1 names none of these;
# these are the names records and other tools use (camelCase and snake_case both read).
_BOARD_KEYS = (
    "maxBoardSize",
    "boardSize",
    "maxPcbSize",
    "pcbSize",
    "maxPanelSize",
    "panelSize",
)
_LAYER_KEYS = ("maxLayers", "maxLayerCount", "layerCount", "layers")
_PITCH_KEYS = (
    "minPitch",
    "minimumPitch",
    "smallestPitch",
    "finestPitch",
    "minComponentPitch",
)
_ELECTRONICS = "electronics"
_UNMODELLED = (
    "contact",
    "affiliation",
    "openingHours",
    "dateFounded",
    "wheelchairAccessibility",
    "floorSize",
    "storageCapacity",
    "inputs",
    "outputs",
    "recordData",
    "description",
    "what3words",
    "notes",
    "supplyChains",
    "maintenanceSchedule",
    "images",
    "image",
    # OKW v1 fields as the Open Hardware Manager's OKW model (the other open OKW tool) writes
    # them: defined by the standard, not modelled by fabnet
    "affiliations",
    "backupGenerator",
    "uninterruptedPowerSupply",
    "roadAccess",
    "loadingDock",
    "typicalProducts",
    "partnersFunders",
    "circularEconomy",
    "innovationSpace",
)
_UNMODELLED_EQUIPMENT = (
    "laserPower",
    "spindleSpeed",
    "power",
    "powerRating",
    "description",
    "notes",
    "condition",
    "serialNumber",
    "location",
    "owner",
    "maintenanceSchedule",
    "usageLevels",
    "currentFirmware",
    "uninterruptedPowerSupply",
    "axes",
    "computerControlled",
    "extractionSystem",
    "nozzleSize",
    "workingSurface",
    "additionalProperties",
)
_LENGTH = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?)\s*([a-z\"]*)\s*$", re.IGNORECASE)
_TWO = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(?:mm)?\s*[x×*]\s*(\d+(?:\.\d+)?)\s*([a-z\"]*)\s*$", re.IGNORECASE
)


def read_facility(rec: Fields, terms: Terms, *, source: str) -> tuple[Facility, str | None]:
    """The facility and, when the record has no ``id``, the key its id was derived from."""
    problems: list[ManifestError] = []

    def checked(read: Any, default: Any) -> Any:
        """Read one field group; a refusal is kept so that all of them are reported."""
        try:
            return read()
        except ManifestError as exc:
            problems.append(exc)
            return default

    name = checked(
        lambda: rec.text("name", "facilityName", required="add name: <name of the facility>"),
        "?",
    )
    location, approximate = checked(lambda: _location(rec), (Location(), False))
    status = checked(lambda: _status(rec), FacilityStatus.ACTIVE)
    equipment = checked(lambda: _equipment_list(rec, terms), ())
    headcount = checked(lambda: _headcount(rec), None)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ManifestError(
            f"{len(problems)} fields cannot be read: "
            + "; ".join(f"{p.field}: {p.message}" for p in problems),
            source=rec.source,
            field=problems[0].field,
            hint="; ".join(p.hint for p in problems if p.hint) or None,
        )
    ext_table = rec.table(EXTENSION_KEY)
    extension, provenance, ext_source = _extension(ext_table)
    if approximate:
        provenance = provenance.model_copy(update={"location": Provenance.APPROXIMATE})
    if ext_table is not None and extension.rate_card is not None:
        for i, rate in enumerate(extension.rate_card.rates):
            if rate.process not in terms.taxonomy:
                raise ManifestError(
                    f"rate for unknown process id {rate.process!r}",
                    source=rec.source,
                    field=f"{ext_table.path}.rateCard.rates[{i}].process",
                    hint="use a process id of fabnet's taxonomy, e.g. "
                    + ", ".join(repr(s) for s in terms.taxonomy.suggest(rate.process)),
                )
    found_id = rec.raw("id")
    id_key: str | None = None
    if found_id is not None:
        if not isinstance(found_id[1], str) or not found_id[1].strip():
            raise rec.error(
                found_id[0], "id must be a non-empty text", "quote the id, e.g. id: 'lab-17'"
            )
        facility_id = found_id[1].strip()
    else:
        id_key = _source_key(name, location, rec)
        facility_id = stable_id("facility", id_key)
    facility = Facility(
        id=facility_id,
        name=name,
        location=location,
        status=status,
        access_type=_access_type(rec),
        owner=_owner(rec),
        url=rec.text("url", "website") or _contact_website(rec),
        processes=terms.processes(_terms(rec, "manufacturingProcesses", "processes")),
        equipment=equipment,
        typical_materials=_materials(rec, terms, "typicalMaterials", "materials"),
        certifications=tuple(
            terms.certification(text, where)
            for text, where in _terms(rec, "certifications", "certification")
        ),
        typical_batch_size=_batch_size(rec),
        headcount=headcount,
        extension=extension,
        provenance=provenance,
        source=ext_source or source,
    )
    rec.skip(*_UNMODELLED)
    rec.warn_unread()
    return facility, id_key


def _source_key(name: str, location: Location, rec: Fields) -> str:
    """What identifies a record without an id: its name and where it is."""
    coords = (
        f"{location.latitude:.5f},{location.longitude:.5f}"
        if location.latitude is not None and location.longitude is not None
        else ""
    )
    parts = (name, location.country, location.city, location.address, location.postal_code)
    return "|".join([*(p or "" for p in parts), coords])


def _terms(rec: Fields, *names: str) -> list[tuple[str, str]]:
    """Terms given as texts or as tables like ``{materialType: ...}``, with their field paths."""
    found = rec.raw(*names)
    if found is None or found[1] is None:
        return []
    written, value = found
    items = value if isinstance(value, list) else [value]
    out: list[tuple[str, str]] = []
    for i, item in enumerate(items):
        where = f"{rec.at(written)}[{i}]" if isinstance(value, list) else rec.at(written)
        if isinstance(item, Mapping):
            inner = Fields(item, path=where, log=rec.log)
            text = inner.text(
                "materialType", "manufacturingProcess", "name", "type", "certification", "id"
            )
            if text is None:
                raise ManifestError(
                    f"cannot read a term from {dict(item)!r}",
                    source=rec.source,
                    field=where,
                    hint="write the term as text or a Wikipedia URL",
                )
        elif isinstance(item, str | int | float) and not isinstance(item, bool):
            text = str(item).strip()
        else:
            raise ManifestError(f"cannot read a term from {item!r}", source=rec.source, field=where)
        if text:
            out.append((text, where))
    return out


def _materials(rec: Fields, terms: Terms, *names: str) -> tuple[str, ...]:
    out: list[str] = []
    for text, where in _terms(rec, *names):
        found = terms.material(text, where)
        if found is not None and found not in out:
            out.append(found)
    return tuple(out)


def _location(rec: Fields) -> tuple[Location, bool]:
    loc = rec.table("location") or Fields({}, path=rec.at("location"), log=rec.log)
    address_value = loc.value("address")
    address = (
        Fields(address_value, path=loc.at("address"), log=rec.log)
        if isinstance(address_value, Mapping)
        else None
    )
    street = address_value.strip() if isinstance(address_value, str) else None
    holders = [f for f in (address, loc, rec) if f is not None]

    def first(*names: str) -> tuple[str, str] | None:
        for holder in holders:
            text = holder.text(*names)
            if text is not None:
                return text, holder.at(names[0])
        return None

    street_found = first("street", "streetAddress", "addressLine", "line1", "address1")
    street = street or (street_found[0] if street_found else None)
    number = first("number", "houseNumber")
    if number is not None and street is not None and not street.startswith(number[0]):
        street = f"{number[0]} {street}"
    city = first("city", "locality", "town")
    region = first("region", "state", "province", "adminArea", "county")
    postal = first("postalCode", "postcode", "zip", "zipCode")
    for holder in holders:
        holder.skip("district", "directions", "what3words")
    country_found = first("country", "countryCode", "countryName")
    country = None
    if country_found is not None:
        try:
            country = country_code(country_found[0])
        except InputError as exc:
            rec.log.warn(country_found[1], f"country not used: {exc}")
    lat, lon = _coordinates(loc, rec)
    approximate = False
    if lat is None and city is not None and country is not None:
        try:
            place = locate(f"{city[0]}, {country}")
        except InputError as exc:
            rec.log.warn(city[1], f"no coordinates, and the city is not placed: {exc}")
        else:
            lat, lon, approximate = place.latitude, place.longitude, True
            rec.log.warn(
                loc.at("gpsCoordinates"),
                f"no coordinates; placed at {place.describe()} (approximate)",
            )
    try:
        return Location(
            latitude=lat,
            longitude=lon,
            country=country,
            city=city[0] if city else None,
            region=region[0] if region else None,
            postal_code=postal[0] if postal else None,
            address=street,
        ), approximate
    except ValidationError as exc:
        raise ManifestError(
            f"invalid location: {exc.errors()[0]['msg']}", source=rec.source, field=loc.path
        ) from None


def _coordinates(loc: Fields, rec: Fields) -> tuple[float | None, float | None]:
    hint = "write gpsCoordinates: '52.52, 13.40' (latitude, longitude in decimal degrees)"
    for holder in (loc, rec):
        found = holder.raw(*_GPS_KEYS)
        if found is not None and found[1] is not None:
            written, value = found
            where = holder.at(written)
            if isinstance(value, str):
                pieces = [p for p in re.split(r"[,;\s]+", value.strip()) if p]
                if not value.strip():
                    continue
            elif isinstance(value, list):
                pieces = list(value)
            elif isinstance(value, Mapping):
                inner = Fields(value, path=where, log=rec.log)
                lat = inner.number("lat", "latitude")
                lon = inner.number("lon", "lng", "long", "longitude")
                if lat is None and lon is None:
                    raise ManifestError(
                        f"cannot read coordinates from {dict(value)!r}",
                        source=rec.source,
                        field=where,
                        hint=hint,
                    )
                inner.warn_unread()
                return _checked(lat, lon, where, rec, hint)
            else:
                pieces = []
            if len(pieces) != 2:
                raise ManifestError(
                    f"cannot read coordinates from {value!r}",
                    source=rec.source,
                    field=where,
                    hint=hint,
                )
            lat, lon = (to_number(p, source=rec.source, field=where) for p in pieces)
            return _checked(lat, lon, where, rec, hint)
        lat = holder.number("latitude", "lat")
        lon = holder.number("longitude", "lon", "lng")
        if lat is not None or lon is not None:
            return _checked(lat, lon, holder.at("latitude"), rec, hint)
    return None, None


def _checked(
    lat: float | None, lon: float | None, where: str, rec: Fields, hint: str
) -> tuple[float | None, float | None]:
    if (lat is None) != (lon is None):
        raise ManifestError(
            "only one of latitude and longitude is given", source=rec.source, field=where, hint=hint
        )
    if lat is not None and lon is not None and (abs(lat) > 90 or abs(lon) > 180):
        raise ManifestError(
            f"coordinates {lat}, {lon} are out of range", source=rec.source, field=where, hint=hint
        )
    return lat, lon


def _enum_value(text: str, values: list[str]) -> str | None:
    for value in values:
        if key_of(value) == key_of(text):
            return value
    return None


def _status(rec: Fields) -> FacilityStatus:
    text = rec.text("facilityStatus", "status")
    if text is None:
        return FacilityStatus.ACTIVE
    value = _enum_value(text, [s.value for s in FacilityStatus])
    if value is None:
        raise rec.error(
            "facilityStatus",
            f"unknown facility status {text!r}",
            "write one of " + ", ".join(s.value for s in FacilityStatus),
        )
    return FacilityStatus(value)


def _access_type(rec: Fields) -> AccessType | None:
    text = rec.text("accessType", "access")
    if text is None:
        return None
    value = _enum_value(text, [a.value for a in AccessType])
    if value is None:
        rec.log.warn(
            rec.at("accessType"),
            f"unknown access type {text!r}, not used; write one of "
            + ", ".join(a.value for a in AccessType),
        )
        return None
    return AccessType(value)


def _owner(rec: Fields) -> str | None:
    value = rec.value("owner")
    if isinstance(value, Mapping):
        inner = Fields(value, path=rec.at("owner"), log=rec.log)
        return inner.text("name", "organisation", "organization")
    if isinstance(value, str):
        return value.strip() or None
    return None


def _contact_website(rec: Fields) -> str | None:
    contact = rec.value("contact")
    if isinstance(contact, Mapping):
        inner = Fields(contact, path=rec.at("contact"), log=rec.log)
        return inner.text("website", "url")
    return None


def _batch_size(rec: Fields) -> BatchSize | None:
    found = rec.raw("typicalBatchSize", "batchSize")
    if found is None or found[1] is None:
        return None
    text = re.sub(r"\s*units?\s*$", "", str(found[1]).strip(), flags=re.IGNORECASE)
    text = re.sub(r"\s+", "", text).replace("–", "-")
    for size in BatchSize:
        if size.value == text:
            return size
    rec.log.warn(
        rec.at(found[0]),
        f"unknown batch size {found[1]!r}, not used; write one of "
        + ", ".join(b.value for b in BatchSize),
    )
    return None


def _headcount(rec: Fields) -> int | None:
    capacity = rec.table("humanCapacity")
    number = capacity.number("headcount") if capacity is not None else rec.number("headcount")
    if number is None:
        return None
    if number < 0 or number != int(number):
        where = capacity.at("headcount") if capacity is not None else rec.at("headcount")
        raise ManifestError(
            f"headcount {number:g} is not a whole number of people", source=rec.source, field=where
        )
    return int(number)


def _equipment_list(rec: Fields, terms: Terms) -> tuple[Equipment, ...]:
    taken: set[str] = set()
    out: list[Equipment] = []
    for eq in rec.tables("equipment"):
        out.append(_equipment(eq, terms, taken))
    return tuple(out)


def _equipment(eq: Fields, terms: Terms, taken: set[str]) -> Equipment:
    kind = eq.text("equipmentType", "type", "name")
    make = eq.text("make", "manufacturer")
    model = eq.text("model")
    if kind is None:
        eq.log.warn(eq.at("equipmentType"), "no equipmentType; recorded as 'equipment'")
        kind = "equipment"
    own_id = eq.text("id")
    if own_id is not None:
        if own_id in taken:
            raise eq.error("id", f"equipment id {own_id!r} is used twice in this facility")
        taken.add(own_id)
        equipment_id = own_id
    else:
        equipment_id = unique_id(slug(" ".join(p for p in (kind, make, model) if p)), taken)
    process_terms = _terms(eq, "manufacturingProcess", "manufacturingProcesses", "process")
    processes = terms.processes(process_terms)
    if not process_terms:
        by_type = terms.taxonomy.resolve(kind)
        if by_type is not None:
            processes = (by_type,)
        else:
            eq.log.warn(
                eq.at("manufacturingProcess"),
                f"no manufacturingProcess and the type {kind!r} names no process; "
                "the equipment offers no process",
            )
    quantity = eq.number("quantity")
    if quantity is not None and (quantity < 1 or quantity != int(quantity)):
        raise eq.error("quantity", f"quantity {quantity:g} is not a whole number >= 1")
    tolerance_text = eq.text("toleranceClass", "tolerance")
    electronic = any(
        p == _ELECTRONICS or _ELECTRONICS in terms.taxonomy.ancestors(p) for p in processes
    )
    throughput = eq.value("throughput")
    throughput_value = None
    if isinstance(throughput, int | float) and not isinstance(throughput, bool) and throughput > 0:
        throughput_value = float(throughput)
    elif throughput is not None:
        eq.log.warn(
            eq.at("throughput"), f"throughput {throughput!r} not used (give units per hour)"
        )
    equipment = Equipment(
        id=equipment_id,
        equipment_type=kind,
        processes=processes,
        make=make,
        model=model,
        quantity=int(quantity) if quantity is not None else 1,
        envelope=_envelope(eq, electronic=electronic),
        board_limits=_board_limits(eq, electronic=electronic),
        materials=_materials(eq, terms, "materialsWorked", "materials"),
        tolerance_class=(
            terms.tolerance(tolerance_text, eq.at("toleranceClass")) if tolerance_text else None
        ),
        throughput_units_per_hour=throughput_value,
    )
    eq.skip(*_UNMODELLED_EQUIPMENT)
    eq.warn_unread()
    return equipment


def _board_limits(eq: Fields, *, electronic: bool) -> BoardLimits | None:
    """Largest board, most layers, finest pitch of electronics equipment.

    Electronics equipment that gives no board size but a two-size working area (and no height
    or thickness) takes that area as its largest board.
    """
    unit = eq.text("unit", "units") or "mm"
    size: tuple[float, float] | None = None
    found = eq.raw(*_BOARD_KEYS)
    if found is not None and found[1] is not None:
        size = parse_board_size(
            found[1], default_unit=unit, source=eq.source, field=eq.at(found[0])
        )
    elif electronic and not eq.has(*_HEIGHT_KEYS):
        area = eq.raw(*_ENVELOPE_KEYS)
        if area is not None and _two_sizes(area[1]) is not None:
            size = parse_board_size(
                area[1], default_unit=unit, source=eq.source, field=eq.at(area[0])
            )
    layers_found = eq.raw(*_LAYER_KEYS)
    layers = None
    if layers_found is not None and layers_found[1] is not None:
        layers = parse_layer_count(layers_found[1], source=eq.source, field=eq.at(layers_found[0]))
    pitch_found = eq.raw(*_PITCH_KEYS)
    pitch = None
    if pitch_found is not None and pitch_found[1] is not None:
        pitch = parse_length(
            pitch_found[1], default_unit=unit, source=eq.source, field=eq.at(pitch_found[0])
        )
    return board_limits(size, layers, pitch)


def _envelope(eq: Fields, *, electronic: bool = False) -> Dimensions | None:
    unit = eq.text("unit", "units") or "mm"
    found = eq.raw(*_ENVELOPE_KEYS)
    if found is not None:
        for other in _ENVELOPE_KEYS:
            extra = eq.raw(other)
            if extra is not None and extra[0] != found[0]:
                eq.log.warn(
                    eq.at(extra[0]),
                    f"a second envelope field {extra[1]!r}, not used ({found[0]} is)",
                )
    if found is not None and found[1] is not None:
        written, value = found
        where = eq.at(written)
        two = _two_sizes(value)
        if two is None and isinstance(value, int | float) and not isinstance(value, bool):
            # e.g. build_volume: 250000 (mm3) or bed_size: 300, as the Open Hardware Manager
            # writes them: one number is not an envelope
            eq.log.warn(
                where,
                f"one number {value!r} is not an envelope, not used; give three sizes, e.g. "
                "'250 x 210 x 210 mm', or xTravel, yTravel and zTravel",
            )
            return None
        if two is None:
            return parse_size_value(value, default_unit=unit, source=eq.source, field=where)
        (x, y), two_unit = two
        height = _length_field(eq, _HEIGHT_KEYS, two_unit or unit)
        if height is None and electronic:
            return None  # electronics equipment: the area is its largest board (_board_limits)
        if height is None:
            eq.log.warn(
                where,
                f"{value!r} gives two sizes; add zTravel (or maxThickness) to use it as an "
                "envelope",
            )
            return None
        factor = unit_factor(two_unit or unit, source=eq.source, field=where)
        return dimensions_mm(
            x * factor, y * factor, height, factor=1, source=eq.source, field=where
        )
    swing = _length_field(eq, _SWING_KEYS, unit)
    between = _length_field(eq, _BETWEEN_KEYS, unit)
    if swing is not None and between is not None:
        where = eq.at(_SWING_KEYS[0])
        return dimensions_mm(swing, swing, between, factor=1, source=eq.source, field=where)
    if swing is not None or between is not None:
        eq.log.warn(
            eq.at(_SWING_KEYS[0] if swing is None else _BETWEEN_KEYS[0]),
            "a lathe's envelope needs both its swing (largest diameter) and the distance "
            "between centres (longest part); the envelope is not set",
        )
        return None
    x_travel = _length_field(eq, ("xTravel",), unit)
    y_travel = _length_field(eq, ("yTravel",), unit)
    # A 3D machine gives zTravel; a sheet machine (laser, waterjet, plasma, vinyl cutter, router)
    # gives its bed and the thickest material it cuts: the envelope is bed x thickness.
    height = _length_field(eq, _HEIGHT_KEYS, unit)
    if x_travel is not None and y_travel is not None and height is not None:
        return dimensions_mm(
            x_travel, y_travel, height, factor=1, source=eq.source, field=eq.at("xTravel")
        )
    if x_travel is not None or y_travel is not None:
        eq.log.warn(
            eq.at("xTravel"),
            "give xTravel, yTravel and zTravel (or maxThickness for a sheet machine) to set "
            "the envelope",
        )
    return None


def _two_sizes(value: Any) -> tuple[tuple[float, float], str | None] | None:
    if isinstance(value, str):
        match = _TWO.match(value)
        if match:
            return (float(match.group(1)), float(match.group(2))), match.group(3) or None
    numbers = isinstance(value, list) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    )
    if numbers and len(value) == 2:
        return (float(value[0]), float(value[1])), None
    return None


def _length_field(eq: Fields, names: tuple[str, ...], unit: str) -> float | None:
    """A length in mm from a number (in ``unit``) or a text like ``"300 mm"``."""
    found = eq.raw(*names)
    if found is None or found[1] is None:
        return None
    written, value = found
    where = eq.at(written)
    if isinstance(value, str):
        match = _LENGTH.match(value)
        if match is None:
            raise ManifestError(
                f"cannot read a length from {value!r}",
                source=eq.source,
                field=where,
                hint="write e.g. 300 or '300 mm'",
            )
        number = float(match.group(1).replace(",", "."))
        factor = unit_factor(match.group(2) or unit, source=eq.source, field=where)
    else:
        number = to_number(value, source=eq.source, field=where)
        factor = unit_factor(unit, source=eq.source, field=where)
    return number * factor


def _snake(name: str) -> str:
    name = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    return re.sub(r"[\s\-]+", "_", name).casefold()


def snake_keys(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {_snake(str(k)): snake_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snake_keys(v) for v in value]
    return value


def _extension(
    table: Fields | None,
) -> tuple[FabnetExtension, FacilityProvenance, str | None]:
    if table is None:
        return FabnetExtension(), FacilityProvenance(), None
    data = snake_keys(dict(table.data))
    provenance_data = data.pop("provenance", None)
    source = data.pop("source", None)
    try:
        extension = FabnetExtension.model_validate(data)
        provenance = FacilityProvenance.model_validate(provenance_data or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join([table.path, *(str(p) for p in first["loc"])])
        raise ManifestError(
            f"invalid fabnet extension: {first['msg']}",
            source=table.source,
            field=where,
            hint="see docs/standards.md for the x-fabnet fields",
        ) from None
    if source is not None and not isinstance(source, str):
        raise table.error("source", "source must be a text")
    return extension, provenance, source
