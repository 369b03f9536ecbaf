"""Kubflow's documented REST API (seeds/000): /api/v1/me, /models, /generations."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from sandbox.core import Job, Request, Response, Store, behaviour_for, json_response
from sandbox.outputs import job_outputs

API_KEY_HEADERS = ("authorization", "x-kubflow-api-key", "x-api-key")
DATA_FILE = Path(__file__).resolve().parent.parent / "catalog" / "data" / "kubflow.json"


def _models() -> list[dict]:
    data = json.loads(DATA_FILE.read_text())
    return [
        {
            "id": offer["id"],
            "name": offer["name"],
            "category": offer["category"],
            "params": {f["name"]: {k: v for k, v in f.items() if k != "name"} for f in offer["fields"]},
        }
        for offer in data["offers"]
    ]


def _authorised(request: Request, api_key: str) -> bool:
    for header in API_KEY_HEADERS:
        value = request.headers.get(header, "")
        if header == "authorization":
            value = value[7:] if value.lower().startswith("bearer ") else ""
        if value and secrets.compare_digest(value, api_key):
            return True
    return False


def _error(status: int, message: str) -> Response:
    return json_response(status, {"error": message})


def handle(store: Store, request: Request, path: str, api_key: str) -> Response:
    if path == "/api/v1/openapi.json":
        return json_response(200, {"openapi": "3.1.0", "info": {"title": "Kubflow (sandbox)", "version": "1"}})
    if not _authorised(request, api_key):
        return _error(401, "Missing or invalid API key.")
    if path == "/api/v1/me" and request.method == "GET":
        return json_response(200, {"account": "sandbox", "plan": "growth", "api_access": True})
    if path == "/api/v1/models" and request.method == "GET":
        models = _models()
        if request.query.get("category"):
            models = [m for m in models if m["category"] == request.query["category"]]
        return json_response(200, {"models": models})
    if path == "/api/v1/generations" and request.method == "POST":
        return _create(store, request)
    if path.startswith("/api/v1/generations/") and request.method == "GET":
        return _status(store, request, path.rsplit("/", 1)[1])
    return _error(404, "Not found.")


def _create(store: Store, request: Request) -> Response:
    try:
        body = request.json()
    except ValueError:
        return _error(400, "The request body must be JSON.")
    if not isinstance(body, dict):
        return _error(400, "The request body must be a JSON object.")
    params = body.get("params") or {}
    if not isinstance(params, dict):
        return _error(400, "params must be an object.")
    model = body.get("model")
    prompt = body.get("prompt") or params.get("prompt")
    if not model:
        return _error(400, "Missing model.")
    known = {m["id"]: m for m in _models()}
    if model not in known:
        return _error(400, f"Unknown model {model!r}. See GET /api/v1/models.")
    category = body.get("category") or known[model]["category"]
    if category not in {"image", "video"}:
        return _error(400, "Direct API generation currently accepts image and video.")
    # "400 | Missing model, prompt, category, or required params": a prompt is required where the model's
    # params (GET /api/v1/models) say so; an upscaler or a motion transfer has none or an optional one.
    if not prompt and known[model]["params"].get("prompt", {}).get("required"):
        return _error(400, "Missing prompt.")
    missing = [
        name
        for name, spec in known[model]["params"].items()
        if spec.get("required") and not spec.get("derived") and name != "prompt" and params.get(name) in (None, "", [])
    ]
    if missing:
        return _error(400, f"Missing required params: {', '.join(missing)}.")
    behaviour = behaviour_for(prompt or "", store.behaviour)
    if behaviour.fail == "5xx":
        store.count("kubflow.5xx")
        return _error(502, "Provider processing error. Retry later.")
    if behaviour.fail == "insufficient":
        return _error(402, "Insufficient credits on the Kubflow account.")
    if behaviour.fail == "timeout":
        import time

        time.sleep(40)
    reference = request.headers.get("x-request-id", "")
    if reference and store.count(f"kubflow.accepted_ref:{reference}") > 1:
        store.count("kubflow.duplicate_submissions")
    job = store.add_job(
        Job(
            id=f"gen_{secrets.token_hex(8)}",
            provider="kubflow",
            model=model,
            params={**params, "prompt": prompt or known[model]["name"]},
            behaviour=behaviour,
            kind=category,
        )
    )
    return json_response(
        200,
        {
            "generation_id": job.id,
            "status": "queued",
            "status_url": request.url_for(f"/kubflow/api/v1/generations/{job.id}"),
        },
    )


def _status(store: Store, request: Request, job_id: str) -> Response:
    job = store.job("kubflow", job_id)
    if job is None:
        return _error(404, "Generation was not found for the authenticated user.")
    store.count("kubflow.status")
    if store.flapping(job):
        return _error(503, "Provider processing error. Retry later.")
    phase, progress = job.phase()
    if job.behaviour.fail == "malformed" and phase == "completed":
        return Response(200, b"<html>upstream error</html>", "text/html")
    payload = {
        "generation_id": job.id,
        "status": {"processing": "processing"}.get(phase, phase),
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
