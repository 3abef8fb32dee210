"""Saleor as a journey host: the only place (with ``plugin.py``) importing saleor."""
