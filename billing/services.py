"""The only code that writes ledger entries.

Every function here runs in a transaction and moves a wallet with one
conditional ``UPDATE`` whose row count says whether it won: concurrent
requests can't overdraw a wallet (the update only matches while enough is
available) and a hold can't resolve twice (only an ``open`` hold matches).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from billing.models import EntryKind, Hold, HoldState, LedgerEntry, Wallet

if TYPE_CHECKING:
    from accounts.models import Team, User
    from generations.models import Generation

HOLD_TTL = timedelta(hours=getattr(settings, "HOLD_TTL_HOURS", 6))


class BillingError(Exception):
    code = "billing_error"


class InsufficientCredits(BillingError):
    code = "insufficient_credits"

    def __init__(self, needed: Decimal, available: Decimal) -> None:
        self.needed = needed
        self.available = available
        super().__init__(
            f"This needs {needed} credits and the team has {available} available. Ask an owner or admin to add credits."
        )


def wallet_create(*, team: Team) -> Wallet:
    wallet, _ = Wallet.objects.get_or_create(team=team)
    return wallet


def _entry(**fields) -> LedgerEntry:
    return LedgerEntry.objects.create(**fields)


@transaction.atomic
def credits_grant(
    *, team: Team, amount: Decimal, reason: str, actor: User | None = None, idempotency_key: str | None = None
) -> LedgerEntry:
    """Add credits to a team's wallet (staff grants, the demo's starting credits)."""
    amount = Decimal(amount)
    if amount <= 0:
        raise ValueError("A grant must be a positive amount")
    key = idempotency_key or f"grant:{uuid.uuid4()}"
    existing = LedgerEntry.objects.filter(idempotency_key=key).first()
    if existing:
        return existing
    Wallet.objects.filter(team=team).update(balance=F("balance") + amount, updated_at=timezone.now())
    wallet = Wallet.objects.get(team=team)
    return _entry(
        wallet=wallet,
        kind=EntryKind.GRANT,
        balance_delta=amount,
        held_delta=Decimal(0),
        actor=actor,
        reason=reason,
        idempotency_key=key,
    )


def credit_hold(*, team: Team, amount: Decimal, generation: Generation, actor: User | None, reason: str = "") -> Hold:
    """Hold credits for a generation. Must run inside the transaction that creates it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("credit_hold must run in the transaction that creates the generation")
    amount = Decimal(amount)
    if amount <= 0:
        raise ValueError("A hold must be a positive amount")
    updated = Wallet.objects.filter(team=team, balance__gte=F("held") + amount).update(
        held=F("held") + amount, updated_at=timezone.now()
    )
    wallet = Wallet.objects.get(team=team)
    if not updated:
        raise InsufficientCredits(needed=amount, available=wallet.available)
    hold = Hold.objects.create(
        wallet=wallet, generation=generation, amount=amount, expires_at=timezone.now() + HOLD_TTL
    )
    _entry(
        wallet=wallet,
        kind=EntryKind.HOLD,
        balance_delta=Decimal(0),
        held_delta=amount,
        hold=hold,
        generation=generation,
        actor=actor,
        reason=reason or f"Hold for {generation.public_id}",
        idempotency_key=f"hold:{hold.public_id}",
    )
    return hold


def _resolve(hold: Hold, *, state: str, captured: Decimal) -> bool:
    """Move an open hold to ``state``; False when another call resolved it first."""
    return bool(
        Hold.objects.filter(pk=hold.pk, state=HoldState.OPEN).update(
            state=state, captured=captured, resolved_at=timezone.now()
        )
    )


@transaction.atomic
def hold_capture(*, hold: Hold, amount: Decimal, reason: str = "") -> bool:
    """Charge ``amount`` (at most the hold) and release the rest. Exactly once per hold."""
    amount = Decimal(amount)
    if amount < 0 or amount > hold.amount:
        raise ValueError(f"capture of {amount} is outside the hold of {hold.amount}")
    if not _resolve(hold, state=HoldState.CAPTURED, captured=amount):
        return False
    rest = hold.amount - amount
    Wallet.objects.filter(pk=hold.wallet_id).update(
        balance=F("balance") - amount, held=F("held") - hold.amount, updated_at=timezone.now()
    )
    if amount > 0:
        _entry(
            wallet_id=hold.wallet_id,
            kind=EntryKind.CAPTURE,
            balance_delta=-amount,
            held_delta=-amount,
            hold=hold,
            generation_id=hold.generation_id,
            reason=reason or "Charged on completion",
            idempotency_key=f"capture:{hold.public_id}",
        )
    if rest > 0:
        _entry(
            wallet_id=hold.wallet_id,
            kind=EntryKind.RELEASE,
            balance_delta=Decimal(0),
            held_delta=-rest,
            hold=hold,
            generation_id=hold.generation_id,
            reason="Unused part of the hold",
            idempotency_key=f"release:{hold.public_id}",
        )
    return True


@transaction.atomic
def hold_release(*, hold: Hold, reason: str, expired: bool = False) -> bool:
    """Give a whole hold back. Exactly once per hold; False if it was already resolved."""
    state = HoldState.EXPIRED if expired else HoldState.RELEASED
    if not _resolve(hold, state=state, captured=Decimal(0)):
        return False
    Wallet.objects.filter(pk=hold.wallet_id).update(held=F("held") - hold.amount, updated_at=timezone.now())
    _entry(
        wallet_id=hold.wallet_id,
        kind=EntryKind.EXPIRY if expired else EntryKind.RELEASE,
        balance_delta=Decimal(0),
        held_delta=-hold.amount,
        hold=hold,
        generation_id=hold.generation_id,
        reason=reason,
        idempotency_key=f"release:{hold.public_id}",
    )
    return True


def holds_expire(*, now=None) -> int:
    """Release holds left open past their expiry (a crash between steps). Safe to run twice at once."""
    now = now or timezone.now()
    released = 0
    for hold in Hold.objects.filter(state=HoldState.OPEN, expires_at__lt=now).order_by("expires_at")[:500]:
        try:
            if hold_release(hold=hold, reason="Hold expired", expired=True):
                released += 1
        except IntegrityError:
            continue  # another sweeper wrote this release first
    return released
