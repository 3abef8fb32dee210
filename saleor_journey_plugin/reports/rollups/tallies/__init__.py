"""The tallies the reports read: running sums kept by PostgreSQL triggers.

``triggers.py`` says how a tally is kept; the others define the tallies of
one watched table each: ``transitions.py`` (stage transitions),
``orders.py``, ``checkouts.py`` and ``active_customers.py`` (the rollups of
those names).
"""

from .active_customers import ACTIVE_TOTALS
from .checkouts import CHECKOUT_DAYS
from .orders import ORDER_DAYS, ORDER_TOTALS
from .transitions import BUCKET_STATEMENTS, TRANSITION_TALLIES

TALLIES = (
    *TRANSITION_TALLIES,
    ORDER_TOTALS,
    ACTIVE_TOTALS,
    ORDER_DAYS,
    CHECKOUT_DAYS,
)
# Their tables: a rebuild recounts them rather than refolding them.
TALLIED: frozenset[str] = frozenset(tally.target for tally in TALLIES)

# What the tallies need in the database, as SQL. The migrations install it,
# each with the SQL frozen as it was when it was written; a change here needs
# a new migration that installs the new SQL (``tests/test_migrations.py``
# fails until one does).
SCHEMA: tuple[str, ...] = (
    *BUCKET_STATEMENTS,
    *(statement for tally in TALLIES for statement in tally.statements()),
)
