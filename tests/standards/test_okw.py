"""OKW import (YAML camelCase, JSON snake_case, GPS forms), ids, refusals and round trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fabnet.domain.common import Dimensions, Location
from fabnet.domain.facility import (
    Equipment,
    FabnetExtension,
    Facility,
    FacilityStatus,
    ProcessRate,
    RateCard,
)
from fabnet.engine.matching import PartRequirement, capability_criteria
from fabnet.errors import ManifestError
from fabnet.standards.okw import (
    dump_facilities_json,
    dump_facilities_yaml,
    dump_facility_okw,
    load_facilities,
    parse_facilities,
)

DATA = Path(__file__).parent / "data"


def test_camel_case_yaml_list_with_equipment_envelopes() -> None:
    result = load_facilities(DATA / "okw_camel.yml")
    nord, other = result.value
    assert nord.location.country == "DE"
    assert (nord.location.latitude, nord.location.longitude) == (54.3233, 10.1228)
    assert nord.processes == ("fdm", "laser-cutting")
    printer, laser, mill = nord.equipment
    assert printer.envelope == Dimensions(x_mm=250, y_mm=210, z_mm=220)
    assert printer.quantity == 3 and printer.materials == ("pla", "petg")
    assert laser.envelope == Dimensions(x_mm=600, y_mm=300, z_mm=100)  # bed + zTravel in cm
    assert mill.envelope == Dimensions(x_mm=800, y_mm=600, z_mm=150)
    assert mill.tolerance_class == "ISO2768-f"
    assert "fr4" in nord.typical_materials  # the spec's PCB link to the chemical, corrected
    assert nord.headcount == 12 and nord.certifications == ("ISO 9001",)
    (warning,) = result.warnings
    assert warning.field == "[0].manufacturingProcesses[2]"
    assert "basket weaving" in warning.message
    # same name, different place: different ids
    assert nord.name == other.name and nord.id != other.id
    assert (other.location.latitude, other.location.longitude) == (53.55, 9.99)


def test_snake_case_json_single_record_with_extension() -> None:
    (werk,) = load_facilities(DATA / "okw_snake.json").value
    assert werk.id == "werkstatt-7"
    assert werk.status is FacilityStatus.TEMPORARY_CLOSURE
    assert werk.extension.rate_card is not None
    rate = werk.extension.rate_card.rate_for("cnc-milling")
    assert rate is not None and rate.hourly_rate == 80
    assert werk.extension.capacity is not None and werk.extension.capacity.hours_per_week == 60


@pytest.mark.parametrize(
    "location",
    [
        "gps: '48.1, 11.5'",
        "gps: [48.1, 11.5]",
        "gps: {lat: 48.1, lon: 11.5}",
        "latitude: 48.1\n    longitude: 11.5",
    ],
)
def test_gps_as_text_numbers_or_separate_fields(location: str) -> None:
    text = f"name: Lab\nlocation:\n    {location}\n"
    (lab,) = parse_facilities(text, source="lab.yml", fmt="yaml").value
    assert (lab.location.latitude, lab.location.longitude) == (48.1, 11.5)


def test_ids_are_stable_across_imports() -> None:
    text = "name: Lab\nlocation: {gps: '1, 2'}\n"
    first = parse_facilities(text, source="a.yml", fmt="yaml").value[0]
    again = parse_facilities(text, source="b.yml", fmt="yaml").value[0]
    assert first.id == again.id


@pytest.mark.parametrize(
    ("text", "field", "fragment"),
    [
        ("name: Lab\nfacilityStatus: Open\n", "facilityStatus", "Temporary Closure"),
        ("name: Lab\nid: 17\n", "id", "non-empty text"),
        ("location: {gps: '1, 2'}\n", "name", "add name"),
        ("name: Lab\nlocation: {gps: '91, 2'}\n", "location.gps", "out of range"),
        (
            "name: Lab\nequipment: [{equipmentType: x, buildVolume: 'big'}]\n",
            "equipment[0].buildVolume",
            "250x210x210 mm",
        ),
        (
            "name: Lab\nx-fabnet: {rateCard: {rates: [{process: basket-weaving, hourlyRate: 5}]}}"
            "\n",
            "x-fabnet.rateCard.rates[0].process",
            "unknown process",
        ),
    ],
)
def test_refusals_name_the_field(text: str, field: str, fragment: str) -> None:
    with pytest.raises(ManifestError) as caught:
        parse_facilities(text, source="lab.yml", fmt="yaml")
    assert caught.value.source == "lab.yml"
    assert caught.value.field == field
    assert fragment in str(caught.value)


def test_duplicate_records_without_ids_are_refused() -> None:
    text = "- {name: Lab}\n- {name: Lab}\n"
    with pytest.raises(ManifestError, match="add an id"):
        parse_facilities(text, source="labs.yml", fmt="yaml")


def test_dump_uses_camel_case_okw_keys() -> None:
    (werk,) = load_facilities(DATA / "okw_snake.json").value
    record = dump_facility_okw(werk)
    assert record["facilityStatus"] == "Temporary Closure"
    assert record["location"]["gps"] == "48.137, 11.575"
    assert record["x-fabnet"]["rateCard"]["rates"][0]["hourlyRate"] == 80


COORD = st.floats(min_value=-89.9, max_value=89.9, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(
    lat=COORD,
    lon=COORD,
    status=st.sampled_from(list(FacilityStatus)),
    rate=st.floats(min_value=0, max_value=500),
    size=st.floats(min_value=1, max_value=2000),
    quantity=st.integers(1, 20),
)
def test_round_trip_yaml_and_json(
    lat: float, lon: float, status: FacilityStatus, rate: float, size: float, quantity: int
) -> None:
    facility = Facility(
        id="f-1",
        name="Lab Süd",
        location=Location(latitude=lat, longitude=lon, country="AT", city="Graz"),
        status=status,
        processes=("fdm", "cnc-milling"),
        equipment=(
            Equipment(
                id="e1",
                equipment_type="3D printer",
                processes=("fdm",),
                quantity=quantity,
                envelope=Dimensions(x_mm=size, y_mm=size / 2, z_mm=size / 3),
                materials=("pla",),
                tolerance_class="ISO2768-m",
                throughput_units_per_hour=2.5,
            ),
            Equipment(id="e2", equipment_type="workbench"),
        ),
        typical_materials=("pla",),
        certifications=("ISO 9001",),
        headcount=4,
        extension=FabnetExtension(
            rate_card=RateCard(rates=(ProcessRate(process="fdm", hourly_rate=rate),))
        ),
        source="https://example.org/lab",
    )
    for text, fmt in (
        (dump_facilities_yaml([facility]), "yaml"),
        (dump_facilities_json([facility]), "json"),
    ):
        back = parse_facilities(text, source="rt", fmt=fmt)  # type: ignore[arg-type]
        assert back.value == [facility]


# -- OKW v1 "GPS coordinates" as the specification names it (issue 10) -------------------------


@pytest.mark.parametrize(
    "location",
    [
        "gpsCoordinates: '48.1, 11.5'",
        "gps_coordinates: '48.1, 11.5'",
        "gps_coordinates: '48.1 11.5'",
        "gpsCoordinates: [48.1, 11.5]",
        "gps_coordinates: {latitude: 48.1, longitude: 11.5}",
        "gpsCoordinates: {lat: '48.1', lng: '11.5'}",
    ],
)
def test_okw_gps_coordinates_in_every_shape(location: str) -> None:
    for text in (f"name: Lab\nlocation:\n    {location}\n", f"name: Lab\n{location}\n"):
        result = parse_facilities(text, source="lab.yml", fmt="yaml")
        (lab,) = result.value
        assert (lab.location.latitude, lab.location.longitude) == (48.1, 11.5)
        assert not result.warnings


def test_okw_gps_coordinates_json_camel_and_snake() -> None:
    for key in ("gpsCoordinates", "gps_coordinates"):
        text = f'{{"name": "Lab", "location": {{"{key}": "-1.29, 36.82", "city": "Nairobi"}}}}'
        (lab,) = parse_facilities(text, source="lab.json", fmt="json").value
        assert (lab.location.latitude, lab.location.longitude) == (-1.29, 36.82)
        assert lab.provenance.location.value == "declared"


@pytest.mark.parametrize(
    "value",
    ["'north of the river'", "'48.1'", "'48.1, east'", "[1, 2, 3]", "{x: 1}", "true", "'95, 10'"],
)
def test_unreadable_gps_coordinates_are_refused_naming_the_field(value: str) -> None:
    text = (
        f"name: Lab\nlocation:\n    city: Munich\n    country: DE\n    gps_coordinates: {value}\n"
    )
    with pytest.raises(ManifestError) as caught:
        parse_facilities(text, source="lab.yml", fmt="yaml")
    assert caught.value.field == "location.gps_coordinates"


def test_city_and_country_without_coordinates_is_placed_approximately() -> None:
    text = "name: Lab\nlocation: {city: Nairobi, country: Kenya}\n"
    result = parse_facilities(text, source="lab.yml", fmt="yaml")
    (lab,) = result.value
    assert lab.location.latitude is not None and lab.location.longitude is not None
    assert abs(lab.location.latitude - -1.28) < 0.2 and abs(lab.location.longitude - 36.82) < 0.2
    assert lab.provenance.location.value == "approximate"
    assert any("approximate" in w.message for w in result.warnings)


def test_a_field_not_understood_warns_with_file_field_and_value() -> None:
    text = "name: Lab\nequipment:\n  - equipmentType: lathe\n    chuckJaws: 300\n"
    result = parse_facilities(text, source="lab.yml", fmt="yaml")
    (warning,) = [w for w in result.warnings if "not understood" in w.message]
    assert (warning.source, warning.field) == ("lab.yml", "equipment[0].chuckJaws")
    assert "300" in warning.message


def test_sheet_machine_bed_and_thickness_is_an_envelope() -> None:
    for eq_text in (
        "{equipmentType: laser cutter, xTravel: 600, yTravel: 400, maxThickness: 6}",
        "{equipment_type: vinyl cutter, working_area: '600 x 400 mm', max_thickness: 6}",
    ):
        (lab,) = parse_facilities(
            f"name: Lab\nequipment: [{eq_text}]\n", source="lab.yml", fmt="yaml"
        ).value
        envelope = lab.equipment[0].envelope
        assert envelope is not None and envelope.sorted() == (6.0, 400.0, 600.0)


def test_lathe_swing_and_length_between_centres_is_an_envelope() -> None:
    for eq_text in (
        "{equipmentType: lathe, swingOverBed: 330, distanceBetweenCentres: 1000}",
        "{equipment_type: cnc lathe, swing_diameter: '33 cm', distance_between_centers: 1 m}",
        "{equipmentType: lathe, maxTurningDiameter: 330, maxTurningLength: '1000 mm'}",
    ):
        (lab,) = parse_facilities(
            f"name: Lab\nequipment: [{eq_text}]\n", source="lab.yml", fmt="yaml"
        ).value
        (lathe,) = lab.equipment
        assert lathe.envelope is not None
        assert lathe.envelope.sorted() == pytest.approx((330.0, 330.0, 1000.0)), eq_text
        assert lathe.processes, eq_text  # the type names turning
    (process,) = lathe.processes
    for size, fits in (((900, 40, 40), True), ((1200, 40, 40), False), ((500, 400, 40), False)):
        req = PartRequirement(
            label="shaft", part_id="shaft", name="shaft", processes=(process,), materials=(),
            dimensions=Dimensions(x_mm=size[0], y_mm=size[1], z_mm=size[2]),
            tolerance_class=None, mass_g=None, quantity=1,
        )  # fmt: skip
        results, _ = capability_criteria(lab, req)
        (envelope,) = [r for r in results if r.criterion == "envelope"]
        assert envelope.passed is fits, envelope.detail
        if not fits:
            assert "does not fit" in envelope.detail and "330×330×1000" in envelope.detail
    half = parse_facilities(
        "name: Lab\nequipment: [{equipmentType: lathe, swing: 330}]\n", source="l.yml", fmt="yaml"
    )
    assert half.value[0].equipment[0].envelope is None
    assert any("between centres" in w.message for w in half.warnings)


def test_a_record_with_several_bad_fields_names_all_of_them() -> None:
    text = (
        "name: Lab\nfacilityStatus: Open\nlocation: {gps_coordinates: 'north of the river'}\n"
        "humanCapacity: {headcount: 2.5}\n"
    )
    with pytest.raises(ManifestError) as caught:
        parse_facilities(text, source="lab.yml", fmt="yaml")
    message = str(caught.value)
    for field in ("location.gps_coordinates", "facilityStatus", "humanCapacity.headcount"):
        assert field in message
    assert "3 fields cannot be read" in message
