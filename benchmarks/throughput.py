"""Jobs completed per second end to end (submit → captured, files stored), the sandbox answering at once.

    .venv/bin/python benchmarks/throughput.py [--jobs 150] [--processes 1,2,4] [--submitters 2]

A stack of its own (benchmarks/stack.py: PostgreSQL, Redis, the sandbox with ``delay=0``). Then:

1. Per job, in this process with no worker: the SQL queries of ``generation_submit`` and of each
   ``generation_advance`` step, and the steps it took (the job driven at once, step after step).
2. A cProfile of ``--profile`` jobs driven the same way (what a worker process spends per job).
3. For each ``--processes`` (one Celery worker with that many prefork processes): ``--jobs`` jobs
   submitted by ``--submitters`` threads as fast as ``generation_submit`` takes them; jobs/s is the
   jobs over the time from the first submit to the last ``finished_at``. Beside it: the submit rate,
   each job's time from submit to captured (p50, p95), and the CPU seconds per job of each process
   (the worker's, the sandbox's, PostgreSQL's, Redis's and this submitting process's) from psutil,
   against the machine's cores: the resource that runs out is the limit.

Goal (issue 16): 30 jobs/s.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL = 30.0


def _drive_in_process(stack, prompt: str) -> tuple[int, list[int], str]:
    """Submit one job and drive it step by step here; returns (submit queries, queries per step, status)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from generations.models import Generation
    from generations.services.pipeline import generation_advance

    with CaptureQueriesContext(connection) as submitted:
        public_id = stack.submit(prompt)
    steps = []
    for _ in range(20):
        with CaptureQueriesContext(connection) as step:
            result = generation_advance(public_id=public_id)
        steps.append(len(step.captured_queries))
        if result is None or result.next_in is None:
            break
    return len(submitted.captured_queries), steps, Generation.objects.get(public_id=public_id).status


def _cpu_by_pid(stack, worker_name: str) -> dict[str, dict[int, float]]:
    """CPU seconds so far of each process, by role and pid (PostgreSQL's backends come and go: a backend
    that started during the run counts whole, one that exited during it is lost)."""
    roots = {"worker": stack.processes[worker_name].pid, "sandbox": stack.processes["sandbox"].pid}
    groups: dict[str, list[psutil.Process]] = {"postgres": [], "redis": [], "submitter (this)": [psutil.Process()]}
    for role, pid in roots.items():
        root = psutil.Process(pid)
        groups[role] = [root, *root.children(recursive=True)]
    for proc in psutil.process_iter(["name"]):
        name = proc.info["name"] or ""
        if name.startswith("postgres"):
            groups["postgres"].append(proc)
        elif name.startswith("redis"):
            groups["redis"].append(proc)
    out: dict[str, dict[int, float]] = {}
    for role, procs in groups.items():
        out[role] = {}
        for proc in procs:
            try:
                times = proc.cpu_times()
                out[role][proc.pid] = times.user + times.system
            except psutil.NoSuchProcess:
                pass
    return out


def run_workers(stack, *, processes: int, jobs: int, submitters: int) -> dict:
    from django.db import connections

    from generations.models import Generation

    name = f"worker-c{processes}"
    stack.start_worker(name, concurrency=processes)
    psutil.cpu_percent(None)
    before = _cpu_by_pid(stack, name)
    ids: list[str] = []
    lock = threading.Lock()
    counter = iter(range(jobs))

    def submit() -> None:
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                break
            public_id = stack.submit(f"throughput c{processes} {n}")
            with lock:
                ids.append(public_id)
        connections.close_all()

    started = time.time()
    threads = [threading.Thread(target=submit) for _ in range(submitters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    submitted = time.time() - started

    def all_final() -> bool:
        return not Generation.objects.filter(public_id__in=ids, finished_at__isnull=True).exists()

    deadline = time.monotonic() + 600
    while not all_final():
        if time.monotonic() > deadline:
            raise SystemExit("jobs did not finish within 10 minutes")
        time.sleep(0.1)
    machine = psutil.cpu_percent(None)
    after = _cpu_by_pid(stack, name)
    rows = list(Generation.objects.filter(public_id__in=ids).values_list("status", "created_at", "finished_at"))
    last = max(finished for _, _, finished in rows).timestamp()
    latencies = sorted((finished - created).total_seconds() for _, created, finished in rows)
    stack.stop(name)
    return {
        "processes": processes,
        "jobs": jobs,
        "completed": sum(1 for status, *_ in rows if status == "completed"),
        "jobs_per_s": jobs / (last - started),
        "submits_per_s": jobs / submitted,
        "latency_p50": latencies[len(latencies) // 2],
        "latency_p95": latencies[int(len(latencies) * 0.95) - 1],
        "cpu_per_job_ms": {
            role: 1000 * sum(cpu - before[role].get(pid, 0.0) for pid, cpu in pids.items()) / jobs
            for role, pids in after.items()
        },
        "machine_cpu_percent": machine,
        "seconds": last - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=150)
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--submitters", type=int, default=2)
    parser.add_argument("--profile", type=int, default=30, help="jobs driven under cProfile (0: none)")
    args = parser.parse_args()

    from benchmarks.stack import Stack

    directory = Path(tempfile.mkdtemp(prefix="studio-bench-throughput-"))
    stack = Stack(directory, sandbox_delay=0)
    try:
        stack.sandbox_configure(delay=0, fail="none", media_scale=256)
        from project.celery import app

        submit_q, steps, status = _drive_in_process(stack, "queries, warm")
        submit_q, steps, status = _drive_in_process(stack, "queries")
        print(
            f"SQL per job (in process, no worker): submit {submit_q}, steps {steps} -> {submit_q + sum(steps)} queries,"
        )
        print(f"  {len(steps)} advance steps (claim/submit, poll+download+capture, ...), final status {status}")

        if args.profile:
            profiler = cProfile.Profile()
            started = time.perf_counter()
            profiler.enable()
            for n in range(args.profile):
                _drive_in_process(stack, f"profiled {n}")
            profiler.disable()
            per_job = (time.perf_counter() - started) / args.profile
            print(f"\ncProfile: {args.profile} jobs driven in one process, {1000 * per_job:.1f} ms per job (wall)")
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(28)
            print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(14)
            print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))
        app.control.purge()  # the tasks the in-process jobs enqueued: they are final already

        results = [
            run_workers(stack, processes=int(p), jobs=args.jobs, submitters=args.submitters)
            for p in args.processes.split(",")
        ]
    finally:
        stack.close()

    print(f"\nEnd to end, sandbox delay 0, {args.jobs} jobs per row, {os.cpu_count()} cores. Goal {GOAL:.0f} jobs/s.")
    print(
        f"{'processes':>9} {'jobs/s':>7} {'goal':>5} {'submits/s':>10} {'done':>5} {'p50 s':>6} {'p95 s':>6}"
        f" {'cpu%':>5}   CPU ms per job by process"
    )
    for r in results:
        cpu = ", ".join(f"{k} {v:.0f}" for k, v in r["cpu_per_job_ms"].items())
        print(
            f"{r['processes']:>9} {r['jobs_per_s']:7.2f} {GOAL:5.0f} {r['submits_per_s']:10.1f} {r['completed']:5d}"
            f" {r['latency_p50']:6.2f} {r['latency_p95']:6.2f} {r['machine_cpu_percent']:5.0f}   {cpu}"
        )
    print(
        f"(cores: {os.cpu_count()} -> {1000 * (os.cpu_count() or 1) / GOAL:.0f} CPU ms per job at most for {GOAL:.0f} jobs/s)"
    )
    print(f"queries per job: {submit_q + sum(steps)} (submit {submit_q}, steps {steps})")


if __name__ == "__main__":
    main()
