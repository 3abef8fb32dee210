from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_journey_plugin', '0015_campaign_attribution'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='ledgerentry',
            index=models.Index(fields=['channel', 'occurred_at'], include=('kind', 'points', 'customer'), name='journey_loyalty_channel_time'),
        ),
    ]
