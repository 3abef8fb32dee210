"""Saleor's signed webhooks in: verified, translated, recorded."""
