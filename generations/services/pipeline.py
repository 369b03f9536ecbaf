"""The job pipeline: claim, submit, poll, download, failover, finish, and the sweeper's resume.

A job moves ``queued → running → downloading → completed`` (or ``failed`` /
``cancelled``). :func:`generation_advance` does one step under a lease and
says when the job should be looked at next; the Celery task calls it and
re-enqueues itself, and the sweeper re-enqueues any job whose lease expired.
Only billing.services touches the ledger; every final state resolves the hold
exactly once, in the same transaction that sets it.
"""

from __future__ import annotations

import logging
import random
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from billing.models import Hold
from billing.services import hold_capture, hold_release
from catalog.pricing import QuoteError
from catalog.selectors import offers_generatable
from catalog.services import price_quote
from catalog.shared import shared_apply, shared_values
from generations.assets import AssetError, asset_store_from_url, result_indexes_stored
from generations.cardstate import card_state_publish
from generations.delivery import delivery_check
from generations.failpoints import failpoint
from generations.health import healthier_first
from generations.measure import MediaMeter, media_lengths_fill
from generations.models import ACTIVE_STATUSES, Generation, Status
from generations.polling import generation_next_read_in
from generations.providers import client_for
from generations.providers.base import CANCELLED, COMPLETED, FAILED, ProviderError, SubmitRequest, submit_job
from generations.signals import generation_finished
from generations.slots import SLOT_RECHECK, slots_assign
from generations.uploads import (
    uploads_for_request,
)

logger = logging.getLogger(__name__)


# generations.tasks calls these services; the services send its tasks by name (Celery's send_task), so they
# never import it.
ADVANCE_TASK = "generations.tasks.generation_advance_task"
FILES_REMOVE_TASK = "generations.tasks.generation_files_remove_task"


LEASE = timedelta(seconds=settings.GENERATION_LEASE_SECONDS)
MAX_ATTEMPTS = settings.GENERATION_MAX_ATTEMPTS
SWEEP_GRACE = timedelta(seconds=settings.SWEEP_GRACE_SECONDS)
POLL_FIRST = 2.0
POLL_CAP = 60.0


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in params.items()}


def _enqueue_on_commit(public_id: str, delay: float = 0) -> None:
    """Send the job's next step after commit. If the broker is down the job is not lost:
    its ``next_check_at`` is due, and the sweeper enqueues it once the broker is back."""

    def send() -> None:
        try:
            if delay > 0:
                current_app.send_task(ADVANCE_TASK, args=[public_id], countdown=delay, retry=False)
            else:
                current_app.send_task(ADVANCE_TASK, args=[public_id], retry=False)
        except Exception:  # the broker is unreachable; the sweeper will resume the job
            logger.warning("could not enqueue %s; the sweeper will resume it", public_id, exc_info=True)

    transaction.on_commit(send)


# --- advancing a job ------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """What one call to generation_advance did, and when to come back (seconds), if ever."""

    status: str
    next_in: float | None


def _claim(public_id: str, owner: str) -> Generation | None:
    """Take the job's lease if nobody holds it; None when it is finished or someone else has it."""
    now = timezone.now()
    claimed = (
        Generation.objects.filter(public_id=public_id, status__in=ACTIVE_STATUSES)
        .exclude(lease_expires_at__gt=now)
        .update(lease_owner=owner, lease_expires_at=now + LEASE)
    )
    if not claimed:
        return None
    return Generation.objects.select_related("offer__provider", "team").get(public_id=public_id)


def _release_lease(generation: Generation, owner: str, next_in: float | None) -> None:
    next_check = timezone.now() + timedelta(seconds=next_in) if next_in is not None else None
    Generation.objects.filter(pk=generation.pk, lease_owner=owner).update(
        lease_owner="", lease_expires_at=None, next_check_at=next_check
    )


def poll_delay(polls: int) -> float:
    """Exponential backoff with jitter: about 2 s, 3 s, 4.5 s … capped near 60 s."""
    base = min(POLL_CAP, POLL_FIRST * (1.5**polls))
    return round(base * random.uniform(0.8, 1.2), 2)


def generation_advance(*, public_id: str) -> Step | None:
    """Do the next step of a job. Safe to call any number of times, from any number of workers."""
    owner = secrets.token_hex(8)
    generation = _claim(public_id, owner)
    if generation is None:
        return None
    next_in: float | None = None
    try:
        if timezone.now() > generation.deadline_at:
            _provider_cancel(generation)  # stop it costing the provider's credits, where it can
            _finish_failed(
                generation,
                "deadline_exceeded",
                "The provider did not finish in time, so the job was stopped and nothing was charged.",
            )
        elif generation.status == Status.QUEUED and generation.submit_started_at and not generation.provider_job_id:
            _finish_failed(
                generation,
                "submission_unconfirmed",
                "The studio lost contact while starting this job and cannot tell whether the provider "
                "accepted it. It was not sent again, so it cannot be charged twice; nothing was charged.",
            )
        elif generation.status == Status.WAITING:
            next_in = _submit(generation) if _slot_taken(generation) else SLOT_RECHECK
        elif generation.status == Status.QUEUED:
            next_in = _submit(generation)
        elif generation.status == Status.RUNNING:
            next_in = _poll(generation)
        if generation.status == Status.DOWNLOADING:
            next_in = _download(generation)
    except ProviderError as exc:
        next_in = _provider_error(generation, exc)
    finally:
        _release_lease(generation, owner, next_in)
    if next_in is not None:
        _enqueue_on_commit(public_id, next_in)  # outside a transaction: sends at once
    return Step(status=generation.status, next_in=next_in)


def _slot_taken(generation: Generation) -> bool:
    """A waiting job asks for a slot: True when it got one (and is queued now). Jobs given a slot with it
    are sent on; this one goes on in the same step, under the lease it holds."""
    assigned = slots_assign(team_id=generation.team_id)
    for public_id in assigned:
        if public_id != generation.public_id:
            _enqueue_on_commit(public_id)
    if generation.public_id not in assigned:
        return False
    generation.status = Status.QUEUED
    return True


def team_slots_fill(*, team_id: int) -> int:
    """Start as many of the team's waiting jobs as its cap now allows (a job ended, the cap changed)."""
    assigned = slots_assign(team_id=team_id)
    for public_id in assigned:
        _enqueue_on_commit(public_id)
    return len(assigned)


def _provider_cancel(generation: Generation) -> None:
    """Best effort: ask the provider to stop a job the studio gives up on."""
    if not generation.provider_job_id:
        return
    try:
        client_for(generation.offer.provider.slug).cancel(generation.provider_job_id)
    except ProviderError as exc:
        logger.info("generation %s: provider cancel failed: %r", generation.public_id, exc)


def _set_status(generation: Generation, expected: str, **fields: Any) -> bool:
    """Conditionally move the job from ``expected``; False when another worker moved it first."""
    updated = Generation.objects.filter(pk=generation.pk, status=expected).update(**fields)
    if updated:
        for name, value in fields.items():
            setattr(generation, name, value)
        if "status" in fields or "progress" in fields:
            card_state_publish(generation)
    return bool(updated)


def webhook_url_for(generation: Generation) -> str:
    """The job's own unguessable callback URL, for providers that call back."""
    path = reverse(
        "generations:provider_webhook",
        kwargs={"provider": generation.offer.provider.slug, "token": generation.webhook_token},
    )
    return f"{settings.STUDIO_PUBLIC_URL}{path}"


def generation_webhook_received(*, provider_slug: str, token: str) -> bool:
    """A provider says a job changed: read its status now. Duplicates and late calls change nothing."""
    public_id = (
        Generation.objects.filter(webhook_token=token, offer__provider__slug=provider_slug)
        .values_list("public_id", flat=True)
        .first()
    )
    if public_id is None:
        return False
    Generation.objects.filter(public_id=public_id, status__in=ACTIVE_STATUSES).update(next_check_at=timezone.now())
    _enqueue_on_commit(public_id)
    return True


def _submit(generation: Generation) -> float:
    """Start the job at the provider, at most once.

    ``submit_started_at`` is written before the request. A provider that refuses
    (ProviderError) clears it, so a retry is safe; a worker that dies after
    sending leaves it set, and the job is then never sent again (see
    generation_advance).
    """
    offer = generation.offer
    client = client_for(offer.provider.slug)
    params, uploads = uploads_for_request(spec=offer.spec, params=generation.params)
    failpoint("before_submit")
    if not _set_status(generation, Status.QUEUED, submit_started_at=timezone.now()):
        return None
    try:
        submitted = submit_job(
            client,
            SubmitRequest(
                model_id=offer.model_id,
                category=offer.category,
                spec=offer.spec,
                params=params,
                reference=generation.public_id,
                webhook_url=webhook_url_for(generation),
                uploads=uploads,
            ),
        )
    except ProviderError:
        # The provider answered with a refusal: nothing was accepted, a retry is safe.
        Generation.objects.filter(pk=generation.pk, provider_job_id="").update(submit_started_at=None)
        raise
    failpoint("after_accept_before_save")
    _set_status(
        generation,
        Status.QUEUED,
        status=Status.RUNNING,
        provider_job_id=submitted.job_id,
        provider_cost_reported=submitted.reported_cost,
        started_at=timezone.now(),
        attempts=0,
        progress=0,
    )
    failpoint("after_accept")
    return generation_next_read_in(generation, polls=0)


def _poll(generation: Generation) -> float | None:
    client = client_for(generation.offer.provider.slug)
    state = client.status(generation.provider_job_id, generation.offer.spec)
    failpoint("during_poll")
    polls = generation.polls + 1
    if state.status == COMPLETED:
        if not state.outputs:
            _finish_failed(generation, "no_output", "The provider finished without returning a file.")
            return None
        _set_status(
            generation,
            Status.RUNNING,
            status=Status.DOWNLOADING,
            result_urls=state.outputs,
            progress=100,
            polls=polls,
            attempts=0,
        )
        return None  # the caller downloads at once
    if state.status == FAILED:
        _finish_failed(generation, state.error_code or "provider_failed", state.error or "The provider failed the job.")
        return None
    if state.status == CANCELLED:
        _finish(generation, Status.CANCELLED, "cancelled", "The provider cancelled the job.")
        return None
    Generation.objects.filter(pk=generation.pk).update(progress=state.progress, polls=polls, attempts=0)
    card_state_publish(generation)  # also keeps a long job's cached version from expiring
    return generation_next_read_in(generation, polls=polls)


def _download(generation: Generation) -> float | None:
    """Store every output not stored yet. The job completes (and is charged) only once all are ours."""
    stored = result_indexes_stored(generation)
    refreshed = False
    for index, url in enumerate(list(generation.result_urls)):
        if index in stored:
            continue
        try:
            asset_store_from_url(generation=generation, index=index, url=url)
        except AssetError as exc:
            if not exc.permanent:
                raise ProviderError(exc.code, str(exc), permanent=False) from exc
            if not refreshed and _refresh_result_urls(generation):
                refreshed = True  # the provider gave fresh URLs: try them once
                return 0.0
            _finish_failed(generation, exc.code, f"The result could not be saved: {exc}")
            return None
        failpoint("during_download")
    failpoint("before_complete")
    delivery_check(generation)  # what came back against what was asked and paid for, shown with the result
    _finish(generation, Status.COMPLETED)
    failpoint("after_capture")
    return None


def _refresh_result_urls(generation: Generation) -> bool:
    """Result URLs expire: read the job's status again for fresh ones. True when they changed."""
    try:
        state = client_for(generation.offer.provider.slug).status(generation.provider_job_id, generation.offer.spec)
    except ProviderError:
        return False
    if state.status != COMPLETED or not state.outputs or state.outputs == generation.result_urls:
        return False
    Generation.objects.filter(pk=generation.pk, status=Status.DOWNLOADING).update(result_urls=state.outputs)
    generation.result_urls = state.outputs
    return True


# Refusals that say nothing against the request itself: another provider may take it.
FAILOVER_CODES = {"auth_failed", "insufficient_provider_credits", "provider_unavailable"}


def _provider_error(generation: Generation, exc: ProviderError) -> float | None:
    attempts = generation.attempts + 1
    logger.info("generation %s: %r (attempt %s)", generation.public_id, exc, attempts)
    if exc.permanent or attempts >= MAX_ATTEMPTS:
        refused_before_accepting = generation.status == Status.QUEUED and not generation.provider_job_id
        if (
            refused_before_accepting
            and (exc.code in FAILOVER_CODES or not exc.permanent)
            and _failover(generation, why=f"{exc.code}: {exc.message}")
        ):
            return 0.0  # send it to the new provider at once
        _finish_failed(generation, exc.code, exc.message)
        return None
    Generation.objects.filter(pk=generation.pk).update(attempts=attempts)
    delay = exc.retry_after if exc.retry_after else poll_delay(attempts)
    return min(delay, POLL_CAP)


def _failover(generation: Generation, *, why: str = "") -> bool:
    """Move a refused job to another enabled provider of the same model (the same model id: never another
    variant of its family), if the team allows it and the new quote fits in the credits already held (the
    difference is released on completion). Of those that fit, the healthiest of the last 24 hours
    (generations.health). The move is recorded on the job (``moves``: from, to, why, the new quote) for
    its receipt."""
    if not generation.team.failover_enabled:
        return False
    current = generation.offer
    tried = [*generation.providers_tried, current.provider.slug]
    held = Hold.objects.get(generation=generation).amount
    values = shared_values(current.spec, generation.params)
    meter = MediaMeter(team=generation.team, fetch=True)  # another offer may bill the same files by length
    candidates = (
        offers_generatable()
        .filter(family_id=current.family_id, model_id=current.model_id)  # the same model, never another variant
        .exclude(provider__slug__in=tried)
        .select_related("provider", "family")
    )
    fitting = {}
    for offer in candidates:
        try:
            params = media_lengths_fill(spec=offer.spec, params=shared_apply(offer.spec, values), meter=meter).params
            quote = price_quote(offer=offer, params=params)
        except QuoteError:
            continue
        if quote.credits <= held:
            fitting[offer.pk] = (offer, quote)
    if not fitting:
        return False
    offer, quote = fitting[healthier_first(list(fitting))[0]]
    move = {
        "at": timezone.now().isoformat(),
        "from": current.key,
        "to": offer.key,
        "why": why[:300],
        "credits_before": str(generation.credits_quoted),
        "credits_after": str(quote.credits),
    }
    moved = Generation.objects.filter(pk=generation.pk, status=Status.QUEUED, provider_job_id="").update(
        offer=offer,
        params=_jsonable(quote.params),
        provider_cost=quote.provider_cost,
        credits_quoted=quote.credits,
        credit_rate=offer.provider.credit_rate,
        markup=offer.provider.markup,
        breakdown=quote.breakdown[:300],
        charge_note=quote.charge_note,
        providers_tried=tried,
        moves=[*generation.moves, move],
        attempts=0,
        submit_started_at=None,
    )
    if moved:
        card_state_publish(generation)  # the card shows where it runs
        logger.info("generation %s moved from %s to %s", generation.public_id, tried[-1], offer.provider.slug)
    return bool(moved)


def _finish_failed(generation: Generation, code: str, message: str) -> None:
    _finish(generation, Status.FAILED, code, message)


def _finish(generation: Generation, status: str, code: str = "", message: str = "") -> bool:
    """Move an active job to a final status and resolve its hold, in one transaction."""
    with transaction.atomic():
        updated = Generation.objects.filter(pk=generation.pk, status__in=ACTIVE_STATUSES).update(
            status=status, error_code=code[:80], error_message=message, finished_at=timezone.now()
        )
        if not updated:
            return False
        generation.status = status
        card_state_publish(generation)
        hold = Hold.objects.get(generation=generation)
        transaction.on_commit(lambda: generation_finished.send(sender=Generation, generation=generation))
        charged = Decimal(0)
        if status == Status.COMPLETED:
            # False only if the hold had already expired (a job that outlived HOLD_TTL_HOURS): then it is free.
            if hold_capture(
                hold=hold,
                amount=generation.credits_quoted,
                reason=f"Charged for {generation.public_id}",
                job=generation.ledger_ref,
            ):
                charged = generation.credits_quoted
        else:
            hold_release(hold=hold, reason=f"{status.capitalize()}: {generation.public_id}")
        Generation.objects.filter(pk=generation.pk).update(credits_charged=charged)
        generation.credits_charged = charged
        if generation.team.jobs_in_flight_cap is not None:  # a slot is free: the next waiting job goes
            team_id = generation.team_id
            transaction.on_commit(lambda: team_slots_fill(team_id=team_id))
    return True


def generations_resume_stale(*, now=None, limit: int = 500) -> int:
    """Re-enqueue active jobs that nobody is working on and that are due (the sweeper)."""
    now = now or timezone.now()
    due = (
        Generation.objects.filter(status__in=ACTIVE_STATUSES)
        .order_by()  # no sort: the model's ordering made PostgreSQL walk every row by created_at
        .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now))
        .filter(Q(next_check_at__isnull=True) | Q(next_check_at__lt=now - SWEEP_GRACE))
        .values_list("public_id", flat=True)[:limit]
    )
    count = 0
    for public_id in due:
        current_app.send_task(ADVANCE_TASK, args=[public_id])
        count += 1
    return count
