"""Krea's API (OpenAPI 3.1, seeds/003): each model's own ``POST /generate/...``,
``GET /jobs/{id}``, ``DELETE /jobs/{id}`` and ``POST /assets``.

Krea answers a submit with a job object (``job_id``, ``status``, ``created_at``)
and reports the same object on ``GET /jobs/{id}``; a completed job carries its
files in ``result.urls``. Request bodies follow each endpoint's request schema,
which is ``additionalProperties: false`` and snake_case (the camelCase aliases
are deprecated), so the body is built only from the offer's fields, in the
JSON type the schema asks for.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from generations.providers.base import (
    CANCELLED,
    COMPLETED,
    FAILED,
    QUEUED,
    RUNNING,
    JobState,
    LocalMedia,
    ProviderError,
    SubmitRequest,
    error_from_response,
    http_client,
    transport_error,
)

# Every value of the job object's ``status`` enum, mapped to ours.
STATUS = {
    "backlogged": QUEUED,
    "queued": QUEUED,
    "scheduled": QUEUED,
    "processing": RUNNING,
    "sampling": RUNNING,
    "intermediate-complete": RUNNING,
    "completed": COMPLETED,
    "failed": FAILED,
    "cancelled": CANCELLED,
}

# Krea's docs: jobs on Krea's own models take about 3 minutes, jobs relayed to
# external model vendors up to 2 hours. Krea runs the models it can train
# styles (LoRAs) for itself (``POST /styles/train``: flux_dev, wan, wan22,
# qwen, z-image) plus Flux Kontext [dev] ("optimized for Krea"); every other
# endpoint relays to the vendor named in its path.
KREA_HOSTED = frozenset({"flux-1-dev", "flux-1-kontext-dev", "qwen-2512", "z-image", "wan-2.1", "wan-2.2"})
HOSTED_DEADLINE = timedelta(minutes=10)  # "about 3 minutes", with room for a backlog and a 60 s poll gap
EXTERNAL_DEADLINE = timedelta(hours=2)  # "up to 2 hours": already an upper bound

ASSET_MAX_BYTES = 75 * 1024 * 1024  # POST /assets: "Maximum file size: 75MB"
_TRUE = {"true", "1", "on", "yes"}


def deadline_seconds(spec: dict[str, Any]) -> int:
    """How long a job on this offer may take end to end, by who runs the model."""
    deadline = HOSTED_DEADLINE if spec.get("id") in KREA_HOSTED else EXTERNAL_DEADLINE
    return int(deadline.total_seconds())


def _number(name: str, value: Any, *, integer: bool) -> int | float:
    """A JSON number from a checked value (stored params hold Decimals as strings)."""
    if isinstance(value, bool):
        raise ProviderError("invalid_request", f"{name} must be a number", permanent=True)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ProviderError("invalid_request", f"{name} must be a number", permanent=True) from None
    if not number.is_finite():
        raise ProviderError("invalid_request", f"{name} must be a number", permanent=True)
    if number == number.to_integral_value():
        return int(number)
    if integer:
        raise ProviderError("invalid_request", f"{name} must be a whole number", permanent=True)
    return float(number)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not value)


def _urls(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [value]
    return [str(url) for url in value if url]


def request_body(spec: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """The endpoint's JSON body: one key per non-empty field, in the schema's type.

    Single-URL fields (``wire.single_url_fields``) go as one string, URL lists
    as lists, numbers as numbers, ``json`` fields as parsed JSON; empty
    optionals are left out rather than sent as null or "".
    """
    wire = spec.get("wire", {})
    single = set(wire.get("single_url_fields", []))
    listed = set(wire.get("url_list_fields", []))
    fields = {field["name"]: field for field in spec.get("fields", [])}
    body: dict[str, Any] = {}
    for name, value in params.items():
        field = fields.get(name)
        if _empty(value):
            continue
        if field is None:
            body[name] = value  # the catalog refuses unknown keys; if one slips through, let Krea say no
            continue
        kind = field["type"]
        if kind == "media":
            urls = _urls(value)
            if not urls:
                continue
            if name in single or (name not in listed and field.get("max_count", 1) == 1):
                body[name] = urls[0]
            else:
                body[name] = urls
        elif kind in {"integer", "number"}:
            body[name] = _number(name, value, integer=kind == "integer")
        elif kind == "boolean":
            body[name] = value if isinstance(value, bool) else str(value).strip().lower() in _TRUE
        elif kind == "enum":
            # Choices are in Krea's own JSON type (duration 5, resolution "720p").
            body[name] = next((choice for choice in field["choices"] if str(choice) == str(value)), value)
        elif kind == "json":
            if isinstance(value, str):  # a form posts JSON as text
                try:
                    value = json.loads(value)
                except ValueError:
                    raise ProviderError("invalid_request", f"{name} must be JSON", permanent=True) from None
            if _empty(value):
                continue
            body[name] = value
        else:
            body[name] = str(value)
    return body


class KreaClient:
    slug = "krea"
    cancel_call: str | None = "DELETE /jobs/{id}"  # Krea's OpenAPI: delete a job
    calls_back = True  # POSTs the job object to the X-Webhook-URL the submit names, once it finishes

    def __init__(self, *, base_url: str, api_key: str) -> None:
        # securitySchemes.bearerAuth: HTTP bearer.
        self.http = http_client(base_url, headers={"Authorization": f"Bearer {api_key}"})

    # --- HTTP ---------------------------------------------------------------

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise transport_error(exc) from exc
        if response.status_code >= 400:
            raise _error(response)
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self._send(method, path, **kwargs)
        try:
            body = response.json()
        except ValueError as exc:
            raise ProviderError(
                "malformed_response", "Krea answered with a body that is not JSON", permanent=False
            ) from exc
        if not isinstance(body, dict):
            raise ProviderError("malformed_response", "Krea answered with an unexpected body", permanent=False)
        return body

    # --- the interface ------------------------------------------------------

    def submit(self, request: SubmitRequest) -> str:
        path = request.spec.get("wire", {}).get("path")
        if not path:
            raise ProviderError(
                "invalid_request", f"The catalog has no Krea endpoint for {request.model_id}", permanent=True
            )
        params = dict(request.params)
        for name, files in request.uploads.items():
            params[name] = self._with_uploads(params.get(name), files)
        headers = {}
        if request.webhook_url:
            headers[request.spec.get("wire", {}).get("webhook_header", "X-Webhook-URL")] = request.webhook_url
        data = self._json("POST", path, json=request_body(request.spec, params), headers=headers)
        job_id = data.get("job_id")
        if not job_id:
            raise ProviderError("malformed_response", "Krea accepted the job without a job_id", permanent=False)
        return str(job_id)

    def status(self, job_id: str, spec: dict[str, Any]) -> JobState:
        data = self._json("GET", f"/jobs/{job_id}")
        raw = str(data.get("status", ""))
        status = STATUS.get(raw)
        if status is None:
            raise ProviderError("malformed_response", f"Krea reported an unknown status {raw!r}", permanent=False)
        if status == COMPLETED:
            result = data.get("result") if isinstance(data.get("result"), dict) else {}
            urls = [url for url in (result.get("urls") or []) if isinstance(url, str) and url]
            return JobState(status=COMPLETED, progress=100, outputs=urls)
        if status == FAILED:
            # The job object documents no error field; use one if Krea sends it.
            error = data.get("error")
            if isinstance(error, dict):
                error = error.get("message")
            message = str(error) if error else "Krea reported the job as failed."
            return JobState(status=FAILED, error=message, error_code="provider_failed")
        if status == CANCELLED:
            return JobState(status=CANCELLED)
        progress = data.get("progress")  # not in the schema; shown when Krea sends it
        return JobState(
            status=status,
            progress=max(0, min(100, int(progress))) if isinstance(progress, (int, float)) else None,
        )

    def cancel(self, job_id: str) -> bool:
        self._send("DELETE", f"/jobs/{job_id}")
        return True

    # --- uploads --------------------------------------------------------------

    def upload(self, media: LocalMedia) -> str:
        """``POST /assets`` (multipart ``file``); the asset's ``image_url`` is what the job reads."""
        try:
            size = media.size()
        except OSError as exc:
            raise ProviderError(
                "invalid_request", f"The source file {media.filename} is missing", permanent=True
            ) from exc
        if size > ASSET_MAX_BYTES:
            raise ProviderError(
                "invalid_request", f"{media.filename} is larger than Krea's 75 MB upload limit", permanent=True
            )
        with media.open() as handle:
            data = self._json(
                "POST",
                "/assets",
                files={"file": (media.filename, handle, media.content_type)},
                timeout=httpx.Timeout(120.0, connect=5.0),  # up to 75 MB on the way out
            )
        url = data.get("image_url")
        if not isinstance(url, str) or not url:
            raise ProviderError("malformed_response", "Krea stored the asset without an image_url", permanent=False)
        return url

    def _with_uploads(self, value: Any, files: list[LocalMedia]) -> list[str]:
        """The field's URLs with each uploaded file replaced by its Krea asset URL."""
        local = {media.public_url for media in files if media.public_url}
        urls = [url for url in _urls(value) if url not in local]
        return urls + [self.upload(media) for media in files]


def _error(response: httpx.Response) -> ProviderError:
    """Krea's documented errors, all ``{"error": string}``."""
    status = response.status_code
    if status in (400, 422):
        return error_from_response(response, code="invalid_request")
    if status == 402:
        return error_from_response(response, code="insufficient_provider_credits")
    if status == 404:
        return error_from_response(response, code="not_found")
    return error_from_response(response)  # 401/403 auth_failed, 429 rate_limited, 5xx retryable
