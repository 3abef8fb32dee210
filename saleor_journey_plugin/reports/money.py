"""Money amounts in a currency's own decimal places."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

# ISO 4217 currencies whose minor unit is not 2 (those in Saleor's use). The
# order tallies' triggers round with these lists: changing them needs a
# migration that installs the triggers again (``tests/test_migrations.py``).
ZERO_DECIMAL_CURRENCIES = frozenset(
    {
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
    }
)
THREE_DECIMAL_CURRENCIES = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})


def decimal_places(currency: str) -> int:
    code = currency.upper()
    if code in ZERO_DECIMAL_CURRENCIES:
        return 0
    if code in THREE_DECIMAL_CURRENCIES:
        return 3
    return 2


def quantize(amount: Decimal, currency: str) -> Decimal:
    """``amount`` in the currency's decimal places, half a unit rounded up."""
    return amount.quantize(Decimal(1).scaleb(-decimal_places(currency)), ROUND_HALF_UP)


def check_currency(currency: str) -> str:
    """A three-letter ISO code, upper case; a clear error for anything else."""
    if not (
        isinstance(currency, str)
        and len(currency) == 3
        and currency.isascii()
        and currency.isalpha()
    ):
        raise ValueError(
            f"`currency` must be a three-letter ISO 4217 code, got {currency!r}."
        )
    return currency.upper()


def parse_amount(value: Any) -> Decimal | None:
    """A payload amount (``"20.000"``) as a Decimal; None for anything else.

    Payloads come from adapters and old events; the drain must not stop on one.
    """
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None
