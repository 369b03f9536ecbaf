"""Migrations 0005-0006 give the holds and ledger entries written before them their plain job references.

The rows are written by today's code, the schema is taken back to 0004 (the references' columns go with
it), then forward again: the backfill must find what today's code wrote, on append-only tables whose
triggers it has to step round, and leave those triggers working.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from billing.models import Hold, LedgerEntry
from billing.services import credits_refund, hold_capture, hold_release
from catalog.models import Offer
from catalog.services import catalog_sync
from generations.models import Generation
from tests.billing.helpers import hold_take

BEFORE = ("billing", "0004_hold_guards")
AFTER = ("billing", "0006_job_refs_backfill")
REFS = ("generation_ref", "member_id", "offer_key", "provider_slug")


def _migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def _refs() -> tuple[dict, dict]:
    holds = {row.pop("id"): row for row in Hold.objects.values("id", *REFS)}
    entries = {row.pop("id"): row for row in LedgerEntry.objects.values("id", *REFS)}
    return holds, entries


def _refused(sql: str, params: list) -> None:
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db(transaction=True)
def test_backfill_gives_old_rows_the_references_todays_code_writes(people, catalog, admin_user):
    catalog_sync(providers=["kubeez"])
    elsewhere = Offer.objects.filter(provider__slug="kubeez").select_related("provider").first()

    charged = hold_take(team=people.team, user=people.owner, amount="10")
    hold_capture(hold=charged, amount=Decimal("6"))  # a capture and a release
    credits_refund(
        team=people.team, generation_id=charged.generation_id, amount=Decimal("2"), reason="short", actor=admin_user
    )
    failed = hold_take(team=people.team, user=people.teammate, amount="4")
    hold_release(hold=failed, reason="Failed")
    hold_take(team=people.team, user=people.teammate, amount="3")  # still running
    # A job failover moved to another provider: held for the first offer, charged on the one it ran on.
    moved = hold_take(team=people.other_team, user=people.stranger, amount="5")
    first = Generation.objects.select_related("offer__provider").get(pk=moved.generation_id).offer
    Generation.objects.filter(pk=moved.generation_id).update(
        offer=elsewhere, moves=[{"from": first.key, "to": elsewhere.key}]
    )
    hold_capture(
        hold=moved, amount=moved.amount, job=Generation.objects.get(pk=moved.generation_id).ledger_ref
    )  # fmt: skip

    holds, entries = _refs()
    assert holds[moved.pk]["offer_key"] == first.key
    capture = LedgerEntry.objects.get(hold=moved, kind="capture")
    assert (entries[capture.pk]["offer_key"], entries[capture.pk]["provider_slug"]) == (elsewhere.key, "kubeez")
    assert entries[LedgerEntry.objects.get(hold=moved, kind="hold").pk]["offer_key"] == first.key
    grants = LedgerEntry.objects.filter(kind="grant").values_list("pk", flat=True)
    assert grants and all(entries[pk] == dict.fromkeys(REFS, "") | {"member_id": None} for pk in grants)
    assert all(row["generation_ref"].startswith("gen_") and row["member_id"] for row in holds.values())

    try:
        _migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM billing_ledgerentry")
            assert cursor.fetchone()[0] == len(entries)
            cursor.execute(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = 'billing_ledgerentry' "
                "AND column_name = 'offer_key'"
            )
            assert cursor.fetchone()[0] == 0, "0004 has no references: the backfill below starts from nothing"
    finally:
        _migrate(AFTER)

    assert _refs() == (holds, entries)
    # The triggers are back: entries still can't change, a resolved hold still can't, nor an open hold's job.
    _refused("UPDATE billing_ledgerentry SET offer_key = 'x' WHERE id = %s", [capture.pk])
    _refused("DELETE FROM billing_ledgerentry WHERE id = %s", [capture.pk])
    _refused("UPDATE billing_hold SET offer_key = 'x' WHERE id = %s", [failed.pk])
    running = Hold.objects.get(state="open")
    _refused("UPDATE billing_hold SET member_id = %s WHERE id = %s", [people.owner.pk, running.pk])
    _refused("UPDATE billing_hold SET offer_key = 'x' WHERE id = %s", [running.pk])
    assert hold_capture(hold=running, amount=running.amount)  # an open hold still resolves
