"""The sandbox WSGI application: routes ``/<provider>/...`` to each provider's
emulation, serves generated files under ``/files/``, and exposes controls
under ``/_sandbox/`` (config, stats, charges, reset) for tests and demos."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from decimal import Decimal
from importlib import import_module
from typing import Any

from sandbox.core import STATUS_TEXT, Behaviour, Request, Response, Store, json_response

logger = logging.getLogger("sandbox")

# Each provider module has ``handle(store, request, path, api_key) -> Response``.
PROVIDERS = ("kubflow", "kubeez", "krea", "cliprise")


def _handler(provider: str) -> Callable[[Store, Request, str, str], Response] | None:
    if provider not in PROVIDERS:
        return None
    try:
        return import_module(f"sandbox.{provider}").handle
    except ImportError:
        return None


class SandboxApp:
    def __init__(self, *, behaviour: Behaviour | None = None, api_key: str = "sandbox-key") -> None:
        self.store = Store(behaviour or Behaviour())
        self.api_key = api_key
        self.rotated_keys: dict[str, str] = {}  # provider -> the key it now expects (a revoked-key drill)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.route(request)
        except Exception:  # a sandbox bug must look like a provider 500, not kill the thread
            logger.exception("sandbox error on %s %s", request.method, request.path)
            response = json_response(500, {"error": "sandbox internal error"})
        headers = [("Content-Type", response.content_type), ("Content-Length", str(len(response.body)))]
        headers += list(response.headers.items())
        start_response(f"{response.status} {STATUS_TEXT.get(response.status, 'Status')}", headers)
        return [response.body]

    def route(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/files/"):
            return self.file(path[len("/files/") :])
        if path.startswith("/_sandbox/"):
            return self.control(request, path[len("/_sandbox/") :])
        provider, _, rest = path.lstrip("/").partition("/")
        handler = _handler(provider)
        if handler is None:
            return json_response(404, {"error": f"no sandbox provider at /{provider}"})
        return handler(self.store, request, "/" + rest, self.rotated_keys.get(provider, self.api_key))

    def file(self, token: str) -> Response:
        entry = self.store.files.get(token)
        if entry is None:
            return json_response(404, {"error": "no such file"})
        content_type, data, expired = entry
        if expired:
            return json_response(410, {"error": "This result URL has expired."})
        return Response(200, data, content_type)

    def charges(self) -> dict[str, dict[str, Any]]:
        """What each job cost in its provider's own unit, where the provider module records one
        (``job.extra["charge"]``): ``{provider: {"total": "…", "jobs": {job id: "…"}}}``, amounts as strings."""
        with self.store.lock:
            jobs = [job for job in self.store.jobs.values() if "charge" in job.extra]
        found: dict[str, dict[str, Any]] = {}
        for job in jobs:
            entry = found.setdefault(job.provider, {"total": Decimal(0), "jobs": {}})
            entry["total"] += job.extra["charge"]
            entry["jobs"][job.id] = str(job.extra["charge"])
        for entry in found.values():
            entry["total"] = str(entry["total"])
        return found

    def control(self, request: Request, name: str) -> Response:
        if name == "config":
            if request.method == "POST":
                try:
                    self.store.behaviour.update(request.json() or {})
                except (ValueError, TypeError) as exc:
                    return json_response(400, {"error": str(exc)})
            return json_response(200, self.store.behaviour.as_dict())
        if name == "keys" and request.method == "POST":
            # {"kubflow": "new-key"}: that provider now refuses the usual key, as after a rotation.
            self.rotated_keys.update(request.json() or {})
            return json_response(200, self.rotated_keys)
        if name == "stats":
            return json_response(200, dict(self.store.counters))
        if name == "charges":
            return json_response(200, self.charges())
        if name == "reset" and request.method == "POST":
            self.store.reset()
            self.rotated_keys.clear()
            self.store.behaviour.__init__()
            return json_response(200, {"reset": True})
        if name == "health":
            return json_response(200, {"ok": True})
        return json_response(404, {"error": "unknown control"})
