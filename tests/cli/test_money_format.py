"""Amounts print with their currency's decimals, rounded half up, never a float's digits."""

from __future__ import annotations

import pytest

from fabnet.cli._common import format_amount


@pytest.mark.parametrize(
    ("value", "code", "shown"),
    [
        (12.3456, "EUR", "12.35 EUR"),
        (0.125, "eur", "0.13 EUR"),
        (1234.5, "JPY", "1235 JPY"),
        (1.2345, "KWD", "1.235 KWD"),
        (24.099999999999998, "USD", "24.10 USD"),
    ],
)
def test_amounts_have_the_currency_decimals(value: float, code: str, shown: str) -> None:
    assert format_amount(value, code) == shown
