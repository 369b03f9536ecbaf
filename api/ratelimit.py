"""Per-key rate limits in the cache (Redis): a fixed window counter per key.

``API_RATE_LIMIT`` is ``"<requests>/<second|minute|hour|day>"`` (``"60/minute"``
by default); ``"0"`` or ``"off"`` turns the limit off.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Limit:
    requests: int
    period: int  # seconds


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds until the window resets


@lru_cache(maxsize=8)
def limit_parse(value: str) -> Limit | None:
    text = str(value).strip().lower()
    if text in {"", "0", "off", "none"}:
        return None
    count, _, period = text.partition("/")
    period = period.strip().removesuffix("s") or "minute"
    try:
        requests = int(count)
    except ValueError:
        requests = -1
    if requests < 0 or period not in PERIODS:
        raise ImproperlyConfigured(f"API_RATE_LIMIT must look like 60/minute, not {value!r}")
    return Limit(requests=requests, period=PERIODS[period]) if requests else None


def rate_limit_hit(*, bucket: str) -> Verdict | None:
    """Count one request for ``bucket``; None when there is no limit (or the cache is down: fail open)."""
    limit = limit_parse(getattr(settings, "API_RATE_LIMIT", "60/minute"))
    if limit is None:
        return None
    now = time.time()
    window = int(now // limit.period)
    key = f"api-rate:{bucket}:{limit.period}:{window}"
    try:
        cache.add(key, 0, timeout=limit.period + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=limit.period + 5)
            count = 1
    except Exception:  # a cache outage must not take the API down
        logger.exception("rate limit cache unavailable")
        return None
    retry_after = max(1, math.ceil((window + 1) * limit.period - now))
    return Verdict(
        allowed=count <= limit.requests,
        limit=limit.requests,
        remaining=max(0, limit.requests - count),
        retry_after=retry_after,
    )
