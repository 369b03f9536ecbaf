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


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in {"1", "true", "yes", "on"}


def web_command(host: str, port: str) -> list[str]:
    """gunicorn with a fixed number of processes and threads: each thread holds at most one database
    connection, so the web tier never holds more than WEB_WORKERS × WEB_THREADS of them. Requests past
    that wait in the listen backlog (briefly) instead of each starting a thread and a connection."""
    return [
        PYTHON, "-m", "gunicorn", "project.wsgi:application",
        "--bind", f"{host}:{port}",
        "--workers", os.environ.get("WEB_WORKERS", "2"),
        "--worker-class", "gthread",
        "--threads", os.environ.get("WEB_THREADS", "8"),
        "--backlog", os.environ.get("WEB_BACKLOG", "2048"),
        "--timeout", os.environ.get("WEB_TIMEOUT", "60"),
        "--graceful-timeout", "20",
        "--keep-alive", "5",
        "--error-logfile", "-",
        *(["--access-logfile", "-"] if env_flag("WEB_ACCESS_LOG") else []),
    ]  # fmt: skip


def main() -> int:
    prod = "--prod" in sys.argv[1:]
    if prod:
        # ``make prod``: the production set-up on this machine. DEBUG off and static files collected; the
        # cookies stay plain-HTTP here only because there is no TLS on localhost (README, Running in production).
        os.environ["DEBUG"] = "false"
        for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT"):
            os.environ.setdefault(name, "false")
        os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
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
    if prod:
        _manage("collectstatic", "--no-input", "-v", "0")

    commands = {
        "sandbox": [PYTHON, "-m", "sandbox", "--host", "127.0.0.1", "--port", sandbox_port],
        "web": web_command(host, port),
        "worker": [PYTHON, "-m", "celery", "-A", "project", "worker", "-l", "warning", "--concurrency", "4"],
        "beat": [PYTHON, "-m", "celery", "-A", "project", "beat", "-l", "warning"],
    }
    children = [subprocess.Popen(command, start_new_session=True) for command in commands.values()]
    print(
        f"\n  The studio is running at http://{host}:{port}/{' (production set-up, DEBUG off)' if prod else ''}\n"
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
