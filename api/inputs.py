"""Reading the API's request bodies and query strings, and choosing the offer a request names.

Everything here raises ApiError (400) or the catalog's QuoteError for a
request that can't be run; nothing is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from api.errors import bad_request
from catalog.models import Category, Offer
from catalog.pricing import QuoteError
from catalog.selectors import offers_named
from catalog.services import Quote, offer_runnable_check, price_quote
from generations.batches import MAX_VARIATIONS
from generations.measure import MediaMeter, media_lengths_fill

MAX_BODY_BYTES = 256 * 1024
IDEMPOTENCY_KEY_MAX = 100
REQUEST_FIELDS = ("model", "category", "prompt", "params", "provider")


@dataclass(frozen=True)
class GenerationRequest:
    """``{model, category, prompt, params}`` as Kubflow documents it, plus ``provider`` and ``callback_url``."""

    model: str
    category: str | None
    prompt: str | None
    params: dict[str, Any]
    provider: str | None
    callback_url: str | None = None

    def fingerprint(self) -> str:
        """SHA-256 of the request's meaning (key order and whitespace don't count)."""
        canonical = json.dumps(
            {
                "model": self.model,
                "category": self.category,
                "prompt": self.prompt,
                "params": self.params,
                "provider": self.provider,
                "callback_url": self.callback_url,
            },
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


def json_body(request: HttpRequest) -> dict[str, Any]:
    """The request body as a JSON object, or 400."""
    if len(request.body) > MAX_BODY_BYTES:
        raise bad_request("request_too_large", f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    if not request.body.strip():
        raise bad_request("invalid_json", "The request body must be a JSON object.")
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise bad_request("invalid_json", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise bad_request("invalid_json", "The request body must be a JSON object.")
    try:
        json.dumps(body, ensure_ascii=False).encode()
    except (UnicodeEncodeError, ValueError, RecursionError):  # lone surrogates, or numbers too big to write back
        raise bad_request("invalid_json", "The request body holds text that is not valid Unicode.") from None
    if _has_nul(body):
        raise bad_request("invalid_json", "The request body must not contain NUL characters.")
    return body


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _optional_string(body: dict[str, Any], name: str, *, max_length: int = 200) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_request("invalid_request", f"{name} must be a string.", field=name)
    if len(value) > max_length:
        raise bad_request("invalid_request", f"{name} is longer than {max_length} characters.", field=name)
    return value.strip() or None


def generation_request_parse(body: dict[str, Any], *, allow_callback: bool) -> GenerationRequest:
    allowed = {*REQUEST_FIELDS, "callback_url"} if allow_callback else set(REQUEST_FIELDS)
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise bad_request(
            "invalid_request",
            f"unknown field(s): {', '.join(unknown)}; model-specific inputs belong inside params",
            fields=unknown,
            allowed_fields=sorted(allowed),
        )
    model = _optional_string(body, "model")
    if not model:
        raise bad_request("invalid_request", "model is required (see GET /api/v1/models).", field="model")
    prompt = body.get("prompt")
    if prompt is not None and not isinstance(prompt, str):
        raise bad_request("invalid_request", "prompt must be a string.", field="prompt")
    params = body.get("params")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise bad_request("invalid_request", "params must be an object.", field="params")
    return GenerationRequest(
        model=model,
        category=_optional_string(body, "category"),
        prompt=prompt,
        params=params,
        provider=_optional_string(body, "provider"),
        callback_url=_optional_string(body, "callback_url", max_length=2000) if allow_callback else None,
    )


def batch_request_parse(body: dict[str, Any]) -> tuple[GenerationRequest, int]:
    """A batch request: a generation request (no callback) and ``n``, 1 to 8 variations."""
    body = dict(body)
    if "n" not in body:
        raise bad_request("invalid_request", "n is required: how many variations, 1 to 8.", field="n")
    count = body.pop("n")
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_VARIATIONS:
        raise bad_request("invalid_params", f"n must be a whole number from 1 to {MAX_VARIATIONS}.", field="n")
    return generation_request_parse(body, allow_callback=False), count


def idempotency_key_read(request: HttpRequest) -> str | None:
    value = request.headers.get("Idempotency-Key", "").strip()
    if not value:
        return None
    if len(value) > IDEMPOTENCY_KEY_MAX or not value.isprintable():
        raise bad_request(
            "invalid_request",
            f"Idempotency-Key must be printable and at most {IDEMPOTENCY_KEY_MAX} characters.",
            field="Idempotency-Key",
        )
    return value


# --- choosing the offer ---------------------------------------------------------------


def _prompt_field(offer: Offer) -> str | None:
    fields = offer.spec.get("fields", [])
    for spec in fields:
        if spec.get("shared") == "prompt":
            return spec["name"]
    return "prompt" if any(spec["name"] == "prompt" for spec in fields) else None


def offer_params(offer: Offer, request: GenerationRequest) -> dict[str, Any]:
    """The request's params for ``offer``, with the top-level prompt put where the offer names it."""
    params = dict(request.params)
    if request.prompt:
        name = _prompt_field(offer)
        if name is None:
            raise QuoteError(
                "invalid_params", f"{offer.model_id} takes no prompt; give its inputs in params", field="prompt"
            )
        params.setdefault(name, request.prompt)
    return params


def _candidates(request: GenerationRequest) -> list[Offer]:
    """The offers of the one model a request names (see catalog.selectors.offers_named), in its category."""
    found = offers_named(name=request.model, provider=request.provider)
    if request.category:
        if request.category not in Category.values:
            raise QuoteError(
                "invalid_category", f"category must be one of {', '.join(Category.values)}", allowed=Category.values
            )
        if found[0].category != request.category:
            raise QuoteError(
                "category_mismatch",
                f"{request.model} is a {found[0].category} model, not {request.category}",
                category=found[0].category,
            )
    return found


def offer_choose(request: GenerationRequest, *, meter: MediaMeter) -> tuple[Offer, Quote, dict[str, Any]]:
    """The offer that runs this request, its quote and its params.

    ``model`` names one model (catalog.selectors.offers_named): an offer id or a
    model id with ``provider`` is that one offer; a model id (or a one-model
    family slug) without ``provider`` may be offered by several providers, and
    the cheapest of them that accepts the params runs. It is never a different
    model or variant. When none accepts the params, the first one's error is raised.
    Offers priced on the length of the request's media are quoted on the length
    ``meter`` measures (each file once, whatever the number of candidates).
    """
    best: tuple[Offer, Quote, dict[str, Any]] | None = None
    refusals: list[tuple[Offer, QuoteError]] = []
    for offer in _candidates(request):
        try:
            offer_runnable_check(offer)
            params = offer_params(offer, request)
            measured = media_lengths_fill(spec=offer.spec, params=params, meter=meter)
            quote = price_quote(offer=offer, params=measured.params)
        except QuoteError as exc:
            refusals.append((offer, exc))
            continue
        if best is None or quote.credits < best[1].credits:
            best = (offer, quote, params)
    if best is not None:
        return best
    raise refusals[0][1]


# --- query strings ------------------------------------------------------------------------


def int_param(request: HttpRequest, name: str, *, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request("invalid_params", f"{name} must be a whole number.", field=name) from None
    if not low <= value <= high:
        raise bad_request("invalid_params", f"{name} must be between {low} and {high}.", field=name)
    return value


def date_param(request: HttpRequest, name: str, *, default: dt.date) -> dt.date:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise bad_request("invalid_params", f"{name} must be a date like 2026-01-31.", field=name) from None
