"""Small builders for billing tests: a generation row to hang a hold on, and running code in threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Team, User
from billing.models import Hold
from billing.services import credit_hold
from generations.models import Generation


def generation_make(*, team: Team, user: User, credits: Decimal, offer=None, **fields: Any) -> Generation:
    from catalog.models import Offer

    return Generation.objects.create(
        team=team,
        created_by=user,
        offer=offer or Offer.objects.get(provider__slug="kubflow", model_id="nano-banana"),
        prompt=fields.pop("prompt", "test"),
        provider_cost=credits,
        credits_quoted=credits,
        deadline_at=timezone.now() + timedelta(hours=1),
        **fields,
    )


def hold_take(*, team: Team, user: User, amount: Decimal | str, offer=None) -> Hold:
    """What a submission does to the books: a generation and its hold, in one transaction."""
    amount = Decimal(amount)
    with transaction.atomic():
        generation = generation_make(team=team, user=user, credits=amount, offer=offer)
        return credit_hold(team=team, amount=amount, job=generation.ledger_ref, actor=user)


def run_at_once(calls: list[Callable[[], Any]], *, threads: int = 32) -> list[Any]:
    """Run ``calls`` on ``threads`` threads that start together, each on its own database connection.

    Returns each call's result, or the exception it raised, in the order given.
    """
    results: list[Any] = [None] * len(calls)
    threads = min(threads, len(calls))
    barrier = threading.Barrier(threads)
    lock = threading.Lock()
    pending = list(enumerate(calls))

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            while True:
                with lock:
                    if not pending:
                        return
                    index, call = pending.pop()
                try:
                    results[index] = call()
                except Exception as exc:
                    results[index] = exc
        finally:
            connection.close()

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in workers), "a worker thread hung"
    return results


class BalanceWatcher:
    """Reads the wallet over and over on its own connection while others write; remembers the lowest available."""

    def __init__(self, wallet_id: int) -> None:
        self.wallet_id = wallet_id
        self.lowest: Decimal | None = None
        self.reads = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        try:
            with connection.cursor() as cursor:
                while not self._stop.is_set():
                    cursor.execute("SELECT balance - held FROM billing_wallet WHERE id = %s", [self.wallet_id])
                    available = cursor.fetchone()[0]
                    self.lowest = available if self.lowest is None else min(self.lowest, available)
                    self.reads += 1
        finally:
            connection.close()

    def __enter__(self) -> BalanceWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
