"""Running sums of a table's rows, kept in another table by PostgreSQL triggers.

Some figures add up rows that every report would otherwise count one by one:
the journeys in each stage now, the orders and sales of all time. Those rows
are written by many paths (batches, rebuilds, merges, erasures, the timeline
refresh, the rollups' own fold), so the sums are kept where every one of them
passes: statement triggers on the watched table add what a statement wrote
and take away what it replaced, in the same transaction. A report then reads
a handful of sums and corrects them with the few rows that changed after its
period ended.

TRUNCATE fires no statement trigger: whoever truncates a watched table
truncates its tally with it (``ROLLUP_MODELS`` lists both).

The tallies themselves are defined next to this module, one module per
watched table (``__init__.py`` lists them).
"""

from dataclasses import dataclass

from django.db import connection


@dataclass(frozen=True)
class Share:
    """What one row of the source adds to the tally: an SQL expression over
    the row for every key and sum column, for the rows ``where`` holds."""

    values: dict[str, str]
    where: str = "true"

    def columns(self, *names: str) -> str:
        """What a row adds, as the SQL columns ``names`` (to read rows the
        tally has no sums for, as the tally would count them)."""
        return ", ".join(f"{self.values[name]} AS {name}" for name in names)


def by_day_and_month(share: Share, instant: str) -> tuple[Share, Share]:
    """What ``share`` adds on the UTC day and in the UTC month of ``instant``
    (keys ``grain`` and ``day``, read with ``spans.py``)."""
    utc = f"({instant} AT TIME ZONE 'UTC')"
    return (
        Share({**share.values, "grain": "'D'", "day": f"{utc}::date"}, share.where),
        Share(
            {
                **share.values,
                "grain": "'M'",
                "day": f"date_trunc('month', {utc})::date",
            },
            share.where,
        ),
    )


@dataclass(frozen=True)
class Tally:
    """``target`` holds, per ``keys``, the ``sums`` of the ``shares`` of the
    rows of ``source``."""

    name: str
    source: str
    target: str
    keys: tuple[str, ...]
    sums: tuple[str, ...]
    shares: tuple[Share, ...]

    def _rows(self, table: str, sign: str) -> str:
        selects = []
        for share in self.shares:
            columns = [f"{share.values[name]} AS {name}" for name in self.keys]
            columns += [f"{sign}({share.values[name]}) AS {name}" for name in self.sums]
            selects.append(
                f"SELECT {', '.join(columns)} FROM {table} WHERE {share.where}"
            )
        return " UNION ALL ".join(selects)

    def _insert(self, rows: str) -> str:
        keys = ", ".join(self.keys)
        sums = ", ".join(f"sum({name})" for name in self.sums)
        changed = " OR ".join(f"sum({name}) <> 0" for name in self.sums)
        return f"""
            INSERT INTO {self.target} ({keys}, {", ".join(self.sums)})
            SELECT {keys}, {sums} FROM ({rows}) AS changed
            GROUP BY {keys} HAVING {changed}
            -- One order for every writer: concurrent statements never deadlock.
            ORDER BY {keys}
        """

    def _add(self, rows: str) -> str:
        updates = ", ".join(
            f"{name} = {self.target}.{name} + excluded.{name}" for name in self.sums
        )
        keys = ", ".join(self.keys)
        return f"{self._insert(rows)} ON CONFLICT ({keys}) DO UPDATE SET {updates};"

    def _function(self) -> str:
        # A trigger with transition tables fires on one kind of statement,
        # and a statement naming a table its trigger lacks fails when it is
        # planned: each kind has its own branch (PL/pgSQL plans a branch when
        # it first runs it).
        added = self._rows("new_rows", "")
        taken = self._rows("old_rows", "-")
        return f"""
            CREATE OR REPLACE FUNCTION {self.name}() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN {self._add(added)}
                ELSIF TG_OP = 'DELETE' THEN {self._add(taken)}
                ELSE {self._add(f"{added} UNION ALL {taken}")}
                END IF;
                RETURN NULL;
            END
            $$
        """

    def statements(self) -> tuple[str, ...]:
        """The trigger function and its triggers, as SQL (PostgreSQL).

        Migrations install them, each with its own frozen copy of this SQL:
        ``tests/test_migrations.py`` fails when these differ from what the
        migrations installed.
        """
        return (
            self._function(),
            *(
                f"CREATE TRIGGER {self.name}_on_{operation.lower()} "
                f"AFTER {operation} ON {self.source} {tables} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {self.name}()"
                for operation, tables in _TRANSITION_TABLES.items()
            ),
        )

    def recount(self, channel: str | None = None) -> None:
        """Sum again from the source rows (all, or one channel's)."""
        source, only = self.source, ""
        if channel is not None:
            source = f"(SELECT * FROM {source} WHERE channel = %(channel)s) AS rows"
            only = " WHERE channel = %(channel)s"
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.target}{only}", {"channel": channel})
            cursor.execute(self._insert(self._rows(source, "")), {"channel": channel})


_TRANSITION_TABLES = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}
