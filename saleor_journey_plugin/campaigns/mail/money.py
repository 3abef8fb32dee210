"""Money and dates as a reader of the label language writes them (Babel's CLDR
data, which Saleor uses through ``prices``): ``$1.99``, ``₩693,550``."""

from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency

from ...core.presets import Language


def money(amount: Decimal, currency: str, language: Language) -> str:
    """``amount`` in the currency's own digits, with its symbol (a bare number
    when the channel names no currency)."""
    if not currency:
        return f"{amount:,.2f}"
    return format_currency(amount, currency, locale=language.value)


def day(value: date | None, language: Language) -> str:
    """A calendar day in words: ``March 9, 2026``, ``2026년 3월 9일``."""
    if value is None:
        return ""
    return format_date(value, "long", locale=language.value)
