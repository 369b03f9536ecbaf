"""Batches: several variations of one request, submitted as one piece of work.

A member asks for 1 to 8 variations of the same settings. Where the model takes a seed, each variation
gets its own (the one typed, then the next ones; a random one each when none was typed), so the
results differ; elsewhere the provider's own randomness does. :func:`batch_plan` prices every variation
(the total is shown before submit: "4 × 24 credits = 96"); :func:`batch_create` refuses the batch whole
when the total doesn't fit the team's credits or its limits, and otherwise creates the batch and every
job (each with its own hold, so one failure releases only its own part) in one transaction.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError
from django.http import Http404

from accounts.models import Team, User
from catalog.models import Offer
from catalog.pricing import QuoteError
from catalog.services import Quote, offer_runnable_check, price_quote
from catalog.shared import shared_fields
from generations.measure import MediaMeter, media_lengths_fill
from generations.models import ACTIVE_STATUSES, Batch, Generation, Status
from generations.selectors import ledger_by_job
from generations.services.gallery import generation_cancel
from generations.services.pipeline import _jsonable
from generations.services.submission import generations_submit_together, params_with_uploads

MAX_VARIATIONS = 8
SEED_TOP = 2**31 - 1  # within every provider's documented seed range
ZERO = Decimal(0)


def batch_count_check(count: int) -> None:
    if not 1 <= count <= MAX_VARIATIONS:
        raise QuoteError("invalid_params", f"A batch runs 1 to {MAX_VARIATIONS} variations", field="n")


def variation_params(*, offer: Offer, params: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """The parameters of each of ``count`` variations: the same settings, the seed varied where the model
    has one (the typed seed, then +1, +2 ...; a random seed each when none was typed)."""
    seed_field = shared_fields(offer.spec).get("seed")
    if seed_field is None or count == 1:
        return [dict(params) for _ in range(count)]
    name = seed_field["name"]
    top = int(seed_field.get("max") or SEED_TOP)
    bottom = int(seed_field.get("min") or 0)
    typed = params.get(name)
    if typed in (None, ""):
        seeds = random.sample(range(max(bottom, 1), top + 1), count)
    else:
        first = int(typed)
        span = top - bottom + 1
        seeds = [bottom + (first - bottom + i) % span for i in range(count)]
    return [{**params, name: seed} for seed in seeds]


@dataclass(frozen=True)
class BatchPlan:
    """What a batch would run and cost: each variation's parameters and quote."""

    offer: Offer
    variations: list[dict[str, Any]]
    quotes: list[Quote]

    @property
    def count(self) -> int:
        return len(self.variations)

    @property
    def total(self) -> Decimal:
        return sum((quote.credits for quote in self.quotes), ZERO)

    @property
    def each(self) -> Decimal | None:
        """The price of one variation when every one costs the same (the usual case), else None."""
        prices = {quote.credits for quote in self.quotes}
        return prices.pop() if len(prices) == 1 else None

    @property
    def summary(self) -> str:
        """ "4 × 24 credits = 96"."""
        each = self.each
        total = f"{self.total.normalize():f}"
        if each is None:
            return f"{self.count} variations = {total} credits"
        return f"{self.count} × {each.normalize():f} credits = {total}"


def batch_plan(*, offer: Offer, params: dict[str, Any], count: int, meter: MediaMeter) -> BatchPlan:
    """Every variation priced (QuoteError for a request the offer refuses, or a count out of range)."""
    batch_count_check(count)
    offer_runnable_check(offer)
    measured = media_lengths_fill(spec=offer.spec, params=params, meter=meter)
    variations = variation_params(offer=offer, params=measured.params, count=count)
    return BatchPlan(
        offer=offer, variations=variations, quotes=[price_quote(offer=offer, params=v) for v in variations]
    )


def batch_create(
    *,
    team: Team,
    user: User,
    offer: Offer,
    params: dict[str, Any],
    count: int,
    files: dict[str, list[UploadedFile]] | None = None,
    idempotency_key: str | None = None,
    expected_total: Decimal | None = None,
) -> Batch:
    """Run ``count`` variations of one request: one batch, one job (and one hold) per variation.

    Refused whole, nothing held, when the request is refused (QuoteError), when the total is not the
    ``expected_total`` shown (``price_changed``), or when the team can't pay the whole total
    (InsufficientCredits, SpendLimitExceeded). Uploaded files are stored once for all the variations.
    """
    if idempotency_key:
        existing = Batch.objects.filter(team=team, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    batch_count_check(count)
    params = params_with_uploads(team=team, user=user, offer=offer, params=params, files=files or {})
    meter = MediaMeter(team=team, fetch=True)
    plan = batch_plan(offer=offer, params=params, count=count, meter=meter)
    if expected_total is not None and expected_total != plan.total:
        raise QuoteError(
            "price_changed",
            f"The total is now {plan.total.normalize():f} credits, not the {expected_total.normalize():f} shown: "
            "look at it again and confirm.",
        )

    def batch_new() -> Batch:
        return Batch.objects.create(
            team=team,
            created_by=user,
            offer=offer,
            prompt=str(params.get("prompt") or params.get("text") or ""),
            params=_jsonable(params),
            count=count,
            idempotency_key=idempotency_key or None,
        )

    def link(batch: Batch, jobs: list[Generation]) -> None:
        for index, job in enumerate(jobs):
            Generation.objects.filter(pk=job.pk).update(batch=batch, batch_index=index)

    try:
        return generations_submit_together(
            team=team,
            user=user,
            requests=[(offer, variation) for variation in plan.variations],
            total=plan.total,
            parent_create=batch_new,
            link=link,
            meter=meter,
        )
    except IntegrityError:
        existing = idempotency_key and Batch.objects.filter(team=team, idempotency_key=idempotency_key).first()
        if not existing:
            raise
        return existing


def batch_rerun(*, batch: Batch, user: User) -> Batch:
    """The same request again, as a new batch of as many variations (new seeds where none was typed)."""
    return batch_create(team=batch.team, user=user, offer=batch.offer, params=dict(batch.params), count=batch.count)


def batch_cancel_rest(*, batch: Batch, user: User) -> int:
    """Cancel every unfinished job of the batch (each releases its own hold); how many were cancelled."""
    cancelled = 0
    for generation in batch.generations.filter(status__in=ACTIVE_STATUSES, deleted_at__isnull=True).select_related(
        "offer__provider", "team"
    ):
        cancelled += generation_cancel(generation=generation, user=user)
    return cancelled


# --- reading it back ------------------------------------------------------------------


def batch_job_ids(*, batch: Batch) -> list[str]:
    """The public ids of the batch's jobs still shown (not deleted), newest first as the gallery lists them."""
    return list(
        batch.generations.filter(deleted_at__isnull=True)
        .order_by("-created_at", "-id")
        .values_list("public_id", flat=True)
    )


def batch_for_team(*, team: Team, public_id: str) -> Batch:
    """The team's batch, or 404: another team's batch does not exist for this member."""
    batch = Batch.objects.filter(team=team, public_id=public_id).select_related("offer__provider", "created_by").first()
    if batch is None:
        raise Http404("No such batch")
    return batch


@dataclass(frozen=True)
class BatchProgress:
    """Where a batch stands: "3 of 4 done", how many failed, what it cost and still holds."""

    jobs: int
    completed: int
    failed: int
    cancelled: int
    waiting: int
    charged: Decimal
    held: Decimal

    @property
    def finished(self) -> int:
        return self.completed + self.failed + self.cancelled

    @property
    def active(self) -> bool:
        return self.finished < self.jobs

    @property
    def label(self) -> str:
        parts = [f"{self.completed} of {self.jobs} done"]
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.cancelled:
            parts.append(f"{self.cancelled} cancelled")
        if self.waiting:
            parts.append(f"{self.waiting} waiting for a slot")
        return " · ".join(parts)


def batch_progress(*, team: Team, generations: list[Generation]) -> BatchProgress:
    """The progress of a batch from its jobs' statuses, its money from the team's ledger (one query)."""
    return _progress(generations, ledger_by_job(team=team, pks=[g.pk for g in generations]))


def _progress(generations: list[Generation], money: dict[int, tuple[Decimal, Decimal]]) -> BatchProgress:
    statuses = [g.status for g in generations]
    return BatchProgress(
        jobs=len(generations),
        completed=statuses.count(Status.COMPLETED),
        failed=statuses.count(Status.FAILED),
        cancelled=statuses.count(Status.CANCELLED),
        waiting=statuses.count(Status.WAITING),
        charged=sum((money.get(g.pk, (ZERO, ZERO))[0] for g in generations), ZERO),
        held=sum((money.get(g.pk, (ZERO, ZERO))[1] for g in generations), ZERO),
    )


@dataclass(frozen=True)
class BatchSummary:
    """A batch as its row in the gallery shows it: the batch, its model, and where it stands."""

    batch: Batch
    progress: BatchProgress


def batch_summaries(*, team: Team, batch_ids: set[int]) -> dict[int, BatchSummary]:
    """The team's batches of these ids with their progress (deleted jobs left out): three queries."""
    batches = Batch.objects.filter(team=team, pk__in=batch_ids).select_related("offer__family", "offer__provider")
    jobs: dict[int, list[Generation]] = {}
    for job in Generation.objects.filter(team=team, batch_id__in=batch_ids, deleted_at__isnull=True).only(
        "batch_id", "status"
    ):
        jobs.setdefault(job.batch_id, []).append(job)
    money = ledger_by_job(team=team, pks=[job.pk for group in jobs.values() for job in group])
    return {batch.pk: BatchSummary(batch=batch, progress=_progress(jobs.get(batch.pk, []), money)) for batch in batches}
