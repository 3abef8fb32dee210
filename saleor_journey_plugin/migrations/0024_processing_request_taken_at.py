from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("saleor_journey_plugin", "0023_account_email"),
    ]

    operations = [
        migrations.AddField(
            model_name="processingrequest",
            name="taken_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
