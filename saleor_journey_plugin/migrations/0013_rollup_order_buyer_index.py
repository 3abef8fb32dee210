from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_journey_plugin', '0012_campaigns'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='rolluporder',
            index=models.Index(fields=['channel', 'customer_id', 'placed_at'], name='journey_rollup_order_buyer'),
        ),
    ]
