"""Kubeez's documented REST API (seeds/001 account tools, seeds/002 media tools).

Paths (the same in generations/providers/kubeez.py): ``POST /v1/generate/media`` and
``POST /v1/upload/media`` are written in the docs; ``GET /v1/generations/{id}``
(get_generation_status), ``GET /v1/generations`` (get_generations),
``GET /v1/models`` (get_models), ``GET /v1/balance`` (get_balance),
``POST /v1/generate/estimate`` (get_generation_estimate) and ``POST /v1/trim/video``
(trim_video) are the evident REST forms of the named tools.

Requests are checked against the catalog's reading of the docs
(catalog/data/kubeez.json through catalog.pricing), and refusals come back in
Kubeez's shape: HTTP 400 ``{"error": "<code>", "message": ..., ...details}``, with
the family-label answer exactly as the doc prints it. Refused requests hold no
credits. Generic generate_media parameters a model doesn't use are ignored, as
the doc says ("All other models ignore negative_prompt", ...); any other unknown
key is refused, so a client that misnames a field finds out here.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
import secrets
import socket
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from catalog.pricing import QuoteError, offer_check, offer_price
from sandbox import media
from sandbox.core import Behaviour, Job, Request, Response, Store, behaviour_for
from sandbox.outputs import job_outputs

PROVIDER = "kubeez"
DATA_FILE = Path(__file__).resolve().parent.parent / "catalog" / "data" / "kubeez.json"
START_BALANCE = Decimal("10000")  # the sandbox account's credits
LATEST = 20  # get_generations: "Returns your latest 20 generations"
TIMEOUT_SLEEP = 35.0  # past the client's default 30 s timeout
GENERIC = {
    "prompt",
    "generation_type",
    "negative_prompt",
    "source_media_urls",
    "aspect_ratio",
    "duration",
    "quality",
    "resolution",
    "sound",
    "seed",
}
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
TRIM_MAX_SECONDS = 60
TRIM_SOURCE_MAX_BYTES = 500 * 1024 * 1024
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


@functools.cache
def _catalog() -> tuple[dict[str, dict], dict[str, dict]]:
    data = json.loads(DATA_FILE.read_text())
    offers = {offer["id"]: offer for offer in data["offers"]}
    labels = {label["label"]: label for label in data["family_labels"]}
    return offers, labels


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


def _body(request: Request) -> dict[str, Any] | Response:
    try:
        body = request.json()
    except ValueError:
        return _error(400, "invalid_json", "The request body must be JSON.")
    if not isinstance(body, dict):
        return _error(400, "invalid_json", "The request body must be a JSON object.")
    return body


def _offer_for(model: Any) -> dict[str, Any] | Response:
    offers, labels = _catalog()
    if not isinstance(model, str) or not model:
        return _error(400, "invalid_params", "model is required (a model_id from get_models).", field="model")
    if model in labels:
        # The doc's exact answer for a family label; no credits are deducted.
        return _json(
            400,
            {
                "error": "variant_required",
                "family": model,
                "available_variants": labels[model]["variants"],
                "hint": "Ask the user which variant they want — resolution, draft vs standard, or with/without "
                "reference video. Pull pricing from get_models.",
            },
        )
    if model not in offers:
        return _error(400, "unknown_model", f"Unknown model {model!r}. Use a model_id from get_models.", model=model)
    return offers[model]


def _generate(store: Store, request: Request) -> Response:
    body = _body(request)
    if isinstance(body, Response):
        return body
    offer = _offer_for(body.get("model"))
    if isinstance(offer, Response):
        return offer
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        return _error(400, "invalid_params", "prompt is required.", field="prompt")
    fields = {spec["name"] for spec in offer["fields"] if not spec.get("derived")}  # derived: the studio's own
    params: dict[str, Any] = {}
    unknown = []
    for key, value in body.items():
        if key == "model":
            continue
        if key in fields:
            params[key] = value
        elif key not in GENERIC:  # generic parameters a model doesn't use are ignored, as documented
            unknown.append(key)
    if unknown:
        return _error(400, "invalid_params", f"Unknown parameter(s) for {offer['id']}: {', '.join(sorted(unknown))}.")
    try:
        clean = offer_check(offer, params)
    except QuoteError as exc:
        return _json(400, exc.as_dict())
    too_long = _reference_lengths_refusal(store, request, offer, clean)
    if too_long is not None:
        return too_long
    try:
        behaviour = behaviour_for(prompt, store.behaviour)
    except ValueError as exc:
        return _error(400, "invalid_params", f"Bad sandbox directive: {exc}")
    try:
        render = _render_params(store, request, offer, clean, prompt)
    except ValueError as exc:
        return _error(400, "invalid_params", str(exc), field="aspect_ratio")
    if behaviour.fail == "5xx":
        store.count("kubeez.5xx")
        return _error(500, "internal_error", "Kubeez could not start the generation. Retry later.")
    if behaviour.fail == "timeout":
        time.sleep(TIMEOUT_SLEEP)
    cost = _price(offer, clean)
    balance = _balance_now(store)
    if behaviour.fail == "insufficient" or (cost is not None and cost > balance):
        return _error(
            402,
            "insufficient_credits",
            f"Not enough Kubeez credits for {offer['id']}: it costs {_number(cost)}, the balance is "
            f"{_number(balance)}.",
            required_credits=cost,
            balance=balance,
        )
    generation_type = clean.get("generation_type") or offer["generation_types"][0]
    job = store.add_job(
        Job(
            id=str(uuid.uuid4()),
            provider=PROVIDER,
            model=offer["id"],
            params=render,
            behaviour=behaviour,
            kind=offer["output"],
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
    store: Store, request: Request, offer: dict[str, Any], clean: dict[str, Any]
) -> Response | None:
    """Seedance 2's hard limits on reference lengths, for the files this sandbox hosts (uploads, trims).

    Like the real backend over REST, it can't probe other URLs, so those pass.
    """
    if offer.get("family") != "seedance-2":
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


def _price(offer: dict[str, Any], clean: dict[str, Any]) -> Decimal | None:
    if offer.get("unpriced"):
        return None
    try:
        return offer_price(offer, clean, "credits").amount
    except QuoteError:
        return None


def _seconds_estimate(behaviour: Behaviour) -> int:
    return max(1, round(behaviour.delay))


def _render_params(
    store: Store, request: Request, offer: dict[str, Any], clean: dict[str, Any], prompt: str
) -> dict[str, Any]:
    """What sandbox.outputs needs to render the file the request asked for."""
    sources = [url for url in clean.get("source_media_urls") or [] if isinstance(url, str)]
    aspect = str(clean.get("aspect_ratio") or ("16:9" if offer["output"] == "video" else "1:1"))
    if aspect.lower() in {"auto", "adaptive"}:
        aspect = _source_aspect(store, request, sources) or "1:1"  # "auto matches the first input image"
    media.aspect_size(aspect, None, base=64)  # raises ValueError for a ratio the model can't take
    render: dict[str, Any] = {"prompt": prompt, "aspect_ratio": aspect}
    if offer["output"] == "image":
        tier = clean.get("resolution") or {"basic": "2K", "high": "4K"}.get(clean.get("quality"), clean.get("quality"))
        if tier in {"1K", "2K", "4K"}:
            render["resolution"] = tier
        if clean.get("seed") is not None:
            render["seed"] = int(clean["seed"])
        return render
    render["duration"] = _video_seconds(store, request, offer, clean, sources)
    fields = {spec["name"] for spec in offer["fields"]}
    if "sound" in fields:  # toggle_via_sound_param
        render["sound"] = bool(clean.get("sound"))
    elif "generate_audio" in fields:
        render["sound"] = bool(clean.get("generate_audio"))
    else:
        render["sound"] = _video_audio(offer) == "included"
    return render


def _video_seconds(
    store: Store, request: Request, offer: dict[str, Any], clean: dict[str, Any], sources: list[str]
) -> float | str | None:
    model = offer["id"]
    if model.startswith("gemini-omni-video"):
        fixed = re.search(r"-(\d+)s$", model)
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
    fixed = re.search(r"-(\d+)s$", model)
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


def _video_audio(offer: dict[str, Any]) -> str | None:
    if offer["output"] != "video":
        return None
    if any(spec["name"] == "sound" for spec in offer["fields"]):
        return "toggle_via_sound_param"
    if offer["id"] == "v1-pro-fast-i2v":
        return "silent"  # "silent — No generated audio (Seedance 1.0 / v1-pro-fast-i2v only)"
    return "included"


def _model_entry(offer: dict[str, Any], behaviour: Behaviour) -> dict[str, Any]:
    specs = {spec["name"]: spec for spec in offer["fields"]}
    media_specs = [spec for spec in offer["fields"] if spec["type"] == "media"]
    cost = None
    if not offer.get("unpriced"):
        required = {s["name"]: "x" for s in offer["fields"] if s.get("required") and s["type"] in {"text", "string"}}
        try:
            cost = offer_price(offer, offer_check(offer, required), "credits").amount
        except QuoteError:
            # A flat price needs no defaults (Gemini Omni wants an image first); a per-second
            # price with no default duration has no single figure.
            cost = Decimal(str(offer["pricing"]["flat"])) if "flat" in offer["pricing"] else None
    per_second = _rate_per_second(offer)

    def choices(name: str) -> Any:
        spec = specs.get(name)
        if spec is None:
            return None
        if "choices" in spec:
            return spec["choices"]
        if "min" in spec or "max" in spec:
            return {"min": spec.get("min"), "max": spec.get("max")}
        return "any"

    capabilities: dict[str, Any] = {
        "aspect_ratios": choices("aspect_ratio"),
        "durations": choices("duration"),
        "quality_levels": choices("quality"),
        "resolutions": choices("resolution"),
        "supports_sound": "sound" in specs,
        "supports_negative_prompt": "negative_prompt" in specs,
        "supports_seed": "seed" in specs,
        "max_prompt_chars": specs.get("prompt", {}).get("max_length"),
        "max_input_files": media_specs[0].get("max_count") if media_specs else 0,
    }
    if offer["output"] == "video":
        capabilities["video_audio"] = _video_audio(offer)
    return {
        "model_id": offer["id"],
        "display_name": offer["name"],
        "provider": next((maker for prefix, maker in MAKERS if offer["id"].startswith(prefix)), "Kubeez"),
        "model_type": offer["output"],
        "cost_per_generation": cost,
        **({"cost_per_second": per_second} if per_second is not None else {}),
        "estimated_time_seconds": _seconds_estimate(behaviour),
        "generation_types": offer["generation_types"],
        "requires_input_media": not any(t.startswith("text-to-") for t in offer["generation_types"]),
        "input_media_types": sorted({kind for spec in media_specs for kind in spec.get("kinds", [])}),
        "capabilities": capabilities,
    }


def _rate_per_second(offer: dict[str, Any]) -> Decimal | None:
    """The "credits / sec" rate of a per-second model, with its defaults (Kling 3.0 silent, Seedance 2)."""
    pricing = offer["pricing"]
    if offer.get("unpriced") or pricing.get("per", {}).get("field") != "duration":
        return None
    defaults = {spec["name"]: spec["default"] for spec in offer["fields"] if "default" in spec}
    try:
        return offer_price({"name": offer["name"], "pricing": pricing["rate"]}, defaults, "credits").amount
    except QuoteError:
        return None


def _models(store: Store, request: Request) -> Response:
    offers, _ = _catalog()
    model_type = request.query.get("model_type")
    if model_type and model_type not in {"image", "video", "music"}:
        return _error(400, "invalid_params", "model_type must be image, video or music.", field="model_type")
    entries = [
        _model_entry(offer, store.behaviour)
        for offer in offers.values()
        if not model_type or offer["output"] == model_type
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
    offer = _offer_for(body.get("model"))
    if isinstance(offer, Response):
        return offer
    try:
        behaviour = behaviour_for(str(body.get("prompt") or ""), store.behaviour)
    except ValueError as exc:
        return _error(400, "invalid_params", f"Bad sandbox directive: {exc}")
    samples = sum(1 for job in _kubeez_jobs(store) if job.model == offer["id"])
    return _json(
        200,
        {
            "model": offer["id"],
            "generation_type": body.get("generation_type") or offer["generation_types"][0],
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
