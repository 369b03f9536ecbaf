"""Invites by link, an opaque public id for memberships, and the append-only audit log.

Memberships get their public id in three steps (nullable, filled, unique) so
existing rows each get their own value.
"""

import django.db.models.deletion
import functools
import project.ids
from django.conf import settings
from django.db import migrations, models


AUDIT_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION accounts_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER accounts_audit_no_update_delete
    BEFORE UPDATE OR DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION accounts_audit_append_only();
"""

AUDIT_APPEND_ONLY_REVERSE = """
DROP TRIGGER IF EXISTS accounts_audit_no_update_delete ON accounts_auditevent;
DROP FUNCTION IF EXISTS accounts_audit_append_only();
"""


def membership_public_ids(apps, schema_editor):
    Membership = apps.get_model("accounts", "Membership")
    for membership in Membership.objects.filter(public_id__isnull=True).only("pk"):
        Membership.objects.filter(pk=membership.pk).update(public_id=project.ids.public_id("mem"))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='membership',
            name='public_id',
            field=models.CharField(editable=False, max_length=32, null=True),
        ),
        migrations.RunPython(membership_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='membership',
            name='public_id',
            field=models.CharField(default=functools.partial(project.ids.public_id, *('mem',), **{}), editable=False, max_length=32, unique=True),
        ),
        migrations.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(db_index=True, max_length=40)),
                ('summary', models.CharField(max_length=300)),
                ('detail', models.JSONField(blank=True, default=dict)),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='audit_events', to='accounts.team')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Invite',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.CharField(default=functools.partial(project.ids.public_id, *('inv',), **{}), editable=False, max_length=32, unique=True)),
                ('role', models.CharField(choices=[('owner', 'Owner'), ('admin', 'Admin'), ('member', 'Member')], default='member', max_length=10)),
                ('email', models.EmailField(blank=True, max_length=254)),
                ('token_hash', models.CharField(max_length=64, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('expires_at', models.DateTimeField()),
                ('accepted_at', models.DateTimeField(blank=True, null=True)),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('accepted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('team', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invites', to='accounts.team')),
            ],
            options={
                'ordering': ['-created_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('accepted_at__isnull', True), ('accepted_by__isnull', True)), models.Q(('accepted_at__isnull', False), ('accepted_by__isnull', False)), _connector='OR'), name='invite_accepted_by_whom'), models.CheckConstraint(condition=models.Q(('accepted_at__isnull', True), ('revoked_at__isnull', True), _connector='OR'), name='invite_used_or_revoked'), models.CheckConstraint(condition=models.Q(('expires_at__gt', models.F('created_at'))), name='invite_expires_later')],
            },
        ),
        migrations.RunSQL(AUDIT_APPEND_ONLY, AUDIT_APPEND_ONLY_REVERSE),
    ]
