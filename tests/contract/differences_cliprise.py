"""The studio's Cliprise catalog (``catalog/data/cliprise.json``) against the sandbox's own reading of the
same doc (``sandbox/readings/cliprise.py``): every fact on which they differ, with the doc line it is read from.

Compared per request ``model`` value: that both sides know it, root-only or ``input`` body, the card's
required and optional fields, allowed values, stated limits, and every price the Pricing Reference gives
(each table cell, each range combination, per-second rates and per-5 000-character blocks), the studio's
price computed by its own engine (``catalog.pricing``) and the sandbox's by its charging rule.

``DECIDED`` holds each difference looked at, keyed by ``(model, what)``, with what was decided and why.
"""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from functools import cache
from typing import Any

from catalog.datafile import provider_file_load
from catalog.pricing import QuoteError, offer_check, offer_price
from sandbox import cliprise as sandbox_cliprise
from sandbox.core import Behaviour, Store
from sandbox.readings import cliprise as reading
from tests.contract.doc import CLIPRISE, Difference, line
from tests.generations.media_files import mp4, wav

PROVIDER = "cliprise"
SECONDS_PROBE = Decimal("10")  # the length used to compare per-second prices


def studio_offers() -> dict[str, dict[str, Any]]:
    return {offer["id"]: offer for offer in provider_file_load(PROVIDER)["offers"]}


def _doc(number: int):
    return line(CLIPRISE, number)


def _studio_fields(offer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    wire = offer.get("wire") or {}
    skip = set(wire.get("studio_only_fields", []))
    return {f["name"]: f for f in offer["fields"] if not f.get("derived") and f["name"] not in skip}


def _norm(value: Any) -> str:
    return str(value)


def _studio_price(offer: dict[str, Any], params: dict[str, Any]) -> Decimal | None:
    try:
        return offer_price(offer, offer_check(offer, params), "credits").amount
    except QuoteError:
        return None


def _minimal(offer: dict[str, Any]) -> dict[str, Any]:
    """A request the studio accepts: each required field without a default, with a plausible value."""
    params: dict[str, Any] = {}
    for spec in offer["fields"]:
        if not spec.get("required") or "default" in spec:
            continue
        kind, name = spec["type"], spec["name"]
        if kind == "media":
            params[name] = [
                f"https://example.com/{name}.{ {'image': 'png', 'video': 'mp4', 'audio': 'wav'}[spec['kinds'][0]] }"
            ]
        elif kind == "enum":
            params[name] = spec["choices"][0]
        elif kind == "json" or name in (offer.get("wire") or {}).get("json_text_fields", []):
            params[name] = json.dumps([{"text": "hi", "prompt": "a shot", "duration": 5}])
        elif kind in {"number", "integer"}:
            params[name] = spec.get("min") if spec.get("min") else 10000 if name == "seed" else 5
        else:
            params[name] = "a harbour at dawn"
    return params


@cache
def _probe_store() -> Store:
    """A sandbox store holding a 10 s video and a 10 s audio file, for the sandbox to measure."""
    store = Store(Behaviour())
    store.files["probe.mp4"] = ("video/mp4", mp4(float(SECONDS_PROBE)), False)
    store.files["probe.wav"] = ("audio/wav", wav(float(SECONDS_PROBE)), False)
    return store


def _probe_file(source: str) -> str:
    return "http://sandbox.invalid/files/" + ("probe.mp4" if source == "video_url" else "probe.wav")


def _sandbox_charge(entry: reading.Model, tier: str, request_value: str, values: dict[str, Any]) -> int | None:
    try:
        credits, _rule, _seconds = sandbox_cliprise._price(_probe_store(), entry, tier, request_value, values)
    except sandbox_cliprise.Invalid:
        return None
    return credits


def _combinations(entry: reading.Model, by: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every combination of the pricing dimensions' documented values."""
    axes = []
    for name in by:
        if name == entry.tier_field and entry.routed:
            axes.append([None])  # the routed value fixes it
        elif name in entry.enums:
            axes.append(list(entry.enums[name].value))
        elif name == "sound":
            axes.append([False, True])
        else:
            option = next((o for o in entry.options.values() if o.field == name), None)
            axes.append(list(option.values) + ([option.other] if option and option.other else []) if option else [None])
    return [dict(zip(by, combo, strict=True)) for combo in itertools.product(*axes)]


def _studio_value(offer: dict[str, Any], name: str, value: Any) -> Any:
    """The sandbox's value for ``name`` as the studio's field holds it ("5" or 5; "Pro")."""
    spec = next((f for f in offer["fields"] if f["name"] == name), None)
    if spec is None:
        return value
    for choice in spec.get("choices", []):
        if _norm(choice) == _norm(value):
            return choice
    return value


def _price_differences(offer: dict[str, Any], entry: reading.Model, tier: str, value: str) -> list[Difference]:
    found = []
    price = entry.price
    base = _minimal(offer)
    doc = _doc(price.line)
    if isinstance(price, reading.PerBlock):
        for chars in (10, 4990, 5001):
            text = "x" * chars
            studio_params = {**base, price.chars: json.dumps([{"text": text}]) if price.chars == "dialogue" else text}
            sandbox_values = {price.chars: [{"text": text}] if price.chars == "dialogue" else text}
            studio = _studio_price(offer, studio_params)
            sandbox = _sandbox_charge(entry, tier, value, sandbox_values)
            if studio is None or sandbox is None or studio != sandbox:
                found.append(Difference(PROVIDER, value, f"price for {chars} characters", studio, sandbox, doc))
        return found
    if isinstance(price, reading.PerSecond):
        derived = next((f["name"] for f in offer["fields"] if f.get("derived") and f["type"] == "number"), None)
        for combo in _combinations(entry, price.by):
            studio_params = {**base, **{k: _studio_value(offer, k, v) for k, v in combo.items() if v is not None}}
            seconds_field = derived or price.seconds
            studio_params[seconds_field] = SECONDS_PROBE
            if price.seconds == "frames_or_audio":
                sandbox_values = {**combo, "num_frames": 160, "frames_per_second": 16}  # 10 s
            elif price.seconds in {"video_url", "audio_url"}:
                sandbox_values = {**combo, price.seconds: _probe_file(price.seconds)}  # a 10 s file it measures
            else:
                sandbox_values = {**combo, price.seconds: int(SECONDS_PROBE)}
            studio = _studio_price(offer, studio_params)
            sandbox = _sandbox_charge(entry, tier, value, sandbox_values)
            if studio != sandbox:
                found.append(Difference(PROVIDER, value, f"price per second {combo} × 10 s", studio, sandbox, doc))
        return found
    by = price.by if not isinstance(price, reading.Flat) else ()
    for combo in _combinations(entry, by) if by else [{}]:
        studio_params = dict(base)
        for name, v in combo.items():
            if v is None:
                continue
            studio_name = name
            if name not in {f["name"] for f in offer["fields"]}:
                continue
            studio_params[studio_name] = _studio_value(offer, studio_name, v)
        sandbox_values = {k: v for k, v in combo.items() if v is not None}
        studio = _studio_price(offer, studio_params)
        sandbox = _sandbox_charge(entry, tier, value, sandbox_values)
        if studio is None or sandbox is None or Decimal(studio) != Decimal(sandbox):
            found.append(Difference(PROVIDER, value, f"price {combo or 'flat'}", studio, sandbox, doc))
    return found


def _field_differences(offer: dict[str, Any], entry: reading.Model, value: str) -> list[Difference]:
    found = []
    fields = _studio_fields(offer)
    doc_fields = set(entry.fields) - {"options", "imageURLList", "videoURLList"}
    helper_fields = {"imageURLList"} if offer.get("wire", {}).get("image_list_from") == "imageURLList" else set()
    required_studio = {name for name, spec in fields.items() if spec.get("required")}
    required_doc = set(entry.required.value)
    for name in sorted(required_doc - required_studio):
        found.append(
            Difference(
                PROVIDER, value, f"{name} required", "optional" if name in fields else "absent", "required",
                _doc(entry.required.line),
            )
        )  # fmt: skip
    for name in sorted(required_studio - required_doc):
        found.append(
            Difference(
                PROVIDER, value, f"{name} required", "required", "optional" if name in doc_fields else "absent",
                _doc(entry.required.line),
            )
        )  # fmt: skip
    for name in sorted(doc_fields - set(fields) - required_doc):
        found.append(Difference(PROVIDER, value, f"{name} field", "absent", "optional", _doc(entry.optional.line)))
    for name in sorted(set(fields) - doc_fields - helper_fields):
        found.append(Difference(PROVIDER, value, f"{name} field", "present", "not on the card", _doc(entry.card_line)))
    for name, allowed in entry.enums.items():
        spec = fields.get(name)
        if spec is None:
            continue
        studio_values = [_norm(v) for v in spec.get("choices", [])] if spec["type"] == "enum" else None
        sandbox_values = [_norm(v) for v in allowed.value]
        if studio_values != sandbox_values:
            found.append(
                Difference(PROVIDER, value, f"{name} values", studio_values, sandbox_values, _doc(allowed.line))
            )
    for name, limit in entry.max_count.items():
        studio = fields.get(name, {}).get("max_count")
        if studio != limit.value:
            found.append(Difference(PROVIDER, value, f"{name} max count", studio, limit.value, _doc(limit.line)))
    for name, limit in entry.max_length.items():
        studio = fields.get(name, {}).get("max_length")
        if studio != limit.value:
            found.append(Difference(PROVIDER, value, f"{name} max length", studio, limit.value, _doc(limit.line)))
    for name, bounds in entry.bounds.items():
        studio = (fields.get(name, {}).get("min"), fields.get(name, {}).get("max"))
        if studio != bounds.value:
            found.append(Difference(PROVIDER, value, f"{name} range", studio, bounds.value, _doc(bounds.line)))
    return found


def differences() -> list[Difference]:
    offers = studio_offers()
    found: list[Difference] = []
    for value in sorted(set(offers) - set(reading.ROUTES)):
        found.append(Difference(PROVIDER, value, "request model value", "offer", "unknown", "Model Catalog"))
    for value in sorted(set(reading.ROUTES) - set(offers)):
        entry = reading.MODELS[reading.ROUTES[value][0]]
        found.append(Difference(PROVIDER, value, "request model value", "absent", "route", _doc(entry.catalog_line)))
    for value in sorted(set(offers) & set(reading.ROUTES)):
        offer = offers[value]
        entry_id, tier = reading.ROUTES[value]
        entry = reading.MODELS[entry_id]
        wire = offer.get("wire") or {}
        if bool(wire.get("root_only")) != bool(entry.root_only):
            found.append(
                Difference(
                    PROVIDER, value, "root-only", bool(wire.get("root_only")), bool(entry.root_only),
                    _doc(entry.root_only.line if entry.root_only else entry.card_line),
                )
            )  # fmt: skip
        studio_alias = wire.get("alias_of")
        sandbox_alias = entry.alias_of.value if entry.alias_of else None
        if studio_alias != sandbox_alias:
            found.append(Difference(PROVIDER, value, "alias", studio_alias, sandbox_alias, _doc(entry.card_line)))
        found += _field_differences(offer, entry, value)
        found += _price_differences(offer, entry, tier, value)
    return found


DECIDED: dict[tuple[str, str], str] = {
    ("elevenlabs-sound-effect", "duration_seconds required"): (
        "Keep the studio's required field. The card lists duration_seconds as optional (line 1023) but bills "
        "'per second of generated audio' (line 1024) and gives no default length, so the studio asks for the "
        "length it prices and holds before submit; the sandbox's 3 s when it is left out is its own emulation."
    ),
    ("elevenlabs-v3-dialogue", "price for 4990 characters"): (
        "Keep. Line 1151 bills 1 credit 'per 5 000 characters' and line 995 calls dialogue 'the structured "
        "multi-speaker script payload' without saying which characters count. The studio counts the JSON payload "
        "it sends (an upper bound, never less than Cliprise could count); the sandbox counts the lines' text. "
        "They part only within a few characters of a block boundary, by 1 credit."
    ),
    ("hailuo-pro", "image_urls field"): (
        "No change. The studio sends input.image_urls as a mirror of image_url (a derived field, not asked of "
        "the user), as line 870 says is most reliable ('image_url and image_urls reference the same source "
        "image') and line 61 as a single URL string."
    ),
    ("veo-3-fast", "imageUrls field"): (
        "No change. The card lists imageUrls (line 605) but line 608 says the pipeline 'parses [imageURLList] "
        "and forwards the first URL as imageUrls (root)'; the studio sends imageURLList and never imageUrls."
    ),
    ("veo-3-quality", "imageUrls field"): (
        "No change, as veo-3-fast: 'Shares the same request shape as veo-3-fast' (line 622); the pipeline "
        "fills imageUrls from imageURLList (line 608)."
    ),
}
