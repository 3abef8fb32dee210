from django.db import migrations, models


def install(apps, schema_editor):
    # The trigger functions are built from the tallies' definitions.
    from saleor_journey_plugin.reports.rollups import tallies

    tallies.STAGE_DAYS.install()
    tallies.ORDER_TOTALS.install()


def uninstall(apps, schema_editor):
    from saleor_journey_plugin.reports.rollups import tallies

    tallies.STAGE_DAYS.uninstall()
    tallies.ORDER_TOTALS.uninstall()


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
        migrations.RunPython(install, uninstall),
    ]
