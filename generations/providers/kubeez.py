"""Kubeez's REST API: the HTTP form of the media and account tools (seeds/001, seeds/002).

The docs write two REST paths, ``POST /v1/generate/media`` and ``POST /v1/upload/media``
(multipart; its ``urls`` go into ``source_media_urls``). The others are the evident
REST forms of the documented tools, used alike here and in ``sandbox/kubeez.py``:

- ``GET /v1/generations/{generation_id}`` — get_generation_status
- ``GET /v1/generations?status=&model=&generation_type=`` — get_generations (latest 20)
- ``GET /v1/models?model_type=`` — get_models
- ``GET /v1/balance`` — get_balance
- ``POST /v1/generate/estimate`` — get_generation_estimate
- ``POST /v1/trim/video`` — trim_video

The docs don't say how the REST API authenticates, so the key goes in
``Authorization: Bearer``. They document no cancel, so :meth:`KubeezClient.cancel`
says False. Kubeez answers a refused request with ``{"error": "<code>", ...}``
(``variant_required`` with ``available_variants``, ``variant_mismatch``,
``aspect_ratio_incompatible_with_high_res``…); that code is kept as the
ProviderError code, permanent.
"""

from __future__ import annotations

import contextlib
import json
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
    Submitted,
    error_from_response,
    http_client,
    transport_error,
)

_STATUS = {
    "pending": QUEUED,
    "queued": QUEUED,
    "processing": RUNNING,
    "running": RUNNING,
    "completed": COMPLETED,
    "failed": FAILED,
    "cancelled": CANCELLED,
    "canceled": CANCELLED,
}
# Kubeez names no code for an empty account; these are the spellings it could use.
_INSUFFICIENT = {"insufficient_credits", "insufficient_balance", "not_enough_credits"}


class KubeezRequestError(ProviderError):
    """A request Kubeez refused (HTTP 4xx): ``code`` is Kubeez's own, ``details`` its whole answer."""

    def __init__(self, code: str, message: str, *, details: dict[str, Any]) -> None:
        super().__init__(code, message, permanent=True)
        self.details = details


class KubeezClient:
    slug = "kubeez"
    cancel_call: str | None = None  # Kubeez documents no cancel call

    def __init__(self, *, base_url: str, api_key: str, timeout: float = 30.0, upload_timeout: float = 120.0) -> None:
        self.http = http_client(base_url, headers={"Authorization": f"Bearer {api_key}"})
        # Explicit per call: tests use a short timeout, uploads of large videos a long one.
        self.http.timeout = httpx.Timeout(timeout, connect=min(5.0, timeout))
        self.upload_timeout = httpx.Timeout(upload_timeout, connect=min(5.0, timeout))

    # --- transport -------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise transport_error(exc) from exc
        if response.status_code >= 400:
            raise _error(response)
        try:
            return response.json()
        except ValueError as exc:
            raise ProviderError(
                "malformed_response",
                f"Kubeez answered {method} {path} with a body that is not JSON",
                permanent=False,
            ) from exc

    def _object(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        body = self._request(method, path, **kwargs)
        if not isinstance(body, dict):
            raise ProviderError(
                "malformed_response", f"Kubeez answered {path} with an unexpected body", permanent=False
            )
        return body

    # --- the ProviderClient interface ----------------------------------------------

    def submit(self, request: SubmitRequest) -> str:
        return self.submit_job(request).job_id

    def submit_job(self, request: SubmitRequest) -> Submitted:
        """generate_media; the answer "often" carries ``estimated_cost_credits`` (002, generate_media
        "Response"), which is kept as the cost Kubeez reported for the job."""
        body = self.request_body(request)
        data = self._object("POST", "/v1/generate/media", json=body)
        job_id = data.get("generation_id")
        if not job_id:
            raise ProviderError(
                "malformed_response", "Kubeez accepted the job without a generation_id", permanent=False
            )
        return Submitted(job_id=str(job_id), reported_cost=_reported_cost(data.get("estimated_cost_credits")))

    def request_body(self, request: SubmitRequest) -> dict[str, Any]:
        """The generate_media body: ``model`` plus the offer's fields, typed as Kubeez takes them.

        Uploaded files are sent to ``/v1/upload/media`` first and their URLs take the
        studio's place in the media field.
        """
        wire = request.spec.get("wire", {})
        specs = {spec["name"]: spec for spec in request.spec.get("fields", [])}
        not_sent = set(wire.get("not_sent", []))
        single_url = set(wire.get("single_url_fields", []))
        params = dict(request.params)
        for name, files in request.uploads.items():
            if files:
                params[name] = _with_uploads(params.get(name), files, self.upload(files))
        body: dict[str, Any] = {"model": request.model_id}
        for name, value in params.items():
            if name in not_sent or value is None:
                continue
            spec = specs.get(name, {"name": name, "type": "string"})
            if spec["type"] == "media":
                urls = [value] if isinstance(value, str) else list(value or [])
                if not urls:
                    continue  # "Omit for text-to-image and text-to-video"
                body[name] = urls[0] if name in single_url else urls
                continue
            body[name] = _wire_value(spec, value)
        return body

    def status(self, job_id: str, spec: dict[str, Any]) -> JobState:
        data = self._object("GET", f"/v1/generations/{job_id}")
        raw_status = str(data.get("status", "")).lower()
        status = _STATUS.get(raw_status)
        if status is None:
            raise ProviderError(
                "malformed_response", f"Kubeez reported an unknown status {data.get('status')!r}", permanent=False
            )
        outputs = _output_urls(data.get("outputs"))
        progress = data.get("progress")
        error = ""
        if status == FAILED:
            error = _failure_text(data) or "Kubeez failed the generation without a reason."
        return JobState(
            status=status,
            progress=int(progress) if isinstance(progress, (int, float)) and not isinstance(progress, bool) else None,
            outputs=outputs,
            error=error,
            error_code="provider_failed" if status == FAILED else "",
        )

    def cancel(self, job_id: str) -> bool:
        return False  # Kubeez documents no cancel call

    # --- the other documented tools ---------------------------------------------------

    def upload(self, files: list[LocalMedia]) -> list[str]:
        """POST /v1/upload/media: the studio's files become Kubeez URLs, in the same order."""
        with contextlib.ExitStack() as stack:
            parts = []
            for media in files:
                handle = stack.enter_context(media.open())
                parts.append(("file", (media.filename, handle, media.content_type)))
            data = self._object("POST", "/v1/upload/media", files=parts, timeout=self.upload_timeout)
        urls = data.get("urls")
        if not isinstance(urls, list) or len(urls) != len(files) or not all(isinstance(u, str) for u in urls):
            raise ProviderError(
                "malformed_response", "Kubeez answered the upload without one URL per file", permanent=False
            )
        return urls

    def models(self, model_type: str | None = None) -> list[dict[str, Any]]:
        """get_models: every enabled model with cost_per_generation, estimated_time_seconds, capabilities."""
        body = self._request("GET", "/v1/models", params={"model_type": model_type} if model_type else None)
        return _listing(body, "models")

    def balance(self) -> dict[str, Any]:
        """get_balance: ``credits`` as a Decimal, and ``last_updated`` when Kubeez gives it."""
        data = self._object("GET", "/v1/balance")
        try:
            credits = Decimal(str(data["credits"]))
        except (KeyError, InvalidOperation) as exc:
            raise ProviderError(
                "malformed_response", "Kubeez answered the balance without credits", permanent=False
            ) from exc
        return {**data, "credits": credits}

    def generations(
        self, *, status: str | None = None, model: str | None = None, generation_type: str | None = None
    ) -> list[dict[str, Any]]:
        """get_generations: the latest 20, optionally filtered."""
        filters = {"status": status, "model": model, "generation_type": generation_type}
        body = self._request("GET", "/v1/generations", params={k: v for k, v in filters.items() if v})
        return _listing(body, "generations")

    def estimate(
        self,
        *,
        model: str,
        generation_type: str | None = None,
        prompt: str | None = None,
        negative_prompt: str | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """get_generation_estimate: the expected processing time; no job is started."""
        body = {
            "model": model,
            "generation_type": generation_type,
            "prompt": prompt,
            "negative_prompt": negative_prompt,
            "parameters": parameters,
        }
        return self._object("POST", "/v1/generate/estimate", json={k: v for k, v in body.items() if v is not None})

    def trim_video(self, *, source_url: str, end_s: float, start_s: float | None = None) -> dict[str, Any]:
        """trim_video: a hosted clip of ``start_s``–``end_s`` of a public video, for source_media_urls."""
        body: dict[str, Any] = {"source_url": source_url, "end_s": end_s}
        if start_s is not None:
            body["start_s"] = start_s
        data = self._object("POST", "/v1/trim/video", json=body)
        if not isinstance(data.get("url"), str):
            raise ProviderError("malformed_response", "Kubeez answered the trim without a url", permanent=False)
        return data


# --- helpers ------------------------------------------------------------------------


def _error(response: httpx.Response) -> ProviderError:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {"message": f"HTTP {response.status_code}: {response.text[:200]}"}
    status = response.status_code
    doc_code = body.get("error") if isinstance(body.get("error"), str) else ""
    text = str(body.get("message") or body.get("hint") or doc_code or f"HTTP {status}")
    variants = body.get("available_variants")
    if isinstance(variants, list) and variants:
        family = body.get("family") or "this model"
        text = f"{family} is a model family; pass one of its variants: {', '.join(map(str, variants))}"
    if doc_code and doc_code not in text:
        text = f"{doc_code}: {text}"
    if status == 402 or doc_code in _INSUFFICIENT:
        return ProviderError("insufficient_provider_credits", text, permanent=True)
    if status in (401, 403):
        return ProviderError("auth_failed", text, permanent=True)
    if status == 404:
        return ProviderError("not_found", text, permanent=True)
    if status in {408, 429} or status >= 500:
        return error_from_response(response, message=text)  # retryable, with Retry-After
    return KubeezRequestError(doc_code or "invalid_request", text, details=body)


def _reported_cost(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        cost = Decimal(str(value))
    except InvalidOperation:
        return None
    return cost if cost.is_finite() and 0 <= cost < 10**9 else None


def _wire_value(spec: dict[str, Any], value: Any) -> Any:
    """Studio params come back from JSON storage (Decimals as strings); Kubeez wants JSON types.

    A number written with a suffix on the wire goes as the doc writes it: ``duration`` is documented
    as a string and sent as ``"duration": "5s"`` (002, generate_media parameters and example).
    """
    kind = spec.get("type")
    if kind in {"integer", "number"} and spec.get("suffix") and value is not None:
        try:
            number = Decimal(str(value).strip().removesuffix(spec["suffix"]))
        except InvalidOperation:
            return value
        shown = int(number) if number == number.to_integral_value() else number.normalize()
        return f"{shown}{spec['suffix']}"
    if kind in {"integer", "number"} and isinstance(value, (str, Decimal)):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            return value
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "boolean" and isinstance(value, str):
        return value.lower() in {"true", "1", "on", "yes"}
    if kind == "json" and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _with_uploads(current: Any, files: list[LocalMedia], urls: list[str]) -> list[str]:
    """Put each uploaded file's Kubeez URL where its studio URL was (frame order matters), else at the end."""
    existing = [current] if isinstance(current, str) else list(current or [])
    for media, url in zip(files, urls, strict=True):
        if media.public_url and media.public_url in existing:
            existing[existing.index(media.public_url)] = url
        else:
            existing.append(url)
    return existing


def _output_urls(outputs: Any) -> list[str]:
    """``outputs`` is a list of objects (url, thumbnail_url, optimized_url, media_type, dimensions)."""
    urls = []
    for item in outputs or []:
        if isinstance(item, str):
            urls.append(item)
        elif isinstance(item, dict):
            url = item.get("url") or item.get("optimized_url")
            if isinstance(url, str) and url:
                urls.append(url)
    return urls


def _failure_text(data: dict[str, Any]) -> str:
    for key in ("error_message", "error", "message"):
        value = data.get(key)
        if isinstance(value, dict):
            value = value.get("message")
        if isinstance(value, str) and value:
            return value
    return ""


def _listing(body: Any, key: str) -> list[dict[str, Any]]:
    items = body.get(key) if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise ProviderError("malformed_response", f"Kubeez answered without a list of {key}", permanent=False)
    return [item for item in items if isinstance(item, dict)]
