"""Loyalty points: a ledger per customer and channel, tiers, redemptions."""
