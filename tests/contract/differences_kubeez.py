"""Kubeez: the studio's catalog (``catalog/data/kubeez.json``) against the sandbox's reading
(``sandbox/readings/kubeez.py``), fact by fact, each difference with the doc line the reading cites.

Facts compared: the model ids, each model's output and generation types, the family labels and their
variants, the parameters each side lets a request carry (names, documented values, ranges, defaults, length
limits), what ``source_media_urls`` may hold per generation type (probed on both rule engines with the same
requests), whether a price is documented, and the price itself on sample requests of every documented tier,
duration edge and audio setting.
"""

from __future__ import annotations

from typing import Any

from catalog.datafile import provider_file_load
from catalog.pricing import QuoteError, offer_check, offer_price
from sandbox import kubeez as sandbox_kubeez
from sandbox.readings import kubeez as reading
from tests.contract.doc import KUBEEZ, Difference, DocLine, line

PROVIDER = "kubeez"
KINDS = {
    "image": "https://example.com/i{}.png",
    "video": "https://example.com/v{}.mp4",
    "audio": "https://example.com/a{}.mp3",
}
PROBE = range(0, 18)

_KINDS_OPEN = (
    "Studio gap, left as it is (the fix belongs in catalog/, not in this reading): the doc says these models "
    "take images only, and the sandbox refuses a .mp4 or .mp3 URL as Kubeez would; the studio's rules count "
    "files but only check image URLs, so such a request (possible through the API's URL fields, never through "
    "the composer's uploads, which take the offer's kinds) is refused by Kubeez at submit: a permanent failure, "
    "the hold released, nothing charged."
)
_FAMILY_ROW = (
    "Kept. The studio applies the row written for the family's first id (imagen-4 / veo3-1) to its sibling "
    "variants; the sandbox reads the row as written and has no limit for the sibling (line 100: 'Others may have "
    "no documented limit'). The studio is the stricter side: it refuses what Kubeez might take, never charges for "
    "what Kubeez refuses."
)
_NOT_WRITTEN = (
    "Kept. The doc writes no input limit for veo3-1-fast (line 123 names veo3-1 only); the studio holds it to "
    "veo3-1's row, the sandbox to the generic rule (images, at least one for image-to-video). Stricter studio, "
    "no money at stake (no documented price)."
)

# (model, what) -> what was decided and why. Read each with its doc line (``make doc-diff`` prints both).
DECIDED: dict[tuple[str, str], str] = {
    **{
        (model, f"{kind} source_media_urls"): _KINDS_OPEN
        for model, kind in (
            ("gpt-1.5-image-high", "image-to-image"),
            ("gpt-1.5-image-medium", "image-to-image"),
            ("gpt-image-2", "image-to-image"),
            ("kling-3-0-pro", "image-to-video"),
            ("kling-3-0-std", "image-to-video"),
            ("nano-banana", "image-to-image"),
            ("nano-banana-2", "image-to-image"),
            ("nano-banana-pro", "image-to-image"),
            ("seedance-1-5-pro", "text-to-video"),
            ("veo3-1", "text-to-video"),
            ("veo3-1", "image-to-video"),
        )
    },
    **{
        (model, "image-to-image source_media_urls"): _KINDS_OPEN
        for model in (
            "5-lite-image-to-image",
            "flux-2-edit",
            "nano-banana-edit",
            "p-image-edit",
            "seedream-v4-5-edit",
            "seedream-v4-edit",
        )
    },
    **{(model, "prompt max_length"): _FAMILY_ROW for model in ("imagen-4-fast", "imagen-4-ultra", "veo3-1-fast")},
    ("veo3-1-fast", "text-to-video source_media_urls"): _NOT_WRITTEN,
    ("veo3-1-fast", "image-to-video source_media_urls"): _NOT_WRITTEN,
    **{
        (model, "parameter quality"): (
            "Kept. Line 64 lets quality pick the Imagen 4 variant (standard / fast / ultra), and the sandbox accepts "
            "it; the studio offers the three variants by their own ids (line 56) and never sends quality, so what "
            "runs and what is charged is the id chosen."
        )
        for model in ("imagen-4", "imagen-4-fast", "imagen-4-ultra")
    },
    **{
        (f"gemini-omni-video-{resolution}-video-ref", "generation types"): (
            "Kept. The doc names no generation type for Gemini Omni (its parameters, lines 186-198, have none, and "
            "line 11 lists only text-to-image, text-to-video, image-to-video, image-to-image); the studio's "
            "'video-to-video' is its own label for the gallery and is never sent (the offer has no generation_type "
            "field), the sandbox files the variant under image-to-video. Nothing sent or charged differs."
        )
        for resolution in ("720p", "1080p", "4k")
    },
}


def _doc(model: reading.Model | None, fact: str) -> DocLine | str:
    if model is None:
        return "the sandbox's reading has no such model"
    number = model.doc.get(fact) or model.doc.get("id")
    return line(KUBEEZ, number)


def _param_line(model: reading.Model, name: str) -> DocLine:
    param = model.fields.get(name)
    if name == "prompt" and param is not None and param.max_length is None:
        return line(KUBEEZ, 100)  # "Others may have no documented limit or use server defaults."
    return line(KUBEEZ, param.line if param else model.doc["id"])


def _studio_fields(offer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {spec["name"]: spec for spec in offer["fields"] if not spec.get("derived")}


def _studio_param(spec: dict[str, Any]) -> dict[str, Any]:
    """A catalog field in the reading's terms: documented values, range, default, length limit."""
    kind = spec["type"]
    fact: dict[str, Any] = {}
    if kind == "enum":
        fact["values"] = [str(choice) for choice in spec["choices"]]
    if kind in {"integer", "number"} and ("min" in spec or "max" in spec):
        fact["range"] = [spec.get("min"), spec.get("max")]
    if "default" in spec and spec["name"] not in {"generation_type"}:
        fact["default"] = spec["default"]
    if "max_length" in spec:
        fact["max_length"] = spec["max_length"]
    if "error_code" in spec:
        fact["code"] = spec["error_code"]
    return fact


def _reading_param(param: reading.Param) -> dict[str, Any]:
    fact: dict[str, Any] = {}
    if param.choices and param.name != "generation_type":
        fact["values"] = [str(choice) for choice in param.choices]
    if param.kind in {"seconds", "number"} and (param.min is not None or param.max is not None):
        fact["range"] = [param.min, param.max]
    if param.default is not None and param.name != "generation_type":
        fact["default"] = param.default
    if param.max_length is not None:
        fact["max_length"] = param.max_length
    if param.error != "invalid_params":
        fact["code"] = param.error
    return fact


def _base(model: reading.Model, generation_type: str) -> dict[str, Any]:
    """A request both sides should take, but for its sources: the documented minimum of every other field."""
    params: dict[str, Any] = {"prompt": "p"}
    fields = model.fields
    if "generation_type" in fields:
        params["generation_type"] = generation_type
    duration = fields.get("duration")
    if duration is not None and duration.kind == "seconds":
        params["duration"] = int(duration.min)
    elif duration is not None:
        params["duration"] = duration.choices[0]
    if model.gemini:
        params["aspect_ratio"] = "16:9"
    if model.id == "gpt-image-2":
        params["resolution"] = "1K"
    return params


def _sources(counts: dict[str, int]) -> list[str]:
    return [KINDS[kind].format(index) for kind, count in counts.items() for index in range(count)]


def _studio_takes(offer: dict[str, Any], params: dict[str, Any]) -> bool:
    try:
        offer_check(offer, params)
    except QuoteError:
        return False
    return True


def _sandbox_takes(model: reading.Model, params: dict[str, Any]) -> bool:
    try:
        sandbox_kubeez._check(model, params)
    except sandbox_kubeez.Refusal:
        return False
    return True


def _span(accepted: list[int]) -> str:
    if not accepted:
        return "none accepted"
    low, high = min(accepted), max(accepted)
    gaps = [n for n in range(low, high + 1) if n not in accepted]
    text = f"{low}–{high}" if low != high else str(low)
    return f"{text}{'+' if high == PROBE[-1] else ''}{f' except {gaps}' if gaps else ''}"


def _input_differences(offer: dict[str, Any], model: reading.Model) -> list[Difference]:
    found = []
    for generation_type, limits in model.inputs.items():
        minimum = {"image": limits.images[0], "video": limits.videos[0], "audio": limits.audios[0]}
        studio_spans, sandbox_spans = {}, {}
        for kind in KINDS:
            studio, sandbox = [], []
            for count in PROBE:
                counts = {**minimum, kind: count}
                params = {
                    **_base(model, generation_type),
                    **({"source_media_urls": _sources(counts)} if any(counts.values()) else {}),
                }
                if _studio_takes(offer, params):
                    studio.append(count)
                if _sandbox_takes(model, params):
                    sandbox.append(count)
            if studio != sandbox:
                studio_spans[f"{kind}s"], sandbox_spans[f"{kind}s"] = _span(studio), _span(sandbox)
        if studio_spans:
            found.append(
                Difference(
                    PROVIDER,
                    model.id,
                    f"{generation_type} source_media_urls",
                    studio_spans,
                    sandbox_spans,
                    line(KUBEEZ, limits.line),
                )
            )
    return found


def _price_samples(model: reading.Model) -> list[dict[str, Any]]:
    fields = model.fields
    samples = []
    generation_type = model.generation_types[0]
    base = _base(model, generation_type)
    limits = model.inputs.get(generation_type)
    if limits is not None:
        counts = {"image": limits.images[0], "video": limits.videos[0], "audio": limits.audios[0]}
        if any(counts.values()):
            base["source_media_urls"] = _sources(counts)
    duration = fields.get("duration")
    durations = (
        [int(duration.min), int(duration.max)] if duration is not None and duration.kind == "seconds" else [None]
    )
    for seconds in durations:
        for sound in [False, True] if "sound" in fields else [None]:
            for tier in model.price.tiers if model.price and model.price.by else [None]:
                params = dict(base)
                if seconds is not None:
                    params["duration"] = seconds
                if sound is not None:
                    params["sound"] = sound
                if tier is not None:
                    params[model.price.by] = tier
                    params["aspect_ratio"] = "16:9"
                samples.append(params)
    return samples


def _price_differences(offer: dict[str, Any], model: reading.Model) -> list[Difference]:
    studio_priced = not offer.get("unpriced")
    if studio_priced != (model.price is not None):
        return [Difference(PROVIDER, model.id, "a documented price", studio_priced, model.price is not None,
                           _doc(model, "price"))]  # fmt: skip
    if model.price is None:
        return []
    found = []
    for params in _price_samples(model):
        try:
            studio: Any = offer_price(offer, offer_check(offer, params), "credits").amount
        except QuoteError as exc:
            studio = f"refused: {exc.code}"
        try:
            sandbox: Any = sandbox_kubeez.credits_for(model, sandbox_kubeez._check(model, params))
        except sandbox_kubeez.Refusal as exc:
            sandbox = f"refused: {exc.code}"
        if studio != sandbox:
            shown = {k: v for k, v in params.items() if k not in {"prompt", "source_media_urls"}}
            found.append(
                Difference(PROVIDER, model.id, f"price of {shown}", studio, sandbox, line(KUBEEZ, model.price.line))
            )
    return found


def differences() -> list[Difference]:
    data = provider_file_load(PROVIDER)
    offers = {offer["id"]: offer for offer in data["offers"]}
    models = reading.models()
    found: list[Difference] = []
    for model_id in sorted(set(offers) | set(models)):
        offer, model = offers.get(model_id), models.get(model_id)
        if offer is None or model is None:
            found.append(
                Difference(PROVIDER, model_id, "model id", offer is not None, model is not None, _doc(model, "id"))
            )
            continue
        if offer["output"] != model.output:
            found.append(Difference(PROVIDER, model_id, "output", offer["output"], model.output, _doc(model, "id")))
        if sorted(offer["generation_types"]) != sorted(model.generation_types):
            found.append(
                Difference(
                    PROVIDER,
                    model_id,
                    "generation types",
                    sorted(offer["generation_types"]),
                    sorted(model.generation_types),
                    _doc(model, "generation_types"),
                )
            )
        studio_fields = _studio_fields(offer)
        reading_fields = {name: param for name, param in model.fields.items() if name not in model.ignores}
        for name in sorted((set(studio_fields) | set(reading_fields)) - {"source_media_urls", "generation_type"}):
            if name not in reading_fields or name not in studio_fields:
                where = _param_line(model, name) if name in reading_fields else _doc(model, "id")
                found.append(
                    Difference(
                        PROVIDER, model_id, f"parameter {name}", name in studio_fields, name in reading_fields, where
                    )
                )
                continue
            studio_fact, reading_fact = _studio_param(studio_fields[name]), _reading_param(reading_fields[name])
            for fact in sorted(set(studio_fact) | set(reading_fact)):
                if studio_fact.get(fact) != reading_fact.get(fact):
                    found.append(
                        Difference(
                            PROVIDER,
                            model_id,
                            f"{name} {fact}",
                            studio_fact.get(fact),
                            reading_fact.get(fact),
                            _param_line(model, name),
                        )
                    )
        found += _input_differences(offer, model)
        found += _price_differences(offer, model)
    labels = {label["label"]: label["variants"] for label in data.get("family_labels", [])}
    families = reading.families()
    for label in sorted(set(labels) | set(families)):
        studio_variants = labels.get(label)
        sandbox_variants = list(families[label].variants) if label in families else None
        if studio_variants != sandbox_variants:
            where = line(KUBEEZ, families[label].line) if label in families else line(KUBEEZ, 219)
            found.append(Difference(PROVIDER, label, "family variants", studio_variants, sandbox_variants, where))
    return found
