"""The database itself guards the ledger, not only the code."""

from __future__ import annotations

import io
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


def _hold(people, amount: str = "10"):
    from tests.billing.helpers import hold_take

    return hold_take(team=people.team, user=people.owner, amount=amount)


def _refused(sql: str, params: list) -> None:
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_wallet_balance_cannot_go_negative(people):
    _refused("UPDATE billing_wallet SET balance = -1 WHERE team_id = %s", [people.team.pk])
    _refused("UPDATE billing_wallet SET held = -1 WHERE team_id = %s", [people.team.pk])
    assert Wallet.objects.get(team=people.team).balance == Decimal("100")


def test_a_resolved_hold_cannot_be_resolved_again_even_in_sql(people, catalog):
    from billing.services import hold_release

    hold = _hold(people)
    assert hold_release(hold=hold, reason="cancelled")
    _refused("UPDATE billing_hold SET state = 'open', resolved_at = NULL WHERE id = %s", [hold.pk])
    _refused("UPDATE billing_hold SET state = 'captured', captured = 5 WHERE id = %s", [hold.pk])
    hold.refresh_from_db()
    assert hold.state == "released"


def test_a_held_amount_cannot_be_changed_or_the_hold_deleted(people, catalog):
    hold = _hold(people)
    _refused("UPDATE billing_hold SET amount = 1 WHERE id = %s", [hold.pk])
    _refused("DELETE FROM billing_hold WHERE id = %s", [hold.pk])
    hold.refresh_from_db()
    assert hold.amount == Decimal("10")


def test_a_hold_cannot_get_a_second_give_back_or_capture_entry(people, catalog):
    from billing.services import hold_capture

    hold = _hold(people)
    assert hold_capture(hold=hold, amount=Decimal("6"))  # capture 6, release 4
    wallet = Wallet.objects.get(team=people.team)
    for kind, balance, held in [("expiry", 0, -1), ("release", 0, -1), ("capture", -1, -1)]:
        with pytest.raises(IntegrityError), transaction.atomic():
            LedgerEntry.objects.create(
                wallet=wallet,
                kind=kind,
                balance_delta=balance,
                held_delta=held,
                hold=hold,
                idempotency_key=f"second-{kind}",
            )


def test_entries_must_fit_their_kind(people):
    wallet = Wallet.objects.get(team=people.team)
    for kind, balance, held in [("grant", -5, 0), ("deduction", 5, 0), ("hold", 0, 5)]:  # hold without a hold row
        with pytest.raises(IntegrityError), transaction.atomic():
            LedgerEntry.objects.create(
                wallet=wallet, kind=kind, balance_delta=balance, held_delta=held, idempotency_key=f"bad-{kind}"
            )


def test_the_audit_command_passes_on_exact_books_and_fails_on_drift(people, catalog):
    from django.core.management import CommandError, call_command

    _hold(people)
    out = io.StringIO()
    call_command("billing_audit", stdout=out)
    assert "every wallet equals the sum of its entries" in out.getvalue()

    with connection.cursor() as cursor:  # a bug that moves money without an entry
        cursor.execute("UPDATE billing_wallet SET balance = balance + 5 WHERE team_id = %s", [people.team.pk])
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 wallet"):
        call_command("billing_audit", stdout=out)
    assert "DRIFT northwind: balance 105.00 vs ledger 100.00" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_audit_command_exits_non_zero_on_drift(people):
    """Run as the operator would: a separate process on the same database."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT, _database_url

    def audit() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", "billing_audit"],
            check=False,
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": _database_url()},
            capture_output=True,
            text=True,
            timeout=120,
        )

    clean = audit()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    with connection.cursor() as cursor:
        cursor.execute("UPDATE billing_wallet SET held = held + 1 WHERE team_id = %s", [people.team.pk])
    drifted = audit()
    assert drifted.returncode != 0
    assert "DRIFT northwind" in drifted.stdout
