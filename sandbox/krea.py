"""Krea's documented API (seeds/003, OpenAPI 3.1): every ``POST /generate/...``
endpoint with its request schema, ``GET /jobs``, ``GET``/``DELETE /jobs/{id}``,
``POST /assets``, bearer auth and the ``X-Webhook-URL`` callback.

Everything Krea-specific comes from the sandbox's own reading of the vendored
doc (``sandbox/readings/krea.py``), never from the studio's catalog. Request
bodies are validated against the endpoint's own schema (Draft 2020-12), so a
client that sends a field Krea doesn't know, a wrong type or a camelCase name
shows up as Krea's 400 "The request body is invalid.". The documented
camelCase aliases are still accepted, as Krea says, and counted under
``krea.deprecated_field``.

Each accepted job is charged by the endpoint's compute-unit table (the row
the request selects, defaults filled in) and the amount kept on the job for
``GET /_sandbox/charges``; Krea's API itself has no billing path. Endpoints
without a table are accepted and charged 0 (``krea.unpriced`` in the stats),
as are requests no row covers (``krea.no_price_row``).

A job goes ``backlogged → queued → processing → completed`` on the sandbox
clock (Job.phase()); the job object has exactly the documented keys.
"""

from __future__ import annotations

import email.parser
import email.policy
import io
import secrets
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker

from sandbox.core import Job, Request, Response, Store, behaviour_for, json_response, webhook_later
from sandbox.outputs import job_outputs
from sandbox.readings import krea as reading

# The job object's status enum and the webhook header, as the sandbox's reading of 003 has them.
JOB_STATUSES = reading.JOB_STATUSES
ASSET_TYPES = {  # POST /assets: "JPEG, PNG, WebP, HEIC, MP4, MOV, WebM, GLB, WAV, MP3"
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "model/gltf-binary": "glb",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/wave": "wav",
    "audio/mpeg": "mp3",
}
ASSET_MAX_BYTES = 75 * 1024 * 1024
FAILED_MESSAGE = "The model could not generate this request (sandbox failure)."

_formats = FormatChecker()


@_formats.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


@lru_cache(maxsize=64)  # one per documented endpoint; unknown paths never get here
def _validator(path: str) -> Draft202012Validator:
    return Draft202012Validator(reading.ENDPOINTS[path].schema, format_checker=_formats)


def _error(status: int, message: str, **headers: str) -> Response:
    return json_response(status, {"error": message}, **headers)


def _authorised(request: Request, api_key: str) -> bool:
    value = request.headers.get("authorization", "")
    token = value[7:].strip() if value.lower().startswith("bearer ") else ""
    return bool(token) and secrets.compare_digest(token, api_key)


def handle(store: Store, request: Request, path: str, api_key: str) -> Response:
    if not _authorised(request, api_key):
        return _error(401, "Unauthorized: send Authorization: Bearer <API key>.")
    method = request.method
    if path.startswith("/generate/"):
        if method != "POST":
            return _error(404, "Not found.")
        return _generate(store, request, path)
    if path == "/jobs" and method == "GET":
        return _list(store, request)
    if path.startswith("/jobs/") and path.count("/") == 2:
        job_id = path.rsplit("/", 1)[1]
        if method == "GET":
            return _get(store, request, job_id)
        if method == "DELETE":
            return _delete(store, job_id)
    if path == "/assets" and method == "POST":
        return _upload(store, request)
    return _error(404, "Not found.")


# --- generating ----------------------------------------------------------------


def _now_iso(at: datetime | None = None) -> str:
    return (at or datetime.now(UTC)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _render_params(body: dict[str, Any]) -> dict[str, Any]:
    """What sandbox.outputs needs, read from Krea's field names."""
    aspect = body.get("aspect_ratio") or body.get("ratio")
    if not aspect and body.get("width") and body.get("height"):
        aspect = f"{body['width']}:{body['height']}"
    params: dict[str, Any] = {"prompt": body.get("prompt") or "", "aspect_ratio": aspect}
    if body.get("duration") is not None:
        params["duration"] = body["duration"]
    elif body.get("frame_num") or body.get("num_frames"):
        params["n_frames"] = body.get("frame_num") or body.get("num_frames")
    if isinstance(body.get("seed"), (int, float)):
        params["seed"] = int(body["seed"]) % (2**31)
    params["sound"] = bool(body.get("generate_audio"))
    return params


def _charge(store: Store, endpoint: reading.Endpoint, body: dict[str, Any]) -> tuple[Decimal, str]:
    """What the job costs by the endpoint's compute-unit table, and the row (or why nothing) it was read from.

    An endpoint without a table (Topaz, SeedEdit, Aleph) and a request no row covers (Veo 3 at 4 s)
    are accepted, as Krea's schema accepts them, and charged 0: the doc states no price to charge.
    """
    if not endpoint.priced:
        store.count("krea.unpriced")
        return Decimal(0), f"{endpoint.price_pointer}: no price table"
    row = endpoint.price_for(body)
    if row is None:
        store.count("krea.no_price_row")
        return Decimal(0), f"{endpoint.price_pointer}: no row for this request"
    store.count("krea.charged")
    return row.amount, f"{row.pointer} {row.line}"


def _generate(store: Store, request: Request, path: str) -> Response:
    endpoint = reading.endpoint(path)
    if endpoint is None:
        return _error(404, f"No such endpoint: POST {path}")
    validator, aliases = _validator(path), endpoint.aliases
    try:
        body = request.json()
    except ValueError:
        return _error(400, "The request body is invalid: it is not JSON.")
    if not isinstance(body, dict):
        return _error(400, "The request body is invalid: expected a JSON object.")
    for old, new in aliases.items():
        if old in body:  # accepted for compatibility until the sunset date, as documented
            store.count("krea.deprecated_field")
            value = body.pop(old)
            body.setdefault(new, value)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        store.count("krea.invalid_body")
        first = errors[0]
        where = "/".join(str(part) for part in first.absolute_path) or "body"
        return _error(400, f"The request body is invalid: {where}: {first.message}")
    behaviour = behaviour_for(str(body.get("prompt") or ""), store.behaviour)
    if behaviour.fail == "5xx":
        store.count("krea.5xx")
        return _error(500, "Internal server error.")
    if behaviour.fail == "insufficient":
        return _error(402, "You have run out of credits.")
    if behaviour.fail == "timeout":
        time.sleep(40)
    cost, priced_by = _charge(store, endpoint, body)
    created = datetime.now(UTC)
    job = store.add_job(
        Job(
            id=str(uuid.uuid4()),
            provider="krea",
            model=endpoint.slug,
            params=_render_params(body),
            behaviour=behaviour,
            kind=endpoint.output,
            # "charge" is read by /_sandbox/charges: the compute units this job cost, by the doc's table.
            extra={"path": path, "body": body, "created_at": created, "charge": cost, "priced_by": priced_by},
        )
    )
    webhook = request.headers.get(reading.WEBHOOK_HEADER.lower(), "")
    if webhook:
        job.extra["webhook"] = webhook
        _webhook_on_completion(store, job, request, webhook)
    return json_response(
        200,
        {
            "job_id": job.id,
            "status": "backlogged",
            "created_at": _now_iso(created),
            "completed_at": None,
            "result": None,
        },
    )


def _webhook_on_completion(store: Store, job: Job, request: Request, url: str) -> None:
    """When the job finishes, POST its job object (results included) to ``url``, once."""

    def fire() -> None:
        phase, _ = job.phase()
        if phase not in {"completed", "failed"}:
            return  # cancelled or never finishing: Krea calls back only when a job completes
        store.count("krea.webhook")
        webhook_later(0, url, _job_object(store, job, request), {"Content-Type": "application/json"})

    timer = threading.Timer(max(job.behaviour.delay, 0.0) + 0.05, fire)
    timer.daemon = True
    timer.start()


# --- jobs ---------------------------------------------------------------------------


def _status_of(job: Job) -> tuple[str, str]:
    """(Krea status, sandbox phase)."""
    phase, _ = job.phase()
    if phase == "queued":
        elapsed = time.monotonic() - job.created
        # The queued window (the first 15 % of the delay) is split: backlogged, then queued.
        return ("backlogged" if elapsed < job.behaviour.delay * 0.075 else "queued"), phase
    return phase, phase


def _job_object(store: Store, job: Job, request: Request) -> dict[str, Any]:
    status, phase = _status_of(job)
    created: datetime = job.extra["created_at"]
    payload: dict[str, Any] = {"job_id": job.id, "status": status, "created_at": _now_iso(created)}
    finished_at = created + timedelta(seconds=max(job.behaviour.delay, 0.0))
    if phase == "completed":
        payload["completed_at"] = _now_iso(finished_at)
        payload["result"] = {"urls": job_outputs(store, job, request)}
    elif phase == "failed":
        payload["completed_at"] = _now_iso(finished_at)
        payload["error"] = FAILED_MESSAGE  # the schema documents no reason; the sandbox gives one
    return payload


def _visible(store: Store, job_id: str) -> Job | None:
    job = store.job("krea", job_id)
    return None if job is None or job.extra.get("deleted") else job


def _get(store: Store, request: Request, job_id: str) -> Response:
    job = _visible(store, job_id)
    if job is None:
        return _error(404, "Job not found.")
    store.count("krea.status")
    if store.flapping(job):
        store.count("krea.503")
        return _error(503, "Service temporarily unavailable.")
    payload = _job_object(store, job, request)
    if job.behaviour.fail == "malformed" and payload["status"] == "completed":
        return Response(200, b"<html><body>502 Bad Gateway</body></html>", "text/html")
    return json_response(200, payload)


def _delete(store: Store, job_id: str) -> Response:
    """An active job is cancelled (it then reads ``cancelled``); a finished one is deleted."""
    job = _visible(store, job_id)
    if job is None:
        return _error(404, "Job not found.")
    phase, _ = job.phase()
    if phase in {"queued", "processing"}:
        job.cancelled = True
        store.count("krea.cancelled")
    elif phase != "cancelled":
        job.extra["deleted"] = True
    return Response(200, b"", "text/plain; charset=utf-8")


def _list(store: Store, request: Request) -> Response:
    query = request.query
    try:
        limit = int(query.get("limit", 100))
    except ValueError:
        return _error(400, "limit must be an integer.")
    if not 1 <= limit <= 1000:
        return _error(400, "limit must be between 1 and 1000.")
    status = query.get("status")
    if status and status not in JOB_STATUSES:
        return _error(400, f"status must be one of {', '.join(JOB_STATUSES)}.")
    cursor = None
    if query.get("cursor"):
        try:
            cursor = datetime.fromisoformat(query["cursor"].replace("Z", "+00:00"))
        except ValueError:
            return _error(400, "cursor must be an ISO 8601 timestamp.")
    with store.lock:
        jobs = [job for job in store.jobs.values() if job.provider == "krea" and not job.extra.get("deleted")]
    jobs.sort(key=lambda job: job.extra["created_at"], reverse=True)
    if cursor:
        jobs = [job for job in jobs if job.extra["created_at"] < cursor]
    items = [_job_object(store, job, request) for job in jobs]
    if status:
        items = [item for item in items if item["status"] == status]
    page = items[:limit]
    next_cursor = page[-1]["created_at"] if len(items) > limit else None
    return json_response(200, {"items": page, "next_cursor": next_cursor})


# --- assets ---------------------------------------------------------------------------


def _multipart(request: Request) -> dict[str, tuple[str | None, str, bytes]]:
    """name -> (filename, content type, bytes) from a multipart/form-data body."""
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        return {}
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + request.body
    )
    parts: dict[str, tuple[str | None, str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            parts[str(name)] = (part.get_filename(), part.get_content_type(), part.get_payload(decode=True) or b"")
    return parts


def _upload(store: Store, request: Request) -> Response:
    parts = _multipart(request)
    if "file" not in parts:
        return _error(400, "Send the asset as multipart/form-data with a file field.")
    _filename, content_type, data = parts["file"]
    extension = ASSET_TYPES.get(content_type)
    if extension is None:
        return _error(400, f"Invalid file type {content_type}.")
    if not data or len(data) > ASSET_MAX_BYTES:
        return _error(400, "Invalid file size: the maximum is 75MB.")
    width = height = None
    if content_type.startswith("image/"):
        from PIL import Image

        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
        except Exception:  # not a readable image: Krea refuses it the same way
            return _error(400, "Invalid file type: the image could not be read.")
    token = store.add_file(content_type, data, extension)
    store.count("krea.assets")
    asset = {
        "id": str(uuid.uuid4()),
        "image_url": request.url_for(f"/files/{token}"),
        "uploaded_at": _now_iso(),
        "width": width,
        "height": height,
        "size_bytes": len(data),
        "mime_type": content_type,
    }
    description = parts.get("description")
    if description:
        asset["description"] = description[2].decode("utf-8", "replace")
    return json_response(200, asset)
