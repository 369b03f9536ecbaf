"""Writes for the API: keys, submissions through the API, and their callbacks."""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass
from datetime import timedelta

import httpx
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import Membership, Team, User
from api.errors import bad_request
from api.inputs import GenerationRequest, offer_choose
from api.keys import callback_secret_generate, callback_signature, key_generate, key_hash
from api.models import ApiKey, ApiSubmission, CallbackState
from api.representations import generation_repr
from generations.batches import batch_create
from generations.measure import MediaMeter
from generations.models import FINAL_STATUSES, Batch, Generation
from generations.outbound.rules import AllowList, UnresolvableHostError, UnsafeURLError, url_check
from generations.outbound.transport import PinnedTransport
from generations.services.pipeline import _jsonable
from generations.services.submission import IdempotencyConflict, generation_submit

logger = logging.getLogger(__name__)

LAST_USED_RESOLUTION = timedelta(seconds=60)
CALLBACK_TIMEOUT = 10.0
CALLBACK_RETRY_CAP = 600.0  # countdowns stay well inside the broker's visibility timeout
# A try this overdue lost its task (the broker was down when it was sent): the sweep sends it again.
CALLBACK_SWEEP_GRACE = timedelta(minutes=5)
CALLBACK_EARLY = timedelta(seconds=5)  # a scheduled try may run this early (clocks) and still count as due
USER_AGENT = "the-studio-callbacks/1.0"


# --- keys ---------------------------------------------------------------------------------


class KeyRefused(Exception):
    """The user can't have a key in that team."""


@dataclass(frozen=True)
class NewKey:
    api_key: ApiKey
    key: str  # the only time the whole key exists outside the client


@transaction.atomic
def api_key_create(*, team: Team, user: User, name: str) -> NewKey:
    """A new key acting as ``user`` in ``team``. The plain key is returned once and never stored."""
    if not Membership.objects.filter(team=team, user=user).exists():
        raise KeyRefused(f"{user.username} is not a member of {team.name}")
    name = name.strip()[:100] or "API key"
    for _ in range(5):
        prefix, key = key_generate()
        if not ApiKey.objects.filter(prefix=prefix).exists():
            break
    else:  # pragma: no cover - 48 random bits colliding five times
        raise RuntimeError("could not find a free key prefix")
    api_key = ApiKey.objects.create(
        team=team,
        user=user,
        name=name,
        prefix=prefix,
        secret_hash=key_hash(key),
        callback_secret=callback_secret_generate(),
    )
    audit_record(
        action="api_key.create",
        summary=f"API key “{name}” ({prefix}…) created for {user.username}",
        team=team,
        actor=user,
        detail={"key": api_key.public_id, "prefix": prefix, "user": user.username},
    )
    return NewKey(api_key=api_key, key=key)


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor: User) -> bool:
    """Revoke a key at once; False when it was already revoked."""
    revoked = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    if revoked:
        audit_record(
            action="api_key.revoke",
            summary=f"API key “{api_key.name}” ({api_key.prefix}…) of {api_key.user.username} revoked",
            team=api_key.team,
            actor=actor,
            detail={"key": api_key.public_id, "prefix": api_key.prefix},
        )
        api_key.refresh_from_db(fields=["revoked_at", "revoked_by"])
    return bool(revoked)


def api_key_touch(*, api_key: ApiKey) -> None:
    """Record use, at most once a minute per key (no write on every request)."""
    now = timezone.now()
    ApiKey.objects.filter(pk=api_key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)


# --- submitting -------------------------------------------------------------------------------


def callback_url_check(url: str) -> None:
    """A callback URL is a user-given URL: public http(s) only, as for any URL the studio fetches."""
    try:
        url_check(url, allow_hosts=settings.OUTBOUND_URL_ALLOWLIST)
    except UnsafeURLError as exc:
        raise bad_request(exc.code, exc.message, field="callback_url") from None


def _replay(*, team: Team, stored_key: str, request_hash: str) -> Generation | None:
    """The generation an earlier request with this Idempotency-Key made, if any; conflict if it differs."""
    generation = Generation.objects.filter(team=team, idempotency_key=stored_key).first()
    if generation is None:
        return None
    submission = ApiSubmission.objects.filter(generation=generation).first()
    if submission is None or submission.request_hash != request_hash:
        raise IdempotencyConflict()
    return generation


def api_generation_submit(
    *, api_key: ApiKey, request: GenerationRequest, idempotency_key: str | None, base_url: str
) -> tuple[Generation, bool]:
    """Submit a generation for the key's member; ``(generation, created)``.

    The same Idempotency-Key with the same request returns the first
    generation (``created`` False); with a different request it raises
    IdempotencyConflict. Raises QuoteError for a refused request and
    BillingError when the team (or the member's limit) can't pay.
    """
    request_hash = request.fingerprint()
    stored_key = f"api:{idempotency_key}" if idempotency_key else None
    if stored_key:
        existing = _replay(team=api_key.team, stored_key=stored_key, request_hash=request_hash)
        if existing:
            return existing, False
    if request.callback_url:
        callback_url_check(request.callback_url)
    meter = MediaMeter(team=api_key.team, fetch=True)  # shared, so each source file is fetched once
    offer, _quote, params = offer_choose(request, meter=meter)
    try:
        with transaction.atomic():
            generation = generation_submit(
                team=api_key.team,
                user=api_key.user,
                offer=offer,
                params=params,
                idempotency_key=stored_key,
                meter=meter,
            )
            submission, created = ApiSubmission.objects.get_or_create(
                generation=generation,
                defaults={
                    "api_key": api_key,
                    "request_hash": request_hash,
                    "callback_url": request.callback_url or "",
                    "callback_state": CallbackState.PENDING if request.callback_url else CallbackState.NONE,
                    "base_url": base_url,
                },
            )
            if not created and submission.request_hash != request_hash:
                raise IdempotencyConflict()
    except IntegrityError:
        # The same Idempotency-Key arrived twice at once and the other request won.
        if stored_key is None:
            raise
        existing = _replay(team=api_key.team, stored_key=stored_key, request_hash=request_hash)
        if existing is None:
            raise
        return existing, False
    return generation, created


def api_batch_submit(
    *, api_key: ApiKey, request: GenerationRequest, count: int, idempotency_key: str | None
) -> tuple[Batch, bool]:
    """Submit ``count`` variations of a request as one batch for the key's member; ``(batch, created)``.

    The offer is chosen as for one generation (the cheapest that accepts the params, never another
    model). The same Idempotency-Key with the same request returns the first batch; with another
    request it raises IdempotencyConflict. Refused whole (QuoteError, BillingError) with nothing held.
    """
    stored_key = f"api:{idempotency_key}" if idempotency_key else None
    meter = MediaMeter(team=api_key.team, fetch=True)
    offer, _quote, params = offer_choose(request, meter=meter)
    if stored_key:
        existing = Batch.objects.filter(team=api_key.team, idempotency_key=stored_key).first()
        if existing is not None:
            if (existing.offer_id, existing.count, existing.params) != (offer.pk, count, _jsonable(params)):
                raise IdempotencyConflict()
            return existing, False
    batch = batch_create(
        team=api_key.team, user=api_key.user, offer=offer, params=params, count=count, idempotency_key=stored_key
    )
    return batch, True


# --- callbacks ------------------------------------------------------------------------------------


def _callback_settings() -> tuple[int, float]:
    return (
        settings.API_CALLBACK_MAX_ATTEMPTS,
        float(settings.API_CALLBACK_RETRY_SECONDS),
    )


def callback_retry_delay(attempt: int) -> float:
    """Exponential backoff with jitter after the ``attempt``-th failure: 15 s, 30 s, 60 s … capped."""
    _, base = _callback_settings()
    return round(min(CALLBACK_RETRY_CAP, base * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2), 2)


def _pinned_client() -> httpx.Client:
    """An HTTP client whose sockets only reach addresses that passed the SSRF check.

    generations.outbound.transport pins each connection to the address it vetted, so a DNS
    answer that changes after the submit-time check (rebinding) can't send the
    callback to the private network. The DNS-rebinding tests in tests/generations/test_fetch.py guard it.
    """
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=0)
    return httpx.Client(
        transport=PinnedTransport(AllowList.parse(settings.OUTBOUND_URL_ALLOWLIST), limits),
        timeout=httpx.Timeout(CALLBACK_TIMEOUT),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": USER_AGENT},
    )


def callback_body(submission: ApiSubmission) -> bytes:
    payload = {"event": "generation.finished", **generation_repr(submission.generation, base_url=submission.base_url)}
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def _callback_outcome(submission: ApiSubmission, attempt: int) -> tuple[bool, bool, int | None, str]:
    """POST once: (delivered, worth retrying, HTTP status, error)."""
    body = callback_body(submission)
    timestamp = str(int(time.time()))
    signature = callback_signature(secret=submission.api_key.callback_secret, timestamp=timestamp, body=body)
    headers = {
        "Content-Type": "application/json",
        "X-Studio-Event": "generation.finished",
        "X-Studio-Delivery": f"{submission.generation.public_id}.{attempt}",
        "X-Studio-Timestamp": timestamp,
        "X-Studio-Signature": f"sha256={signature}",
    }
    try:
        url_check(submission.callback_url, allow_hosts=settings.OUTBOUND_URL_ALLOWLIST)
        with _pinned_client() as client:
            response = client.post(submission.callback_url, content=body, headers=headers)
    except UnresolvableHostError:
        return False, True, None, "the callback host did not resolve"
    except UnsafeURLError as exc:
        return False, False, None, exc.message
    except httpx.HTTPError as exc:
        return False, True, None, f"could not reach the callback URL ({type(exc).__name__})"
    status = response.status_code
    if 200 <= status < 300:
        return True, False, status, ""
    retry = status >= 500 or status in (408, 429)
    return False, retry, status, f"the callback URL answered HTTP {status}"


def callback_deliver(*, public_id: str) -> float | None:
    """Try to deliver a finished generation's callback once.

    Returns the seconds until the next try, or None when there is nothing more
    to do (delivered, given up, not finished, or another worker has this try).
    """
    submission = (
        ApiSubmission.objects.select_related("api_key", "generation__offer__provider", "generation__offer__family")
        .filter(generation__public_id=public_id, callback_state=CallbackState.PENDING)
        .first()
    )
    if submission is None or submission.generation.status not in FINAL_STATUSES:
        return None
    if submission.callback_next_at and submission.callback_next_at > timezone.now() + CALLBACK_EARLY:
        return None  # a retry that is not due yet: its own task comes then (or the sweep, if it is lost)
    attempt = submission.callback_attempts + 1
    claimed = ApiSubmission.objects.filter(
        pk=submission.pk, callback_state=CallbackState.PENDING, callback_attempts=submission.callback_attempts
    ).update(callback_attempts=F("callback_attempts") + 1)
    if not claimed:
        return None
    delivered, retry, status, error = _callback_outcome(submission, attempt)
    max_attempts, _ = _callback_settings()
    fields: dict = {"callback_last_status": status, "callback_last_error": error[:300]}
    next_in = None
    if delivered:
        fields.update(callback_state=CallbackState.DELIVERED, callback_delivered_at=timezone.now())
    elif retry and attempt < max_attempts:
        next_in = callback_retry_delay(attempt)
        fields["callback_next_at"] = timezone.now() + timedelta(seconds=next_in)
    else:
        fields["callback_state"] = CallbackState.FAILED
    ApiSubmission.objects.filter(pk=submission.pk, callback_state=CallbackState.PENDING).update(**fields)
    logger.info("callback %s attempt %s: %s", public_id, attempt, "delivered" if delivered else error)
    return next_in


def callbacks_lost(*, now=None, limit: int = 200) -> list[str]:
    """The generations whose callback try is overdue by more than CALLBACK_SWEEP_GRACE (its task was lost:
    the broker was down when it was sent, or a worker died holding it), marked due again now, so the
    next sweep waits as long again before sending another."""
    now = now or timezone.now()
    cutoff = now - CALLBACK_SWEEP_GRACE
    with transaction.atomic():
        lost = list(
            ApiSubmission.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(callback_state=CallbackState.PENDING, generation__status__in=FINAL_STATUSES)
            .filter(
                Q(callback_next_at__lt=cutoff) | Q(callback_next_at__isnull=True, generation__finished_at__lt=cutoff)
            )
            .values_list("pk", "generation__public_id")[:limit]
        )
        ApiSubmission.objects.filter(pk__in=[pk for pk, _ in lost]).update(callback_next_at=now)
    return [public_id for _, public_id in lost]
