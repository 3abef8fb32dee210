from django.db import migrations, models

# The tallies' trigger functions and triggers (reports/rollups: how a tally is
# kept), frozen here as the code built them when this migration was written:
# replaying it installs these, whatever the code builds today. A change to a
# tally comes with a migration of its own that replaces its function.

ACTIVE_TOTALS_FUNCTION = """
CREATE OR REPLACE FUNCTION journey_tally_active_totals() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO journey_rollup_active_total (channel, day, active, came_back)
        SELECT channel, day, sum(active), sum(came_back)
            FROM (SELECT channel AS channel,
                day AS day,
                (1) AS active,
                (0) AS came_back
            FROM new_rows WHERE true
            UNION ALL
            SELECT channel AS channel,
                previous_day AS day,
                (0) AS active,
                (1) AS came_back
            FROM new_rows
            WHERE previous_day IS NOT NULL) AS changed
        GROUP BY channel, day HAVING sum(active) <> 0 OR sum(came_back) <> 0
        -- One order for every writer: concurrent statements never deadlock.
        ORDER BY channel, day
        ON CONFLICT (channel, day)
        DO UPDATE SET active = journey_rollup_active_total.active + excluded.active,
            came_back = journey_rollup_active_total.came_back + excluded.came_back;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO journey_rollup_active_total (channel, day, active, came_back)
        SELECT channel, day, sum(active), sum(came_back)
            FROM (SELECT channel AS channel,
                day AS day,
                -(1) AS active,
                -(0) AS came_back
            FROM old_rows WHERE true
            UNION ALL
            SELECT channel AS channel,
                previous_day AS day,
                -(0) AS active,
                -(1) AS came_back
            FROM old_rows
            WHERE previous_day IS NOT NULL) AS changed
        GROUP BY channel, day HAVING sum(active) <> 0 OR sum(came_back) <> 0
        -- One order for every writer: concurrent statements never deadlock.
        ORDER BY channel, day
        ON CONFLICT (channel, day)
        DO UPDATE SET active = journey_rollup_active_total.active + excluded.active,
            came_back = journey_rollup_active_total.came_back + excluded.came_back;
    ELSE
        INSERT INTO journey_rollup_active_total (channel, day, active, came_back)
        SELECT channel, day, sum(active), sum(came_back)
            FROM (SELECT channel AS channel,
                day AS day,
                (1) AS active,
                (0) AS came_back
            FROM new_rows WHERE true
            UNION ALL
            SELECT channel AS channel,
                previous_day AS day,
                (0) AS active,
                (1) AS came_back
            FROM new_rows
            WHERE previous_day IS NOT NULL
            UNION ALL
            SELECT channel AS channel,
                day AS day,
                -(1) AS active,
                -(0) AS came_back
            FROM old_rows WHERE true
            UNION ALL
            SELECT channel AS channel,
                previous_day AS day,
                -(0) AS active,
                -(1) AS came_back
            FROM old_rows
            WHERE previous_day IS NOT NULL) AS changed
        GROUP BY channel, day HAVING sum(active) <> 0 OR sum(came_back) <> 0
        -- One order for every writer: concurrent statements never deadlock.
        ORDER BY channel, day
        ON CONFLICT (channel, day)
        DO UPDATE SET active = journey_rollup_active_total.active + excluded.active,
            came_back = journey_rollup_active_total.came_back + excluded.came_back;
    END IF;
    RETURN NULL;
END
$$
"""

ACTIVE_TOTALS_TRIGGERS = [
    "CREATE TRIGGER journey_tally_active_totals_on_insert "
    "AFTER INSERT ON journey_rollup_active_day "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION journey_tally_active_totals()",
    "CREATE TRIGGER journey_tally_active_totals_on_update "
    "AFTER UPDATE ON journey_rollup_active_day "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION journey_tally_active_totals()",
    "CREATE TRIGGER journey_tally_active_totals_on_delete "
    "AFTER DELETE ON journey_rollup_active_day "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION journey_tally_active_totals()",
]

ACTIVE_TOTALS_SUMS = """
INSERT INTO journey_rollup_active_total (channel, day, active, came_back)
SELECT channel, day, sum(active), sum(came_back)
    FROM (SELECT channel AS channel,
        day AS day,
        (1) AS active,
        (0) AS came_back
    FROM journey_rollup_active_day WHERE true
    UNION ALL
    SELECT channel AS channel,
        previous_day AS day,
        (0) AS active,
        (1) AS came_back
    FROM journey_rollup_active_day
    WHERE previous_day IS NOT NULL) AS changed
GROUP BY channel, day HAVING sum(active) <> 0 OR sum(came_back) <> 0
-- One order for every writer: concurrent statements never deadlock.
ORDER BY channel, day
"""

INSTALL = [
    ACTIVE_TOTALS_FUNCTION,
    *ACTIVE_TOTALS_TRIGGERS,
    ACTIVE_TOTALS_SUMS,
]
UNINSTALL = [
    "DROP TRIGGER IF EXISTS journey_tally_active_totals_on_insert ON journey_rollup_active_day",
    "DROP TRIGGER IF EXISTS journey_tally_active_totals_on_update ON journey_rollup_active_day",
    "DROP TRIGGER IF EXISTS journey_tally_active_totals_on_delete ON journey_rollup_active_day",
    "DROP FUNCTION IF EXISTS journey_tally_active_totals()",
]


def _run(statements):
    def run(apps, schema_editor):
        # The example store's SQLite keeps no tallies: its reports read the
        # events themselves.
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_journey_plugin', '0009_rollup_review_edits'),
    ]

    operations = [
        migrations.CreateModel(
            name='RollupActiveTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(max_length=255)),
                ('day', models.DateField()),
                ('active', models.IntegerField()),
                ('came_back', models.IntegerField()),
            ],
            options={
                'db_table': 'journey_rollup_active_total',
                'constraints': [models.UniqueConstraint(fields=('channel', 'day'), name='journey_rollup_one_active_total')],
            },
        ),
        migrations.RunPython(_run(INSTALL), _run(UNINSTALL)),
    ]
