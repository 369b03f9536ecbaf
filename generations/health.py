"""How each offer is doing right now, from the studio's own finished jobs of the last 24 hours.

Per offer: how many jobs finished (completed or failed; cancelled ones say nothing about the provider),
the median and 95th percentile time from submit to done of the completed ones, and the share that failed.
One aggregate query over the jobs that finished in the window (``generation_finished_recent`` index) for
every offer at once, kept in the shared cache for a minute and in each process for a few seconds, so a
page that shows it costs no query. Shown in the composer, on the model pages and on unfinished cards
(an ETA); failover prefers the healthier of the offers that fit the hold.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

WINDOW = timedelta(hours=24)
CACHE_KEY = "offer-health:v1"
CACHE_SECONDS = 60
PROCESS_SECONDS = 10
# Fewer finished jobs than this say too little to show a figure or to rank offers by.
MIN_JOBS = 3

_SQL = """
SELECT offer_id,
       count(*) AS jobs,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - created_at))
           FILTER (WHERE status = 'completed') AS median_seconds,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - created_at))
           FILTER (WHERE status = 'completed') AS p95_seconds
  FROM generations_generation
 WHERE finished_at >= %s AND finished_at IS NOT NULL AND status IN ('completed', 'failed') {only}
 GROUP BY offer_id
"""


@dataclass(frozen=True)
class OfferHealth:
    """One offer's last 24 hours: ``jobs`` finished, of which ``failed``; times of the completed ones."""

    offer_id: int
    jobs: int
    failed: int
    median_seconds: int | None
    p95_seconds: int | None

    @property
    def known(self) -> bool:
        """Enough jobs to say something."""
        return self.jobs >= MIN_JOBS

    @property
    def failure_percent(self) -> int:
        return round(100 * self.failed / self.jobs) if self.jobs else 0

    @property
    def failure_rate(self) -> float:
        return self.failed / self.jobs if self.jobs else 0.0


def offer_health_compute(*, now: datetime | None = None, offer_ids: list[int] | None = None) -> dict[int, OfferHealth]:
    """Every offer with a finished job in the window (or only ``offer_ids``), read in one query."""
    since = (now or timezone.now()) - WINDOW
    with connection.cursor() as cursor:
        if offer_ids is None:
            cursor.execute(_SQL.format(only=""), [since])
        else:
            cursor.execute(_SQL.format(only="AND offer_id = ANY(%s)"), [since, list(offer_ids)])
        rows = cursor.fetchall()
    return {
        offer_id: OfferHealth(
            offer_id=offer_id,
            jobs=jobs,
            failed=failed,
            median_seconds=round(median) if median is not None else None,
            p95_seconds=round(p95) if p95 is not None else None,
        )
        for offer_id, jobs, failed, median, p95 in rows
    }


_memo: dict[str, tuple[float, dict[int, OfferHealth]]] = {}  # this process's copy: (when read, figures)


def offer_health() -> dict[int, OfferHealth]:
    """The figures as of at most a minute ago: this process's copy, else the shared one, else computed."""
    now = time.monotonic()
    kept = _memo.get("figures")
    if kept is not None and now - kept[0] < PROCESS_SECONDS:
        return kept[1]
    figures = cache.get(CACHE_KEY)
    if figures is None:
        figures = offer_health_compute()
        cache.set(CACHE_KEY, figures, CACHE_SECONDS)
    _memo["figures"] = (now, figures)
    return figures


def offer_health_forget() -> None:
    """Drop both copies (tests, and staff who want fresh figures)."""
    _memo.clear()
    cache.delete(CACHE_KEY)


def health_for(offer_id: int) -> OfferHealth | None:
    """The offer's figures when there are enough jobs to say something, else None."""
    health = offer_health().get(offer_id)
    return health if health is not None and health.known else None


def typical_seconds(*, offer_id: int, estimate: int) -> int:
    """How long a job of this offer usually takes: the live median where known, else ``estimate``."""
    health = health_for(offer_id)
    return health.median_seconds if health and health.median_seconds else estimate


def healthier_first(offer_ids: list[int]) -> list[int]:
    """Offer ids ordered healthier first: lower failure rate, then quicker median; offers without
    enough jobs to judge rank as if they had no failures and the slowest median, after the known healthy.
    Read fresh for just these offers (a failover is rare, and must not act on another process's old copy)."""
    figures = offer_health_compute(offer_ids=offer_ids)

    def rank(offer_id: int) -> tuple[float, float]:
        health = figures.get(offer_id)
        if health is None or not health.known:
            return (0.0, float("inf"))
        return (health.failure_rate, float(health.median_seconds or 0))

    return sorted(offer_ids, key=rank)
