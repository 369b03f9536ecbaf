"""Cliprise's documented Business API (seeds/004): POST /app/cliprise/generate, GET /app/cliprise/status.

What is emulated, as the reference states it:

- **Host gate.** "Both endpoints require the Host header to be exactly
  business.api.cliprise.app. Requests to any other host return HTTP 400 with
  an empty body or {"msg":"method_not_allowed"}." Reading: generate answers the
  empty body (its error table says so), status answers ``method_not_allowed``.
  The sandbox also accepts its own address (loopback or its server name, on its
  own port), since clients reach it by that address; any other host — another
  name, another IP, another port — is refused the documented way.
- **Auth.** Generate: ``Authorization: Bearer``; status: ``?apiKey=``. Both
  answer HTTP 400 ``{"msg": "invalid_api_key"}``.
- **Generate.** Unknown model → HTTP 400 ``{"msg": "invalid_model_id"}`` (the
  error table). Validation failures → HTTP 200 ``{"code": 400, "msg": …,
  "data": null}``: missing fields ("This field is required", verbatim), a JSON
  object or array where ``options`` / ``imageURLList`` / ``videoURLList`` must be
  a string holding JSON, an integer where a quoted numeric string is expected
  (and the reverse on the integer-duration routes), an array where a single URL
  string is expected (and the reverse), wrong enum values. Insufficient credits
  → HTTP 200 ``{"code": 400, "msg": "insufficient_credits", "action_url": …}``.
  Success is the documented array ``[{"code": 200, "taskId": …}]`` for input
  models and the bare object for root-only models — the doc says "the response
  may be a JSON array or a bare object" without saying when; this split is the
  sandbox's choice so both shapes happen.
- **Status.** HTTP 300 ``{"status": "processing"}`` while queued or processing,
  200 ``{"status": "success", "fileURL": …}`` when done, 400 ``{"status":
  "failed", "failMsg": …}`` when failed, 400 ``invalid_taskId`` for an unknown
  task; ``download=true`` answers the raw file bytes (a .zip for grok-imagine,
  which yields 6 images for text-to-image, 2 with ``image_urls``).
- **callBackUrl** is required ("Yes (live)") and POSTed once on completion,
  best effort ("delivery is not guaranteed").
"""

from __future__ import annotations

import functools
import json
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from sandbox import media
from sandbox.core import Job, Request, Response, Store, behaviour_for, json_response, strip_directive, webhook_later
from sandbox.outputs import job_outputs

DOCUMENTED_HOST = "business.api.cliprise.app"
GENERATE = "/app/cliprise/generate"
STATUS = "/app/cliprise/status"
ACTION_URL = "https://www.cliprise.app/pricing"  # "action_url (app pricing link)"; the exact link is not shown
DATA_FILE = Path(__file__).resolve().parent.parent / "catalog" / "data" / "cliprise.json"
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "[::1]"}
HELPERS = ("imageURLList", "videoURLList")
REQUIRED = "This field is required"

_render_lock = threading.Lock()


class Invalid(Exception):
    """An application-level refusal, answered inside HTTP 200 with ``code: 400``."""


@functools.cache
def _routes() -> dict[str, dict[str, Any]]:
    """Request ``model`` value → offer. Family base names (flux-kontext, kling-2-1…) are not routes."""
    offers = json.loads(DATA_FILE.read_text())["offers"]
    return {offer["id"]: offer for offer in offers}


def handle(store: Store, request: Request, path: str, api_key: str) -> Response:
    if not _host_allowed(request):
        store.count("cliprise.host_refused")
        if path == GENERATE:
            return Response(400, b"", "text/plain")
        return json_response(400, {"msg": "method_not_allowed"})
    if path == GENERATE:
        if request.method != "POST":
            return json_response(400, {"msg": "method_not_allowed"})
        return _generate(store, request, api_key)
    if path == STATUS:
        if request.method != "GET":
            return json_response(400, {"msg": "method_not_allowed"})
        return _status(store, request, api_key)
    return json_response(404, {"msg": "not_found"})


# --- host ------------------------------------------------------------------------------


def _host_allowed(request: Request) -> bool:
    host = request.headers.get("host", "")
    if host == DOCUMENTED_HOST:
        return True
    name, _, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    own_port = str(request.environ.get("SERVER_PORT", ""))
    own_names = LOOPBACK_NAMES | {str(request.environ.get("SERVER_NAME", "")).lower()}
    return bool(name) and port == own_port and name.lower() in own_names


class _Base:
    """Where this sandbox's files are reachable, even when the client used the documented Host."""

    def __init__(self, request: Request) -> None:
        host = request.headers.get("host", "")
        if host == DOCUMENTED_HOST:
            name = str(request.environ.get("SERVER_NAME", "127.0.0.1")).lower()
            name = "127.0.0.1" if name in LOOPBACK_NAMES or not name else name
            host = f"{name}:{request.environ.get('SERVER_PORT', '80')}"
        self.root = f"http://{host}"

    def url_for(self, path: str) -> str:
        return f"{self.root}{path}"


# --- generate --------------------------------------------------------------------------


def _bearer_ok(request: Request, api_key: str) -> bool:
    value = request.headers.get("authorization", "")
    token = value[7:].strip() if value.lower().startswith("bearer ") else ""
    return bool(token) and secrets.compare_digest(token, api_key)


def _app_error(message: str, **extra: Any) -> Response:
    return json_response(200, {"code": 400, "msg": message, "data": None, **extra})


def _generate(store: Store, request: Request, api_key: str) -> Response:
    if not _bearer_ok(request, api_key):
        return json_response(400, {"msg": "invalid_api_key"})
    store.count("cliprise.generate")
    try:
        body = request.json()
    except ValueError:
        return _app_error("The request body must be JSON")
    if not isinstance(body, dict):
        return _app_error("The request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return _app_error(REQUIRED, field="model")
    offer = _routes().get(model)
    if offer is None:
        return json_response(400, {"msg": "invalid_model_id"})
    callback = body.get("callBackUrl")
    if not isinstance(callback, str) or not callback.startswith(("http://", "https://")):
        return _app_error(REQUIRED, field="callBackUrl")
    try:
        values = _validated(offer, body)
    except Invalid as exc:
        return _app_error(str(exc))

    prompt = str(values.get("prompt") or values.get("text") or "")
    try:
        behaviour = behaviour_for(prompt, store.behaviour)
    except ValueError as exc:
        return _app_error(f"sandbox directive: {exc}")
    if behaviour.fail == "5xx":
        store.count("cliprise.5xx")
        return json_response(500, {"code": 500, "msg": "internal_error"})
    if behaviour.fail == "insufficient":
        return json_response(200, {"code": 400, "msg": "insufficient_credits", "action_url": ACTION_URL, "data": None})
    if behaviour.fail == "timeout":
        time.sleep(40)

    wire = offer.get("wire") or {}
    kind = offer["output"]
    extra: dict[str, Any] = {"callback": callback}
    if kind == "text" and {"transcription", "speech-to-text"} & set(offer.get("generation_types", [])):
        extra["transcript"] = True  # speech-to-text answers with what was said, not a chat reply
    if wire.get("result_may_be_zip"):
        kind = "zip"
        per_call = wire.get("outputs_per_call", {})
        extra["images"] = (
            per_call.get("image-to-image", 2) if values.get("image_urls") else per_call.get("text-to-image", 6)
        )
    job = store.add_job(
        Job(
            id=secrets.token_hex(16),
            provider="cliprise",
            model=model,
            params=_render_params(offer, values),
            behaviour=behaviour,
            kind=kind,
            extra=extra,
        )
    )
    if behaviour.fail != "never":
        _callback_later(store, job, _Base(request))
    answer = {"code": 200, "taskId": job.id}
    return json_response(200, answer if wire.get("root_only") else [answer])


def _json_string(body: dict[str, Any], key: str, expected: type) -> Any:
    """A root helper: a *string* holding JSON of the expected shape."""
    raw = body[key]
    if not isinstance(raw, str):
        raise Invalid(f"{key} must be a string containing JSON, not a JSON {type(raw).__name__}; use json.dumps()")
    try:
        value = json.loads(raw)
    except ValueError:
        raise Invalid(f"{key} is not valid JSON") from None
    if not isinstance(value, expected):
        raise Invalid(f"{key} must hold a JSON {'array' if expected is list else 'object'}")
    if expected is list and not all(isinstance(url, str) and _is_url(url) for url in value):
        raise Invalid(f"{key} must hold http(s) URLs")
    return value


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def _validated(offer: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """The model's effective fields after the pipeline's routing, or Invalid."""
    wire = offer.get("wire") or {}
    helpers = {key: _json_string(body, key, list) for key in HELPERS if key in body}
    options = _json_string(body, "options", dict) if "options" in body else {}
    if wire.get("root_only"):
        # "Sending an input object for these models has no effect."
        values = {k: v for k, v in body.items() if k not in {"model", "callBackUrl", "options", "input", *HELPERS}}
    else:
        if "input" not in body:
            raise Invalid(REQUIRED)
        if not isinstance(body["input"], dict):
            raise Invalid("input must be a JSON object")
        values = dict(body["input"])
    for key in wire.get("pipeline_sets", []):
        if key in values:
            raise Invalid(f"{key} is set by the pipeline; do not send it")
    _check_options(options, wire)

    fields = {field["name"]: field for field in offer["fields"]}
    # The pipeline "parses and routes these URLs into the appropriate input fields".
    for helper, key in (("imageURLList", "image"), ("videoURLList", "video")):
        if helper in helpers:
            values.setdefault(helper, helpers[helper])
            source = wire.get(f"{key}_list_from")
            if source in fields and fields[source]["type"] == "media" and source not in values:
                urls = helpers[helper]
                if source in wire.get("stringified_list_fields", []):
                    values[source] = body[helper]  # gpt-image-1 fileUrl: the raw string
                elif source in wire.get("url_string_fields", []):
                    values[source] = urls[0] if urls else ""
                else:
                    values[source] = urls
    # Fields some routes take "from options.aspectRatio / options.duration".
    for key, name in wire.get("options_from", {}).items():
        mapping = (wire.get("options") or {}).get(key)
        if key in options and name not in values and isinstance(mapping, dict):
            values[name] = mapping[str(options[key])]

    skip = set(wire.get("studio_only_fields", [])) | set(HELPERS)
    for name, field in fields.items():
        if name in skip or (field.get("derived") and name not in wire.get("mirror_fields", {})):
            continue
        value = values.get(name)
        if value is None or value in ("", []):
            if field.get("required"):
                raise Invalid(REQUIRED)
            continue
        _check_value(name, field, value, wire)
    for target in wire.get("mirror_fields", {}):
        if target in values and target not in fields:
            _check_value(target, {"type": "media"}, values[target], wire)
    values["_options"] = options
    return values


def _check_options(options: dict[str, Any], wire: dict[str, Any]) -> None:
    maps = wire.get("options") or {}
    for key, fixed in wire.get("options_fixed", {}).items():
        if key in options and options[key] != fixed:
            raise Invalid(f"options.{key} must stay aligned with the routed model ({fixed})")
    for key, value in options.items():
        mapping = maps.get(key)
        if isinstance(mapping, dict):
            if isinstance(value, bool) or not isinstance(value, int) or str(value) not in mapping:
                raise Invalid(f"options.{key} must be an index: {', '.join(mapping)}")
        elif mapping == "bool" and not isinstance(value, bool):
            raise Invalid(f"options.{key} must be a boolean")
        elif mapping == "int" and (isinstance(value, bool) or not isinstance(value, int)):
            raise Invalid(f"options.{key} must be an integer")
        elif mapping == "string" and not isinstance(value, str):
            raise Invalid(f"options.{key} must be a string")


def _check_value(name: str, field: dict[str, Any], value: Any, wire: dict[str, Any]) -> None:
    kind = field["type"]
    if kind == "media":
        if name in wire.get("stringified_list_fields", []):
            if not isinstance(value, str):
                raise Invalid(f"{name} must be the raw imageURLList string, not a JSON {type(value).__name__}")
            try:
                urls = json.loads(value)
            except ValueError:
                raise Invalid(f"{name} is not a JSON array string") from None
        elif name in wire.get("single_url_string_fields", []):
            urls = [value] if isinstance(value, str) else value  # "most reliable as a single URL string"
        elif name in wire.get("url_string_fields", []):
            if not isinstance(value, str):
                raise Invalid(f"{name} must be a single URL string, not an array")
            urls = [value]
        else:
            if not isinstance(value, list):
                raise Invalid(f"{name} must be an array of URLs, even for one file")
            urls = value
        if not isinstance(urls, list) or not all(isinstance(url, str) and _is_url(url) for url in urls):
            raise Invalid(f"{name} must hold direct public http(s) URLs")
        if len(urls) > field.get("max_count", 1 << 30):
            raise Invalid(f"{name} accepts at most {field['max_count']} URL(s)")
        return
    if name in wire.get("quoted_numbers", []):
        if not isinstance(value, str) or not value.isdigit():
            raise Invalid(f'{name} must be a quoted numeric string such as "5" or "250", not {json.dumps(value)}')
    elif name in wire.get("integer_fields", []) or kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"{name} must be an integer, not {json.dumps(value)}")
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Invalid(f"{name} must be a number")
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise Invalid(f"{name} must be a boolean")
    elif kind == "json" or name in wire.get("json_text_fields", []):
        if not isinstance(value, (list, dict)):
            raise Invalid(f"{name} must be a JSON array of objects, not a string")
    elif not isinstance(value, str):
        raise Invalid(f"{name} must be a string")
    if kind == "enum" and not any(value == choice for choice in field["choices"]):
        raise Invalid(f"{name} must be one of {', '.join(str(c) for c in field['choices'])}")
    if kind == "integer" and not isinstance(value, str):
        if "min" in field and value < field["min"]:
            raise Invalid(f"{name} must be at least {field['min']}")
        if "max" in field and value > field["max"]:
            raise Invalid(f"{name} must be at most {field['max']}")


def _render_params(offer: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """What sandbox.outputs reads (prompt, aspect, resolution, seconds), from fields and options."""
    params = {k: v for k, v in values.items() if k != "_options"}
    wire = offer.get("wire") or {}
    for key, name in wire.get("options_from", {}).items():
        mapping = (wire.get("options") or {}).get(key)
        if name not in params and key in values["_options"] and isinstance(mapping, dict):
            params[name] = mapping.get(str(values["_options"][key]))
    if "size" in params and "aspect_ratio" not in params and ":" in str(params["size"]):
        params["aspect_ratio"] = params["size"]  # gpt-image-1
    if "duration_seconds" in params:
        params["seconds"] = params["duration_seconds"]
    aspect = params.get("aspect_ratio") or params.get("aspectRatio") or params.get("image_size")
    try:
        media.aspect_size(str(aspect) if aspect else "1:1", params.get("resolution"))
    except (ValueError, TypeError):
        for key in ("aspect_ratio", "aspectRatio", "image_size", "resolution"):
            params.pop(key, None)
    if offer["output"] != "image":
        params.pop("resolution", None)
    if not (params.get("prompt") or params.get("text")):
        params["prompt"] = offer["name"]
    return params


# --- status ----------------------------------------------------------------------------


def _status(store: Store, request: Request, api_key: str) -> Response:
    key = request.query.get("apiKey", "")
    if not key or not secrets.compare_digest(key, api_key):
        return json_response(400, {"msg": "invalid_api_key"})
    job = store.job("cliprise", request.query.get("taskId", ""))
    if job is None:
        return json_response(400, {"msg": "invalid_taskId"})
    store.count("cliprise.status")
    if store.flapping(job):
        return json_response(503, {"msg": "service_unavailable"})
    phase, _ = job.phase()
    if phase in {"queued", "processing"}:
        return json_response(300, {"status": "processing"})
    if phase == "failed":
        return json_response(400, {"status": "failed", "failMsg": _fail_message(job)})
    if job.behaviour.fail == "malformed":
        return Response(200, b"<html><body>upstream error</body></html>", "text/html")
    outputs = _outputs(store, job, _Base(request))
    if request.query.get("download") == "true":
        token = outputs[0].rsplit("/files/", 1)[1]
        entry = store.files.get(token)
        if entry is None:
            return json_response(400, {"status": "failed", "failMsg": "The result is no longer available"})
        content_type, data, _expired = entry
        return Response(200, data, content_type)
    return json_response(200, {"status": "success", "fileURL": outputs[0]})


def _fail_message(job: Job) -> str:
    return "The model could not generate this request (sandbox failure)."


def _outputs(store: Store, job: Job, base: _Base) -> list[str]:
    with _render_lock:  # the callback timer and a status read may finish the same job at once
        if job.outputs:
            return job.outputs
        if job.kind != "zip":
            return job_outputs(store, job, base)  # type: ignore[arg-type]  # only url_for is used
        params = job.params
        prompt = strip_directive(str(params.get("prompt") or job.model))
        aspect = str(params.get("aspect_ratio") or "1:1")
        width, height = media.aspect_size(aspect, None, base=job.behaviour.media_scale)
        count = int(job.extra.get("images", 6))
        images = [(f"image-{i + 1}.png", media.render_image(prompt, width, height, seed=i)) for i in range(count)]
        token = store.add_file(
            "application/zip", media.zip_images(images), "zip", expired=job.behaviour.fail == "expired"
        )
        job.outputs = [base.url_for(f"/files/{token}")]
        return job.outputs


def _callback_later(store: Store, job: Job, base: _Base) -> None:
    """POST callBackUrl once the job is done; the result is rendered then, as the status call would."""

    def fire() -> None:
        phase, _ = job.phase()
        if phase == "failed":
            body = {"code": 400, "taskId": job.id, "status": "failed", "failMsg": _fail_message(job)}
        else:
            body = {"code": 200, "taskId": job.id, "status": "success", "fileURL": _outputs(store, job, base)[0]}
        store.count("cliprise.callback")
        webhook_later(0, job.extra["callback"], body)

    timer = threading.Timer(max(job.behaviour.delay, 0.0) + 0.05, fire)
    timer.daemon = True
    timer.start()
