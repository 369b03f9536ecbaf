"""The sandbox's shared machinery: a tiny WSGI request/response layer, the job
store, behaviour settings, and the files it serves.

Behaviour (latency, failure kind and rate, progress steps) is set per run
(``python -m sandbox --delay 3``), changed at run time through
``POST /_sandbox/config``, or per request by a directive in the prompt, e.g.
``a cat [sandbox fail=provider delay=1]``. Failure kinds: ``provider`` (the job
ends failed), ``5xx`` (the submit answers 500), ``timeout`` (the submit hangs
past the client's timeout), ``malformed`` (a body that is not the documented
shape), ``expired`` (the result URL answers 410), ``expired_once`` (the first
result URL answers 410; reading the status again gives a fresh one),
``insufficient`` (the provider account is out of credits), ``no_api_access``
(the account's plan has no API access: Kubflow's 403), ``never`` (the job
never finishes). ``flaps=N`` makes the first N status reads answer 503. Deliveries
that fall short: ``short=2`` makes videos and audio 2 s long whatever was asked,
``silent=1`` leaves the audio track out of videos that asked for one. ``first=N`` limits the failure to
the first N jobs sent with that very prompt (a batch of four with ``fail=provider first=1``: one fails).
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import secrets
import threading
import time
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

FAILURE_KINDS = {
    "none",
    "provider",
    "5xx",
    "timeout",
    "malformed",
    "expired",
    "expired_once",
    "insufficient",
    "no_api_access",
    "never",
}
DIRECTIVE = re.compile(r"\[sandbox([^\]]*)\]")


@dataclass
class Behaviour:
    delay: float = 3.0  # seconds from submit to completion
    fail: str = "none"
    fail_rate: float = 1.0  # the share of jobs the failure applies to
    progress_steps: int = 4
    media_scale: int = 512  # long side of generated images and videos, in pixels
    flaps: int = 0  # the first N status reads of each job answer 503, then the job behaves
    short: float = 0.0  # videos and audio come back this many seconds long whatever was asked (0: as asked)
    silent: int = 0  # 1: videos come back without an audio track even when audio was asked for
    first: int = 0  # >0: the failure applies only to the first N jobs sent with the same prompt

    def update(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            if key == "fail" and value not in FAILURE_KINDS:
                raise ValueError(f"fail must be one of {sorted(FAILURE_KINDS)}")
            if key in {"delay", "fail_rate", "short"}:
                value = float(value)
            elif key in {"progress_steps", "media_scale", "flaps", "silent", "first"}:
                value = int(value)
            elif key != "fail":
                raise ValueError(f"unknown setting {key!r}")
            setattr(self, key, value)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


_SENT_WITH_PROMPT: defaultdict[str, int] = defaultdict(int)
_SENT_LOCK = threading.Lock()


def behaviour_for(prompt: str, base: Behaviour) -> Behaviour:
    """The run's behaviour, overridden by any ``[sandbox key=value ...]`` directive in the prompt."""
    chosen = Behaviour(**base.as_dict())
    match = DIRECTIVE.search(prompt or "")
    if match:
        values = dict(part.split("=", 1) for part in match.group(1).split() if "=" in part)
        chosen.update(values)
    if chosen.fail != "none" and random.random() >= chosen.fail_rate:
        chosen.fail = "none"
    if chosen.fail != "none" and chosen.first:
        with _SENT_LOCK:
            _SENT_WITH_PROMPT[prompt] += 1
            sent = _SENT_WITH_PROMPT[prompt]
        if sent > chosen.first:
            chosen.fail = "none"
    return chosen


def strip_directive(prompt: str) -> str:
    return DIRECTIVE.sub("", prompt or "").strip()


@dataclass
class Job:
    id: str
    provider: str
    model: str
    params: dict[str, Any]
    behaviour: Behaviour
    kind: str  # image | video | audio | text | zip
    created: float = field(default_factory=time.monotonic)
    cancelled: bool = False
    outputs: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def phase(self) -> tuple[str, int]:
        """(queued | processing | completed | failed | cancelled, progress 0-100) by elapsed time."""
        if self.cancelled:
            return "cancelled", 0
        elapsed = time.monotonic() - self.created
        delay = max(self.behaviour.delay, 0.0)
        if self.behaviour.fail == "never":
            return "processing", 50
        if elapsed >= delay:
            return ("failed", 100) if self.behaviour.fail == "provider" else ("completed", 100)
        if elapsed < delay * 0.15:
            return "queued", 0
        steps = max(self.behaviour.progress_steps, 1)
        fraction = elapsed / delay if delay else 1
        return "processing", min(99, int(fraction * steps) * 100 // steps)


class Store:
    """Jobs, generated files and counters, shared by every handler thread."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.lock = threading.Lock()
        self.jobs: dict[str, Job] = {}
        self.files: OrderedDict[str, tuple[str, bytes, bool]] = OrderedDict()  # token -> (type, data, expired)
        self.counters: defaultdict[str, int] = defaultdict(int)

    def add_job(self, job: Job) -> Job:
        with self.lock:
            self.jobs[job.id] = job
            self.counters[f"{job.provider}.accepted"] += 1
        return job

    def job(self, provider: str, job_id: str) -> Job | None:
        with self.lock:
            job = self.jobs.get(job_id)
        return job if job and job.provider == provider else None

    def count(self, name: str) -> int:
        with self.lock:
            self.counters[name] += 1
            return self.counters[name]

    def flapping(self, job: Job) -> bool:
        """True while a flapping job should still answer 503 (its first ``flaps`` status reads)."""
        return job.behaviour.flaps > 0 and self.count(f"flap:{job.id}") <= job.behaviour.flaps

    def add_file(self, content_type: str, data: bytes, extension: str, *, expired: bool = False) -> str:
        token = f"{secrets.token_urlsafe(16)}.{extension}"
        with self.lock:
            self.files[token] = (content_type, data, expired)
            while len(self.files) > 500:
                self.files.popitem(last=False)
        return token

    def reset(self) -> None:
        with self.lock:
            self.jobs.clear()
            self.files.clear()
            self.counters.clear()


def webhook_later(delay: float, url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    """POST ``body`` to ``url`` after ``delay`` seconds, once, best effort (as providers do)."""

    def send() -> None:
        import httpx

        with contextlib.suppress(httpx.HTTPError):  # delivery is not guaranteed, as the providers say
            httpx.post(url, json=body, headers=headers or {}, timeout=5)

    timer = threading.Timer(max(delay, 0.0), send)
    timer.daemon = True
    timer.start()


class Request:
    def __init__(self, environ: dict[str, Any]) -> None:
        self.environ = environ
        self.method = environ["REQUEST_METHOD"].upper()
        self.path = environ.get("PATH_INFO", "/")
        self.query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        self.headers = {
            key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")
        }
        if "CONTENT_TYPE" in environ:
            self.headers["content-type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.body = environ["wsgi.input"].read(length) if length else b""

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def host(self) -> str:
        return self.headers.get("host", "127.0.0.1")

    def url_for(self, path: str) -> str:
        return f"http://{self.host}{path}"


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, payload: Any, **headers: str) -> Response:
    return Response(status, json.dumps(payload).encode(), "application/json", dict(headers))


STATUS_TEXT = {
    200: "OK",
    201: "Created",
    204: "No Content",
    300: "Multiple Choices",
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    410: "Gone",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
