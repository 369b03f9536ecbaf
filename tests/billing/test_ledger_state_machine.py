"""A property-based model of one wallet: any sequence of grants, holds, captures, releases,
expiries and crashes keeps the books exact.

After every step: the ledger entries sum to the wallet, available is never
negative, the wallet matches a plain-Python model, and every hold resolved at
most once (its entries net to its amount while open and to nothing after).
A "crash" runs an operation in a transaction that dies before committing: it
must leave no trace. A hold whose job crashed and never finished stays open
until the expire step releases it.
"""

from __future__ import annotations

import contextlib
import itertools
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from accounts.models import User
from accounts.services import team_create
from billing.models import EntryKind, Hold, HoldState, LedgerEntry, Wallet
from billing.services import (
    InsufficientCredits,
    credit_hold,
    credits_grant,
    hold_capture,
    hold_release,
    holds_expire,
)
from tests.billing.helpers import generation_make

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
amounts = st.decimals(min_value=CENT, max_value=Decimal("60"), places=2)
counter = itertools.count()


class Crash(Exception):
    """The process died here."""


class LedgerMachine(RuleBasedStateMachine):
    holds = Bundle("holds")

    @initialize()
    def team(self) -> None:
        n = next(counter)
        self.user = User.objects.create_user(username=f"machine{n}", email=f"machine{n}@example.com")
        self.team = team_create(name=f"Machine {n}", owner=self.user, slug=f"machine-{n}")
        self.wallet = Wallet.objects.get(team=self.team)
        self.balance = Decimal(0)
        self.held = Decimal(0)
        self.open: dict[int, Decimal] = {}  # hold pk -> amount
        self.states: dict[int, str] = {}

    def _hold(self, amount: Decimal) -> Hold:
        generation = generation_make(team=self.team, user=self.user, credits=amount)
        return credit_hold(team=self.team, amount=amount, job=generation.ledger_ref, actor=self.user)

    @rule(amount=amounts)
    def grant(self, amount: Decimal) -> None:
        credits_grant(team=self.team, amount=amount, reason="top up", actor=self.user)
        self.balance += amount

    @rule(target=holds, amount=amounts)
    def hold(self, amount: Decimal):
        available = self.balance - self.held
        try:
            with transaction.atomic():
                hold = self._hold(amount)
        except InsufficientCredits:
            assert amount > available, "refused although the wallet could pay"
            return multiple()
        assert amount <= available, "held more than was available"
        self.held += amount
        self.open[hold.pk] = amount
        self.states[hold.pk] = HoldState.OPEN
        return hold.pk

    @rule(hold=holds, percent=st.integers(min_value=0, max_value=100))
    def capture(self, hold: int, percent: int) -> None:
        row = Hold.objects.get(pk=hold)
        amount = (row.amount * percent / 100).quantize(CENT, rounding=ROUND_DOWN)
        won = hold_capture(hold=row, amount=amount)
        assert won == (hold in self.open), "a hold resolved twice, or an open hold refused to resolve"
        if won:
            self.balance -= amount
            self.held -= self.open.pop(hold)
            self.states[hold] = HoldState.CAPTURED

    @rule(hold=holds)
    def release(self, hold: int) -> None:
        won = hold_release(hold=Hold.objects.get(pk=hold), reason="failed")
        assert won == (hold in self.open)
        if won:
            self.held -= self.open.pop(hold)
            self.states[hold] = HoldState.RELEASED

    @rule(hold=holds)
    def expire(self, hold: int) -> None:
        """The sweeper runs at a time just past this hold's expiry: it and every older open hold expire."""
        now = Hold.objects.get(pk=hold).expires_at + timedelta(microseconds=1)
        due = set(
            Hold.objects.filter(wallet=self.wallet, state=HoldState.OPEN, expires_at__lt=now).values_list(
                "pk", flat=True
            )
        )
        assert due <= set(self.open)
        holds_expire(now=now)
        for pk in due:
            self.held -= self.open.pop(pk)
            self.states[pk] = HoldState.EXPIRED
        assert not Hold.objects.filter(pk__in=due).exclude(state=HoldState.EXPIRED).exists()

    @rule(amount=amounts, step=st.sampled_from(["grant", "hold"]))
    def crash_while_writing(self, amount: Decimal, step: str) -> None:
        """A process dies mid-transaction: nothing it wrote survives."""
        try:
            with transaction.atomic():
                if step == "grant":
                    credits_grant(team=self.team, amount=amount, reason="lost", actor=self.user)
                else:
                    with contextlib.suppress(InsufficientCredits):
                        self._hold(amount)
                raise Crash
        except Crash:
            pass

    @rule(hold=consumes(holds), percent=st.integers(min_value=0, max_value=100), release=st.booleans())
    def crash_while_resolving(self, hold: int, percent: int, release: bool) -> None:
        """A worker resolves a hold and dies before committing: the hold is as it was."""
        row = Hold.objects.get(pk=hold)
        try:
            with transaction.atomic():
                if release:
                    hold_release(hold=row, reason="lost")
                else:
                    hold_capture(hold=row, amount=(row.amount * percent / 100).quantize(CENT, rounding=ROUND_DOWN))
                raise Crash
        except Crash:
            pass
        assert Hold.objects.get(pk=hold).state == self.states[hold]

    @invariant()
    def books_balance(self) -> None:
        wallet = Wallet.objects.get(pk=self.wallet.pk)
        sums = LedgerEntry.objects.filter(wallet=wallet).aggregate(balance=Sum("balance_delta"), held=Sum("held_delta"))
        assert (sums["balance"] or 0, sums["held"] or 0) == (wallet.balance, wallet.held), "entries sum to the wallet"
        assert (wallet.balance, wallet.held) == (self.balance, self.held), "the wallet matches the model"
        assert wallet.available >= 0

    @invariant()
    def holds_resolve_at_most_once(self) -> None:
        holds = Hold.objects.filter(wallet=self.wallet).annotate(
            net=Sum("entries__held_delta"), entries_count=Count("entries")
        )
        for hold in holds:
            assert hold.state == self.states[hold.pk]
            expected = hold.amount if hold.state == HoldState.OPEN else 0
            assert hold.net == expected, f"{hold.public_id}: entries net to {hold.net}, not {expected}"
        repeated = (
            LedgerEntry.objects.filter(wallet=self.wallet, kind__in=[EntryKind.RELEASE, EntryKind.EXPIRY])
            .values("hold")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        assert not repeated.exists()
        captures = (
            LedgerEntry.objects.filter(wallet=self.wallet, kind=EntryKind.CAPTURE)
            .values("hold")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        assert not captures.exists()


def test_the_books_stay_exact_under_any_sequence(catalog):
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
            database=None,
        ),
    )
