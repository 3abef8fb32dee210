from django.db import migrations, models


def install(apps, schema_editor):
    from saleor_journey_plugin.reports.rollups import tallies

    tallies.ACTIVE_TOTALS.install()


def uninstall(apps, schema_editor):
    from saleor_journey_plugin.reports.rollups import tallies

    tallies.ACTIVE_TOTALS.uninstall()


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
        migrations.RunPython(install, uninstall),
    ]
