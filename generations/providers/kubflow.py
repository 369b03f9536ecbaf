"""Kubflow's REST API: POST /api/v1/generations, GET /api/v1/generations/{id}."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from generations.providers.base import (
    CANCELLED,
    COMPLETED,
    FAILED,
    QUEUED,
    RUNNING,
    JobState,
    ProviderError,
    SubmitRequest,
    error_from_response,
    http_client,
    transport_error,
)

_STATUS = {
    "queued": QUEUED,
    "pending": QUEUED,
    "processing": RUNNING,
    "running": RUNNING,
    "completed": COMPLETED,
    "failed": FAILED,
    "canceled": CANCELLED,
    "cancelled": CANCELLED,
}


class KubflowClient:
    slug = "kubflow"
    cancel_call: str | None = None  # Kubflow documents no cancel endpoint

    def __init__(self, *, base_url: str, api_key: str) -> None:
        self.http = http_client(base_url, headers={"Authorization": f"Bearer {api_key}"})

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise transport_error(exc) from exc
        if response.status_code >= 400:
            raise error_from_response(response)
        try:
            body = response.json()
        except ValueError as exc:
            raise ProviderError(
                "malformed_response", "Kubflow answered with a body that is not JSON", permanent=False
            ) from exc
        if not isinstance(body, dict):
            raise ProviderError("malformed_response", "Kubflow answered with an unexpected body", permanent=False)
        return body

    def submit(self, request: SubmitRequest) -> str:
        params = dict(request.params)
        prompt = params.pop("prompt", "")
        for name in request.spec.get("wire", {}).get("not_sent", []):
            params.pop(name, None)  # the studio's own billing quantities (measured seconds) stay here
        for spec in request.spec.get("fields", []):
            if spec["type"] in {"integer", "number"} and params.get(spec["name"]) not in (None, ""):
                params[spec["name"]] = _json_number(params[spec["name"]])  # stored params keep numbers as text
            # Kubflow takes one URL per media field (image_url, video_url).
            if spec["type"] == "media" and spec["name"] in params:
                urls = params.pop(spec["name"])
                if urls:
                    params[spec["name"]] = urls[0] if spec.get("max_count", 1) == 1 else urls
        body = {
            "model": request.model_id,
            "category": request.spec.get("wire", {}).get("category", request.category),
            "prompt": prompt,
            "params": params,
        }
        # X-Request-Id carries our generation id for the provider's logs (and the sandbox's counts).
        data = self._request("POST", "/api/v1/generations", json=body, headers={"X-Request-Id": request.reference})
        job_id = data.get("generation_id") or data.get("id")
        if not job_id:
            raise ProviderError(
                "malformed_response", "Kubflow accepted the job without a generation_id", permanent=False
            )
        return str(job_id)

    def status(self, job_id: str, spec: dict[str, Any]) -> JobState:
        data = self._request("GET", f"/api/v1/generations/{job_id}")
        status = _STATUS.get(str(data.get("status", "")).lower())
        if status is None:
            raise ProviderError(
                "malformed_response", f"Kubflow reported an unknown status {data.get('status')!r}", permanent=False
            )
        outputs = [url for url in (data.get("outputs") or []) if isinstance(url, str)]
        if not outputs and data.get("result_url"):
            outputs = [data["result_url"]]
        error = data.get("error") or ""
        if isinstance(error, dict):
            error = error.get("message") or str(error)
        progress = data.get("progress")
        return JobState(
            status=status,
            progress=int(progress) if isinstance(progress, (int, float)) else None,
            outputs=outputs,
            error=str(error),
        )

    def cancel(self, job_id: str) -> bool:
        return False  # Kubflow documents no cancel endpoint


def _json_number(value: Any) -> int | float:
    """A JSON number for a checked numeric setting: a whole one as an integer (5, not "5" or 5.0)."""
    number = Decimal(str(value).strip())
    return int(number) if number == number.to_integral_value() else float(number)
