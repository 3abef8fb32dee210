"""The points ledger: points in and out, each exactly once.

Each entry's idempotency key is unique in the table: an operation whose key
is already there changes nothing and returns the entry stored the first
time. Every operation locks the customer's account row first, so two
redemptions of the same points cannot both pass the balance check.

- ``standing``: what a customer has (balance, tier, next tier, expiring);
- ``posting``: the account lock, the unique entry, the balance and credits;
- ``earning``: paid orders, verified reviews, refunds taking points back;
- ``spending``: redemptions, staff adjustments, expiry, lapsing tiers.

This module is the ledger's public face; callers import from here.
"""

from .earning import earn_for_order, earn_for_review, reverse_for_refund, whole_units
from .posting import Code, LoyaltyError, locked_account, refresh_tier
from .settings import MAX_POINTS
from .spending import (
    EXPIRY_BATCH,
    MAX_REASON,
    adjust,
    expire_all_due,
    expire_due,
    redeem,
    refresh_tiers,
)
from .standing import (
    EXPIRING_SOON_DAYS,
    TIER_WINDOW,
    Standing,
    balance,
    earned_in_window,
    expiring_within,
    points_to_next_tier,
    standing,
    tier_of,
)

__all__ = [
    "EXPIRING_SOON_DAYS",
    "EXPIRY_BATCH",
    "MAX_POINTS",
    "MAX_REASON",
    "TIER_WINDOW",
    "Code",
    "LoyaltyError",
    "Standing",
    "adjust",
    "balance",
    "earn_for_order",
    "earn_for_review",
    "earned_in_window",
    "expire_all_due",
    "expire_due",
    "expiring_within",
    "locked_account",
    "points_to_next_tier",
    "redeem",
    "refresh_tier",
    "refresh_tiers",
    "reverse_for_refund",
    "standing",
    "tier_of",
    "whole_units",
]
