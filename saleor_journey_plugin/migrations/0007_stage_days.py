from django.db import migrations, models


def install(apps, schema_editor):
    from saleor_journey_plugin.reports.rollups import stage_days

    stage_days.install()


def uninstall(apps, schema_editor):
    from saleor_journey_plugin.reports.rollups import stage_days

    stage_days.uninstall()


class Migration(migrations.Migration):
    dependencies = [("saleor_journey_plugin", "0006_rollups")]

    operations = [
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
                "constraints": [
                    models.UniqueConstraint(
                        fields=("channel", "stage", "day"),
                        include=("journeys",),
                        name="journey_rollup_one_stage_day",
                    )
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
