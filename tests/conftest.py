"""Shared fixtures: the sandbox providers and a Celery worker as real processes,
and the people every test needs (an owner, a teammate, a stranger in another team).

Tests that involve the worker use ``transaction=True`` so the worker, on its
own connection, sees what the test committed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import override_settings

from accounts.models import Role
from accounts.services import membership_add, team_create, user_signup
from billing.services import credits_grant
from catalog.services import catalog_sync
from project.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent

# Django's PBKDF2 costs about 0.4 s a password by design; the suite makes thousands of
# users, so it hashes them the fast way Django's testing docs suggest. Sign-in still
# runs the whole check. Processes the suite starts (the worker, the fault drills'
# stack) keep the real hashers: they make their own users.
override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]).enable()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, *, timeout: float = 30.0, interval: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


class Sandbox:
    """A handle on the sandbox process: its URL and its /_sandbox controls."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=10)

    def configure(self, **values) -> dict:
        return self.http.post("/_sandbox/config", json=values).raise_for_status().json()

    def stats(self) -> dict:
        return self.http.get("/_sandbox/stats").raise_for_status().json()

    def reset(self) -> None:
        self.http.post("/_sandbox/reset").raise_for_status()


@pytest.fixture(scope="session")
def sandbox_process(tmp_path_factory) -> Iterator[Sandbox]:
    port = free_port()
    log = (tmp_path_factory.mktemp("sandbox") / "sandbox.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", str(port), "--delay", "1"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    sandbox = Sandbox(f"http://127.0.0.1:{port}")

    def up() -> bool:
        try:
            return sandbox.http.get("/_sandbox/health").status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(up, timeout=20, message="the sandbox to start")
    allow = [f"127.0.0.1:{port}"]
    original = (settings.PROVIDERS, settings.OUTBOUND_URL_ALLOWLIST)
    settings.PROVIDERS = {
        name: {"base_url": f"{sandbox.url}/{name}", "api_key": settings.SANDBOX_API_KEY} for name in settings.PROVIDERS
    }
    settings.OUTBOUND_URL_ALLOWLIST = allow
    yield sandbox
    settings.PROVIDERS, settings.OUTBOUND_URL_ALLOWLIST = original
    process.terminate()
    process.wait(10)


@pytest.fixture
def sandbox(sandbox_process: Sandbox) -> Sandbox:
    """The sandbox, reset to quick successful jobs for each test."""
    sandbox_process.reset()
    sandbox_process.configure(delay=1, fail="none", media_scale=256)
    return sandbox_process


def _database_url() -> str:
    db = connection.settings_dict
    host = db.get("HOST") or db.get("OPTIONS", {}).get("host") or ""
    auth = f"{db.get('USER') or ''}:{db.get('PASSWORD') or ''}@"
    if host.startswith("/"):
        return f"postgresql://{auth}/{db['NAME']}?host={host}"
    return f"postgresql://{auth}{host}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def media_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("media")
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, sandbox_process, media_root, tmp_path_factory) -> Iterator[None]:
    """A real Celery worker process on a queue of this test session's own."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    celery_app.conf.task_default_queue = queue
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": queue,
        "MEDIA_ROOT": str(media_root),
        "OUTBOUND_URL_ALLOWLIST": ",".join(settings.OUTBOUND_URL_ALLOWLIST),
        **{f"{name.upper()}_API_BASE_URL": config["base_url"] for name, config in settings.PROVIDERS.items()},
    }
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "project", "worker", "-Q", queue, "-c", "2", "-l", "info",
             "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for(lambda: "ready" in log_path.read_text(), timeout=60, message="the Celery worker to start")
        yield
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def catalog(db) -> None:
    catalog_sync(providers=["kubflow"])


class People:
    def __init__(self) -> None:
        self.owner = user_signup(username="olivia", email="olivia@example.com", password="correct horse 1")
        self.team = team_create(name="Northwind", owner=self.owner, slug="northwind")
        self.teammate = user_signup(username="theo", email="theo@example.com", password="correct horse 2")
        membership_add(team=self.team, user=self.teammate, role=Role.MEMBER)
        self.stranger = user_signup(username="sam", email="sam@example.com", password="correct horse 3")
        self.other_team = team_create(name="Contoso", owner=self.stranger, slug="contoso")
        credits_grant(team=self.team, amount=Decimal("100"), reason="test credits")
        credits_grant(team=self.other_team, amount=Decimal("100"), reason="test credits")


@pytest.fixture
def people(db) -> People:
    return People()


def client_for_team(client, user, team):
    """A logged-in test client working in ``team``."""
    client.force_login(user)
    session = client.session
    session["team_slug"] = team.slug
    session.save()
    return client


def pytest_collection_modifyitems(session, config, items) -> None:
    """Every test has an id of its own. pytest 9 builds an id from the test's original name and its
    parametrize() ids only, and schemathesis names each API operation's test ``name[GET /me]`` without
    parametrize(), so all fourteen shared one id: pytest-xdist, which hands tests out by id, ran one of
    them. Those get their operation back in their id (pytest's own ``_id``, as pytest 9.2 builds it; the
    check below fails loudly if a later pytest or schemathesis changes that); any other repeat stops the
    run, naming it."""
    for item in items:
        if getattr(item, "operation_label", None) and getattr(item, "callspec", None) is None:
            item._id = item.parent.id.child(item.originalname).with_params(item.operation_label)
    repeated = sorted(nodeid for nodeid, count in Counter(item.nodeid for item in items).items() if count > 1)
    if repeated:
        raise pytest.UsageError(f"tests sharing an id (one of them would not run in parallel): {repeated}")


def pytest_sessionfinish(session, exitstatus) -> None:
    """Stop the embedded servers if this test session started them."""
    from project import embedded

    if embedded.started_here:
        embedded.stop()


@pytest.fixture(autouse=True)
def _fresh_model_picker():
    """The composer's model picker and the offers' health are kept in memory for a few seconds (the health
    in the shared cache too); each test starts clean."""
    import generations.views.composer
    from generations.health import offer_health_forget

    generations.views.composer._picker_cache = None
    offer_health_forget()


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    """Debian's Chromium driven by Playwright, one per test session (Playwright's sync API allows one)."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is not installed: apt-get install chromium (make test and .ci/run do)")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls stay synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Chromium reports a Content-Security-Policy violation on the console; the page also reports each one
# it sees as a securitypolicyviolation event, logged here in case the console line is not emitted.
CSP_WATCH = """document.addEventListener("securitypolicyviolation", (event) => console.error(
  `Content Security Policy violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`));"""


def csp_violations_watch(page) -> list[str]:
    """Collect every CSP violation (and htmx refusing to eval) the page reports; the caller asserts none."""
    violations: list[str] = []

    def seen(message) -> None:
        if message.type == "error" and ("Content Security Policy" in message.text or "evalDisallowed" in message.text):
            violations.append(message.text)

    page.context.add_init_script(CSP_WATCH)
    page.on("console", seen)
    return violations


@contextmanager
def signed_in_page(chromium, live_server, user, team, **context_options):
    """A Chromium page already signed in as ``user`` working in ``team``; fails on any JavaScript error."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["team_slug"] = team.slug
    session.save()
    options = {"viewport": {"width": 1280, "height": 900}, **context_options}
    context = chromium.new_context(base_url=live_server.url, **options)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    violations = csp_violations_watch(page)
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"
    assert not violations, f"Content-Security-Policy violations: {violations}"


def completed_generation_with_file(*, team, user, prompt: str = "secret plans"):
    """A finished Nano Banana (Kubflow) generation with one stored file, made directly (the catalog must be synced)."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from catalog.models import Offer
    from generations.models import Asset, Generation, Status

    generation = Generation.objects.create(
        team=team,
        created_by=user,
        offer=Offer.objects.get(provider__slug="kubflow", model_id="nano-banana"),
        prompt=prompt,
        provider_cost=Decimal("4"),
        credits_quoted=Decimal("4"),
        deadline_at=timezone.now(),
        status=Status.COMPLETED,
    )
    asset = Asset(generation=generation, index=0, kind="image", filename="x.png", content_type="image/png", size=3)
    asset.file.save("x.png", ContentFile(b"png"), save=True)
    return generation, asset


class S3Server:
    """moto's S3 server as a process of its own: the S3 protocol over a real socket."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.region = "us-east-1"
        self.access_key = "studio-test"
        self.secret_key = "studio-test-secret"

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=self.region,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
        )

    def bucket_create(self) -> str:
        name = f"studio-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def env(self, bucket: str, prefix: str = "media") -> dict[str, str]:
        """The environment that points a studio process at ``bucket`` (as README's table documents)."""
        return {
            "STORAGE_URL": f"s3://{bucket}/{prefix}",
            "STORAGE_S3_ENDPOINT_URL": self.url,
            "STORAGE_S3_REGION": self.region,
            "STORAGE_S3_ACCESS_KEY_ID": self.access_key,
            "STORAGE_S3_SECRET_ACCESS_KEY": self.secret_key,
            "STORAGE_S3_ADDRESSING_STYLE": "path",
        }

    def keys(self, bucket: str) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory) -> Iterator[S3Server]:
    """A real S3-protocol server (``moto[server]``) on a free port, for the object-storage tests."""
    port = free_port()
    log = (tmp_path_factory.mktemp("s3") / "moto.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = S3Server(f"http://127.0.0.1:{port}")

    def up() -> bool:
        try:
            return httpx.get(f"{server.url}/moto-api/", timeout=1).status_code < 500
        except httpx.HTTPError:
            return False

    wait_for(up, timeout=30, message="the S3 server (moto) to start")
    yield server
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def s3_storages(server: S3Server, bucket: str, prefix: str = "media") -> dict:
    """STORAGES as project.settings builds them from ``server.env(bucket)``."""
    from project.settings import _default_storage

    saved = {key: os.environ.get(key) for key in server.env(bucket, prefix)}
    os.environ.update(server.env(bucket, prefix))
    try:
        default = _default_storage(os.environ["STORAGE_URL"])
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return {**settings.STORAGES, "default": default}
