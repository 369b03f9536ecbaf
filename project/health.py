"""Health and metrics for operators: ``/healthz``, ``/readyz``, ``/metrics``; and the answer to overload.

- ``/healthz``: the process is alive and serving (no dependency is asked).
- ``/readyz``: PostgreSQL, Redis, the storage and the broker reachable, and beat seen (its sweep ran) within
  the last two sweep intervals. JSON with every check; 503 when one fails, so a load balancer stops sending.
- ``/metrics``: Prometheus text (prometheus-client), behind ``METRICS_TOKEN`` (404 while it is unset).

Counters that several processes feed (request latency of submits and polls) live in Redis, so any web
process answers the same figures; the rest is read from PostgreSQL at scrape time.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import redis
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

BEAT_SEEN_KEY = "studio:beat:sweep-seen"
# Each request counts once, in the first bucket it fits (and in +Inf, the count); the scrape adds them up into
# Prometheus's cumulative buckets. ("v2": the first version counted every bucket at once, 12 writes a request.)
HTTP_METRICS_KEY = "studio:metrics:http:v2"
RETRY_AFTER = "2"
# The requests whose latency operators watch: submitting (web form, API) and the gallery's poll.
TIMED_VIEWS = {"api:generations": "submit", "generations:generate": "submit", "generations:poll": "poll"}
BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


_CLIENTS: dict[str, redis.Redis] = {}  # one per location and process: its pool keeps the connection open


def _redis() -> redis.Redis:
    """A plain client on the cache's Redis: these checks must see an outage, not the cache's soft misses.

    Kept per process (redis-py's pool starts afresh in a forked child): a new client per call connected
    anew and sent its CLIENT SETINFO, which read the package's metadata from disk on every submit and poll
    timed into /metrics (3 ms of a poll's 7, found with cProfile on benchmarks/gallery.py's poll)."""
    location = settings.CACHES["default"]["LOCATION"]
    client = _CLIENTS.get(location)
    if client is None:
        client = _CLIENTS[location] = redis.Redis.from_url(location, socket_timeout=2, socket_connect_timeout=2)
    return client


def beat_seen() -> None:
    """Called by the sweep beat schedules: the moment beat (and a worker to run it) was last seen."""
    try:
        _redis().set(BEAT_SEEN_KEY, str(time.time()), ex=max(3600, settings.SWEEP_INTERVAL_SECONDS * 10))
    except redis.RedisError:
        logger.warning("could not record the sweep's time (Redis unavailable)")


def _check_postgres() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_redis() -> str:
    _redis().ping()
    return "ok"


def _check_storage() -> str:
    from project.storage import is_object_storage, storage_check

    storage_check()
    return "s3" if is_object_storage() else "filesystem"


def _check_broker() -> str:
    from project.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    return "ok"


def _check_beat() -> str:
    raw = _redis().get(BEAT_SEEN_KEY)
    if raw is None:
        raise RuntimeError("no sweep seen yet")
    age = time.time() - float(raw)
    if age > 2 * settings.SWEEP_INTERVAL_SECONDS:
        raise RuntimeError(f"last sweep {age:.0f} s ago")
    return f"{age:.1f} s ago"


CHECKS: dict[str, Callable[[], str]] = {
    "postgres": _check_postgres,
    "redis": _check_redis,
    "storage": _check_storage,
    "broker": _check_broker,
    "beat": _check_beat,
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, dict[str, Any]] = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            checks[name] = {"ok": True, "detail": check()}
        except Exception as exc:  # every failure of a dependency is a "not ready", never a 500
            checks[name] = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"[:300]}
        checks[name]["ms"] = round((time.monotonic() - started) * 1000, 1)
    ready = all(check["ok"] for check in checks.values())
    response = JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )
    if not ready:
        response["Retry-After"] = RETRY_AFTER
    return response


# --- metrics ----------------------------------------------------------------------------------------


def _observe(route: str, method: str, status: int, seconds: float) -> None:
    bucket = next((bound for bound in BUCKETS if seconds <= bound), None)
    try:
        pipe = _redis().pipeline(transaction=False)
        if bucket is not None:
            pipe.hincrby(HTTP_METRICS_KEY, f"{route}|{method}|{bucket}", 1)
        pipe.hincrby(HTTP_METRICS_KEY, f"{route}|{method}|+Inf", 1)
        pipe.hincrbyfloat(HTTP_METRICS_KEY, f"{route}|{method}|sum", seconds)
        if status >= 500:
            pipe.hincrby(HTTP_METRICS_KEY, f"{route}|{method}|5xx", 1)
        pipe.execute()
    except redis.RedisError:
        pass  # metrics never fail a request


class _StudioCollector:
    """Reads the figures at scrape time: jobs from PostgreSQL, request latency from Redis."""

    def collect(self) -> Iterator[Any]:
        from django.db.models import Count, Max, Min, Sum
        from django.utils import timezone
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

        from billing.models import Hold, HoldState
        from generations.models import ACTIVE_STATUSES, Generation

        jobs = GaugeMetricFamily(
            "studio_generations", "Generations by status and provider", labels=["status", "provider"]
        )
        reads = CounterMetricFamily(
            "studio_provider_status_reads", "Provider status reads made for generations", labels=["provider"]
        )
        rows = Generation.objects.values("status", "offer__provider__slug").annotate(n=Count("id"), polls=Sum("polls"))
        polls: dict[str, int] = {}
        for row in rows:
            jobs.add_metric([row["status"], row["offer__provider__slug"]], row["n"])
            polls[row["offer__provider__slug"]] = polls.get(row["offer__provider__slug"], 0) + (row["polls"] or 0)
        for provider, count in sorted(polls.items()):
            reads.add_metric([provider], count)
        yield jobs
        yield reads

        failures = CounterMetricFamily(
            "studio_generation_failures", "Failed generations by provider and error code", labels=["provider", "code"]
        )
        for row in (
            Generation.objects.filter(status="failed")
            .values("offer__provider__slug", "error_code")
            .annotate(n=Count("id"))
        ):
            failures.add_metric([row["offer__provider__slug"], row["error_code"] or "unknown"], row["n"])
        yield failures

        holds = Hold.objects.filter(state=HoldState.OPEN).aggregate(n=Count("id"), total=Sum("amount"))
        yield GaugeMetricFamily("studio_open_holds", "Credit holds open", value=holds["n"] or 0)
        yield GaugeMetricFamily(
            "studio_open_holds_credits", "Credits held by open holds", value=float(holds["total"] or 0)
        )

        now = timezone.now()
        overdue = Generation.objects.filter(status__in=ACTIVE_STATUSES, next_check_at__lt=now).aggregate(
            oldest=Min("next_check_at"), newest=Max("next_check_at")
        )
        lag = (now - overdue["oldest"]).total_seconds() if overdue["oldest"] else 0.0
        yield GaugeMetricFamily(
            "studio_sweeper_lag_seconds", "How overdue the most overdue unfinished job's next check is", value=lag
        )
        try:
            client = _redis()
            seen = client.get(BEAT_SEEN_KEY)
            http = {k.decode(): v.decode() for k, v in client.hgetall(HTTP_METRICS_KEY).items()}
        except redis.RedisError:
            seen, http = None, {}
        yield GaugeMetricFamily(
            "studio_sweep_age_seconds",
            "Seconds since beat's sweep last ran (-1: never seen)",
            value=(time.time() - float(seen)) if seen else -1,
        )
        histogram = HistogramMetricFamily(
            "studio_request_seconds", "Latency of submits and polls, by route", labels=["route", "method"]
        )
        errors = CounterMetricFamily(
            "studio_request_5xx", "5xx answers to submits and polls", labels=["route", "method"]
        )
        series = sorted({tuple(key.split("|")[:2]) for key in http})
        for route, method in series:
            prefix = f"{route}|{method}|"
            buckets, below = [], 0
            for bound in BUCKETS:
                below += int(http.get(f"{prefix}{bound}", 0))
                buckets.append((str(bound), below))
            buckets.append(("+Inf", int(http.get(f"{prefix}+Inf", 0))))
            histogram.add_metric([route, method], buckets, float(http.get(f"{prefix}sum", 0)))
            errors.add_metric([route, method], int(http.get(f"{prefix}5xx", 0)))
        yield histogram
        yield errors


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
    from prometheus_client.registry import CollectorRegistry

    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token:
        return HttpResponse("Not found", status=404, content_type="text/plain")
    if not hmac.compare_digest(given.encode(), token.encode()):
        return HttpResponse("A bearer token is required", status=401, content_type="text/plain")
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_StudioCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


# --- overload -----------------------------------------------------------------------------------------


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: the database is out of connections or unreachable for a moment."""
    if request.path.startswith("/api/"):
        body = {"error": "unavailable", "message": "The studio is busy; retry in a few seconds."}
        response: HttpResponse = JsonResponse(body, status=503)
    else:
        response = HttpResponse(
            "The studio is busy for a moment; try again in a few seconds.", status=503, content_type="text/plain"
        )
    response["Retry-After"] = RETRY_AFTER
    response["Cache-Control"] = "no-store"
    return response


def is_unavailable(exc: BaseException) -> bool:
    """A database that cannot answer now (connections exhausted, restarting), as opposed to a bug."""
    return isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DatabaseError) and "too many" in str(exc).lower()
    )


class OverloadMiddleware:
    """Times submits and polls into /metrics, and answers a database outage with 503, never a 500.

    Outside a view (a middleware reading the session), ``server_error`` (handler500) does the same."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        try:
            response = self.get_response(request)
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            response = unavailable_response(request)
        match = getattr(request, "resolver_match", None)
        route = TIMED_VIEWS.get(match.view_name) if match else None
        if route and request.method in {"GET", "POST"}:
            _observe(route, request.method, response.status_code, time.monotonic() - started)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_unavailable(exception):
            logger.warning("database unavailable on %s %s: %s", request.method, request.path, exception)
            return unavailable_response(request)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage outside any view is still a 503."""
    import sys

    exc = sys.exc_info()[1]
    if exc is not None and is_unavailable(exc):
        return unavailable_response(request)
    from django.views.defaults import server_error as default

    return default(request)
