"""A batch's page and its row's actions: its progress (polled while it runs), cancel the rest, run again."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import team_member_required
from accounts.models import Role
from billing.selectors import wallet_for_team
from billing.services import BillingError
from catalog.pricing import QuoteError
from catalog.selectors import offer_by_key
from generations.batches import (
    BatchSummary,
    batch_cancel_rest,
    batch_for_team,
    batch_job_ids,
    batch_rerun,
    batch_summaries,
)
from generations.models import Batch
from generations.selectors import card_rows
from generations.views.common import _batched_cards_html, _cards_html, _fragment


def _summary(request: HttpRequest, public_id: str) -> BatchSummary:
    batch = batch_for_team(team=request.team, public_id=public_id)
    return batch_summaries(team=request.team, batch_ids={batch.pk})[batch.pk]


def _batch_for_manager(request: HttpRequest, public_id: str) -> Batch:
    """Whoever made the batch, or a team owner or admin, may cancel what is left of it."""
    batch = batch_for_team(team=request.team, public_id=public_id)
    if batch.created_by_id != request.user.pk and request.membership.role not in {Role.OWNER, Role.ADMIN}:
        raise PermissionDenied("Only its author or a team admin can do that.")
    return batch


@team_member_required
@require_GET
def batch_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """The batch as one row: its progress and money above its cards, which update live."""
    batch = batch_for_team(team=request.team, public_id=public_id)
    rows = card_rows(team=request.team, user=request.user, public_ids=batch_job_ids(batch=batch))
    context = {
        "batch": batch,
        "batch_html": _batched_cards_html(request, rows),
        "poll_interval": settings.GENERATION_POLL_INTERVAL_MS,
        "server_now": int(time.time()),
    }
    return render(request, "generations/batch.html", context)


@team_member_required
@require_GET
def batch_head(request: HttpRequest, public_id: str) -> HttpResponse:
    """The row's head alone: what the row polls while the batch runs (it stops once every job ended)."""
    return _fragment(request, "generations/batch.html#head", {"summary": _summary(request, public_id)})


@team_member_required
@require_POST
def batch_cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    """Cancel every unfinished job of the batch; each releases its own hold. HTMX gets the head and the cards."""
    batch = _batch_for_manager(request, public_id)
    cancelled = batch_cancel_rest(batch=batch, user=request.user)
    if not request.htmx:
        messages.success(
            request, f"Cancelled {cancelled} job{'s' if cancelled != 1 else ''}; their credits were released."
        )
        return redirect("generations:batch", public_id=public_id)
    rows = card_rows(team=request.team, user=request.user, public_ids=batch_job_ids(batch=batch))
    cards = mark_safe(  # noqa: S308 (our own rendered HTML), each card swapped out of band by id
        _cards_html(request, rows).replace('<article id="card-', '<article hx-swap-oob="true" id="card-')
    )
    context = {
        "summary": _summary(request, public_id),
        "oob_cards": cards,
        "wallet": wallet_for_team(team=request.team),
    }
    return _fragment(request, "generations/batch_cancelled.html", context)


@team_member_required
@require_POST
def batch_again(request: HttpRequest, public_id: str) -> HttpResponse:
    """The same request again as a new batch of as many variations, quoted and held anew (or refused whole)."""
    batch = batch_for_team(team=request.team, public_id=public_id)
    if offer_by_key(key=batch.offer.key) is None:
        messages.error(request, "This model is no longer available. Open one of the jobs and remix it.")
        return redirect("generations:batch", public_id=public_id)
    try:
        again = batch_rerun(batch=batch, user=request.user)
    except (BillingError, QuoteError) as exc:
        messages.error(request, exc.message if isinstance(exc, QuoteError) else str(exc))
        return redirect("generations:batch", public_id=public_id)
    messages.success(request, f"Running the {again.count} variations again.")
    return redirect("generations:batch", public_id=again.public_id)
