"""Team budgets with an alert threshold, per-member monthly spend limits, and an index for monthly spend."""

import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_invites'),
        ('billing', '0002_ledger_append_only'),
        ('generations', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='MemberLimit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('monthly_limit', models.DecimalField(decimal_places=2, max_digits=14)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.CreateModel(
            name='TeamLimits',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('monthly_budget', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True)),
                ('alert_percent', models.PositiveSmallIntegerField(default=80)),
                ('low_balance', models.DecimalField(decimal_places=2, default=Decimal('20'), max_digits=14)),
                ('budget_alerted_month', models.DateField(blank=True, null=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name_plural': 'team limits',
            },
        ),
        migrations.AddIndex(
            model_name='hold',
            index=models.Index(fields=['wallet', 'created_at'], name='hold_wallet_recent'),
        ),
        migrations.AddField(
            model_name='memberlimit',
            name='membership',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='spend_limit', to='accounts.membership'),
        ),
        migrations.AddField(
            model_name='memberlimit',
            name='updated_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='teamlimits',
            name='team',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='limits', to='accounts.team'),
        ),
        migrations.AddField(
            model_name='teamlimits',
            name='updated_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='memberlimit',
            constraint=models.CheckConstraint(condition=models.Q(('monthly_limit__gt', 0)), name='member_limit_positive'),
        ),
        migrations.AddConstraint(
            model_name='teamlimits',
            constraint=models.CheckConstraint(condition=models.Q(('monthly_budget__isnull', True), ('monthly_budget__gt', 0), _connector='OR'), name='limits_budget_positive'),
        ),
        migrations.AddConstraint(
            model_name='teamlimits',
            constraint=models.CheckConstraint(condition=models.Q(('alert_percent__gte', 1), ('alert_percent__lte', 100)), name='limits_alert_percent_range'),
        ),
        migrations.AddConstraint(
            model_name='teamlimits',
            constraint=models.CheckConstraint(condition=models.Q(('low_balance__gte', 0)), name='limits_low_balance_not_negative'),
        ),
    ]
