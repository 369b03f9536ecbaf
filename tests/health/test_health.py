"""/healthz, /readyz and /metrics, and a database outage answered with 503 rather than 500.

The readiness test runs a real gunicorn studio (the command ``make run`` uses) on a Redis of its own, and
stops that Redis: the shared one the rest of the suite uses is never touched."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from generations.models import Status
from project.devserver import web_command
from project.health import BEAT_SEEN_KEY, beat_seen
from tests.conftest import ROOT, _database_url, client_for_team, completed_generation_with_file, free_port, wait_for
from tests.reliability.harness import Redis


def test_healthz_answers_without_asking_anything(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_every_dependency_and_beat(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    beat_seen()
    body = client.get("/readyz").json()
    assert body["status"] == "ok", body
    assert set(body["checks"]) == {"postgres", "redis", "storage", "broker", "beat"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["storage"]["detail"] == "filesystem"

    # Beat not seen in two sweep intervals: not ready.
    from project.health import _redis

    _redis().set(BEAT_SEEN_KEY, str(time.time() - 2 * settings.SWEEP_INTERVAL_SECONDS - 5))
    response = client.get("/readyz")
    assert response.status_code == 503 and response["Retry-After"]
    assert response.json()["checks"]["beat"]["ok"] is False
    assert response.json()["checks"]["postgres"]["ok"] is True


def _serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    port = str(free_port())
    process = subprocess.Popen(
        web_command("127.0.0.1", port),
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "project.settings", "WEB_WORKERS": "1", "WEB_THREADS": "4", **env},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{log.read_text()}")
        try:
            return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(up, timeout=40, message="gunicorn to serve")
    return process, url


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.django_db(transaction=True)
def test_readyz_turns_503_when_redis_stops_and_green_when_it_returns(tmp_path):
    redis_server = Redis(tmp_path / "redis")
    env = {
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_server.url,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STUDIO_VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": "health-test",
    }
    process, url = _serve(env, tmp_path / "web.log")
    try:
        import redis

        seen = redis.Redis.from_url(f"{redis_server.url}?db={settings.REDIS_CACHE_DB}")  # the web's cache
        seen.set(BEAT_SEEN_KEY, str(time.time()))
        ready = httpx.get(f"{url}/readyz", timeout=10)
        assert ready.status_code == 200, ready.text

        redis_server.stop()
        started = time.monotonic()
        down = httpx.get(f"{url}/readyz", timeout=20)
        assert down.status_code == 503 and down.headers["retry-after"]
        checks = down.json()["checks"]
        assert not checks["redis"]["ok"] and not checks["broker"]["ok"] and not checks["beat"]["ok"]
        assert checks["postgres"]["ok"] and checks["storage"]["ok"]
        assert time.monotonic() - started < 10  # each check gives up within its timeout
        assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200  # alive, only not ready

        redis_server.start()  # appendonly: the data (beat's last sweep) comes back with it
        wait_for(lambda: httpx.get(f"{url}/readyz", timeout=10).status_code == 200, timeout=20, message="ready again")
    finally:
        _stop(process)
        redis_server.stop()


def test_a_database_outage_is_a_503_with_retry_after_never_a_500(tmp_path):
    redis_server = Redis(tmp_path / "redis")
    env = {
        "DATABASE_URL": f"postgresql://nobody@127.0.0.1:{free_port()}/nothing",  # nothing listens there
        "REDIS_URL": redis_server.url,
        "STUDIO_VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": "outage-test-" + "x" * 50,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "DB_CONNECT_TIMEOUT": "2",
    }
    process, url = _serve(env, tmp_path / "web.log")
    try:
        from api.keys import key_generate

        api = httpx.get(f"{url}/api/v1/balance", headers={"Authorization": f"Bearer {key_generate()[1]}"}, timeout=20)
        assert api.status_code == 503, api.text
        assert api.json()["error"] == "unavailable" and api.headers["retry-after"]
        page = httpx.get(f"{url}/accounts/login/", timeout=20)
        assert page.status_code in {200, 503}, page.text  # the sign-in form needs no database; anything else waits
        session = httpx.get(f"{url}/gallery/", cookies={"sessionid": "x" * 32}, timeout=20)
        assert session.status_code == 503 and session.headers["retry-after"], session.text
    finally:
        _stop(process)
        redis_server.stop()


@pytest.mark.django_db
def test_metrics_need_the_token_and_report_jobs_holds_and_latency(client, people, catalog, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = "metrics-secret"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401

    generation, _ = completed_generation_with_file(team=people.team, user=people.owner)
    assert generation.status == Status.COMPLETED
    member = client_for_team(client, people.owner, people.team)
    assert member.get("/gallery/poll/").status_code in {200, 204, 286}
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer metrics-secret")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'studio_generations{provider="kubflow",status="completed"} 1.0' in text
    assert "studio_open_holds 0.0" in text and "studio_open_holds_credits 0.0" in text
    assert "studio_provider_status_reads_total" in text
    assert "studio_sweeper_lag_seconds" in text and "studio_sweep_age_seconds" in text
    assert 'studio_request_seconds_count{method="GET",route="poll"}' in text
    assert settings.METRICS_TOKEN not in text


def _poll_histogram(text: str) -> tuple[list[tuple[str, float]], float]:
    """The poll's GET latency buckets (le, count) in order, and its count, from a /metrics page."""
    buckets, count = [], None
    for line in text.splitlines():
        if line.startswith('studio_request_seconds_bucket{le="') and 'method="GET",route="poll"' in line:
            buckets.append((line.split('le="')[1].split('"')[0], float(line.rsplit(" ", 1)[1])))
        if line.startswith('studio_request_seconds_count{method="GET",route="poll"}'):
            count = float(line.rsplit(" ", 1)[1])
    return buckets, count or 0.0


@pytest.mark.django_db
def test_request_latency_buckets_are_cumulative_and_count_each_request_once(client, people, catalog, settings):
    settings.METRICS_TOKEN = "metrics-secret"
    member = client_for_team(client, people.owner, people.team)
    before, count_before = _poll_histogram(
        client.get("/metrics", HTTP_AUTHORIZATION="Bearer metrics-secret").content.decode()
    )
    for _ in range(3):
        assert member.get("/gallery/poll/").status_code in {200, 204, 286}
    after, count_after = _poll_histogram(
        client.get("/metrics", HTTP_AUTHORIZATION="Bearer metrics-secret").content.decode()
    )
    assert count_after == count_before + 3
    assert [le for le, _ in after][-1] == "+Inf" and after[-1][1] == count_after
    counts = [n for _, n in after]
    assert counts == sorted(counts)  # each bucket holds the ones below it
    # a test poll takes well under 30 s: all three are in the last finite bucket, and in no more than +Inf
    before_30 = dict(before).get("30.0", 0.0)
    assert dict(after)["30.0"] == before_30 + 3


def test_the_command_make_run_serves_with_is_bounded():
    command = web_command("127.0.0.1", "8000")
    assert command[:4] == [sys.executable, "-m", "gunicorn", "project.wsgi:application"]
    assert command[command.index("--worker-class") + 1] == "gthread"
    workers = int(command[command.index("--workers") + 1])
    threads = int(command[command.index("--threads") + 1])
    assert workers * threads <= 32  # at most one connection per thread: well under max_connections
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
