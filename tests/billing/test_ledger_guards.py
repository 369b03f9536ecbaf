"""The database itself guards the ledger, not only the code."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, InternalError, connection, transaction

from billing.models import LedgerEntry, Wallet
from billing.selectors import wallet_drift

pytestmark = pytest.mark.django_db


def test_ledger_entries_cannot_be_updated_or_deleted(people):
    entry = LedgerEntry.objects.filter(wallet__team=people.team).first()
    for sql in (
        "UPDATE billing_ledgerentry SET balance_delta = 1000 WHERE id = %s",
        "DELETE FROM billing_ledgerentry WHERE id = %s",
    ):
        with pytest.raises((IntegrityError, InternalError)), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    entry.refresh_from_db()
    assert entry.balance_delta == Decimal("100")


def test_a_wallet_cannot_go_below_zero(people):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE billing_wallet SET held = balance + 1 WHERE team_id = %s", [people.team.pk])
    assert Wallet.objects.get(team=people.team).available == Decimal("100")


def test_zero_entries_are_refused(people):
    wallet = Wallet.objects.get(team=people.team)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            wallet=wallet, kind="adjustment", balance_delta=0, held_delta=0, idempotency_key="zero"
        )


def test_audit_finds_no_drift_after_grants(people):
    assert wallet_drift() == []
