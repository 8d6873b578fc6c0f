"""What licences ask of a manufacturer, and when a paid order is refused."""

from __future__ import annotations

import pytest

from fabnet.domain.orders.licensing import ObligationCode as C
from fabnet.domain.orders.licensing import check_licence
from fabnet.errors import InputError


@pytest.mark.parametrize(
    "expression,codes",
    [
        ("CERN-OHL-S-2.0", {C.KEEP_NOTICES, C.SOURCE_DISCLOSURE, C.PRODUCT_MARKING, C.SHARE_ALIKE}),
        ("CERN-OHL-W-2.0", {C.KEEP_NOTICES, C.SOURCE_DISCLOSURE, C.WEAK_RECIPROCITY}),
        ("CERN-OHL-P-2.0", {C.KEEP_NOTICES}),
        ("CC-BY-SA-4.0", {C.ATTRIBUTION, C.SHARE_ALIKE}),
        ("CC-BY-4.0", {C.ATTRIBUTION}),
        ("TAPR-OHL-1.0", {C.KEEP_NOTICES, C.DOCUMENTATION_ON_DISTRIBUTION}),
        ("GPL-3.0-or-later", {C.KEEP_NOTICES, C.FIRMWARE_SOURCE}),
        ("CC0-1.0", set()),
    ],
)
def test_single_licences(expression: str, codes: set[C]) -> None:
    check = check_licence(expression)
    assert check.allowed
    assert check.codes == codes
    assert all(o.text and o.licence == expression for o in check.obligations)


def test_non_commercial_refuses_a_paid_order_without_permission() -> None:
    refused = check_licence("CC-BY-NC-SA-4.0")
    assert not refused.allowed and "permission" in refused.reason
    permitted = check_licence("CC-BY-NC-SA-4.0", licensor_permission=True)
    assert permitted.allowed and C.NON_COMMERCIAL_PERMISSION in permitted.codes
    assert check_licence("CC-BY-NC-4.0", paid_order=False).allowed


def test_or_picks_the_least_demanding_permitted_alternative() -> None:
    check = check_licence("CERN-OHL-S-2.0 OR CERN-OHL-P-2.0")
    assert check.allowed and check.chosen == "CERN-OHL-P-2.0"
    assert check.codes == {C.KEEP_NOTICES}
    # a refused alternative is skipped even when it would be lighter
    check = check_licence("CC-BY-NC-4.0 OR CERN-OHL-S-2.0")
    assert check.allowed and check.chosen == "CERN-OHL-S-2.0"


def test_or_of_refused_alternatives_is_refused() -> None:
    check = check_licence("CC-BY-NC-4.0 OR CC-BY-NC-SA-4.0")
    assert not check.allowed and "no alternative" in check.reason


def test_and_unions_obligations_and_any_refusal_refuses() -> None:
    check = check_licence("CERN-OHL-W-2.0 AND GPL-3.0-only")
    assert check.allowed
    assert {C.WEAK_RECIPROCITY, C.FIRMWARE_SOURCE, C.SOURCE_DISCLOSURE} <= check.codes
    assert not check_licence("MIT AND CC-BY-NC-4.0").allowed


def test_unknown_licences_need_review() -> None:
    check = check_licence("LicenseRef-Acme-Hardware AND CERN-OHL-P-2.0")
    assert check.allowed and C.REVIEW_NEEDED in check.codes
    assert "LicenseRef-Acme-Hardware" in {o.licence for o in check.obligations}


def test_with_exception_keeps_the_exception_in_the_chosen_terms() -> None:
    check = check_licence("GPL-3.0-or-later WITH GCC-exception-3.1")
    assert check.chosen == "GPL-3.0-or-later WITH GCC-exception-3.1"
    assert C.FIRMWARE_SOURCE in check.codes


@pytest.mark.parametrize("bad", ["", "MIT AND", "MIT OR ("])
def test_bad_expressions_name_the_field(bad: str) -> None:
    with pytest.raises(InputError) as caught:
        check_licence(bad, source="okh.toml")
    assert caught.value.source == "okh.toml" and caught.value.field == "license"
