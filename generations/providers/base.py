"""The one small interface every provider client implements.

A client turns the studio's checked parameters into its provider's exact
request, and the provider's answers into :class:`JobState`. Every failure is a
:class:`ProviderError` saying whether it is permanent, so the retry rules live
in one place (generations.services).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO, Protocol

import httpx
from django.core.files.storage import default_storage

from generations.outbound.transport import tls_context

QUEUED = "queued"
RUNNING = "running"
COMPLETED = "completed"
FAILED = "failed"
CANCELLED = "cancelled"


class ProviderError(Exception):
    def __init__(self, code: str, message: str, *, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.permanent = permanent
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"ProviderError({self.code!r}, {self.message!r}, permanent={self.permanent})"


@dataclass(frozen=True)
class JobState:
    status: str  # queued | running | completed | failed | cancelled
    progress: int | None = None
    outputs: list[str] = field(default_factory=list)
    error: str = ""
    error_code: str = ""


@dataclass(frozen=True)
class LocalMedia:
    """A source file the user uploaded to the studio, to hand to the provider.

    Providers with an upload API (Kubeez ``/v1/upload/media``, Krea ``/assets``)
    get the bytes; the others get ``public_url``, a signed studio URL they can fetch.
    """

    path: str  # a local file (tools and provider tests); "" when the bytes live in the studio's storage
    filename: str
    content_type: str
    kind: str  # image | video | audio
    public_url: str = ""
    storage_name: str = ""  # the file's name in the studio's storage (filesystem or object storage)

    def open(self) -> BinaryIO:
        """The file's bytes, read through Django's storage API when it is a stored file (never by path)."""
        if self.storage_name:
            return default_storage.open(self.storage_name, "rb")
        return open(self.path, "rb")

    def size(self) -> int:
        """Its size in bytes; OSError when the file is gone."""
        if self.storage_name:
            try:
                return default_storage.size(self.storage_name)
            except OSError:
                raise
            except Exception as exc:  # object storage answers a missing key with its own error
                raise FileNotFoundError(self.storage_name) from exc
        return os.path.getsize(self.path)


@dataclass(frozen=True)
class SubmitRequest:
    model_id: str
    category: str
    spec: dict[str, Any]  # the offer's catalog spec (fields, wire hints)
    params: dict[str, Any]  # checked parameters, named as the provider names them; media fields hold URL lists
    reference: str  # our generation id, for the provider's logs
    webhook_url: str | None = None  # a per-job unguessable studio URL, for providers that call back
    uploads: dict[str, list[LocalMedia]] = field(default_factory=dict)  # media field -> files to pass along


@dataclass(frozen=True)
class Submitted:
    """A job the provider accepted: its id, and the cost it reported on accepting it, if it reports one."""

    job_id: str
    reported_cost: Decimal | None = None  # in the provider's unit


def submit_job(client: ProviderClient, request: SubmitRequest) -> Submitted:
    """Start a job through ``client``: its ``submit_job`` where it reports more than the id."""
    detailed = getattr(client, "submit_job", None)
    if detailed is not None:
        return detailed(request)
    return Submitted(job_id=client.submit(request))


class ProviderClient(Protocol):
    slug: str
    cancel_call: str | None  # the documented call that stops a job, or None where the docs have none

    def submit(self, request: SubmitRequest) -> str:
        """Start a job; return the provider's job id."""

    def status(self, job_id: str, spec: dict[str, Any]) -> JobState:
        """Read a job's state once."""

    def cancel(self, job_id: str) -> bool:
        """Ask the provider to stop a job; False when the provider has no cancel."""


def error_from_response(
    response: httpx.Response, *, code: str | None = None, message: str | None = None
) -> ProviderError:
    """The common mapping of HTTP statuses to retryable or permanent errors."""
    status = response.status_code
    retry_after = None
    if "retry-after" in response.headers:
        try:
            retry_after = float(response.headers["retry-after"])
        except ValueError:
            retry_after = None
    text = message or _error_text(response)
    if status == 429:
        return ProviderError(code or "rate_limited", text, permanent=False, retry_after=retry_after)
    if status >= 500 or status == 408:
        return ProviderError(code or f"http_{status}", text, permanent=False, retry_after=retry_after)
    if status in (401, 403):
        return ProviderError(code or "auth_failed", text, permanent=True)
    return ProviderError(code or f"http_{status}", text, permanent=True)


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    if isinstance(body, dict):
        for key in ("message", "error", "detail", "failMsg", "msg"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
            if isinstance(value, dict) and value.get("message"):
                return str(value["message"])
    return f"HTTP {response.status_code}"


def http_client(base_url: str, *, headers: dict[str, str] | None = None) -> httpx.Client:
    return httpx.Client(
        base_url=base_url,
        headers=headers or {},
        timeout=httpx.Timeout(30.0, connect=5.0),
        follow_redirects=False,
        verify=tls_context(),  # one per process (generations.outbound.transport)
    )


def transport_error(exc: httpx.HTTPError) -> ProviderError:
    if isinstance(exc, httpx.TimeoutException):
        return ProviderError("timeout", f"The provider did not answer in time ({type(exc).__name__})", permanent=False)
    return ProviderError("network_error", f"Could not reach the provider ({type(exc).__name__})", permanent=False)
