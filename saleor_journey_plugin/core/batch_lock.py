"""The lock that makes the drain's batches, and whatever else rewrites
customers and journeys beside them (an erasure on request, a backfill's
rebuilds, a rollup rebuild), take turns."""

from django.db import connection

# An arbitrary 64-bit key naming the plugin's batch lock among advisory locks.
BATCH_LOCK_ID = 0x4A6F75726E6579  # "Journey"


def one_batch_at_a_time() -> None:
    """Wait for any other worker's batch to commit before starting ours.

    Two batches creating the same customers or journeys in different orders
    deadlock on the unique indexes; taking turns costs little, as one batch
    applies hundreds of events. The lock goes with the transaction.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BATCH_LOCK_ID])
