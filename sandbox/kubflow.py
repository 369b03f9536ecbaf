"""Kubflow's documented REST API (000): ``/api/v1/me``, ``/models``, ``/generations``.

Everything it knows comes from its own reading of the page, :mod:`sandbox.readings.kubflow` (every fact
with its doc line): the models and their categories and prices, the auth headers, the request schema,
the status fields and the error table. It imports nothing of the studio and reads nothing of ``catalog/``.

What it charges. "Kubflow API calls spend the connected account's credits" (line 202), but the page says
neither what a job whose price is a range costs nor what a per-second price counts, and neither the status
nor ``/api/v1/me`` reports a cost. The sandbox's own rules, applied when a job is accepted:

- A single figure ("14 credits", "~3 credits") is charged as written.
- A range ("8-18 credits", "2-8 credits est.") is charged at its **top**: the most the page lets Kubflow take,
  since nothing on it says which settings land where inside the range.
- "credits/s" is charged per second of the video delivered, rounded up to whole seconds: ``params.duration``
  where the request gives one ("duration": 5, line 128); for a model whose video follows a given clip
  (motion control, upscale: ``FOLLOWS_INPUT`` in the reading) that clip's length, measured when it is a file
  this sandbox serves; otherwise the 5 s clip the sandbox renders. A per-second range is charged at its top
  rate. Topaz Video Upscale's two rates ("8 credits/s (1x/2x), 14 credits/s (4x)", line 42) are chosen by
  ``params.upscale_factor`` ("1"/"2"/"4", with or without "x"; the page names no parameter, so without one
  the dearer 4x rate).
- "credits/min" (line 77) is charged per started minute; such a model (utility) can't be run by the API.

Each charge is kept on the job and counted in ``/_sandbox/stats``: ``kubflow.spent_millicredits`` (the
account's total) and ``kubflow.charged_millicredits:<generation_id>``.

Refusals follow the error table (lines 204-210): 401 for a missing or wrong key (the bearer token or one of
its two aliases, lines 93-96), 403 when the account's plan has no API access (``[sandbox fail=no_api_access]``
in a prompt, or ``POST /_sandbox/config {"fail": "no_api_access"}`` for the whole account), 400 for a
missing model, prompt or required input, or a category other than image and video (line 110), 404 for an
unknown generation, 5xx for a processing error. The page documents no answer for an empty account; the
sandbox's ``fail=insufficient`` answers 402.
"""

from __future__ import annotations

import math
import secrets
import time
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from sandbox import media
from sandbox.core import Job, Request, Response, Store, behaviour_for, json_response
from sandbox.outputs import job_outputs
from sandbox.readings import kubflow as reading

DEFAULT_CLIP_SECONDS = 5  # the clip the sandbox renders when a request names no length (sandbox/outputs.py)
NO_API_ACCESS = "no_api_access"


def _error(status: int, message: str) -> Response:
    return json_response(status, {"error": message})


def _doc_error(status: int, detail: str = "") -> Response:
    """An answer of the error table: its documented meaning, and what exactly was wrong where it helps."""
    meaning = reading.ERRORS_BY_STATUS["5xx" if status >= 500 else str(status)].meaning
    return _error(status, f"{meaning} {detail}".strip())


def _authorised(request: Request, api_key: str) -> bool:
    for header in reading.AUTH_HEADERS:
        value = request.headers.get(header, "")
        if header == "authorization":
            value = value[7:] if value.lower().startswith("bearer ") else ""
        if value and secrets.compare_digest(value, api_key):
            return True
    return False


def _model_entry(model: reading.Model) -> dict[str, Any]:
    return {
        "id": model.id,
        "name": model.name,
        "category": model.category,
        "params": {name: {"required": True} for name in model.needs},
    }


def handle(store: Store, request: Request, path: str, api_key: str) -> Response:
    if path in reading.PUBLIC_PATHS:
        return json_response(200, {"openapi": "3.1.0", "info": {"title": "Kubflow (sandbox)", "version": "1"}})
    if not _authorised(request, api_key):
        return _doc_error(401)
    no_access = store.behaviour.fail == NO_API_ACCESS
    if path == "/api/v1/me" and request.method == "GET":
        return json_response(
            200,
            {"account": "sandbox", "plan": "free" if no_access else "growth", "api_access": not no_access},
        )
    if no_access:
        return _doc_error(403)
    if path == "/api/v1/models" and request.method == "GET":
        listed = reading.models()
        if request.query.get("category"):
            listed = tuple(m for m in listed if m.category == request.query["category"])
        return json_response(200, {"models": [_model_entry(m) for m in listed]})
    if path == "/api/v1/generations" and request.method == "POST":
        return _create(store, request)
    if path.startswith("/api/v1/generations/") and request.method == "GET":
        return _status(store, request, path.rsplit("/", 1)[1])
    return _error(404, "Not found.")


def _create(store: Store, request: Request) -> Response:
    try:
        body = request.json()
    except ValueError:
        return _doc_error(400, "The request body must be JSON.")
    if not isinstance(body, dict):
        return _doc_error(400, "The request body must be a JSON object.")
    params = body.get("params") if body.get("params") is not None else {}
    if not isinstance(params, dict):
        return _doc_error(400, "params must be an object.")
    model_id = body.get("model")
    if not model_id or not isinstance(model_id, str):
        return _doc_error(400, "model is required.")
    model = reading.model_get(model_id)
    if model is None:
        return _doc_error(400, f"Unknown model {model_id!r}; see GET /api/v1/models.")
    category = body.get("category") or model.category
    if category not in reading.DIRECT_CATEGORIES.value or category != model.category:
        return _doc_error(400, f"Unsupported category {category!r}: {reading.DIRECT_CATEGORIES.quote}")
    prompt = body.get("prompt") or params.get("prompt") or ""
    if not isinstance(prompt, str):
        return _doc_error(400, "prompt must be a string.")
    if "prompt" in model.needs and not prompt.strip():
        return _doc_error(400, f"{model.id} needs a prompt.")
    missing = [name for name in model.needs if name != "prompt" and params.get(name) in (None, "", [])]
    if missing:
        return _doc_error(400, f"{model.id} needs params.{', params.'.join(missing)}.")
    for name in ("image_url", "video_url"):
        value = params.get(name)
        if value is not None and not (
            isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
        ):
            return _doc_error(400, f"params.{name} must be a URL.")
    behaviour = behaviour_for(prompt, store.behaviour)
    if behaviour.fail == NO_API_ACCESS:
        return _doc_error(403)
    if behaviour.fail == "5xx":
        store.count("kubflow.5xx")
        return _doc_error(502, "Retry later.")
    if behaviour.fail == "insufficient":
        return _error(402, "Insufficient credits on the Kubflow account.")
    if behaviour.fail == "timeout":
        time.sleep(40)
    reference = request.headers.get("x-request-id", "")
    if reference and store.count(f"kubflow.accepted_ref:{reference}") > 1:
        store.count("kubflow.duplicate_submissions")
    charged = job_charge(model, params, _input_seconds(store, model, params))
    job = store.add_job(
        Job(
            id=f"gen_{secrets.token_hex(8)}",
            provider="kubflow",
            model=model.id,
            params={**params, "prompt": prompt or model.name},
            behaviour=behaviour,
            kind=category,
            extra={"charged": str(charged)},
        )
    )
    millicredits = int(charged * 1000)
    with store.lock:
        store.counters["kubflow.spent_millicredits"] += millicredits
        store.counters[f"kubflow.charged_millicredits:{job.id}"] = millicredits
    return json_response(
        200,
        {
            "generation_id": job.id,
            "status": "queued",
            "status_url": request.url_for(f"/kubflow/api/v1/generations/{job.id}"),
        },
    )


def _seconds_asked(params: dict[str, Any]) -> float | None:
    raw = params.get("duration")
    if raw in (None, "") or isinstance(raw, bool):
        return None
    try:
        value = float(str(raw).strip().rstrip("s"))
    except ValueError:
        return None
    return value if math.isfinite(value) and value > 0 else None


def _input_seconds(store: Store, model: reading.Model, params: dict[str, Any]) -> float | None:
    """The length of the clip a model's video follows, when it is a file this sandbox serves."""
    if not model.follows_input:
        return None
    value = params.get(model.follows_input)
    url = value[0] if isinstance(value, list) and value else value
    if not isinstance(url, str):
        return None
    path = urlsplit(url).path
    if not path.startswith("/files/"):
        return None
    entry = store.files.get(path[len("/files/") :])
    if entry is None:
        return None
    try:
        duration = media.probe(entry[1]).get("duration")
    except Exception:  # not a media file the sandbox can read: charged as the default clip
        return None
    return float(duration) if duration else None


def job_charge(model: reading.Model, params: dict[str, Any], input_seconds: float | None = None) -> Decimal:
    """What the sandbox's Kubflow account is charged for an accepted job (the rules of the module docstring)."""
    price = model.price
    if price.per == "request":
        return price.high
    rate = price.high
    if price.tiers:
        factor = str(params.get("upscale_factor", "")).strip().lower().rstrip("x")
        rate = next((amount for names, amount in price.tiers if f"{factor}x" in names), price.high)
    seconds = _seconds_asked(params) or input_seconds or DEFAULT_CLIP_SECONDS
    if price.per == "min":
        return rate * math.ceil(seconds / 60)
    return rate * math.ceil(seconds)


def _status(store: Store, request: Request, job_id: str) -> Response:
    job = store.job("kubflow", job_id)
    if job is None:
        return _doc_error(404)
    store.count("kubflow.status")
    if store.flapping(job):
        return _doc_error(503, "Retry later.")
    phase, progress = job.phase()
    if job.behaviour.fail == "malformed" and phase == "completed":
        return Response(200, b"<html>upstream error</html>", "text/html")
    payload = {
        "generation_id": job.id,
        # "until status is completed, failed, or canceled" (line 88); the page names no earlier states.
        "status": {"cancelled": "canceled"}.get(phase, phase),
        "progress": progress,
        "result_url": None,
        "outputs": [],
        "error": None,
    }
    if phase == "completed":
        outputs = job_outputs(store, job, request)
        payload.update(result_url=outputs[0], outputs=outputs)
    elif phase == "failed":
        payload["error"] = "The model could not generate this request (sandbox failure)."
    return json_response(200, payload)
