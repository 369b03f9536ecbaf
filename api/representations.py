"""How the API shows things: plain dicts, with credits as exact decimal strings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse

from billing.models import Wallet
from catalog.models import Offer
from catalog.pricing import fmt
from catalog.services import provider_credits
from generations.batches import batch_progress
from generations.models import Batch, Generation, Status

# Kubflow's words: a client written for it stops polling on completed, failed or canceled.
STATUS_WORDS = {
    Status.WAITING: "queued",  # in the studio's own queue (the team's cap on jobs in flight): waiting_for_slot says so
    Status.QUEUED: "queued",
    Status.RUNNING: "running",
    Status.DOWNLOADING: "running",
    Status.COMPLETED: "completed",
    Status.FAILED: "failed",
    Status.CANCELLED: "canceled",
}
STATUS_FILTERS = {
    "queued": [Status.WAITING, Status.QUEUED],
    "running": [Status.RUNNING, Status.DOWNLOADING],
    "processing": [Status.RUNNING, Status.DOWNLOADING],
    "completed": [Status.COMPLETED],
    "failed": [Status.FAILED],
    "canceled": [Status.CANCELLED],
    "cancelled": [Status.CANCELLED],
}

PARAMETER_KEYS = (
    "default",
    "min",
    "max",
    "step",
    "min_length",
    "max_length",
    "suffix",
    "min_count",
    "max_count",
    "max_bytes",
    "shared",
    "derived",
    "measures",
    "help",
    "description",
)


def credits(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(Decimal("0.01")))


def when(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _absolute(base_url: str, name: str, *args: Any) -> str:
    return base_url.rstrip("/") + reverse(f"api:{name}", args=args)


def output_urls(generation: Generation, *, base_url: str) -> list[str]:
    if generation.status != Status.COMPLETED:
        return []
    count = len(generation.assets.all())
    return [_absolute(base_url, "generation_output", generation.public_id, n) for n in range(count)]


def generation_repr(generation: Generation, *, base_url: str) -> dict[str, Any]:
    offer = generation.offer
    outputs = output_urls(generation, base_url=base_url)
    assets = list(generation.assets.all()) if outputs else []
    progress = generation.progress or 0
    if generation.status in (Status.COMPLETED, Status.DOWNLOADING):
        progress = 100
    failed = generation.status in (Status.FAILED, Status.CANCELLED)
    return {
        "generation_id": generation.public_id,
        "status": STATUS_WORDS.get(generation.status, generation.status),
        "progress": progress,
        # Held in the studio's own queue: the team's cap on jobs in flight is reached (it starts in order).
        "waiting_for_slot": generation.status == Status.WAITING,
        "batch_id": generation.batch.public_id if generation.batch_id else None,
        "result_url": outputs[0] if outputs else None,
        "outputs": outputs,
        "error": (generation.error_message or generation.error_code or "failed") if failed else None,
        "error_code": (generation.error_code or None) if failed else None,
        "model": offer.model_id,
        "provider": offer.provider.slug,
        "offer": offer.key,
        "category": offer.category,
        "prompt": generation.prompt,
        "params": generation.params,
        "estimated_credits": credits(generation.credits_quoted),
        "charged_credits": credits(generation.credits_charged),
        "breakdown": generation.breakdown,
        "charge_note": generation.charge_note or None,
        "provider_reported_cost": (
            fmt(generation.provider_cost_reported) if generation.provider_cost_reported is not None else None
        ),
        "files": [
            {
                "url": url,
                "kind": asset.kind,
                "content_type": asset.content_type,
                "filename": asset.filename,
                "size": asset.size,
                "width": asset.width,
                "height": asset.height,
                "duration": float(asset.duration) if asset.duration is not None else None,
            }
            for url, asset in zip(outputs, assets, strict=False)
        ],
        "status_url": _absolute(base_url, "generation", generation.public_id),
        "created_at": when(generation.created_at),
        "started_at": when(generation.started_at),
        "finished_at": when(generation.finished_at),
    }


def generation_created_repr(generation: Generation, *, base_url: str) -> dict[str, Any]:
    """What POST /generations answers: Kubflow's three fields, and what it will cost."""
    return {
        "generation_id": generation.public_id,
        "status": STATUS_WORDS.get(generation.status, generation.status),
        "status_url": _absolute(base_url, "generation", generation.public_id),
        "estimated_credits": credits(generation.credits_quoted),
        "model": generation.offer.model_id,
        "provider": generation.offer.provider.slug,
        "offer": generation.offer.key,
        "breakdown": generation.breakdown,
        "charge_note": generation.charge_note or None,
        "created_at": when(generation.created_at),
    }


def balance_repr(wallet: Wallet | None) -> dict[str, Any]:
    balance = wallet.balance if wallet else Decimal(0)
    held = wallet.held if wallet else Decimal(0)
    return {"available": credits(balance - held), "held": credits(held), "balance": credits(balance), "unit": "credits"}


# --- models -----------------------------------------------------------------------------------------


def _range(expr: dict[str, Any]) -> tuple[Decimal, Decimal, str | None]:
    """The lowest and highest price an expression can give, and the unit a per-unit price is for."""
    if "flat" in expr:
        amount = Decimal(str(expr["flat"]))
        return amount, amount, None
    if "estimate" in expr:
        return Decimal(str(expr["estimate"]["min"])), Decimal(str(expr["estimate"]["max"])), None
    if "table" in expr:
        ranges = [
            _range(row["price"]) if "price" in row else (Decimal(str(row["amount"])),) * 2 + (None,)
            for row in expr["table"]["rows"]
        ]
        per = next((r[2] for r in ranges if r[2]), None)
        return min(r[0] for r in ranges), max(r[1] for r in ranges), per
    if "per" in expr:
        low, high, _ = _range(expr["rate"])
        return low, high, expr["per"].get("unit") or "unit"
    if "sum" in expr:
        parts = [_range(part) for part in expr["sum"]]
        per = next((r[2] for r in parts if r[2]), None)
        return sum((r[0] for r in parts), Decimal(0)), sum((r[1] for r in parts), Decimal(0)), per
    raise ValueError(f"unknown price expression {expr!r}")


def price_summary(offer: Offer) -> dict[str, Any]:
    provider = offer.provider
    pricing = offer.spec.get("pricing", {})
    try:
        low, high, per = _range(pricing)
    except (KeyError, ValueError, TypeError, ArithmeticError):
        low = high = None
        per = None
    low_credits = provider_credits(provider=provider, provider_cost=low) if low is not None else None
    high_credits = provider_credits(provider=provider, provider_cost=high) if high is not None else None
    default_credits = (
        provider_credits(provider=provider, provider_cost=offer.base_provider_cost)
        if offer.base_provider_cost is not None
        else None
    )
    if low_credits is None:
        summary = "priced per request; see POST /api/v1/quotes"
    else:
        amount = fmt(low_credits) if low_credits == high_credits else f"{fmt(low_credits)}–{fmt(high_credits)}"
        summary = f"{amount} credits" + (f"/{per}" if per else "")
        if "estimate" in pricing:
            summary += " (a documented range; the provider reports no cost, so the top is charged)"
        elif offer.spec.get("price_outside_docs"):
            documented = offer.spec["price_outside_docs"]["documented"]
            summary += f" (the top of the documented {documented}, charged whatever the settings)"
    return {
        "summary": summary,
        "min_credits": credits(low_credits),
        "max_credits": credits(high_credits),
        "per": per,
        "default_credits": credits(default_credits),
        "estimated": "estimate" in pricing,
    }


def parameter_repr(spec: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": spec["name"],
        "type": spec["type"],
        "label": spec.get("label") or spec["name"],
        "required": bool(spec.get("required")),
    }
    if spec["type"] == "enum":
        data["allowed_values"] = spec.get("choices", [])
    if spec["type"] == "media":
        data["media_kinds"] = spec.get("kinds", [])
    for key in PARAMETER_KEYS:
        if key in spec:
            data[key] = spec[key]
    return data


def offer_repr(offer: Offer) -> dict[str, Any]:
    spec = offer.spec
    return {
        "id": offer.key,
        "model": offer.model_id,
        "name": offer.name,
        "provider": offer.provider.slug,
        "provider_name": offer.provider.name,
        "family": offer.family.slug,
        "family_name": offer.family.name,
        "category": offer.category,
        "output": offer.output,
        "generation_types": list(offer.generation_types or []),
        "capabilities": list(offer.capabilities or []),
        "description": spec.get("description", "") or offer.family.description,
        "parameters": [parameter_repr(field) for field in spec.get("fields", [])],
        "constraints": [{"code": rule["code"], "message": rule["message"]} for rule in spec.get("rules", [])],
        "price": price_summary(offer),
        "estimated_seconds": offer.estimated_seconds,
        "generatable": bool(getattr(offer, "priced", True)),
    }


def batch_repr(batch: Batch, generations: list[Generation], *, base_url: str) -> dict[str, Any]:
    """A batch: its progress ("3 of 4 done"), its money (held, charged, still held) and its jobs."""
    progress = batch_progress(team=batch.team, generations=generations)
    return {
        "batch_id": batch.public_id,
        "status": "running" if progress.active else "completed",
        "n": batch.count,
        "model": batch.offer.model_id,
        "provider": batch.offer.provider.slug,
        "offer": batch.offer.key,
        "total_credits": credits(sum((g.credits_quoted for g in generations), Decimal(0))),
        "charged_credits": credits(progress.charged),
        "held_credits": credits(progress.held),
        "progress": {
            "jobs": progress.jobs,
            "completed": progress.completed,
            "failed": progress.failed,
            "canceled": progress.cancelled,
            "waiting_for_slot": progress.waiting,
        },
        "generations": [generation_repr(g, base_url=base_url) for g in generations],
        "status_url": _absolute(base_url, "batch", batch.public_id),
        "created_at": when(batch.created_at),
    }
