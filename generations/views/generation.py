"""A generation's page and its actions: explaining a failure, remixing, running again, cancelling,
deleting, starring."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import team_member_required
from accounts.models import Role
from billing.selectors import wallet_for_team
from billing.services import BillingError
from catalog.pricing import QuoteError
from catalog.selectors import offer_by_key
from generations.models import Generation
from generations.selectors import (
    boards_for_team,
    boards_of_generation,
    cancel_preview,
    generation_for_team,
    generation_receipt,
    source_targets,
)
from generations.services.gallery import favourite_set, generation_cancel, generation_delete
from generations.services.submission import IdempotencyConflict, generation_submit
from generations.views.common import _back, _fragment


@team_member_required
@require_GET
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """A generation's page. Its live status block asks this URL again; once the job ends the page reloads."""
    generation = generation_for_team(team=request.team, public_id=public_id, user=request.user)
    if request.htmx and request.htmx.target == "live":
        if not generation.is_active:
            response = HttpResponse("")
            response["HX-Refresh"] = "true"
            return response
        return _fragment(request, "generations/detail.html#live", {"generation": generation})
    assets = list(generation.assets.all())
    targets = {kind: source_targets(kind=kind) for kind in {a.kind for a in assets} if kind != "text"}
    context = {
        "generation": generation,
        "assets": [(asset, targets.get(asset.kind, [])) for asset in assets],
        "failure": failure_help(generation) if generation.status == "failed" else None,
        "remix_url": remix_url(generation),
        "params": _params_for_display(generation),
        "took": _duration_label(generation.started_at, generation.finished_at),
        "can_manage": _can_manage(request, generation),
        "boards": list(boards_for_team(team=request.team)),
        "on_boards": boards_of_generation(generation=generation),
        "rerun_key": uuid.uuid4().hex,
        "poll_interval": settings.GENERATION_POLL_INTERVAL_MS,
        "receipt": generation_receipt(generation=generation),
        "cancel_preview": cancel_preview(generation=generation),
    }
    return render(request, "generations/detail.html", context)


# Provider error codes in plain words: what happened, and what to do next.
FAILURE_HELP: dict[str, tuple[str, str]] = {
    "deadline_exceeded": (
        "The provider took too long and the job was stopped.",
        "Run it again; if it keeps timing out, pick another provider for this model or a lighter setting.",
    ),
    "timeout": ("The provider did not answer in time.", "Run it again in a few minutes."),
    "network_error": ("The studio could not reach the provider.", "Run it again in a few minutes."),
    "rate_limited": ("The provider is receiving too many requests.", "Wait a minute, then run it again."),
    "auth_failed": (
        "The studio's account with this provider was refused.",
        "Tell a team admin; meanwhile, run it on another provider for this model.",
    ),
    "insufficient_credits": (
        "The studio's account with this provider is out of credits.",
        "Tell a team admin; meanwhile, run it on another provider for this model.",
    ),
    "provider_unavailable": (
        "The studio cannot run jobs on this provider yet.",
        "Remix it and pick another provider for this model.",
    ),
    "no_output": ("The provider finished without returning a file.", "Run it again."),
    "bad_output": ("The provider returned a file the studio could not read.", "Run it again."),
    "too_large": ("The result was larger than the studio accepts.", "Remix it with a lower resolution or duration."),
    "submission_unconfirmed": (
        "The studio lost contact while starting this job and could not tell whether the provider accepted it.",
        "Run it again.",
    ),
    "content_policy": (
        "The provider refused this request under its content rules.",
        "Remix it with a reworded prompt or a different source file.",
    ),
    "invalid_request": ("The provider refused these settings.", "Remix it with different settings."),
}
DEFAULT_FAILURE = (
    "The provider could not make this.",
    "Run it again; if it fails again, reword the prompt or pick another provider for this model.",
)
_POLICY_WORDS = ("policy", "safety", "moderation", "nsfw", "inappropriate", "prohibited")


def failure_help(generation: Generation) -> dict[str, str]:
    """What went wrong in plain words, the provider's own reason, and what to do next."""
    code = generation.error_code or ""
    message = generation.error_message or ""
    if code not in FAILURE_HELP:
        if any(word in message.lower() for word in _POLICY_WORDS):
            code = "content_policy"
        elif code in {"http_402"}:
            code = "insufficient_credits"
        elif code.startswith("http_5") or code == "malformed_response":
            code = "network_error"
        elif code in {"http_400", "http_422"}:
            code = "invalid_request"
        elif code in {"gone", "expired", "http_410", "fetch_failed", "download_failed"}:
            code = "no_output"
    summary, next_step = FAILURE_HELP.get(code, DEFAULT_FAILURE)
    charged = generation.credits_charged or 0
    return {
        "summary": summary,
        "reason": message,
        "next": next_step,
        "charged": "Nothing was charged." if not charged else f"{charged} credits were charged.",
    }


def _prefill_value(value: Any) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    if isinstance(value, bool):
        return "on" if value else ""  # an empty value leaves a checkbox unticked
    return "" if value is None else str(value)


def _params_for_display(generation: Generation) -> list[tuple[str, str]]:
    """The settings as the composer labels them (the offer's field labels), prompt aside."""
    labels = {f["name"]: f.get("label") or f["name"] for f in generation.offer.spec.get("fields", [])}
    shown = []
    for name, value in generation.params.items():
        if name in ("prompt", "text") and value == generation.prompt:
            continue
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        shown.append((labels.get(name, name.replace("_", " ").capitalize()), str(value)))
    return shown


def _duration_label(start: datetime | None, end: datetime | None) -> str:
    if not start or not end:
        return ""
    seconds = max(0, round((end - start).total_seconds()))
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


def remix_url(generation: Generation) -> str:
    """The composer on the same offer, every field prefilled with this generation's values."""
    params = {"offer": generation.offer.key}
    params.update({name: _prefill_value(value) for name, value in generation.params.items() if name != "offer"})
    return f"{reverse('generations:gallery')}?{urlencode(params)}#composer"


def _can_manage(request: HttpRequest, generation: Generation) -> bool:
    """Whoever made it, or a team owner or admin, may cancel or delete a generation."""
    return generation.created_by_id == request.user.pk or request.membership.role in {Role.OWNER, Role.ADMIN}


def _generation_for_manager(request: HttpRequest, public_id: str) -> Generation:
    generation = generation_for_team(team=request.team, public_id=public_id, user=request.user)
    if not _can_manage(request, generation):
        raise PermissionDenied("Only its author or a team admin can do that.")
    return generation


@team_member_required
@require_POST
def rerun(request: HttpRequest, public_id: str) -> HttpResponse:
    """Run the same offer with the same settings again (a new job, quoted and held anew)."""
    generation = generation_for_team(team=request.team, public_id=public_id)
    offer = offer_by_key(key=generation.offer.key)
    if offer is None:
        messages.error(request, "This model is no longer available. Remix it to pick another one.")
        return redirect("generations:detail", public_id=public_id)
    try:
        generation_submit(
            team=request.team,
            user=request.user,
            offer=offer,
            params=dict(generation.params),
            idempotency_key=request.POST.get("idempotency_key") or None,
        )
    except (BillingError, IdempotencyConflict) as exc:
        messages.error(request, str(exc))
    except QuoteError as exc:
        messages.error(request, f"{exc.message} Remix it to change the settings.")
    else:
        messages.success(request, "Running again with the same settings.")
        return redirect("generations:gallery")
    return redirect("generations:detail", public_id=public_id)


@team_member_required
@require_POST
def cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    generation = _generation_for_manager(request, public_id)
    cancelled = generation_cancel(generation=generation, user=request.user)
    if request.htmx:
        generation = generation_for_team(team=request.team, public_id=public_id, user=request.user)
        context = {"generation": generation, "wallet": wallet_for_team(team=request.team)}
        return _fragment(request, "generations/card_update.html", context)
    if cancelled:
        messages.success(request, "Cancelled. The held credits were released.")
    else:
        messages.info(request, "It had already finished.")
    return redirect("generations:detail", public_id=public_id)


@team_member_required
@require_POST
def delete(request: HttpRequest, public_id: str) -> HttpResponse:
    generation = _generation_for_manager(request, public_id)
    generation_delete(generation=generation, user=request.user)
    messages.success(request, "Deleted.")
    return redirect("generations:gallery")


@team_member_required
@require_POST
def favourite(request: HttpRequest, public_id: str) -> HttpResponse:
    generation = generation_for_team(team=request.team, public_id=public_id, user=request.user)
    generation.is_favourite = favourite_set(generation=generation, user=request.user, on=request.POST.get("on") == "1")
    if request.htmx:
        return _fragment(request, "generations/gallery.html#favourite", {"generation": generation})
    return _back(request, reverse("generations:detail", args=[public_id]))
