"""Fill in the plain job references (0005) of the holds and ledger entries written before them.

Each row gets its job's public id and member. The offer: a hold, and the entries it wrote while it was
open (hold, release, expiry), name the offer the credits were held for (the first offer the job moved
from, when failover moved it, else its offer); a capture or a refund names the offer the job ran on
(its offer now), as usage counted it until now.

Both tables refuse the UPDATE this needs (the ledger is append-only, migration 0002; a resolved hold
never changes, 0004), and neither trigger has a way round it. So the backfill turns the two triggers off,
fills in the new columns only, and turns them back on, all in this migration's transaction: no other
change can slip in while they are off (ALTER TABLE ... DISABLE TRIGGER holds the table's exclusive lock to
the commit), and if anything fails the triggers were never off. The deferred foreign-key checks run at
once (SET CONSTRAINTS ALL IMMEDIATE), as a table with pending trigger events can't be altered.

Last, the hold guard also keeps the new references fixed, like the hold's generation.
"""

from django.db import migrations

JOBS = """
SELECT g.id,
       g.public_id,
       g.created_by_id,
       p.slug || ':' || o.model_id AS ran_key,
       p.slug AS ran_slug,
       COALESCE(g.moves -> 0 ->> 'from', p.slug || ':' || o.model_id) AS held_key,
       COALESCE(split_part(g.moves -> 0 ->> 'from', ':', 1), p.slug) AS held_slug
FROM generations_generation g
JOIN catalog_offer o ON o.id = g.offer_id
JOIN catalog_provider p ON p.id = o.provider_id
"""

BACKFILL = f"""
SET CONSTRAINTS ALL IMMEDIATE;

ALTER TABLE billing_hold DISABLE TRIGGER billing_hold_resolves_once;
UPDATE billing_hold h
   SET generation_ref = j.public_id, member_id = j.created_by_id, offer_key = j.held_key, provider_slug = j.held_slug
  FROM ({JOBS}) j
 WHERE j.id = h.generation_id;
ALTER TABLE billing_hold ENABLE TRIGGER billing_hold_resolves_once;

ALTER TABLE billing_ledgerentry DISABLE TRIGGER billing_ledger_no_update_delete;
UPDATE billing_ledgerentry e
   SET generation_ref = j.public_id,
       member_id = j.created_by_id,
       offer_key = CASE WHEN e.kind IN ('capture', 'adjustment') THEN j.ran_key ELSE j.held_key END,
       provider_slug = CASE WHEN e.kind IN ('capture', 'adjustment') THEN j.ran_slug ELSE j.held_slug END
  FROM ({JOBS}) j
 WHERE j.id = e.generation_id;
ALTER TABLE billing_ledgerentry ENABLE TRIGGER billing_ledger_no_update_delete;

SET CONSTRAINTS ALL DEFERRED;
"""

GUARD = """
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
       OR NEW.generation_ref <> OLD.generation_ref OR NEW.member_id IS DISTINCT FROM OLD.member_id
       OR NEW.offer_key <> OLD.offer_key OR NEW.provider_slug <> OLD.provider_slug
       OR NEW.public_id <> OLD.public_id OR NEW.created_at <> OLD.created_at THEN
        RAISE EXCEPTION 'hold % can only be resolved, not changed', OLD.public_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

# The guard as migration 0004 wrote it (0005's columns are gone once this is unapplied).
GUARD_BEFORE = """
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
"""


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0005_job_refs"),
        ("generations", "0007_receipt_and_health"),  # generations_generation.moves
    ]

    operations = [
        # Unapplied, the backfill has nothing to undo: unapplying 0005 drops its columns.
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RunSQL(GUARD, GUARD_BEFORE),
    ]
