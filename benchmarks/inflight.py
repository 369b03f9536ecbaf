"""Many jobs in flight: the sweeper's due-scan with 10,000 unfinished jobs, the gallery's searches, and
whether the status reads of 2 worker processes stay on schedule.

    .venv/bin/python benchmarks/inflight.py [--active 10000] [--finished 100000] [--due 300]
        [--lag-seconds 60] [--lag-jobs 300] [--lag-concurrency 2] [--no-pending]

A stack of its own (benchmarks/stack.py; its sandbox is benchmarks/sandbox_log.py, which logs the moment
each status read arrives). One team holds ``--finished`` finished generations and ``--active`` unfinished
ones (queued, running, downloading; their next reads spread over the next ten minutes, ``--due`` of them
overdue, a few leased by a worker). Then:

- ``generations_resume_stale`` (the sweeper's due-scan and its sends), timed over 5 runs with no worker
  (the tasks it sends are purged), and its query alone with EXPLAIN ANALYZE (the plan is printed);
- the gallery's queries as a page runs them (``gallery_queryset`` → the page's rows, 49 of them) for a
  prompt search, a model, a provider and sort by cost, each with EXPLAIN ANALYZE: execution time and
  the indexes the plan uses;
- status reads on schedule (``--lag-seconds``, 0 for none): ``--lag-jobs`` of the unfinished jobs become
  real jobs running at the sandbox (an hour long, so each read answers "processing" and the worker
  schedules the next one through generations.polling), their next read due at a random moment of the
  window, its task sent with the countdown to that ``next_check_at`` as ``_enqueue_on_commit`` sends it.
  Every other unfinished job's next read comes after the run, each with its countdown task pending in
  the worker (``--no-pending``: none), as every job in flight has one. One Celery worker with
  ``--lag-concurrency`` processes and beat (the sweeper every SWEEP_INTERVAL_SECONDS) run. A read's lag
  is the moment the sandbox got it minus the ``next_check_at`` it was scheduled for: the first read's as
  set here, every later one's as the worker wrote it (the rows are sampled every 0.25 s). Reads scheduled
  in the window count; the run waits up to 30 s after it for the last of them. Beside the lags: the read
  tasks' run times and beat's sweep tasks' from the worker's log, and the CPU each process used.

Goals (issue 16): due-scan under 1 s with 10,000 unfinished jobs, and the status reads of 2 workers on
schedule (lag p95 under 2 s); gallery searches under 100 ms on a team of 100,000 generations.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DUE_GOAL = 1.0
LAG_GOAL = 2.0  # seconds: p95 of how late a status read runs after its next_check_at
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


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def _cpu_seconds(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far by role: the process trees of ``roots``, PostgreSQL's and Redis's processes, this one."""
    import psutil

    groups: dict[str, list] = {"postgres": [], "redis": [], "this process": [psutil.Process()]}
    for role, pid in roots.items():
        try:
            root = psutil.Process(pid)
            groups[role] = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            groups[role] = []
    for proc in psutil.process_iter(["name"]):
        name = proc.info["name"] or ""
        if name.startswith("postgres"):
            groups["postgres"].append(proc)
        elif name.startswith("redis"):
            groups["redis"].append(proc)
    out = {}
    for role, procs in groups.items():
        total = 0.0
        for proc in procs:
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
        out[role] = total
    return out


def _lag_phase(stack, *, seconds: float, jobs: int, concurrency: int, pending: bool, drain: float = 30.0) -> dict:
    """Status reads on schedule: ``jobs`` of the unfinished rows become real running jobs at the sandbox with
    their next read due at a random moment of the next ``seconds``; every other unfinished job's next read
    comes after the run (each with its pending countdown task when ``pending``, as every in-flight job has one
    in production). A Celery worker with ``concurrency`` processes and beat (the sweeper) run the reads. Each
    read's lag is the moment the sandbox received it (its read log) minus the ``next_check_at`` it was
    scheduled for: the first read's as set here, every later one's as the worker wrote it, sampled every
    0.25 s from the job's row."""
    import psutil
    from django.db import connection

    from generations.models import Generation, Status
    from generations.services.pipeline import ADVANCE_TASK
    from project.celery import app

    rng = random.Random(17)
    offer = stack.offer
    app.control.purge()

    # Real provider jobs that run for an hour: every read in the window answers "processing" with a progress,
    # and the worker schedules the next one (generations.polling), as for a long job in flight.
    provider_ids = []
    for i in range(jobs):
        response = stack.http.post(
            "/kubflow/api/v1/generations",
            json={"model": offer.model_id, "prompt": f"lag {i} [sandbox delay=3600]"},
            headers={"Authorization": "Bearer sandbox-key"},
        )
        response.raise_for_status()
        provider_ids.append(response.json()["generation_id"])
    unfinished = list(Generation.objects.filter(finished_at__isnull=True).order_by("pk").values_list("pk", flat=True))
    tracked = rng.sample(unfinished, jobs)
    provider_of = dict(zip(tracked, provider_ids, strict=True))

    # Everyone else: next read after this run, with its countdown task pending (held by the worker until due).
    later = timezone_now() + timedelta(seconds=seconds + 300)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE generations_generation SET next_check_at = %s + random() * interval '10 minutes',"
            " lease_owner = '', lease_expires_at = NULL WHERE finished_at IS NULL",
            [later],
        )
    sent_pending, send_seconds = 0, 0.0
    if pending:
        rows = (
            Generation.objects.filter(finished_at__isnull=True)
            .exclude(pk__in=tracked)
            .order_by()
            .values_list("public_id", "next_check_at")
        )
        started = time.perf_counter()
        with app.producer_or_acquire() as producer:
            for public_id, at in rows.iterator():
                app.send_task(ADVANCE_TASK, args=[public_id], eta=at, producer=producer)
                sent_pending += 1
        send_seconds = time.perf_counter() - started

    from benchmarks.stack import wait_for

    started = time.monotonic()
    stack.start_worker("lag-worker", concurrency=concurrency, loglevel="info")  # info: each task's run time
    stack.start_beat()
    queue = app.conf.task_default_queue
    with app.connection_for_read() as conn:
        client = conn.default_channel.client
        wait_for(lambda: client.llen(queue) == 0, timeout=120, interval=0.2, message="the worker to take the tasks")
    taken_seconds = time.monotonic() - started

    # The tracked jobs: running at the provider for 1-5 minutes, read 6-9 times, next read inside the window.
    t0 = time.time() + 3.0 + 0.005 * jobs  # the rows are written and the tasks sent before the first is due
    now = timezone_now()
    planned: dict[int, float] = {}
    for pk in tracked:
        at = t0 + rng.uniform(0, seconds)
        planned[pk] = at
        when = datetime.fromtimestamp(at, tz=UTC)
        began = when - timedelta(seconds=rng.uniform(60, 300))
        Generation.objects.filter(pk=pk).update(
            status=Status.RUNNING,
            offer=offer,
            provider_job_id=provider_of[pk],
            submit_started_at=began,
            started_at=began,
            polls=rng.randint(6, 9),
            progress=25,
            attempts=0,
            next_check_at=when,
            lease_owner="",
            lease_expires_at=None,
            deadline_at=now + timedelta(hours=1),
        )
    public_of = dict(Generation.objects.filter(pk__in=tracked).values_list("pk", "public_id"))
    with app.producer_or_acquire() as producer:
        for pk in tracked:  # as _enqueue_on_commit sends a job's next read: a countdown to next_check_at
            app.send_task(ADVANCE_TASK, args=[public_of[pk]], countdown=planned[pk] - time.time(), producer=producer)

    roots = {"worker": stack.processes["lag-worker"].pid, "beat": stack.processes["beat"].pid,
             "sandbox": stack.processes["sandbox"].pid}  # fmt: skip
    cpu_before = _cpu_seconds(roots)
    psutil.cpu_percent(None)
    schedules: dict[int, list[float]] = {pk: [planned[pk]] for pk in tracked}
    end = t0 + seconds

    def unread(reads_by_job) -> list[float]:
        return [
            s for pk in tracked for s, r in _match(schedules[pk], reads_by_job.get(provider_of[pk], [])) if r is None
        ]

    waiting: list[int] = []  # the broker queue's length at each sample: tasks sent but not yet taken by the worker
    broker = app.connection_for_read()
    client = broker.default_channel.client
    while True:
        with connection.cursor() as cursor:  # a new value is a newly scheduled read; each lives a second or more
            cursor.execute(
                "SELECT id, extract(epoch FROM next_check_at)::float8 FROM generations_generation"
                " WHERE id = ANY(%s) AND next_check_at IS NOT NULL",
                [tracked],
            )
            for pk, at in cursor.fetchall():
                if at - schedules[pk][-1] > 0.001:
                    schedules[pk].append(at)
        waiting.append(client.llen(queue))
        moment = time.time()
        if moment >= end:
            for pk in tracked:
                schedules[pk] = [s for s in schedules[pk] if s <= end]
            if moment >= end + drain or not unread(_reads_by_job(stack)):
                break
        time.sleep(0.25)
    finished_at = time.time()
    broker.release()
    machine_cpu = psutil.cpu_percent(None)
    cpu_after = _cpu_seconds(roots)

    reads_by_job = _reads_by_job(stack)
    lags, missing, pairs = [], [], []
    for pk in tracked:
        for s, r in _match(schedules[pk], reads_by_job.get(provider_of[pk], [])):
            pairs.append((s - t0, None if r is None else r - s))
            if r is None:
                missing.append(finished_at - s)
            else:
                lags.append(r - s)
    (stack.directory / "lag.json").write_text(json.dumps(sorted(pairs, key=lambda p: p[0])))
    first = [
        r - planned[pk]
        for pk in tracked
        for s, r in _match(schedules[pk][:1], reads_by_job.get(provider_of[pk], []))
        if r is not None
    ]
    window = finished_at - t0
    # What a read's task took to run (claim, read, reschedule), from the worker's "succeeded in" lines.
    log = (stack.directory / "lag-worker.log").read_text()
    runtimes = [float(x) for x in re.findall(r"generation_advance_task\[[^\]]+\] succeeded in ([\d.]+)s", log)]
    sweeps = [float(x) for x in re.findall(r"generations_sweep_task\[[^\]]+\] succeeded in ([\d.]+)s", log)]
    return {
        "jobs": jobs,
        "seconds": seconds,
        "concurrency": concurrency,
        "pending": sent_pending,
        "send_seconds": send_seconds,
        "taken_seconds": taken_seconds,
        "lags": lags,
        "runtimes": runtimes,
        "first": first,
        "missing": missing,
        "sweeps": sweeps,
        "waiting": waiting,
        "window": window,
        "machine_cpu": machine_cpu,
        "cpu": {role: cpu_after[role] - cpu_before.get(role, 0.0) for role in cpu_after},
    }


def _reads_by_job(stack) -> dict[str, list[float]]:
    reads: dict[str, list[float]] = {}
    for at, job_id in stack.http.get("/_bench/reads").json():
        reads.setdefault(job_id, []).append(at)
    for times in reads.values():
        times.sort()
    return reads


def _match(schedules: list[float], reads: list[float]) -> list[tuple[float, float | None]]:
    """Each scheduled read with the first read at or after it (a read is never early: its countdown ends at
    ``next_check_at`` or a few ms after), each read used once; None when it has not come."""
    out, i = [], 0
    for s in schedules:
        while i < len(reads) and reads[i] < s - 0.05:
            i += 1
        if i < len(reads):
            out.append((s, reads[i]))
            i += 1
        else:
            out.append((s, None))
    return out


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


def _print_lag(lag: dict, *, active: int) -> None:
    lags, first, missing = lag["lags"], lag["first"], lag["missing"]
    reads = len(lags)
    print(
        f"\nStatus reads on schedule: {lag['jobs']} of the {active} unfinished jobs running at the sandbox, next read"
        f" due at random over {lag['seconds']:.0f} s; one worker with {lag['concurrency']} processes, and beat."
    )
    if lag["pending"]:
        print(
            f"The other {lag['pending']} have their next read after the run, each with its countdown task pending"
            f" (sent in {lag['send_seconds']:.1f} s; the worker held them all {lag['taken_seconds']:.1f} s after it started)."
        )
    print("Lag: the moment the sandbox got the read minus the job's next_check_at (the time it was scheduled for).")
    print(f"\n{'what':<44} {'value':>10} {'goal':>9}")
    print(
        f"{'status reads scheduled in the window, read':<44} {reads:>10d} {'':>9}  ({len(first)} first reads, the rest scheduled by the worker)"
    )
    print(f"{'  lag p50':<44} {_pct(lags, 0.5):9.3f}s")
    print(
        f"{'  lag p95':<44} {_pct(lags, 0.95):9.3f}s {f'< {LAG_GOAL:.0f} s':>9}  {'MET' if reads and not missing and _pct(lags, 0.95) < LAG_GOAL else 'MISSED'}"
    )
    print(f"{'  lag max':<44} {max(lags, default=float('nan')):9.3f}s")
    print(f"{'  first reads only: p50 / p95':<44} {_pct(first, 0.5):9.3f}s  / {_pct(first, 0.95):.3f} s")
    print(
        f"{'  scheduled in the window, not read by the end':<44} {len(missing):>10d} {'0':>9}"
        + (f"  (already {min(missing):.1f}-{max(missing):.1f} s late)" if missing else "")
    )
    print(f"{'  reads per second':<44} {reads / lag['window']:10.1f}")
    runtimes = lag["runtimes"]
    if runtimes:
        print(
            f"{'  a read task run time (worker log) p50 / p95':<44} {_pct(runtimes, 0.5):9.3f}s  / {_pct(runtimes, 0.95):.3f} s"
            f"  ({len(runtimes)} tasks)"
        )
    print(
        f"{'  tasks waiting in the broker queue, max':<44} {max(lag['waiting'], default=0):10d}"
        f"  (sent, not yet taken by the worker; median {_pct(lag['waiting'], 0.5):.0f})"
    )
    if lag["sweeps"]:
        sweeps = lag["sweeps"]
        print(
            f"{'the sweep task beat sent (worker log)':<44} {1000 * max(sweeps):8.1f}ms {f'< {DUE_GOAL * 1000:.0f}ms':>9}"
            f"  (the longest of {len(sweeps)}: due-scan and sends, holds_expire, files_remove_stale)"
        )
    cpu = ", ".join(f"{role} {seconds:.1f}" for role, seconds in lag["cpu"].items())
    cores = os.cpu_count() or 1
    others = lag["machine_cpu"] / 100 * cores * lag["window"] - sum(lag["cpu"].values())
    print(
        f"CPU seconds over the {lag['window']:.0f} s window: {cpu}; anything else on the machine {max(others, 0):.1f}"
        f" (the machine {lag['machine_cpu']:.0f}% busy of {cores} cores)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--active", type=int, default=10_000)
    parser.add_argument("--finished", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=300, help="unfinished jobs overdue (the scan sends them)")
    parser.add_argument("--plans", action="store_true", help="print every gallery plan, not only the due-scan's")
    parser.add_argument("--lag-seconds", type=float, default=60, help="the status-read window (0: no lag phase)")
    parser.add_argument("--lag-jobs", type=int, default=300, help="running jobs whose next read falls in the window")
    parser.add_argument("--lag-concurrency", type=int, default=2, help="worker processes reading them")
    parser.add_argument(
        "--no-pending",
        action="store_true",
        help="no countdown tasks for the other unfinished jobs (held by the worker)",
    )
    args = parser.parse_args()

    from benchmarks.stack import Stack

    directory = Path(tempfile.mkdtemp(prefix="studio-bench-inflight-"))
    stack = Stack(directory, sandbox_module="benchmarks.sandbox_log")
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
        if args.lag_seconds > 0:
            lag = _lag_phase(
                stack,
                seconds=args.lag_seconds,
                jobs=args.lag_jobs,
                concurrency=args.lag_concurrency,
                pending=not args.no_pending,
            )
            _print_lag(lag, active=args.active)
            print(f"(each read's scheduled time and lag: {directory / 'lag.json'})")
    finally:
        stack.close()


if __name__ == "__main__":
    main()
