"""Real concurrency on real PostgreSQL: many threads, each with its own connection, on one wallet.

PostgreSQL here allows 100 connections, so "200 simultaneous submissions" run
on 40 threads that start together and each submit five times back to back:
the wallet row is contended the whole time.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from billing.models import EntryKind, Hold, HoldState, LedgerEntry, TeamLimits, Wallet
from billing.selectors import holds_unbalanced, wallet_drift
from billing.services import (
    InsufficientCredits,
    SpendLimitExceeded,
    hold_capture,
    hold_release,
    holds_expire,
)
from catalog.models import Offer, Provider
from catalog.services import price_quote
from generations.models import Generation
from generations.services.submission import generation_submit
from tests.billing.helpers import BalanceWatcher, hold_take, run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 40


@pytest.fixture
def no_enqueue(monkeypatch):
    """Submissions here test the books, not the worker: nothing is sent to Celery."""
    monkeypatch.setattr("generations.services.submission._enqueue_on_commit", lambda *args, **kwargs: None)


def _priced(credits: str) -> Offer:
    """Nano Banana (4 provider units) at a credit rate that makes it cost ``credits``."""
    Provider.objects.filter(slug="kubflow").update(credit_rate=Decimal(credits) / 4)
    offer = Offer.objects.select_related("provider").get(provider__slug="kubflow", model_id="nano-banana")
    assert price_quote(offer=offer, params={"prompt": "x"}).credits == Decimal(credits)
    return offer


def _books_agree(wallet: Wallet) -> None:
    assert wallet_drift() == []
    assert holds_unbalanced() == []
    sums = LedgerEntry.objects.filter(wallet=wallet).values_list("balance_delta", "held_delta")
    assert sum(b for b, _ in sums) == wallet.balance
    assert sum(h for _, h in sums) == wallet.held


@pytest.mark.parametrize(("price", "expected"), [("1", 100), ("7", 14)])
@pytest.mark.usefixtures("no_enqueue")
def test_200_simultaneous_submissions_never_overdraw(people, catalog, price, expected):
    submissions = 200
    offer = _priced(price)
    wallet = Wallet.objects.get(team=people.team)

    def submit(n: int):
        return lambda: generation_submit(
            team=people.team, user=people.owner, offer=offer, params={"prompt": f"job {n}"}
        )

    with BalanceWatcher(wallet.pk) as watcher:
        results = run_at_once([submit(n) for n in range(submissions)], threads=THREADS)

    made = [r for r in results if isinstance(r, Generation)]
    refused = [r for r in results if isinstance(r, InsufficientCredits)]
    assert len(made) == expected
    assert len(refused) == submissions - expected, [r for r in results if isinstance(r, Exception)][:3]
    assert watcher.reads > 0 and watcher.lowest >= 0, "the balance never read below zero"
    wallet.refresh_from_db()
    assert wallet.balance == Decimal(100)
    assert wallet.held == Decimal(price) * expected
    assert wallet.available == Decimal(100) - Decimal(price) * expected
    assert Generation.objects.filter(team=people.team).count() == expected, "a refused submission leaves nothing"
    assert Hold.objects.filter(wallet=wallet).count() == expected
    _books_agree(wallet)


def test_simultaneous_captures_and_releases_resolve_a_hold_once(people, catalog):
    wallet = Wallet.objects.get(team=people.team)
    for _ in range(3):  # a few rounds: a race that passes once by luck fails here
        hold = hold_take(team=people.team, user=people.owner, amount="10")

        def capture(amount: str, pk: int = hold.pk):
            return lambda: hold_capture(hold=Hold.objects.get(pk=pk), amount=Decimal(amount))

        def release(pk: int = hold.pk):
            return lambda: hold_release(hold=Hold.objects.get(pk=pk), reason="cancelled")

        calls = [capture(str(n % 10 + 1)) if n % 2 else release() for n in range(50)]
        results = run_at_once(calls, threads=50)

        assert [r for r in results if isinstance(r, Exception)] == []
        assert results.count(True) == 1, "exactly one call resolved the hold"
        hold.refresh_from_db()
        assert hold.state in {HoldState.CAPTURED, HoldState.RELEASED}
        resolutions = LedgerEntry.objects.filter(hold=hold).exclude(kind=EntryKind.HOLD)
        assert resolutions.filter(kind=EntryKind.CAPTURE).count() <= 1
        assert resolutions.filter(kind=EntryKind.RELEASE).count() <= 1
        assert sum(e.held_delta for e in resolutions) == -hold.amount
    wallet.refresh_from_db()
    assert wallet.held == 0
    _books_agree(wallet)


def test_two_sweepers_at_once_expire_each_hold_once(people, catalog):
    wallet = Wallet.objects.get(team=people.team)
    holds = [hold_take(team=people.team, user=people.owner, amount="3") for _ in range(30)]
    later = timezone.now() + timedelta(hours=7)  # past every hold's expiry

    first = run_at_once([lambda: holds_expire(now=later), lambda: holds_expire(now=later)], threads=2)
    assert all(isinstance(r, int) for r in first), first
    assert sum(first) == len(holds), "between them the two sweepers released each hold once"
    again = run_at_once([lambda: holds_expire(now=later), lambda: holds_expire(now=later)], threads=2)
    assert again == [0, 0], "nothing is left to expire"

    assert Hold.objects.filter(wallet=wallet, state=HoldState.EXPIRED).count() == 30
    expiries = LedgerEntry.objects.filter(wallet=wallet, kind=EntryKind.EXPIRY)
    assert expiries.count() == 30
    assert not expiries.values("hold").annotate(n=Count("id")).filter(n__gt=1).exists()
    wallet.refresh_from_db()
    assert (wallet.balance, wallet.held) == (Decimal(100), Decimal(0))
    _books_agree(wallet)


def test_two_sweepers_and_a_late_capture_race_for_one_hold(people, catalog):
    hold = hold_take(team=people.team, user=people.owner, amount="5")
    later = timezone.now() + timedelta(hours=7)
    results = run_at_once(
        [
            lambda: holds_expire(now=later),
            lambda: holds_expire(now=later),
            lambda: hold_capture(hold=Hold.objects.get(pk=hold.pk), amount=Decimal("5")),
        ],
        threads=3,
    )
    expired, captured = results[0] + results[1], results[2]
    assert (expired, captured) in {(1, False), (0, True)}, results
    assert LedgerEntry.objects.filter(hold=hold).filter(~Q(kind=EntryKind.HOLD)).count() == 1
    _books_agree(Wallet.objects.get(team=people.team))


@pytest.mark.usefixtures("no_enqueue")
def test_simultaneous_submissions_respect_the_monthly_budget(people, catalog):
    offer = _priced("1")
    TeamLimits.objects.create(team=people.team, monthly_budget=Decimal("10"))

    def submit(n: int):
        return lambda: generation_submit(team=people.team, user=people.owner, offer=offer, params={"prompt": f"b {n}"})

    results = run_at_once([submit(n) for n in range(60)], threads=THREADS)

    assert sum(isinstance(r, Generation) for r in results) == 10
    refusals = [r for r in results if isinstance(r, SpendLimitExceeded)]
    assert len(refusals) == 50
    assert all(r.limit == "team_budget" and r.available == 0 for r in refusals)
    wallet = Wallet.objects.get(team=people.team)
    assert wallet.held == Decimal(10)
    _books_agree(wallet)
