from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_journey_plugin', '0017_partial_refunds_in_revenue'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='stagetransition',
            name='journey_transition_when',
        ),
        migrations.RemoveIndex(
            model_name='stagetransition',
            name='journey_transition_cohort',
        ),
        migrations.AddIndex(
            model_name='stagetransition',
            index=models.Index(fields=['channel', 'occurred_at'], include=('from_stage', 'entered_from_at', 'to_stage', 'win_back'), name='journey_transition_when'),
        ),
        migrations.AddIndex(
            model_name='stagetransition',
            index=models.Index(fields=['channel', 'cohort_at'], include=('reached_rank', 'occurred_at', 'left_at', 'from_stage', 'to_stage', 'entered_from_at'), name='journey_transition_cohort'),
        ),
    ]
