"""ISO 4217 currencies and their minor units (the exponent: EUR 2, JPY 0, KWD 3)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pycountry

from fabnet.errors import InputError

#: ISO 4217 minor units that differ from 2 (from the ISO 4217 list, amendment 176).
_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(
        [
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ],
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    **dict.fromkeys(["CLF", "UYW"], 4),
}
#: Codes without minor units: precious metals, SDR, bond-market units, testing, "no currency".
_NOT_MONEY = frozenset(
    ["XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"]
)


def currency_code(code: str, *, field: str = "currency") -> str:
    """``code`` upper-cased when it is an ISO 4217 currency fabnet can hold, else InputError."""
    normal = code.strip().upper() if isinstance(code, str) else ""
    if normal in _NOT_MONEY or pycountry.currencies.get(alpha_3=normal) is None:
        raise InputError(
            f"{code!r} is not an ISO 4217 currency with minor units",
            source="money",
            field=field,
            hint="use a three-letter code such as EUR, USD, KES or JPY",
        )
    return normal


def exponent(code: str) -> int:
    """Number of decimal places of the currency's minor unit."""
    return _EXPONENTS.get(currency_code(code), 2)


def to_minor(amount: str | Decimal | int, code: str) -> int:
    """``"12.34"`` EUR -> 1234. Refuses amounts finer than the minor unit."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise InputError(f"{amount!r} is not an amount", source="money", field="amount") from None
    scaled = value.scaleb(exponent(code))
    if scaled != scaled.to_integral_value():
        raise InputError(
            f"{amount} {code} has more decimals than the currency allows ({exponent(code)})",
            source="money",
            field="amount",
        )
    return int(scaled)


def format_minor(minor: int, code: str) -> str:
    """1234 EUR -> ``"12.34 EUR"``; 500 JPY -> ``"500 JPY"``."""
    places = exponent(code)
    value = Decimal(minor).scaleb(-places)
    return f"{value:.{places}f} {currency_code(code)}"
