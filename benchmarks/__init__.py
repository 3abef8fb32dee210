"""Benchmarks of the journey plugin on PostgreSQL and a real Redis-backed Celery.

Run with ``python -m benchmarks`` (``make bench``); see ``benchmarks/README.md``.
"""
