"""The database makes a hold resolve exactly once and keeps what it holds fixed.

A hold's amount, wallet and generation never change after it is taken (a price
change can't alter credits already held); its state moves away from ``open``
once and never again; holds are never deleted. The ledger gets at most one
hold, one capture and one give-back (release or expiry) entry per hold.
"""

from django.conf import settings
from django.db import migrations, models

SQL = """
CREATE OR REPLACE FUNCTION billing_hold_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'holds are never deleted' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.state <> 'open' THEN
        RAISE EXCEPTION 'hold % is already %: a hold resolves exactly once', OLD.public_id, OLD.state
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.amount <> OLD.amount OR NEW.wallet_id <> OLD.wallet_id
       OR NEW.generation_id IS DISTINCT FROM OLD.generation_id
       OR NEW.public_id <> OLD.public_id OR NEW.created_at <> OLD.created_at THEN
        RAISE EXCEPTION 'hold % can only be resolved, not changed', OLD.public_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_hold_resolves_once
    BEFORE UPDATE OR DELETE ON billing_hold
    FOR EACH ROW EXECUTE FUNCTION billing_hold_guard();
"""

REVERSE = """
DROP TRIGGER IF EXISTS billing_hold_resolves_once ON billing_hold;
DROP FUNCTION IF EXISTS billing_hold_guard();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0003_limits"),
        ("generations", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "hold")), fields=("hold",), name="ledger_one_hold_entry"
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "capture")), fields=("hold",), name="ledger_one_capture_per_hold"
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind__in", ["release", "expiry"])),
                fields=("hold",),
                name="ledger_one_release_per_hold",
            ),
        ),
        migrations.RunSQL(SQL, REVERSE),
    ]
