"""Submitting a job: quote, hold its credits, create it and enqueue its first step, in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Team, User
from billing.selectors import wallet_for_team
from billing.services import InsufficientCredits, SpendLimitExceeded, credit_hold, spend_limits_check
from catalog.models import Offer
from catalog.pricing import QuoteError
from catalog.services import offer_runnable_check, price_quote
from generations.cardstate import card_state_publish
from generations.measure import MediaMeter, media_lengths_fill
from generations.models import Generation
from generations.providers import deadline_for
from generations.services.pipeline import _enqueue_on_commit, _jsonable
from generations.slots import initial_status
from generations.uploads import (
    UploadError,
    media_reference,
    source_media_store,
    source_urls_check,
)

logger = logging.getLogger(__name__)

Parent = TypeVar("Parent")
ZERO = Decimal(0)


DEADLINES = {  # how long a job may take end to end, by what it makes
    "image": timedelta(minutes=15),
    "audio": timedelta(minutes=30),
    "text": timedelta(minutes=15),
    "video": timedelta(hours=2),
}


def generation_deadline(offer: Offer) -> timedelta:
    """How long a job on this offer may take, end to end, before it is stopped."""
    if settings.GENERATION_DEADLINE_SECONDS:
        return timedelta(seconds=settings.GENERATION_DEADLINE_SECONDS)
    return deadline_for(offer.provider.slug, offer.spec) or DEADLINES.get(offer.output, timedelta(hours=1))


class IdempotencyConflict(Exception):
    code = "idempotency_conflict"

    def __init__(self) -> None:
        super().__init__("This idempotency key was already used for a different request.")


def generation_submit(
    *,
    team: Team,
    user: User,
    offer: Offer,
    params: dict[str, Any],
    idempotency_key: str | None = None,
    files: dict[str, list[UploadedFile]] | None = None,
    meter: MediaMeter | None = None,
) -> Generation:
    """Quote, create the generation and hold its credits in one transaction; enqueue it on commit.

    ``files`` are uploads for media fields: checked by content, stored, and
    referred to from the field. Offers priced on the length of the request's
    media get it measured first (generations.measure; ``meter`` lets a caller
    that measured already reuse its lengths), so the hold is the exact price.
    Raises QuoteError for a refused request (with the docs' code, e.g.
    unsafe_source_url, or a file too long for the model; ``model_unavailable`` for an
    offer its provider's API can't run, see Offer.runnable) and a BillingError
    (insufficient credits, a spend limit) when the team can't pay; either way no
    generation is created and nothing is held.
    """
    offer_runnable_check(offer)
    params = _with_uploaded_files(team=team, user=user, offer=offer, params=params, files=files or {})
    measured = media_lengths_fill(spec=offer.spec, params=params, meter=meter or MediaMeter(team=team, fetch=True))
    quote = price_quote(offer=offer, params=measured.params)
    source_urls_check(spec=offer.spec, params=quote.params, team=team)
    if idempotency_key:
        existing = _idempotent_replay(team=team, key=idempotency_key, offer=offer, params=quote.params)
        if existing:
            return existing
    breakdown = "; ".join([quote.breakdown, *measured.notes])
    try:
        return _generation_create(
            team=team, user=user, offer=offer, quote=quote, idempotency_key=idempotency_key, breakdown=breakdown
        )
    except IntegrityError:
        # Two requests with one idempotency key raced; the other one created it.
        existing = idempotency_key and _idempotent_replay(
            team=team, key=idempotency_key, offer=offer, params=quote.params
        )
        if not existing:
            raise
        return existing


def generations_submit_together(
    *,
    team: Team,
    user: User,
    requests: list[tuple[Offer, dict[str, Any]]],
    total: Decimal,
    parent_create: Callable[[], Parent],
    link: Callable[[Parent, list[Generation]], None],
    meter: MediaMeter | None = None,
) -> Parent:
    """Several jobs as one piece of work (a batch, a comparison): each with its own hold, all or none.

    ``total`` is what the member was shown. The wallet is checked for it first; then the parent (made by
    ``parent_create``) and every job are created in one transaction, ``link`` ties the jobs to it, and a
    hold refused on the way (another submit took the credits in between) takes every other hold back with
    it. Raises InsufficientCredits (naming the whole total), SpendLimitExceeded, or QuoteError
    (``price_changed`` when the holds do not add up to ``total``; or the refusal of one job's request).
    """
    wallet = wallet_for_team(team=team)
    available = wallet.available if wallet else ZERO
    if available < total:
        raise InsufficientCredits(needed=total, available=available)
    try:
        with transaction.atomic():
            spend_limits_check(team=team, user=user, amount=total)
            parent = parent_create()
            jobs = [
                generation_submit(team=team, user=user, offer=offer, params=params, meter=meter)
                for offer, params in requests
            ]
            held = sum((job.credits_quoted for job in jobs), ZERO)
            if held != total:  # a measured file priced differently from what was shown
                raise QuoteError(
                    "price_changed",
                    f"The total is now {held.normalize():f} credits, not the {total.normalize():f} shown: "
                    "look at it again and confirm.",
                )
            link(parent, jobs)
    except SpendLimitExceeded:
        raise
    except InsufficientCredits:  # the credits went elsewhere between the check and the holds
        wallet = wallet_for_team(team=team)
        raise InsufficientCredits(needed=total, available=wallet.available if wallet else ZERO) from None
    return parent


def params_with_uploads(
    *, team: Team, user: User, offer: Offer, params: dict[str, Any], files: dict[str, list[UploadedFile]]
) -> dict[str, Any]:
    """``params`` with each uploaded file stored (checked by content) and referred to from its field."""
    return _with_uploaded_files(team=team, user=user, offer=offer, params=params, files=files)


def _with_uploaded_files(
    *, team: Team, user: User, offer: Offer, params: dict[str, Any], files: dict[str, list[UploadedFile]]
) -> dict[str, Any]:
    if not files:
        return params
    params = dict(params)
    fields = {f["name"]: f for f in offer.spec.get("fields", []) if f["type"] == "media"}
    for name, uploads in files.items():
        if name not in fields:
            raise QuoteError("invalid_params", f"{offer.model_id} takes no file in {name}", field=name)
        references = list(params.get(name) or [])
        for upload in uploads:
            try:
                media = source_media_store(team=team, user=user, upload=upload, kinds=fields[name].get("kinds"))
            except UploadError as exc:
                raise QuoteError(exc.code, str(exc), field=name) from exc
            references.append(media_reference(media))
        params[name] = references
    return params


def _idempotent_replay(*, team: Team, key: str, offer: Offer, params: dict[str, Any]) -> Generation | None:
    existing = Generation.objects.filter(team=team, idempotency_key=key).first()
    if existing and (existing.offer_id != offer.pk or existing.params != _jsonable(params)):
        raise IdempotencyConflict()
    return existing


def _generation_create(
    *, team: Team, user: User, offer: Offer, quote, idempotency_key: str | None, breakdown: str
) -> Generation:
    with transaction.atomic():
        generation = Generation.objects.create(
            team=team,
            created_by=user,
            offer=offer,
            status=initial_status(team),
            prompt=str(quote.params.get("prompt") or quote.params.get("text") or ""),
            params=_jsonable(quote.params),
            provider_cost=quote.provider_cost,
            credits_quoted=quote.credits,
            credit_rate=offer.provider.credit_rate,
            markup=offer.provider.markup,
            breakdown=breakdown[:300],
            charge_note=quote.charge_note,
            deadline_at=timezone.now() + generation_deadline(offer),
            next_check_at=timezone.now(),
            idempotency_key=idempotency_key,
        )
        spend_limits_check(team=team, user=user, amount=quote.credits)
        credit_hold(team=team, amount=quote.credits, job=generation.ledger_ref, actor=user)
        card_state_publish(generation)
        _enqueue_on_commit(generation.public_id)
    return generation
