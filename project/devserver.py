"""``make run``: set everything up and start the studio's processes.

Migrates, loads the catalog, creates the demo team and login, then runs the
web server, a Celery worker, Celery beat and the sandbox providers in the
foreground. Ctrl-C stops every process it started, including embedded
PostgreSQL and Redis if this run started them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from project import embedded

PYTHON = sys.executable


def _manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], check=True)


def main() -> int:
    host = os.environ.get("STUDIO_HOST", "127.0.0.1")
    port = os.environ.get("STUDIO_PORT", "8000")
    sandbox_port = os.environ.get("SANDBOX_PORT", "8100")
    use_embedded = not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL")
    started_embedded = use_embedded and not embedded.running()
    if use_embedded:
        # Start them once here so every child process reuses the same servers.
        os.environ.setdefault("DATABASE_URL", embedded.database_url())
        os.environ.setdefault("REDIS_URL", embedded.redis_url())
    os.environ.setdefault("OUTBOUND_URL_ALLOWLIST", f"127.0.0.1:{sandbox_port},localhost:{sandbox_port}")

    _manage("migrate", "--no-input", "-v", "0")
    _manage("sync_catalog")
    _manage("demo_setup")

    commands = {
        "sandbox": [PYTHON, "-m", "sandbox", "--host", "127.0.0.1", "--port", sandbox_port],
        "web": [PYTHON, "manage.py", "runserver", f"{host}:{port}", "--noreload"],
        "worker": [PYTHON, "-m", "celery", "-A", "project", "worker", "-l", "warning", "--concurrency", "4"],
        "beat": [PYTHON, "-m", "celery", "-A", "project", "beat", "-l", "warning"],
    }
    children = [subprocess.Popen(command, start_new_session=True) for command in commands.values()]
    print(
        f"\n  The studio is running at http://{host}:{port}/\n"
        "  Log in as demo / demo-studio-2026 (Demo team, 1,000 credits)\n"
        "  Ctrl-C stops everything.\n",
        flush=True,
    )

    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping:
            for child, name in zip(children, commands, strict=True):
                if child.poll() is not None:
                    print(f"  {name} exited with {child.returncode}; stopping the studio", flush=True)
                    stopping = True
            time.sleep(0.5)
    finally:
        for child in children:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
        if started_embedded:
            embedded.stop()
        print("  stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
