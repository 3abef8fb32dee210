from django.db import migrations, models

# The tallies' trigger functions and triggers (reports/rollups: how a tally is
# kept), frozen here as the code built them when this migration was written:
# replaying it installs these, whatever the code builds today. A change to a
# tally comes with a migration of its own that replaces its function.

STAGE_DAYS_FUNCTION = """
CREATE OR REPLACE FUNCTION journey_tally_stage_days() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO journey_rollup_stage_day (channel, stage, day, journeys)
        SELECT channel, stage, day, sum(journeys)
            FROM (SELECT channel AS channel,
                to_stage AS stage,
                (occurred_at AT TIME ZONE 'UTC')::date AS day,
                (1) AS journeys
            FROM new_rows
            WHERE left_at IS NULL AND channel <> '') AS changed
        GROUP BY channel, stage, day HAVING sum(journeys) <> 0
        -- One order for every writer: concurrent statements never deadlock.
        ORDER BY channel, stage, day
        ON CONFLICT (channel, stage, day)
        DO UPDATE SET journeys = journey_rollup_stage_day.journeys + excluded.journeys;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO journey_rollup_stage_day (channel, stage, day, journeys)
        SELECT channel, stage, day, sum(journeys)
            FROM (SELECT channel AS channel,
                to_stage AS stage,
                (occurred_at AT TIME ZONE 'UTC')::date AS day,
                -(1) AS journeys
            FROM old_rows
            WHERE left_at IS NULL AND channel <> '') AS changed
        GROUP BY channel, stage, day HAVING sum(journeys) <> 0
        -- One order for every writer: concurrent statements never deadlock.
        ORDER BY channel, stage, day
        ON CONFLICT (channel, stage, day)
        DO UPDATE SET journeys = journey_rollup_stage_day.journeys + excluded.journeys;
    ELSE
        INSERT INTO journey_rollup_stage_day (channel, stage, day, journeys)
        SELECT channel, stage, day, sum(journeys)
            FROM (SELECT channel AS channel,
                to_stage AS stage,
                (occurred_at AT TIME ZONE 'UTC')::date AS day,
                (1) AS journeys
            FROM new_rows
            WHERE left_at IS NULL AND channel <> ''
            UNION ALL
            SELECT channel AS channel,
                to_stage AS stage,
                (occurred_at AT TIME ZONE 'UTC')::date AS day,
                -(1) AS journeys
            FROM old_rows
            WHERE left_at IS NULL AND channel <> '') AS changed
        GROUP BY channel, stage, day HAVING sum(journeys) <> 0
        -- One order for every writer: concurrent statements never deadlock.
        ORDER BY channel, stage, day
        ON CONFLICT (channel, stage, day)
        DO UPDATE SET journeys = journey_rollup_stage_day.journeys + excluded.journeys;
    END IF;
    RETURN NULL;
END
$$
"""

STAGE_DAYS_TRIGGERS = [
    "CREATE TRIGGER journey_tally_stage_days_on_insert "
    "AFTER INSERT ON journey_stage_transition "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION journey_tally_stage_days()",
    "CREATE TRIGGER journey_tally_stage_days_on_update "
    "AFTER UPDATE ON journey_stage_transition "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION journey_tally_stage_days()",
    "CREATE TRIGGER journey_tally_stage_days_on_delete "
    "AFTER DELETE ON journey_stage_transition "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION journey_tally_stage_days()",
]

STAGE_DAYS_SUMS = """
INSERT INTO journey_rollup_stage_day (channel, stage, day, journeys)
SELECT channel, stage, day, sum(journeys)
    FROM (SELECT channel AS channel,
        to_stage AS stage,
        (occurred_at AT TIME ZONE 'UTC')::date AS day,
        (1) AS journeys
    FROM journey_stage_transition
    WHERE left_at IS NULL AND channel <> '') AS changed
GROUP BY channel, stage, day HAVING sum(journeys) <> 0
-- One order for every writer: concurrent statements never deadlock.
ORDER BY channel, stage, day
"""

ORDER_TOTALS_FUNCTION = """
CREATE OR REPLACE FUNCTION journey_tally_order_totals() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO journey_rollup_order_total (channel, currency, first_orders, second_orders, sales, cancelled_sales)
        SELECT channel, currency, sum(first_orders), sum(second_orders), sum(sales), sum(cancelled_sales)
            FROM (SELECT channel AS channel,
                currency AS currency,
                (CASE WHEN ordinal = 1 THEN 1 ELSE 0 END) AS first_orders,
                (CASE WHEN ordinal = 2 THEN 1 ELSE 0 END) AS second_orders,
                (coalesce(round(total, CASE WHEN upper(currency) IN ('BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF') THEN 0 WHEN upper(currency) IN ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') THEN 3 ELSE 2 END), 0)) AS sales,
                (CASE WHEN cancelled_at IS NULL THEN 0 ELSE coalesce(round(total, CASE WHEN upper(currency) IN ('BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF') THEN 0 WHEN upper(currency) IN ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') THEN 3 ELSE 2 END), 0) END) AS cancelled_sales
            FROM new_rows WHERE true) AS changed
        GROUP BY channel, currency HAVING sum(first_orders) <> 0 OR sum(second_orders) <> 0 OR sum(sales) <> 0 OR sum(cancelled_sales) <> 0
        -- One order for every writer: concurrent statements never deadlock.
        ORDER BY channel, currency
        ON CONFLICT (channel, currency)
        DO UPDATE SET first_orders = journey_rollup_order_total.first_orders + excluded.first_orders,
            second_orders = journey_rollup_order_total.second_orders + excluded.second_orders,
            sales = journey_rollup_order_total.sales + excluded.sales,
            cancelled_sales = journey_rollup_order_total.cancelled_sales + excluded.cancelled_sales;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO journey_rollup_order_total (channel, currency, first_orders, second_orders, sales, cancelled_sales)
        SELECT channel, currency, sum(first_orders), sum(second_orders), sum(sales), sum(cancelled_sales)
            FROM (SELECT channel AS channel,
                currency AS currency,
                -(CASE WHEN ordinal = 1 THEN 1 ELSE 0 END) AS first_orders,
                -(CASE WHEN ordinal = 2 THEN 1 ELSE 0 END) AS second_orders,
                -(coalesce(round(total, CASE WHEN upper(currency) IN ('BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF') THEN 0 WHEN upper(currency) IN ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') THEN 3 ELSE 2 END), 0)) AS sales,
                -(CASE WHEN cancelled_at IS NULL THEN 0 ELSE coalesce(round(total, CASE WHEN upper(currency) IN ('BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF') THEN 0 WHEN upper(currency) IN ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') THEN 3 ELSE 2 END), 0) END) AS cancelled_sales
            FROM old_rows WHERE true) AS changed
        GROUP BY channel, currency HAVING sum(first_orders) <> 0 OR sum(second_orders) <> 0 OR sum(sales) <> 0 OR sum(cancelled_sales) <> 0
        -- One order for every writer: concurrent statements never deadlock.
        ORDER BY channel, currency
        ON CONFLICT (channel, currency)
        DO UPDATE SET first_orders = journey_rollup_order_total.first_orders + excluded.first_orders,
            second_orders = journey_rollup_order_total.second_orders + excluded.second_orders,
            sales = journey_rollup_order_total.sales + excluded.sales,
            cancelled_sales = journey_rollup_order_total.cancelled_sales + excluded.cancelled_sales;
    ELSE
        INSERT INTO journey_rollup_order_total (channel, currency, first_orders, second_orders, sales, cancelled_sales)
        SELECT channel, currency, sum(first_orders), sum(second_orders), sum(sales), sum(cancelled_sales)
            FROM (SELECT channel AS channel,
                currency AS currency,
                (CASE WHEN ordinal = 1 THEN 1 ELSE 0 END) AS first_orders,
                (CASE WHEN ordinal = 2 THEN 1 ELSE 0 END) AS second_orders,
                (coalesce(round(total, CASE WHEN upper(currency) IN ('BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF') THEN 0 WHEN upper(currency) IN ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') THEN 3 ELSE 2 END), 0)) AS sales,
                (CASE WHEN cancelled_at IS NULL THEN 0 ELSE coalesce(round(total, CASE WHEN upper(currency) IN ('BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF') THEN 0 WHEN upper(currency) IN ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') THEN 3 ELSE 2 END), 0) END) AS cancelled_sales
            FROM new_rows WHERE true
            UNION ALL
            SELECT channel AS channel,
                currency AS currency,
                -(CASE WHEN ordinal = 1 THEN 1 ELSE 0 END) AS first_orders,
                -(CASE WHEN ordinal = 2 THEN 1 ELSE 0 END) AS second_orders,
                -(coalesce(round(total, CASE WHEN upper(currency) IN ('BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF') THEN 0 WHEN upper(currency) IN ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') THEN 3 ELSE 2 END), 0)) AS sales,
                -(CASE WHEN cancelled_at IS NULL THEN 0 ELSE coalesce(round(total, CASE WHEN upper(currency) IN ('BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF') THEN 0 WHEN upper(currency) IN ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') THEN 3 ELSE 2 END), 0) END) AS cancelled_sales
            FROM old_rows WHERE true) AS changed
        GROUP BY channel, currency HAVING sum(first_orders) <> 0 OR sum(second_orders) <> 0 OR sum(sales) <> 0 OR sum(cancelled_sales) <> 0
        -- One order for every writer: concurrent statements never deadlock.
        ORDER BY channel, currency
        ON CONFLICT (channel, currency)
        DO UPDATE SET first_orders = journey_rollup_order_total.first_orders + excluded.first_orders,
            second_orders = journey_rollup_order_total.second_orders + excluded.second_orders,
            sales = journey_rollup_order_total.sales + excluded.sales,
            cancelled_sales = journey_rollup_order_total.cancelled_sales + excluded.cancelled_sales;
    END IF;
    RETURN NULL;
END
$$
"""

ORDER_TOTALS_TRIGGERS = [
    "CREATE TRIGGER journey_tally_order_totals_on_insert "
    "AFTER INSERT ON journey_rollup_order "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION journey_tally_order_totals()",
    "CREATE TRIGGER journey_tally_order_totals_on_update "
    "AFTER UPDATE ON journey_rollup_order "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION journey_tally_order_totals()",
    "CREATE TRIGGER journey_tally_order_totals_on_delete "
    "AFTER DELETE ON journey_rollup_order "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION journey_tally_order_totals()",
]

ORDER_TOTALS_SUMS = """
INSERT INTO journey_rollup_order_total (channel, currency, first_orders, second_orders, sales, cancelled_sales)
SELECT channel, currency, sum(first_orders), sum(second_orders), sum(sales), sum(cancelled_sales)
    FROM (SELECT channel AS channel,
        currency AS currency,
        (CASE WHEN ordinal = 1 THEN 1 ELSE 0 END) AS first_orders,
        (CASE WHEN ordinal = 2 THEN 1 ELSE 0 END) AS second_orders,
        (coalesce(round(total, CASE WHEN upper(currency) IN ('BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF') THEN 0 WHEN upper(currency) IN ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') THEN 3 ELSE 2 END), 0)) AS sales,
        (CASE WHEN cancelled_at IS NULL THEN 0 ELSE coalesce(round(total, CASE WHEN upper(currency) IN ('BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF') THEN 0 WHEN upper(currency) IN ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') THEN 3 ELSE 2 END), 0) END) AS cancelled_sales
    FROM journey_rollup_order WHERE true) AS changed
GROUP BY channel, currency HAVING sum(first_orders) <> 0 OR sum(second_orders) <> 0 OR sum(sales) <> 0 OR sum(cancelled_sales) <> 0
-- One order for every writer: concurrent statements never deadlock.
ORDER BY channel, currency
"""

INSTALL = [
    STAGE_DAYS_FUNCTION,
    *STAGE_DAYS_TRIGGERS,
    STAGE_DAYS_SUMS,
    ORDER_TOTALS_FUNCTION,
    *ORDER_TOTALS_TRIGGERS,
    ORDER_TOTALS_SUMS,
]
UNINSTALL = [
    "DROP TRIGGER IF EXISTS journey_tally_stage_days_on_insert ON journey_stage_transition",
    "DROP TRIGGER IF EXISTS journey_tally_stage_days_on_update ON journey_stage_transition",
    "DROP TRIGGER IF EXISTS journey_tally_stage_days_on_delete ON journey_stage_transition",
    "DROP FUNCTION IF EXISTS journey_tally_stage_days()",
    "DROP TRIGGER IF EXISTS journey_tally_order_totals_on_insert ON journey_rollup_order",
    "DROP TRIGGER IF EXISTS journey_tally_order_totals_on_update ON journey_rollup_order",
    "DROP TRIGGER IF EXISTS journey_tally_order_totals_on_delete ON journey_rollup_order",
    "DROP FUNCTION IF EXISTS journey_tally_order_totals()",
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
        ("saleor_journey_plugin", "0006_rollups"),
    ]

    operations = [
        migrations.CreateModel(
            name="RollupOrderTotal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("channel", models.CharField(max_length=255)),
                ("currency", models.CharField(max_length=16)),
                ("first_orders", models.IntegerField()),
                ("second_orders", models.IntegerField()),
                ("sales", models.DecimalField(decimal_places=6, max_digits=30)),
                (
                    "cancelled_sales",
                    models.DecimalField(decimal_places=6, max_digits=30),
                ),
            ],
            options={
                "db_table": "journey_rollup_order_total",
            },
        ),
        migrations.CreateModel(
            name="RollupStageDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("channel", models.CharField(max_length=255)),
                ("stage", models.CharField(max_length=32)),
                ("day", models.DateField()),
                ("journeys", models.IntegerField()),
            ],
            options={
                "db_table": "journey_rollup_stage_day",
            },
        ),
        migrations.AddIndex(
            model_name="rolluporder",
            index=models.Index(
                condition=models.Q(("cancelled_at__isnull", False)),
                fields=["channel", "cancelled_at"],
                name="journey_rollup_order_cancelled",
            ),
        ),
        migrations.AddConstraint(
            model_name="rollupordertotal",
            constraint=models.UniqueConstraint(
                fields=("channel", "currency"), name="journey_rollup_one_order_total"
            ),
        ),
        migrations.AddConstraint(
            model_name="rollupstageday",
            constraint=models.UniqueConstraint(
                fields=("channel", "stage", "day"),
                name="journey_rollup_one_stage_day",
            ),
        ),
        migrations.RunPython(_run(INSTALL), _run(UNINSTALL)),
    ]
