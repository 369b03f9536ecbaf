"""Load: N simulated team members browse the gallery, quote and submit against
the sandbox for a while, then the pipeline drains. Run: ``python benchmarks/load.py``.

It starts a complete back end of its own (PostgreSQL, Redis, the sandbox,
gunicorn, a Celery worker and beat; see tests/reliability/harness.py), then
for each N in --users runs --seconds of traffic and prints requests per
second, p50/p95/p99 latency per page, 5xx count, and jobs per second end to
end. After the last step it waits for every job to finish and checks that no
job is lost and the ledger balances. It names the N where the gallery's p95
crosses 500 ms.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import PLAIN_HTTP
from tests.reliability.harness import Stack, _free_port, wait_for

GOAL_MEMBERS, GOAL_P95_MS = 32, 300  # issue 16: the gallery's p95 with 32 simulated members


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Member(threading.Thread):
    """One person: opens the gallery, tweaks settings (quotes), sometimes generates, polls."""

    def __init__(self, base: str, username: str, stop: threading.Event, stats: dict, submit_share: float) -> None:
        super().__init__(daemon=True)
        self.http = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
        self.username = username
        self.stop = stop
        self.stats = stats
        self.submit_share = submit_share
        self.submitted: list[str] = []

    def login(self) -> None:
        page = self.http.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = self.http.post(
            "/accounts/login/",
            data={"csrfmiddlewaretoken": token, "username": self.username, "password": "load-password-1"},
        )
        assert response.status_code == 302, response.status_code
        self.csrf = self.http.cookies["csrftoken"]

    def timed(self, name: str, method: str, url: str, **kwargs) -> httpx.Response | None:
        start = time.perf_counter()
        try:
            response = self.http.request(method, url, **kwargs)
        except httpx.HTTPError:
            self.stats["errors"][name] += 1
            return None
        elapsed = time.perf_counter() - start
        self.stats["latency"][name].append(elapsed)
        if response.status_code >= 500:
            self.stats["5xx"][name] += 1
        return response

    def run(self) -> None:
        headers = {"X-CSRFToken": self.csrf, "HX-Request": "true"}
        while not self.stop.is_set():
            gallery = self.timed("gallery", "GET", "/gallery/")
            active = re.findall(
                r'data-id="(gen_[^"]+)"[^>]*data-status="(?:queued|running|downloading)"',
                gallery.text if gallery else "",
            )
            for _ in range(2):
                self.timed(
                    "quote",
                    "POST",
                    "/generate/quote/",
                    data={"offer": "kubflow:nano-banana", "prompt": f"a fox {random.random()}"},
                    headers=headers,
                )
            if active:
                self.timed("poll", "GET", f"/gallery/poll/?ids={','.join(active[:48])}", headers=headers)
            if random.random() < self.submit_share:
                response = self.timed(
                    "submit",
                    "POST",
                    "/generate/",
                    data={"offer": "kubflow:nano-banana", "prompt": f"load {self.username} {time.time()}"},
                    headers=headers,
                )
                if response is not None and response.status_code == 200:
                    match = re.search(r'data-id="(gen_[^"]+)"', response.text)
                    if match:
                        self.submitted.append(match.group(1))
            time.sleep(random.uniform(0.2, 0.6))  # think time


def run_step(base: str, users: list[str], seconds: float, submit_share: float) -> tuple[dict, list[str], float]:
    stop = threading.Event()
    stats = {"latency": defaultdict(list), "5xx": defaultdict(int), "errors": defaultdict(int)}
    members = [Member(base, name, stop, stats, submit_share) for name in users]
    for member in members:
        member.login()
    started = time.monotonic()
    for member in members:
        member.start()
    time.sleep(seconds)
    stop.set()
    for member in members:
        member.join(30)
    elapsed = time.monotonic() - started
    return stats, [g for m in members for g in m.submitted], elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", default="5,10,20,32", help="comma-separated numbers of simulated members")
    parser.add_argument("--seconds", type=float, default=40, help="traffic per step")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--submit-share", type=float, default=0.15, help="chance per loop that a member submits")
    args = parser.parse_args()
    steps = [int(n) for n in args.users.split(",")]

    stack = Stack(Path(tempfile.mkdtemp(prefix="studio-load-")))
    # Production-like: DEBUG off (the drills' harness leaves it on), over plain HTTP to gunicorn.
    stack.env.update(
        {
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECRET_KEY": "benchmark-secret-key-not-for-production-0123456789",
            **PLAIN_HTTP,
        }
    )
    try:
        stack.sandbox_configure(delay=3, media_scale=256)
        stack.drive("users", "load", str(max(steps)))
        port = _free_port()
        stack.start(
            "web",
            [sys.executable, "-m", "gunicorn", "project.wsgi", "-b", f"127.0.0.1:{port}",
             "-w", str(args.web_workers), "--threads", "4", "--log-level", "warning"],
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: _up(base), timeout=30, message="gunicorn")
        stack.start_worker("worker", concurrency=4)
        stack.start_beat()

        all_jobs: list[str] = []
        gallery_at_goal: list[float] = []
        crossing = None
        print(f"{'N':>4} {'req/s':>7} {'page':<8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'count':>6} {'5xx':>4}")
        for n in steps:
            stats, jobs, elapsed = run_step(base, [f"load{i}" for i in range(n)], args.seconds, args.submit_share)
            all_jobs += jobs
            total = sum(len(v) for v in stats["latency"].values())
            for page, values in sorted(stats["latency"].items()):
                print(
                    f"{n:>4} {total / elapsed:>7.1f} {page:<8} {percentile(values, 0.5) * 1000:>7.0f} "
                    f"{percentile(values, 0.95) * 1000:>7.0f} {percentile(values, 0.99) * 1000:>7.0f} "
                    f"{len(values):>6} {stats['5xx'][page]:>4}"
                )
            if stats["errors"]:
                print(f"     transport errors: {dict(stats['errors'])}")
            if n == GOAL_MEMBERS:
                gallery_at_goal = stats["latency"]["gallery"]
            if crossing is None and percentile(stats["latency"]["gallery"], 0.95) > 0.5:
                crossing = n
        drain_start = time.monotonic()
        report = (
            stack.wait_final(all_jobs, timeout=600) if all_jobs else {"generations": {}, "drift": [], "open_holds": 0}
        )
        drained = time.monotonic() - drain_start
        statuses = defaultdict(int)
        for job in report["generations"].values():
            statuses[job["status"]] += 1
        print(
            f"\njobs submitted: {len(all_jobs)}; final: {dict(statuses)}; drained in {drained:.1f}s after the last step"
        )
        lost = len(all_jobs) - sum(statuses.values())
        print(f"lost jobs: {lost}; ledger drift: {report['drift'] or 'none'}; open holds: {report['open_holds']}")
        total_time = len(steps) * args.seconds + drained
        print(f"jobs per second end to end: {len(all_jobs) / total_time:.2f}")
        print(f"gallery p95 crosses 500 ms at N = {crossing}" if crossing else "gallery p95 stayed under 500 ms")
        if GOAL_MEMBERS in steps:
            p95 = percentile(gallery_at_goal, 0.95) * 1000
            print(f"gallery p95 with {GOAL_MEMBERS} members: {p95:.0f} ms   (goal < {GOAL_P95_MS} ms)")
    finally:
        stack.close()


def _up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/accounts/login/", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


if __name__ == "__main__":
    main()
