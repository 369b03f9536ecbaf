"""Kubeez's documented REST API (seeds/001 account tools, seeds/002 media tools).

Paths (the same in generations/providers/kubeez.py): ``POST /v1/generate/media`` and
``POST /v1/upload/media`` are written in the docs; ``GET /v1/generations/{id}``
(get_generation_status), ``GET /v1/generations`` (get_generations),
``GET /v1/models`` (get_models), ``GET /v1/balance`` (get_balance),
``POST /v1/generate/estimate`` (get_generation_estimate) and ``POST /v1/trim/video``
(trim_video) are the evident REST forms of the named tools.

Requests are checked and priced with the sandbox's own reading of the docs
(``sandbox/readings/kubeez.py``, each fact with its doc line; nothing of the studio, nothing under
``catalog/``), and refusals come back in Kubeez's shape: HTTP 400 ``{"error": "<code>", "message": ..., ...details}``, with
the family-label answer exactly as the doc prints it. Refused requests hold no
credits. Generic generate_media parameters a model doesn't use are ignored, as
the doc says ("All other models ignore negative_prompt", ...); any other unknown
key is refused, so a client that misnames a field finds out here.
"""

from __future__ import annotations

import ipaddress
import json
import re
import secrets
import socket
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from sandbox import media
from sandbox.core import Behaviour, Job, Request, Response, Store, behaviour_for
from sandbox.outputs import job_outputs
from sandbox.readings import kubeez as reading

PROVIDER = "kubeez"
UNBOUNDED = 1 << 30  # the reading's "no upper limit written"
START_BALANCE = Decimal("10000")  # the sandbox account's credits
LATEST = reading.LATEST_GENERATIONS[0]  # get_generations: "Returns your latest 20 generations" (001)
TIMEOUT_SLEEP = 35.0  # past the client's default 30 s timeout
# Upload: "JPEG, PNG, WebP, typically 10 MB max per file"; videos "typically up to 100 MB (MP4/WebM)".
UPLOAD_TYPES = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "video/mp4": "mp4",
    "video/webm": "webm",
    "video/quicktime": "mov",
    "audio/wav": "wav",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
}
UPLOAD_LIMITS = {"image": 10 * 1024 * 1024, "video": 100 * 1024 * 1024, "audio": 100 * 1024 * 1024}
TRIM_MAX_SECONDS = reading.TRIM_MAX_WINDOW[0]
TRIM_SOURCE_MAX_BYTES = reading.TRIM_SOURCE_MAX_BYTES[0]
MAKERS = (  # get_models "provider": who makes the model
    ("gpt-", "OpenAI"),
    ("kling-", "Kuaishou"),
    ("seedance-", "ByteDance"),
    ("seedream-", "ByteDance"),
    ("5-lite-", "ByteDance"),
    ("v1-pro-", "ByteDance"),
    ("gemini-", "Google"),
    ("veo", "Google"),
    ("imagen-", "Google"),
    ("nano-banana", "Google"),
    ("wan-", "Alibaba"),
    ("grok-", "xAI"),
    ("flux-", "Black Forest Labs"),
    ("p-", "Pruna AI"),
)


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _json(status: int, payload: Any, **headers: str) -> Response:
    def default(value: Any) -> Any:
        if isinstance(value, Decimal):
            return _number(value)
        raise TypeError(f"not JSON: {type(value).__name__}")

    return Response(status, json.dumps(payload, default=default).encode(), "application/json", dict(headers))


def _error(status: int, code: str, message: str, **details: Any) -> Response:
    return _json(status, {"error": code, "message": message, **details})


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _authorised(request: Request, api_key: str) -> bool:
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    return bool(token) and secrets.compare_digest(token, api_key)


def handle(store: Store, request: Request, path: str, api_key: str) -> Response:
    if not _authorised(request, api_key):
        return _error(401, "unauthorized", "Missing or invalid API key. Send Authorization: Bearer <your Kubeez key>.")
    routes = {
        "/v1/generate/media": ("POST", _generate),
        "/v1/generate/estimate": ("POST", _estimate),
        "/v1/upload/media": ("POST", _upload),
        "/v1/trim/video": ("POST", _trim),
        "/v1/models": ("GET", _models),
        "/v1/balance": ("GET", _balance),
        "/v1/generations": ("GET", _generations),
    }
    if path in routes:
        method, view = routes[path]
        if request.method != method:
            return _error(405, "method_not_allowed", f"Use {method} {path}.")
        return view(store, request)
    if path.startswith("/v1/generations/") and path.count("/") == 3:
        if request.method != "GET":
            return _error(405, "method_not_allowed", "Use GET /v1/generations/{generation_id}.")
        return _status(store, request, path.rsplit("/", 1)[1])
    return _error(404, "not_found", f"No Kubeez endpoint at {request.method} {path}.")


# --- generate_media ------------------------------------------------------------------


class Refusal(Exception):
    """A request Kubeez refuses: HTTP 400 ``{"error": code, "message": ..., **details}``; nothing is held."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def response(self) -> Response:
        return _error(400, self.code, self.message, **self.details)


def _body(request: Request) -> dict[str, Any] | Response:
    try:
        body = request.json()
    except ValueError:
        return _error(400, "invalid_json", "The request body must be JSON.")
    if not isinstance(body, dict):
        return _error(400, "invalid_json", "The request body must be a JSON object.")
    return body


def _model_for(model_id: Any) -> reading.Model | Response:
    if not isinstance(model_id, str) or not model_id:
        return _error(400, "invalid_params", "model is required (a model_id from get_models).", field="model")
    family = reading.families().get(model_id)
    if family is not None:
        # 002 lines 220-231, the doc's exact answer for a family label; no credits are deducted.
        return _json(
            400,
            {
                "error": "variant_required",
                "family": model_id,
                "available_variants": list(family.variants),
                "hint": reading.VARIANT_REQUIRED_HINT[0],
            },
        )
    model = reading.models().get(model_id)
    if model is None:
        return _error(
            400, "unknown_model", f"Unknown model {model_id!r}. Use a model_id from get_models.", model=model_id
        )
    return model


def _seconds_value(param: reading.Param, value: Any) -> int:
    """A duration as 002 writes it ("5s", line 35) or as a bare whole number of seconds."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise Refusal("invalid_params", f'{param.name} must be a number of seconds such as "5s".', field=param.name)
    text = str(value).strip().removesuffix("s").strip() if isinstance(value, str) else value
    try:
        number = Decimal(str(text))
    except ArithmeticError:
        raise Refusal(
            "invalid_params", f'{param.name} must be a number of seconds such as "5s".', field=param.name
        ) from None
    if not number.is_finite() or number != number.to_integral_value():
        raise Refusal("invalid_params", f"{param.name} must be a whole number of seconds.", field=param.name)
    return int(number)


def _param_value(param: reading.Param, value: Any) -> Any:
    """``value`` checked against what the doc says of the parameter, in the form it is used."""
    name = param.name
    if param.kind == "enum":
        if value in param.choices:
            return value
        raise Refusal(
            param.error,
            f"{name} must be one of {', '.join(map(str, param.choices))}.",
            field=name,
            allowed=list(param.choices),
        )
    if param.kind == "seconds":
        seconds = _seconds_value(param, value)
        if not param.min <= seconds <= param.max:
            raise Refusal(
                "invalid_params",
                f"{name} must be {param.min:g}s–{param.max:g}s.",
                field=name,
                min=param.min,
                max=param.max,
            )
        return seconds
    if param.kind == "seconds_choice":
        seconds = _seconds_value(param, value)
        if f"{seconds}s" not in param.choices:
            raise Refusal(
                "invalid_params",
                f"{name} must be one of {', '.join(param.choices)}.",
                field=name,
                allowed=list(param.choices),
            )
        return f"{seconds}s"
    if param.kind == "bool":
        if not isinstance(value, bool):
            raise Refusal("invalid_params", f"{name} must be true or false.", field=name)
        return value
    if param.kind in {"text", "string"}:
        if not isinstance(value, str):
            raise Refusal("invalid_params", f"{name} must be a string.", field=name)
        if param.max_length is not None and len(value) > param.max_length:
            raise Refusal(
                "invalid_params",
                f"{name} is {len(value)} characters; this model accepts at most {param.max_length}.",
                field=name,
                max_length=param.max_length,
            )
        return value
    if param.kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Refusal("invalid_params", f"{name} must be a number.", field=name)
        if (param.min is not None and value < param.min) or (param.max is not None and value > param.max):
            raise Refusal("invalid_params", f"{name} must be between {param.min:g} and {param.max:g}.", field=name)
        return value
    if param.kind == "urls":  # "string or array" (line 13)
        urls = [value] if isinstance(value, str) else value
        if not isinstance(urls, list) or not all(isinstance(url, str) and url for url in urls):
            raise Refusal("invalid_params", f"{name} must be a URL or a list of URLs.", field=name)
        return urls
    if param.kind == "url":
        if not isinstance(value, str) or not value:
            raise Refusal("invalid_params", f"{name} must be one URL.", field=name)
        return value
    if param.kind == "list":
        if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
            raise Refusal("invalid_params", f"{name} must be a list of ids.", field=name)
        return value
    if param.kind == "elements":
        return _elements(value)
    raise ValueError(f"unknown parameter kind {param.kind!r}")


def _elements(value: Any) -> list[dict[str, Any]]:
    """kling_elements (002 line 126): name, description, and 2–4 image URLs or 1 video URL each."""
    if not isinstance(value, list):
        raise Refusal("invalid_params", "kling_elements must be an array of objects.", field="kling_elements")
    for element in value:
        if not isinstance(element, dict) or not element.get("name") or not element.get("description"):
            raise Refusal(
                "invalid_params", "Each element requires a title (name) and description.", field="kling_elements"
            )
        images, videos = element.get("element_input_urls"), element.get("element_input_video_urls")
        if (images is None) == (videos is None):
            raise Refusal(
                "invalid_params",
                "Each element takes either element_input_urls (2–4 image URLs) or element_input_video_urls (1 video).",
                field="kling_elements",
            )
        if images is not None and not (isinstance(images, list) and 2 <= len(images) <= 4):
            raise Refusal("invalid_params", "element_input_urls takes 2–4 image URLs.", field="kling_elements")
        if videos is not None and not (isinstance(videos, list) and len(videos) == 1):
            raise Refusal("invalid_params", "element_input_video_urls takes 1 video URL.", field="kling_elements")
    return value


def _inputs_check(model: reading.Model, generation_type: str, urls: list[str], clean: dict[str, Any]) -> None:
    counts = {"image": 0, "video": 0, "audio": 0}
    for url in urls:
        counts[reading.media_kind(url) or "image"] += 1  # "Most models accept images only" (line 102)
    if model.gemini:
        if counts["audio"]:
            raise Refusal("unsupported_audio_url", "Audio file URLs are not accepted; use voice_id instead.")
        if counts["video"] and not model.video_ref:
            raise Refusal(
                "variant_mismatch",
                f"A video reference requires a -video-ref variant ({model.mismatch_variant}), not {model.id}.",
                use_variant=model.mismatch_variant,
            )
        if counts["video"] > 1:
            raise Refusal("invalid_params", "Maximum 1 video reference per request.", max=1)
        slots = counts["image"] + 2 * counts["video"] + len(clean.get("character_ids") or [])
        if slots > 7:
            raise Refusal(
                "invalid_params",
                f"Gemini Omni has 7 reference slots (a video takes 2, each character_id 1, each image 1); "
                f"this request needs {slots}.",
                slots=7,
            )
    if model.family in {"seedance-2", "seedance-2-fast"}:  # "Hard limits (enforced with 400 errors)", 157-161
        for kind, code in (("video", "too_many_videos"), ("audio", "too_many_audios"), ("image", "too_many_images")):
            limit = 9 if kind == "image" else 3
            if counts[kind] > limit:
                raise Refusal(code, f"Seedance 2 takes at most {limit} reference {kind}s.", max=limit)
    limits = model.inputs.get(generation_type)
    if limits is None:
        return
    for kind, (low, high) in (("image", limits.images), ("video", limits.videos), ("audio", limits.audios)):
        if not low <= counts[kind] <= high:
            if high == 0:
                wanted = f"no {kind}"
            elif high >= 1 << 30:
                wanted = f"at least {low} {kind}(s)"
            else:
                wanted = f"{low}–{high} {kind}(s)" if low != high else f"exactly {low} {kind}(s)"
            raise Refusal(
                "invalid_params",
                f"{model.id} {generation_type} takes {wanted} in source_media_urls; got {counts[kind]}.",
                field="source_media_urls",
            )


def _check(model: reading.Model, body: dict[str, Any]) -> dict[str, Any]:
    """The request's parameters as the doc allows them for ``model``, defaults filled; Refusal otherwise."""
    fields = model.fields
    clean: dict[str, Any] = {}
    unknown = []
    for key, value in body.items():
        if key == "model":
            continue
        if key in fields and key not in model.ignores:
            if value is None:
                continue
            clean[key] = _param_value(fields[key], value)
        elif key not in reading.GENERIC:  # generic parameters a model doesn't use are ignored, as documented
            unknown.append(key)
    if unknown:
        raise Refusal("invalid_params", f"Unknown parameter(s) for {model.id}: {', '.join(sorted(unknown))}.")
    for name, param in fields.items():
        if name in clean:
            continue
        if param.default is not None:
            clean[name] = param.default
        elif param.required:
            raise Refusal("invalid_params", f"{name} is required for {model.id}.", field=name)
    if not clean["prompt"].strip():
        raise Refusal("invalid_params", "prompt is required.", field="prompt")
    generation_type = clean.get("generation_type") or model.generation_types[0]
    clean["generation_type"] = generation_type
    _inputs_check(model, generation_type, clean.get("source_media_urls") or [], clean)
    if "last_frame_url" in clean and generation_type != "image-to-video":
        raise Refusal("invalid_params", "last_frame_url is for image-to-video (first + last frame).")
    if model.video_ref and model.gemini:
        start = clean.get("video_trim_start_s", 0)
        end = clean.get("video_trim_end_s", start + 10)
        if end <= start or end - start > 10:  # "Provider hard limits: range ≤ 10s, ends ≤ 30s" (line 195)
            raise Refusal("invalid_params", "The trim window must be more than 0 s and at most 10 s.")
    if model.id == "gpt-image-2" and clean["resolution"] in {"2K", "4K"}:
        allowed = ["9:16", "16:9", "4:3", "3:4"]  # line 76
        if clean.get("aspect_ratio") not in allowed:
            raise Refusal(
                "aspect_ratio_incompatible_with_high_res",
                "2K and 4K require an explicit non-square, non-auto aspect_ratio: one of 9:16, 16:9, 4:3, 3:4.",
                allowed=allowed,
            )
    return clean


def _generate(store: Store, request: Request) -> Response:
    body = _body(request)
    if isinstance(body, Response):
        return body
    model = _model_for(body.get("model"))
    if isinstance(model, Response):
        return model
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        return _error(400, "invalid_params", "prompt is required.", field="prompt")
    try:
        clean = _check(model, body)
    except Refusal as refusal:
        return refusal.response()
    too_long = _reference_lengths_refusal(store, request, model, clean)
    if too_long is not None:
        return too_long
    try:
        behaviour = behaviour_for(prompt, store.behaviour)
    except ValueError as exc:
        return _error(400, "invalid_params", f"Bad sandbox directive: {exc}")
    try:
        render = _render_params(store, request, model, clean, prompt)
    except ValueError as exc:
        return _error(400, "invalid_params", str(exc), field="aspect_ratio")
    if behaviour.fail == "5xx":
        store.count("kubeez.5xx")
        return _error(500, "internal_error", "Kubeez could not start the generation. Retry later.")
    if behaviour.fail == "timeout":
        time.sleep(TIMEOUT_SLEEP)
    cost = credits_for(model, clean)
    balance = _balance_now(store)
    if behaviour.fail == "insufficient" or (cost is not None and cost > balance):
        return _error(
            402,
            "insufficient_credits",
            f"Not enough Kubeez credits for {model.id}: it costs {_number(cost)}, the balance is {_number(balance)}.",
            required_credits=cost,
            balance=balance,
        )
    generation_type = clean["generation_type"]
    job = store.add_job(
        Job(
            id=str(uuid.uuid4()),
            provider=PROVIDER,
            model=model.id,
            params=render,
            behaviour=behaviour,
            kind=model.output,
            extra={
                "prompt": prompt,
                "generation_type": generation_type,
                "request": body,
                "cost": cost,
                "created_at": datetime.now(UTC),
            },
        )
    )
    return _json(
        200,
        {
            "generation_id": job.id,
            "status": "pending",
            "model": job.model,
            "generation_type": generation_type,
            "estimated_time_seconds": _seconds_estimate(behaviour),
            "estimated_cost_credits": cost,
        },
    )


REFERENCE_SECONDS_MAX = 15.0  # Seedance 2: "combined ≤ 15s", "any single reference … longer than 15s → rejected"


def _reference_lengths_refusal(
    store: Store, request: Request, model: reading.Model, clean: dict[str, Any]
) -> Response | None:
    """Seedance 2's hard limits on reference lengths (002 lines 161-163), for the files this sandbox hosts.

    Like the real backend over REST, it can't probe other URLs, so those pass.
    """
    if model.family not in {"seedance-2", "seedance-2-fast"}:
        return None
    totals = {"video": 0.0, "audio": 0.0}
    for url in clean.get("source_media_urls") or []:
        own = _own_media(store, request, url) if isinstance(url, str) else None
        if own is None or own[1]["kind"] not in totals or not own[1].get("duration"):
            continue
        seconds = float(own[1]["duration"])
        if seconds > REFERENCE_SECONDS_MAX:
            return _error(400, "invalid_params", f"A reference {own[1]['kind']} is {seconds:g}s; the limit is 15s.")
        totals[own[1]["kind"]] += seconds
    for kind, seconds in totals.items():
        if seconds > REFERENCE_SECONDS_MAX:
            return _error(
                400, "invalid_params", f"Combined reference {kind} duration is {seconds:g}s; the limit is 15s."
            )
    return None


def credits_for(model: reading.Model, clean: dict[str, Any]) -> Decimal | None:
    """What Kubeez charges for a checked request, from the reading's price; None where the doc gives none."""
    price = model.price
    if price is None:
        return None
    if price.flat is not None:
        return price.flat
    if price.by is not None:
        return price.tiers[clean[price.by]]
    seconds = Decimal(clean["duration"])
    rate = price.per_second_audio if price.per_second_audio is not None and clean.get("sound") else price.per_second
    if price.reference:
        # "(ref_video_seconds + output_seconds) × base_credits_per_second" (line 142), the reference billed at
        # "the pessimistic worst case of 15s" over REST (line 156).
        seconds += reading.REST_REFERENCE_SECONDS[0]
    return rate * seconds


def _seconds_estimate(behaviour: Behaviour) -> int:
    return max(1, round(behaviour.delay))


def _render_params(
    store: Store, request: Request, model: reading.Model, clean: dict[str, Any], prompt: str
) -> dict[str, Any]:
    """What sandbox.outputs needs to render the file the request asked for."""
    sources = [url for url in clean.get("source_media_urls") or [] if isinstance(url, str)]
    aspect = str(clean.get("aspect_ratio") or ("16:9" if model.output == "video" else "1:1"))
    if aspect.lower() in {"auto", "adaptive"}:
        aspect = _source_aspect(store, request, sources) or "1:1"  # "auto matches the first input image"
    media.aspect_size(aspect, None, base=64)  # raises ValueError for a ratio the model can't take
    render: dict[str, Any] = {"prompt": prompt, "aspect_ratio": aspect}
    if model.output == "image":
        tier = clean.get("resolution") or {"basic": "2K", "high": "4K"}.get(clean.get("quality"), clean.get("quality"))
        if tier in {"1K", "2K", "4K"}:
            render["resolution"] = tier
        if clean.get("seed") is not None:
            render["seed"] = int(clean["seed"])
        return render
    render["duration"] = _video_seconds(store, request, model, clean, sources)
    if model.video_audio == "toggle_via_sound_param":
        render["sound"] = bool(clean.get("sound"))
    elif "generate_audio" in model.fields:
        render["sound"] = bool(clean.get("generate_audio"))
    else:
        render["sound"] = model.video_audio == "included"
    return render


def _video_seconds(
    store: Store, request: Request, model: reading.Model, clean: dict[str, Any], sources: list[str]
) -> float | str | None:
    if model.gemini:
        fixed = re.search(r"-(\d+)s$", model.id)
        if fixed:
            return float(fixed.group(1))  # baked into the variant id
        # -video-ref: the output takes the trimmed source clip's length (≤ 10 s)
        start = float(clean.get("video_trim_start_s") or 0)
        end = float(clean["video_trim_end_s"]) if clean.get("video_trim_end_s") is not None else start + 10
        for url in sources:
            info = _own_media(store, request, url)
            if info and info[1]["kind"] == "video" and info[1]["duration"]:
                end = min(end, info[1]["duration"])
                break
        return max(1.0, min(end - start, 10.0))
    fixed = re.search(r"-(\d+)s$", model.id)
    if fixed and clean.get("duration") is None:
        return float(fixed.group(1))  # grok-text-to-video-6s
    return clean.get("duration")


def _source_aspect(store: Store, request: Request, sources: list[str]) -> str | None:
    for url in sources:
        info = _own_media(store, request, url)
        if info and info[1].get("width") and info[1].get("height"):
            return f"{info[1]['width']}:{info[1]['height']}"
    return None


def _own_media(store: Store, request: Request, url: str) -> tuple[bytes, dict[str, Any]] | None:
    """A file this sandbox hosts (an upload, a trim, an output), probed; None for anything else."""
    parts = urlsplit(url)
    if parts.netloc != request.host or not parts.path.startswith("/files/"):
        return None
    entry = store.files.get(parts.path[len("/files/") :])
    if entry is None:
        return None
    try:
        return entry[1], media.probe(entry[1])
    except ValueError:
        return None


# --- get_generation_status, get_generations ---------------------------------------------


def _kubeez_status(job: Job) -> tuple[str, int]:
    phase, progress = job.phase()
    if phase == "queued" and time.monotonic() - job.created < max(job.behaviour.delay, 0) * 0.05:
        return "pending", 0  # accepted, not yet in the queue
    return phase, progress


def _outputs(store: Store, request: Request, job: Job) -> list[dict[str, Any]]:
    if "outputs" not in job.extra:
        described = []
        for url in job_outputs(store, job, request):
            entry = store.files.get(url.rsplit("/", 1)[1])
            info: dict[str, Any] = {}
            if entry is not None:
                try:
                    info = media.probe(entry[1])
                except ValueError:
                    info = {}
            item = {
                "url": url,
                "thumbnail_url": url if job.kind == "image" else None,
                "optimized_url": url,
                "media_type": job.kind,
                "content_type": entry[0] if entry else None,
                "dimensions": {"width": info.get("width"), "height": info.get("height")},
            }
            if job.kind == "video":
                item["duration_seconds"] = info.get("duration")
            described.append(item)
        job.extra["outputs"] = described
    return job.extra["outputs"]


def _summary(job: Job, status: str, progress: int) -> dict[str, Any]:
    created = job.extra["created_at"]
    finished = status in {"completed", "failed"}
    return {
        "generation_id": job.id,
        "status": status,
        "progress": progress,
        "model": job.model,
        "generation_type": job.extra["generation_type"],
        "prompt": job.extra["prompt"],
        "source_media_urls": job.extra["request"].get("source_media_urls") or [],
        "created_at": created.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "completed_at": (
            (created + timedelta(seconds=job.behaviour.delay)).isoformat(timespec="seconds").replace("+00:00", "Z")
            if finished
            else None
        ),
        "estimated_cost_credits": job.extra["cost"],
        "outputs": [],
        "error_message": None,
    }


def _status(store: Store, request: Request, job_id: str) -> Response:
    job = store.job(PROVIDER, job_id)
    if job is None:
        return _error(404, "not_found", f"Generation {job_id} was not found for this account.")
    store.count("kubeez.status")
    if store.flapping(job):
        store.count("kubeez.flap")
        return _error(503, "service_unavailable", "Kubeez is temporarily unavailable. Retry shortly.")
    status, progress = _kubeez_status(job)
    if job.behaviour.fail == "malformed" and status == "completed":
        return Response(200, b"<html><body>502 Bad Gateway</body></html>", "text/html")
    payload = _summary(job, status, progress)
    if status == "completed":
        payload["outputs"] = _outputs(store, request, job)
        payload["credits_charged"] = job.extra["cost"]
    elif status == "failed":
        payload["error_message"] = (
            "The model could not generate this request (sandbox failure). No credits were charged."
        )
    return _json(200, payload)


def _kubeez_jobs(store: Store) -> list[Job]:
    with store.lock:
        jobs = [job for job in store.jobs.values() if job.provider == PROVIDER]
    return sorted(jobs, key=lambda job: job.created, reverse=True)


def _generations(store: Store, request: Request) -> Response:
    wanted = {key: request.query.get(key) for key in ("status", "model", "generation_type")}
    items = []
    for job in _kubeez_jobs(store):
        status, progress = _kubeez_status(job)
        if wanted["status"] and status != wanted["status"]:
            continue
        if wanted["model"] and job.model != wanted["model"]:
            continue
        if wanted["generation_type"] and job.extra["generation_type"] != wanted["generation_type"]:
            continue
        item = _summary(job, status, progress)
        if status == "completed":
            item["outputs"] = _outputs(store, request, job)
        items.append(item)
        if len(items) == LATEST:
            break
    return _json(200, {"generations": items, "count": len(items)})


# --- get_models, get_balance, get_generation_estimate -----------------------------------


def _model_entry(model: reading.Model, behaviour: Behaviour) -> dict[str, Any]:
    """One get_models entry (001 lines 32-41) from the reading."""
    fields = model.fields
    price = model.price
    cost = None
    per_second = None
    if price is not None and price.flat is not None:
        cost = price.flat
    elif price is not None and price.by is not None:
        cost = price.tiers[fields[price.by].default]  # the default tier, "1K (default)"
    elif price is not None:
        per_second = price.per_second  # Kling 3.0 silent; Seedance 2's rate

    def choices(name: str) -> Any:
        param = fields.get(name)
        if param is None or name in model.ignores:
            return None
        if param.choices:
            return list(param.choices)
        if param.min is not None or param.max is not None:
            return {"min": param.min, "max": param.max}
        return "any"

    limits = list(model.inputs.values())
    most = max(sum(high for _, high in (i.images, i.videos, i.audios)) for i in limits)
    capabilities: dict[str, Any] = {
        "aspect_ratios": choices("aspect_ratio"),
        "durations": choices("duration"),
        "quality_levels": choices("quality"),
        "resolutions": choices("resolution"),
        "supports_sound": "sound" in fields,
        "supports_negative_prompt": "negative_prompt" in fields,
        "supports_seed": "seed" in fields,
        "max_prompt_chars": fields["prompt"].max_length,
        "max_input_files": most if most < UNBOUNDED else None,  # None: the doc writes no upper limit
    }
    if model.output == "video":
        capabilities["video_audio"] = model.video_audio
    kinds = sorted(
        {
            kind
            for limit in limits
            for kind, (_, high) in (("image", limit.images), ("video", limit.videos), ("audio", limit.audios))
            if high
        }
    )
    return {
        "model_id": model.id,
        "display_name": model.name or model.id,
        "provider": next((maker for prefix, maker in MAKERS if model.id.startswith(prefix)), "Kubeez"),
        "model_type": model.output,
        "cost_per_generation": cost,
        **({"cost_per_second": per_second} if per_second is not None else {}),
        "estimated_time_seconds": _seconds_estimate(behaviour),
        "generation_types": list(model.generation_types),
        "requires_input_media": not any(t.startswith("text-to-") for t in model.generation_types),
        "input_media_types": kinds,
        "capabilities": capabilities,
    }


def _models(store: Store, request: Request) -> Response:
    model_type = request.query.get("model_type")
    if model_type and model_type not in {"image", "video", "music"}:
        return _error(400, "invalid_params", "model_type must be image, video or music.", field="model_type")
    entries = [
        _model_entry(model, store.behaviour)
        for model in reading.models().values()
        if not model_type or model.output == model_type
    ]
    return _json(200, {"models": entries, "count": len(entries)})


def _balance_now(store: Store) -> Decimal:
    """The start balance less what live and finished jobs hold; failed and refused ones hold nothing."""
    spent = Decimal(0)
    for job in _kubeez_jobs(store):
        if job.extra.get("cost") and job.phase()[0] not in {"failed", "cancelled"}:
            spent += job.extra["cost"]
    return START_BALANCE - spent


def _balance(store: Store, request: Request) -> Response:
    return _json(200, {"credits": _balance_now(store), "unit": "credits", "last_updated": _now()})


def _estimate(store: Store, request: Request) -> Response:
    body = _body(request)
    if isinstance(body, Response):
        return body
    model = _model_for(body.get("model"))
    if isinstance(model, Response):
        return model
    try:
        behaviour = behaviour_for(str(body.get("prompt") or ""), store.behaviour)
    except ValueError as exc:
        return _error(400, "invalid_params", f"Bad sandbox directive: {exc}")
    samples = sum(1 for job in _kubeez_jobs(store) if job.model == model.id)
    return _json(
        200,
        {
            "model": model.id,
            "generation_type": body.get("generation_type") or model.generation_types[0],
            "estimated_time_seconds": _seconds_estimate(behaviour),
            "confidence": "high" if samples >= 10 else "low",
            "sample_size": samples,
        },
    )


# --- POST /v1/upload/media --------------------------------------------------------------


def _upload(store: Store, request: Request) -> Response:
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        return _error(400, "invalid_upload", "Send the files as multipart/form-data, one 'file' part each.")
    parts = _multipart_files(content_type, request.body)
    if not parts:
        return _error(400, "invalid_upload", "No file in the request: send each file as a 'file' part.")
    stored = []
    for name, data in parts:
        try:
            info = media.probe(data)
        except ValueError:
            return _error(
                400,
                "unsupported_media_type",
                f"{name} is not an image, video or audio file Kubeez accepts (JPEG, PNG, WebP; MP4, WebM, MOV; "
                "MP3, WAV, M4A).",
                filename=name,
            )
        extension = UPLOAD_TYPES.get(info["content_type"])
        if extension is None:
            return _error(
                400,
                "unsupported_media_type",
                f"{name} is {info['content_type']}, which Kubeez does not take.",
                filename=name,
            )
        limit = UPLOAD_LIMITS[info["kind"]]
        if len(data) > limit:
            return _error(413, "file_too_large", f"{name} is over {limit // (1024 * 1024)} MB.", filename=name)
        stored.append((name, info, data, extension))
    files = []
    for name, info, data, extension in stored:
        token = store.add_file(info["content_type"], data, extension)
        files.append(
            {
                "url": request.url_for(f"/files/{token}"),
                "filename": name,
                "content_type": info["content_type"],
                "media_type": info["kind"],
                "size_bytes": len(data),
            }
        )
    store.count("kubeez.uploads")
    return _json(200, {"urls": [item["url"] for item in files], "files": files})


def _multipart_files(content_type: str, body: bytes) -> list[tuple[str, bytes]]:
    """The (filename, bytes) of each file part of a multipart/form-data body."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match:
        return []
    files = []
    for chunk in body.split(b"--" + match.group(1).encode("latin-1"))[1:]:
        if chunk.startswith(b"--"):
            break  # the closing boundary
        head, separator, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not separator:
            continue
        disposition = next(
            (line for line in head.decode("latin-1").split("\r\n") if line.lower().startswith("content-disposition")),
            "",
        )
        filename = re.search(r'filename="([^"]*)"', disposition)
        if filename:
            files.append((filename.group(1) or "file", data.removesuffix(b"\r\n")))
    return files


# --- trim_video ----------------------------------------------------------------------------


def _unsafe_reason(url: str, request: Request) -> str | None:
    """Why Kubeez would refuse to fetch ``url`` (None when it is public or Kubeez-hosted)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        return "only http and https URLs are fetched"
    if parts.username is not None or parts.password is not None:
        return "URLs with embedded credentials are refused"
    if parts.netloc == request.host and parts.path.startswith("/files/"):
        return None  # a Kubeez-hosted upload or trim
    host = parts.hostname or ""
    if not host:
        return "the URL has no host"
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)}
    except (socket.gaierror, UnicodeError):
        return ""  # unresolvable: not unsafe, just unreachable
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if ip.version == 6 and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if not ip.is_global or ip.is_multicast:
            return f"{host} resolves to a private, loopback or metadata address"
    return None


def _trim(store: Store, request: Request) -> Response:
    started = time.monotonic()
    body = _body(request)
    if isinstance(body, Response):
        return body
    source_url = body.get("source_url")
    if not isinstance(source_url, str) or not source_url.strip():
        return _error(400, "missing_source_url", "source_url is required.")
    try:
        start_s = float(body.get("start_s") or 0)
        end_s = float(body["end_s"])
    except (KeyError, TypeError, ValueError):
        return _error(400, "invalid_trim_range", "end_s is required and start_s / end_s must be numbers.")
    if start_s < 0 or end_s <= start_s:
        return _error(400, "invalid_trim_range", "end_s must be greater than start_s, and start_s not negative.")
    if end_s - start_s > TRIM_MAX_SECONDS:
        return _error(400, "trim_too_long", f"The window is {end_s - start_s:g}s; at most {TRIM_MAX_SECONDS}s.")
    reason = _unsafe_reason(source_url, request)
    if reason:
        return _error(
            400,
            "unsafe_source_url",
            f"Kubeez refuses to fetch internal hosts ({reason}); pass a publicly-resolvable URL.",
        )
    own = _own_media(store, request, source_url)
    if own is None:
        # The sandbox fetches nothing from outside; an unknown file is what Kubeez would fail to fetch.
        return _error(502, "source_fetch_failed", f"The source URL could not be fetched: {source_url}")
    data, info = own
    if len(data) > TRIM_SOURCE_MAX_BYTES:
        return _error(400, "source_too_large", "The source video is over 500 MB.")
    if info["kind"] != "video" or not info.get("duration"):
        return _error(422, "ffmpeg_failed", "ffmpeg rejected the file: it is not a video.")
    if start_s >= info["duration"]:
        return _error(400, "invalid_trim_range", f"start_s is past the end of the {info['duration']:.2f}s source.")
    seconds = min(end_s, info["duration"]) - start_s
    clip = media.render_video(
        f"trim {start_s:g}-{end_s:g}s",
        seconds,
        info["width"],
        info["height"],
        container="webm" if info["content_type"].endswith("webm") else "mp4",
    )
    extension = "webm" if info["content_type"].endswith("webm") else "mp4"
    token = store.add_file(info["content_type"], clip, extension)
    trimmed = media.probe(clip)
    return _json(
        200,
        {
            "url": request.url_for(f"/files/{token}"),
            "size_bytes": len(clip),
            "duration_s": round(trimmed["duration"] or seconds, 3),
            "start_s": start_s,
            "end_s": end_s,
            "elapsed_s": round(time.monotonic() - started, 2),
        },
    )
