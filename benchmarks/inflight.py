"""Many jobs in flight: the sweeper's due-scan with 10,000 unfinished jobs, and the gallery's searches.

    .venv/bin/python benchmarks/inflight.py [--active 10000] [--finished 100000] [--due 300]

A stack of its own (benchmarks/stack.py; no worker: the scan's tasks are purged). One team holds
``--finished`` finished generations and ``--active`` unfinished ones (queued, running, downloading; their
next reads spread over the next ten minutes, ``--due`` of them overdue, a few leased by a worker). Then:

- ``generations_resume_stale`` (the sweeper's due-scan and its sends), timed over 5 runs, and its query
  alone with EXPLAIN ANALYZE (the plan is printed);
- the gallery's queries as a page runs them (``gallery_queryset`` → the page's rows, 49 of them) for a
  prompt search, a model, a provider and sort by cost, each with EXPLAIN ANALYZE: execution time and
  the indexes the plan uses.

Goals (issue 16): due-scan under 1 s with 10,000 unfinished jobs; gallery searches under 100 ms on a
team of 100,000 generations.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DUE_GOAL = 1.0
GALLERY_GOAL_MS = 100.0
WORDS = ["fox", "harbour", "dawn", "lighthouse", "storm", "kite", "tide", "robot", "garden", "city", "river"]


def _populate(stack, *, active: int, finished: int, due: int) -> None:
    from catalog.models import Offer
    from generations.models import Generation, Status

    offers = list(Offer.objects.filter(provider__slug="kubflow", enabled=True).order_by("pk")[:12])
    rng = random.Random(16)
    now = timezone_now()

    def row(i: int, status: str) -> Generation:
        words = " ".join(rng.sample(WORDS, 4))
        quoted = Decimal(rng.randint(1, 400))
        final = status in (Status.COMPLETED, Status.FAILED, Status.CANCELLED)
        return Generation(
            team=stack.team,
            created_by=stack.user,
            offer=rng.choice(offers),
            prompt=f"{words} #{i}",
            params={"prompt": f"{words} #{i}"},
            status=status,
            provider_cost=quoted,
            credits_quoted=quoted,
            credits_charged=quoted if status == Status.COMPLETED else (Decimal(0) if final else None),
            deadline_at=now + timedelta(hours=1),
            started_at=None if status == Status.QUEUED else now,
            finished_at=now - timedelta(seconds=rng.randint(0, 86400 * 30)) if final else None,
        )

    batch: list[Generation] = []
    for i in range(finished):
        batch.append(row(i, rng.choice([Status.COMPLETED] * 8 + [Status.FAILED, Status.CANCELLED])))
        if len(batch) == 5000:
            Generation.objects.bulk_create(batch)
            batch = []
    for i in range(active):
        batch.append(row(finished + i, rng.choice([Status.QUEUED, Status.RUNNING, Status.RUNNING, Status.DOWNLOADING])))
        if len(batch) == 5000:
            Generation.objects.bulk_create(batch)
            batch = []
    Generation.objects.bulk_create(batch)
    from django.db import connection

    with connection.cursor() as cursor:
        # created_at spread over 30 days, unfinished ones the newest; next reads over the next 10 minutes
        cursor.execute(
            "UPDATE generations_generation SET created_at = now() - (random() * interval '30 days') "
            "WHERE finished_at IS NOT NULL"
        )
        cursor.execute(
            "UPDATE generations_generation SET created_at = now() - (random() * interval '10 minutes'), "
            "next_check_at = now() + (random() * interval '10 minutes') WHERE finished_at IS NULL"
        )
        cursor.execute(
            "UPDATE generations_generation SET next_check_at = now() - interval '5 minutes' WHERE id IN "
            "(SELECT id FROM generations_generation WHERE finished_at IS NULL ORDER BY random() LIMIT %s)",
            [due],
        )
        cursor.execute(
            "UPDATE generations_generation SET lease_owner = 'bench', lease_expires_at = now() + interval '2 minutes'"
            " WHERE id IN (SELECT id FROM generations_generation WHERE finished_at IS NULL ORDER BY random() LIMIT 50)"
        )
        cursor.execute("VACUUM ANALYZE generations_generation")


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def _explain_analyze(sql: str, params=None) -> tuple[float, list[str], str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    ms = float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))
    indexes = sorted(set(re.findall(r"(?:Index|Index Only) Scan(?: Backward)? using (\w+)", plan)))
    indexes += sorted(set(re.findall(r"Bitmap Index Scan on (\w+)", plan)) - set(indexes))
    return ms, indexes, plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--active", type=int, default=10_000)
    parser.add_argument("--finished", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=300, help="unfinished jobs overdue (the scan sends them)")
    parser.add_argument("--plans", action="store_true", help="print every gallery plan, not only the due-scan's")
    args = parser.parse_args()

    from benchmarks.stack import Stack

    directory = Path(tempfile.mkdtemp(prefix="studio-bench-inflight-"))
    stack = Stack(directory)
    try:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from generations.selectors import CardRow, GalleryFilters, gallery_queryset
        from generations.services.pipeline import generations_resume_stale
        from project.celery import app

        started = time.monotonic()
        _populate(stack, active=args.active, finished=args.finished, due=args.due)
        print(
            f"{args.finished} finished + {args.active} unfinished generations ({args.due} overdue) in one team,"
            f" made in {time.monotonic() - started:.0f} s"
        )

        runs, sent = [], 0
        for _ in range(5):
            t = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                sent = generations_resume_stale()
            runs.append(time.perf_counter() - t)
        app.control.purge()
        scan_sql = queries.captured_queries[0]["sql"]
        ms, indexes, plan = _explain_analyze(scan_sql)
        print(f"\n{'what':<44} {'time':>10} {'goal':>9}  indexes")
        print(
            f"{'due-scan + sends (generations_resume_stale)':<44} {1000 * statistics.median(runs):8.1f}ms"
            f" {f'< {DUE_GOAL * 1000:.0f}ms':>9}  ({sent} jobs sent, median of 5)"
        )
        print(f"{'  its query alone (EXPLAIN ANALYZE)':<44} {ms:8.1f}ms {'':>9}  {', '.join(indexes) or 'none'}")
        # The scan inherits Generation.Meta.ordering (-created_at, -id): the planner then walks the
        # created_at index over every row of the table. Without an ORDER BY it can use generation_active_due.
        unordered = re.sub(r" ORDER BY .*? LIMIT", " LIMIT", scan_sql)
        ms_u, indexes_u, plan_u = _explain_analyze(unordered)
        print(f"{'  the same without the inherited ORDER BY':<44} {ms_u:8.1f}ms {'':>9}  {', '.join(indexes_u)}")

        offer = stack.offer
        cases = [
            ("gallery: prompt search 'fox harbour'", GalleryFilters(q="fox harbour")),
            ("gallery: by model", GalleryFilters(model=offer.family.slug)),
            ("gallery: by provider", GalleryFilters(provider="kubflow")),
            ("gallery: sort by cost", GalleryFilters(sort="cost")),
            ("gallery: newest first (no filter)", GalleryFilters()),
        ]
        plans = []
        for label, filters in cases:
            queryset = gallery_queryset(team=stack.team, user=stack.user, filters=filters)
            sql, params = queryset.values_list(*CardRow.COLUMNS)[:49].query.sql_with_params()
            _explain_analyze(sql, params)  # warm
            ms, indexes, plan_text = _explain_analyze(sql, params)
            plans.append((label, plan_text))
            print(f"{label:<44} {ms:8.1f}ms {f'< {GALLERY_GOAL_MS:.0f}ms':>9}  {', '.join(indexes) or 'none'}")
        print(f"\nThe due-scan's plan:\n{plan}\n\nWithout the inherited ORDER BY:\n{plan_u}")
        if args.plans:
            for label, plan_text in plans:
                print(f"\n{label}:\n{plan_text}")
    finally:
        stack.close()


if __name__ == "__main__":
    main()
