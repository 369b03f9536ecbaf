"""Reads for wallets and the ledger."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import QuerySet, Sum

from billing.models import LedgerEntry, Wallet

if TYPE_CHECKING:
    from accounts.models import Team


def wallet_for_team(*, team: Team) -> Wallet | None:
    return Wallet.objects.filter(team=team).first()


def ledger_for_team(*, team: Team) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(wallet__team=team).select_related("actor", "generation", "hold")


def wallet_drift() -> list[dict]:
    """Wallets whose stored balance or held amount differs from the sum of their entries."""
    drift = []
    sums = {
        row["wallet"]: row
        for row in LedgerEntry.objects.values("wallet").annotate(balance=Sum("balance_delta"), held=Sum("held_delta"))
    }
    for wallet in Wallet.objects.select_related("team"):
        row = sums.get(wallet.pk, {"balance": Decimal(0), "held": Decimal(0)})
        balance, held = row["balance"] or Decimal(0), row["held"] or Decimal(0)
        if balance != wallet.balance or held != wallet.held:
            drift.append(
                {
                    "team": wallet.team.slug,
                    "stored_balance": wallet.balance,
                    "ledger_balance": balance,
                    "stored_held": wallet.held,
                    "ledger_held": held,
                }
            )
    return drift
