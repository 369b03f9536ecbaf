"""When to read a running job's status next: from the time the offer's jobs are expected to take.

A fixed backoff (2 s, 3 s, 4.5 s … capped at 60 s) reads a 60 s job about seven times, most of them
while nothing can have happened. With an expected time ``E`` (the studio's own live median for the
offer, else the catalog's estimate) the reads go where the answer changes:

- one early read (``EARLY`` after submit) catches quick refusals and jobs far quicker than expected;
- then reads bunched around the expected finish: ``E − w``, ``E + 0.5`` and ``E + w``, with
  ``w = max(1.5, E / 10)``;
- then backoff, each gap 1.5 times the last (starting from ``1.5 w``), capped at ``CAP``.

No planned gap is longer than ``QUIET_CAP``: a running job's card state (generations.cardstate) lives
``CARD_STATE_SECONDS`` and is republished by each read, and the gallery's "nothing changed" poll
answers from it only while it lives. A 300 s job so gets a few reads in its long quiet stretch;
a 60 s job none.

A job whose provider calls back (a webhook, which reads the job at once through
``generation_webhook_received``) is read once early and then only late, at ``E + 2 w``, in case the
call never comes; then backoff. An offer with no expected time keeps the plain backoff, so short
jobs (the sandbox's) are not slowed by a schedule made for nothing.

:func:`next_read_in` is pure (the schedule); :func:`generation_next_read_in` feeds it a job.
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING

from django.utils import timezone

from generations.cardstate import CARD_STATE_SECONDS
from generations.health import health_for
from generations.providers import calls_back

if TYPE_CHECKING:
    from generations.models import Generation

EARLY = 2.0  # seconds after submit: the read that catches quick failures (and the sandbox's quick jobs)
FIRST = 2.0  # the plain backoff's first gap, as before
CAP = 60.0  # no gap is longer
MIN_GAP = 1.0  # planned reads closer than this to the one before are dropped
ON_TIME = 0.25  # a read this late for its planned time still counts as that read
AFTER_FINISH = 0.5  # the read just after the expected finish
QUIET_CAP = CARD_STATE_SECONDS - 10.0  # the longest planned gap: the card state outlives it


def _window(expected: float) -> float:
    return max(1.5, expected / 10)


def read_plan(*, expected: float, webhook: bool = False) -> list[float]:
    """The planned reads, in seconds after submit, before the backoff takes over."""
    w = _window(expected)
    wanted = [EARLY, expected + 2 * w] if webhook else [EARLY, expected - w, expected + AFTER_FINISH, expected + w]
    plan: list[float] = []
    for at in wanted:
        if plan and at < plan[-1] + MIN_GAP:
            continue
        if plan and at - plan[-1] > QUIET_CAP:  # fill a long quiet stretch evenly
            steps = math.ceil((at - plan[-1]) / QUIET_CAP)
            start, step = plan[-1], (at - plan[-1]) / steps
            plan.extend(round(start + step * i, 2) for i in range(1, steps))
        plan.append(round(at, 2))
    return plan


def backoff(polls: int) -> float:
    """The plain schedule's gap after ``polls`` reads: 2 s, 3 s, 4.5 s … capped at ``CAP``."""
    return min(CAP, FIRST * (1.5**polls))


def next_read_in(*, elapsed: float, expected: float | None, polls: int = 0, webhook: bool = False) -> float:
    """Seconds from now (``elapsed`` seconds after submit) to the job's next status read.

    ``expected`` is how long the offer's jobs take (None when unknown: the plain backoff by ``polls``,
    the reads done so far). ``webhook`` when the provider calls back on completion.
    """
    if not expected or expected <= 0:
        return backoff(polls)
    plan = read_plan(expected=expected, webhook=webhook)
    for at in plan:
        if at > elapsed + ON_TIME:
            return round(at - elapsed, 2)
    # Past the plan: backoff from its last read.
    at, gap = plan[-1], 1.5 * _window(expected)
    while at <= elapsed + ON_TIME:
        at += gap
        gap = min(CAP, gap * 1.5)
    return round(min(at - elapsed, CAP), 2)


def expected_seconds(offer_id: int, estimate: int | None) -> float | None:
    """How long the offer's jobs take: the live median once the studio has enough finished jobs
    (generations.health), else the catalog's estimate, else None."""
    health = health_for(offer_id)
    if health is not None and health.median_seconds:
        return float(health.median_seconds)
    return float(estimate) if estimate else None


def generation_next_read_in(generation: Generation, *, polls: int) -> float:
    """When to read ``generation`` (running at its provider, read ``polls`` times so far) next."""
    offer = generation.offer
    expected = expected_seconds(offer.pk, offer.estimated_seconds)
    started = generation.started_at or timezone.now()
    elapsed = max(0.0, (timezone.now() - started).total_seconds())
    delay = next_read_in(elapsed=elapsed, expected=expected, polls=polls, webhook=calls_back(offer.provider.slug))
    if expected is None:
        delay = round(delay * random.uniform(0.8, 1.2), 2)  # the plain backoff keeps its jitter, as before
    return delay
