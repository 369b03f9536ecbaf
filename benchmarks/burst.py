"""A burst against the studio ``make run`` starts: many concurrent submits on a small wallet.

    .venv/bin/python -m benchmarks.burst [--requests 200] [--credits 100]

Starts ``python -m project.devserver`` (what ``make run`` runs) on a fresh var directory of its own (its own
embedded PostgreSQL and Redis, free ports), makes a team with ``--credits`` credits and an API key, waits
for ``/readyz``, then fires ``--requests`` ``POST /api/v1/generations`` at once, each on its own connection,
while another thread reads ``GET /api/v1/balance`` throughout. Then it checks, and exits 1 unless all hold:

- no answer is a 5xx (and every answer is 201 or 402 insufficient_credits);
- exactly floor(credits / price) submits are accepted;
- the balance read during and after the burst is never negative; ``billing_audit`` is clean;
- ``/readyz`` is green within a second of the last answer, and PostgreSQL holds no more connections than
  the bound (web workers × threads + worker concurrency + beat + the checker's own).

The per-key rate limit is off for the run (``API_RATE_LIMIT=off``) so every request reaches the wallet;
``--rate-limit`` keeps the default and then 429s are expected as well.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SETUP = """
import json
from decimal import Decimal
from accounts.models import User
from accounts.services import team_create
from api.services import api_key_create
from billing.services import credits_grant
user = User.objects.create_user("burst", email="burst@example.com", password="burst-password-1")
team = team_create(name="Burst", owner=user, slug="burst")
credits_grant(team=team, amount=Decimal("{credits}"), reason="burst credits")
print(json.dumps({{"key": api_key_create(team=team, user=user, name="burst").key}}))
"""
CONNECTIONS = """
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
    print(cursor.fetchone()[0])
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout.strip().splitlines()[-1]


def _wait(predicate, timeout: float, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if predicate():
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"timed out after {timeout}s waiting for {what}")


def run(requests: int, credits: int, rate_limit: bool) -> dict:
    var = Path(tempfile.mkdtemp(prefix="studio-burst-"))
    port, sandbox_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "STUDIO_VAR_DIR": str(var),
        "STUDIO_PORT": str(port),
        "SANDBOX_PORT": str(sandbox_port),
        "SWEEP_INTERVAL_SECONDS": "2",  # beat is seen (readyz) two seconds after start, not thirty
        "DJANGO_SETTINGS_MODULE": "project.settings",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "MEDIA_ROOT", "STORAGE_URL"):
        env.pop(name, None)
    if not rate_limit:
        env["API_RATE_LIMIT"] = "off"
    log = (var / "studio.log").open("w")
    studio = subprocess.Popen(
        [sys.executable, "-m", "project.devserver"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: httpx.get(f"{base}/healthz", timeout=2).status_code == 200, 180, "the studio to serve")
        env["DATABASE_URL"], env["REDIS_URL"] = _embedded_urls(env)  # the servers the studio started
        key = json.loads(_manage(env, "shell", "-c", SETUP.format(credits=credits)))["key"]
        _wait(lambda: httpx.get(f"{base}/readyz", timeout=5).status_code == 200, 60, "/readyz before the burst")
        headers = {"Authorization": f"Bearer {key}"}

        balances: list[Decimal] = []
        balance_errors: list[int] = []
        stop = threading.Event()

        def watch() -> None:
            with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
                while not stop.is_set():
                    response = client.get("/api/v1/balance")
                    if response.status_code == 200:
                        balances.append(Decimal(response.json()["available"]))
                        balances.append(Decimal(response.json()["balance"]))
                    else:
                        balance_errors.append(response.status_code)
                    time.sleep(0.02)

        results: list[tuple[int, str, float, str]] = [None] * requests  # type: ignore[list-item]
        barrier = threading.Barrier(requests)

        def submit(index: int) -> None:
            body = {"model": "nano-banana", "provider": "kubflow", "prompt": f"burst {index}"}
            with httpx.Client(timeout=120) as client:
                barrier.wait()
                started = time.monotonic()
                try:
                    response = client.post(
                        f"{base}/api/v1/generations",
                        json=body,
                        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
                    )
                    code = response.json().get("error", "") if response.status_code >= 400 else ""
                    price = response.json().get("estimated_credits", "") if response.status_code == 201 else ""
                    results[index] = (response.status_code, code, time.monotonic() - started, str(price))
                except httpx.HTTPError as exc:
                    results[index] = (0, type(exc).__name__, time.monotonic() - started, "")

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        threads = [threading.Thread(target=submit, args=(i,)) for i in range(requests)]
        burst_started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        burst_ended = time.monotonic()
        ready_after = _wait(
            lambda: httpx.get(f"{base}/readyz", timeout=5).status_code == 200, 30, "/readyz after the burst"
        )
        stop.set()
        watcher.join(10)
        final = httpx.get(f"{base}/api/v1/balance", headers=headers, timeout=10)
        connections = int(_manage(env, "shell", "-c", CONNECTIONS))
        audit = subprocess.run(
            [sys.executable, "manage.py", "billing_audit"],
            check=False,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
    finally:
        os.killpg(studio.pid, signal.SIGINT)  # the devserver stops its children and the embedded servers
        try:
            studio.wait(40)
        except subprocess.TimeoutExpired:
            os.killpg(studio.pid, signal.SIGKILL)
        log.close()

    statuses: dict[str, int] = {}
    for status, code, _, _ in results:
        label = f"{status} {code}".strip()
        statuses[label] = statuses.get(label, 0) + 1
    prices = {price for status, _, _, price in results if status == 201}
    price = Decimal(prices.pop()) if len(prices) == 1 else None
    accepted = sum(1 for status, *_ in results if status == 201)
    latencies = sorted(latency for _, _, latency, _ in results)
    workers = int(os.environ.get("WEB_WORKERS", "2")) * int(os.environ.get("WEB_THREADS", "8"))
    bound = workers + 4 + 1 + 2  # web threads + Celery's 4 + beat + this script's shell and the sweep's
    report = {
        "requests": requests,
        "credits": credits,
        "statuses": statuses,
        "price": str(price),
        "accepted": accepted,
        "expected_accepted": int(Decimal(credits) // price) if price else None,
        "seconds": round(burst_ended - burst_started, 2),
        "latency_p50": round(latencies[len(latencies) // 2], 3),
        "latency_p95": round(latencies[int(len(latencies) * 0.95) - 1], 3),
        "latency_max": round(latencies[-1], 3),
        "balance_reads": len(balances) // 2,
        "balance_read_errors": balance_errors,
        "balance_min": str(min(balances)) if balances else None,
        "balance_after": final.json() if final.status_code == 200 else final.status_code,
        "readyz_after_seconds": round(ready_after, 3),
        "pg_connections_after": connections,
        "pg_connection_bound": bound,
        "billing_audit": audit.stdout.strip().splitlines()[-1] if audit.stdout.strip() else audit.stderr.strip(),
        "billing_audit_ok": audit.returncode == 0,
    }
    failures = []
    if any(status >= 500 or status == 0 for status, *_ in results):
        failures.append("5xx or dropped answers")
    allowed = {"201", "402 insufficient_credits"} | ({"429 rate_limited"} if rate_limit else set())
    if set(statuses) - allowed:
        failures.append(f"unexpected answers {sorted(set(statuses) - allowed)}")
    if report["expected_accepted"] is None or accepted != report["expected_accepted"]:
        failures.append(f"accepted {accepted}, expected {report['expected_accepted']}")
    if (balances and min(balances) < 0) or balance_errors:
        failures.append("a negative balance or a failed balance read")
    if not report["billing_audit_ok"]:
        failures.append("billing_audit found drift")
    if ready_after > 1.0:
        failures.append(f"/readyz green only {ready_after:.2f}s after the burst")
    if connections > bound:
        failures.append(f"{connections} PostgreSQL connections, over the bound of {bound}")
    report["failures"] = failures
    shutil.rmtree(var, ignore_errors=True)
    return report


def _embedded_urls(env: dict[str, str]) -> tuple[str, str]:
    """The embedded servers' URLs, asked in a process that sees the burst's var directory."""
    code = "from project import embedded; print(embedded.database_url()); print(embedded.redis_url())"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    return out[-2], out[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--credits", type=int, default=100)
    parser.add_argument("--rate-limit", action="store_true", help="keep the per-key rate limit on")
    args = parser.parse_args()
    report = run(args.requests, args.credits, args.rate_limit)
    print(json.dumps(report, indent=2))
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
