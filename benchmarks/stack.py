"""A studio back end for the pipeline benchmarks: its own PostgreSQL and Redis, the sandbox, Celery workers.

``Stack(directory)`` must be made before Django is set up in the calling process: it points the settings
at the embedded servers under ``directory`` (a fresh ``STUDIO_VAR_DIR``), sets up Django, migrates,
loads the Kubflow catalog and makes a team with plenty of credits. The caller then uses the studio's own
services in-process (``generation_submit``) while the workers started here run the jobs, on a queue of
this run's own. ``close()`` stops everything it started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import PLAIN_HTTP, free_port  # noqa: E402


def wait_for(predicate, *, timeout: float, interval: float = 0.05, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise SystemExit(f"timed out after {timeout}s waiting for {message}")


class Stack:
    def __init__(
        self, directory: Path, *, sandbox_delay: float = 0.0, sandbox_module: str = "sandbox", **settings_env: str
    ) -> None:
        self.directory = directory
        self.processes: dict[str, subprocess.Popen] = {}
        self.sandbox_port = free_port()
        self.sandbox_url = f"http://127.0.0.1:{self.sandbox_port}"
        os.environ.update(
            {
                "STUDIO_VAR_DIR": str(directory / "var"),
                "DJANGO_SETTINGS_MODULE": "project.settings",
                "DEBUG": "false",
                "SECRET_KEY": "benchmark-secret-key-not-for-production-0123456789",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "LOG_LEVEL": "WARNING",
                "MEDIA_ROOT": str(directory / "media"),
                "CELERY_QUEUE": f"bench-{uuid.uuid4().hex[:6]}",
                "OUTBOUND_URL_ALLOWLIST": f"127.0.0.1:{self.sandbox_port}",
                **{f"{name}_API_BASE_URL": f"{self.sandbox_url}/{name.lower()}" for name in PROVIDERS},
                **PLAIN_HTTP,
                **settings_env,
            }
        )
        for name in ("DATABASE_URL", "REDIS_URL", "STORAGE_URL", "STUDIO_FAILPOINTS"):
            os.environ.pop(name, None)
        import django

        django.setup()  # starts the embedded PostgreSQL and Redis under STUDIO_VAR_DIR
        from project import embedded

        os.environ["DATABASE_URL"], os.environ["REDIS_URL"] = embedded.database_url(), embedded.redis_url()
        # sandbox_module: "benchmarks.sandbox_log" for the sandbox that also logs each status read it answers
        self.start("sandbox", [sys.executable, "-m", sandbox_module, "--port", str(self.sandbox_port),
                               "--delay", str(sandbox_delay)])  # fmt: skip
        wait_for(self._sandbox_up, timeout=20, message="the sandbox")
        self.http = httpx.Client(base_url=self.sandbox_url, timeout=10)
        self._setup()

    def _setup(self) -> None:
        from django.core.management import call_command

        from accounts.services import team_create, user_signup
        from billing.services import credits_grant
        from catalog.models import Offer
        from catalog.services import catalog_sync

        call_command("migrate", verbosity=0, interactive=False)
        catalog_sync(providers=["kubflow"])
        self.user = user_signup(username="bench", email="bench@example.com", password="bench-password-1")
        self.team = team_create(name="Bench", owner=self.user, slug="bench")
        credits_grant(team=self.team, amount=Decimal("100000000"), reason="benchmark credits")
        self.offer = Offer.objects.select_related("provider").get(provider__slug="kubflow", model_id="nano-banana")

    # --- processes ---------------------------------------------------------------
    def start(self, name: str, command: list[str], **extra_env: str) -> subprocess.Popen:
        log = (self.directory / f"{name}.log").open("a")
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **extra_env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def start_worker(
        self, name: str = "worker", *, concurrency: int = 2, loglevel: str = "warning", **extra_env: str
    ) -> subprocess.Popen:
        process = self.start(
            name,
            [sys.executable, "-m", "celery", "-A", "project", "worker", "-Q", os.environ["CELERY_QUEUE"],
             "-c", str(concurrency), "-l", loglevel, "-n", f"{name}-{uuid.uuid4().hex[:4]}@bench",
             "--without-heartbeat", "--without-gossip", "--without-mingle"],
            **extra_env,
        )  # fmt: skip
        from project.celery import app

        def ready() -> bool:
            if process.poll() is not None:
                raise SystemExit(f"{name} exited:\n{(self.directory / f'{name}.log').read_text()}")
            replies = app.control.ping(timeout=0.5) or []
            return any(name in next(iter(reply)) for reply in replies)

        wait_for(ready, timeout=60, interval=0.2, message=name)
        return process

    def start_beat(self, name: str = "beat") -> subprocess.Popen:
        """Celery beat (the sweeper every SWEEP_INTERVAL_SECONDS, and once at start), its files in the directory."""
        return self.start(
            name,
            [sys.executable, "-m", "celery", "-A", "project", "beat", "-l", "warning",
             "-s", str(self.directory / "celerybeat-schedule"), "--pidfile", str(self.directory / "beat.pid")],
        )  # fmt: skip

    def stop(self, name: str, timeout: float = 30) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)

    def close(self) -> None:
        for name in list(self.processes):
            self.stop(name)
        from django.db import connections

        from project import embedded

        connections.close_all()
        embedded.stop()

    # --- the sandbox -------------------------------------------------------------
    def sandbox_configure(self, **values) -> None:
        self.http.post("/_sandbox/config", json=values).raise_for_status()

    def _sandbox_up(self) -> bool:
        try:
            return httpx.get(f"{self.sandbox_url}/_sandbox/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    # --- the studio ----------------------------------------------------------------
    def submit(self, prompt: str) -> str:
        from generations.services.submission import generation_submit

        return generation_submit(team=self.team, user=self.user, offer=self.offer, params={"prompt": prompt}).public_id


PROVIDERS = ("KUBFLOW", "KUBEEZ", "KREA", "CLIPRISE")
