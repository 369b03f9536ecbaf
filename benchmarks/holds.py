"""Holds per second on one wallet under contention.

N threads, each on its own PostgreSQL connection, take holds on the same
wallet until a fixed number is done; every hold is what a submission writes
(a generation row, the conditional wallet update, the hold and its ledger
entry, in one transaction). ``--mode submit`` runs the whole
``generation_submit`` (quote, limits check, hold) instead, with Celery left
out. Runs in a database of its own, created and dropped here, so the
studio's data is never touched.

    .venv/bin/python benchmarks/holds.py
    .venv/bin/python benchmarks/holds.py --threads 1,8,32 --holds 3000 --mode both
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

BENCH_DB = "bench_holds"


def _setup():
    from accounts.services import team_create, user_signup
    from billing.services import credits_grant
    from catalog.models import Offer
    from catalog.services import catalog_sync

    catalog_sync(providers=["kubflow"])
    user = user_signup(username="bench", email="bench@example.com", password="bench-password-1")
    team = team_create(name="Bench", owner=user, slug="bench")
    credits_grant(team=team, amount=Decimal("100000000"), reason="benchmark credits")
    offer = Offer.objects.select_related("provider").get(provider__slug="kubflow", model_id="nano-banana")
    return team, user, offer


def _hold_once(team, user, offer, n: int) -> None:
    from billing.services import credit_hold
    from generations.models import Generation

    with transaction.atomic():
        generation = Generation.objects.create(
            team=team,
            created_by=user,
            offer=offer,
            prompt=f"bench {n}",
            provider_cost=Decimal(1),
            credits_quoted=Decimal(1),
            deadline_at=timezone.now() + timedelta(hours=1),
        )
        credit_hold(team=team, amount=Decimal(1), job=generation.ledger_ref, actor=user)


def _submit_once(team, user, offer, n: int) -> None:
    from generations.services.submission import generation_submit

    generation_submit(team=team, user=user, offer=offer, params={"prompt": f"bench {n}"})


def run(threads: int, total: int, work) -> dict:
    counter = iter(range(total))
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads + 1)

    def worker() -> None:
        mine: list[float] = []
        try:
            barrier.wait()
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    break
                started = time.perf_counter()
                work(n)
                mine.append(time.perf_counter() - started)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    latencies.sort()
    return {
        "threads": threads,
        "holds": len(latencies),
        "seconds": elapsed,
        "per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", default="1,2,4,8,16,32", help="comma-separated thread counts")
    parser.add_argument("--holds", type=int, default=2000, help="holds per run")
    parser.add_argument("--mode", choices=["hold", "submit", "both"], default="both")
    args = parser.parse_args()
    thread_counts = [int(t) for t in args.threads.split(",")]

    import generations.services.submission

    generations.services.submission._enqueue_on_commit = lambda *a, **k: None  # measure the books, not the broker

    connection.settings_dict["TEST"]["NAME"] = BENCH_DB
    original_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        team, user, offer = _setup()
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        print(f"PostgreSQL {version}, database {BENCH_DB}, {args.holds} holds per run, one wallet")
        modes = ["hold", "submit"] if args.mode == "both" else [args.mode]
        for mode in modes:
            work = {"hold": _hold_once, "submit": _submit_once}[mode]
            print(f"\nmode: {mode}")
            print(f"{'threads':>8} {'holds':>7} {'seconds':>8} {'holds/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
            for threads in thread_counts:
                row = run(threads, args.holds, lambda n, work=work: work(team, user, offer, n))
                print(
                    f"{row['threads']:>8} {row['holds']:>7} {row['seconds']:>8.2f} {row['per_second']:>9.0f} "
                    f"{row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f}"
                )
        from billing.models import Wallet
        from billing.selectors import holds_unbalanced, wallet_drift

        wallet = Wallet.objects.get(team=team)
        drift = wallet_drift() or holds_unbalanced()
        print(
            f"\nwallet held {wallet.held}, available {wallet.available}; audit: {'DRIFT ' + str(drift) if drift else 'no drift'}"
        )
    finally:
        connection.close()
        connection.creation.destroy_test_db(original_name, verbosity=0)


if __name__ == "__main__":
    main()
