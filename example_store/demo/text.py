"""Formatting the demo's figures for a terminal."""

import unicodedata
from decimal import Decimal

from saleor_journey_plugin.reports.results import Money


def width(text: str) -> int:
    """Terminal columns: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def percent(rate: Decimal | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.1f}%"


def money_or_none(money: Money | None) -> str:
    return "n/a" if money is None else money_text(money.amount, money.currency)


def money_text(amount: Decimal, currency: str) -> str:
    if currency == "KRW":
        return f"KRW {amount:,.0f}"
    return f"{currency} {amount:,.2f}"


def plural(count: int, noun: str, nouns: str = "") -> str:
    """``1 review``, ``2 reviews``."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"
