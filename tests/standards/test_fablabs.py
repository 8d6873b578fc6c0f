"""The fablabs.io snapshot (2,069 rows) as facilities."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from fabnet.domain.common import Provenance, stable_id
from fabnet.domain.facility import FacilityStatus
from fabnet.errors import ManifestError
from fabnet.standards.fablabs import COLUMNS, load_fablabs_csv, parse_fablabs_csv

PACKAGED = Path(__file__).parents[2] / "src" / "fabnet" / "data" / "fablabs_snapshot.csv"


def test_snapshot_imports_every_row() -> None:
    result = load_fablabs_csv(PACKAGED)
    labs = result.value
    assert len(labs) == 2069
    assert sum(lab.location.has_coordinates for lab in labs) == 1836
    no_coords = [w for w in result.warnings if "no coordinates" in w.message]
    assert len(no_coords) == 2069 - 1836
    statuses = Counter(lab.status for lab in labs)
    assert statuses[FacilityStatus.TEMPORARY_CLOSURE] == 25  # "corona"
    assert statuses[FacilityStatus.PLANNED] == 214
    ping = next(lab for lab in labs if lab.name == "PiNG")
    assert ping.id == stable_id("fablabs", "17")
    assert ping.location.country == "FR"
    assert ping.source == "https://www.fablabs.io/labs/ping"
    assert ping.provenance.identity is Provenance.IMPORTED
    assert ping.provenance.capabilities is Provenance.IMPORTED
    jazri = next(lab for lab in labs if lab.name == "Al Jazri Lab")
    assert {"laser-cutting", "cnc-milling", "vinyl-cutting"} <= set(jazri.processes)


def test_missing_columns_are_refused() -> None:
    with pytest.raises(ManifestError, match="lacks the columns"):
        parse_fablabs_csv("fablabs_id,name\n1,X\n", source="labs.csv")


def test_unknown_status_is_refused_with_the_line() -> None:
    header = ",".join(COLUMNS) + "\n"
    with pytest.raises(ManifestError) as caught:
        parse_fablabs_csv(header + "1,Lab,fab_lab,,,,,DE,1,2,laser,sleeping\n", source="labs.csv")
    assert caught.value.field == "line 2.activity_status"
