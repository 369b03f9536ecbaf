"""The providers' own model lists (``sync_catalog --live``), and what the studio takes from them.

Kubflow documents ``GET /api/v1/models`` ("Lists available API models") and
Kubeez ``GET /v1/models`` (get_models: model_id, cost_per_generation,
estimated_time_seconds, generation_types, requires_input_media, capabilities).
Krea and Cliprise document no such endpoint.

From a live list the studio takes only what the docs say it holds:

- whether the provider lists a model at all (an unlisted offer is hidden);
- ``estimated_time_seconds`` as the offer's typical duration;
- Kubeez's ``cost_per_generation`` as the price of an offer the media-tools doc
  leaves unpriced ("See get_models"), but only where one price per generation
  is the whole story: not where the price varies by duration, resolution,
  quality or sound, and not for models documented as billed per second. A
  mapping of tier → cost for the one setting the price depends on is used as
  that table.

A live price never replaces a price printed in the docs; a disagreement is reported.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from catalog.pricing import fmt

ENDPOINTS = {"kubflow": "/api/v1/models", "kubeez": "/v1/models"}
PRICE_FIELD = {"kubeez": "cost_per_generation"}  # Kubflow's list documents no price
ENDPOINT_NAMES = {"kubflow": "GET /api/v1/models", "kubeez": "GET /v1/models (get_models)"}
TIMEOUT = httpx.Timeout(20.0, connect=5.0)
# Dimensions a single per-generation price can stand for: the mode only.
PER_GENERATION_DIMENSIONS = {"generation_type"}


class LiveSyncError(Exception):
    """The provider's models endpoint could not be read."""


@dataclass
class LiveReport:
    provider: str
    listed: int = 0
    hidden: list[str] = field(default_factory=list)  # in the data file, not listed by the provider
    not_in_catalog: list[str] = field(default_factory=list)  # listed, but no documented offer to build
    priced_live: list[str] = field(default_factory=list)
    not_applied: list[str] = field(default_factory=list)  # a live price the studio could not use, and why
    price_differs: list[str] = field(default_factory=list)
    times: int = 0


def live_models_fetch(*, provider: str, base_url: str, api_key: str, transport: httpx.BaseTransport | None = None):
    """The provider's model entries, each a dict with at least ``model_id``."""
    if provider not in ENDPOINTS:
        raise LiveSyncError(f"{provider} documents no models endpoint")
    headers = {"Authorization": f"Bearer {api_key}", "X-API-Key": api_key, "Accept": "application/json"}
    try:
        with httpx.Client(base_url=base_url, timeout=TIMEOUT, transport=transport, headers=headers) as client:
            response = client.get(ENDPOINTS[provider])
    except httpx.HTTPError as exc:
        raise LiveSyncError(f"{provider}: {ENDPOINTS[provider]} unreachable: {exc}") from exc
    if response.status_code != 200:
        raise LiveSyncError(f"{provider}: {ENDPOINTS[provider]} answered HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError as exc:
        raise LiveSyncError(f"{provider}: {ENDPOINTS[provider]} did not answer JSON") from exc
    return live_entries(body)


def live_entries(body: Any) -> list[dict[str, Any]]:
    """Entries from a models response: a list, or an object holding it under models/data."""
    if isinstance(body, dict):
        for key in ("models", "data", "items"):
            if isinstance(body.get(key), list):
                body = body[key]
                break
    if not isinstance(body, list):
        raise LiveSyncError("the models response holds no list of models")
    entries = []
    for item in body:
        if not isinstance(item, dict):
            continue
        model_id = item.get("model_id") or item.get("id") or item.get("model")
        if isinstance(model_id, str) and model_id:
            entries.append({**item, "model_id": model_id})
    return entries


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() and number >= 0 else None


def live_cost(provider: str, entry: dict[str, Any]) -> Decimal | dict[str, Decimal] | None:
    """The documented live price in an entry: one amount, or {tier: amount}; None when absent."""
    name = PRICE_FIELD.get(provider)
    if not name or name not in entry:
        return None
    raw = entry[name]
    if isinstance(raw, dict):
        tiers = {str(k): _decimal(v) for k, v in raw.items()}
        return tiers if tiers and all(v is not None for v in tiers.values()) else None
    return _decimal(raw)


def _per_second(spec: dict[str, Any]) -> bool:
    text = f"{spec.get('description', '')} {spec.get('doc', '')}".lower()
    return "per-second" in text or "per second" in text


def live_price_for(spec: dict[str, Any], cost: Decimal | dict[str, Decimal]) -> tuple[dict[str, Any] | None, str]:
    """A price expression from a live price for an unpriced offer, or (None, why not)."""
    dimensions = set(spec.get("pricing", {}).get("table", {}).get("by", []))
    label = f"{spec['name']} (live price from get_models)"
    if _per_second(spec):
        return None, "documented as billed per second; a per-generation price can't say for how many seconds"
    if isinstance(cost, Decimal):
        if dimensions <= PER_GENERATION_DIMENSIONS:
            return {"flat": fmt(cost), "label": label}, ""
        varying = ", ".join(sorted(dimensions - PER_GENERATION_DIMENSIONS))
        return None, f"the price varies by {varying}; one cost_per_generation can't price every setting"
    rest = dimensions - PER_GENERATION_DIMENSIONS
    if len(rest) != 1:
        return None, "per-tier costs given, but the price depends on more than one setting"
    (name,) = rest
    choices = next((f.get("choices") for f in spec.get("fields", []) if f["name"] == name), None)
    if not choices or {str(c) for c in choices} - set(cost):
        return None, f"per-tier costs don't cover every {name}"
    rows = [
        {"when": {name: choice}, "amount": fmt(cost[str(choice)]), "label": f"{spec['name']} ({choice})"}
        for choice in choices
    ]
    return {"table": {"by": [name], "rows": rows}, "label": label}, ""


def offer_spec_with_live(spec: dict[str, Any], live: dict[str, Any], *, provider: str) -> dict[str, Any]:
    """The offer's documented spec, completed with what the provider's live list documents."""
    if not live:
        return spec
    merged = copy.deepcopy(spec)
    seconds = _decimal(live.get("estimated_time_seconds"))
    if seconds:
        merged["estimated_seconds"] = int(seconds.to_integral_value())
        merged["estimated_seconds_source"] = ENDPOINT_NAMES[provider]
    cost = live_cost(provider, live)
    if merged.get("unpriced") and cost is not None:
        pricing, _why = live_price_for(merged, cost)
        if pricing is not None:
            merged["pricing"] = pricing
            merged["unpriced"] = False
            merged["price_source"] = {
                "endpoint": ENDPOINT_NAMES[provider],
                "field": PRICE_FIELD[provider],
                "value": live[PRICE_FIELD[provider]],
                "synced_at": live.get("_synced_at"),
            }
    return merged
