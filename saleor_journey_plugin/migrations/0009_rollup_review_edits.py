from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_journey_plugin', '0008_reviews'),
    ]

    operations = [
        migrations.AddField(
            model_name='rollupreview',
            name='edit',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='rollupreview',
            name='review_id',
            field=models.CharField(max_length=255, null=True),
        ),
        migrations.AddIndex(
            model_name='rollupreview',
            index=models.Index(condition=models.Q(('edit', True)), fields=['channel', 'review_id', 'occurred_at'], include=('satisfied',), name='journey_rollup_review_edits'),
        ),
    ]
