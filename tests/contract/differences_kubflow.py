"""Kubflow: the studio's catalog (``catalog/data/kubflow.json``) against the sandbox's reading
(``sandbox/readings/kubflow.py``), fact by fact, each difference with the doc line (000) it is about.

Compared per model of the price list: whether it is listed, its name and category, whether the API can run it
(line 110), the documented bottom and top of its price, what the price is per (request, second, minute),
"est." and "~", Topaz Video's two rates, what a per-second price counts, how a started unit is rounded, and
the inputs a request cannot go without. ``DECIDED`` holds what was decided for each difference found and why.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from sandbox.readings import kubflow as reading
from tests.contract.doc import KUBFLOW, Difference, line

CATALOG_FILE = Path(__file__).resolve().parents[2] / "catalog" / "data" / "kubflow.json"
MEASURED = {"ref_video_seconds", "video_seconds", "audio_seconds"}  # the studio's derived input lengths


def studio_offers() -> dict[str, dict[str, Any]]:
    return {offer["id"]: offer for offer in json.loads(CATALOG_FILE.read_text())["offers"]}


def _leaves(expr: dict[str, Any], per: tuple[str, ...] = ()) -> list[tuple[dict[str, Any], tuple[str, ...], dict]]:
    """Every priced leaf of a price expression: (the leaf, what it is multiplied by, the per spec)."""
    if "table" in expr:
        found = []
        for row in expr["table"]["rows"]:
            found += _leaves(row["price"], per) if "price" in row else [(row, per, {})]
        return found
    if "per" in expr:
        spec = expr["per"]
        fields = tuple(spec.get("fields") or [spec["field"]])
        return [(leaf, fields, spec) for leaf, _, _ in _leaves(expr["rate"], fields)]
    return [(expr, per, {})]


def _studio_price(offer: dict[str, Any]) -> dict[str, Any]:
    """The studio's documented figures for an offer, in the reading's terms."""
    pricing = offer["pricing"]
    if "estimate" in pricing:
        return {
            "bottom": Decimal(pricing["estimate"]["min"]),
            "top": Decimal(pricing["estimate"]["max"]),
            "per": "request",
            "estimate": True,
            "counts": set(),
            "rounding": set(),
        }
    leaves = _leaves(pricing)
    amounts = [Decimal(leaf.get("amount", leaf.get("flat"))) for leaf, _, _ in leaves]
    likely = [Decimal(leaf["likely"]) for leaf, _, _ in leaves if "likely" in leaf]
    specs = [spec for _, _, spec in leaves if spec]
    per = "request"
    if specs:
        per = "min" if any(spec.get("divide") == 60 or spec.get("unit") == "min" for spec in specs) else "s"
    counts = set()
    for _, fields, _ in leaves:
        if fields:
            counts.add(" + ".join("the input's seconds" if f in MEASURED else f for f in fields))
    rounding = {spec.get("round", "none") for spec in specs if set(spec.get("fields") or [spec["field"]]) & MEASURED}
    return {
        "bottom": min(amounts + likely),
        "top": max(amounts),
        "per": per,
        "estimate": False,
        "counts": counts,
        "rounding": rounding,
        "tiers": {
            tuple(sorted(str(v) for v in _as_list(leaf_when(pricing, leaf)))): Decimal(leaf["amount"])
            for leaf, _, _ in leaves
            if leaf_when(pricing, leaf) is not None
        }
        if offer["id"] == "topaz-video-upscale"
        else {},
    }


def leaf_when(pricing: dict[str, Any], leaf: dict[str, Any]) -> Any:
    return leaf.get("when", {}).get("upscale_factor")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _required(offer: dict[str, Any]) -> set[str]:
    return {
        f["name"]
        for f in offer["fields"]
        if (f.get("required") or f.get("min_count")) and not f.get("derived") and f["type"] != "boolean"
    }


def differences(studio: dict[str, dict[str, Any]] | None = None) -> list[Difference]:
    """Every difference; ``studio`` replaces the catalog file's offers (by id), for a test of this lister."""
    studio = studio_offers() if studio is None else studio
    models = reading.models_by_id()
    found: list[Difference] = []

    def differ(model: str, what: str, ours: Any, theirs: Any, doc_line: int) -> None:
        if ours != theirs:
            found.append(Difference("kubflow", model, what, ours, theirs, line(KUBFLOW, doc_line)))

    for model_id in sorted(set(studio) - set(models)):
        found.append(Difference("kubflow", model_id, "listed", True, False, "not in 000's price list (lines 5-80)"))
    for model_id, model in models.items():
        offer = studio.get(model_id)
        if offer is None:
            differ(model_id, "listed", False, True, model.line)
            continue
        differ(model_id, "name", offer["name"], model.name, model.line)
        differ(model_id, "category", offer["category"], model.category, model.line)
        runnable = offer.get("wire", {}).get("direct_api", True) is not False
        differ(model_id, "runnable through the API", runnable, model.category in reading.DIRECT_CATEGORIES.value, 110)
        price = _studio_price(offer)
        differ(model_id, "price top", price["top"], model.price.high, model.line)
        differ(model_id, "price bottom", price["bottom"], model.price.low, model.line)
        differ(model_id, "price per", price["per"], model.price.per, model.line)
        differ(model_id, "estimate (est.)", price["estimate"], model.price.estimate, model.line)
        approximate = bool(offer.get("wire", {}).get("approximate_price"))
        differ(model_id, "approximate (~)", approximate, model.price.approximate, model.line)
        if model.price.tiers:
            theirs = {tuple(sorted(name.rstrip("x") for name in names)): amount for names, amount in model.price.tiers}
            differ(model_id, "tiers", price["tiers"], theirs, model.line)
        if model.price.per != "request":
            counts = {"the input's seconds" if model.follows_input else "duration"}
            differ(model_id, "seconds billed", sorted(price["counts"]), sorted(counts), model.line)
            if model.follows_input:
                differ(model_id, "rounding of the input's seconds", sorted(price["rounding"]), ["up"], model.line)
        if model.category in reading.DIRECT_CATEGORIES.value:
            differ(model_id, "required inputs", sorted(_required(offer)), sorted(model.needs), model.line)
    return found


# Each difference found, with what was decided and why (the doc line is in the Difference).
_STRICTER = (
    "kept: the studio asks for more than the sandbox's reading needs, so every request the studio sends is one "
    "the sandbox accepts (it ignores inputs it has no use for); the page names no per-model inputs (lines 97, 112)"
)
DECIDED: dict[tuple[str, str], str] = {
    ("add-audio", "required inputs"): (
        f"{_STRICTER}. The studio requires the audio to add (audio_url, its own name by analogy with "
        "image_url/video_url, NOTES-kubflow.md); the page's params list names no audio input, so the sandbox "
        "requires only the video. Doubt stays with the field's name, which no Kubflow line gives."
    ),
    ("kling-2.6/motion-control", "required inputs"): (
        f"{_STRICTER}. The character image comes from the same model at Kubeez (002) and Cliprise (004); the "
        "sandbox reads from the name only a motion clip."
    ),
    ("kling-3.0/motion-control", "required inputs"): (
        f"{_STRICTER}. The character image comes from the same model at Kubeez (002) and Cliprise (004); the "
        "sandbox reads from the name only a motion clip."
    ),
    ("seedance-2.0-kie", "seconds billed"): (
        "kept the studio's hold: with a reference video it holds (duration + reference seconds) x the top rate, "
        "Kubeez's documented billing of the same model (002), while the sandbox charges the seconds it delivers "
        "(duration x top). The page says only 'credits/s', so the studio holds the larger reading and never "
        "less than the sandbox charges (contract case 'seedance-2.0-kie +ref' checks charge <= hold). Kubflow "
        "reports no cost after a job, so the capture is the hold (issue 13 section 2 decides the capture)."
    ),
    ("seedance-2.0-fast", "seconds billed"): (
        "kept the studio's hold, as for seedance-2.0-kie: (duration + reference seconds) x the top rate with a "
        "reference video (Kubeez, 002), the sandbox duration x top; the studio never holds less."
    ),
    ("elevenlabs-tts-v2", "estimate (est.)"): (
        "kept: the page writes '6-12 credits' without 'est.' (line 47, unlike the text models on lines 57-61); "
        "the studio files it as an estimate because nothing says what moves the price (NOTES-kubflow.md), "
        "the sandbox as a plain range. Both come to the same figure: the top, 12, is held and charged; only "
        "the wording of the quote differs. Not runnable through the API anyway (audio, line 110)."
    ),
    ("elevenlabs-stt", "rounding of the input's seconds"): (
        "kept both: '3.5 credits/min' (line 77) says nothing about a started minute; the studio prices the "
        "measured seconds pro rata, the sandbox would charge per started minute. Speech to Text is a utility "
        "model the API can't run (line 110), so no Kubflow charge ever follows a studio quote of it."
    ),
}
